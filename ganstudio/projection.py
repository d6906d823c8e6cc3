"""Projection: the latent whose output is closest to a given image ("where is *this* image
in my generator?"). Pure torch; no Qt.

Adam on z from several starts at once (one batch), minimising

    pixel MSE(G(z), x)  +  w_f * ||F(G(z)) - F(x)||^2 / ||F(x)||^2  +  PRIOR_WEIGHT * (||z||^2 / d - 1)^2

where F is the feature net's 128-d features (metrics/features.py; differentiable) and the
last term keeps z on the shell where N(0, I) latents live (typical ones have ||z||^2 ~ d).
The learning rate falls on a cosine to FINAL_SHARE of its start and the feature weight w_f
to 0: the features steer the search early (towards the right shapes), the pixels decide
the end. The starts are the best of a seeded pool of random latents, so the search begins
at the best of many random guesses and the gradient refines it; after a quarter of the
steps only the KEEP best of them go on.

A conditional G (models/dcgan.py) draws its class from z[0]'s bin, which has zero gradient,
so each candidate class is tried separately: z[0] is fixed at the class's centre and z[1:]
optimised. The candidates are the MAX_CLASSES classes the feature net's classifier finds
likeliest for the target, together with the classes of the MAX_CLASSES best latents of a
random pool (what G itself draws closest: a young G's classes may not look like the
data's yet); all classes when there are no more than MAX_CLASSES.

``Projector`` runs in chunks (``advance(n)``) so front ends can show the reconstruction
converging and stay responsive; ``project`` runs it to the end. The same arguments give the
same latent (seeded starts, deterministic CPU ops).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ganstudio.errors import GanstudioError
from ganstudio.latent import sample_z

STEPS = 300  # Adam steps (the CLI's default)
STARTS = 8  # latents optimised at once (at least 2 per candidate class)
KEEP = 4  # starts that go on after a quarter of the steps
POOL = 512  # random latents the starts are picked from
LR = 0.05
FEATURE_WEIGHT = 0.1
PRIOR_WEIGHT = 0.01
FINAL_SHARE = 0.1  # the learning rate ends at this share of its start (the feature weight at 0)
MAX_CLASSES = 3  # candidate classes of a conditional G
BASELINE_N = 10_000
BASELINE_SEED = 0xBA5E


@dataclass
class Projection:
    z: torch.Tensor  # (Z,) the latent found
    cls: int | None  # its class (conditional G), else None
    loss: float  # the objective at z (final weights)
    pixel_mse: float  # mean squared error against the target, [-1, 1] pixel units
    image: np.ndarray  # (C, H, W) float32 G(z) in [-1, 1]
    step: int  # Adam steps taken
    steps: int  # Adam steps planned
    history: list[float] = field(default_factory=list)  # best pixel MSE after each chunk

    @property
    def finished(self) -> bool:
        return self.step >= self.steps


class _FlushDenormals:
    """Tiny gradients otherwise hit denormal floats, 10-100x slower on CPUs. The flag is
    per thread; it goes back to PyTorch's default (off) afterwards."""

    def __enter__(self):
        self.on = torch.set_flush_denormal(True)

    def __exit__(self, *exc):
        if self.on:
            torch.set_flush_denormal(False)


