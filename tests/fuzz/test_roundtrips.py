"""Structured round trips (issue 29): what ganstudio writes, it reads back unchanged.

Seeded random examples (Hypothesis is not a dependency): any config the dataclass allows
survives config.json save then load; any small tensor dict survives checkpoint save then load
bit for bit; any directions file survives write then read; any recipe survives write then read.
"""

from __future__ import annotations

import json
import random
import typing

import numpy as np
import pytest
import torch

from ganstudio.config import TrainConfig, _field_types, from_dict, load_file, to_dict
from ganstudio.errors import ConfigError

N = 150


def _value(rng: random.Random, hint) -> object:
    args = typing.get_args(hint)
    if type(None) in args and rng.random() < 0.3:
        return None
    base = next((a for a in args if a is not type(None)), hint)
    if base is bool:
        return rng.random() < 0.5
    if base is int:
        return rng.choice([1, 2, 3, 7, 16, 32, 1000, 2**31 - 1, rng.randint(1, 10**6)])
    if base is float:
        return rng.choice([0.0, 0.5, 0.9, 1e-4, 2e-4, rng.random(), 1e300, 5e-324])
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        if item is int:
            return [rng.randint(1, 64) for _ in range(rng.randint(1, 3))]
        return [rng.choice(["a", "cat", "é", "ünï", '"q"', "\\", "\n"]) for _ in range(rng.randint(1, 4))]
    return None  # strings: keep the default (datasets, models and losses are names from a list)


def test_any_valid_config_survives_save_then_load(tmp_path):
    rng = random.Random(0)
    hints, kept = _field_types(), 0
    for i in range(N):
        values = {k: _value(rng, h) for k, h in hints.items() if rng.random() < 0.4}
        values = {k: v for k, v in values.items() if v is not None or k not in ("dataset", "seed", "device")}
        values = {k: v for k, v in values.items() if not (v is None and hints[k] in (int, float, bool, str))}
        try:
            cfg = from_dict(values)
        except ConfigError:
            continue
        path = tmp_path / f"c{i}.json"
        path.write_text(json.dumps(to_dict(cfg)), encoding="utf-8")
        assert from_dict(load_file(path)) == cfg, values
        kept += 1
    assert kept > N // 4  # the generator makes mostly valid configs


@pytest.mark.parametrize("seed", range(4))
def test_any_small_tensor_dict_survives_a_checkpoint_bit_for_bit(tmp_path, seed):
    from ganstudio.io.checkpoint import load_checkpoint, save_checkpoint

    rng = np.random.default_rng(seed)
    dtypes = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.uint8]
    for i in range(N // 4):
        tensors = {}
        for j in range(int(rng.integers(1, 5))):
            shape = tuple(int(s) for s in rng.integers(0, 4, int(rng.integers(0, 4))))
            dtype = dtypes[int(rng.integers(len(dtypes)))]
            raw = torch.from_numpy(rng.integers(0, 256, (int(np.prod(shape)) * dtype.itemsize,), dtype=np.uint8))
            t = raw.view(dtype).reshape(shape).clone() if len(raw) else torch.empty(shape, dtype=dtype)
            tensors[f"G/t{j}.{rng.integers(100)}"] = t  # any bit pattern, NaN too
        meta = {"step": int(rng.integers(0, 2**40)), "note": "".join(chr(int(c)) for c in rng.integers(32, 0x3000, 5))}
        path = tmp_path / f"ck{i}.safetensors"
        save_checkpoint(path, tensors, meta)
        got, got_meta = load_checkpoint(path)
        assert set(got) == set(tensors)
        for k, t in tensors.items():
            assert got[k].dtype == t.dtype and got[k].shape == t.shape
            assert got[k].reshape(-1).view(torch.uint8).equal(t.reshape(-1).view(torch.uint8)), k
        assert {k: got_meta[k] for k in meta} == meta


def test_any_directions_file_survives_write_then_read():
    from ganstudio.latent import Directions

    rng = np.random.default_rng(0)
    for _ in range(N):
        k, z = int(rng.integers(0, 5)), int(rng.integers(1, 9))
        v = torch.from_numpy(rng.normal(size=(k, z)).astype(np.float32))
        r = torch.from_numpy(rng.random(k).astype(np.float32))
        d = Directions(v, r, "output", int(rng.integers(0, 10**6)), int(rng.integers(0, 10**6)), {"name": "wälk"})
        back = Directions.from_json(d.to_json())
        assert back.vectors.equal(d.vectors) and back.variance_ratio.equal(d.variance_ratio)
        assert (back.space, back.n, back.seed, back.meta) == (d.space, d.n, d.seed, d.meta)


def test_any_recipe_survives_write_then_read(tmp_path):
    from ganstudio.io.media import write_recipe

    rng = random.Random(0)
    for i in range(N):
        recipe = {
            "command": rng.choice(["interpolate", "latent", "grid"]),
            "z_dim": rng.randint(1, 512),
            "seeds": [rng.randint(0, 2**32) for _ in range(rng.randint(1, 5))],
            "psi": rng.choice([None, 0.7, 1.0, rng.random()]),
            "z": [rng.uniform(-4, 4) for _ in range(rng.randint(0, 8))],
            "checkpoint": rng.choice(["/tmp/ä/step_1.safetensors", "C:\\runs\\x", '"q"']),
        }
        path = write_recipe(tmp_path / f"out{i}.gif", recipe)
        assert json.loads(path.read_text(encoding="utf-8")) == recipe


def test_default_config_round_trips(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(to_dict(TrainConfig())), encoding="utf-8")
    assert from_dict(load_file(path)) == TrainConfig()
