"""Fuzz harnesses: one per kind of file ganstudio reads, shared by the corpus replay
(tests/fuzz/test_corpus.py, plain pytest) and the fuzzer (bench/fuzz.py, atheris or a
seeded mutation fuzzer).

Each harness is ``target(data: bytes) -> None``: it writes ``data`` to a temporary file of
the right name and runs it through the project's real reader. The contract (``run_one``):
the input loads, or is refused with a :class:`~ganstudio.errors.GanstudioError` whose
message names the file. Any other exception, or a refusal that does not name the file, is a
finding (:class:`Finding` or the exception itself). Time and memory limits are the
runner's job (``limits``).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import resource
import signal
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
Z_DIM = 4  # the seed checkpoints' latent size (directions are read for this generator)


class Finding(Exception):
    """The contract was broken without an exception of its own (e.g. a refusal that does not name the file)."""


class Hang(Exception):
    """An input took longer than the time limit."""


@dataclass
class Ctx:
    """Where a harness writes its input; ``names`` are the strings a refusal may name."""

    tmp: Path
    names: tuple[str, ...] = ()

    def write(self, rel: str, data: bytes) -> Path:
        path = self.tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.names = self.names + (path.name,)
        return path


# --------------------------------------------------------------------------- harnesses


def _sample_two(path: Path) -> None:
    from ganstudio.generator import generate, load_generator
    from ganstudio.latent import sample_z

    snap = load_generator(path)
    x = generate(snap.G, sample_z(2, snap.z_dim, 0))
    if len(x) != 2:
        raise Finding(f"sampling two images from {path} gave {len(x)}")


def checkpoint(data: bytes, ctx: Ctx) -> None:
    """A run's checkpoint through load_generator and sampling two images."""
    _sample_two(ctx.write("run/checkpoints/step_1.safetensors", data))


_TRAINER: list = []
RESUME_CONFIG = dict(dataset="ring8", g_hidden=[4], d_hidden=[4], z_dim=Z_DIM, batch_size=8, steps=1, device="cpu")


def resume(data: bytes, ctx: Ctx) -> None:
    """A run's checkpoint through ``Trainer.load`` (``train --resume``, the app's Train), for
    the run whose config made the seed (one Trainer per process; each load starts from it)."""
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    if not _TRAINER:
        _TRAINER.append(Trainer(TrainConfig(**RESUME_CONFIG, eval_every=0, log_every=1)))
    _TRAINER[0].load(ctx.write("run/checkpoints/step_1.safetensors", data))


def exported(data: bytes, ctx: Ctx) -> None:
    """An exported folder's model.safetensors through find_checkpoint(folder) + load_generator."""
    from ganstudio.generator import find_checkpoint

    path = ctx.write("export/model.safetensors", data)
    ctx.write("export/config.json", b"{}")
    _sample_two(find_checkpoint(path.parent))


def _config(data: bytes, ctx: Ctx, name: str) -> None:
    from ganstudio.config import from_dict, load_file

    from ganstudio.errors import ConfigError

    values = load_file(ctx.write(name, data))
    # from_dict's refusals name the setting, not the file (train merges the file with its
    # flags first): a ConfigError here keeps the contract.
    with contextlib.suppress(ConfigError):
        from_dict(values)


def config_json(data: bytes, ctx: Ctx) -> None:
    """``train --config config.json``'s loader (load_file + from_dict)."""
    _config(data, ctx, "config.json")


def config_toml(data: bytes, ctx: Ctx) -> None:
    """``train --config config.toml``'s loader (load_file + from_dict)."""
    _config(data, ctx, "config.toml")


def directions(data: bytes, ctx: Ctx) -> None:
    """A directions file through ``interpolate --direction`` (read_direction) and a run's
    directions/ folder (load_run_directions, which skips what it cannot use)."""
    from ganstudio.example_directions import load_run_directions, read_direction

    ctx.write("run/directions/walk.json", data)
    load_run_directions(ctx.tmp / "run", Z_DIM)
    read_direction(ctx.write("dirs.json", data), Z_DIM)


def _dataset(spec: str) -> None:
    from ganstudio.data import load_dataset

    warnings: list[str] = []
    load_dataset(spec, warn=warnings.append)


