"""torchrun on CPU with gloo: 2 ranks train as one, rank 0 writes, checkpoints cross world sizes.

Every rank writes hashes of its own live weights (GANSTUDIO_DEBUG_RANK_DIGESTS) so the test
compares what each process actually holds, not what rank 0 saved.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch.distributed

pytestmark = pytest.mark.skipif(
    not (torch.distributed.is_available() and torch.distributed.is_gloo_available()),
    reason="needs torch.distributed with gloo",
)

RING = [
    "--dataset",
    "ring8",
    "--batch-size",
    "32",
    "--log-every",
    "10",
    "--sample-every",
    "20",
    "--checkpoint-every",
    "20",
]
DIGITS = ["--dataset", "digits", "--width", "8", "--batch-size", "16", "--log-every", "5", "--sample-every", "10"]


def _env(digests: Path | None = None) -> dict:
    env = os.environ.copy()
    env["OMP_NUM_THREADS"] = "1"
    env["GANSTUDIO_DIST_TIMEOUT"] = "60"  # a lost peer fails a collective within a minute, never hangs CI
    if digests is not None:
        env["GANSTUDIO_DEBUG_RANK_DIGESTS"] = str(digests)
    return env


def torchrun(*args, digests: Path | None = None, timeout=180):
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "ganstudio",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env(digests))


def metric_steps(rd: Path) -> list[int]:
    return [json.loads(x)["step"] for x in (rd / "metrics.jsonl").read_text().splitlines()]


def digests_of(folder: Path) -> list[dict]:
    rows = [json.loads((folder / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["rank"] for r in rows] == [0, 1]
    return rows


def assert_ranks_equal(folder: Path, step: int) -> None:
    r0, r1 = digests_of(folder)
    assert r0["step"] == r1["step"] == step
    for key in ("G", "D", "G_ema"):
        assert r0[key] == r1[key], f"{key} differs between ranks"


def test_two_ranks_ring8_and_resume_across_world_sizes(tmp_path, ganstudio):
    rd = tmp_path / "run"
    r = torchrun("train", *RING, "--steps", "40", "--run-dir", str(rd), digests=tmp_path / "d1")
    assert r.returncode == 0, r.stderr
    assert "batch: 32 per process x 2 processes = 64 (gloo)" in r.stderr
    assert r.stderr.count("run: ") == 1  # only rank 0 reports
    assert metric_steps(rd) == [10, 20, 30, 40]  # one set of rows, not one per rank
    assert_ranks_equal(tmp_path / "d1", 40)
    events = [json.loads(x) for x in (rd / "events.jsonl").read_text().splitlines()]
    assert {"event": "distributed", "world_size": 2, "effective_batch": 64}.items() <= events[0].items()
    assert [s.name for s in sorted((rd / "samples").iterdir())] == [f"step_{s:07d}.png" for s in (0, 20, 40)]

    # The 2-rank checkpoint samples and resumes in one process...
    r = ganstudio("sample", "--run", str(rd), "--n", "100", "--out", str(tmp_path / "s.npy"), env=_env())
    assert r.returncode == 0, r.stderr
    x = np.load(tmp_path / "s.npy")
    assert x.shape == (100, 2) and np.isfinite(x).all()
    r = ganstudio("train", "--run-dir", str(rd), "--resume", "--steps", "60", env=_env())
    assert r.returncode == 0, r.stderr
    assert "from step 40" in r.stderr
    # ...and that single-process checkpoint resumes in 2 ranks.
    r = torchrun("train", "--run-dir", str(rd), "--resume", "--steps", "80", digests=tmp_path / "d2")
    assert r.returncode == 0, r.stderr
    assert "from step 60" in r.stderr
    assert metric_steps(rd) == [10, 20, 30, 40, 50, 60, 70, 80]
    assert_ranks_equal(tmp_path / "d2", 80)


def test_two_ranks_dcgan_batchnorm_digits(tmp_path, ganstudio):
    rd = tmp_path / "run"
    r = torchrun("train", *DIGITS, "--steps", "20", "--run-dir", str(rd), digests=tmp_path / "d")
    assert r.returncode == 0, r.stderr
    assert metric_steps(rd) == [5, 10, 15, 20]
    assert_ranks_equal(tmp_path / "d", 20)  # D's two forwards (real, fake) with batch norm under DDP
    r = ganstudio("sample", "--run", str(rd), "--n", "8", "--out", str(tmp_path / "s.npy"), env=_env())
    assert r.returncode == 0, r.stderr
    x = np.load(tmp_path / "s.npy")
    assert x.shape == (8, 1, 16, 16) and x.min() >= -1 and x.max() <= 1


def test_nonfinite_losses_stop_every_rank_at_the_same_step(tmp_path):
    r = torchrun(
        "train",
        "--dataset",
        "ring8",
        "--loss",
        "lsgan",
        "--lr-g",
        "1e6",
        "--lr-d",
        "1e6",
        "--steps",
        "400",
        "--batch-size",
        "32",
        "--log-every",
        "10",
        "--run-dir",
        str(tmp_path / "run"),
    )
    assert r.returncode != 0
    lines = [x for x in r.stderr.splitlines() if x.startswith("ganstudio: error: [rank")]
    # Both ranks reach the same verdict at the same step; whichever exits first makes torchrun
    # stop the other, which may then be gone before it prints its (identical) line.
    assert lines and {x.split("]")[0] for x in lines} <= {"ganstudio: error: [rank 0/2", "ganstudio: error: [rank 1/2"}
    assert len({x.split("]", 1)[1] for x in lines}) == 1 and "NaN/infinite by step" in lines[0]  # the same verdict


def _rank_pid(parent: int, rank: int) -> int | None:
    """The worker process torchrun started for ``rank`` (Linux: read the children's environment)."""
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return None
    for pid in children:
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"RANK={rank}".encode() in env:
            return int(pid)
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the rank's process through /proc")
def test_a_crashed_rank_ends_the_job(tmp_path):
    rd = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "ganstudio",
        "train",
        *RING,
        "--steps",
        "1000000",
        "--run-dir",
        str(rd),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env())
    try:
        deadline = time.monotonic() + 120
        pid = None
        # Training is under way once rank 0 has logged a row; then rank 1 dies like an OOM kill.
        while time.monotonic() < deadline and proc.poll() is None:
            if (rd / "metrics.jsonl").exists() and (rd / "metrics.jsonl").read_text().strip():
                pid = _rank_pid(proc.pid, 1)
                if pid is not None:
                    break
            time.sleep(0.2)
        assert pid is not None, "training never started"
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        out, _ = proc.communicate(timeout=90)  # the whole job ends; it does not hang on rank 0
        ended_after = time.monotonic() - killed
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "rank      : 1" in out and "SIGKILL" in out, out[-3000:]
    print(f"job ended {ended_after:.1f}s after rank 1 was killed")
