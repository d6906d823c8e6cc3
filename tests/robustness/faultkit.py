"""Fault injection shared by tests/robustness (a few trials) and bench/robustness.py (the campaign).

Every check returns a list of problems (empty = it held) instead of asserting, so the bench
can count them; tests assert the list is empty.

Data lost, precisely (what ``kill9_trial`` counts):
  * a checkpoint file under its final name (``checkpoints/step_N.safetensors``; the rename
    is the commit) that does not load after the kill, or none at all once one was committed;
  * the newest committed checkpoint going back: its step after the kill is lower than the
    newest one seen committed before the kill;
  * a complete line of metrics.jsonl (ending in a newline) seen before the kill that is
    missing or changed after it, or a complete line that does not parse;
  * after ``--resume``: a logged step missing, duplicated or out of order (with
    ``--log-every 1`` the rows must be exactly steps 1..N).
"""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CKPT = re.compile(r"^step_(\d+)\.safetensors$")


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.update(OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT) + os.pathsep + e.get("PYTHONPATH", ""))
    e.update(extra)
    return e


def train_argv(dataset: str, run_dir: Path, *extra: str) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "ganstudio",
        "train",
        "--run-dir",
        str(run_dir),
        "--log-every",
        "1",
        "--checkpoint-every",
        "1",
        "--sample-every",
        "5",
        "--device",
        "cpu",
    ]
    if dataset == "digits":  # a small DCGAN: checkpoints of ~1 MB, a few steps a second
        args += ["--width", "8", "--batch-size", "16"]
    else:
        args += ["--batch-size", "64"]
    return args + ["--dataset", dataset, *extra]


# ----------------------------------------------------------------------------- observing a run dir
def committed(run_dir: Path) -> list[tuple[int, Path]]:
    folder = run_dir / "checkpoints"
    out = []
    if folder.is_dir():
        for p in folder.iterdir():
            m = CKPT.match(p.name)
            if m:
                out.append((int(m.group(1)), p))
    return sorted(out)


def complete_lines(run_dir: Path) -> list[bytes]:
    """metrics.jsonl's complete lines (a last line without newline is still being written)."""
    try:
        data = (run_dir / "metrics.jsonl").read_bytes()
    except FileNotFoundError:
        return []
    return data.split(b"\n")[:-1]


def check_checkpoints(run_dir: Path) -> list[str]:
    """Every committed checkpoint loads (weights via load_generator, full state via Trainer)."""
    from ganstudio.errors import GanstudioError
    from ganstudio.generator import load_generator

    problems = []
    for step, p in committed(run_dir):
        try:
            lg = load_generator(p)
            if lg.step != step:
                problems.append(f"{p.name}: holds step {lg.step}")
        except GanstudioError as e:
            problems.append(f"committed checkpoint does not load: {e}")
    return problems


def check_full_load(run_dir: Path) -> list[str]:
    """The latest checkpoint restores a whole Trainer (optimisers, RNGs, data order)."""
    from ganstudio.config import from_dict
    from ganstudio.errors import GanstudioError
    from ganstudio.io.rundir import RunDir
    from ganstudio.training import Trainer

    ck = committed(run_dir)
    if not ck:
        return ["no committed checkpoint"]
    try:
        tr = Trainer(from_dict(RunDir(run_dir).read_config()))
        tr.load(ck[-1][1])
    except GanstudioError as e:
        return [f"latest checkpoint does not restore a trainer: {e}"]
    return [] if tr.step_count == ck[-1][0] else [f"trainer restored step {tr.step_count}, file says {ck[-1][0]}"]


def check_metrics_lines(lines: list[bytes]) -> list[str]:
    bad = []
    for i, line in enumerate(lines):
        try:
            row = json.loads(line)
            assert isinstance(row, dict) and isinstance(row["step"], int)
        except Exception:  # noqa: BLE001 - any failure is a corrupt line
            bad.append(f"metrics line {i + 1} does not parse: {line[:80]!r}")
    return bad


