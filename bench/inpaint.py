"""Inpainting judged against the classic fills, on held-out images.

    python bench/inpaint.py --run RUN [--checkpoint FILE] [--mask center] [--n 500] [--steps 200]
                            [--prior shell|d|both] [--methods mean harmonic exemplar ganstudio]
                            [--boundary W] [--blend poisson|alpha] [--class-weight W] [--picture FILE.png]

Held-out images only: the test split (t10k-*) of an MNIST-format run's data, else the last
HELD_OUT share of the run's dataset (a held-out share of a folder; the run trained on all of
it, so say so when quoting those figures). --n of them (a seeded pick) lose their --mask, and
each method fills the hole:

* ``mean``: the mean training image's pixels;
* ``harmonic``: the Laplace equation solved in the hole with the known pixels as its boundary
  (inpainting.harmonic: conjugate gradients; no flux through the image's edges);
* ``exemplar``: the training image nearest on the known pixels (all of them), its hole copied in;
* ``ganstudio``: inpainting.inpaint as ``ganstudio inpaint --images`` runs it (same defaults),
  with ``--prior``: the typical-shell prior (the default), D's realism term, or both, and
  ``--blend``: Poisson blending (the default) or the 2-pixel feathered alpha blend, and
  ``--class-weight``: the class prior's weight (class_prior.py, trained on the training images
  only; 0: none).

Per method: PSNR over the hole only (pixels in [0, 1]; median over images), "class kept" (the
evaluation's feature net, metrics/features.py, still gives the true class; the unmasked
originals' share first), the largest change outside the hole (and, for ganstudio's alpha blend,
outside its 2-pixel feather) and seconds per image (all images at once; threads as PyTorch's default).
``--picture`` saves the first 8 images as rows: with the hole (grey), each method's fill, the original.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELD_OUT = 0.1
D_WEIGHT = 0.01  # D's realism term's weight with --prior d|both (pixel MSE is ~0.01-0.1)


def held_out(cfg, n: int, seed: int = 0):
    """(images (n, C, H, W) in [-1, 1], labels or None, what they are, the training dataset)."""
    from ganstudio.data import load_dataset, named

    ds = load_dataset(cfg.dataset, cfg.image_size, cfg.channels, seed=cfg.seed)
    test = None
    if cfg.dataset in named.NAMED:
        train = Path(named.find(cfg.dataset))
        test = train.with_name(train.name.replace("train-images", "t10k-images"))
    if test is not None and test.is_file():
        t = load_dataset(f"idx:{test}", cfg.image_size, cfg.channels)
        data, labels, what = t.data, t.labels, f"test images ({test.name})"
    else:
        k = max(1, int(len(ds.data) * HELD_OUT))
        data, labels = ds.data[-k:], (ds.labels[-k:] if ds.labels is not None else None)
        what = f"the last {HELD_OUT:.0%} of {cfg.dataset} (the run trained on them too)"
    pick = np.sort(np.random.default_rng(seed).choice(len(data), min(n, len(data)), replace=False))
    return data[pick], (labels[pick] if labels is not None else None), what, ds


def harmonic_fill(x: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Each hole pixel the mean of its 4 neighbours (Laplace), the known pixels fixed."""
    from ganstudio.inpainting import harmonic

    return harmonic(x, hole).numpy()


def exemplar_fill(x: np.ndarray, hole: np.ndarray, train: np.ndarray) -> np.ndarray:
    """The training image nearest on each image's known pixels, its hole copied in."""
    tr = torch.from_numpy(train).flatten(1)
    tr2 = (tr * tr).T  # (D, M)
    out = x.copy()
    for i in range(0, len(x), 100):
        xb = torch.from_numpy(x[i : i + 100]).flatten(1)
        m = (~torch.from_numpy(hole[i : i + 100]))[:, None].expand(-1, x.shape[1], -1, -1).flatten(1).float()
        d = -2 * (m * xb) @ tr.T + m @ tr2  # + sum m x^2, the same for every training image
        best = d.argmin(1)
        h = torch.from_numpy(hole[i : i + 100])[:, None].expand(-1, x.shape[1], -1, -1)
        out[i : i + 100] = torch.where(
            h, torch.from_numpy(train[best.numpy()]), torch.from_numpy(x[i : i + 100])
        ).numpy()
    return out


