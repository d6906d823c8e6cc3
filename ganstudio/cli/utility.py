"""``ganstudio utility``: what a run's synthetic data is worth for training (CAS, the
augmentation curve) and whether it leaks training images; RUN/utility.json
(ganstudio/metrics/utility.py)."""

from __future__ import annotations

import argparse

from ganstudio.cli._common import add_no_ema, add_run, at_least, load, say


def _floats(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use comma-separated numbers, e.g. 0,1,2,5") from None
    if not values or any(not v >= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: use comma-separated numbers >= 0")
    return values


def add_parser(sub) -> None:
    from ganstudio.metrics.utility import LEAK_N, RATIOS, SUBSETS
    from ganstudio.synth import BALANCES, DEFAULT_BALANCE, DEFAULT_LABEL_BY, DEFAULT_PSI, LABEL_BY

    s = sub.add_parser(
        "utility",
        help="what the run's synthetic data is worth (CAS, augmentation) and whether it leaks",
        description="Against real held-out images (the test files of MNIST-format data, else the "
        "share the run held out with --holdout): CAS (a small CNN trained on synthetic images "
        "only, beside the same CNN on as many real ones), the augmentation curve, and leakage "
        "(distance to the closest training vs held-out image, near-copies). Writes RUN/utility.json.",
    )
    add_run(s)
    add_no_ema(s)
    s.add_argument("--per-class", type=int, default=6000, metavar="N", help="synthetic images per class (6000)")
    s.add_argument("--filter", default="none", metavar="confident:P|none", help="as synth's (default none)")
    s.add_argument("--truncation", type=float, default=DEFAULT_PSI, metavar="PSI", help=f"as synth's ({DEFAULT_PSI:g})")
    s.add_argument("--label-by", choices=LABEL_BY, default=DEFAULT_LABEL_BY, help=f"as synth's ({DEFAULT_LABEL_BY})")
    s.add_argument("--balance", choices=BALANCES, default=DEFAULT_BALANCE, help=f"as synth's ({DEFAULT_BALANCE})")
    s.add_argument("--seed", type=int, default=0, metavar="S")
    s.add_argument(
        "--subsets", type=_floats, default=SUBSETS, metavar="F,...", help="real subsets of the augmentation curve"
    )
    s.add_argument("--ratios", type=_floats, default=RATIOS, metavar="R,...", help="synthetic images per real image")
    s.add_argument(
        "--leak-n", type=int, default=LEAK_N, metavar="N", help=f"samples the leakage test looks at ({LEAK_N})"
    )
    s.add_argument("--updates", type=int, metavar="N", help="classifier updates (default: ~3 epochs, 300-1400)")
    s.add_argument("--no-augmentation", action="store_true", help="skip the augmentation curve (the slowest part)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ganstudio.metrics import utility as U
    from ganstudio.synth import parse_filter

    at_least("--per-class", args.per_class, 1)
    at_least("--leak-n", args.leak_n, 1)
    if args.updates is not None:
        at_least("--updates", args.updates, 1)
    filter_p = parse_filter(args.filter)
    ckpt, snap = load(args)
    result = U.measure(
        snap,
        ckpt,
        per_class=args.per_class,
        filter_p=filter_p,
        psi=args.truncation,
        seed=args.seed,
        label_by=args.label_by,
        balance=args.balance,
        subsets=args.subsets,
        ratios=args.ratios,
        leak_n=args.leak_n,
        updates=args.updates,
        augment=not args.no_augmentation,
        say=say,
    )
    path = U.write_result(snap.run or Path(args.run), result)
    for line in U.summary_lines(result):
        say(line)
    say(f"wrote {path} ({result['seconds']:.0f}s)")
    return 0
