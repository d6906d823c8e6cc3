"""The one training engine: every front end (CLI, app worker, torchrun) drives a Trainer.

``Trainer.step()`` does one generator step (and ``d_steps`` discriminator steps) and never
synchronises with the device. ``Trainer.run()`` is a generator of immutable events:
:class:`Scalars` every ``log_every`` steps (the only regular GPU->CPU copy), :class:`Samples`
from fixed noise, :class:`CheckpointSaved` and a final :class:`Finished`.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import platform
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import torch
from torch import nn

import ganstudio
from ganstudio import augment, distributed, losses
from ganstudio.config import TrainConfig, defaults_for, resolve
from ganstudio.data import Dataset, load_dataset
from ganstudio.distributed import DistInfo
from ganstudio.devices import pick_device
from ganstudio.errors import CheckpointError, ConfigError, NonFiniteLossError, first_lines
from ganstudio.health import Alarm, HealthMonitor
from ganstudio.io.checkpoint import check_finite, cpu_copy, load_checkpoint, write_cpu_copy
from ganstudio.io.media import image_grid, scatter_extent, scatter_png
from ganstudio.data.imageops import save_png
from ganstudio.io.rundir import RunDir, write_error
from ganstudio.generator import load_module

SCALARS = ("loss_d", "loss_g", "d_real", "d_fake")
FIXED_NOISE_SEED = 0x5EED  # offset so the sample noise never equals the training noise


# ----------------------------------------------------------------------------- events
@dataclass(frozen=True)
class Scalars:
    step: int
    time: float  # wall seconds since the run started (continues across resumes)
    values: dict[str, float]  # loss_d, loss_g, d_real, d_fake averaged since the last row


@dataclass(frozen=True)
class Samples:
    step: int
    samples: np.ndarray  # G(fixed noise): (N, 2) points or (N, C, H, W) in [-1, 1], float32
    image: np.ndarray  # (H, W, C) uint8: the grid, or a scatter plot for 2D sets
    path: Path | None  # the PNG written, if there is a run directory


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: Path


@dataclass(frozen=True)
class Finished:
    step: int
    reason: str  # "steps", "time limit" or "stopped"


@dataclass(frozen=True)
class Evaluated:
    step: int
    time: float
    values: dict[str, float]  # see ganstudio/metrics/evaluate.py
    best: bool  # a new best by the main metric: checkpoints/best.safetensors was written


Event = Scalars | Samples | CheckpointSaved | Evaluated | Alarm | Finished
NONFINITE_PAUSE = 3  # non-finite log intervals in a row that pause training
# Steps between copies of the state a NaN interval is undone to (and at every checkpoint).
# A copy reads and writes every weight and optimiser moment: 1-2 ms for the seed MLP on a
# CPU, 1% of its training at every 10-step log row, 0.2% at every 50 steps.
ROLLBACK_EVERY = 50


# ----------------------------------------------------------------------------- helpers
def prepare(
    cfg: TrainConfig,
    warn: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> tuple[TrainConfig, Dataset]:
    """Load the dataset a config names and resolve every default against it and the device
    (``choices(cfg)`` says in one line what was chosen and why).

    ``progress(done, total)`` and ``cancel()`` are passed to ``load_dataset`` (see there)."""
    device = pick_device(cfg.device).type
    channels = cfg.channels or defaults_for(cfg.dataset, "image").get("channels")
    ds = load_dataset(
        cfg.dataset,
        cfg.image_size,
        channels,
        seed=cfg.seed,
        warn=warn,
        progress=progress,
        cancel=cancel,
        largest=32 if device == "cpu" else 64,
    )
    resolved = _resolve_for(cfg, ds, device)
    return resolved, ds


def _resolve_for(cfg: TrainConfig, ds: Dataset, device: str) -> TrainConfig:
    size = ds.data.shape[-1] if ds.kind == "image" else None
    return resolve(
        dataclasses.replace(cfg, image_size=size),
        ds.kind,
        ds.channels,
        ds.n_classes,
        device,
        ds.names() if ds.n_classes else None,
    )


def choices(asked: TrainConfig, cfg: TrainConfig, ds: Dataset, device: str) -> str:
    """One line: what ``prepare`` chose from the data and the device for what ``asked`` left open."""
    from ganstudio.config import explain

    return explain(asked, cfg, ds.kind, ds.native, ds.n_classes, device)


def versions() -> dict[str, str]:
    return {"ganstudio": ganstudio.__version__, "torch": torch.__version__, "python": platform.python_version()}


def _state_tensors(prefix: str, module: nn.Module) -> dict[str, torch.Tensor]:
    return {f"{prefix}/{k}": v for k, v in module.state_dict().items()}


def _optimizer_tensors(prefix: str, opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], list[dict]]:
    sd = opt.state_dict()
    tensors = {}
    for idx, state in sd["state"].items():
        for k, v in state.items():
            tensors[f"{prefix}/{idx}/{k}"] = v if torch.is_tensor(v) else torch.tensor(v)
    return tensors, sd["param_groups"]


def fused_adam(device: torch.device) -> bool | None:
    """Adam's fused kernel (one pass over all of a model's tensors per step) where PyTorch has
    it. Without ``fused``, PyTorch runs Adam on a CPU as a Python loop over the tensors; the
    fused kernel measured 1.08x (digits DCGAN), 1.12x (ring8) and 1.20x (the seed MLP) whole
    training steps per second on 2 CPU cores. None: PyTorch's own choice (MPS)."""
    return True if device.type in ("cpu", "cuda") else None


