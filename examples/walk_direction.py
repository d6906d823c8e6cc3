"""Walk one latent direction and save the frames as a strip (PNG) or an animation (GIF).

    ganstudio directions --run RUN --out dirs.json            # principal directions (or save them from the app)
    python examples/walk_direction.py RUN dirs.json walk.gif [--index 0] [--seed 0] [--frames 9] [--extent 3]

The JSON is a file from `ganstudio directions`, or a recipe the app exported (its
"directions" entry). Each frame is G(z + t * d) for t from -extent to +extent standard
deviations, z the seed's latent (the one the app shows for that seed) and d the direction.
Uses only the public API (ganstudio.load_generator) plus numpy and Pillow.
"""

import argparse
import json

import numpy as np
from PIL import Image

import ganstudio


def load_direction(path: str, index: int) -> np.ndarray:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if "vectors" not in data and isinstance(data.get("directions"), dict):  # an app recipe
        data = data["directions"]
    vectors = np.asarray(data["vectors"], dtype=np.float32)  # (k, Z), unit vectors
    if not 0 <= index < len(vectors):
        raise SystemExit(f"{path} holds {len(vectors)} directions; --index must be 0..{len(vectors) - 1}")
    return vectors[index]


def to_pictures(x: np.ndarray, scale: int) -> list[Image.Image]:
    """(F, C, H, W) floats in [-1, 1] -> F Pillow images, enlarged ``scale`` times."""
    pixels = np.round((x.clip(-1, 1) + 1) * 127.5).astype(np.uint8).transpose(0, 2, 3, 1)
    pics = [Image.fromarray(p[..., 0] if p.shape[2] == 1 else p) for p in pixels]
    return [p.resize((p.width * scale, p.height * scale), Image.NEAREST) for p in pics]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run")
    p.add_argument("directions")
    p.add_argument("out", help="FILE.png (a strip) or FILE.gif")
    p.add_argument("--index", type=int, default=0, help="which direction (0 = the one that explains the most)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--frames", type=int, default=9)
    p.add_argument("--extent", type=float, default=3.0)
    p.add_argument("--scale", type=int, default=4, help="enlarge each frame this many times")
    args = p.parse_args()

    g = ganstudio.load_generator(args.run)
    d = load_direction(args.directions, args.index)
    if d.shape != (g.z_dim,):
        raise SystemExit(f"the direction has {d.shape[0]} values; this generator takes z of size {g.z_dim}")
    if g.kind != "image":
        raise SystemExit("this example draws images; for a 2D run, g.decode(path) gives the (N, 2) points")
    z = g.latents(1, seed=args.seed)  # (1, Z)
    t = np.linspace(-args.extent, args.extent, args.frames, dtype=np.float32)
    path = z + t[:, None] * d[None, :]  # (F, Z)
    frames = to_pictures(g.decode(path), args.scale)
    if args.out.lower().endswith(".gif"):
        frames[0].save(args.out, save_all=True, append_images=frames[1:], duration=120, loop=0)
    else:
        w, h = frames[0].size
        strip = Image.new(frames[0].mode, (w * len(frames), h))
        for i, f in enumerate(frames):
            strip.paste(f, (i * w, 0))
        strip.save(args.out)
    print(f"wrote {args.out}: {args.frames} frames along direction {args.index}, seed {args.seed}")


if __name__ == "__main__":
    main()
