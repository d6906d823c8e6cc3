"""The one training engine: every front end (CLI, app worker, torchrun) drives a Trainer.

``Trainer.step()`` does one generator step (and ``d_steps`` discriminator steps) and never
synchronises with the device. ``Trainer.run()`` is a generator of immutable events
(ganstudio/events.py): :class:`Scalars` every ``log_every`` steps (the only regular GPU->CPU
copy), :class:`Samples` from fixed noise, :class:`CheckpointSaved`, :class:`Evaluated`,
:class:`Alarm` and a final :class:`Finished`. Each event goes to the Trainer's sinks (the
run folder, TensorBoard: training/sinks.py) before it is yielded.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn

from ganstudio import augment, distributed, losses
from ganstudio.config import TrainConfig
from ganstudio.data import Dataset
from ganstudio.devices import pick_device
from ganstudio.distributed import DistInfo
from ganstudio.errors import ConfigError
from ganstudio.events import SCALARS, Alarm, CheckpointSaved, Event, Finished, Samples, Scalars
from ganstudio.health import HealthMonitor
from ganstudio.io.checkpoint import check_finite, load_checkpoint
from ganstudio.io.media import image_grid, scatter_extent, scatter_png
from ganstudio.io.rundir import RunDir
from ganstudio.training import quality, setup, state
from ganstudio.training.guard import Guard
from ganstudio.training.sinks import RunFolderLog, tensorboard_sink
from ganstudio.training.writer import CheckpointWriter, checkpoint_job


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
        self.asked = cfg  # as given, before the data's defaults (see setup.choices())
        self.device = dist.device if dist is not None else pick_device(cfg.device)
        if dataset is None:
            cfg, dataset = setup.prepare(cfg, warn)
        else:
            cfg = setup.resolve_for(cfg, dataset, self.device.type)
        self.cfg, self.dataset = cfg, dataset
        self.run_dir = RunDir(run_dir).create() if isinstance(run_dir, (str, Path)) else run_dir
        self.is_2d = dataset.kind == "2d"
        self.warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr))  # one line each
        self.say: Callable[[str], None] | None = None  # one-line notes for a person (where TensorBoard writes)

        self.G, self.D = setup.build(cfg, dataset, self.device)
        # Convolutions run faster on a CPU (oneDNN) in channels-last layout; checkpoints store
        # plain contiguous tensors.
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
        self.opt_g, self.opt_d = setup.optimisers(self.G, self.D, cfg, self.device)
        self.loss = losses.get(cfg.loss)
        self._policy = augment.parse_policy(cfg.augment)

        self.data = torch.from_numpy(dataset.data).to(self.device)  # (N, ...) float32, resident
        if self._channels_last:
            self.data = self.data.contiguous(memory_format=torch.channels_last)
        self.n_data = len(dataset.data)
        self.gen_z, self.gen_gp = setup.noise_generators(cfg.seed, self.device)
        if dist is not None:
            setup.reseed_rank(self.gen_z, self.gen_gp, cfg.seed, dist, 0)
        self.order = setup.DataOrder(self.n_data, cfg.seed, self.device, dist)
        self.fixed_z = setup.fixed_noise(cfg.n_samples, cfg.z_dim, cfg.seed).to(self.device)

        self.step_count = 0
        self.elapsed_before = 0.0  # seconds spent in earlier sessions of this run
        self._acc = torch.zeros(len(SCALARS), device=self.device)
        self._acc_n = 0
        self._stop = False
        self.guard = Guard(self)  # NaN/inf: undo an interval, or roll back and pause (training/guard.py)
        self.health = HealthMonitor(cfg.loss, cfg.spectral_norm, cfg.d_steps, ema=cfg.ema)
        self._evaluator = None  # built on the first evaluation (image sets train a feature net)
        # True: the front end prepares the evaluator in the background (see prepare_evaluation)
        # and evaluations due before it is ready are skipped; False: run() prepares it
        # before its clock starts. Either way it never counts against the time limit.
        self.eval_in_background = False
        self.best_value = quality.read_best(self.run_dir)  # main metric of checkpoints/best.safetensors
        self._session_start: float | None = None  # perf_counter() when run() began
        self.writer = CheckpointWriter()
        self.extent = scatter_extent(dataset.data) if self.is_2d else None
        self.real_preview = dataset.data[:: max(1, self.n_data // 1000)] if self.is_2d else None
        # Sinks (training/sinks.py), rank 0 only: the run folder's log whenever there is a run
        # folder; TensorBoard while run() runs, when cfg.tensorboard is on.
        main = dist is None or dist.is_main
        self.log = RunFolderLog(self.run_dir, self.elapsed) if self.run_dir is not None and main else None
        self.sinks: list[Callable[[Event], None]] = [self.log] if self.log is not None else []
        self.tensorboard = None  # io/tensorboard.py LiveLogger while run() runs
        self.tensorboard_failed = False  # it could not open (said once through warn)

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
        self.cfg = setup.resolve_for(dataclasses.replace(self.cfg, **changed), self.dataset, self.device.type)
        self.loss = losses.get(self.cfg.loss)
        self.health.set_loss(self.cfg.loss, self.cfg.d_steps)
        self.apply_lr()
        if self.log is not None:
            self.log.config(self.cfg)
        self.log_event("set", changes=changed)
        return changed

    def apply_lr(self) -> None:
        for opt, lr in ((self.opt_g, self.cfg.lr_g), (self.opt_d, self.cfg.lr_d)):
            for group in opt.param_groups:
                group["lr"] = lr

    # --- the run folder and the sinks ---
    def publish(self, ev: Event) -> Event:
        """Hand ``ev`` to every sink, in order; returns it."""
        for sink in self.sinks:
            sink(ev)
        return ev

    def log_event(self, kind: str, **fields: Any) -> None:
        """One row of the run's events.jsonl: step, time, ``"event": kind`` and ``fields``
        (rank 0 with a run folder; a no-op otherwise)."""
        if self.log is not None:
            self.log.event({"step": self.step_count, "time": round(self.elapsed(), 3), "event": kind, **fields})

    @property
    def tensorboard_dir(self) -> Path | None:
        """Where this Trainer's TensorBoard sink writes, while it is open."""
        return self.tensorboard.log_dir if self.tensorboard is not None else None

    def _publish_all(self, events: Iterable[Event]) -> Iterator[Event]:
        for ev in events:
            yield self.publish(ev)

    # --- the hot loop ---
    def _z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.z_dim, generator=self.gen_z, device=self.gen_z.device).to(self.device)

    def _aug(self, x: torch.Tensor) -> torch.Tensor:
        # Augmentation draws share the gradient penalty's generator: both are D-side noise,
        # and that generator is already checkpointed (exact resume) and reseeded per rank.
        return augment.augment(x, self._policy, self.gen_gp) if self._policy else x

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
            idx = self.order.take(B)
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
            self._acc += torch.stack([loss_d, loss_g, loss.readout(d_real).mean(), loss.readout(d_fake).mean()])
        self._acc_n += 1
        self.step_count += 1

    @property
    def _ema_every(self) -> int:
        """Steps between EMA updates: every 8th step with the decay raised to the 8th power is
        the same average over ~1/(1-ema) steps at an eighth of the cost (see bench/throughput.py);
        short averages update every step."""
        return max(1, min(8, int(0.01 / (1.0 - self.cfg.ema)))) if self.cfg.ema < 1 else 1

    @torch.no_grad()
    def _update_ema(self) -> None:
        # Warm-up (as TensorFlow's ExponentialMovingAverage with num_updates), or a fixed 0.999
        # would show the random initial weights for a thousand steps; k steps' decay at once.
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
        if not self.eval_in_background:
            self.prepare_evaluation()  # before the clock starts: not part of the time limit
        with tensorboard_sink(self):
            yield from self._session(between_steps)

    def _session(self, between_steps: Callable[[], None] | None) -> Iterator[Event]:
        cfg = self.cfg
        self._session_start = start_time = time.perf_counter()
        start_elapsed = self.elapsed_before
        rd = self.run_dir
        if self.log is not None:
            self.log.config(cfg)
        if rd is not None and rd.latest_checkpoint() is None:  # a run folder always holds a loadable checkpoint
            yield self.publish(self.save())
        if self.guard.last_good is None:
            self.guard.keep_now()
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
                if self.writer.pending:
                    yield from self._publish_all(self.writer.committed())
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
                    yield from quality.evaluation_events(self)  # under torchrun rank 0 alone (it writes the results)
        finally:
            self.elapsed_before = start_elapsed + (time.perf_counter() - start_time)
            self._session_start = None
            self._stop = False  # consumed: a later run() trains again
            self.writer.wait_quietly()  # an error or a closed generator still commits what was taken
        yield from self._publish_all(self.writer.wait())
        if self._acc_n:
            yield from self._log_events()
        if self.step_count % self.cfg.sample_every:
            yield self.samples()
        if rd is None or rd.latest_checkpoint() != rd.checkpoint_path(self.step_count):
            self._checkpoint()
            yield from self._publish_all(self.writer.wait())
        yield self.publish(Finished(self.step_count, reason))

    def _checkpoint(self) -> None:
        """Save to the run directory in the background (run() reports it once committed);
        without one, just remember the state for rollback."""
        if self.run_dir is not None:
            self.writer.submit(*checkpoint_job(self, None, None))
        else:
            self.guard.check_weights()
            self.guard.keep_now()

    def _log(self) -> Scalars | Alarm:
        if self.dist is not None:  # rows average all ranks; a NaN on any rank stops every rank here
            self.dist.mean_(self._acc)
        vals = (self._acc / self._acc_n).tolist()  # sync point: one small copy per logged row
        self._acc.zero_()
        self._acc_n = 0
        row = dict(zip(SCALARS, vals))
        ev = Scalars(self.step_count, round(self.elapsed(), 3), row)
        if not all(math.isfinite(v) for v in vals):
            return self.guard.nonfinite_row(ev, ", ".join(k for k, v in row.items() if not math.isfinite(v)))
        self.guard.finite_row(self.step_count)
        return ev

    def _log_events(self) -> Iterator[Event]:
        ev = self._log()
        yield self.publish(ev)
        if isinstance(ev, Scalars):
            alarm = self.health.on_scalars(ev.step, ev.values)
            if alarm is not None:
                yield self.publish(alarm)

    # --- quality ---
    @property
    def evaluator(self):
        if self._evaluator is None:
            from ganstudio.metrics.evaluate import Evaluator

            self._evaluator = Evaluator(self.dataset, self.device, seed=0)
        return self._evaluator

    def prepare_evaluation(self, progress: Callable[[int, int], None] | None = None):
        """Train or load the feature net evaluations need (once per dataset, then cached); a
        no-op when evaluations are off or already prepared. Returns the feature net
        (metrics/features.py TrainedFeatures), None for 2D data or when evaluations are off."""
        if self.cfg.eval_every and (self.dist is None or self.dist.is_main):
            self.evaluator.prepare(progress)
            return self.evaluator.feature_net
        return None

    def evaluate(self) -> dict[str, float]:
        """Quality metrics of the sample generator (EMA if any) now; see metrics/evaluate.py."""
        return self.evaluator.evaluate(self.sample_generator(), self.cfg.z_dim, self.cfg.eval_n)

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
        """G(fixed noise) now, as an event published to the sinks (the run folder writes its PNG)."""
        x = self.generate(self.fixed_z)
        img = scatter_png(x, self.real_preview, extent=self.extent) if self.is_2d else image_grid(x)
        path = self.run_dir.sample_path(self.step_count) if self.log is not None else None
        return self.publish(Samples(self.step_count, x, img, path))

    def generator_copy(self, ema: bool = True) -> nn.Module:
        """A frozen CPU copy of G (EMA if available) for exploring without touching training."""
        g = self.sample_generator() if ema else self.G
        return copy.deepcopy(g).to("cpu").eval().requires_grad_(False)

    # --- checkpoints (the format: training/state.py) ---
    def save(self, path: str | Path | None = None, extra: dict[str, Any] | None = None) -> CheckpointSaved:
        """Write a checkpoint (to the run's checkpoints/ by default) and prune old ones; the
        file is committed when this returns. ``extra`` goes into the metadata (e.g. the
        metric of a best checkpoint)."""
        job, event = checkpoint_job(self, path, extra)
        self.writer.submit(job, event, report=False).result()  # after any earlier writes, in order
        return event

    def load(self, path: str | Path) -> None:
        """Continue from a checkpoint file (validated; never unpickles)."""
        path = Path(path)
        tensors, meta = load_checkpoint(path)
        check_finite(path, tensors, ("opt_",))  # NaN Adam state would poison every step after
        self.restore_state(tensors, meta, path)
        self.guard.last_good = (tensors, meta)
        if self.log is not None:
            self.log.truncate(self.step_count)

    def restore_state(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any], source: Path) -> None:
        """Set the whole state from a checkpoint's tensors and metadata (CheckpointError if unfit)."""
        state.load_into(self, tensors, meta, source)
        self._acc.zero_()
        self._acc_n = 0
        self.guard.forget_recent()  # the optimisers' state tensors were replaced


def _judge(D: nn.Module, x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    """D's raw scores, given the classes when the model is conditional."""
    return D(x) if y is None else D(x, y)
