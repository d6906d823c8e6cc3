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
def limits(seconds: float, address_space: int | None = None):
    """Raise :class:`Hang` in the main thread after ``seconds``; with ``address_space`` set,
    cap the process's address space (RLIMIT_AS) to it for the duration."""

    def on_alarm(signum, frame):
        raise Hang(f"over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    if address_space is not None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, old_as[1]))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
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


def write_seeds() -> None:
    """(Re)write the seed and known-bad files into tests/fuzz/corpus/TARGET/."""
    for group in (make_seeds(), known_bad()):
        for name, files in group.items():
            folder = CORPUS / name
            folder.mkdir(parents=True, exist_ok=True)
            for fname, data in files.items():
                (folder / fname).write_bytes(data)


if __name__ == "__main__":
    write_seeds()


def first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0][:200] if text else ''}"
