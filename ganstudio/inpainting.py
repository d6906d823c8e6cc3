"""Inpainting: fill the missing pixels of images with the generator (Yeh et al. 2017,
"Semantic Image Inpainting with Deep Generative Models"). Pure torch; no Qt.

A masked projection: the latent whose output matches the *known* pixels, found as
projection.py finds one (its Projector's rows, Adam schedule, pruning and conditional
classes), minimising per image

    weighted MSE over the known pixels  +  PRIOR_WEIGHT * (||z||^2 / d - 1)^2  [+ w_D * softplus(-D(G(z)))]

(a conditional G's rows also pay CLASS_WEIGHT * -log p(their class | the known pixels), the
class prior of class_prior.py: a constant per row, so it ranks the rows and steers no z)

then putting G(z) into the hole by Poisson blending (its gradients, its edge meeting the known
pixels; ``blend="alpha"``: an alpha of 1 in the hole falling to 0 over FEATHER pixels around
it): the known pixels come back bit for bit. Many
images are inpainted at once: each has STARTS rows (the best of one shared seeded pool of
latents on its known pixels: one G pass for the whole batch; a conditional G's pool holds
every class), KEEP of which go on after a quarter of the steps.

The prior: the typical-shell term alone. D's realism term (Yeh et al.'s "perceptual loss"),
instead of it or beside it, changed hole PSNR by -0.3..+0.1 dB and class kept by at most a
point, at 2-3x the time (see bench/inpaint.py --prior); ``realism_weight`` keeps it to re-measure.

A hole is a boolean (H, W) array, True where the pixel is missing (a mask PNG is white there).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganstudio.errors import GanstudioError
from ganstudio.projection import LR, PRIOR_WEIGHT, Projector, _FlushDenormals, best_rows, in_fresh_thread

STEPS = 200  # Adam steps (the CLI's default)
STARTS = 4  # rows per image: the best of the pool on its known pixels
KEEP = 1  # rows per image that go on after a quarter of the steps
POOL = 2048  # seeded random latents shared by every image of a batch
BATCH = 512  # images optimised at once (bounded memory; results do not depend on it)
FEATHER = 2  # pixels around the hole where G's pixels are blended into the known ones
# Weight of a known pixel in the context loss: 1 + BOUNDARY * the hole's share of its 7x7
# neighbourhood (Yeh et al.): +0.1 dB hole PSNR, class kept 0.84 vs 0.83 (see bench/inpaint.py --boundary).
BOUNDARY = 4.0
# Weight of -log p(class | known pixels) (class_prior.py) in a conditional G's objective: class
# kept 0.862 -> 0.882 on 2,000 test images, centre mask; 0.3 the same (see bench/inpaint.py --class-weight).
CLASS_WEIGHT = 0.1
PRIOR_FLOOR = 1e-4  # a class the prior all but rules out still costs only CLASS_WEIGHT x 9.2
SHAPES = ("center", "left", "right", "top", "bottom")
MASK_HELP = "center|left|right|top|bottom|random:P|FILE.png"


# ----------------------------------------------------------------------------- masks
def shape_mask(name: str, size: int) -> np.ndarray:
    """The hole of a named mask on size x size images: ``center`` is the centre square of
    half the side; ``left``/``right``/``top``/``bottom`` a half of the image."""
    hole = np.zeros((size, size), bool)
    half, q = size // 2, size // 4
    if name == "center":
        hole[q : q + half, q : q + half] = True
    elif name == "left":
        hole[:, :half] = True
    elif name == "right":
        hole[:, size - half :] = True
    elif name == "top":
        hole[:half] = True
    elif name == "bottom":
        hole[size - half :] = True
    else:
        raise GanstudioError(f"--mask {name}: use {MASK_HELP}")
    return hole


def random_mask(share: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """A hole of round(share * pixels) pixels drawn at random."""
    n = size * size
    hole = np.zeros(n, bool)
    hole[rng.choice(n, int(round(share * n)), replace=False)] = True
    return hole.reshape(size, size)


def read_mask(path: str | Path, size: int) -> np.ndarray:
    """A mask image: white (>= 128 grey) where pixels are missing; it must be size x size."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            grey = np.asarray(im.convert("L"))
    except FileNotFoundError:
        raise GanstudioError(f"--mask {path}: no such file (use {MASK_HELP})") from None
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise GanstudioError(f"--mask {path}: not an image ({e.__class__.__name__})") from None
    if grey.shape != (size, size):
        raise GanstudioError(f"--mask {path} is {grey.shape[1]}x{grey.shape[0]} pixels; the images are {size}x{size}")
    return grey >= 128