def _match_strides(opt: torch.optim.Optimizer) -> None:
    """Lay each loaded moment out like its parameter. A checkpoint stores tensors contiguous,
    while channels-last conv weights are not; the fused Adam kernel walks a parameter and its
    moments in memory order, so mismatched layouts would pair the wrong elements."""
    for p, st in opt.state.items():
        for k, v in st.items():
            if torch.is_tensor(v) and v.shape == p.shape and v.stride() != p.stride():
                st[k] = torch.empty_like(p).copy_(v)


def _optimizer_state(
    prefix: str, tensors: dict[str, torch.Tensor], groups: list[dict], fused: bool | None = None
) -> dict[str, Any]:
    """An optimiser state_dict from checkpoint tensors and groups. ``fused`` is how this
    trainer runs Adam, whatever the run that saved the file did (an implementation choice,
    not a hyper-parameter)."""
    state: dict[int, dict[str, torch.Tensor]] = {}
    for name, t in tensors.items():
        if name.startswith(prefix + "/"):
            idx, key = name[len(prefix) + 1 :].split("/", 1)
            state.setdefault(int(idx), {})[key] = t
    groups = [dict(g, betas=tuple(g["betas"])) if "betas" in g else dict(g) for g in groups]
    for g in groups:
        g["fused"], g["foreach"] = fused, None
    return {"state": state, "param_groups": groups}


