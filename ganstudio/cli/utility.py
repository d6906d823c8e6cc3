"""``ganstudio utility``: what a run's synthetic data is worth for training (CAS, the
augmentation curve) and whether it leaks training images; RUN/utility.json
(ganstudio/metrics/utility.py)."""

from __future__ import annotations

import argparse
import json
import time

from ganstudio.cli._common import add_no_ema, add_run, at_least, load, provenance, say, source

UTILITY_FILE = "utility.json"


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
    from ganstudio.synth import DEFAULT_FILTER, DEFAULT_PSI

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
    s.add_argument("--filter", default=f"confident:{DEFAULT_FILTER:g}", metavar="confident:P|none")
    s.add_argument("--truncation", type=float, default=DEFAULT_PSI, metavar="PSI")
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

    from ganstudio.errors import GanstudioError
    from ganstudio.metrics import utility as U
    from ganstudio.synth import generate_set, parse_filter

    at_least("--per-class", args.per_class, 1)
    at_least("--leak-n", args.leak_n, 1)
    if args.updates is not None:
        at_least("--updates", args.updates, 1)
    filter_p = parse_filter(args.filter)
    ckpt, snap = load(args)
    if snap.is_2d:
        raise GanstudioError("this run draws 2D points: utility measures image datasets")
    n_classes = int(getattr(snap.G, "n_classes", 0) or 0)
    if not n_classes:
        raise GanstudioError("utility needs a conditional generator (train with --conditional on labelled data)")
    run_dir = Path(args.run)
    out_path = (snap.run or run_dir) / UTILITY_FILE
    t0 = time.perf_counter()
    ref = U.load_reference(snap.cfg, log=say)
    say(f"held-out images: {len(ref.held.data):,}, {ref.held_from}")
    s = generate_set(
        snap, per_class=args.per_class, filter_p=filter_p, seed=args.seed, psi=args.truncation, features=ref.features
    )
    say(f"synthetic set: {len(s):,} images from {source(snap.step, snap.ema)} ({s.info['filter'] or 'no filter'})")
    x_train, y_train = ref.train.data, ref.train.labels
    x_test, y_test = ref.held.data, ref.held.labels
    if y_test is None or y_train is None:
        raise GanstudioError("the held-out images have no labels: CAS needs labelled real data")
    result = {
        **provenance(args.run, ckpt, snap.step, snap.ema),
        "held_out": ref.held_from,
        "class_names": s.class_names,
        "synthetic": {k: s.info[k] for k in ("filter", "truncation", "seed", "drawn", "kept_share")}
        | {"per_class": args.per_class},
        "feature_net_accuracy": ref.features.score,
    }
    result["cas"] = U.cas(s.x, s.y, x_train, y_train, x_test, y_test, n_classes, args.seed, args.updates, say)
    if not args.no_augmentation:
        rows = U.augmentation(
            x_train, y_train, s.x, s.y, x_test, y_test, n_classes, args.subsets, args.ratios, args.seed, say
        )
        result["augmentation"] = rows
        result["augmentation_best"] = U.best_ratios(rows)
    result["leakage"] = U.leakage(
        U.as_float(s.x).numpy(),
        x_train,
        ref.held.data,
        ref.features,
        ref.train_features,
        ref.memorized_threshold,
        n=args.leak_n,
        seed=args.seed,
    )
    result["seconds"] = round(time.perf_counter() - t0, 1)
    try:
        tmp = out_path.with_name(f".{UTILITY_FILE}.tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        tmp.replace(out_path)
    except OSError as e:
        raise GanstudioError(f"cannot write {out_path}: {e.strerror or e}") from None
    for line in U.summary_lines(result):
        say(line)
    say(f"wrote {out_path} ({result['seconds']:.0f}s)")
    return 0