def parse_mask(spec: str, size: int, n: int = 1, seed: int = 0) -> np.ndarray:
    """(n, size, size) holes for ``--mask SPEC`` (see MASK_HELP); random masks differ per
    image (seeded), the others are the same for all. Refuses a hole that is empty or whole."""
    spec = str(spec)
    if spec in SHAPES:
        hole = np.broadcast_to(shape_mask(spec, size), (n, size, size))
    elif spec.startswith("random:"):
        try:
            share = float(spec.split(":", 1)[1])
        except ValueError:
            share = -1.0
        if not 0 < share < 1:
            raise GanstudioError(f"--mask {spec}: P is the share of pixels dropped, between 0 and 1 (random:0.2)")
        rng = np.random.default_rng(seed)
        hole = np.stack([random_mask(share, size, rng) for _ in range(n)])
    elif spec.lower().endswith(".png") or Path(spec).exists():
        hole = np.broadcast_to(read_mask(spec, size), (n, size, size))
    else:
        raise GanstudioError(f"--mask {spec}: use {MASK_HELP}")
    check_hole(hole, spec)
    return np.ascontiguousarray(hole)


def check_hole(hole: np.ndarray, what: str = "the mask") -> None:
    """A hole must leave some pixels known (to match) and some missing (to fill), per image."""
    h = np.asarray(hole, bool)
    flat = h.reshape(len(h) if h.ndim == 3 else 1, -1)
    if not flat.any(1).all():
        raise GanstudioError(f"{what} hides no pixel: there is nothing to fill")
    if flat.all(1).any():
        raise GanstudioError(f"{what} hides every pixel: there are no known pixels to match")


# ----------------------------------------------------------------------------- blending
BLENDS = ("poisson", "alpha")
# Poisson blending against the feathered alpha blend on 500 held-out images, centre mask: class
# kept 0.860 vs 0.842, hole PSNR +0.14 dB, and no known pixel changes (see bench/inpaint.py --blend).
BLEND = "poisson"


def feather_alpha(hole: np.ndarray | torch.Tensor, feather: int = FEATHER) -> torch.Tensor:
    """(N, 1, H, W) float: 1 in the hole, (feather + 1 - d) / (feather + 1) at d pixels
    (chessboard distance) from its solid parts, 0 farther away. Solid: what survives an
    opening by 3x3, so scattered missing pixels (``random:P``, a thin stroke), which leave no
    seam, leave their known neighbours untouched instead of blending most of the image."""
    h = torch.as_tensor(np.array(hole, bool) if not isinstance(hole, torch.Tensor) else hole).float()
    h = h.reshape(-1, 1, *h.shape[-2:])
    solid = F.max_pool2d(-F.max_pool2d(-h, 3, 1, 1), 3, 1, 1)  # erode, dilate (beyond the edge ignored)
    alpha, ring = h.clone(), solid
    for d in range(1, feather + 1):
        ring = F.max_pool2d(ring, 3, 1, 1)  # one pixel wider
        alpha = torch.maximum(alpha, ring * (feather + 1 - d) / (feather + 1))
    return alpha