def npy(data: bytes, ctx: Ctx) -> None:
    """``--dataset npy:FILE`` through load_dataset."""
    _dataset("npy:" + str(ctx.write("data.npy", data)))


def npz(data: bytes, ctx: Ctx) -> None:
    """``--dataset npz:FILE`` through load_dataset."""
    _dataset("npz:" + str(ctx.write("data.npz", data)))


def idx(data: bytes, ctx: Ctx) -> None:
    """``--dataset idx:FILE`` (raw or gzip, sniffed) through load_dataset, no labels file."""
    _dataset("idx:" + str(ctx.write("train-images-idx3-ubyte", data)))


def idx_labels(data: bytes, ctx: Ctx) -> None:
    """A labels file beside a good IDX images file of 10 images: labels load, or are refused or
    warned about by name; never silently turned into hundreds of classes."""
    from ganstudio.data import load_dataset

    images = ctx.write("train-images-idx3-ubyte", idx_bytes(np.zeros((10, 4, 4), np.uint8)))
    labels_file = ctx.write("train-labels-idx1-ubyte", data)
    warnings: list[str] = []
    ds = load_dataset("idx:" + str(images), warn=warnings.append)
    if ds.labels is None:
        if data and not any(labels_file.name in w for w in warnings):
            raise Finding(f"a non-empty labels file was dropped without a warning naming it ({warnings})")
    elif ds.n_classes > 2 * len(np.unique(ds.labels)) + 8 or ds.labels.min() < 0:
        raise Finding(f"labels {np.unique(ds.labels)[:12]} gave {ds.n_classes} classes")


_IMAGE_MAGIC = (
    (b"\x89PNG", ".png"),
    (b"\xff\xd8", ".jpg"),
    (b"GIF8", ".gif"),
    (b"BM", ".bmp"),
    (b"RIFF", ".webp"),
    (b"II*\0", ".tif"),
    (b"MM\0*", ".tif"),
)


def image(data: bytes, ctx: Ctx) -> None:
    """An image file (named by its magic number) through a folder load and ``project --image``'s reader."""
    from ganstudio.data import load_dataset
    from ganstudio.projection import load_image

    ext = next((e for m, e in _IMAGE_MAGIC if data.startswith(m)), ".png")
    path = ctx.write("images/a" + ext, data)
    ctx.names = ctx.names + (str(path.parent),)  # a folder with no usable image names the folder
    warnings: list[str] = []
    with contextlib.suppress(_ganstudio_error()):
        load_dataset("folder:" + str(path.parent), 8, None, warn=warnings.append)
    for w in warnings:
        if path.name not in w:
            raise Finding(f"a warning that does not name the file: {w}")
    load_image(path, 8, 3)


def jsonl(data: bytes, ctx: Ctx) -> None:
    """A run folder's metrics/evals/events.jsonl through RunDir, RunFollower (the app's reader)
    and ``export --format tensorboard`` (io/tensorboard.convert_run)."""
    from ganstudio.history import columns_from_rows
    from ganstudio.io.follow import RunFollower
    from ganstudio.io.rundir import RunDir

    run = ctx.tmp / "run"
    for name in ("metrics.jsonl", "evals.jsonl", "events.jsonl"):
        ctx.write("run/" + name, data)
    rd = RunDir(run)
    rd.read_metrics()
    rd.read_evals()
    follower = RunFollower(run)
    for _ in range(2):
        news = follower.poll()
        # the rows as the app's loss panel and alarms read them (history.columns_from_rows)
        columns_from_rows(news.rows, ("loss_d", "loss_g", "d_real", "d_fake"))
    try:
        from ganstudio.io import tensorboard
    except ImportError:  # pragma: no cover - tensorboard is a dependency
        return
    with contextlib.suppress(tensorboard.TensorBoardMissing):
        tensorboard.convert_run(run, ctx.tmp / "tb", warn=lambda m: None)


# Recipes are drawn with tiny real generators, made once per process: a 2D MLP on ring8 and a
# conditional DCGAN on digits (10 classes, z[0] the class dial), both z of Z_DIM.
RENDER_RUNS = {
    "2d": dict(dataset="ring8", g_hidden=[4], d_hidden=[4]),
    "image": dict(dataset="digits", image_size=16, width=2, model="dcgan"),
}
_RENDER: dict = {}


