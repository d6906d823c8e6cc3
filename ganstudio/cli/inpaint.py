"""``ganstudio inpaint``: fill the missing pixels of images with the generator (inpainting.py)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ganstudio.cli._common import add_no_ema, add_run, at_least, load, out_file, provenance, say
from ganstudio.cli._progress import updates_bar
from ganstudio.errors import GanstudioError


def add_parser(sub) -> None:
    from ganstudio.inpainting import BLEND, BLENDS, MASK_HELP, STEPS

    pr = sub.add_parser(
        "inpaint",
        help="restore the missing pixels of images with the generator",
        description="Inpaint (Yeh et al. 2017): find the latent whose output matches an image's known "
        "pixels (Adam on z from several seeded starts; a conditional generator tries its classes) "
        "and put its pixels into the hole by Poisson blending (G's detail, its edge meeting the known "
        "pixels); the known pixels come back unchanged. Writes the filled image(s) to --out and "
        "OUT.json beside it: the run, checkpoint, mask, seed and, per image, the class found, the "
        "error on the known pixels and the latent.",
    )
    add_run(pr)
    what = pr.add_mutually_exclusive_group(required=True)
    what.add_argument("--image", metavar="FILE", help="an image file (resized and cropped as the run's data)")
    what.add_argument("--index", type=int, metavar="K", help="item K of the run's dataset")
    what.add_argument(
        "--images", metavar="FILE.npy", help="(N, C, H, W) float32 in [-1, 1], as `sample` writes: all inpainted"
    )
    pr.add_argument(
        "--mask",
        required=True,
        metavar="MASK",
        help=f"{MASK_HELP}: center is the centre square of half the side, left..bottom a half, "
        "random:P drops a share P of the pixels (seeded by --seed), a PNG is white where pixels are missing",
    )
    pr.add_argument("--steps", type=int, default=STEPS, metavar="N", help=f"Adam steps (default {STEPS})")
    pr.add_argument("--seed", type=int, default=0, metavar="S", help="seeds the starting latents and random masks")
    pr.add_argument(
        "--blend",
        choices=BLENDS,
        default=BLEND,
        help=f"how G's pixels meet the known ones: poisson or alpha (feathered over 2 pixels); default {BLEND}",
    )
    pr.add_argument(
        "--no-class-prior",
        action="store_true",
        help="a conditional generator's class from the fit alone, not also from a classifier of images "
        "with holes (trained once on the run's data, then cached)",
    )
    add_no_ema(pr)
    pr.add_argument("--out", metavar="FILE.png|FILE.npy", required=True)


def run(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.generator import class_names
    from ganstudio.inpainting import CLASS_WEIGHT, inpaint, parse_mask

    out = out_file(args.out, (".png", ".npy"), "a .png or .npy file name (OUT.json goes beside it)")
    if args.images is not None and out.suffix.lower() != ".npy":
        raise GanstudioError(f"--out {out}: --images writes a .npy file (the filled images, same shape and order)")
    at_least("--steps", args.steps, 0)
    if not out.parent.is_dir():
        raise GanstudioError(f"--out {out}: no such folder {out.parent}")
    ckpt, lg = load(args)
    if lg.is_2d:
        raise GanstudioError(f"{args.run} trains on 2D points; inpaint needs an image generator")
    cfg = lg.cfg
    shape = tuple(int(s) for s in lg.meta["sample_shape"])
    parse_mask(args.mask, shape[-1], 1, seed=args.seed)  # a bad mask is refused before any image loads
    images, what, ds = _images(args, cfg, shape)
    hole = parse_mask(args.mask, shape[-1], len(images), seed=args.seed)
    prior = None if args.no_class_prior or not getattr(lg.G, "n_classes", 0) else _class_prior(cfg, images, hole, ds)

    bar, n = None, len(images)
    if sys.stderr.isatty():
        from tqdm import tqdm

        # in image-steps, shown as images done: a batch of 512 advances together
        fmt = "{desc}: {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]"
        bar = tqdm(total=n * args.steps, desc="inpainting", bar_format=fmt, dynamic_ncols=True, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.set_postfix_str(f"{done / max(1, args.steps):.0f}/{n} images", refresh=False)
            bar.update(done - bar.n)

    try:
        res = inpaint(
            lg.G,
            images,
            hole,
            cfg.z_dim,
            steps=args.steps,
            seed=args.seed,
            progress=progress,
            blend=args.blend,
            class_prior=None if prior is None else prior[0],
        )
    finally:
        if bar is not None:
            bar.close()
    names = class_names(cfg)
    row = {
        **provenance(args.run, ckpt, lg.step, lg.ema),
        "mask": args.mask,
        "seed": args.seed,
        "steps": args.steps,
        "blend": args.blend,
        "class_prior": None if prior is None else {"accuracy": prior[1], "weight": CLASS_WEIGHT},
        "input": what,
        "output": out.name,
        "images": [
            {
                "class": c,
                "class_name": names[c] if c is not None and c < len(names) else None,
                "known_mse": float(m),
                "z": [float(v) for v in z],
            }
            for c, m, z in zip(res.cls, res.known_mse, res.z)
        ],
        "z_dim": cfg.z_dim,
        "ganstudio_version": __version__,
    }
    _write(out, res.filled, json.dumps(row, indent=2) + "\n")
    mse = float(np.median(res.known_mse))
    found = f", class {res.cls[0]} ({row['images'][0]['class_name']})" if n == 1 and res.cls[0] is not None else ""
    say(
        f"inpainted {n} image{'s' if n != 1 else ''} ({args.mask}) in step {lg.step}{found}: "
        f"{'median ' if n > 1 else ''}MSE on the known pixels {mse:.5f}. "
        f"Wrote {out} and {out.with_suffix('.json').name}"
    )
    return 0


def _class_prior(cfg, images: np.ndarray, hole: np.ndarray, ds=None) -> tuple[np.ndarray, float] | None:
    """(p(class | known pixels) per image, the prior's accuracy) from the run's data (``ds`` when
    it is loaded already); None, with a warning, when that data cannot be read here (the fit
    alone chooses the class then)."""
    from ganstudio.class_prior import get_class_prior
    from ganstudio.data import load_dataset

    if ds is None:
        try:
            ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
        except GanstudioError as e:
            say(f"warning: cannot load the run's dataset ({e}); the class is chosen by the fit alone")
            return None
    if tuple(ds.data.shape[1:]) != tuple(images.shape[1:]):
        say(f"warning: {cfg.dataset} now gives {ds.data.shape[1:]} items; the class is chosen by the fit alone")
        return None
    with updates_bar("class prior") as progress:
        prior = get_class_prior(ds.data, ds.labels, log=say, progress=progress)
    return None if prior is None else (prior.probs(images, hole), prior.accuracy)


def _images(args: argparse.Namespace, cfg, shape: tuple[int, ...]) -> tuple[np.ndarray, dict, object]:
    """(the images (N, C, H, W) in [-1, 1], what they are for the JSON, the run's dataset when
    it was loaded for them)."""
    from ganstudio.projection import load_image

    if args.image is not None:
        return load_image(args.image, shape[1], shape[0])[None], {"image": str(Path(args.image).resolve())}, None
    if args.index is not None:
        from ganstudio.data import load_dataset

        ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
        if not 0 <= args.index < len(ds.data):
            raise GanstudioError(f"--index {args.index}: {cfg.dataset} has items 0..{len(ds.data) - 1}")
        x = ds.data[args.index][None]
        if tuple(x.shape[1:]) != shape:
            raise GanstudioError(
                f"the dataset {cfg.dataset} now gives {tuple(x.shape[1:])} items; the checkpoint was trained on {shape}"
            )
        return x, {"index": args.index}, ds
    path = Path(args.images)
    try:
        x = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise GanstudioError(f"--images {path}: no such file") from None
    except (ValueError, OSError) as e:
        raise GanstudioError(f"--images {path}: not a .npy array ({e})") from None
    if x.ndim != 4 or tuple(x.shape[1:]) != shape or not len(x):
        raise GanstudioError(f"--images {path} holds {x.shape}; this generator wants (N, {', '.join(map(str, shape))})")
    if not np.issubdtype(x.dtype, np.floating):
        raise GanstudioError(f"--images {path} holds {x.dtype}; use float32 in [-1, 1] (as `sample` writes)")
    x = x.astype(np.float32, copy=False)
    if not np.isfinite(x).all() or x.min() < -1.001 or x.max() > 1.001:
        raise GanstudioError(f"--images {path}: values must be finite and in [-1, 1] (as `sample` writes)")
    return np.clip(x, -1, 1), {"images": str(path.resolve()), "count": len(x)}, None


def _write(out: Path, filled: np.ndarray, meta: str) -> None:
    """The output and OUT.json, each committed by rename: a failure leaves neither half-written."""
    from ganstudio.data.imageops import save_png, unit_to_uint8

    side = out.with_suffix(".json")
    tmp = []
    try:
        for path in (out, side):
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
            os.close(fd)
            tmp.append(Path(name))
        if out.suffix.lower() == ".npy":
            np.save(tmp[0], filled.astype(np.float32))
        else:
            save_png(unit_to_uint8(filled[0]).transpose(1, 2, 0), tmp[0])
        tmp[1].write_text(meta, encoding="utf-8")
        os.replace(tmp[0], out)
        os.replace(tmp[1], side)
    except OSError as e:
        for t in tmp:
            t.unlink(missing_ok=True)
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