# ----------------------------------------------------------------------------- trainer
class Trainer:
    """Owns models, optimisers, data order and RNGs of one run; see the module docstring."""

    def __init__(
        self,
        cfg: TrainConfig,
        dataset: Dataset | None = None,
        run_dir: RunDir | str | Path | None = None,
        warn: Callable[[str], None] | None = None,
        dist: DistInfo | None = None,
    ):
        self.dist = dist  # torchrun/DDP: see ganstudio/distributed.py; None = single process
        self.asked = cfg  # as given, before the data's defaults (see choices())
        self.device = dist.device if dist is not None else pick_device(cfg.device)
        if dataset is None:
            cfg, dataset = prepare(cfg, warn)
        else:
            cfg = _resolve_for(cfg, dataset, self.device.type)
        self.cfg, self.dataset = cfg, dataset
        self.run_dir = RunDir(run_dir).create() if isinstance(run_dir, (str, Path)) else run_dir
        self.is_2d = dataset.kind == "2d"

        self.G, self.D = _build(cfg, dataset, self.device)
        # Convolutions run 10-25% faster on CPU (oneDNN) in channels-last layout (bench:
        # 1,270 -> 1,555 img/s at 32 px); checkpoints store plain contiguous tensors.
        self._channels_last = cfg.model == "dcgan"
        if self._channels_last:
            self.G.to(memory_format=torch.channels_last)
            self.D.to(memory_format=torch.channels_last)
        # What step() calls: DDP wrappers under torchrun, else G and D themselves.
        self._G_train, self._D_train = distributed.wrap(self.G, self.D, dist)
        self.labels = None  # (N,) int64 on the device, for conditional models
        if cfg.n_classes:
            self.labels = torch.from_numpy(dataset.labels).to(self.device)
            freq = torch.bincount(self.labels, minlength=cfg.n_classes).float()
            self.G.set_class_frequencies(freq)  # before the EMA copy below takes them
        self.G_ema: nn.Module | None = None
        if cfg.ema:
            self.G_ema = copy.deepcopy(self.G).eval().requires_grad_(False)
        fused = fused_adam(self.device)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2), fused=fused)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, cfg.beta2), fused=fused)
        self.loss = losses.get(cfg.loss)
        self._policy = augment.parse_policy(cfg.augment)

        self.data = torch.from_numpy(dataset.data).to(self.device)  # (N, ...) float32, resident
        if self._channels_last:
            self.data = self.data.contiguous(memory_format=torch.channels_last)
        self.n_data = len(dataset.data)
        # Own generators (not the global RNG) so the whole state can be checkpointed and a
        # resumed run is bitwise identical to an uninterrupted one.
        self.gen_data = torch.Generator().manual_seed(cfg.seed * 1000 + 1)
        self.gen_z = torch.Generator(device=self.device if self.device.type == "cuda" else "cpu").manual_seed(
            cfg.seed * 1000 + 2
        )
        self.gen_gp = torch.Generator(device=self.gen_z.device).manual_seed(cfg.seed * 1000 + 3)
        if dist is not None:
            self._reseed_rank(0)
        self._set_perm(torch.randperm(self.n_data, generator=self.gen_data))
        self.epoch, self.pos = 0, 0
        self.fixed_z = torch.randn(
            cfg.n_samples, cfg.z_dim, generator=torch.Generator().manual_seed(cfg.seed + FIXED_NOISE_SEED)
        ).to(self.device)

        self.step_count = 0
        self.elapsed_before = 0.0  # seconds spent in earlier sessions of this run
        self._acc = torch.zeros(len(SCALARS), device=self.device)
        self._acc_n = 0
        self._stop = False
        # Weights and optimiser state as of a recent finite log row (every ROLLBACK_EVERY
        # steps and at checkpoints), on the device: a NaN interval is undone from here
        # (cheap) instead of from the last checkpoint.
        self._recent_src: list[torch.Tensor] | None = None
        self._recent: list[torch.Tensor] | None = None
        self._recent_step = 0
        self._nonfinite_run = 0
        self.health = HealthMonitor(cfg.loss, cfg.spectral_norm, cfg.d_steps)
        self._evaluator = None  # built on the first evaluation (image sets train a feature net)
        # True: the front end prepares the evaluator in the background (see prepare_evaluation)
        # and evaluations due before it is ready are skipped; False: run() prepares it
        # before its clock starts. Either way it never counts against the time limit.
        self.eval_in_background = False
        self.best_value: float | None = None  # main metric of checkpoints/best.safetensors
        self._read_best()
        self._session_start: float | None = None  # perf_counter() when run() began
        self._last_good: tuple[dict[str, torch.Tensor], dict[str, Any]] | None = None
        self._writer = CheckpointWriter()
        self.extent = scatter_extent(dataset.data) if self.is_2d else None
        self.real_preview = dataset.data[:: max(1, self.n_data // 1000)] if self.is_2d else None

    # --- control (safe to call from another thread; read between steps) ---
    def request_stop(self) -> None:
        self._stop = True

    @property
    def stop_requested(self) -> bool:
        """True from ``request_stop()`` until run() has consumed it."""
        return self._stop

    def set_hparams(self, **changes: Any) -> dict[str, Any]:
        """Change lr_g, lr_d, loss, d_steps or gp_weight between steps; returns what changed."""
        allowed = {"lr_g", "lr_d", "loss", "d_steps", "gp_weight"}
        bad = set(changes) - allowed
        if bad:
            raise ConfigError(
                f"cannot change {', '.join(sorted(bad))} during a run (only {', '.join(sorted(allowed))})"
            )
        changed = {k: v for k, v in changes.items() if getattr(self.cfg, k) != v}
        if not changed:
            return {}
        self.cfg = _resolve_for(dataclasses.replace(self.cfg, **changed), self.dataset, self.device.type)
        self.loss = losses.get(self.cfg.loss)
        self.health.set_loss(self.cfg.loss, self.cfg.d_steps)
        self._apply_lr()
        if self.run_dir is not None:
            self.run_dir.write_json(self.run_dir.config_path, dataclasses.asdict(self.cfg))
            self.run_dir.append_jsonl(
                self.run_dir.events_path,
                [{"step": self.step_count, "time": self.elapsed(), "event": "set", "changes": changed}],
            )
        return changed

    def _apply_lr(self) -> None:
        for opt, lr in ((self.opt_g, self.cfg.lr_g), (self.opt_d, self.cfg.lr_d)):
            for group in opt.param_groups:
                group["lr"] = lr

    # --- the hot loop ---
    def _batch_indices(self, n: int) -> torch.Tensor:
        parts, need = [], n
        while need:
            if self.pos >= self.n_shard:  # a new epoch: a fresh permutation
                self._set_perm(torch.randperm(self.n_data, generator=self.gen_data))
                self.epoch, self.pos = self.epoch + 1, 0
            take = min(need, self.n_shard - self.pos)
            parts.append(self._perm_dev[self.pos : self.pos + take])
            self.pos += take
            need -= take
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def _set_perm(self, perm: torch.Tensor) -> None:
        # The CPU copy goes into checkpoints; the device copy is sliced every step, so
        # batching needs no host->device transfer (and no sync) except once per epoch.
        # Under torchrun every rank draws the same permutation (same generator state) and
        # keeps its DistributedSampler-style shard of it (padded, every world-th index).
        self.perm = perm
        if self.dist is not None:
            perm = distributed.shard(perm, self.dist.rank, self.dist.world_size)
        self._perm_dev = perm.to(self.device)
        self.n_shard = len(perm)

    def _z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.z_dim, generator=self.gen_z, device=self.gen_z.device).to(self.device)

    def _aug(self, x: torch.Tensor) -> torch.Tensor:
        # Augmentation draws share the gradient penalty's generator: both are D-side noise,
        # and that generator is already checkpointed (exact resume) and reseeded per rank.
        return augment.augment(x, self._policy, self.gen_gp) if self._policy else x

    def _reseed_rank(self, step: int) -> None:
        # Each rank needs its own latent/penalty noise (identical z on every rank would
        # repeat the same fakes N times); rank 0 keeps the single-process stream, which is
        # the one checkpoints store. Other ranks derive theirs from (seed, rank, step).
        if self.dist.rank:
            seed = distributed.rank_seed(self.cfg.seed, self.dist.rank, step)
            self.gen_z.manual_seed(seed)
            self.gen_gp.manual_seed(seed + 1)

    def step(self) -> None:
        """One G step after ``d_steps`` D steps. No device sync happens here."""
        cfg, G, D, loss = self.cfg, self._G_train, self.D, self.loss
        D_train = self._D_train  # D itself, or its DDP wrapper (see ganstudio/distributed.py)
        B = cfg.batch_size
        # D sees real and fake in one batch when it has no batch norm (whose statistics
        # would then mix the two): one forward/backward instead of two.
        joint = not getattr(D, "has_batchnorm", False)
        D.requires_grad_(True)
        for i in range(cfg.d_steps):
            idx = self._batch_indices(B)
            real = self.data[idx]
            last = i == cfg.d_steps - 1
            z = self._z(B)
            with torch.set_grad_enabled(last):  # the last fake is reused for the G step
                fake = G(z)
            # Conditional models: D judges each image against its class, the data's label
            # for real images and the class G drew from z for fakes.
            y_real = y_fake = None
            if self.labels is not None:
                y_real, y_fake = self.labels[idx], self.G.labels(z)
            if joint:
                y = None if y_real is None else torch.cat([y_real, y_fake])
                out = _judge(D_train, self._aug(torch.cat([real, fake.detach()])), y)
                d_real, d_fake = out[:B], out[B:]
            else:
                d_real = _judge(D_train, self._aug(real), y_real)
                d_fake = _judge(D_train, self._aug(fake.detach()), y_fake)
            loss_d = loss.d(d_real, d_fake)
            if loss.gradient_penalty:  # conditional: the penalty's mixed images count as the real class
                loss_d = loss_d + cfg.gp_weight * losses.gradient_penalty(
                    lambda x: _judge(D, x, y_real), real, fake.detach(), self.gen_gp
                )
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.opt_d.step()

        D.requires_grad_(False)  # G's backward needs no gradients for D's weights
        loss_g = loss.g(_judge(D, self._aug(fake), y_fake))
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.opt_g.step()

        if self.G_ema is not None and self.step_count % self._ema_every == 0:
            self._update_ema()
        with torch.no_grad():  # on-device running sums: no sync until the next log row
            self._acc += torch.stack(
                [
                    loss_d.detach(),
                    loss_g.detach(),
                    loss.readout(d_real.detach()).mean(),
                    loss.readout(d_fake.detach()).mean(),
                ]
            )
        self._acc_n += 1
        self.step_count += 1

    @property
    def _ema_every(self) -> int:
        """Steps between EMA updates. An update reads and writes every weight of G, 10-15% of a
        small model's step on a CPU; an average over ~1/(1-ema) steps (1,000 at 0.999) that
        takes every 8th step (with the decay raised to the 8th power) is the same average to
        within a percent, at an eighth of the cost. Short averages update every step."""
        return max(1, min(8, int(0.01 / (1.0 - self.cfg.ema)))) if self.cfg.ema < 1 else 1

    @torch.no_grad()
    def _update_ema(self) -> None:
        # Warm-up (as TensorFlow's ExponentialMovingAverage with num_updates): a fixed 0.999
        # would show the random initial weights for the first thousand steps. Updating every
        # k-th step, the decay of k steps is applied at once.
        k = self._ema_every
        decay = min(self.cfg.ema, (1 + self.step_count) / (10 + self.step_count)) ** k
        ema_p = list(self.G_ema.parameters())
        torch._foreach_lerp_(ema_p, list(self.G.parameters()), 1.0 - decay)
        for b_ema, b in zip(self.G_ema.buffers(), self.G.buffers()):  # batch-norm statistics
            b_ema.copy_(b)

    # --- the event loop ---
    def elapsed(self) -> float:
        start = self._session_start
        return self.elapsed_before + (time.perf_counter() - start if start is not None else 0.0)

    def run(self, between_steps: Callable[[], None] | None = None) -> Iterator[Event]:
        """Train until ``cfg.steps`` total, the time limit or ``request_stop()``; yield events.

        ``between_steps`` is called before every step, after the previous step's events
        were yielded: a front end reads its commands there (and may block to pause).

        Raises NonFiniteLossError when a loss becomes NaN/inf; the trainer's state is then
        rolled back to the last checkpoint, so ``run()`` may be called again.
        """
        cfg = self.cfg
        if not self.eval_in_background:
            self.prepare_evaluation()  # before the clock starts: not part of the time limit
        self._session_start = start_time = time.perf_counter()
        start_elapsed = self.elapsed_before
        rd = self.run_dir
        if rd is not None:
            rd.write_json(rd.config_path, dataclasses.asdict(cfg))
            if rd.latest_checkpoint() is None:  # a run folder always holds a loadable checkpoint
                yield self.save()
        if self._last_good is None:
            self._last_good = self._cpu_state()
        yield self.samples()
        reason = "steps"
        try:
            while self.step_count < self.cfg.steps:
                if between_steps is not None:
                    between_steps()
                why = "stopped" if self._stop else None
                if cfg.time_limit is not None and time.perf_counter() - start_time >= cfg.time_limit:
                    why = why or "time limit"
                if self.dist is not None:  # every rank must leave at the same step; agree at log rows
                    why = self.dist.agree_stop(why) if self.step_count % self.cfg.log_every == 0 else None
                if why is not None:
                    reason = why
                    break
                self.step()
                if self._writer.pending:
                    yield from self._writer.committed()
                s = self.step_count
                if s % self.cfg.log_every == 0:
                    yield from self._log_events()
                if s % self.cfg.sample_every == 0:
                    yield self.samples()
                if s % self.cfg.checkpoint_every == 0:
                    self._checkpoint()  # reported by committed() once on disk
                if (
                    self.cfg.eval_every
                    and s % self.cfg.eval_every == 0
                    and (self.dist is None or self.dist.is_main)
                    and self.evaluator.ready
                ):  # not ready: the app is still training the feature net
                    yield from self._evaluate()  # under torchrun rank 0 alone (it writes the results)
        finally:
            self.elapsed_before = start_elapsed + (time.perf_counter() - start_time)
            self._session_start = None
            self._stop = False  # consumed: a later run() trains again
            self._writer.wait_quietly()  # an error or a closed generator still commits what was taken
        yield from self._writer.wait()
        if self._acc_n:
            yield from self._log_events()
        if self.step_count % self.cfg.sample_every:
            yield self.samples()
        if rd is None or rd.latest_checkpoint() != rd.checkpoint_path(self.step_count):
            self._checkpoint()
            yield from self._writer.wait()
        yield Finished(self.step_count, reason)

    def _checkpoint(self) -> None:
        """Save to the run directory in the background (run() reports it once committed);
        without one, just remember the state for rollback."""
        if self.run_dir is not None:
            self._writer.submit(*self._checkpoint_job(None, None))
        else:
            self._check_weights()
            self._last_good = self._cpu_state()

    def _log(self) -> Scalars | Alarm:
        if self.dist is not None:  # rows average all ranks; a NaN on any rank stops every rank here
            self.dist.mean_(self._acc)
        vals = (self._acc / self._acc_n).tolist()  # sync point: one small copy per logged row
        self._acc.zero_()
        self._acc_n = 0
        row = dict(zip(SCALARS, vals))
        ev = Scalars(self.step_count, round(self.elapsed(), 3), row)
        if not all(math.isfinite(v) for v in vals):
            return self._nonfinite(ev, ", ".join(k for k, v in row.items() if not math.isfinite(v)))
        self._nonfinite_run = 0
        s = self.step_count
        if self._recent is None or s - self._recent_step >= ROLLBACK_EVERY or s % self.cfg.checkpoint_every == 0:
            self._remember_recent()
        if self.run_dir is not None:
            self.run_dir.append_jsonl(self.run_dir.metrics_path, [{"step": ev.step, "time": ev.time, **row}])
        return ev

    def _log_events(self) -> Iterator[Event]:
        ev = self._log()
        yield ev
        if isinstance(ev, Scalars):
            alarm = self.health.on_scalars(ev.step, ev.values)
            if alarm is not None:
                self._record_alarm(alarm)
                yield alarm

    def _nonfinite(self, ev: Scalars, bad: str) -> Alarm:
        """Skip the interval since the last finite row (undo its updates; its batches and
        noise are not replayed); after NONFINITE_PAUSE in a row, roll back to the last
        checkpoint and raise, which pauses every front end."""
        self._nonfinite_run += 1
        if self._nonfinite_run >= NONFINITE_PAUSE or self._recent is None:
            n = self._nonfinite_run
            self._nonfinite_run = 0
            self._rollback()
            self._record_alarm(
                Alarm(
                    ev.step,
                    "nonfinite",
                    f"{bad} became NaN/infinite {n} time(s) in a row (last at step {ev.step}); training paused.",
                    "",
                    paused=True,
                )
            )
            raise NonFiniteLossError(
                f"{bad} became NaN/infinite by step {ev.step} ({n} time(s) in a row); the "
                f"weights were reset to the last good state (step {self.step_count}). Try a "
                "lower learning rate or another loss."
            )
        with torch.no_grad():
            torch._foreach_copy_(self._recent_src, self._recent)
        alarm = Alarm(
            ev.step,
            "nonfinite",
            f"{bad} became NaN/infinite by step {ev.step}: the last {ev.step - self._recent_step} steps were "
            f"undone and skipped ({self._nonfinite_run} of {NONFINITE_PAUSE} before training pauses).",
            "If it repeats, lower the learning rates or try another loss.",
        )
        self._record_alarm(alarm)
        return alarm

    def _state_list(self) -> list[torch.Tensor]:
        mods = [self.G, self.D] + ([self.G_ema] if self.G_ema is not None else [])
        out = [t for m in mods for t in list(m.parameters()) + list(m.buffers())]
        for opt in (self.opt_g, self.opt_d):
            out += [v for st in opt.state.values() for v in st.values() if torch.is_tensor(v)]
        return out

    @torch.no_grad()
    def _remember_recent(self) -> None:
        src = self._state_list()
        if (
            self._recent is None
            or len(src) != len(self._recent)
            or any(a is not b for a, b in zip(src, self._recent_src))
        ):
            self._recent_src, self._recent = src, [t.detach().clone() for t in src]
        else:  # one device-side copy; no sync
            torch._foreach_copy_(self._recent, src)
        self._recent_step = self.step_count

    def _record_alarm(self, alarm: Alarm) -> None:
        if self.run_dir is not None:
            self.run_dir.append_jsonl(self.run_dir.events_path, [dict(alarm.as_row(), time=round(self.elapsed(), 3))])

    # --- quality ---
    @property
    def evaluator(self):
        if self._evaluator is None:
            from ganstudio.metrics.evaluate import Evaluator

            self._evaluator = Evaluator(self.dataset, self.device, seed=0)
        return self._evaluator

    def prepare_evaluation(self, progress: Callable[[int, int], None] | None = None):
        """Train or load the feature net evaluations need (a minute for a new 60k-image set
        on a CPU, then cached); a no-op when evaluations are off or already prepared.
        Returns the feature net (metrics/features.py TrainedFeatures), None for 2D data or
        when evaluations are off."""
        if self.cfg.eval_every and (self.dist is None or self.dist.is_main):
            self.evaluator.prepare(progress)
            return self.evaluator.feature_net
        return None

    def evaluate(self) -> dict[str, float]:
        """Quality metrics of the sample generator (EMA if any) now; see metrics/evaluate.py."""
        return self.evaluator.evaluate(self.sample_generator(), self.cfg.z_dim, self.cfg.eval_n)

    def _evaluate(self) -> Iterator[Event]:
        from ganstudio.metrics.evaluate import is_better, main_metric

        t0 = time.perf_counter()
        values = self.evaluate()
        # What the evaluation cost (wall seconds), so a run shows its share of the budget.
        values = {**values, "eval_seconds": round(time.perf_counter() - t0, 3)}
        best = is_better(self.dataset.kind, values, self.best_value)
        if best:
            metric = main_metric(self.dataset.kind)
            self.best_value = values[metric]
            if self.run_dir is not None and (self.dist is None or self.dist.rank == 0):
                best_meta = {"best": {"metric": metric, "value": self.best_value}}
                job, _ = self._checkpoint_job(self.run_dir.best_checkpoint_path, best_meta)
                self._writer.submit(job, None)  # no event: best.safetensors is not the newest checkpoint
        ev = Evaluated(self.step_count, round(self.elapsed(), 3), values, best)
        if self.run_dir is not None:
            self.run_dir.append_jsonl(
                self.run_dir.evals_path, [{"step": ev.step, "time": ev.time, **values, "best": best}]
            )
        yield ev
        alarm = self.health.on_eval(ev.step, values)
        if alarm is not None:
            self._record_alarm(alarm)
            yield alarm

    def _read_best(self) -> None:
        if self.run_dir is None or not self.run_dir.best_checkpoint_path.exists():
            return
        from ganstudio.io.checkpoint import read_metadata

        try:
            self.best_value = float(read_metadata(self.run_dir.best_checkpoint_path)["best"]["value"])
        except (CheckpointError, KeyError, TypeError, ValueError):
            self.best_value = None  # unreadable: the next evaluation writes a fresh one

    # --- samples and snapshots ---
    def sample_generator(self) -> nn.Module:
        """The generator samples come from: the EMA copy if there is one."""
        return self.G_ema if self.G_ema is not None else self.G

    @torch.no_grad()
    def generate(self, z: torch.Tensor, ema: bool = True) -> np.ndarray:
        """G(z) as a float32 numpy array, in eval mode, without disturbing training state."""
        g = self.sample_generator() if ema else self.G
        was_training = g.training
        g.eval()
        try:
            out = g(z.to(self.device)).float().cpu().numpy()  # sync point: one copy per call
        finally:
            g.train(was_training)
        return out

    def samples(self) -> Samples:
        x = self.generate(self.fixed_z)
        img = scatter_png(x, self.real_preview, extent=self.extent) if self.is_2d else image_grid(x)
        path = None
        if self.run_dir is not None:
            path = self.run_dir.sample_path(self.step_count)
            try:
                save_png(img, path)
            except OSError as e:
                raise write_error(path, e) from None
        return Samples(self.step_count, x, img, path)

    def generator_copy(self, ema: bool = True) -> nn.Module:
        """A frozen CPU copy of G (EMA if available) for exploring without touching training."""
        g = self.sample_generator() if ema else self.G
        return copy.deepcopy(g).to("cpu").eval().requires_grad_(False)

    # --- checkpoints ---
    def _tensors_and_meta(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        t = _state_tensors("G", self.G) | _state_tensors("D", self.D)
        if self.G_ema is not None:
            t |= _state_tensors("G_ema", self.G_ema)
        og, groups_g = _optimizer_tensors("opt_g", self.opt_g)
        od, groups_d = _optimizer_tensors("opt_d", self.opt_d)
        t |= og | od
        t["rng/data"] = self.gen_data.get_state()
        t["rng/z"] = self.gen_z.get_state()
        t["rng/gp"] = self.gen_gp.get_state()
        t["data/perm"] = self.perm
        meta = {
            "step": self.step_count,
            "elapsed": round(self.elapsed(), 3),
            "epoch": self.epoch,
            "pos": self.pos,
            "world_size": self.dist.world_size if self.dist is not None else 1,  # pos counts this rank's shard
            "config": dataclasses.asdict(self.cfg),
            "sample_shape": list(self.dataset.sample_shape),
            "kind": self.dataset.kind,
            "class_names": self.cfg.class_names,  # also in config; here for readers of the header alone
            "opt_g_groups": groups_g,
            "opt_d_groups": groups_d,
            "versions": versions(),
        }
        return t, meta

    def _cpu_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        t, meta = self._tensors_and_meta()
        return cpu_copy(t), meta

    def _rollback(self) -> None:
        self._writer.wait_quietly()  # the files being written are the states rolled back to
        if self._last_good is not None:
            self._load_state(*self._last_good, source=Path("<last good state>"))
            if self.run_dir is not None:  # rows past the restored step will be logged again
                self.run_dir.truncate_metrics(self.step_count)

    def _check_weights(self) -> None:
        """Never commit NaN/inf weights as a checkpoint: roll back and raise instead."""
        params = list(self.G.parameters()) + list(self.D.parameters())
        if not bool(torch.stack([torch.isfinite(p).all() for p in params]).all()):  # sync point, once per checkpoint
            step = self.step_count
            self._rollback()
            raise NonFiniteLossError(
                f"the weights became NaN/infinite by step {step}; they were reset to the last "
                f"good state (step {self.step_count}). Try a lower learning rate or another loss."
            )

    def save(self, path: str | Path | None = None, extra: dict[str, Any] | None = None) -> CheckpointSaved:
        """Write a checkpoint (to the run's checkpoints/ by default) and prune old ones; the
        file is committed when this returns. ``extra`` goes into the metadata (e.g. the
        metric of a best checkpoint)."""
        job, event = self._checkpoint_job(path, extra)
        self._writer.submit(job, event, report=False).result()  # after any earlier writes, in order
        return event

    def _checkpoint_job(self, path: str | Path | None, extra: dict[str, Any] | None):
        """Take the state now (one CPU copy, shared with the rollback state) and return the
        write as a job for the CheckpointWriter, with the event to report once committed."""
        self._check_weights()
        t, meta = self._tensors_and_meta()
        meta |= extra or {}
        prune = path is None
        if prune:
            if self.run_dir is None:
                raise ConfigError("no run directory to save a checkpoint into; pass a path")
            path = self.run_dir.checkpoint_path(self.step_count)
        path, rd, keep = Path(path), self.run_dir, self.cfg.keep_checkpoints
        cpu = cpu_copy(t)
        self._last_good = (cpu, meta)  # read-only from here on (a rollback clones what it loads)

        def write() -> None:
            try:
                write_cpu_copy(path, cpu, meta)
                if prune:
                    rd.prune_checkpoints(keep)  # only after the new one is committed
            except OSError as e:  # disk full or read-only: the temp file is gone, earlier checkpoints stay
                raise write_error(path, e) from None

        return write, CheckpointSaved(self.step_count, path)

    def load(self, path: str | Path) -> None:
        """Continue from a checkpoint file (validated; never unpickles)."""
        path = Path(path)
        tensors, meta = load_checkpoint(path)
        check_finite(path, tensors, ("opt_",))  # NaN Adam state would poison every step after
        self._load_state(tensors, meta, path)
        self._last_good = (tensors, meta)
        if self.run_dir is not None:
            self.run_dir.truncate_metrics(self.step_count)

    def _load_state(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any], source: Path) -> None:
        check_finite(source, tensors, ("G/", "D/", "G_ema/"))
        try:
            load_module(self.G, "G", tensors)
            load_module(self.D, "D", tensors)
            if self.G_ema is not None:
                load_module(self.G_ema, "G_ema" if any(k.startswith("G_ema/") for k in tensors) else "G", tensors)
            # load_state_dict keeps the given tensors (on CPU) and Adam updates them in
            # place: clone, or the remembered last good state would drift with training.
            opt = {k: v.clone() for k, v in tensors.items() if k.startswith("opt_")}
            fused = fused_adam(self.device)
            self.opt_g.load_state_dict(_optimizer_state("opt_g", opt, meta["opt_g_groups"], fused))
            self.opt_d.load_state_dict(_optimizer_state("opt_d", opt, meta["opt_d_groups"], fused))
            _match_strides(self.opt_g)
            _match_strides(self.opt_d)
            self._apply_lr()
            self.gen_data.set_state(tensors["rng/data"])
            self.gen_z.set_state(tensors["rng/z"])
            self.gen_gp.set_state(tensors["rng/gp"])
            perm = tensors["data/perm"]
            if perm.dtype != torch.int64 or perm.shape != (self.n_data,):
                raise ValueError(f"its data order is for {perm.numel()} items, this dataset has {self.n_data}")
            # A hostile or corrupt order would index out of range at the first step, not here.
            if not torch.equal(perm.sort().values, torch.arange(self.n_data)):
                raise ValueError("its data order is not a permutation of the dataset")
            step, epoch, pos = int(meta["step"]), int(meta["epoch"]), int(meta["pos"])
            if step < 0 or epoch < 0 or not 0 <= pos <= self.n_data:
                raise ValueError(f"step {step}, epoch {epoch}, position {pos} are out of range")
            self._set_perm(perm.clone())
            self.step_count, self.epoch, self.pos = step, epoch, pos
            # Resuming in another world size: continue at the same fraction of the epoch.
            old_world = int(meta.get("world_size", 1))
            world = self.dist.world_size if self.dist is not None else 1
            self.pos = distributed.shard_pos(pos, old_world, world, self.n_shard)
            if self.dist is not None:
                self._reseed_rank(step)
            self.elapsed_before = float(meta.get("elapsed", 0.0))
        except CheckpointError:
            raise
        except (KeyError, ValueError, RuntimeError, TypeError) as e:
            raise CheckpointError(f"{source}: does not fit this run's model/data ({first_lines(e, 3)})") from None
        self._acc.zero_()
        self._acc_n = 0
        self._recent = self._recent_src = None  # optimiser state tensors were replaced


class _WriteJob:
    """One checkpoint write on a thread of its own, started after the previous one ended."""

    def __init__(self, fn: Callable[[], None], previous: _WriteJob | None):
        self.error: BaseException | None = None
        # Not a daemon: an interpreter exiting mid-write waits for the file to be committed.
        self.thread = threading.Thread(target=self._run, args=(fn, previous), name="ganstudio-checkpoint")
        self.thread.start()

    def _run(self, fn: Callable[[], None], previous: _WriteJob | None) -> None:
        if previous is not None:
            previous.thread.join()  # files are committed (and pruned) in the order they were taken
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 -- raised again in the training thread by result()
            self.error = e

    def done(self) -> bool:
        return not self.thread.is_alive()

    def result(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


class CheckpointWriter:
    """Commits checkpoint files in the background, in order. Serialising and fsync-ing a
    file takes 0.1-0.3 s on a CPU machine, a few percent of a run that checkpoints every
    1,000 steps and saves a new best at every evaluation; the state is copied before the
    write starts, so training goes on meanwhile. Threads end with their write: none is left
    running once run() returns."""

    MAX_PENDING = 2  # more than this in flight means the disk is slower than training: wait

    def __init__(self) -> None:
        self._last: _WriteJob | None = None
        self._reported: deque[tuple[_WriteJob, CheckpointSaved | None]] = deque()

    @property
    def pending(self) -> bool:
        return bool(self._reported)

    def submit(self, fn: Callable[[], None], event: CheckpointSaved | None, report: bool = True) -> _WriteJob:
        """Start writing; ``report``: committed() checks it (and returns ``event`` unless None)."""
        running = [job for job, _ in self._reported if not job.done()]
        if len(running) >= self.MAX_PENDING:
            running[-self.MAX_PENDING].thread.join()  # back-pressure; committed() reports it later
        self._last = _WriteJob(fn, self._last)
        if report:
            self._reported.append((self._last, event))
        return self._last

    def committed(self) -> list[CheckpointSaved]:
        """Events of the writes committed so far (oldest first); a failed write raises here."""
        out = []
        while self._reported and self._reported[0][0].done():
            job, event = self._reported.popleft()
            job.result()
            if event is not None:
                out.append(event)
        return out

    def wait(self) -> list[CheckpointSaved]:
        """Wait for every write; then as committed()."""
        self.wait_quietly()
        return self.committed()

    def wait_quietly(self) -> None:
        if self._last is not None:
            self._last.thread.join()


def _judge(D: nn.Module, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    """D's raw scores, given the classes when the model is conditional."""
    return D(x) if y is None else D(x, y)


def _build(cfg: TrainConfig, dataset: Dataset, device: torch.device) -> tuple[nn.Module, nn.Module]:
    from ganstudio.models import build_models

    try:
        g, d = build_models(cfg, dataset.sample_shape)
        return g.to(device), d.to(device)
    except (MemoryError, RuntimeError) as e:  # e.g. a config asking for g_hidden=[2**40]
        if not isinstance(e, MemoryError) and "alloc" not in str(e).lower() and "out of memory" not in str(e).lower():
            raise
        n = sum(p.numel() for m in build_models_meta(cfg, dataset.sample_shape) for p in m.parameters())
        raise ConfigError(
            f"the model is too large for {device}'s memory ({n:,} parameters); lower width, z_dim or the hidden sizes"
        ) from None


def build_models_meta(cfg: TrainConfig, shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """The models on the meta device: shapes only, no memory (for size checks)."""
    from ganstudio.models import build_models

    with torch.device("meta"):
        return build_models(cfg, shape)
