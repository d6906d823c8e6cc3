"""Structured round trips (issue 29, as safetensors' structured fuzz target): what ganstudio
writes, it reads back unchanged, for any value Hypothesis can build within the format: any
config the dataclass allows survives config.json save then load; any small tensor dict survives
a checkpoint bit for bit (NaN payloads included); any directions file and any recipe survive
write then read. Derandomized, so CI runs the same examples every time.
"""

from __future__ import annotations

import json
import typing

import numpy as np
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ganstudio.config import TrainConfig, _field_types, from_dict, load_file, to_dict
from ganstudio.errors import ConfigError

# The tests write files: no per-example deadline (disk and torch start-up vary), same examples each run.
ROUND_TRIP = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _strategy(hint) -> st.SearchStrategy:
    """Values of a TrainConfig field's type: the edges of each type, not only typical values."""
    args = typing.get_args(hint)
    base = next((a for a in args if a is not type(None)), hint)
    values: st.SearchStrategy
    if base is bool:
        values = st.booleans()
    elif base is int:
        values = st.integers(min_value=0, max_value=2**31)
    elif base is float:
        values = st.floats(allow_nan=False, allow_infinity=False, min_value=0.0, max_value=1e300) | st.sampled_from(
            [5e-324, 0.5, 0.9, 0.999]
        )
    elif typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        values = st.lists(st.integers(1, 64) if item is int else TEXT, min_size=1, max_size=4)
    else:
        return st.nothing()  # strings (datasets, models, losses) are names from a list: keep the default
    return (values | st.none()) if type(None) in args else values


@st.composite
def configs(draw) -> dict:
    hints = _field_types()
    return {k: draw(_strategy(h)) for k, h in hints.items() if not _strategy(h).is_empty and draw(st.booleans())}


@ROUND_TRIP
@given(values=configs())
def test_any_valid_config_survives_save_then_load(tmp_path, values):
    try:
        cfg = from_dict(values)
    except ConfigError:
        assume(False)  # not a config the dataclass allows
    path = tmp_path / "config.json"
    path.write_text(json.dumps(to_dict(cfg)), encoding="utf-8")
    assert from_dict(load_file(path)) == cfg


DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.uint8]


@st.composite
def tensor_dicts(draw) -> dict[str, torch.Tensor]:
    out = {}
    for j in range(draw(st.integers(1, 4))):
        dtype = draw(st.sampled_from(DTYPES))
        shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
        raw = draw(
            st.binary(min_size=int(np.prod(shape)) * dtype.itemsize, max_size=int(np.prod(shape)) * dtype.itemsize)
        )
        t = torch.frombuffer(bytearray(raw), dtype=torch.uint8) if raw else torch.empty(0, dtype=torch.uint8)
        # any bit pattern: NaN payloads, negative zero, subnormals
        out[f"G/t{j}.{draw(st.integers(0, 99))}"] = (
            t.view(dtype).reshape(shape).clone() if raw else torch.empty(shape, dtype=dtype)
        )
    return out


@ROUND_TRIP
@given(tensors=tensor_dicts(), step=st.integers(0, 2**62), note=TEXT)
def test_any_small_tensor_dict_survives_a_checkpoint_bit_for_bit(tmp_path, tensors, step, note):
    from ganstudio.io.checkpoint import load_checkpoint, save_checkpoint

    meta = {"step": step, "note": note}
    path = tmp_path / "ck.safetensors"
    save_checkpoint(path, tensors, meta)
    got, got_meta = load_checkpoint(path)
    assert set(got) == set(tensors)
    for k, t in tensors.items():
        assert got[k].dtype == t.dtype and got[k].shape == t.shape
        assert got[k].reshape(-1).view(torch.uint8).equal(t.reshape(-1).view(torch.uint8)), k
    assert {k: got_meta[k] for k in meta} == meta


FLOAT32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@ROUND_TRIP
@given(
    shape=st.tuples(st.integers(0, 4), st.integers(1, 8)),
    data=st.data(),
    seeds=st.tuples(st.integers(0, 2**53), st.integers(0, 2**53)),
    space=st.sampled_from(["output", "latent"]),
    name=TEXT,
)
def test_any_directions_file_survives_write_then_read(shape, data, seeds, space, name):
    from ganstudio.latent import Directions

    k, z = shape
    v = torch.tensor(data.draw(st.lists(st.lists(FLOAT32, min_size=z, max_size=z), min_size=k, max_size=k)) or [])
    r = torch.tensor(data.draw(st.lists(st.floats(0, 1, width=32), min_size=k, max_size=k)), dtype=torch.float32)
    d = Directions(v.reshape(k, z).float(), r, space, seeds[0], seeds[1], {"name": name})
    back = Directions.from_json(d.to_json())
    assert back.vectors.equal(d.vectors) and back.variance_ratio.equal(d.variance_ratio)
    assert (back.space, back.n, back.seed, back.meta) == (d.space, d.n, d.seed, d.meta)


JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(-1e9, 1e9) | TEXT
FLOAT = st.floats(-4, 4, allow_subnormal=False)


@st.composite
def recipes(draw) -> dict:
    """Recipes as `ganstudio interpolate` and the app write them (any values those allow)."""
    z_dim = draw(st.integers(1, 16))
    cmd = draw(st.sampled_from(["interpolate", "latent"]))
    r = {
        "command": cmd,
        "z_dim": z_dim,
        "run": draw(st.none() | TEXT),
        "checkpoint": draw(TEXT),
        "step": draw(st.none() | st.integers(0, 2**40)),
        "ema": draw(st.booleans()),
        "psi": draw(st.none() | st.floats(0, 2)),
        "out": draw(st.sampled_from(["a.gif", "b.png", "ü x.mp4"])),
        "note": draw(st.dictionaries(TEXT, JSON_SCALARS, max_size=3)),  # fields it does not know are kept
    }
    if cmd == "interpolate":
        r["seeds"] = draw(st.lists(st.integers(0, 2**32), min_size=2, max_size=5))
        r["frames"] = draw(st.integers(2, 64))
        r["mode"] = draw(st.sampled_from(["lerp", "slerp"]))
        r["loop"] = draw(st.booleans())
    else:
        r["seed"] = draw(st.integers(0, 2**32))
        if draw(st.booleans()):
            r["z"] = draw(st.lists(FLOAT, min_size=z_dim, max_size=z_dim))
    return r


@ROUND_TRIP
@given(recipe=recipes())
def test_any_recipe_survives_write_then_read(tmp_path, recipe):
    from ganstudio.io.media import write_recipe
    from ganstudio.recipes import read_recipe

    path = write_recipe(tmp_path / "out.gif", recipe)
    assert read_recipe(path) == recipe


def test_default_config_round_trips(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(to_dict(TrainConfig())), encoding="utf-8")
    assert from_dict(load_file(path)) == TrainConfig()
