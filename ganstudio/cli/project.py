"""``ganstudio project``: the latent whose output is closest to an image (projection.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ganstudio.cli._common import add_no_ema, add_run, at_least, load, out_file, provenance, say
from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    pr = sub.add_parser(
        "project",
        help="find the latent whose output is closest to an image",
        description="Project an image (a training item or an image file) into the generator: "
        "Adam on z from several starts, a pixel loss plus a loss in the quality "
        "feature net's features, and a prior that keeps z typical. Writes the "
        "latent and errors as JSON and the reconstruction as PNG beside it "
        "(OUT.png); prints the error against two baselines: a random z and the "
        "best of 10,000 random latents.",
    )
    add_run(pr)
    what = pr.add_mutually_exclusive_group(required=True)
    what.add_argument("--image", metavar="FILE", help="an image file (resized and cropped as the run's data)")
    what.add_argument("--index", type=int, metavar="K", help="item K of the run's dataset")
    pr.add_argument("--steps", type=int, default=300, metavar="N", help="Adam steps (default 300)")
    pr.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the starting latents")
    add_no_ema(pr)
    pr.add_argument("--out", metavar="FILE.json", required=True)


def run(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.data.imageops import save_png, unit_to_uint8
    from ganstudio.generator import class_names
    from ganstudio.metrics.features import get_features
    from ganstudio.projection import BASELINE_N, baselines, project

    out = out_file(args.out, (".json",), "a .json file name (the reconstruction goes beside it as .png)")
    at_least("--steps", args.steps, 0)
    ckpt, lg = load(args)
    if lg.is_2d:
        raise GanstudioError(f"{args.run} trains on 2D points; project needs an image generator")
    cfg = lg.cfg
    ds, target, what = _target(args, cfg, tuple(int(s) for s in lg.meta["sample_shape"]))
    net = get_features(ds.data, ds.labels, seed=0, log=say) if ds is not None else None

    def progress(res) -> None:
        if res.step % 100 == 0 or res.finished:
            say(f"step {res.step}/{res.steps}  pixel MSE {res.pixel_mse:.5f}")

    res = project(lg.G, target, cfg.z_dim, net, steps=args.steps, seed=args.seed, callback=progress, every=25)
    base = baselines(lg.G, target, cfg.z_dim)
    png = out.with_suffix(".png")
    row = {
        "z": [float(v) for v in res.z],
        "class": res.cls,
        "class_name": class_names(cfg)[res.cls] if res.cls is not None else None,
        "loss": res.loss,
        "pixel_mse": res.pixel_mse,
        "baseline_random_mse": base["random_mse"],
        f"baseline_best_of_{BASELINE_N}_mse": base["best_mse"],
        "target": what,
        "steps": args.steps,
        "seed": args.seed,
        "feature_loss": net is not None,
        "image": png.name,
        **provenance(args.run, ckpt, lg.step, lg.ema),
        "z_dim": cfg.z_dim,
        "ganstudio_version": __version__,
    }
    try:
        save_png(unit_to_uint8(res.image).transpose(1, 2, 0), png)
        out.write_text(json.dumps(row, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
    cls = f", class {res.cls} ({row['class_name']})" if res.cls is not None else ""
    item = f"item {args.index}" if args.index is not None else Path(args.image).name
    say(
        f"projected {item} into step {lg.step}{cls}: pixel MSE {res.pixel_mse:.5f}; a random z "
        f"{base['random_mse']:.5f} (mean of {BASELINE_N:,}), the best of {BASELINE_N:,} random "
        f"{base['best_mse']:.5f}. Wrote {out} and {png.name}"
    )
    return 0


def _target(args: argparse.Namespace, cfg, shape: tuple[int, ...]):
    """(the run's dataset or None, the target image (C, H, W), what it is for the JSON)."""
    from ganstudio.data import load_dataset
    from ganstudio.projection import load_image

    try:
        ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
    except GanstudioError as e:
        if args.index is not None:
            raise
        ds = None  # the run's data may live on another machine: a pixel loss alone
        say(f"warning: cannot load the run's dataset ({e}); projecting with the pixel loss alone")
    if args.index is not None:
        if not 0 <= args.index < len(ds.data):
            raise GanstudioError(f"--index {args.index}: {cfg.dataset} has items 0..{len(ds.data) - 1}")
        target, what = ds.data[args.index], {"index": args.index}
    else:
        target, what = load_image(args.image, shape[1], shape[0]), {"image": str(Path(args.image).resolve())}
    if tuple(target.shape) != shape:
        raise GanstudioError(
            f"the dataset {cfg.dataset} now gives {tuple(target.shape)} items; the checkpoint was trained on {shape}"
        )
    return ds, target, what
