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

from ganstudio.config import TrainConfig
from ganstudio.metrics.evaluate import Evaluator
from ganstudio.training.trainer import Evaluated, Trainer


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="digits")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--budget", type=float, default=120.0)
    p.add_argument("--n", type=int, default=1000, help="generated samples for the final evaluation")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="config overrides, for tuning")
    a = p.parse_args()
    overrides = {k: eval(v) for k, v in (s.split("=", 1) for s in a.set)}  # bench-only, trusted input
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, overrides {overrides or 'none'}")

    probe = Trainer(TrainConfig(dataset=a.dataset, **overrides))
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
        cfg = TrainConfig(dataset=a.dataset, seed=seed, steps=10**9, time_limit=a.budget, **overrides)
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
            f"seed {seed}: classes {m['class_coverage']}/{m['n_classes']}  confident {m['confident']:.1f}%  "
            f"FCD {m['fcd']:.2f} / floor {m['fcd_floor']:.2f} = {m['ratio']:.2f}x  "
            f"P/R {m['precision']:.2f}/{m['recall']:.2f}  steps {m['steps']} ({wall:.0f}s)"
            + (f"  [last live eval: classes {lv['class_coverage']}, FCD {lv['fcd']:.2f}]" if lv else ""),
            flush=True,
        )
    med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
    print(
        f"median over {len(rows)} seeds, {a.budget:.0f}s: classes {med('class_coverage')}/{rows[0]['n_classes']}  "
        f"confident {med('confident'):.1f}%  FCD {med('fcd'):.2f} vs floor {med('fcd_floor'):.2f} "
        f"({med('ratio'):.2f}x)  precision {med('precision'):.2f}  recall {med('recall'):.2f}"
    )
    ok = med("class_coverage") == rows[0]["n_classes"] and med("confident") >= 90 and med("ratio") <= 3
    print(f"targets (all classes, >= 90% confident, FCD <= 3x floor): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