def psnr_hole(filled: np.ndarray, x: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """PSNR (dB, pixels in [0, 1]) over each image's hole."""
    h = np.broadcast_to(hole[:, None], x.shape)
    err = (((filled - x) / 2) ** 2 * h).reshape(len(x), -1).sum(1) / h.reshape(len(x), -1).sum(1)
    return 10 * np.log10(1.0 / np.maximum(err, 1e-12))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--checkpoint")
    ap.add_argument("--mask", default="center")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--prior", choices=("shell", "d", "both"), default="shell")
    ap.add_argument("--methods", nargs="+", default=["mean", "harmonic", "exemplar", "ganstudio"])
    ap.add_argument("--picture", metavar="FILE.png")
    ap.add_argument("--blend", choices=("poisson", "alpha"), default="poisson")
    ap.add_argument(
        "--boundary",
        type=float,
        default=None,
        help="the context loss's boundary weight (default inpainting.BOUNDARY; 0: a plain MSE)",
    )
    ap.add_argument(
        "--class-weight",
        type=float,
        default=None,
        help="weight of -log p(class | known pixels) (default inpainting.CLASS_WEIGHT; 0: no class prior)",
    )
    args = ap.parse_args()

    from ganstudio.class_prior import get_class_prior
    from ganstudio.generator import find_checkpoint, load_generator
    from ganstudio.inpainting import FEATHER, STEPS, feather_alpha, inpaint, load_discriminator, parse_mask
    from ganstudio.metrics.features import get_features

    steps = STEPS if args.steps is None else args.steps
    ckpt = find_checkpoint(args.run, args.checkpoint)
    lg = load_generator(ckpt)
    cfg = lg.cfg
    x, labels, what, ds = held_out(cfg, args.n)
    hole = parse_mask(args.mask, x.shape[-1], len(x), seed=args.seed)
    net = get_features(ds.data, ds.labels, seed=0)

    def kept(images: np.ndarray) -> float | None:
        if labels is None or net.net.n_classes == 0:
            return None
        _, p = net.embed(images)
        return float((p.argmax(1) == labels).mean())

    load = os.getloadavg()
    print(
        f"{cfg.dataset} run {Path(args.run).name}, {ckpt.name} (step {lg.step}); {len(x)} held-out {what}; "
        f"mask {args.mask}; torch threads {torch.get_num_threads()}; load average {load[0]:.2f} {load[1]:.2f}"
    )
    k0 = kept(x)
    print(f"unmasked originals: class kept {k0:.3f}" if k0 is not None else "unlabelled: no class kept")
    band = feather_alpha(hole, FEATHER)[:, 0].numpy() > 0
    columns = [np.where(hole[:, None], 0.0, x)]  # the hole shown mid grey
    for method in args.methods:
        t0 = time.perf_counter()
        extra = ""
        if method == "mean":
            filled = np.where(hole[:, None], ds.data.mean(0, keepdims=True), x).astype(np.float32)
        elif method == "harmonic":
            filled = harmonic_fill(x, hole)
        elif method == "exemplar":
            filled = exemplar_fill(x, hole, ds.data)
        elif method == "ganstudio":
            kw = {"blend": args.blend} | ({} if args.boundary is None else {"boundary": args.boundary})
            if args.class_weight is not None:
                kw["class_weight"] = args.class_weight
            prior = get_class_prior(ds.data, ds.labels) if getattr(lg.G, "n_classes", 0) else None
            if prior is not None and args.class_weight != 0:
                t0 = time.perf_counter()  # a cached prior: its training is not the method's time per image
                kw["class_prior"] = prior.probs(x, hole)
                extra += f"; class prior ({prior.accuracy:.0%} right with random holes)"
            if args.prior != "shell":
                kw |= {"D": load_discriminator(ckpt), "realism_weight": D_WEIGHT}
                if args.prior == "d":
                    kw["prior_weight"] = 0.0
            res = inpaint(lg.G, x, hole, cfg.z_dim, steps=steps, seed=args.seed, **kw)
            filled = res.filled
            extra += f"; {steps} steps, prior {args.prior}, {args.blend} blend"
            if args.blend == "alpha":
                off = np.abs(filled - x)[np.broadcast_to(~band[:, None], x.shape)]
                extra += f"; outside the {FEATHER}-pixel feather {float(off.max()) / 2 if off.size else 0:.3g}"
            extra += f"; known-pixel MSE {float(np.median(res.known_mse)):.4f}"
        else:
            raise SystemExit(f"unknown method {method}")
        dt = (time.perf_counter() - t0) / len(x)
        ps = statistics.median(psnr_hole(filled, x, hole).tolist())
        out = np.abs(filled - x)[np.broadcast_to(~hole[:, None], x.shape)] / 2  # [0, 1] units
        k = kept(filled)
        columns.append(filled)
        print(
            f"{method:10s} hole PSNR {ps:5.1f} dB  class kept {k if k is not None else float('nan'):.3f}  "
            f"outside the hole: max change {float(out.max()):.3f}  {dt * 1000:.1f} ms/image{extra}",
            flush=True,
        )
    if args.picture:
        from ganstudio.data.imageops import make_grid, save_png, unit_to_uint8

        rows = min(8, len(x))
        cells = np.stack([c[:rows] for c in [*columns, x]], 1).reshape(-1, *x.shape[1:])  # row by row
        grid = make_grid(unit_to_uint8(cells), nrow=len(columns) + 1, pad_value=255)  # (H', W', C)
        big = np.kron(grid, np.ones((3, 3, 1), np.uint8))  # 3x: 28 px images are tiny in a README
        save_png(big, args.picture)
        print(f"columns: hole, {', '.join(args.methods)}, original -> {args.picture}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
