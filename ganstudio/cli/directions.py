"""``ganstudio directions``: GANSpace-style principal latent directions of a generator, to JSON."""

from __future__ import annotations

import argparse

from ganstudio.cli._common import add_no_ema, add_run, at_least, load, out_file, provenance, say, write_text


def add_parser(sub) -> None:
    d = sub.add_parser("directions", help="compute GANSpace-style principal latent directions to JSON")
    add_run(d)
    d.add_argument("--n", type=int, default=2000, metavar="N", help="samples for the PCA (default 2000)")
    d.add_argument("--k", type=int, default=8, metavar="K", help="directions to keep (default 8)")
    d.add_argument("--seed", type=int, default=0, metavar="S")
    add_no_ema(d)
    d.add_argument("--out", metavar="FILE.json", required=True)


def run(args: argparse.Namespace) -> int:
    from ganstudio import __version__
    from ganstudio.latent import principal_directions

    out = out_file(args.out, (".json",), "a .json file name")
    at_least("--n", args.n, 2)
    at_least("--k", args.k, 1)
    ckpt, lg = load(args)
    dirs = principal_directions(lg.G, lg.cfg.z_dim, n=args.n, k=args.k, seed=args.seed)
    dirs.meta = {"ganstudio_version": __version__, **provenance(args.run, ckpt, lg.step, lg.ema)}
    write_text(out, dirs.to_json() + "\n")
    ratios = ", ".join(f"{r:.3f}" for r in dirs.variance_ratio.tolist())
    say(f"wrote {out} ({dirs.k} directions from {args.n} samples at step {lg.step}; variance {ratios})")
    return 0