class Projector:
    """Project ``target`` (C, H, W) in [-1, 1] into ``G``; ``net`` (metrics.features
    TrainedFeatures, or None for a pixel loss alone) gives the feature loss and, for a
    conditional G, the candidate classes; ``classes`` overrides those candidates."""

    def __init__(
        self,
        G: nn.Module,
        target: np.ndarray | torch.Tensor,
        z_dim: int,
        net=None,
        steps: int = STEPS,
        seed: int = 0,
        starts: int = STARTS,
        pool: int = POOL,
        classes: list[int] | None = None,
        lr: float = LR,
        feature_weight: float = FEATURE_WEIGHT,
        prior_weight: float = PRIOR_WEIGHT,
    ):
        if steps < 0:
            raise GanstudioError("steps must be at least 0")
        self.G, self.z_dim, self.net, self.steps, self.lr = G, int(z_dim), net, int(steps), float(lr)
        G.eval()
        dev = next(G.parameters()).device
        t = torch.as_tensor(np.asarray(target, dtype=np.float32)).to(dev)
        if t.ndim != 3:
            raise GanstudioError(f"the target must be one image (C, H, W); got shape {tuple(t.shape)}")
        self.target = t[None]  # (1, C, H, W)
        self.fw = float(feature_weight) if net is not None else 0.0
        self.pw = float(prior_weight)
        n_classes = int(getattr(G, "n_classes", 0) or 0)
        self.conditional = n_classes >= 2
        with torch.no_grad():
            out_shape = tuple(G(torch.zeros(1, self.z_dim, device=dev)).shape[1:])
            if out_shape != tuple(t.shape):
                raise GanstudioError(f"the target is {tuple(t.shape)}; this generator draws {out_shape} images")
            self._t_feat = net.net.features(self.target) if net is not None else None  # (1, F)
            self._t_norm = float((self._t_feat**2).sum()) + 1e-8 if net is not None else 1.0
        self._z0: torch.Tensor | None = None  # (S, 1) the fixed z[0] of a conditional G's rows
        with _FlushDenormals():
            self._start(torch.Generator().manual_seed(int(seed)), starts, pool, classes, n_classes, dev)
        self.row_target = torch.zeros(len(self.w), dtype=torch.long, device=dev)  # one target: every row's
        self._init_rows(KEEP)

    def _init_rows(self, keep: int) -> None:
        """The search state of the starting rows ``self.w``: their optimiser and best so far.
        ``keep``: rows per target that go on after a quarter of the steps. Shared with
        inpainting.Inpainter, whose rows belong to many targets (``row_target``)."""
        self.keep = int(keep)
        self.opt = torch.optim.Adam([self.w], lr=self.lr)
        self.step = 0
        self._best_loss = torch.full((len(self.w),), float("inf"), device=self.w.device)
        self._best_pix = torch.full((len(self.w),), float("inf"), device=self.w.device)
        self._best_w = self.w.detach().clone()
        self.history: list[float] = []
        with _FlushDenormals():
            self._keep_best()  # the starts themselves count (0 steps: the best start)

    # ------------------------------------------------------------------ pieces
    def _start(self, gen: torch.Generator, starts: int, pool: int, classes, n_classes: int, dev) -> None:
        """The starting latents: the best of a seeded pool (per candidate class)."""
        if self.conditional:
            self.classes = list(classes) if classes is not None else self._candidate_classes(n_classes, gen, pool, dev)
            per = max(2, math.ceil(starts / len(self.classes)))
            centres = self.G.class_centres()
            rows = []
            for k in self.classes:  # the best `per` of a pool drawn in class k
                z = torch.randn(max(per, pool // len(self.classes)), self.z_dim, generator=gen)
                z[:, 0] = centres[k]
                rows.append(z[self._rank(z.to(dev))[:per].cpu()])
            z0 = torch.cat(rows).to(dev)
            self._z0 = z0[:, :1].clone()
            self.w = z0[:, 1:].clone().requires_grad_(True)
            self.row_class: list[int | None] = [k for k in self.classes for _ in range(per)]
        else:
            self.classes = []
            z = torch.randn(max(starts, pool), self.z_dim, generator=gen)
            self.w = z[self._rank(z.to(dev))[:starts].cpu()].clone().to(dev).requires_grad_(True)
            self.row_class = [None] * len(self.w)

    def _candidate_classes(self, n_classes: int, gen: torch.Generator, pool: int, dev) -> list[int]:
        if n_classes <= MAX_CLASSES:
            return list(range(n_classes))
        z = torch.randn(pool, self.z_dim, generator=gen)
        z[:, 0] = self.G.class_centres()[self.G.labels(z)]  # each at its class's centre
        best = self._rank(z.to(dev))[:MAX_CLASSES].cpu()
        found = {int(k) for k in self.G.labels(z[best])}
        head = getattr(self.net.net, "head", None) if self.net is not None else None
        if head is not None and int(self.net.net.n_classes) == n_classes:
            with torch.no_grad():
                p = torch.softmax(head(self._t_feat), 1)[0]
            found |= {int(k) for k in torch.topk(p, MAX_CLASSES).indices}
        return sorted(found)

    def _z(self, w: torch.Tensor) -> torch.Tensor:
        return w if self._z0 is None else torch.cat([self._z0[: len(w)], w], 1)

    def _terms(self, z: torch.Tensor, w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(pixel MSE, relative feature distance, prior) of latents z (S, Z), each (S,);
        w: their optimised part."""
        x = self.G(z)
        pix = ((x - self.target) ** 2).flatten(1).mean(1)
        if self.fw:
            feat = ((self.net.net.features(x) - self._t_feat) ** 2).sum(1) / self._t_norm
        else:
            feat = torch.zeros_like(pix)
        prior = ((w**2).mean(1) - 1.0) ** 2
        return pix, feat, prior

    def _objective(self, terms, fw: float) -> torch.Tensor:
        pix, feat, prior = terms
        return pix + fw * feat + self.pw * prior

    @torch.no_grad()
    def _rank(self, z: torch.Tensor) -> torch.Tensor:
        """Indices of latents z (P, Z) from best to worst objective (starting weights)."""
        w = z[:, 1:] if self.conditional else z
        losses = torch.cat(
            [self._objective(self._terms(z[i : i + 256], w[i : i + 256]), self.fw) for i in range(0, len(z), 256)]
        )
        return torch.argsort(losses, stable=True)

    @torch.no_grad()
    def _keep_best(self, terms=None) -> None:
        """Each row's best latent so far, judged by the final objective (no feature term);
        ``terms``: the rows' terms at the current w when a step has computed them already."""
        terms = self._terms(self._z(self.w), self.w) if terms is None else [t.detach() for t in terms]
        loss = self._objective(terms, 0.0)
        better = loss < self._best_loss
        self._best_loss = torch.where(better, loss, self._best_loss)
        self._best_pix = torch.where(better, terms[0], self._best_pix)
        self._best_w[better] = self.w.detach()[better]
        self._judged = self.step

    # ------------------------------------------------------------------ running
    @property
    def done(self) -> bool:
        return self.step >= self.steps

    def advance(self, n: int) -> Projection:
        """Up to n more Adam steps; returns the best so far."""
        with _FlushDenormals():
            self._steps(n)
            res = self.result()
        self.history.append(res.pixel_mse)
        res.history = list(self.history)
        return res

    def _steps(self, n: int) -> None:
        """Up to n more Adam steps on every row at once, pruning to ``keep`` rows per target
        after a quarter of the steps."""
        for _ in range(max(0, min(n, self.steps - self.step))):
            if self.step == self.steps // 4 and len(self.w) > self.keep:
                if self._judged != self.step:
                    self._keep_best()
                self._prune(self.keep)
            cos = 0.5 * (1 + math.cos(math.pi * self.step / max(1, self.steps)))  # 1 -> 0
            for g in self.opt.param_groups:
                g["lr"] = self.lr * (FINAL_SHARE + (1 - FINAL_SHARE) * cos)
            terms = self._terms(self._z(self.w), self.w)
            # The step's own forward pass judges the w it starts from: no second pass of G per
            # step (~25% of a search's time); the w after the last step is judged below.
            self._keep_best(terms)
            loss = self._objective(terms, self.fw * cos)
            self.opt.zero_grad(set_to_none=True)
            loss.sum().backward()  # rows are independent: one backward for all starts
            self.opt.step()
            self.step += 1
        if self._judged != self.step:
            self._keep_best()

    @torch.no_grad()
    def _prune(self, keep: int) -> None:
        """Go on with the ``keep`` rows of each target whose best is lowest (a fresh Adam for them)."""
        rows = best_rows(self._best_loss, self.row_target, keep)
        self.w = self.w.detach()[rows].clone().requires_grad_(True)
        if self._z0 is not None:
            self._z0 = self._z0[rows]
        self._best_loss, self._best_pix, self._best_w = self._best_loss[rows], self._best_pix[rows], self._best_w[rows]
        self.row_class = [self.row_class[int(i)] for i in rows]
        self.row_target = self.row_target[rows]
        lr = self.opt.param_groups[0]["lr"]
        self.opt = torch.optim.Adam([self.w], lr=lr)

    @torch.no_grad()
    def result(self) -> Projection:
        i = int(torch.argmin(self._best_loss))
        z = self._z(self._best_w)[i : i + 1]
        img = self.G(z)[0].float().cpu().numpy()
        return Projection(
            z[0].float().cpu().clone(),
            self.row_class[i],
            float(self._best_loss[i]),
            float(self._best_pix[i]),
            img,
            self.step,
            self.steps,
            list(self.history),
        )


def best_rows(loss: torch.Tensor, row_target: torch.Tensor, keep: int) -> torch.Tensor:
    """The rows (in their order) that are among the ``keep`` lowest ``loss`` of their target;
    row_target (S,): each row's target."""
    order = torch.argsort(loss, stable=True)
    order = order[torch.argsort(row_target[order], stable=True)]  # by target, each by loss
    t = row_target[order]
    counts = torch.bincount(t)
    first = torch.cumsum(counts, 0) - counts  # where each target's rows start in ``order``
    rank = torch.arange(len(order), device=order.device) - first[t]
    return order[rank < keep].sort().values


def project(
    G: nn.Module, target, z_dim: int, net=None, steps: int = STEPS, seed: int = 0, callback=None, every: int = 25, **kw
) -> Projection:
    """Run a :class:`Projector` to the end; ``callback(Projection)`` every ``every`` steps.
    Runs in a fresh thread that flushes denormals from its start (see in_fresh_thread)."""

    def work() -> Projection:
        p = Projector(G, target, z_dim, net, steps=steps, seed=seed, **kw)
        res = p.advance(0)
        while not p.done:
            res = p.advance(every)
            if callback is not None:
                callback(res)
        return res

    return in_fresh_thread(work)


def in_fresh_thread(fn):
    """fn() in a new thread that sets flush-to-zero before its first torch op, so the
    intra-op threads it starts inherit the flag (a thread's floating-point mode is copied
    into the threads it creates, not into existing ones). Returns fn's result or raises
    its exception."""
    import threading

    out: dict = {}

    def run() -> None:
        try:
            torch.set_flush_denormal(True)
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 -- re-raised in the caller's thread
            out["error"] = e

    t = threading.Thread(target=run, name="ganstudio-projection")
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


@torch.no_grad()
def baselines(
    G: nn.Module, target, z_dim: int, n: int = BASELINE_N, seed: int = BASELINE_SEED, batch: int = 1000
) -> dict[str, float]:
    """What random latents achieve against target (C, H, W) in [-1, 1]: ``random_mse`` (a
    random z's pixel MSE: the mean over n) and ``best_mse`` (the best of the same n)."""
    G.eval()
    dev = next(G.parameters()).device
    t = torch.as_tensor(np.asarray(target, dtype=np.float32)).to(dev)[None]
    z = sample_z(n, z_dim, seed)
    with _FlushDenormals():
        mse = torch.cat([((G(z[i : i + batch].to(dev)) - t) ** 2).flatten(1).mean(1).cpu() for i in range(0, n, batch)])
    return {"random_mse": float(mse.double().mean()), "best_mse": float(mse.min()), "best_index": int(mse.argmin())}


# ----------------------------------------------------------------------------- images
def load_image(path: str | Path, size: int, channels: int) -> np.ndarray:
    """An image file as a dataset item: (channels, size, size) float32 in [-1, 1], resized
    and centre-cropped as folders are (data/folders.py), grey or colour as the run's data."""
    from ganstudio.data.folders import _read_image, _SkipFile
    from ganstudio.data.imageops import fit_square, uint8_to_unit

    try:
        img, _ = _read_image(Path(path))
    except _SkipFile as e:
        raise GanstudioError(f"cannot use {path}: {e}") from None
    img = img.convert("L" if channels == 1 else "RGB")
    arr = np.asarray(fit_square(img, size), dtype=np.uint8)
    arr = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)  # (C, H, W)
    return uint8_to_unit(arr)
