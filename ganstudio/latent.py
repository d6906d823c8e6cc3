"""Latent-space utilities: seeded z sampling, truncation, lerp/slerp paths, grid walks and
GANSpace-style principal directions. Pure torch/numpy; no Qt.

Shape conventions: ``Z`` is the latent size, ``K`` a number of keyframes, ``F`` frames.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

MODES = ("lerp", "slerp")


def sample_z(n: int, z_dim: int, seed: int) -> torch.Tensor:
    """n standard-normal latents from a seed: the same seed always gives the same z, on any device."""
    return torch.randn(n, z_dim, generator=torch.Generator().manual_seed(seed))


# ----------------------------------------------------------------------------- interpolation
def _as_t(t, like: torch.Tensor) -> torch.Tensor:
    dtype = like.dtype if like.is_floating_point() else torch.float32
    return torch.as_tensor(t, dtype=dtype, device=like.device)


def lerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Linear interpolation ``a + t (b - a)``.

    a, b: (..., Z), broadcastable. t: a float, or a tensor broadcastable against the leading
    dims ``...`` (e.g. a, b (Z,) and t (T,) -> (T, Z); a, b (F, Z) and t (F,) -> (F, Z)).
    """
    t = _as_t(t, a)
    return a + t[..., None] * (b - a)


def slerp(a: torch.Tensor, b: torch.Tensor, t, eps: float = 1e-6) -> torch.Tensor:
    """Spherical interpolation on the angle between a and b (shapes as in :func:`lerp`).

    The raw vectors are combined (not their unit versions), so equal-norm endpoints give
    equal-norm points all along the arc. Where the angle is ~0 or ~pi (parallel or
    antiparallel vectors, or a zero vector) the arc is ill-defined and this falls back to lerp.
    """
    t = _as_t(t, a)
    a64, b64, t64 = a.double(), b.double(), t.double()
    na = a64.norm(dim=-1).clamp_min(1e-12)
    nb = b64.norm(dim=-1).clamp_min(1e-12)
    cos = ((a64 * b64).sum(-1) / (na * nb)).clamp(-1.0, 1.0)  # (...)
    omega = torch.arccos(cos)
    so = torch.sin(omega)
    degenerate = so.abs() < eps
    so_safe = torch.where(degenerate, torch.ones_like(so), so)
    ca = torch.sin((1.0 - t64) * omega) / so_safe  # broadcast (...) with t
    cb = torch.sin(t64 * omega) / so_safe
    arc = ca[..., None] * a64 + cb[..., None] * b64
    line = lerp(a64, b64, t64)
    degenerate = torch.broadcast_to(degenerate, ca.shape)
    out = torch.where(degenerate[..., None], line, arc)
    return out.to(torch.result_type(a, b) if a.is_floating_point() else torch.float32)


def keyframe_path(keys: torch.Tensor, frames: int, mode: str = "lerp", loop: bool = False) -> torch.Tensor:
    """A path of ``frames`` latents through keyframes ``keys`` (K, Z) -> (frames, Z).

    Frames are spread evenly over the K-1 segments (K with ``loop``, the last going back
    to the first). Without loop the first and last frames are exactly the first and last
    keys, and every key is hit exactly when (frames - 1) is a multiple of K - 1. With loop
    the last frame stops one step short of the first key, so the animation cycles smoothly.
    """
    if mode not in MODES:
        raise ValueError(f"unknown interpolation mode '{mode}' (use {' or '.join(MODES)})")
    keys = torch.as_tensor(keys)
    if keys.ndim != 2 or len(keys) < 2:
        raise ValueError(f"keys must be (K, Z) with K >= 2, got shape {tuple(keys.shape)}")
    if frames < 2:
        raise ValueError("frames must be at least 2")
    k = len(keys)
    segs = k if loop else k - 1
    if loop:
        u = torch.arange(frames, dtype=torch.float64) * (segs / frames)
    else:
        u = torch.linspace(0.0, float(segs), frames, dtype=torch.float64)
    idx = u.floor().long().clamp(max=segs - 1)  # (F,) segment of each frame
    t = u - idx  # (F,) in [0, 1]
    a = keys[idx]
    b = keys[(idx + 1) % k]
    fn = slerp if mode == "slerp" else lerp
    out = fn(a, b, t.to(keys.dtype) if keys.is_floating_point() else t)
    # Snap exact keyframe hits to the keys themselves (no rounding drift).
    hit = t == 0
    out[hit] = keys[idx[hit]].to(out.dtype)
    if not loop:
        out[-1] = keys[-1].to(out.dtype)
    return out


