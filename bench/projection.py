"""Projection quality: how close `ganstudio project` gets to real and generated images.

    python bench/projection.py --run RUN [--checkpoint FILE] [--n 10] [--steps 300]

For --n training images (a fixed random pick) and --n images the generator drew itself (from
seeds 1000..), project each as `ganstudio project` does (same defaults) and compare its pixel
MSE ([-1, 1] units) with two baselines: a random z (the mean over 10,000) and the best of those
10,000. Prints one line per image and the medians, how often projection beat the best of
10,000, and the seconds per projection (threads as PyTorch's default here).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()

    from ganstudio.latent import sample_z
    from ganstudio.metrics.neighbours import load_reference
    from ganstudio.projection import baselines, project
    from ganstudio.generator import find_checkpoint, load_generator

    ckpt = find_checkpoint(args.run, args.checkpoint)
    lg = load_generator(ckpt)
    cfg = lg.cfg
    ref = load_reference(cfg.dataset, cfg.image_size, cfg.channels)
    G = lg.G
    pick = np.random.default_rng(0).choice(len(ref.dataset.data), args.n, replace=False)
    with torch.no_grad():
        fakes = G(torch.cat([sample_z(1, cfg.z_dim, 1000 + i) for i in range(args.n)])).numpy()
    print(
        f"{cfg.dataset} run {Path(args.run).name}, {ckpt.name} (step {lg.step}), {args.steps} Adam steps, "
        f"torch threads {torch.get_num_threads()}"
    )
    for label, targets, names in (
        ("training images", ref.dataset.data[pick], [f"item {i}" for i in pick]),
        ("generated images", fakes, [f"seed {1000 + i}" for i in range(args.n)]),
    ):
        rows = []
        for name, t in zip(names, targets):
            t0 = time.perf_counter()
            res = project(G, t, cfg.z_dim, ref.net, steps=args.steps, seed=0)
            dt = time.perf_counter() - t0
            b = baselines(G, t, cfg.z_dim)
            rows.append((res.pixel_mse, b["random_mse"], b["best_mse"], dt))
            print(
                f"  {label[:-1]:16s} {name:11s} projection {res.pixel_mse:.4f}  random z {b['random_mse']:.4f}  "
                f"best of 10,000 {b['best_mse']:.4f}  "
                f"({dt:.1f} s{', class ' + str(res.cls) if res.cls is not None else ''})"
            )
        p, r, b, t = (statistics.median(c) for c in zip(*rows))
        wins = sum(row[0] < row[2] for row in rows)
        print(
            f"{label}: median pixel MSE projection {p:.4f}, random z {r:.4f}, best of 10,000 {b:.4f}; projection "
            f"beat the best of 10,000 on {wins}/{len(rows)}; {t:.1f} s per projection (median)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