def check_blend(method: str) -> str:
    if method not in BLENDS:
        raise GanstudioError(f"--blend {method}: use {' or '.join(BLENDS)}")
    return method


_NEIGHBOURS = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)


def harmonic(values: np.ndarray | torch.Tensor, hole: np.ndarray, tol: float = 1e-6) -> torch.Tensor:
    """``values`` (N, C, H, W) with each hole (N, H, W) replaced by the solution of Laplace's
    equation whose boundary values are the known pixels around it (no flux through the image's
    edges): the smoothest fill there is. Conjugate gradients on every image and channel at once
    (~the hole's width in iterations, where Jacobi needs its square)."""
    v = torch.as_tensor(np.asarray(values, np.float32)).double()
    m = torch.from_numpy(np.array(hole, bool)).reshape(-1, 1, *v.shape[-2:]).expand_as(v).double()
    k = _NEIGHBOURS.double()

    def neighbours(u: torch.Tensor) -> torch.Tensor:  # sum of the 4 neighbours inside the image
        return F.conv2d(u.reshape(-1, 1, *u.shape[-2:]), k, padding=1).reshape(u.shape)

    degree = neighbours(torch.ones_like(v[:1, :1]))
    A = lambda u: m * (degree * u - neighbours(u))  # noqa: E731 - the operator on the hole's pixels
    b = m * neighbours(v * (1 - m))  # what the known neighbours contribute
    u = torch.zeros_like(v)
    r, p = b.clone(), b.clone()
    rs = (r * r).sum((2, 3), keepdim=True)
    for _ in range(4 * sum(v.shape[-2:])):  # far more than a well-posed system needs
        if float(rs.max()) <= tol * tol:
            break
        ap = A(p)
        pap = (p * ap).sum((2, 3), keepdim=True)
        alpha = torch.where(pap > 0, rs / pap.clamp_min(1e-300), torch.zeros_like(pap))
        u = u + alpha * p
        r = r - alpha * ap
        rs_new = (r * r).sum((2, 3), keepdim=True)
        p = r + torch.where(rs > 0, rs_new / rs.clamp_min(1e-300), torch.zeros_like(rs)) * p
        rs = rs_new
    return torch.where(m > 0, u, v).float()


def blend(
    known: np.ndarray, generated: np.ndarray, hole: np.ndarray, method: str = BLEND, feather: int = FEATHER
) -> np.ndarray:
    """Generated pixels (N, C, H, W) put into the known images' holes (N, H, W).

    ``poisson``: seamless cloning (Perez et al. 2003): the hole keeps G's gradients while its
    edge meets the known pixels (G plus the harmonic fill of known minus G); no known pixel
    changes. ``alpha``: alpha-blended over ``feather`` pixels around the hole; pixels farther
    away are the known ones, bit for bit."""
    x = torch.as_tensor(np.asarray(known, np.float32))
    g = torch.as_tensor(np.asarray(generated, np.float32))
    if method == "poisson":
        h = torch.from_numpy(np.array(hole, bool)).reshape(-1, 1, *x.shape[-2:])
        filled = (g + harmonic(x - g, hole)).clamp_(-1, 1)
        return torch.where(h, filled, x).numpy()
    check_blend(method)
    a = feather_alpha(hole, feather)
    return torch.where(a > 0, a * g + (1 - a) * x, x).numpy()


# ----------------------------------------------------------------------------- the search
@dataclass
class Inpainting:
    """What an :class:`Inpainter` found, per image."""

    z: torch.Tensor  # (N, Z) the latents found
    cls: list[int | None]  # their classes (conditional G), else None
    known_mse: np.ndarray  # (N,) MSE of G(z) on the known pixels, [-1, 1] units
    loss: np.ndarray  # (N,) the objective at z (its context term weighted, see BOUNDARY)
    image: np.ndarray  # (N, C, H, W) G(z)
    filled: np.ndarray  # (N, C, H, W) the inputs with G(z) blended into their holes
    step: int
    steps: int
    history: list[float] = field(default_factory=list)  # median known-pixel MSE after each chunk

    @property
    def finished(self) -> bool:
        return self.step >= self.steps


