"""Load a trained generator and save a grid of samples as a PNG.

    python examples/sample_grid.py RUN grid.png [--n 64] [--seed 0] [--class NAME|K] [--columns 8]

RUN is a run folder, a checkpoint file or a folder written by `ganstudio export --format folder`.
Uses only the public API (ganstudio.load_generator) plus numpy and Pillow.
"""

import argparse

import numpy as np
from PIL import Image

import ganstudio


def grid(x: np.ndarray, columns: int, pad: int = 2) -> np.ndarray:
    """(N, C, H, W) floats in [-1, 1] -> one (rows*H, columns*W, C) uint8 picture."""
    n, c, h, w = x.shape
    rows = -(-n // columns)
    out = np.zeros((rows * (h + pad) + pad, columns * (w + pad) + pad, c), dtype=np.uint8)
    pixels = np.round((x.clip(-1, 1) + 1) * 127.5).astype(np.uint8).transpose(0, 2, 3, 1)  # (N, H, W, C)
    for i, img in enumerate(pixels):
        r, col = divmod(i, columns)
        out[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + col * (w + pad) : pad + col * (w + pad) + w] = img
    return out[..., 0] if c == 1 else out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run")
    p.add_argument("out")
    p.add_argument("--n", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--class", dest="cls", help="conditional generators: one class, by name or index")
    p.add_argument("--columns", type=int, default=8)
    args = p.parse_args()

    g = ganstudio.load_generator(args.run)  # EMA weights when the run kept them
    print(g)
    if g.kind != "image":
        raise SystemExit("this example draws images; a 2D run's samples are (N, 2) points: g.sample(n)")
    x = g.sample(args.n, seed=args.seed, cls=args.cls)  # (N, C, H, W) float32 in [-1, 1]
    Image.fromarray(grid(x, args.columns)).save(args.out)
    print(f"wrote {args.out}: {args.n} samples, seed {args.seed}" + (f", class {args.cls}" if args.cls else ""))


if __name__ == "__main__":
    main()