def check_steps(run_dir: Path, last: int) -> list[str]:
    """With --log-every 1 the rows must be exactly steps 1..last: none lost, none repeated."""
    from ganstudio.io.rundir import parse_jsonl

    steps = [r.get("step") for r in parse_jsonl(b"\n".join(complete_lines(run_dir)).decode("utf-8", "replace"))]
    if steps == list(range(1, last + 1)):
        return []
    dup = len(steps) - len(set(steps))
    missing = sorted(set(range(1, last + 1)) - set(steps))
    return [
        f"metric steps not 1..{last}: {len(steps)} rows, {dup} duplicated, missing {missing[:5]}, "
        f"ordered={steps == sorted(steps)}"
    ]


# ----------------------------------------------------------------------------- kill -9
@dataclass
class KillResult:
    dataset: str
    delay: float
    step_at_kill: int  # newest committed checkpoint seen before the kill
    step_after: int  # newest committed checkpoint after it
    mid_write: bool  # a checkpoint temp file was left behind: the kill hit a write
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return len(self.problems)


def wait_for(pred, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise RuntimeError(f"process exited ({proc.returncode}) while waiting for {what}: {err[-2000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.01)


def writing(run_dir: Path) -> bool:
    """A checkpoint temp file exists: a write is in progress (or was cut off)."""
    folder = run_dir / "checkpoints"
    try:
        return any(n.startswith(".step_") and ".tmp" in n for n in os.listdir(folder))
    except FileNotFoundError:
        return False


def kill9_trial(dataset: str, run_dir: Path, delay: float, resume: bool, during_write: bool = False) -> KillResult:
    """Start (or resume) training with a checkpoint every step, SIGKILL it ``delay`` seconds
    after its first new committed checkpoint (then, with ``during_write``, as soon as a
    checkpoint temp file appears), then check what survived (see the module doc)."""
    extra = ["--resume", "--steps", "100000000"] if resume else ["--steps", "100000000"]
    before_ck = committed(run_dir)
    first = before_ck[-1][0] if before_ck else -1
    p = subprocess.Popen(
        train_argv(dataset, run_dir, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env()
    )
    try:
        # A new checkpoint (beyond what was there) means training is running and writing.
        wait_for(lambda: committed(run_dir) and committed(run_dir)[-1][0] > first, 120, p, "a checkpoint")
        time.sleep(delay)
        if during_write:
            wait_for(lambda: writing(run_dir), 60, p, "a checkpoint write")
        seen_lines = complete_lines(run_dir)
        seen_step = committed(run_dir)[-1][0]
        p.send_signal(signal.SIGKILL)
        p.wait(30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        if p.stderr:
            p.stderr.close()
    problems = []
    after = committed(run_dir)
    step_after = after[-1][0] if after else -1
    if step_after < seen_step:
        problems.append(f"newest checkpoint went back from step {seen_step} to {step_after}")
    problems += check_checkpoints(run_dir)
    lines = complete_lines(run_dir)
    if lines[: len(seen_lines)] != seen_lines:
        problems.append("complete metrics lines seen before the kill changed or vanished")
    problems += check_metrics_lines(lines)
    mid_write = any(p.name.startswith(".") and ".tmp" in p.name for p in (run_dir / "checkpoints").iterdir())
    return KillResult(dataset, delay, seen_step, step_after, mid_write, problems)


def resume_to_end(dataset: str, run_dir: Path, more: int = 3, timeout: float = 180) -> list[str]:
    """``--resume`` for ``more`` steps past the latest checkpoint; then the whole history must hold."""
    start = committed(run_dir)[-1][0]
    r = subprocess.run(
        train_argv(dataset, run_dir, "--resume", "--steps", str(start + more)),
        capture_output=True,
        text=True,
        env=env(),
        timeout=timeout,
    )
    problems = []
    if r.returncode != 0 or "Traceback" in r.stderr:
        problems.append(f"resume failed ({r.returncode}): {r.stderr[-1500:]}")
        return problems
    if f"from step {start}" not in r.stderr:
        problems.append(f"resume did not continue from step {start}: {r.stderr[-500:]}")
    leftovers = [p.name for p in (run_dir / "checkpoints").iterdir() if p.name.startswith(".")]
    leftovers += [p.name for p in run_dir.iterdir() if p.name.startswith(".") and ".tmp" in p.name]
    if leftovers:
        problems.append(f"temp files left after resume: {leftovers}")
    return problems + check_steps(run_dir, start + more) + check_full_load(run_dir)


def kill9_campaign(
    dataset: str, run_dir: Path, kills: int, rng: random.Random, max_delay: float, report=lambda r: None
) -> tuple[list[KillResult], list[str]]:
    """``kills`` SIGKILLs of one run, each resumed by the next; then a final resume to the end."""
    results = []
    for i in range(kills):
        # Every other kill waits for a checkpoint write in progress; the rest land anywhere.
        r = kill9_trial(dataset, run_dir, rng.uniform(0, max_delay), resume=i > 0, during_write=i % 2 == 1)
        results.append(r)
        report(r)
    return results, resume_to_end(dataset, run_dir)


# ----------------------------------------------------------------------------- signals
def signal_cli(
    dataset: str, run_dir: Path, sig: int, after_rows: int = 3, timeout: float = 60
) -> tuple[list[str], float]:
    """Send ``sig`` (SIGINT/SIGTERM) to ``ganstudio train`` mid-run: exit 130, a checkpoint at the
    last logged step, nothing torn. Returns (problems, seconds from signal to exit)."""
    p = subprocess.Popen(
        train_argv(dataset, run_dir, "--steps", "100000000", "--checkpoint-every", "1000"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    try:
        wait_for(lambda: len(complete_lines(run_dir)) >= after_rows, timeout, p, "metrics rows")
        p.send_signal(sig)
        t0 = time.monotonic()
        _, err = p.communicate(timeout=timeout)
        dt = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    problems = []
    if p.returncode != 130 or "Traceback" in err or "--resume" not in err:
        problems.append(f"exit {p.returncode}, stderr: {err[-800:]}")
    lines = complete_lines(run_dir)
    problems += check_metrics_lines(lines)
    last = json.loads(lines[-1])["step"] if lines else -1
    ck = committed(run_dir)
    if not ck or ck[-1][0] != last:
        problems.append(f"no checkpoint at the last logged step {last}: {[s for s, _ in ck]}")
    return problems + check_checkpoints(run_dir) + check_steps(run_dir, last), dt


APP_DRIVER = r"""
import sys
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QTimer
import ganstudio.app as appmod
from ganstudio.app.main_window import MainWindow
app = QApplication([])
w = MainWindow()
w.show()
appmod._close_on_signals(w)  # the real handlers `ganstudio app` installs
w.dataset_combo.setCurrentText(sys.argv[1])
if sys.argv[1].startswith("folder:"):
    w._add_dataset(sys.argv[1])
w.steps.setValue(10**8)
said = []

def start():
    w.train_button.click()
    # Tell the parent once the dataset is loading (reports come from the worker thread).
    w.worker.loading.connect(lambda d, t: said or (said.append(1), print("loading", flush=True)))

QTimer.singleShot(0, start)
w.training_finished.connect(lambda reason: print("finished:", reason, flush=True))
sys.exit(app.exec())
"""


def signal_app(
    dataset: str, runs: Path, sig: int, when: str = "training", timeout: float = 90
) -> tuple[list[str], float]:
    """Send ``sig`` to a real app process (offscreen) while it trains (``when='training'``) or
    loads its dataset (``'loading'``): it must close cleanly, having saved (or written nothing)."""
    e = env(GANSTUDIO_RUNS_DIR=str(runs), QT_QPA_PLATFORM="offscreen")
    p = subprocess.Popen(
        [sys.executable, "-c", APP_DRIVER, dataset], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e
    )

    def run_dir() -> Path | None:
        dirs = [d for d in runs.iterdir()] if runs.is_dir() else []
        return dirs[0] if dirs else None

    try:
        if when == "training":
            wait_for(lambda: run_dir() is not None and len(complete_lines(run_dir())) >= 3, timeout, p, "app metrics")
        else:
            assert p.stdout.readline().strip() == "loading", "the app did not start loading"
        p.send_signal(sig)
        t0 = time.monotonic()
        out, err = p.communicate(timeout=timeout)
        dt = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    problems = []
    if p.returncode != 0 or "Traceback" in err:
        problems.append(f"app exit {p.returncode}: {err[-1500:]}")
    rd = run_dir()
    if when == "loading":
        if rd is not None:
            problems.append(f"a cancelled load wrote a run folder: {rd}")
        return problems, dt
    lines = complete_lines(rd)
    problems += check_metrics_lines(lines)
    last = json.loads(lines[-1])["step"] if lines else -1
    ck = committed(rd)
    if not ck or ck[-1][0] < last:
        problems.append(f"no checkpoint at or past the last logged step {last}")
    return problems + check_checkpoints(rd), dt


# ----------------------------------------------------------------------------- hostile files
class Evil:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _header_file(path: Path, header: dict, payload: bytes = b"") -> Path:
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + payload)
    return path


def hostile_checkpoints(folder: Path, good: Path, marker: Path) -> dict[str, Path]:
    """Write one hostile variant of the checkpoint ``good`` per attack; name -> file."""
    import torch
    from safetensors.torch import save as st_save

    from ganstudio.io.checkpoint import load_checkpoint, save_checkpoint

    folder.mkdir(parents=True, exist_ok=True)
    data = good.read_bytes()
    tensors, meta = load_checkpoint(good)
    meta = {k: v for k, v in meta.items() if k != "format"}
    out: dict[str, Path] = {}

    def raw(name: str, blob: bytes) -> None:
        out[name] = folder / f"{name}.safetensors"
        out[name].write_bytes(blob)

    def edited(name: str, t_edit=None, m_edit=None) -> None:
        t, m = dict(tensors), json.loads(json.dumps(meta))
        if t_edit:
            t_edit(t)
        if m_edit:
            m_edit(m)
        out[name] = save_checkpoint(folder / f"{name}.safetensors", t, m)

    raw("pickle", pickle.dumps(Evil(str(marker))))
    out["torch-save-zip"] = folder / "torch-save-zip.safetensors"
    torch.save({"G": Evil(str(marker))}, out["torch-save-zip"])
    raw("empty", b"")
    raw("text", b"this is not a checkpoint, just some text\n")
    raw("truncated-half", data[: len(data) // 2])
    raw("truncated-header", data[:40])
    raw("header-size-bomb", struct.pack("<Q", 2**62) + b"{}")
    raw("header-size-just-under-file", struct.pack("<Q", len(data) - 9) + data[8:])
    _header_file(
        folder / "overlapping-offsets.safetensors",
        {
            "G/net.0.weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "G/net.0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
        },
        b"\0" * 12,
    )
    out["overlapping-offsets"] = folder / "overlapping-offsets.safetensors"
    _header_file(
        folder / "offsets-past-end.safetensors",
        {"G/net.0.weight": {"dtype": "F32", "shape": [1000000], "data_offsets": [0, 4000000]}},
        b"\0" * 16,
    )
    out["offsets-past-end"] = folder / "offsets-past-end.safetensors"
    raw("nested-metadata-bomb", st_save({"w": torch.ones(1)}, metadata={"ganstudio": "[" * 100000 + "]" * 100000}))
    raw("plain-safetensors", st_save({"w": torch.ones(1)}))
    gkeys = [k for k in tensors if k.startswith(("G/", "G_ema/", "D/")) and tensors[k].is_floating_point()]

    def set_all(fn):
        return lambda t: t.update({k: fn(t[k]) for k in gkeys})

    edited("wrong-shapes", set_all(lambda v: torch.zeros(3, 3)))
    edited("wrong-dtypes", set_all(lambda v: v.double()))
    edited("nan-weights", set_all(lambda v: torch.full_like(v, float("nan"))))
    edited("inf-weights", set_all(lambda v: torch.full_like(v, float("inf"))))
    edited(
        "nan-optimizer-state",
        lambda t: t.update({k: torch.full_like(v, float("nan")) for k, v in t.items() if k.startswith("opt_")}),
    )
    edited("missing-tensors", lambda t: [t.pop(k) for k in list(t) if k.startswith("G")])
    edited("config-wrong-type", m_edit=lambda m: m["config"].update(lr_g="fast"))
    edited("config-unknown-key", m_edit=lambda m: m["config"].update(rm_rf="/"))
    edited("config-huge-model", m_edit=lambda m: m["config"].update(g_hidden=[2**40], width=2**30))
    edited("step-not-a-number", m_edit=lambda m: m.update(step="many"))
    edited("data-order-out-of-range", lambda t: t.update({"data/perm": torch.full_like(t["data/perm"], 10**9)}))
    edited("position-out-of-range", m_edit=lambda m: m.update(pos=-5))
    return out


def hostile_configs(folder: Path) -> dict[str, Path]:
    """config.json variants a stranger's run folder might hold; name -> file."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {
        "not-json": b"{this is not json",
        "json-array": b"[1, 2, 3]",
        "wrong-types": json.dumps({"dataset": "ring8", "steps": "many", "lr_g": [1]}).encode(),
        "unknown-keys": json.dumps({"dataset": "ring8", "__class__": "os.system", "cmd": "touch x"}).encode(),
        "bool-for-int": json.dumps({"dataset": "ring8", "batch_size": True}).encode(),
        "negative-values": json.dumps({"dataset": "ring8", "batch_size": -4, "steps": 0}).encode(),
        "nesting-bomb": b"[" * 100000 + b"]" * 100000,
        "not-utf8": b'{"dataset": "\xff\xfe"}',
    }
    out = {}
    for name, blob in cases.items():
        out[name] = folder / f"{name}.json"
        out[name].write_bytes(blob)
    return out


# ----------------------------------------------------------------------------- bad data
def png(path: Path, mode: str, size: tuple[int, int], seed: int = 0) -> Path:
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    if mode == "I;16":
        img = Image.fromarray(rng.integers(0, 65535, (h, w), dtype=np.uint16))
    elif mode == "P":
        img = Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).convert("P")
    else:
        bands = {"L": 0, "RGB": 3, "RGBA": 4, "LA": 2}[mode]
        shape = (h, w) if bands == 0 else (h, w, bands)
        img = Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode if mode != "LA" else None)
        if mode == "LA":
            img = img.convert("LA")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def hostile_folder(root: Path) -> tuple[Path, int, list[str]]:
    """A folder of good images in mixed sizes and modes plus every kind of bad file.
    Returns (folder, number of usable images, names of the files that must be skipped)."""
    from PIL import Image

    d = root / "odd-folder"
    good = 0
    for i, (mode, size) in enumerate(
        [
            ("L", (9, 14)),
            ("RGB", (40, 17)),
            ("RGBA", (16, 16)),
            ("P", (23, 31)),
            ("I;16", (12, 12)),
            ("LA", (30, 10)),
            ("RGB", (1, 1)),
        ]
    ):
        png(d / f"good_{i}_{mode.replace(';', '')}.png", mode, size, seed=i)
        good += 1
    png(d / "sub" / "nested.png", "RGB", (20, 20))
    good += 1
    bad = []
    (d / "zero.png").write_bytes(b"")
    bad.append("zero.png")
    (d / "text.jpg").write_text("not an image")
    bad.append("text.jpg")
    full = (d / "good_1_RGB.png").read_bytes()
    (d / "truncated.png").write_bytes(full[: len(full) // 2])
    bad.append("truncated.png")
    # A decompression bomb: a tiny file claiming more pixels than Pillow allows.
    big = Image.new("L", (1, 1))
    big.save(d / "bomb.png")
    raw = bytearray((d / "bomb.png").read_bytes())
    # Rewrite the IHDR size to 40000 x 40000 (CRC fixed up) so only the header lies.
    import zlib

    ihdr = raw.index(b"IHDR")
    raw[ihdr + 4 : ihdr + 12] = struct.pack(">II", 40000, 40000)
    raw[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(raw[ihdr : ihdr + 17])))
    (d / "bomb.png").write_bytes(bytes(raw))
    bad.append("bomb.png")
    os.symlink("loop_b.png", d / "loop_a.png")
    os.symlink("loop_a.png", d / "loop_b.png")
    bad += ["loop_a.png", "loop_b.png"]
    os.symlink(".", d / "sub" / "self")  # a folder symlink loop
    os.symlink(d, d / "sub" / "back_to_top")
    return d, good, bad


def bad_arrays(folder: Path) -> dict[str, Path]:
    """npy/npz/IDX files with wrong shapes, dtypes or headers; spec -> file."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}

    def npy(name, arr):
        p = folder / f"{name}.npy"
        np.save(p, arr, allow_pickle=True)
        out[f"npy:{p}"] = p

    npy("1d", np.zeros(10, np.uint8))
    npy("5d", np.zeros((2, 3, 4, 5, 6), np.uint8))
    npy("strings", np.array([["a", "b"]] * 4))
    npy("objects", np.array([{"x": 1}, None], dtype=object))
    npy("complex", np.zeros((4, 8, 8), np.complex64))
    npy("nan-floats", np.full((4, 8, 8), np.nan, np.float32))
    npy("out-of-range-ints", np.full((4, 8, 8), 1000, np.int32))
    npy("empty", np.zeros((0, 8, 8), np.uint8))
    npy("points-with-inf", np.array([[0, 1], [np.inf, 2]], np.float32))
    p = folder / "wrong-keys.npz"
    np.savez(p, a=np.zeros((4, 8, 8)), b=np.zeros((4, 8, 8)))
    out[f"npz:{p}"] = p
    p = folder / "labels-mismatch.npz"
    np.savez(p, x=np.zeros((4, 8, 8), np.uint8), y=np.zeros(3, np.int64))
    out[f"npz:{p}"] = p
    p = folder / "pickle.npy"
    p.write_bytes(pickle.dumps({"x": 1}))
    out[f"npy:{p}"] = p
    p = folder / "train-images-idx3-ubyte"
    p.write_bytes(b"\0\0\x08\x03" + struct.pack(">III", 10, 28, 28) + b"\0" * 100)  # truncated
    out[f"idx:{p}"] = p
    p = folder / "labels-as-images-idx1-ubyte"
    p.write_bytes(b"\0\0\x08\x01" + struct.pack(">I", 5) + b"\0" * 5)
    out[f"idx:{p}"] = p
    p = folder / "bomb-idx3-ubyte"
    p.write_bytes(b"\0\0\x08\x03" + struct.pack(">III", 2**31, 2**16, 2**16))
    out[f"idx:{p}"] = p
    p = folder / "bad-magic-idx3-ubyte"
    p.write_bytes(b"GIF89a" + b"\0" * 50)
    out[f"idx:{p}"] = p
    return out


def tiny_image_folder(folder: Path, n: int, size: int = 12) -> Path:
    """``n`` tiny PNGs (a huge-folder stand-in for the background-loading tests)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    pix = rng.integers(0, 255, (n, size, size), dtype=np.uint8)
    for i in range(n):
        Image.fromarray(pix[i]).save(folder / f"img_{i:05d}.png", compress_level=0)
    return folder


def settle(run_dir: Path, age: float = 3600) -> Path:
    """Date a run folder's files ``age`` seconds back, so the app does not take a copied run
    for one still being written by another process (it would then start a new run)."""
    t = time.time() - age
    for p in [run_dir, *run_dir.rglob("*")]:
        os.utime(p, (t, t), follow_symlinks=False)
    return run_dir


def rss_mb(pid: int | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_run(run_dir: Path, dataset: str = "ring8", steps: int = 4) -> Path:
    """A small real run (trained in-process); returns its latest checkpoint."""
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    tr = Trainer(
        TrainConfig(
            dataset=dataset,
            steps=steps,
            batch_size=16,
            log_every=1,
            width=8 if dataset != "ring8" else None,
            device="cpu",
        ),
        run_dir=run_dir,
    )
    for _ in tr.run():
        pass
    return tr.run_dir.latest_checkpoint()
