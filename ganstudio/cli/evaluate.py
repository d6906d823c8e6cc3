"""``ganstudio evaluate``: the offline quality metrics of a trained generator (no downloads)."""

from __future__ import annotations

import argparse
import json

from ganstudio.cli._common import add_no_ema, add_run, load, provenance, say


def add_parser(sub) -> None:
    e = sub.add_parser(
        "evaluate",
        help="quality metrics of a trained generator (no downloads)",
        description="2D sets: modes covered, HQ %%, KL/JS of 30x30 histograms. Images: Frechet "
        "distance of a locally trained classifier's features (FCD) beside the "
        "real-vs-real floor, class coverage, confident %%, precision/recall. The "
        "feature net is trained once per dataset and cached.",
    )
    add_run(e)
    e.add_argument("--n", type=int, metavar="N", help="generated samples (default: the run's eval_n)")
    e.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the feature net and the evaluation noise")
    add_no_ema(e)
    e.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def run(args: argparse.Namespace) -> int:
    from ganstudio.config import defaults_for
    from ganstudio.data import load_dataset
    from ganstudio.errors import GanstudioError
    from ganstudio.metrics.evaluate import Evaluator, format_metrics

    if args.n is not None and args.n < 2:
        raise GanstudioError("--n must be at least 2")
    ckpt, lg = load(args)
    cfg = lg.cfg
    ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
    if tuple(ds.sample_shape) != tuple(lg.meta.get("sample_shape", ds.sample_shape)):
        raise GanstudioError(
            f"the dataset {cfg.dataset} now gives {ds.sample_shape} items; the checkpoint was "
            f"trained on {tuple(lg.meta['sample_shape'])}"
        )
    n = args.n or cfg.eval_n or defaults_for(cfg.dataset, ds.kind)["eval_n"]
    ev = Evaluator(ds, "cpu", seed=args.seed, log=(lambda msg: None) if args.json else say)
    metrics = ev.evaluate(lg.G, cfg.z_dim, n)
    if args.json:
        row = {**provenance(args.run, ckpt, lg.step, lg.ema), "dataset": cfg.dataset, "n": n, "seed": args.seed}
        print(json.dumps({**row, **metrics}))
        return 0
    print(f"{cfg.dataset} at step {lg.step}{' (EMA)' if lg.ema else ''}, {n} samples:")
    for k, v in metrics.items():
        print(f"  {k:15s} {v:.4f}" if isinstance(v, float) else f"  {k:15s} {v}")
    print("  " + format_metrics(metrics))
    return 0
