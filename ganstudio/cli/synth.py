"""``ganstudio synth``: a labelled dataset drawn from a trained generator (ganstudio/synth.py)."""

from __future__ import annotations

import argparse
import sys
import time

from ganstudio.cli._common import add_no_ema, add_run, load, say, source


def add_parser(sub) -> None:
    from ganstudio.synth import BALANCES, DEFAULT_PSI, LABEL_BY, MAX_PSI, MAX_WEIGHT
    from ganstudio.synth_files import FORMATS

    s = sub.add_parser(
        "synth",
        help="export a labelled synthetic dataset (folder of PNGs per class, npz or idx)",
        description="Draw a labelled dataset from a trained generator into the folder --out, with "
        "manifest.json (run, checkpoint and its sha256, step, seed, filter, each item's file and "
        "label) and latents.npy (each item's z). The same arguments give the same bytes.",
    )
    add_run(s)
    count = s.add_mutually_exclusive_group(required=True)
    count.add_argument("--n", type=int, metavar="N", help="images in all, shared over the classes (see --balance)")
    count.add_argument(
        "--per-class",
        type=int,
        metavar="N",
        help="images per class (with --balance hard: on average; N x classes in all)",
    )
    s.add_argument(
        "--filter",
        default="none",
        metavar="confident:P|none",
        help="keep only images the evaluation's classifier gives their label with probability >= P "
        "(default none: with --label-by features, filtering made the set less useful; see bench/utility.py)",
    )
    s.add_argument(
        "--truncation",
        type=float,
        default=DEFAULT_PSI,
        metavar="PSI",
        help=f"scale z[1:] by PSI in (0, {MAX_PSI:g}]: below 1 plainer images, above 1 more varied ones "
        f"(default {DEFAULT_PSI:g}, the most useful set measured)",
    )
    s.add_argument("--seed", type=int, default=0, metavar="S")
    add_no_ema(s)
    s.add_argument(
        "--label-by",
        choices=LABEL_BY,
        help="features: the evaluation's classifier (trained on the run's real data) labels each image "
        "(the default for a conditional generator: G is asked for each class in turn and the classifier "
        "names what came out); generator: the class G was asked for. An unconditional generator's "
        "images are unlabelled without --label-by features",
    )
    s.add_argument(
        "--balance",
        choices=BALANCES,
        help=f"hard: more images of the classes the evaluation's classifier confuses on real images "
        f"(up to {MAX_WEIGHT:g}x; the default for a labelled set: the most useful one measured, see "
        "bench/utility.py); equal: the same count per class",
    )
    s.add_argument("--format", choices=FORMATS, default="folder", help="folder (PNGs per class), npz or idx")
    s.add_argument("--out", metavar="DIR", required=True, help="a new folder (an existing one needs --force)")
    s.add_argument("--force", action="store_true", help="replace --out if it is a dataset written by synth")


class Bar:
    """A tqdm bar per stage on a terminal; a line per stage otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.stage, self.bar = None, None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage = stage
            if self.tty:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc=stage, unit="img", dynamic_ncols=True, file=sys.stderr)
            else:
                say(f"{stage}: {total:,} images...")
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ganstudio.synth import DEFAULT_BALANCE, DEFAULT_LABEL_BY, check_labels, needs_classifier, parse_filter
    from ganstudio.synth_files import check_out, export_set, provenance

    filter_p = parse_filter(args.filter)
    out = Path(args.out).expanduser()
    check_out(out, args.force)  # before minutes of work
    ckpt, snap = load(args)
    conditional = bool(getattr(snap.G, "n_classes", 0))
    label_by = args.label_by or (DEFAULT_LABEL_BY if conditional else None)
    balance = args.balance or (DEFAULT_BALANCE if conditional or label_by else "equal")
    check_labels(conditional, label_by, args.per_class, filter_p, balance)  # before the classifier loads
    features = real = None
    if needs_classifier(filter_p, label_by, balance):
        from ganstudio.metrics.utility import feature_net

        features, real = feature_net(snap.cfg, log=say)
    bar = Bar()
    t0 = time.perf_counter()
    try:
        s, _ = export_set(
            snap,
            out,
            args.format,
            provenance(snap, ckpt),
            force=args.force,
            progress=bar,
            n=args.n,
            per_class=args.per_class,
            filter_p=filter_p,
            seed=args.seed,
            psi=args.truncation,
            label_by=label_by,
            features=features,
            balance=balance,
            real=real,
        )
    finally:
        bar.close()
    labels = s.info["labels"] + (", more of the classes the classifier confuses" if balance == "hard" else "")
    kept = f", the filter kept {100 * s.info['kept_share']:.0f}% of {s.info['drawn']:,} drawn" if filter_p else ""
    say(
        f"wrote {out} ({len(s):,} images as {args.format}, {len(s.class_names) or 'no'} classes, labels: "
        f"{labels}{kept}; {source(snap.step, snap.ema)}; {time.perf_counter() - t0:.1f}s)"
    )
    return 0
