"""Nearest real images: query time against a whole training set, and memorisation figures.

    python bench/neighbours.py [--dataset fashion-mnist] [--queries 100] [--k 8] [--threads 2]
                               [--runs RUN [RUN ...]] [--n 1000]

Query: one image (a training image with a little noise, so it is not in the index as such)
-> its k nearest training images by the feature net's features and by pixels, as the app's
Latent tab asks for the preview: the image through the feature net, one float32 matrix
product against the cached features (N x 128) and one against the pixels (N x C*H*W), each
with precomputed squared norms, then an exact re-ranking of the best candidates. Timed over
--queries queries after 5 warm-up ones: median and p95 in ms, in total and per part. The
first run on a dataset builds the index (all N images through the feature net) and caches
it beside the feature net; that time is printed too.

Memorisation: the share of --n samples (the evaluation noise of `ganstudio evaluate`) whose
nearest training image is closer than training images are to each other, for each run's
latest and best checkpoints, beside a generator that copies training images (a lookup by
nearest anchor latent) and a fresh, untrained one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import percentile  # noqa: E402


class Copier(torch.nn.Module):
    """G(z) = the training image whose anchor latent is nearest z (a generator that memorised)."""

    def __init__(self, images: np.ndarray, z_dim: int):
        super().__init__()
        from ganstudio.latent import sample_z

        self.register_buffer("images", torch.from_numpy(images))
        self.register_buffer("anchors", sample_z(len(images), z_dim, 99))
        self.unused = torch.nn.Parameter(torch.zeros(()), requires_grad=False)

    def forward(self, z):
        return self.images[torch.cdist(z, self.anchors).argmin(1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="fashion-mnist")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: PyTorch's default)")
    ap.add_argument("--runs", nargs="*", default=[], metavar="RUN")
    ap.add_argument("--n", type=int, default=1000, help="samples per memorisation figure")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from ganstudio.metrics.neighbours import index_path, load_reference

    from ganstudio.data import load_dataset
    from ganstudio.metrics.features import cache_dir, data_key

    t0 = time.perf_counter()
    ds = load_dataset(args.dataset)
    key = data_key(ds.data, ds.labels if ds.n_classes else None, 0)
    had_index = index_path(cache_dir() / "features" / f"{key}.safetensors").is_file()
    t1 = time.perf_counter()
    ref = load_reference(args.dataset, dataset=ds)
    index = ref.index
    print(
        f"{args.dataset}: {len(ds.data):,} images {'x'.join(map(str, ds.sample_shape))} loaded in {t1 - t0:.1f} s; "
        f"feature net and index ready in {time.perf_counter() - t1:.1f} s ("
        + (
            "index read from the cache"
            if had_index
            else f"index built: all {len(ds.data):,} images through the feature net, then cached"
        )
        + f"); threshold (median real-to-real NN distance) {index.threshold:.3f}"
    )
    print(f"torch threads: {torch.get_num_threads()}")

    rng = np.random.default_rng(0)
    pick = rng.choice(len(ds.data), args.queries + 5, replace=False)
    queries = np.clip(ds.data[pick] + rng.normal(0, 0.05, ds.data[pick].shape).astype(np.float32), -1, 1)
    total, embed, feat, pix = [], [], [], []
    for i, q in enumerate(queries):
        q = q[None]
        t0 = time.perf_counter()
        f = ref.features(q)
        t1 = time.perf_counter()
        index.by_features(f, args.k)
        t2 = time.perf_counter()
        index.by_pixels(q, args.k)
        t3 = time.perf_counter()
        if i >= 5:  # warm-up
            total.append(1e3 * (t3 - t0))
            embed.append(1e3 * (t1 - t0))
            feat.append(1e3 * (t2 - t1))
            pix.append(1e3 * (t3 - t2))
    for name, xs in (
        ("one query, features + pixels", total),
        ("  the image through the feature net", embed),
        ("  nearest by features", feat),
        ("  nearest by pixels", pix),
    ):
        print(f"{name:38s} median {statistics.median(xs):6.2f} ms   p95 {percentile(xs, 95):6.2f} ms")

    from ganstudio.metrics.evaluate import EVAL_SEED
    from ganstudio.models.dcgan import DCGANGenerator

    def memorized(G, z_dim: int) -> float:
        z = torch.randn(args.n, z_dim, generator=torch.Generator().manual_seed(EVAL_SEED))
        with torch.no_grad():
            x = torch.cat([G.eval()(z[i : i + 500]) for i in range(0, args.n, 500)]).float().numpy()
        return index.memorized(ref.features(x))

    print(
        f"\nmemorized (% of {args.n} samples nearer a training image than the median training image is to "
        f"its nearest other one):"
    )
    # calibration: real images that are not in the index (an index of one half, the other half as samples)
    from ganstudio.metrics.neighbours import NeighbourIndex, real_threshold

    perm = np.random.default_rng(0).permutation(len(index))
    half_a, half_b = perm[: len(perm) // 2], perm[len(perm) // 2 :][: args.n]
    half = NeighbourIndex(index.features[half_a], None, real_threshold(index.features[half_a]))
    print(f"  {'real images held out of an index of the other half':60s} {half.memorized(index.features[half_b]):5.1f}")
    shape = ds.sample_shape
    print(f"  {'a generator that copies 1,000 training images':60s} {memorized(Copier(ds.data[:1000], 32), 32):5.1f}")
    fresh = DCGANGenerator(32, shape[0], shape[1], width=32, n_classes=0)
    print(f"  {'a fresh, untrained DCGAN':60s} {memorized(fresh, 32):5.1f}")
    from ganstudio.io.rundir import RunDir
    from ganstudio.generator import load_generator

    for run in args.runs:
        rd = RunDir(run)
        cks = [(f"step {s}", p) for s, p in rd.checkpoints()]
        if rd.best_checkpoint_path.exists():
            cks.append(("best", rd.best_checkpoint_path))
        for label, path in cks:
            lg = load_generator(path)
            if lg.cfg.dataset != args.dataset:
                print(f"  {run}: trained on {lg.cfg.dataset}, not {args.dataset}; skipped")
                break
            print(f"  {Path(run).name + ' ' + label:60s} {memorized(lg.G, lg.cfg.z_dim):5.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