def _render_generators() -> dict:
    """{"2d": (snapshot, real points), "image": (snapshot, None)}, loaded from checkpoints
    written once per process (untrained weights: drawing is what is fuzzed, not quality)."""
    if not _RENDER:
        from ganstudio.config import TrainConfig
        from ganstudio.explore import real_points, save_generator, snapshot_from_checkpoint, snapshot_from_trainer
        from ganstudio.training import Trainer

        folder = Path(tempfile.mkdtemp(prefix="fuzz-render-"))
        small = dict(steps=1, batch_size=8, eval_every=0, device="cpu", z_dim=Z_DIM, n_samples=4)
        for kind, cfg in RENDER_RUNS.items():
            path = save_generator(snapshot_from_trainer(Trainer(TrainConfig(**small, **cfg))), folder / f"{kind}.st")
            snap = snapshot_from_checkpoint(path)
            _RENDER[kind] = (snap, real_points(snap.dataset) if snap.is_2d else None)
    return _RENDER


def _read_and_render(path: Path) -> None:
    """``ganstudio render``'s path without the file writes: read_recipe, check_generator, then
    render_recipe with the 2D generator when the recipe says it is for one, else the image one."""
    from ganstudio.explore import check_generator, render_recipe
    from ganstudio.recipes import read_recipe

    recipe = read_recipe(path)
    snap, real = _render_generators()["2d" if recipe.get("kind") == "2d" else "image"]
    check_generator(recipe, snap, path)
    out = render_recipe(recipe, snap, real=real)
    if out.dtype != np.uint8 or out.ndim not in (3, 4) or not out.size:
        raise Finding(f"render_recipe gave {out.dtype} {out.shape}")


def recipe(data: bytes, ctx: Ctx) -> None:
    """An export's recipe (OUT.json) through ``ganstudio render``: read_recipe, then drawn."""
    _read_and_render(ctx.write("walk.gif.json", data))


def z_json(data: bytes, ctx: Ctx) -> None:
    """A projection result (``project``'s z.json) through ``ganstudio render``: read as a latent recipe, drawn."""
    _read_and_render(ctx.write("z.json", data))


TARGETS: dict[str, Callable[[bytes, Ctx], None]] = {
    "checkpoint": checkpoint,
    "resume": resume,
    "exported": exported,
    "config_json": config_json,
    "config_toml": config_toml,
    "directions": directions,
    "npy": npy,
    "npz": npz,
    "idx": idx,
    "idx_labels": idx_labels,
    "image": image,
    "jsonl": jsonl,
    "recipe": recipe,
    "z_json": z_json,
}


def _ganstudio_error() -> type[Exception]:
    from ganstudio.errors import GanstudioError

    return GanstudioError


def run_one(name: str, data: bytes) -> None:
    """Run ``data`` through target ``name``; return if it loads or is refused as the contract
    says, raise (a Finding, or the reader's own exception) otherwise."""
    error = _ganstudio_error()
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as tmp:
        ctx = Ctx(Path(tmp))
        try:
            TARGETS[name](data, ctx)
        except error as e:
            msg = str(e)
            if not any(n and n in msg for n in ctx.names):
                raise Finding(f"{type(e).__name__} that names none of {ctx.names}: {msg}") from e


@contextlib.contextmanager
def limits(seconds: float, address_space: int | None = None, wall_factor: float = 5.0):
    """Raise :class:`Hang` in the main thread after ``seconds`` of the process's CPU time, or
    ``wall_factor`` times that of wall time (an input that blocks uses no CPU). CPU time, because
    the fuzzers share 2 cores with other jobs: wall time there measures the machine's load, not
    the input. With ``address_space`` set, cap the process's address space (RLIMIT_AS) to it."""

    def on_signal(signum, frame):
        what = "of CPU time" if signum == signal.SIGPROF else "of wall time"
        raise Hang(f"over {seconds * (1 if signum == signal.SIGPROF else wall_factor):g} s {what}")

    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGALRM, signal.SIGPROF)}
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    if address_space is not None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, old_as[1]))
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * wall_factor)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, old_as)


# --------------------------------------------------------------------------- seeds


