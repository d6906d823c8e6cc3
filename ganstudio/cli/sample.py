"""``ganstudio sample``: draw samples of a trained generator to .npy (data space) or .png."""

from __future__ import annotations

import argparse

from ganstudio.cli._common import add_no_ema, add_run, at_least, load, out_file, say, source


def add_parser(sub) -> None:
    s = sub.add_parser("sample", help="sample a trained generator to .npy or .png")
    add_run(s)
    s.add_argument("--n", type=int, default=64, metavar="N")
    s.add_argument("--seed", type=int, default=0, metavar="S")
    s.add_argument("--out", metavar="FILE.npy|FILE.png", required=True)
    add_no_ema(s)
    s.add_argument(
        "--class",
        dest="cls",
        metavar="K|NAME",
        help="conditional generators: draw only this class (an index or a name)",
    )


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ganstudio.errors import GanstudioError
    from ganstudio.generator import class_names, generate
    from ganstudio.io.media import save_samples
    from ganstudio.latent import class_index, sample_z, with_class

    out = out_file(args.out, (".npy", ".png"), "a .npy or .png file name")
    at_least("--n", args.n, 1)
    _, lg = load(args)
    z = sample_z(args.n, lg.cfg.z_dim, args.seed)
    what = ""
    if args.cls is not None:
        k = class_index(args.cls, lg.cfg.class_names, lg.cfg.n_classes or 0)
        z = with_class(z, lg.G, k)
        what = f", class {k} ({class_names(lg.cfg)[k]})"
    x = generate(lg.G, z).numpy().astype(np.float32)
    real = None
    if lg.is_2d and out.suffix.lower() == ".png":
        from ganstudio.explore import real_points

        real = real_points(lg.cfg.dataset)
    try:
        save_samples(x, out, real)
    except OSError as e:
        raise GanstudioError(f"cannot write {out}: {e.strerror or e}") from None
    say(f"wrote {out} ({args.n} samples from {source(lg.step, lg.ema)}{what})")
    return 0
