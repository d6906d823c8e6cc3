"""Directions by example: a latent direction for a property, fitted to samples a person
marked as having it (+) or not (-), or to the feature net's class predictions ("toward
class X" for an unconditional generator). Pure torch; no Qt.

The direction is the normal of a linear classifier in z: logistic regression by full-batch
gradient descent (L2-regularised, started from the difference of means), or the difference
of the two groups' means when there are fewer than MIN_LOGISTIC marks on a side. It is saved
with the run as ``RUN/directions/NAME.json`` in the format ``ganstudio directions`` writes
(``latent.Directions``: one unit vector, ``space`` "example", the name and counts in its
``meta``), so the app's Latent tab shows it as a named slider and ``ganstudio interpolate
--direction FILE --amount X`` moves keyframes along it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ganstudio.errors import GanstudioError
from ganstudio.latent import Directions, sample_z

MIN_LOGISTIC = 4  # marks per side below which the difference of means is used
STEPS = 300  # gradient-descent steps of the logistic regression
L2 = 1e-2
CLASS_SAMPLES = 2000  # samples classified for a "toward class" direction
SPACE = "example"


def fit_direction(
    z: np.ndarray | torch.Tensor, positive: np.ndarray | torch.Tensor, ignore: list[int] | tuple[int, ...] = ()
) -> tuple[torch.Tensor, str]:
    """A unit direction (Z,) in z pointing from the negatives to the positives, and the
    method used ("logistic" or "means"). z (N, Z); positive (N,) bool. Coordinates in
    ``ignore`` (e.g. a conditional G's class dial z[0]) are left out of the direction."""
    z = torch.as_tensor(z, dtype=torch.float64)
    y = torch.as_tensor(positive, dtype=torch.bool)
    if z.ndim != 2 or y.shape != (len(z),):
        raise GanstudioError(f"need latents (N, Z) and one mark each; got {tuple(z.shape)} and {tuple(y.shape)}")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        raise GanstudioError("mark at least one sample with the property (+) and one without it (-)")
    keep = torch.ones(z.shape[1], dtype=torch.float64)
    keep[list(ignore)] = 0.0
    z = z * keep
    w = z[y].mean(0) - z[~y].mean(0)
    method = "means"
    if min(n_pos, n_neg) >= MIN_LOGISTIC:
        w, b = _logistic(z, y.double(), w)
        method = "logistic"
    w = w * keep
    norm = float(w.norm())
    if norm < 1e-12:
        raise GanstudioError("the marked samples do not differ in z along any direction")
    return (w / norm).float(), method


def _logistic(z: torch.Tensor, y: torch.Tensor, init: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """L2-regularised logistic regression by Adam (full batch), classes weighted equally."""
    w = (init / init.norm().clamp_min(1e-12)).clone().requires_grad_(True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    weight = torch.where(y > 0, 0.5 / y.sum(), 0.5 / (1 - y).sum())  # balanced classes
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(STEPS):
        loss = (weight * nn.functional.binary_cross_entropy_with_logits(z @ w + b, y, reduction="none")).sum()
        loss = loss + L2 * (w**2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.detach(), b.detach()


def make_directions(vector: torch.Tensor, name: str, n_pos: int, n_neg: int, method: str, **meta) -> Directions:
    """A one-vector Directions (the `ganstudio directions` file format) named ``name``."""
    return Directions(
        vector.reshape(1, -1).float(),
        torch.zeros(1),
        SPACE,
        n_pos + n_neg,
        0,
        {"name": name, "positives": n_pos, "negatives": n_neg, "method": method, **meta},
    )


@torch.no_grad()
def class_direction(
    G: nn.Module, z_dim: int, net, k: int, n: int = CLASS_SAMPLES, seed: int = 0, batch: int = 500
) -> tuple[torch.Tensor, str, int]:
    """ "Toward class k" for an unconditional G: classify n samples with the feature net's
    classifier (TrainedFeatures ``net``) and fit class k against the rest. Returns (unit
    direction (Z,), method, how many samples were class k)."""
    if net is None or not getattr(net.net, "n_classes", 0):
        raise GanstudioError("class directions need labelled data (the feature net is a classifier then)")
    if not 0 <= k < int(net.net.n_classes):
        raise GanstudioError(f"class {k} out of range 0..{int(net.net.n_classes) - 1}")
    z = sample_z(n, z_dim, seed)
    G.eval()
    x = torch.cat([G(z[i : i + batch]) for i in range(0, n, batch)]).float().cpu().numpy()
    _, probs = net.embed(x)
    positive = probs.argmax(1) == k
    if not positive.any() or positive.all():
        raise GanstudioError(
            f"{'none' if not positive.any() else 'all'} of {n} samples look like class {k} to the "
            "classifier: no direction to fit"
        )
    vec, method = with_grad(fit_direction, z, positive)
    return vec, method, int(positive.sum())


def with_grad(fn, *args, **kw):
    with torch.enable_grad():
        return fn(*args, **kw)


# ----------------------------------------------------------------------------- files
def safe_name(name: str) -> str:
    """A direction's name as a file name: letters, digits, '-', '_' and '.'; others become '_'."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    if not stem:
        raise GanstudioError("give the direction a name (letters or digits)")
    return stem[:80]


def directions_dir(run: str | Path) -> Path:
    return Path(run) / "directions"


def save_direction(run: str | Path, d: Directions) -> Path:
    """Write ``RUN/directions/NAME.json`` (NAME from d.meta["name"]); returns its path."""
    from ganstudio.io.checkpoint import atomic_write_bytes

    folder = directions_dir(run)
    path = folder / f"{safe_name(str(d.meta.get('name', '')))}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, (d.to_json() + "\n").encode("utf-8"))
    except OSError as e:
        raise GanstudioError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def direction_name(d: Directions, path: Path | None = None) -> str:
    name = d.meta.get("name")
    return str(name) if isinstance(name, str) and name else (path.stem if path is not None else "direction")


def load_run_directions(run: str | Path, z_dim: int) -> list[tuple[str, torch.Tensor, Path]]:
    """The named directions saved with a run, (name, unit vector (Z,), path), by file name;
    files that are unreadable or of another latent size are skipped."""
    out = []
    for path in sorted(directions_dir(run).glob("*.json")):
        try:
            d = Directions.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if d.vectors.shape[1] != z_dim or not d.k:
            continue
        v = d.vectors[0]
        if float(v.norm()) < 1e-12:
            continue
        out.append((direction_name(d, path), v / v.norm(), path))
    return out


def read_direction(path: str | Path, z_dim: int) -> tuple[str, torch.Tensor]:
    """(name, unit vector (Z,)) of a directions file's first direction; clear errors."""
    path = Path(path)
    try:
        d = Directions.from_json(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise GanstudioError(f"cannot read {path}: {e.strerror or e}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise GanstudioError(f"{path}: {e}") from None
    if not d.k:
        raise GanstudioError(f"{path} holds no direction")
    if d.vectors.shape[1] != z_dim:
        raise GanstudioError(f"{path} holds {d.vectors.shape[1]}-d directions; this generator's z has {z_dim}")
    v = d.vectors[0]
    if float(v.norm()) < 1e-12:
        raise GanstudioError(f"{path}: its first direction is zero")
    return direction_name(d, path), v / v.norm()
