"""Run processes in alternating time slices, so that they see the same machine.

This machine's speed drifts by tens of percent over minutes (other tenants on the host), so
runs one after the other do not compare, even with the code unchanged. Here every measured
process starts fresh (as a user's command does), and once all have started they take turns:
each runs for one slice while the others are stopped (SIGSTOP/SIGCONT), for many rounds.
Drift then hits every process alike.

Each process reports its progress, a step count, through a file (``progress(path)``
below); the rate of a process is the steps it made in its slices over the time it ran.
"""

from __future__ import annotations

import os
import statistics
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


STEADY_FROM = 0.2  # steady state: the slices after this share of them


@dataclass
class Contender:
    name: str
    argv: list[str]
    progress: Callable[[], int]  # steps done so far, read while the process is stopped
    env: dict | None = None
    proc: subprocess.Popen | None = None
    slices: list[tuple[float, int]] = field(default_factory=list)  # (seconds run, steps made)
    first_step_s: float = 0.0  # from the start of the process to its first step
    final_steps: int = 0  # progress after the last slice
    # (start, end) of each stretch it ran, on perf_counter (one clock for all processes): to drop what spans a stop
    running: list[tuple[float, float]] = field(default_factory=list)


def write_progress(path: str | os.PathLike, step: int) -> None:
    """For a measured process: record its step count (cheap enough for every 10 steps)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(str(step))
    os.replace(tmp, path)


def read_progress(path: str | os.PathLike) -> int:
    try:
        return int(Path(path).read_text() or 0)
    except (OSError, ValueError):
        return 0


def last_metrics_step(run_dir: Path) -> int:
    """The step of the newest complete row of RUN/metrics.jsonl (0 before the first)."""
    import json

    try:
        with open(run_dir / "metrics.jsonl", "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            lines = f.read().split(b"\n")
    except OSError:
        return 0
    for line in reversed(lines):
        try:
            return int(json.loads(line)["step"])
        except (ValueError, KeyError):
            continue
    return 0


def run(contenders: list[Contender], seconds: float, slice_s: float = 1.0, start_timeout: float = 300) -> None:
    """Start each contender alone until its first step, then alternate slices until each ran
    ``seconds``; finally SIGTERM them (a clean stop) and wait."""
    try:
        for c in contenders:
            t0 = time.perf_counter()
            c.proc = subprocess.Popen(c.argv, env=c.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            while c.progress() == 0:
                if c.proc.poll() is not None:
                    raise RuntimeError(f"{c.name} exited: {c.proc.stderr.read().decode()[-2000:]}")
                if time.perf_counter() - t0 > start_timeout:
                    raise RuntimeError(f"{c.name} made no step in {start_timeout:.0f} s")
                time.sleep(0.02)
            c.first_step_s = time.perf_counter() - t0
            c.proc.send_signal(signal.SIGSTOP)
            c.running.append((t0, time.perf_counter()))
        rounds = max(1, round(seconds / slice_s))
        for _ in range(rounds):
            for c in contenders:
                s0 = c.progress()
                t0 = time.perf_counter()
                c.proc.send_signal(signal.SIGCONT)
                time.sleep(slice_s)
                c.proc.send_signal(signal.SIGSTOP)
                t1 = time.perf_counter()
                time.sleep(0.01)  # let the stop land before reading
                c.slices.append((t1 - t0, c.progress() - s0))
                c.running.append((t0, t1))
        for c in contenders:
            c.final_steps = c.progress()
    finally:
        for c in contenders:
            if c.proc is not None and c.proc.poll() is None:
                c.proc.send_signal(signal.SIGCONT)
                c.proc.send_signal(signal.SIGTERM)
        for c in contenders:
            if c.proc is not None:
                try:
                    c.proc.wait(60)
                except subprocess.TimeoutExpired:
                    c.proc.kill()


def rate(c: Contender, skip: float = 0.0) -> float:
    """Steps per second over the slices after the first ``skip`` share of them."""
    sl = c.slices[int(len(c.slices) * skip) :]
    return sum(s for _, s in sl) / max(sum(t for t, _ in sl), 1e-9)


def within_runs(
    times: list[float], running: list[tuple[float, float]], settle: float = 0.0
) -> list[tuple[float, float]]:
    """Consecutive pairs of ``times`` that both fall in one stretch the process ran (and at
    least ``settle`` seconds after it resumed): intervals that span no stop."""
    out, k = [], 0
    for a, b in zip(times, times[1:]):
        while k < len(running) and running[k][1] < a:
            k += 1
        if k < len(running) and running[k][0] + settle <= a and b <= running[k][1]:
            out.append((a, b))
    return out


def spread(ratios: list[float]) -> str:
    """Per-round ratios as their median and range."""
    return f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f})"
