"""The engine against a bare PyTorch loop doing the same work, side by side.

    python bench/throughput.py [--rounds 3] [--seconds 30]

Three measurements per round, alternated, each in a fresh process (PyTorch's thread pool
and allocator start cold for both sides, as they do for a user):

- ``bare``: a hand-written loop of the seed MLP GAN (G z100-256-512-1024-784, D
  784-512-256-1, non-saturating loss, Adam 2e-4 (0.5, 0.999), batch 64) on the 28x28 digits,
  in the style of pytorch/examples' dcgan: no logging, no samples, no checkpoints;
- ``engine``: the real CLI, ``ganstudio train --dataset digits --model mlp --image-size 28
  --batch-size 64 --loss ns --no-spectral-norm --z-dim 100`` with its default extras (EMA of G,
  a sample grid every 200 steps, an evaluation every 500 with a new best.safetensors when it
  improves, a checkpoint every 1,000, a metrics row every 10);
- ``engine-no-extras``: the same with ``--ema 0 --eval-every 0`` and no grids or periodic
  checkpoints.

Each runs for --seconds of training. Rates are images per second: over the whole run (from
the first step: the engine's first grid, first checkpoint and every evaluation count) and in
steady state (after the first fifth). Ratios are per round (the machine's speed drifts
between rounds), with their median and range. The feature net evaluations use is trained
(or read from its cache) before the engine's clock starts, as `ganstudio train` does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BATCH = 64
SEED_RECIPE = [
    "--dataset",
    "digits",
    "--model",
    "mlp",
    "--image-size",
    "28",
    "--batch-size",
    str(BATCH),
    "--loss",
    "ns",
    "--no-spectral-norm",
    "--z-dim",
    "100",
]
NO_EXTRAS = ["--ema", "0", "--eval-every", "0", "--sample-every", "100000000", "--checkpoint-every", "100000000"]
STEADY_FROM = 0.2  # steady state: after this share of the run


def rates(points: list[tuple[float, int]], seconds: float) -> dict[str, float]:
    """(time since the first step, steps done) -> whole-run and steady-state images/s."""
    t_end, s_end = points[-1]
    t0, s0 = next((t, s) for t, s in points if t >= STEADY_FROM * seconds)
    return {
        "whole": BATCH * s_end / t_end,
        "steady": BATCH * (s_end - s0) / max(t_end - t0, 1e-9),
        "steps": s_end,
    }


def bare(seconds: float) -> dict[str, float]:
    import torch
    import torch.nn.functional as F
    from torch import nn

    from ganstudio.data import load_dataset

    z_dim = 100
    flat = torch.from_numpy(load_dataset("digits", image_size=28).data).flatten(1)
    G = nn.Sequential(
        nn.Linear(z_dim, 256),
        nn.ReLU(True),
        nn.Linear(256, 512),
        nn.ReLU(True),
        nn.Linear(512, 1024),
        nn.ReLU(True),
        nn.Linear(1024, 784),
        nn.Tanh(),
    )
    D = nn.Sequential(
        nn.Linear(784, 512), nn.LeakyReLU(0.2, True), nn.Linear(512, 256), nn.LeakyReLU(0.2, True), nn.Linear(256, 1)
    )
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    points, step = [], 0
    t0 = time.perf_counter()
    while True:
        real = flat[torch.randint(0, len(flat), (BATCH,))]
        fake = G(torch.randn(BATCH, z_dim))
        opt_d.zero_grad()
        loss_d = F.binary_cross_entropy_with_logits(D(real), ones) + F.binary_cross_entropy_with_logits(
            D(fake.detach()), zeros
        )
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
        loss_g.backward()
        opt_g.step()
        step += 1
        if step % 10 == 0:
            t = time.perf_counter() - t0
            points.append((t, step))
            if t >= seconds:
                return rates(points, seconds)


def engine(seconds: float, extras: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        cmd = [sys.executable, "-m", "ganstudio", "train", *SEED_RECIPE, "--steps", "100000000"]
        cmd += ["--time-limit", str(seconds), "--run-dir", str(run)] + ([] if extras else NO_EXTRAS)
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        # metrics rows carry the trainer's clock, which starts at the first step (after the
        # feature net is ready) and includes everything the run does from there.
        rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        out = rates([(r["time"], r["step"]) for r in rows], seconds)
        evals = [json.loads(line) for line in (run / "evals.jsonl").read_text().splitlines()] if extras else []
        out["eval_seconds"] = sum(e.get("eval_seconds", 0.0) for e in evals)
        out["evals"] = len(evals)
        return out


def child(kind: str, seconds: float) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--seconds", str(seconds)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}x (range {min(values):.2f}-{max(values):.2f})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--child", choices=["bare", "engine", "engine-no-extras"], help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        res = bare(a.seconds) if a.child == "bare" else engine(a.seconds, a.child == "engine")
        print(json.dumps(res))
        return
    import torch

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
        f"{a.rounds} rounds x 3 runs x {a.seconds:.0f} s, each in a fresh process"
    )
    kinds = ["bare", "engine", "engine-no-extras"]
    res: dict[str, list[dict]] = {k: [] for k in kinds}
    for r in range(a.rounds):
        for k in kinds:
            res[k].append(child(k, a.seconds))
        b, e, n = (res[k][-1] for k in kinds)
        print(
            f"round {r}: img/s whole run / steady: bare {b['whole']:.0f}/{b['steady']:.0f}, "
            f"engine {e['whole']:.0f}/{e['steady']:.0f} ({e['evals']} evals, {e['eval_seconds']:.1f} s), "
            f"engine without extras {n['whole']:.0f}/{n['steady']:.0f}",
            flush=True,
        )
    for what in ("whole", "steady"):
        ratio = [e[what] / b[what] for e, b in zip(res["engine"], res["bare"])]
        ratio_n = [n[what] / b[what] for n, b in zip(res["engine-no-extras"], res["bare"])]
        extras = [e[what] / n[what] for e, n in zip(res["engine"], res["engine-no-extras"])]
        print(
            f"{what:6s}: engine/bare {spread(ratio)}; without extras {spread(ratio_n)}; "
            f"with extras / without {spread(extras)}"
        )


if __name__ == "__main__":
    main()
