"""Reading recipes back: ``read_recipe(path)`` for an export's recipe (``OUT.json``, written
beside every ``ganstudio interpolate`` output and every app export) or a projection result
(``z.json`` from ``ganstudio project``, read as a ``latent`` recipe of its z and class).

Recipes are shared and downloaded, so they are parsed strictly, in the style of directions
files (``latent.Directions.from_json``): every field ``explore.render_recipe`` reads is
checked here for its type (a bool is not a whole number), finiteness and range, and counts
that would allocate or compute for ages are bounded, so a recipe this accepts renders, or is
refused by ``explore.check_generator`` (a generator it does not fit), with a GanstudioError.
``check_recipe`` is the same check on a recipe in memory: ``explore.export`` runs it before
writing, so every recipe ganstudio writes is one it reads. Fields it does not know (the
app's notes such as a keyframe's ``from``) are kept as they are.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ganstudio.errors import GanstudioError

COMMANDS = ("latent", "interpolate", "grid-walk")
MODES = ("lerp", "slerp")

# Bounds: what the app and `ganstudio interpolate` write, with room for a hand-edited recipe,
# small enough that an accepted recipe cannot allocate or compute for ages.
MAX_BYTES = 16 * 1024**2  # the app's largest recipes (64 keyframes, each a 1025-d z, plus directions) are ~3 MB
MAX_Z_DIM = 65_536  # the app's z size goes to 1024 (+1 for a class dial); the z lists are bounded by MAX_BYTES
MAX_FRAMES = 1024  # the app's frame count goes to 64; `interpolate --frames` is held to this too (85 s at 12 fps)
MAX_KEYFRAMES = 256  # more keyframes than a few hundred frames can show are pointless; interpolate holds --seeds to it
MAX_GRID_STEPS = 32  # the app's grid walk goes to 15 x 15; 32 x 32 = MAX_FRAMES pictures
MAX_MESH_STEPS = 64  # the 2D preview's mesh is 21 x 21
MAX_SCALE = 64  # the app's export sizes go to 16x; `interpolate --scale/--size` are held to this
MAX_SIZE = 4096  # a 2D preview's side in pixels (the app draws 512)
MAX_EXTENT = 100.0  # sliders and grid walks reach 3 standard deviations; 100 is past any trained latent
MAX_LATENT = 1e4  # |a latent coordinate, an offset, an amount|: z ~ N(0, I); keeps every frame finite
MAX_PSI = 100.0  # |truncation|: the app's goes to 1.5
MIN_FPS, MAX_FPS = 0.1, 1000.0  # a GIF frame lasts at most 655 s (16-bit centiseconds) and at least 20 ms
MAX_NAMED = 64  # named directions at once (the app keeps 6)
MAX_CLASS = 10_000  # class indices, as labels files are bounded (data/arrays.py)
SEED_RANGE = (-(2**63), 2**64 - 1, "a seed must fit in 64 bits")  # what torch.Generator.manual_seed takes


class _Bad(ValueError):
    """A field that does not fit; read_recipe / check_recipe add the file's name."""