def truncate(z: torch.Tensor, psi: float, center: torch.Tensor | None = None) -> torch.Tensor:
    """StyleGAN-style truncation: ``center + psi * (z - center)``; center defaults to 0.

    z: (..., Z); center: (Z,) or broadcastable. psi=1 is the identity, psi=0 the center.
    """
    if center is None:
        return z * psi
    center = torch.as_tensor(center, dtype=z.dtype, device=z.device)
    return center + psi * (z - center)


def grid_walk(z0: torch.Tensor, d1: torch.Tensor, d2: torch.Tensor, steps: int, extent: float = 3.0) -> torch.Tensor:
    """A steps x steps grid of latents around z0 (Z,) along directions d1 (columns, x) and
    d2 (rows, y), each from -extent to +extent -> (steps * steps, Z), row-major (row = d2)."""
    if steps < 1:
        raise ValueError("steps must be at least 1")
    z0, d1, d2 = (torch.as_tensor(v).reshape(-1) for v in (z0, d1, d2))
    a = torch.linspace(-extent, extent, steps, dtype=z0.dtype) if steps > 1 else torch.zeros(1, dtype=z0.dtype)
    rows, cols = torch.meshgrid(a, a, indexing="ij")  # (steps, steps)
    return z0 + cols.reshape(-1, 1) * d1 + rows.reshape(-1, 1) * d2


