"""Mode coverage of the 2D mixtures under each dataset's defaults, over time budgets.

    python bench/quality_2d.py [--datasets ring8 grid25] [--seeds 0 1 2] [--budget 30 60]

For each dataset and seed: train with the defaults for the dataset's time budget (ring8 30 s,
grid25 60 s unless given), then score 2500 samples of the EMA generator (VEEGAN/PacGAN:
HQ = within 3 std of the nearest mean; plus JS/KL, as the Evaluator scores 2D sets). Prints per-seed
figures and the median.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from common import config_overrides
from ganstudio.config import TrainConfig, from_dict
from ganstudio.generator import generate
from ganstudio.latent import sample_z
from ganstudio.metrics.evaluate import Evaluator, format_metrics
from ganstudio.training import Trainer

BUDGET = {"ring8": 30.0, "grid25": 60.0}


def run(dataset: str, seed: int, budget: float, overrides: dict) -> dict:
    cfg = from_dict(overrides, base=TrainConfig(dataset=dataset, seed=seed, steps=10**9, time_limit=budget))
    tr = Trainer(cfg)
    t0 = time.perf_counter()
    for _ in tr.run():
        pass
    wall = time.perf_counter() - t0
    x = generate(tr.generator_copy(), sample_z(2500, tr.cfg.z_dim, 10_000 + seed)).numpy()
    return Evaluator(tr.dataset).score(x) | {"steps": tr.step_count, "wall": wall}  # modes, HQ %, JS, KL


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", nargs="+", default=["ring8", "grid25"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--budget", nargs="+", type=float, help="seconds per dataset (default ring8 30, grid25 60)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="config overrides, for tuning")
    a = p.parse_args()
    overrides = config_overrides(a.set)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, overrides {overrides or 'none'}")
    for i, ds in enumerate(a.datasets):
        budget = a.budget[i] if a.budget else BUDGET.get(ds, 30.0)
        rows = [run(ds, s, budget, overrides) for s in a.seeds]
        for s, r in zip(a.seeds, rows):
            print(f"{ds:7s} seed {s}: {format_metrics(r)}  steps {r['steps']}  ({r['wall']:.1f}s)")
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k != "wall"}
        print(f"{ds:7s} median over {len(rows)} seeds, {budget:.0f}s budget: {format_metrics(med)}", flush=True)


if __name__ == "__main__":
    main()