# ----------------------------------------------------------------------------- reading
def read_recipe(path: str | Path) -> dict[str, Any]:
    """A recipe or projection result from disk -> a recipe dict ``explore.render_recipe``
    draws (a z.json becomes a ``latent`` recipe of its z and class, with its provenance).
    Anything else is refused with a GanstudioError naming the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise GanstudioError(f"{path} is {size:,} bytes: too large for a recipe (at most {MAX_BYTES:,})")
        raw = path.read_bytes()
    except OSError as e:
        raise GanstudioError(f"cannot read {path}: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:  # it grew since stat (a pipe, a file being written)
        raise GanstudioError(f"{path}: too large for a recipe (at most {MAX_BYTES:,} bytes)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise GanstudioError(f"{path} is not a recipe (not UTF-8 text)") from None
    except RecursionError:  # json's nesting bomb
        raise GanstudioError(f"{path} is not a recipe (JSON nested too deeply)") from None
    except ValueError as e:  # JSONDecodeError, or an integer of more digits than Python converts
        raise GanstudioError(f"{path} is not a recipe (invalid JSON: {str(e)[:120]})") from None
    if not isinstance(data, dict):
        raise GanstudioError(f"{path} is not a recipe (a JSON {type(data).__name__}, not an object)")
    if "command" not in data:
        if "z" not in data:
            raise GanstudioError(f"{path} is neither a recipe (no command) nor a projection result (no z)")
        data = _from_projection(data, path)
    return check_recipe(data, path)


def check_recipe(recipe: dict[str, Any], name: str | Path = "the recipe") -> dict[str, Any]:
    """``recipe`` itself if every field render_recipe reads fits; else a GanstudioError
    "NAME: what is wrong". The recipe is checked as JSON would give it back (lists, not tuples)."""
    try:
        _check(recipe)
    except _Bad as e:
        raise GanstudioError(f"{name}: {e}") from None
    except RecursionError:  # a nesting bomb inside a field that is walked
        raise GanstudioError(f"{name}: nested too deeply to be a recipe") from None
    return recipe


def _from_projection(row: dict[str, Any], path: Path) -> dict[str, Any]:
    """A z.json (``ganstudio project``'s output) as the ``latent`` recipe that draws its image:
    the z found (its z[0] already the class's centre for a conditional G) and that class."""
    z = row["z"]
    z_dim = row.get("z_dim", len(z) if isinstance(z, list) else None)
    target = row.get("target")
    what = path.name
    if isinstance(target, dict) and type(target.get("index")) is int:
        what = f"item {target['index']} ({path.name})"
    elif isinstance(target, dict) and isinstance(target.get("image"), str):
        what = f"{Path(target['image']).name} ({path.name})"
    recipe = {
        "command": "latent",
        "from": "projection",
        "z_from": f"projection of {what}",
        **{k: row[k] for k in ("ganstudio_version", "run", "checkpoint", "step", "ema") if k in row},
        "z_dim": z_dim,
        "psi": 1.0,
        "seed": 0,
        "offsets": [],
        "z": z,
    }
    if row.get("class") is not None:
        recipe["class"] = row["class"]
    return recipe


# ----------------------------------------------------------------------------- fields
def _check(r: dict[str, Any]) -> None:
    if not isinstance(r, dict):
        raise _Bad(f"not a recipe (a {type(r).__name__}, not an object)")
    cmd = r.get("command")
    if cmd not in COMMANDS:
        shown = cmd if isinstance(cmd, str) else _show(cmd) if cmd is not None else None
        raise _Bad(f"unknown recipe command {shown!r} (ganstudio writes {', '.join(COMMANDS)})")
    z_dim = _int(r, "z_dim", 1, MAX_Z_DIM, required=True)
    for key in ("checkpoint", "run", "out", "dataset", "kind", "ganstudio_version", "z_from"):
        _str(r, key)
    _bool(r, "ema")
    _int(r, "step", 0, 2**63 - 1)
    _num(r, "psi", -MAX_PSI, MAX_PSI)
    _int(r, "scale", 1, MAX_SCALE)
    _num(r, "fps", MIN_FPS, MAX_FPS)
    k = _directions(r, z_dim)
    if cmd == "interpolate":
        _interpolation(r, z_dim)
        return
    if cmd == "grid-walk" and not k:
        raise _Bad("a grid-walk recipe needs its directions (the grid's axes)")
    _int(r, "seed", *SEED_RANGE)
    _latent(r.get("z"), z_dim, "z")
    offsets = _numbers(r.get("offsets"), "offsets", MAX_LATENT)
    if offsets and len(offsets) > k and any(offsets):  # explore.compose moves z along the first len(offsets)
        raise _Bad(f"offsets has {len(offsets)} values for {k} directions")
    named = r.get("named_directions")
    if named is not None:
        if not isinstance(named, list) or len(named) > MAX_NAMED:
            raise _Bad(f"named_directions must be a list of at most {MAX_NAMED} objects")
        for i, d in enumerate(named):
            if not isinstance(d, dict):
                raise _Bad(f"named_directions[{i}] must be an object")
            _num(d, "amount", -MAX_LATENT, MAX_LATENT, what=f"named_directions[{i}].amount")
            if d.get("amount"):
                _latent(d.get("vector"), z_dim, f"named_directions[{i}].vector", required=True)
    if cmd == "latent":
        _int(r, "class", 0, MAX_CLASS - 1)
        _int(r, "size", 8, MAX_SIZE)
        mesh = r.get("mesh")
        if mesh is not None:
            if not isinstance(mesh, dict):
                raise _Bad("mesh must be an object")
            _axes(mesh.get("axes"), k if k else min(2, z_dim), "mesh.axes", required=False)
            _int(mesh, "steps", 2, MAX_MESH_STEPS, what="mesh.steps")
            _num(mesh, "extent", 0.0, MAX_EXTENT, what="mesh.extent", positive=True)
        return
    grid = r.get("grid")  # grid-walk
    if not isinstance(grid, dict):
        raise _Bad("a grid-walk recipe needs its grid (axes, steps, extent)")
    _axes(grid.get("axes"), k, "grid.axes", required=True)
    _int(grid, "steps", 2, MAX_GRID_STEPS, what="grid.steps", required=True)
    _num(grid, "extent", 0.0, MAX_EXTENT, what="grid.extent", required=True, positive=True)


def _interpolation(r: dict[str, Any], z_dim: int) -> None:
    _int(r, "frames", 2, MAX_FRAMES, required=True)
    mode = r.get("mode", "lerp")
    if mode not in MODES:
        raise _Bad(f"mode must be {' or '.join(MODES)}, not {str(mode)[:40]!r}")
    _bool(r, "loop")
    seeds = r.get("seeds")
    if seeds is not None:
        if not isinstance(seeds, list) or len(seeds) > MAX_KEYFRAMES:
            raise _Bad(f"seeds must be a list of at most {MAX_KEYFRAMES} whole numbers")
        for i, s in enumerate(seeds):
            _whole(s, f"seeds[{i}]", *SEED_RANGE)
    kfs = r.get("keyframes")
    if kfs:  # render_recipe uses the keyframes when there are any, else the seeds
        if not isinstance(kfs, list):
            raise _Bad("keyframes must be a list of objects")
        for i, kf in enumerate(kfs[: MAX_KEYFRAMES + 1]):
            if not isinstance(kf, dict):
                raise _Bad(f"keyframes[{i}] must be an object")
            if kf.get("z") is not None:
                _latent(kf["z"], z_dim, f"keyframes[{i}].z")
            else:
                _int(kf, "seed", *SEED_RANGE, what=f"keyframes[{i}].seed", required=True)
            _int(kf, "class", 0, MAX_CLASS - 1, what=f"keyframes[{i}].class")
        n = len(kfs)
    elif kfs is not None and not isinstance(kfs, list):
        raise _Bad("keyframes must be a list of objects")
    else:
        n = len(seeds or [])
    if not 2 <= n <= MAX_KEYFRAMES:
        raise _Bad(f"an interpolation needs 2 to {MAX_KEYFRAMES} keyframes (keyframes or seeds), found {n}")
    classes = r.get("classes")
    if classes:
        if not isinstance(classes, list) or len(classes) != n:
            raise _Bad(f"classes must be a list of one class per keyframe ({n})")
        for i, c in enumerate(classes):
            _whole(c, f"classes[{i}]", 0, MAX_CLASS - 1)
    elif classes is not None and classes != []:
        raise _Bad("classes must be a list of whole numbers")
    d = r.get("direction")
    if d:
        if not isinstance(d, dict):
            raise _Bad("direction must be an object (vector, amounts)")
        _latent(d.get("vector"), z_dim, "direction.vector", required=True)
        amounts = _numbers(d.get("amounts"), "direction.amounts", MAX_LATENT)
        if amounts is None or len(amounts) != n:
            raise _Bad(f"direction.amounts must hold one number per keyframe ({n})")
        for key in ("name", "file"):
            _str(d, key, what=f"direction.{key}")
    elif d is not None and d != {}:
        raise _Bad("direction must be an object (vector, amounts)")


def _directions(r: dict[str, Any], z_dim: int) -> int:
    """How many directions the recipe holds (0 without); checked as directions files are."""
    from ganstudio.latent import Directions

    d = r.get("directions")
    if not d:
        if d is not None and d != {}:
            raise _Bad("directions must be an object (a directions file's fields)")
        return 0
    try:
        dirs = Directions.from_json(d)
    except ValueError as e:
        raise _Bad(f"directions: {e}") from None
    if dirs.vectors.shape[1] != z_dim:
        raise _Bad(f"its directions are {dirs.vectors.shape[1]}-d; its z_dim is {z_dim}")
    if bool((dirs.vectors.abs() > MAX_LATENT).any()):
        raise _Bad(f"directions hold values beyond +-{MAX_LATENT:g}")
    return dirs.k


def _axes(axes: Any, k: int, what: str, required: bool) -> None:
    if axes is None and not required:
        return
    if not isinstance(axes, list) or len(axes) != 2:
        raise _Bad(f"{what} must be two direction indices")
    for i, a in enumerate(axes):
        _whole(a, f"{what}[{i}]", 0, max(0, k - 1) if k else -1, why=f"the recipe holds {k} directions")


def _latent(v: Any, z_dim: int, what: str, required: bool = False) -> None:
    if v is None and not required:
        return
    values = _numbers(v, what, MAX_LATENT)
    if values is None or len(values) != z_dim:
        found = f"{len(values)} value{'s' if len(values) != 1 else ''}" if values is not None else "none"
        raise _Bad(f"{what} must hold {z_dim} numbers (its z_dim), found {found}")


def _numbers(v: Any, what: str, bound: float) -> list[float] | None:
    """A list of finite numbers within +-bound (None stays None)."""
    if v is None:
        return None
    if not isinstance(v, list):
        raise _Bad(f"{what} must be a list of numbers")
    out = []
    for x in v:
        if type(x) not in (int, float):
            raise _Bad(f"{what} must hold numbers only, found {_show(x)}")
        out.append(_finite(x, what, bound))
    return out


def _finite(x: int | float, what: str, bound: float) -> float:
    try:
        f = float(x)
    except OverflowError:
        raise _Bad(f"{what} holds a number too large for a float") from None
    if not math.isfinite(f):
        raise _Bad(f"{what} holds NaN or an infinite value")
    if abs(f) > bound:
        raise _Bad(f"{what} holds {f:g}, beyond +-{bound:g}")
    return f


def _whole(v: Any, what: str, lo: int, hi: int, why: str | None = None) -> int:
    if type(v) is not int:
        raise _Bad(f"{what} must be a whole number, found {_show(v)}")
    if not lo <= v <= hi:
        shown = str(v) if abs(v) < 10**30 else f"a {len(str(abs(v)))}-digit number"
        raise _Bad(f"{what} is {shown}; " + (why or f"it must be {lo} to {hi}"))
    return v


def _int(
    r: dict, key: str, lo: int, hi: int, why: str | None = None, what: str | None = None, required: bool = False
) -> int | None:
    v = r.get(key)
    if v is None:
        if required:
            raise _Bad(f"{what or key} is missing")
        return None
    return _whole(v, what or key, lo, hi, why)


def _num(
    r: dict,
    key: str,
    lo: float,
    hi: float,
    what: str | None = None,
    required: bool = False,
    positive: bool = False,
) -> float | None:
    v = r.get(key)
    what = what or key
    if v is None:
        if required:
            raise _Bad(f"{what} is missing")
        return None
    if type(v) not in (int, float):
        raise _Bad(f"{what} must be a number, found {_show(v)}")
    f = _finite(v, what, max(abs(lo), abs(hi)))
    if not lo <= f <= hi or (positive and f <= 0):
        raise _Bad(f"{what} is {f:g}; it must be {'over' if positive else 'from'} {lo:g} to {hi:g}")
    return f


def _show(v: Any) -> str:
    """A wrong value as a message shows it: containers by kind (they may be huge or deep)."""
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    text = json.dumps(v) if not isinstance(v, int) or abs(v) < 10**30 else f"a {len(str(abs(v)))}-digit number"
    return text[:40]


def _str(r: dict, key: str, what: str | None = None) -> None:
    v = r.get(key)
    if v is not None and not isinstance(v, str):
        raise _Bad(f"{what or key} must be text, found {_show(v)}")


def _bool(r: dict, key: str) -> None:
    v = r.get(key)
    if v is not None and type(v) is not bool:
        raise _Bad(f"{key} must be true or false, found {_show(v)}")