# ----------------------------------------------------------------------------- directions
@dataclass
class Directions:
    """Latent directions ordered by how much output variance they explain."""

    vectors: torch.Tensor  # (k, Z) float32, unit norm
    variance_ratio: torch.Tensor  # (k,) float32, descending, sum <= 1
    space: str = "output"
    n: int = 0  # samples used
    seed: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. run, checkpoint, step

    @property
    def k(self) -> int:
        return int(self.vectors.shape[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "space": self.space,
            "n": self.n,
            "seed": self.seed,
            "k": self.k,
            "z_dim": int(self.vectors.shape[1]),
            "variance_ratio": [float(v) for v in self.variance_ratio],
            "vectors": [[float(x) for x in row] for row in self.vectors],
            **({"meta": self.meta} if self.meta else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes | dict[str, Any]) -> "Directions":
        """Parse a directions file; anything that is not one raises ValueError ("not a directions file")."""
        try:
            d = json.loads(data) if isinstance(data, (str, bytes)) else data
            if not isinstance(d, dict):
                raise ValueError(f"expected an object, found {type(d).__name__}")
            rows = _float_rows(d["vectors"], "vectors")
            # A file with no directions (k = 0) still says its latent size.
            vectors = torch.tensor(rows, dtype=torch.float32) if rows else torch.zeros(0, _size(d.get("z_dim", 0)))
            ratio = torch.tensor(_float_rows([d["variance_ratio"]], "variance_ratio")[0], dtype=torch.float32)
            if vectors.ndim != 2 or ratio.shape != (vectors.shape[0],):
                raise ValueError("vectors must be (k, Z) and variance_ratio (k,)")
            meta = d.get("meta", {})
            if not isinstance(meta, dict):
                raise ValueError("meta must be an object")
            return cls(vectors, ratio, str(d.get("space", "output")), _int(d.get("n", 0)), _int(d.get("seed", 0)), meta)
        except RecursionError:  # json's nesting bomb
            raise ValueError("not a directions file (nested too deeply)") from None
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a directions file ({e})") from None


def _int(v: Any) -> int:
    if type(v) is not int:
        raise ValueError(f"expected a whole number, found {str(v)[:40]}")
    return v


def _size(v: Any) -> int:
    """A whole number >= 0 (a negative z_dim reached torch.zeros: a RuntimeError, not a refusal)."""
    if _int(v) < 0:
        raise ValueError(f"expected a size (>= 0), found {v}")
    return v


def _float_rows(rows: Any, what: str) -> list[list[float]]:
    """A list of equally long lists of finite numbers, as floats (bools, strings, numbers too
    large for a float and ragged rows refused)."""
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ValueError(f"{what} must be a list of lists of numbers")
    if len({len(r) for r in rows}) > 1:
        raise ValueError(f"{what} rows differ in length")
    out = []
    for r in rows:
        if not all(type(x) in (int, float) for x in r):
            raise ValueError(f"{what} must hold numbers only")
        try:
            row = [float(x) for x in r]
        except OverflowError:
            raise ValueError(f"{what} holds a number too large for a float") from None
        if not all(math.isfinite(x) for x in row):
            raise ValueError(f"{what} holds NaN or infinite values")
        out.append(row)
    return out


@torch.no_grad()
def principal_directions(
    G: nn.Module, z_dim: int, n: int = 2000, k: int = 8, seed: int = 0, space: str = "output", batch: int = 512
) -> Directions:
    """GANSpace-style directions from PCA of generated outputs.

    Sample n latents z (n, Z) from ``seed``, flatten G(z) to X (n, D), take the top-k
    principal components of X, then regress each sample's PCA coordinates on z by least
    squares (z_c @ W ~= coords, W (Z, k)); column j of W, normalised, is the latent
    direction that moves the output along component j. The variance ratio is that of the
    output component (fraction of total output variance). k is capped at min(Z, D, n - 1).
    Deterministic for a seed (float64 on CPU, sign fixed so the largest |coordinate| > 0).
    """
    if space != "output":
        raise ValueError(f"unsupported directions space '{space}' (only 'output')")
    if n < 2:
        raise ValueError("n must be at least 2")
    z = sample_z(n, z_dim, seed)  # (n, Z)
    was_training = G.training
    G.eval()
    try:
        x = torch.cat([G(z[i : i + batch]) for i in range(0, n, batch)])
    finally:
        G.train(was_training)
    X = x.reshape(n, -1).double().cpu()  # (n, D)
    Xc = X - X.mean(0, keepdim=True)
    k = max(1, min(k, z_dim, X.shape[1], n - 1))
    # PCA via SVD of the centred data: Xc = U S Vh; rows of Vh are output components.
    U, S, Vh = torch.linalg.svd(Xc, full_matrices=False)
    var = S**2
    total = var.sum()
    ratio = (var[:k] / total) if total > 0 else torch.zeros(k, dtype=torch.float64)
    coords = U[:, :k] * S[:k]  # (n, k) PCA coordinates
    zc = z.double() - z.double().mean(0, keepdim=True)
    W = torch.linalg.lstsq(zc, coords).solution  # (Z, k)
    vec = W.T  # (k, Z)
    norms = vec.norm(dim=1, keepdim=True)
    vec = torch.where(norms > 1e-12, vec / norms.clamp_min(1e-12), torch.zeros_like(vec))
    # Fix the sign ambiguity (SVD and regression) deterministically.
    pivot = vec.abs().argmax(dim=1)
    signs = torch.sign(vec[torch.arange(k), pivot])
    vec = vec * torch.where(signs == 0, torch.ones_like(signs), signs)[:, None]
    return Directions(vec.float().contiguous(), ratio.float(), space, n, seed)


# ----------------------------------------------------------------------------- classes
def class_index(value: str | int, names: list[str] | tuple[str, ...] | None, n_classes: int) -> int:
    """A class given by index ("7") or by name ("Sneaker", any case) -> its index; a
    GanstudioError naming the choices otherwise."""
    from ganstudio.errors import GanstudioError

    if not n_classes:
        raise GanstudioError("this generator is not conditional: it has no classes to choose from")
    names = list(names) if names and len(names) == n_classes else [str(k) for k in range(n_classes)]
    text = str(value).strip()
    by_name = {n.lower(): k for k, n in enumerate(names)}
    if text.lower() in by_name:
        return by_name[text.lower()]
    if text.lstrip("-").isdigit():
        k = int(text)
        if 0 <= k < n_classes:
            return k
    choices = ", ".join(f"{k}={n}" for k, n in enumerate(names))
    raise GanstudioError(f"unknown class {value!r}; choose an index or a name: {choices}")


def with_class(z: torch.Tensor, G: nn.Module, k: int) -> torch.Tensor:
    """A copy of z (N, Z) whose z[0] draws class k from a conditional G (models/dcgan.py)."""
    z = z.clone()
    z[:, 0] = G.class_centres()[k].to(z)
    return z


def class_mix_path(classes: list[int], n_classes: int, frames: int, loop: bool = False) -> torch.Tensor:
    """(frames, n_classes) class weights moving linearly from each keyframe's class to the
    next, timed as ``keyframe_path`` times the latents (so a morph between two classes
    passes through no third one, as sweeping z[0] would)."""
    keys = torch.nn.functional.one_hot(torch.tensor(classes), n_classes).float()
    return keyframe_path(keys, frames, mode="lerp", loop=loop)
