"""Engine overhead: `ganstudio train --model mlp` (28x28 data, batch 64) vs a bare PyTorch loop.

    python bench/throughput.py [--rounds 5] [--steps 400]

Both train the classic MLP pair (G z100-256-512-1024-784, D 784-512-256-1) with the
non-saturating loss and Adam(2e-4, (0.5, 0.999)) on the 28x28 digits. Rounds alternate
engine / bare loop in one process so both see the same machine state; the engine round
goes through the same path as the CLI (Trainer.run() with a run directory: metrics.jsonl,
sample grids, checkpoints). Many short rounds, because this machine's speed drifts by
+-20% over tens of seconds. Prints steps/s per round, medians and the ratio engine/bare.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import torch
import torch.nn.functional as F
from torch import nn

from ganstudio.config import TrainConfig
from ganstudio.data import load_dataset
from ganstudio.training.trainer import Trainer


def bare_loop(data: torch.Tensor, steps: int, batch: int = 64, z_dim: int = 100) -> float:
    """A hand-written loop in the style of pytorch/examples' dcgan; returns steps/s."""
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
    flat = data.flatten(1)
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    t0 = time.perf_counter()
    for _ in range(steps):
        real = flat[torch.randint(0, len(flat), (batch,))]
        fake = G(torch.randn(batch, z_dim))
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
    return steps / (time.perf_counter() - t0)


def engine(steps: int, ema: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cfg = TrainConfig(
            dataset="digits",
            model="mlp",
            image_size=28,
            batch_size=64,
            z_dim=100,
            lr_g=2e-4,
            lr_d=2e-4,
            ema=ema,
            steps=steps,
            sample_every=200,
            checkpoint_every=1000,
        )
        tr = Trainer(cfg, run_dir=tmp)
        events = tr.run()
        next(events)  # the step-0 checkpoint and samples happen before the clock starts,
        next(events)  # like the bare loop's set-up
        t0 = time.perf_counter()
        for _ in events:
            pass
        return steps / (time.perf_counter() - t0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--steps", type=int, default=150)
    a = p.parse_args()
    data = torch.from_numpy(load_dataset("digits", image_size=28).data)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {a.rounds} rounds x {a.steps} steps")
    bare_loop(data, 50), engine(50, 0.0)  # warm-up
    eng, eng_ema, bare = [], [], []
    for r in range(a.rounds):
        eng.append(engine(a.steps, 0.0))
        bare.append(bare_loop(data, a.steps))
        eng_ema.append(engine(a.steps, 0.999))
        print(f"round {r}: engine {eng[-1]:.1f}  bare {bare[-1]:.1f}  engine+EMA {eng_ema[-1]:.1f} steps/s", flush=True)
    me, mb, mx = statistics.median(eng), statistics.median(bare), statistics.median(eng_ema)
    print(f"median steps/s: engine {me:.1f}, bare loop {mb:.1f}, engine with EMA 0.999 {mx:.1f}")
    # Paired per-round ratios: robust to the machine's load drifting between rounds.
    paired = statistics.median(e / b for e, b in zip(eng, bare))
    paired_ema = statistics.median(e / b for e, b in zip(eng_ema, bare))
    print(
        f"ratio engine/bare: {me / mb:.2f} of medians, {paired:.2f} median of paired rounds "
        f"(with EMA: {mx / mb:.2f}, {paired_ema:.2f})"
    )


if __name__ == "__main__":
    main()
