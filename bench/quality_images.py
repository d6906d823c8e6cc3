"""Image quality under the dataset's defaults within a time budget (issue: 'Quality you can see').

    python bench/quality_images.py [--dataset digits] [--seeds 0 1 2] [--budget 120] [--set key=value ...]

The feature net (a classifier trained locally on the dataset; see ganstudio/metrics/features.py)
is trained and cached before the clock starts, as it is once per dataset per user. Then for
each seed: train with the defaults for ``--budget`` seconds, the in-loop evaluations on (as
in the app), and evaluate the EMA generator: class coverage, confident %, FCD beside the
real-vs-real floor at the same sample size, precision/recall. Prints per-seed figures and
the medians, and the targets: 10/10 classes, >= 90% confident, FCD <= 3x the floor.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from common import config_overrides
from ganstudio.config import TrainConfig, from_dict
from ganstudio.metrics.evaluate import Evaluator, format_metrics
from ganstudio.training import Evaluated, Trainer


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="digits")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--budget", type=float, default=120.0)
    p.add_argument("--n", type=int, default=1000, help="generated samples for the final evaluation")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="config overrides, for tuning")
    a = p.parse_args()
    overrides = config_overrides(a.set)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, overrides {overrides or 'none'}")

    probe = Trainer(from_dict(overrides, base=TrainConfig(dataset=a.dataset)))
    ds = probe.dataset
    t0 = time.perf_counter()
    ev = Evaluator(ds, seed=0)
    ev.max_fcd_samples()  # trains (or reads) the feature net and the real statistics
    net = ev._net
    print(
        f"feature net: {net.kind}, held-out score {net.score:.4f}, "
        f"{'read from cache' if net.seconds == 0 else f'trained in {net.seconds:.1f}s'}"
        f" ({time.perf_counter() - t0:.1f}s)"
    )

    rows = []
    for seed in a.seeds:
        base = TrainConfig(dataset=a.dataset, seed=seed, steps=10**9, time_limit=a.budget)
        cfg = from_dict(overrides, base=base)
        tr = Trainer(cfg, dataset=ds)
        tr._evaluator = ev  # the same cached net (the trainer would build an identical one)
        t0 = time.perf_counter()
        live = [e for e in tr.run() if isinstance(e, Evaluated)]
        wall = time.perf_counter() - t0
        m = ev.evaluate(tr.sample_generator(), tr.cfg.z_dim, a.n)
        m |= {
            "steps": tr.step_count,
            "wall": wall,
            "ratio": m["fcd"] / m["fcd_floor"],
            "live": live[-1].values if live else None,
        }
        rows.append(m)
        lv = m["live"]
        print(
            f"seed {seed}: {format_metrics(m)}  = {m['ratio']:.2f}x floor  steps {m['steps']} ({wall:.0f}s)"
            + (f"  [last live eval: {format_metrics(lv)}]" if lv else ""),
            flush=True,
        )
    med = {k: statistics.median(r[k] for r in rows) for k, v in rows[0].items() if isinstance(v, (int, float))}
    print(f"median over {len(rows)} seeds, {a.budget:.0f}s: {format_metrics(med)}  = {med['ratio']:.2f}x floor")
    ok = med["class_coverage"] == med["n_classes"] and med["confident"] >= 90 and med["ratio"] <= 3
    print(f"targets (all classes, >= 90% confident, FCD <= 3x floor): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