class Inpainter(Projector):
    """Inpaint ``images`` (N, C, H, W) (or one (C, H, W)) in [-1, 1] whose ``hole`` (N, H, W)
    (or one (H, W) for all) is missing. ``D`` (with ``realism_weight``) adds its realism
    term to the prior. Runs in chunks (``advance(n)``) as Projector does; the same
    arguments give the same fills."""

    def __init__(
        self,
        G: nn.Module,
        images: np.ndarray,
        hole: np.ndarray,
        z_dim: int,
        steps: int = STEPS,
        seed: int = 0,
        starts: int = STARTS,
        keep: int = KEEP,
        pool: int = POOL,
        lr: float = LR,
        prior_weight: float = PRIOR_WEIGHT,
        D: nn.Module | None = None,
        realism_weight: float = 0.0,
        boundary: float = BOUNDARY,
        blend: str = BLEND,
        class_prior: np.ndarray | None = None,
        class_weight: float = CLASS_WEIGHT,
    ):
        if steps < 0:
            raise GanstudioError("steps must be at least 0")
        x = np.asarray(images, np.float32)
        x = x[None] if x.ndim == 3 else x
        if x.ndim != 4 or not len(x):
            raise GanstudioError(f"the images must be (N, C, H, W); got shape {tuple(np.shape(images))}")
        h = np.asarray(hole, bool)
        h = np.broadcast_to(h, (len(x), *h.shape)) if h.ndim == 2 else h
        if h.shape != (len(x), *x.shape[2:]):
            raise GanstudioError(f"the mask is {h.shape[-2]}x{h.shape[-1]}; the images are {x.shape[3]}x{x.shape[2]}")
        check_hole(h)
        self.blend = check_blend(blend)
        # A channels-last copy: ~20% faster on a CPU (see bench/inpaint.py); the caller's G (the
        # app's live generator) keeps its layout.
        G = copy.deepcopy(G).eval().to(memory_format=torch.channels_last)
        self.G, self.z_dim, self.net, self.steps, self.lr = G, int(z_dim), None, int(steps), float(lr)
        dev = next(G.parameters()).device
        with torch.no_grad():
            out_shape = tuple(G(torch.zeros(1, self.z_dim, device=dev)).shape[1:])
        if out_shape != x.shape[1:]:
            raise GanstudioError(f"the images are {x.shape[1:]}; this generator draws {out_shape} images")
        self.images, self.hole_np = x, np.ascontiguousarray(h)
        self.target = torch.from_numpy(x).to(dev)
        self.known = torch.from_numpy(~self.hole_np).float()[:, None].to(dev)  # (N, 1, H, W)
        if boundary:  # Yeh et al.'s weighted context loss: known pixels beside the hole count more
            near = F.avg_pool2d(1 - self.known, 7, 1, 3, count_include_pad=False)  # the hole's share around
            self.known = self.known * (1 + float(boundary) * near)
        self._count = self.known.flatten(1).sum(1) * x.shape[1]  # known values per image
        self.fw, self.pw = 0.0, float(prior_weight)
        self.D, self.rw = (D.eval() if D is not None else None), float(realism_weight) if D is not None else 0.0
        self.conditional = int(getattr(G, "n_classes", 0) or 0) >= 2
        self._class_cost = None  # (N, n_classes): class_weight x -log p(class | known pixels)
        if class_prior is not None and self.conditional and class_weight:
            p = np.asarray(class_prior, np.float64)
            if p.shape != (len(x), int(G.n_classes)):
                raise GanstudioError(f"the class prior is {p.shape}; expected ({len(x)}, {int(G.n_classes)})")
            cost = -np.log(np.clip(p, PRIOR_FLOOR, 1.0)) * float(class_weight)
            self._class_cost = torch.from_numpy(cost).float().to(dev)
        self._z0 = None
        with _FlushDenormals():
            self._start_shared(torch.Generator().manual_seed(int(seed)), starts, pool, dev)
        self._init_rows(keep)

    def _start_shared(self, gen: torch.Generator, starts: int, pool: int, dev) -> None:
        """Each image's ``starts`` rows: the best latents of one seeded pool on its known pixels
        (a conditional G's pool: an equal share at each class's centre)."""
        z = torch.randn(pool, self.z_dim, generator=gen)
        if self.conditional:
            n_classes = int(self.G.n_classes)
            z[:, 0] = self.G.class_centres()[torch.arange(pool) % n_classes]
        z = z.to(dev)
        w = z[:, 1:] if self.conditional else z
        with torch.no_grad():
            imgs = torch.cat([self.G(z[i : i + 512]) for i in range(0, pool, 512)]).flatten(1)  # (P, D)
            m = self.known.expand_as(self.target).flatten(1)  # (N, D)
            t = self.target.flatten(1)
            # sum over known pixels of (t - g)^2 for every (image, pool latent), as matrix products
            d = (m * t * t).sum(1, keepdim=True) - 2 * (m * t) @ imgs.T + m @ (imgs * imgs).T
            cost = d / self._count[:, None] + self.pw * ((w**2).mean(1) - 1.0) ** 2
            if self._class_cost is not None:
                cost = cost + self._class_cost[:, self.G.labels(z)]
            if self.rw:
                cost = cost + self.rw * torch.cat([self._realism(z[i : i + 512]) for i in range(0, pool, 512)])
            k = min(starts, pool)
            best = torch.topk(-cost, k, dim=1).indices  # (N, k); ties keep the lower index
        rows = best.flatten()
        self.row_target = torch.arange(len(self.target), device=dev).repeat_interleave(k)
        if self.conditional:
            self._z0 = z[rows, :1].clone()
            self.row_class = [int(c) for c in self.G.labels(z[rows]).cpu()]
        else:
            self.row_class = [None] * len(rows)
        self.w = w[rows].clone().requires_grad_(True)
        self.classes = sorted({c for c in self.row_class if c is not None})
        self._row_class_cost()

    def _row_class_cost(self) -> None:
        """Each row's class cost (a constant: it ranks the rows, it does not steer z)."""
        self._row_cost = None
        if self._class_cost is not None:
            cls = torch.tensor(self.row_class, device=self.row_target.device)
            self._row_cost = self._class_cost[self.row_target, cls]

    def _prune(self, keep: int) -> None:
        super()._prune(keep)
        self._row_class_cost()

    def _realism(self, z: torch.Tensor, x: torch.Tensor | None = None) -> torch.Tensor:
        """D's "looks fake" score of G(z): softplus(-D) (Yeh et al.'s perceptual loss, as a
        non-saturating term)."""
        x = self.G(z) if x is None else x
        y = self.G.labels(z) if getattr(self.D, "n_classes", 0) else None
        return F.softplus(-(self.D(x, y) if y is not None else self.D(x)))

    def _terms(self, z: torch.Tensor, w: torch.Tensor):
        x = self.G(z)
        t, m = self.target[self.row_target], self.known[self.row_target]
        pix = (m * (x - t) ** 2).flatten(1).sum(1) / self._count[self.row_target]
        real = self._realism(z, x) if self.rw else torch.zeros_like(pix)
        prior = ((w**2).mean(1) - 1.0) ** 2
        return pix, real, prior

    def _objective(self, terms, fw: float) -> torch.Tensor:
        pix, real, prior = terms
        loss = pix + self.rw * real + self.pw * prior
        return loss if self._row_cost is None else loss + self._row_cost

    def advance(self, n: int) -> Inpainting:  # type: ignore[override]
        """Up to n more Adam steps; returns the best fills so far."""
        with _FlushDenormals():
            self._steps(n)
            res = self.result()
        self.history.append(float(np.median(res.known_mse)))
        res.history = list(self.history)
        return res

    @torch.no_grad()
    def result(self) -> Inpainting:  # type: ignore[override]
        rows = best_rows(self._best_loss, self.row_target, 1)  # one per image, in image order
        z = self._z(self._best_w)[rows]
        img = torch.cat([self.G(z[i : i + 512]) for i in range(0, len(z), 512)]).float().cpu().numpy()
        known = ~self.hole_np[:, None]
        mse = ((img - self.images) ** 2 * known).reshape(len(img), -1).sum(1) / (
            known.reshape(len(img), -1).sum(1) * img.shape[1]
        )
        return Inpainting(
            z.float().cpu().clone(),
            [self.row_class[int(i)] for i in rows],
            mse.astype(np.float64),
            self._best_loss[rows].double().cpu().numpy(),
            img,
            blend(self.images, img, self.hole_np, self.blend),
            self.step,
            self.steps,
            list(self.history),
        )


