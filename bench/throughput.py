"""The engine against a bare PyTorch loop doing the same work, side by side.

    python bench/throughput.py [--rounds 3] [--seconds 30]

Three processes per round, each started fresh (as a user's command is), then run in
alternating 1 s slices until each trained --seconds (bench/alternate.py: this machine's speed
drifts too much between runs one after the other to compare them):

- ``bare``: a hand-written loop (non-saturating loss, Adam 2e-4 (0.5, 0.999), batch 64) on the
  28x28 digits, in the style of pytorch/examples' dcgan: no logging, no samples, no checkpoints.
  Its G and D (the seed MLP GAN: G z100-256-512-1024-784, D 784-512-256-1) are built by
  ganstudio.models from the config the engine resolves, so both sides train the same network;
- ``engine``: the real CLI, ``ganstudio train --dataset digits --model mlp --image-size 28
  --batch-size 64 --loss ns --no-spectral-norm --z-dim 100`` with its default extras (EMA of G,
  a sample grid every 200 steps, an evaluation every 500 with a new best.safetensors when it
  improves, a checkpoint every 1,000, a metrics row every 10 with the rollback state);
- ``engine-no-extras``: the same with ``--ema 0 --eval-every 0`` and no grids or periodic
  checkpoints.

Rates are images per second over all slices ("whole": every grid, evaluation and checkpoint
from the first step on counts) and over the slices after the first fifth ("steady"). Ratios
are per round, reported as median and range. The feature net evaluations use is trained (or
read from its cache) before the engine's first step, as `ganstudio train` does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import alternate

BATCH = 64
# The seed MLP GAN as TrainConfig fields: the engine gets them as flags, the bare loop as a config.
SEED = dict(dataset="digits", model="mlp", image_size=28, batch_size=BATCH, loss="ns", spectral_norm=False, z_dim=100)


def flags(fields: dict) -> list[str]:
    """TrainConfig fields as `ganstudio train` flags (False as --no-NAME)."""
    out: list[str] = []
    for k, v in fields.items():
        name = k.replace("_", "-")
        out += [f"--{name}"] if v is True else [f"--no-{name}"] if v is False else [f"--{name}", str(v)]
    return out


SEED_RECIPE = flags(SEED)
NO_EXTRAS = ["--ema", "0", "--eval-every", "0", "--sample-every", "100000000", "--checkpoint-every", "100000000"]


def bare(progress: str) -> None:
    import torch
    import torch.nn.functional as F

    from ganstudio.config import TrainConfig
    from ganstudio.models import build_models
    from ganstudio.training import prepare

    cfg, ds = prepare(TrainConfig(**SEED))  # what `ganstudio train` resolves for SEED_RECIPE
    G, D = build_models(cfg, ds.sample_shape)
    data, z_dim = torch.from_numpy(ds.data), cfg.z_dim
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2))  # 2e-4 (0.5, 0.999)
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, cfg.beta2))
    ones, zeros = torch.ones(BATCH), torch.zeros(BATCH)
    step = 0
    while True:
        real = data[torch.randint(0, len(data), (BATCH,))]
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
            alternate.write_progress(progress, step)


def contenders(tmp: Path) -> list[alternate.Contender]:
    bare_file = tmp / "bare.progress"
    out = [
        alternate.Contender(
            "bare",
            [sys.executable, __file__, "--child-bare", str(bare_file)],
            lambda: alternate.read_progress(bare_file),
        )
    ]
    for name, extra in (("engine", []), ("engine-no-extras", NO_EXTRAS)):
        run = tmp / name
        argv = [sys.executable, "-m", "ganstudio", "train", *SEED_RECIPE, "--steps", "100000000"]
        out.append(
            alternate.Contender(
                name, argv + ["--run-dir", str(run)] + extra, lambda run=run: alternate.last_metrics_step(run)
            )
        )
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=30, help="training seconds per process and round")
    p.add_argument("--child-bare", metavar="PROGRESS_FILE", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child_bare:
        return bare(a.child_bare)
    import torch

    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; {a.rounds} rounds "
        f"of bare loop / engine / engine without extras, {a.seconds:.0f} s each in alternating 1 s slices"
    )
    ratios: dict[str, list[float]] = {}
    for r in range(a.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            cs = contenders(Path(tmp))
            alternate.run(cs, a.seconds)
            ev_file = Path(tmp) / "engine" / "evals.jsonl"  # absent when the run was too short for one
            evals = [json.loads(x) for x in ev_file.read_text().splitlines()] if ev_file.exists() else []
        by = {c.name: c for c in cs}
        line = []
        for what, skip in (("whole", 0.0), ("steady", alternate.STEADY_FROM)):
            b, e, n = (BATCH * alternate.rate(by[k], skip) for k in ("bare", "engine", "engine-no-extras"))
            line.append(f"{what} bare {b:.0f}, engine {e:.0f}, without extras {n:.0f}")
            for key, v in ((f"{what}: engine/bare", e / b), (f"{what}: without extras/bare", n / b)):
                ratios.setdefault(key, []).append(v)
            ratios.setdefault(f"{what}: with extras/without", []).append(e / n)
        eval_s = sum(x.get("eval_seconds", 0.0) for x in evals)
        print(f"round {r} img/s: {'; '.join(line)} ({len(evals)} evaluations, {eval_s:.1f} s)", flush=True)
    for key, values in ratios.items():
        print(f"{key:32s} {alternate.spread(values)}")


if __name__ == "__main__":
    main()