def idx_bytes(arr: np.ndarray) -> bytes:
    code = {np.dtype("u1"): 0x08, np.dtype("i1"): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C}
    code |= {np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    arr = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    head = bytes([0, 0, code[arr.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.tobytes()


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _png(mode: str, size: tuple[int, int], fmt: str = "PNG") -> bytes:
    from PIL import Image

    rng = np.random.default_rng(0)
    bands = len(mode) if mode not in ("P", "I;16") else 1
    arr = rng.integers(0, 255, (size[1], size[0], bands), dtype=np.uint8)
    img = Image.fromarray(arr[..., 0] if bands == 1 else arr, "L" if bands == 1 else mode)
    if mode == "P":
        img = img.convert("P")
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def make_seeds() -> dict[str, dict[str, bytes]]:
    """Small valid files (and a few known bad ones) per target: the start of the corpus."""
    from ganstudio.config import TrainConfig, to_dict
    from ganstudio.generator import load_generator
    from ganstudio.io.model_export import export_folder
    from ganstudio.latent import Directions
    from ganstudio.training import Trainer

    rng = np.random.default_rng(0)
    seeds: dict[str, dict[str, bytes]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small = dict(steps=1, batch_size=8, log_every=1, eval_every=0, device="cpu", z_dim=Z_DIM, n_samples=4)
        for name, cfg in {
            "ring8": {k: v for k, v in RESUME_CONFIG.items() if k in ("dataset", "g_hidden", "d_hidden")},
            "shapes_cond": dict(dataset="shapes", image_size=16, width=2, model="dcgan"),
        }.items():
            run = tmp / name
            for _ in Trainer(TrainConfig(**small, **cfg), run_dir=run).run():
                pass
            ck = sorted((run / "checkpoints").glob("step_*.safetensors"))[-1]
            seeds.setdefault("checkpoint", {})[f"{name}.safetensors"] = ck.read_bytes()
            if name == "ring8":
                seeds["resume"] = {"ring8.safetensors": ck.read_bytes()}
            export_folder(load_generator(ck), run, tmp / f"{name}-export")
            seeds.setdefault("exported", {})[f"{name}.safetensors"] = (
                tmp / f"{name}-export/model.safetensors"
            ).read_bytes()
            seeds.setdefault("config_json", {})[f"{name}.json"] = (run / "config.json").read_bytes()
            seeds.setdefault("jsonl", {})[f"{name}-metrics.jsonl"] = (run / "metrics.jsonl").read_bytes()
        cfg = to_dict(TrainConfig(dataset="ring8", steps=10))
        seeds["config_toml"] = {
            "ring8.toml": b'dataset = "ring8"\nsteps = 10\nlr_g = 0.0002\ng_hidden = [8, 8]\n',
            "image.toml": b'dataset = "digits"\nimage_size = 16\nmodel = "dcgan"\nwidth = 8\n',
        }
        seeds["config_json"]["small.json"] = json.dumps({k: cfg[k] for k in ("dataset", "steps")}).encode()
        v = rng.normal(size=(2, Z_DIM)).astype(np.float32)
        d = Directions(
            torch_tensor(v / np.linalg.norm(v, axis=1, keepdims=True)), torch_tensor([0.6, 0.3]), meta={"name": "w"}
        )
        seeds["directions"] = {"two.json": d.to_json().encode()}
        seeds["jsonl"]["events.jsonl"] = (
            b'{"step": 5, "time": 1.5, "event": "lr", "fields": {"lr_g": 0.001}}\n'
            b'{"step": 7, "time": 2.0, "event": "alarm", "fields": {}}\n'
        )
        seeds["jsonl"]["evals.jsonl"] = b'{"step": 10, "time": 3.0, "fid": 12.5, "coverage": 0.8}\n'
    imgs = rng.integers(0, 256, (6, 5, 5), dtype=np.uint8)
    seeds["npy"] = {
        "grey.npy": _npy(imgs),
        "rgb_float.npy": _npy(rng.random((3, 4, 4, 3)).astype(np.float32)),
        "points.npy": _npy(rng.normal(size=(8, 2)).astype(np.float32)),
    }
    seeds["npz"] = {
        "labelled.npz": _npz(x=imgs, y=np.arange(6) % 3),
        "points.npz": _npz(x=rng.normal(size=(8, 2)), labels=np.arange(8) % 2),
    }
    seeds["idx"] = {
        "images.idx": idx_bytes(imgs),
        "images.idx.gz": gzip.compress(idx_bytes(imgs), mtime=0),
        "colour_i2.idx": idx_bytes(rng.integers(0, 255, (2, 3, 3, 3)).astype(">i2")),
    }
    labels = (np.arange(10) % 10).astype(np.uint8)
    seeds["idx_labels"] = {
        "labels.idx": idx_bytes(labels),
        "labels.idx.gz": gzip.compress(idx_bytes(labels), mtime=0),
    }
    seeds["image"] = {
        "rgb.png": _png("RGB", (5, 4)),
        "rgba.png": _png("RGBA", (3, 3)),
        "grey.png": _png("L", (4, 4)),
        "p.gif": _png("P", (4, 4), "GIF"),
        "rgb.jpg": _png("RGB", (8, 8), "JPEG"),
        "rgb.bmp": _png("RGB", (3, 2), "BMP"),
        "rgb.webp": _png("RGB", (4, 4), "WEBP"),
        "rgb.tif": _png("RGB", (3, 3), "TIFF"),
    }
    return seeds


def known_bad() -> dict[str, dict[str, bytes]]:
    """The findings of issue 29, as corpus files (each must be refused or warned about by name)."""
    good = _npy(np.zeros((4, 8, 8), np.uint8))
    return {
        "npy": {
            "bad-header-tokenerror.npy": good.replace(b"'descr'", b"'cescr'").replace(b", }", b", k"),
            "shape-overflow.npy": good.replace(b"(4, 8, 8), }", b"(4, 8, 8**30)}"),
            "descr-bytes.npy": good.replace(b"'|u1'", b"b'|u1'"),
            "descr-list.npy": good.replace(b"'|u1'", b"[('a', b'<i4')]"),
        },
        "idx_labels": {
            "out-of-range-200.idx": idx_bytes(np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 200], np.uint8)),
            "garbage.idx": b"this is not an IDX labels file\n",
            "wrong-count.idx": idx_bytes(np.arange(7, dtype=np.uint8)),
            "negative.idx": idx_bytes(np.array([0, 1, -1, 2, 3, 4, 5, 6, 7, 8], np.int8)),
            "float-labels.idx": idx_bytes(np.arange(10, dtype=">f4")),
        },
    }


def torch_tensor(x):
    import torch

    return torch.tensor(np.asarray(x), dtype=torch.float32)


def corpus_files(name: str) -> list[Path]:
    folder = CORPUS / name
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def recipe_seeds() -> dict[str, dict[str, bytes]]:
    """Recipes of every command as ganstudio writes them (``interpolate`` and ``project`` run
    for real on the render generators; the app's recipes built as its panels build them and
    written by ``explore.export``), and the known bad ones, for the recipe and z_json targets."""
    import shutil

    from ganstudio.cli import main
    from ganstudio.explore import base_recipe, directions_entry, export, raw_directions
    from ganstudio.latent import Directions, sample_z

    gens = _render_generators()
    img, pts = gens["image"][0], gens["2d"][0]
    rng = np.random.default_rng(1)
    out: dict[str, dict[str, bytes]] = {"recipe": {}, "z_json": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        runs = {}
        for kind, (snap, _) in gens.items():  # run folders for the CLI
            runs[kind] = tmp / f"run-{kind}"
            (runs[kind] / "checkpoints").mkdir(parents=True)
            shutil.copy(snap.checkpoint, runs[kind] / "checkpoints" / "step_0000001.safetensors")
        v = rng.normal(size=(1, Z_DIM))
        walk = Directions(torch_tensor(v / np.linalg.norm(v)), torch_tensor([0.0]), "example", meta={"name": "walk"})
        (tmp / "dirs.json").write_text(walk.to_json())
        cli = {
            "cli-seeds-classes.gif.json": ["image", "--seeds", "1", "2", "3", "--frames", "6", "--psi", "0.8"],
            "cli-direction-loop.png.json": ["image", "--seeds", "5", "--classes", "1", "7", "--direction"]
            + [str(tmp / "dirs.json"), "--amount", "-2", "2", "--frames", "5", "--loop", "--mode", "slerp"],
            "cli-2d.gif.json": ["2d", "--seeds", "1", "2", "4", "--frames", "8", "--size", "300"],
            "cli-2d-strip.png.json": ["2d", "--seeds", "3", "9", "--frames", "4"],
        }
        for name, (kind, *args) in cli.items():
            target = tmp / name.removesuffix(".json")
            assert main(["interpolate", "--run", str(runs[kind]), *args, "--out", str(target)]) == 0
            out["recipe"][name] = (tmp / name).read_bytes()
        raw = directions_entry(raw_directions(Z_DIM, Z_DIM), "raw")
        z = [float(x) for x in sample_z(1, Z_DIM, 11)[0]]
        named = [{"name": "smile", "vector": [0.5, 0.5, 0.5, 0.5], "amount": 1.5, "file": "run/directions/smile.json"}]
        app = {
            "app-latent.png": dict(
                base_recipe(img, "latent", 0.7),
                seed=4,
                offsets=[0.0, 1.25, -0.5],
                directions=raw,
                z=z,
                z_from="projection of training image 12",
                named_directions=named,
                **{"class": 2},
                scale=3,
            ),
            "app-latent-2d.png": dict(
                base_recipe(pts, "latent", 1.0),
                seed=7,
                offsets=[0.5, -1.0],
                directions=raw,
                mesh={"axes": [0, 1], "steps": 21, "extent": 3.0},
                size=256,
                scale=1,
            ),
            "app-keyframes.gif": dict(
                base_recipe(img, "interpolate", 0.9),
                mode="lerp",
                frames=8,
                loop=True,
                fps=10.0,
                directions=raw,
                keyframes=[
                    {"seed": 1},
                    {
                        "seed": 2,
                        "offsets": [1.0],
                        "directions": "raw",
                        "z": z,
                        "class": 4,
                        "from": "projection of training image 3",
                    },
                ],
                classes=[6, 4],
                scale=2,
            ),
            "app-gridwalk.png": dict(
                base_recipe(img, "grid-walk", 1.0),
                seed=3,
                offsets=[0.0, 0.5],
                directions=raw,
                grid={"axes": [1, 2], "steps": 5, "extent": 2.0},
                scale=1,
            ),
            "app-gridwalk-2d.png": dict(
                base_recipe(pts, "grid-walk", 1.0),
                seed=3,
                offsets=[],
                directions=raw,
                grid={"axes": [0, 1], "steps": 4, "extent": 1.5},
                scale=1,
            ),
        }
        for name, r in app.items():
            snap, pts_real = gens["2d" if r["kind"] == "2d" else "image"]
            _, written = export(r, tmp / name, snap, real=pts_real)
            out["recipe"][written.name] = written.read_bytes()
        for name, args in {
            "z-index.json": ["--index", "3"],
            "z-image.json": ["--image", str(tmp / "app-latent.png")],
        }.items():
            assert main(["project", "--run", str(runs["image"]), *args, "--steps", "10", "--out", str(tmp / name)]) == 0
            out["z_json"][name] = (tmp / name).read_bytes()
    good = json.loads(out["recipe"]["cli-seeds-classes.gif.json"])
    grid = json.loads(out["recipe"]["app-gridwalk.png.json"])
    latent = json.loads(out["recipe"]["app-latent.png.json"])
    latent2d = json.loads(out["recipe"]["app-latent-2d.png.json"])
    one_direction = {"vectors": [[1.0, 0.0, 0.0, 0.0]], "variance_ratio": [0.0]}
    no_directions = {"vectors": [], "variance_ratio": [], "z_dim": Z_DIM}  # the mesh then runs along z[0], z[1]
    out["recipe"]["mesh-empty-directions.json"] = json.dumps(
        dict(latent2d, directions=no_directions, offsets=[])
    ).encode()
    moved = {
        "unknown-command.json": dict(good, command="morph"),
        "frames-bool.json": dict(good, frames=True),
        "frames-huge.json": dict(good, frames=10**9),
        "seed-huge-int.json": dict(good, seeds=[1, 2**70, 3]),
        "one-keyframe.json": dict(good, seeds=[1], classes=[0]),
        "classes-count.json": dict(good, classes=[0, 1]),
        "class-out-of-range.json": dict(good, classes=[0, 1, 50]),  # refused by the generator (10 classes)
        "z-dim-other-generator.json": dict(good, z_dim=7),  # refused by the generator (z 4)
        "classes-on-2d.json": dict(json.loads(out["recipe"]["cli-2d.gif.json"]), classes=[0, 1, 0]),
        "too-large-output.json": dict(good, frames=1024, scale=64),
        "scale-huge.json": dict(good, scale=10**6),
        "grid-steps-huge.json": dict(grid, grid=dict(grid["grid"], steps=10**6)),
        "grid-walk-no-directions.json": {k: v for k, v in grid.items() if k != "directions"},
        "grid-axis-beyond-directions.json": dict(grid, grid=dict(grid["grid"], axes=[0, 9])),
        "mesh-steps-huge.json": dict(json.loads(out["recipe"]["app-latent-2d.png.json"]), mesh={"steps": 10**6}),
        "size-huge.json": dict(json.loads(out["recipe"]["app-latent-2d.png.json"]), size=10**6),
        "mesh-beyond-directions.json": dict(  # render indexed a missing direction (IndexError)
            {k: v for k, v in latent2d.items() if k != "mesh"}, directions=one_direction, offsets=[0.5]
        ),
        "z-wrong-length.json": dict(latent, z=latent["z"][:-1]),
        "offsets-beyond-directions.json": dict(latent, offsets=[1.0] * (Z_DIM + 1)),
        "directions-negative-z-dim.json": dict(latent, directions={"vectors": [], "variance_ratio": [], "z_dim": -1}),
        "named-direction-short.json": dict(latent, named_directions=[{"vector": [1.0], "amount": 2.0}]),
        "keyframe-z-strings.json": dict(good, keyframes=[{"z": ["a"] * Z_DIM}, {"seed": 1}, {"seed": 2}]),
    }
    out["recipe"].update({f"bad-{k}": json.dumps(v).encode() for k, v in moved.items()})
    text = out["recipe"]["cli-seeds-classes.gif.json"]
    out["recipe"].update(
        {
            "bad-not-utf8.json": b"\xff\xfe" + text,
            "bad-not-json.json": b"{command: latent}",
            "bad-a-list.json": b"[1, 2]",
            "bad-nesting-bomb.json": b"[" * 100_000,
            "bad-psi-nan.json": text.replace(b'"psi": 0.8', b'"psi": NaN'),
            "bad-seed-1e400.json": text.replace(b'"seeds": [', b'"seeds": [1e400, '),
        }
    )
    zrow = json.loads(out["z_json"]["z-index.json"])
    out["z_json"].update(
        {
            "z-unconditional.json": json.dumps(dict(zrow, **{"class": None})).encode(),
            "bad-class-out-of-range.json": json.dumps(dict(zrow, **{"class": 10})).encode(),
            "bad-class-bool.json": json.dumps(dict(zrow, **{"class": True})).encode(),
            "bad-z-wrong-length.json": json.dumps(dict(zrow, z=zrow["z"] + [0.0])).encode(),
            "bad-z-strings.json": json.dumps(dict(zrow, z=[str(x) for x in zrow["z"]])).encode(),
            "bad-z-nan.json": json.dumps(dict(zrow, z=[float("nan")] * Z_DIM)).encode(),
            "bad-checkpoint-number.json": json.dumps(dict(zrow, checkpoint=12)).encode(),
            "bad-empty-object.json": b"{}",
        }
    )
    return out


def write_seeds(names: list[str] | None = None) -> None:
    """(Re)write the seed and known-bad files into tests/fuzz/corpus/TARGET/ (only ``names``'s when given)."""
    groups = (make_seeds(), known_bad()) if names is None or set(names) - {"recipe", "z_json"} else ()
    if names is None or set(names) & {"recipe", "z_json"}:
        groups += (recipe_seeds(),)
    for group in groups:
        for name, files in group.items():
            if names is not None and name not in names:
                continue
            folder = CORPUS / name
            folder.mkdir(parents=True, exist_ok=True)
            for fname, data in files.items():
                (folder / fname).write_bytes(data)


if __name__ == "__main__":
    import sys

    write_seeds(sys.argv[1:] or None)  # python tests/fuzz/targets.py [TARGET ...]


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0][:200] if text else ''}"