def inpaint(
    G: nn.Module,
    images: np.ndarray,
    hole: np.ndarray,
    z_dim: int,
    steps: int = STEPS,
    seed: int = 0,
    batch: int = BATCH,
    progress=None,
    every: int = 10,
    class_prior: np.ndarray | None = None,
    **kw,
) -> Inpainting:
    """Inpaint every image, ``batch`` at a time (one Inpainter each, the same seeded pool,
    so an image's fill does not depend on its batch); ``progress(done, total)`` every ``every``
    Adam steps, in image-steps (total = images x steps); ``class_prior`` (N, n_classes): p(class |
    known pixels) per image (class_prior.py). Runs in a fresh thread that flushes denormals
    (see projection.in_fresh_thread)."""
    x = np.asarray(images, np.float32)
    x = x[None] if x.ndim == 3 else x
    h = np.asarray(hole, bool)
    h = np.broadcast_to(h, (len(x), *h.shape)) if h.ndim == 2 else h
    if h.shape[0] != len(x):
        raise GanstudioError(f"{h.shape[0]} masks for {len(x)} images")

    def work() -> Inpainting:
        parts: list[Inpainting] = []
        for i in range(0, len(x), max(1, int(batch))):
            prior = None if class_prior is None else np.asarray(class_prior)[i : i + batch]
            p = Inpainter(G, x[i : i + batch], h[i : i + batch], z_dim, steps=steps, seed=seed, class_prior=prior, **kw)
            while True:  # steps only: the result (G on every image, a Poisson solve) once, at the end
                p._steps(every)
                if progress is not None:
                    progress(i * steps + len(p.images) * p.step, len(x) * steps)
                if p.done:
                    break
            parts.append(p.result())
        return Inpainting(
            torch.cat([r.z for r in parts]),
            [c for r in parts for c in r.cls],
            np.concatenate([r.known_mse for r in parts]),
            np.concatenate([r.loss for r in parts]),
            np.concatenate([r.image for r in parts]),
            np.concatenate([r.filled for r in parts]),
            steps,
            steps,
        )

    return in_fresh_thread(work)


def load_discriminator(path: str | Path) -> nn.Module:
    """The D of a training checkpoint (for the realism prior), eval mode, no grads."""
    from ganstudio.config import from_stored
    from ganstudio.generator import load_module
    from ganstudio.io.checkpoint import load_checkpoint
    from ganstudio.models import build_models

    tensors, meta = load_checkpoint(Path(path))
    if not any(k.startswith("D/") for k in tensors):
        raise GanstudioError(f"{path} holds no discriminator (an exported generator?)")
    cfg = from_stored(meta["config"])
    _, D = build_models(cfg, tuple(int(s) for s in meta["sample_shape"]))
    load_module(D, "D", tensors)
    return D.eval().requires_grad_(False)
