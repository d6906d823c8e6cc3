"""The training worker: drives the engine's Trainer in a QThread and feeds the UI snapshots.

Rules it follows (docs/ARCHITECTURE.md, "Snapshots, not signals", "Last one wins", "Syncs are
counted"): it sends immutable numpy snapshots at most ``max_rate`` times a second, never more
than one sample image in flight (the UI calls ``ack_image()`` once it drew one); the UI's
commands (pause, step, stop, new hyper-parameters) go to a
:class:`~ganstudio.app.session.WorkerControl`, one explicit state whose "last one wins" requests
are read between steps.

The worker builds its Trainer itself, in its own thread, from a
:class:`~ganstudio.app.session.TrainJob` (the Session's config and what to resume): the
dataset loads there, reporting progress, and Stop cancels the load.

Image quality evaluations need a feature net (ganstudio/metrics/features.py) that takes about
a minute to train the first time on a new dataset. Rather than hold training back, the worker
trains it in a background thread of its own (``eval_progress`` / ``eval_ready`` /
``eval_failed`` report on it) while training runs; evaluations start once it is ready. Nothing
ever waits on that thread: Stop and closing cancel it at its next progress report.
"""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from ganstudio.app.session import Commands, IllegalTransition, TrainJob, WorkerControl
from ganstudio.errors import Cancelled, GanstudioError, NonFiniteLossError
from ganstudio.generator import find_checkpoint
from ganstudio.health import Alarm
from ganstudio.io.rundir import RunDir
from ganstudio.training import probes
from ganstudio.training import (
    SCALARS,
    CheckpointSaved,
    Evaluated,
    Finished,
    Samples,
    Scalars,
    Trainer,
    prepare,
)

TOY_FIELD_RESOLUTION = 64
# The share of training's time the UI thread may spend drawing what the worker sends: the UI's
# drawing is taken from training's cores (see bench/app_perf.py). Above it snapshots space out.
UI_SHARE = 0.02
MAX_INTERVAL = 1.0  # seconds between snapshots at most


class Pacer:
    """How far apart the worker sends snapshots, from what drawing them costs the UI thread.

    The UI thread adds its CPU seconds as it draws (:meth:`add_ui_cpu`; only that thread
    writes, the worker reads); at each snapshot the worker calls :meth:`update`, which
    compares them with ``clock``'s advance since the previous snapshot. Training on the CPU
    the clock is the worker thread's own CPU time: the time training actually had, which
    also holds while the whole process is stopped (a debugger, a bench's time slices), when
    a wall clock would make the UI look cheap. On a GPU the worker mostly waits, so the wall
    clock is the one to compare with. The snapshots' spacing (``interval``) is measured on
    the same clock: on a wall clock, a process stopped for a second (a bench running it in
    slices beside another) would send a snapshot at every resume, drawing more per second
    of training than it ever does for a user.
    """

    def __init__(self, min_interval: float, clock=time.perf_counter):
        self.interval = self.min_interval = min_interval
        self.clock = clock
        self._ui_cpu = 0.0
        self._mark: tuple[float, float] | None = None  # (UI seconds, clock) at the last update

    def add_ui_cpu(self, seconds: float) -> None:
        self._ui_cpu += seconds

    def update(self) -> float:
        """Adapt the interval to the UI's share since the last call; returns that share."""
        ui, now = self._ui_cpu, self.clock()
        share = 0.0
        if self._mark is not None:
            share = (ui - self._mark[0]) / max(now - self._mark[1], 1e-3)
            if share > UI_SHARE:
                self.interval = min(MAX_INTERVAL, self.interval * 1.25)
            elif share < UI_SHARE / 2:
                self.interval = max(self.min_interval, self.interval / 1.25)
        self._mark = (ui, now)
        return share


@dataclass(frozen=True)
class PointsState:
    fake: np.ndarray  # (M, 2) G(fixed z)
    field: np.ndarray  # (R, R) D's readout over the view's extent
    arrows: np.ndarray | None  # (M, 2) -d loss_g / d x per point; None while the view hides them


@dataclass(frozen=True)
class Snapshot:
    step: int
    total: int
    steps_per_s: float
    elapsed: float
    steps: np.ndarray  # (K,) steps of the metric rows new since the last snapshot
    values: dict[str, np.ndarray]  # each (K,)
    samples: Samples | None = None  # the newest sample grid, if the UI is ready for one
    points: PointsState | None = None
    checkpoint: Path | None = None  # the newest checkpoint written since the last snapshot
    markers: tuple[tuple[int, str], ...] = field(default_factory=tuple)  # (step, text) of hparam changes
    evals: tuple[Evaluated, ...] = ()  # quality evaluations since the last snapshot
    alarms: tuple[Alarm, ...] = ()  # health alarms since the last snapshot


@dataclass(frozen=True)
class RunInfo:
    """What the UI needs to know once the trainer exists (built in the worker thread)."""

    run_dir: Path
    config: Any
    kind: str
    real_points: np.ndarray | None
    extent: tuple[float, float] | None
    step: int
    choices: str = ""  # one line: what was chosen from the data and why (trainer.choices)
    resumed_from: Path | None = None  # the checkpoint loaded, when the job continued a run
    skipped: tuple[str, ...] = ()  # files the loader could not use


class _EvalSignals(QObject):
    """The background feature net's signals (see TrainingWorker.eval_*). This object stays in
    the thread that made the worker, the UI's, so every slot runs there, plain functions too;
    on the worker itself they would be queued to the worker's thread, which is busy training."""

    progress = Signal(object, int, int)
    ready = Signal(object)
    failed = Signal(object, str, str)


class TrainingWorker(QObject):
    started = Signal(object)  # RunInfo
    snapshot = Signal(object)  # Snapshot
    state_changed = Signal(str)  # "running" | "paused"
    failed = Signal(str, str)  # message, details; training is paused (or over, if it could not start)
    finished = Signal(str)  # reason: "steps" | "time limit" | "stopped" | "cancelled" | "error"
    loading = Signal(int, int)  # files done, total (0 while counting): the dataset is loading
    generator = Signal(object)  # explore.GeneratorSnapshot: a frozen copy of G, on request
    warning = Signal(str)  # one line for the user; training goes on (e.g. TensorBoard is not installed)

    def __init__(
        self,
        job: TrainJob,
        max_rate: float = 4,
        points_every: float = 0.5,
        background_eval: bool = True,
    ):
        super().__init__()
        # The feature net for image quality metrics, trained in a background thread; these
        # come from that thread (the worker first, so a late signal can be told apart).
        self._eval_signals = _EvalSignals()
        self.eval_progress = self._eval_signals.progress  # (worker, updates done, total); (0, 0): starting
        self.eval_ready = self._eval_signals.ready  # (worker,): evaluations run from now on
        self.eval_failed = self._eval_signals.failed  # (worker, message, details): this run goes without them
        self.job = job
        self.control = WorkerControl()  # the UI's commands: one state, read between steps
        self.background_eval = background_eval  # False: Trainer.run() prepares evaluations before its clock
        self.eval_thread: threading.Thread | None = None
        self._eval_cancel = False
        self._threads_before = 0  # torch threads of this thread before it shared the cores (0: not shared)
        self.trainer: Trainer | None = None
        self.pacer = Pacer(1.0 / max_rate)
        self._points_every = points_every
        # The 2D view's "G gradients" box (UI thread writes, worker reads; last one wins):
        # the arrows take a backward pass through D, a third of the probe, so only when shown.
        self.points_arrows = False
        self._image_free = True  # no sample image in flight
        self._t_loading = 0.0
        self._t_emit = self._t_points = 0.0
        self._rate_mark = (time.perf_counter(), 0)  # (time, step) steps/s is measured from
        self._rate = 0.0
        self.skipped: list[str] = []  # files the loader could not use (filled in the worker thread)
        # what the next snapshot carries (coalesced between snapshots)
        self._rows: list[Scalars] = []
        self._samples: Samples | None = None
        self._checkpoint: Path | None = None
        self._markers: list[tuple[int, str]] = []
        self._evals: list[Evaluated] = []
        self._alarms: list[Alarm] = []

    # --- commands, called from the UI thread (see WorkerControl for what is legal when) ---
    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def step_once(self) -> None:
        self.control.step()

    def stop(self) -> None:
        self.control.stop()
        tr = self.trainer
        if tr is not None:
            tr.request_stop()

    def set_hparams(self, **changes: Any) -> None:
        self.control.set_hparams(**changes)

    def request_checkpoint(self) -> None:
        self.control.request_checkpoint()

    def evaluation_pending(self) -> bool:
        """True while the feature net is being prepared in the background."""
        return self.eval_thread is not None and self.eval_thread.is_alive()

    def report_loading(self, done: int, total: int) -> None:
        """Progress callback for the data loaders (worker thread); at most ~10 signals a second."""
        now = time.perf_counter()
        if now - self._t_loading >= 0.1 or (total and done >= total):
            self._t_loading = now
            self.loading.emit(done, total)

    def cancelled(self) -> bool:
        """Cancel callback for the data loaders: Stop (or closing the window) cancels a load."""
        return self.control.stopped

    def request_generator(self, ema: bool = True) -> None:
        """Ask for a copy of G (for the Latent/Interpolation tabs), taken between steps."""
        self.control.request_generator(ema)

    def show_arrows(self, on: bool) -> None:
        """The 2D view's "G gradients" box changed: compute G's arrows from now on (or stop),
        and send a fresh state at once, also while paused, so that they show without waiting."""
        self.points_arrows = bool(on)
        if on:
            self.control.request_points()

    def ack_image(self) -> None:
        self._image_free = True

    def report_ui_cpu(self, seconds: float) -> None:
        """CPU seconds the UI thread spent since its previous report (UI thread only)."""
        self.pacer.add_ui_cpu(seconds)

    @property
    def paused(self) -> bool:
        return self.control.paused

    # --- the thread body ---
    def _build_trainer(self) -> tuple[Trainer, Path | None]:
        """Load the data (reporting progress; Stop cancels it) and build the job's Trainer."""
        job = self.job
        _, ds = prepare(job.config, warn=self.skipped.append, progress=self.report_loading, cancel=self.cancelled)
        # Given the config as asked (Nones and all): it resolves it against the data as
        # prepare did, and keeps the asked one for trainer.choices.
        tr = Trainer(job.config, dataset=ds, run_dir=job.run_dir, warn=self.warning.emit)
        ckpt = None
        if job.resume:
            ckpt = best_checkpoint(job.run_dir) if job.checkpoint == "best" else None
            ckpt = ckpt or RunDir(job.run_dir).latest_checkpoint()  # no best yet: the latest
            if ckpt is not None:
                tr.load(ckpt)
        return tr, ckpt

    @Slot()
    def run(self) -> None:
        try:
            self.trainer, resumed_from = self._build_trainer()
        except Cancelled:
            self.finished.emit("cancelled")
            return
        except GanstudioError as e:
            self.failed.emit(str(e), "")
            self.finished.emit("error")
            return
        except Exception as e:  # a bug: show it, keep the app alive
            self.failed.emit(f"Could not start training: {e}", traceback.format_exc())
            self.finished.emit("error")
            return
        tr = self.trainer
        self.started.emit(
            RunInfo(
                tr.run_dir.path,
                tr.cfg,
                tr.dataset.kind,
                tr.real_preview,
                tr.extent,
                tr.step_count,
                self._choices(tr),
                resumed_from,
                tuple(self.skipped),
            )
        )
        if self.control.stopped:
            tr.request_stop()
        try:
            self._start_background_evaluation(tr)
        except Exception as e:  # noqa: BLE001 -- evaluations are a bonus; training goes on without them
            self.eval_failed.emit(self, f"Quality evaluations are off for this run: {e}", traceback.format_exc())
        if tr.device.type == "cpu":
            self.pacer.clock = time.thread_time  # this thread's: see Pacer
        self._t_emit = self._t_points = 0.0
        self._rate_mark = (time.perf_counter(), tr.step_count)
        self._rate = 0.0
        reason = "error"
        self.state_changed.emit("running")
        while True:
            try:
                for ev in tr.run(self._between_steps):
                    self._collect(ev)
                    if isinstance(ev, Finished):
                        reason = ev.reason
                break
            except NonFiniteLossError as e:
                # The trainer rolled back to its last good state: pause and let the user
                # change the learning rate or loss, then train on. run() starts again and
                # parks at its first step (or, stopped meanwhile, saves and finishes there).
                self._emit(force=True)
                try:
                    self.control.pause()
                except IllegalTransition:
                    pass  # stopped already: run() below finishes at once
                self.failed.emit(str(e), "")
            except Exception as e:
                # The failed step may have half-updated the state: keep the last good
                # checkpoint on disk rather than overwrite it with this.
                self.failed.emit(f"Training stopped: {e}", traceback.format_exc())
                reason = "error"
                break
        self._eval_cancel = True  # a feature net still training is of no use to this run now
        self._restore_threads()
        self._emit(force=True)
        self.finished.emit(reason)

    def _restore_threads(self) -> None:
        """The feature net is done (or training is): this thread takes all its cores back."""
        if self._threads_before:
            import torch

            torch.set_num_threads(self._threads_before)
            self._threads_before = 0

    @staticmethod
    def _choices(tr: Trainer) -> str:
        from ganstudio.training import choices

        try:
            return choices(tr.asked, tr.cfg, tr.dataset, tr.device.type)
        except Exception:  # noqa: BLE001 -- a summary line must never stop training
            return ""

    # --- the feature net, in the background ---
    def _start_background_evaluation(self, tr: Trainer) -> None:
        """Image data with evaluations on and no cached feature net: train it in a thread of
        its own while training runs (``Trainer.run`` would otherwise train it first)."""
        if not self.background_eval or tr.is_2d or not tr.cfg.eval_every:
            return
        from ganstudio.metrics import features

        ds = tr.dataset
        if features.is_cached(ds.data, ds.labels):
            return  # loads in a moment: Trainer.run() does it before its clock starts
        tr.eval_in_background = True
        evaluator = tr.evaluator  # built here, so the two threads never race to build it
        if tr.device.type == "cpu":
            # Share the cores instead of oversubscribing them: the feature net takes one (see
            # _prepare_evaluation) and training the rest until it is done (_between_steps).
            # Two OpenMP teams contending for the same cores spin at their barriers.
            import torch

            self._threads_before = torch.get_num_threads()
            if self._threads_before > 1:
                torch.set_num_threads(self._threads_before - 1)
        self.eval_thread = threading.Thread(
            target=self._prepare_evaluation, args=(tr, evaluator), name="feature-net", daemon=True
        )
        self.eval_progress.emit(self, 0, 0)
        self.eval_thread.start()

    def _prepare_evaluation(self, tr: Trainer, evaluator) -> None:
        """The background thread's body: never raises, reports through signals, and gives up
        (raising Cancelled inside the feature net's training loop) once training ended."""
        from ganstudio.explore import use_one_thread_here

        def progress(done: int, total: int) -> None:
            if self._eval_cancel or self.control.stopped:
                raise Cancelled("the quality feature net was cancelled: training stopped")
            self.eval_progress.emit(self, int(done), int(total))

        try:
            use_one_thread_here()  # one core for this, the other stays with training and the UI
            if self._eval_cancel or self.control.stopped:
                return
            tr.prepare_evaluation(progress)
        except Cancelled:
            return
        except Exception as e:  # noqa: BLE001 -- shown in the app; training goes on without evaluations
            self.eval_failed.emit(
                self,
                f"Quality evaluations are off for this run: could not train the feature net ({e})",
                traceback.format_exc(),
            )
            return
        if evaluator.ready:
            self.eval_ready.emit(self)

    def _save_requested(self) -> None:
        try:
            self._collect(self.trainer.save())
        except GanstudioError as e:
            self.failed.emit(f"Could not save a checkpoint: {e}", "")
        except OSError as e:
            self.failed.emit(f"Could not save a checkpoint: {e.strerror or e}", "")
        self._emit(force=True)

    def _send_generator(self, ema: bool) -> None:
        from ganstudio.explore import snapshot_from_trainer

        self.generator.emit(snapshot_from_trainer(self.trainer, ema=ema))

    def _serve(self, c: Commands) -> None:
        """Carry out what the UI asked for (outside the control's lock)."""
        if c.stop:  # also covers a stop requested while the trainer was being built
            self.trainer.request_stop()
        if c.hparams:
            self._apply_hparams(c.hparams)
        if c.checkpoint:
            self._save_requested()
        if c.generator is not None:
            self._send_generator(c.generator)
        if c.points and self.trainer.is_2d:
            self._emit(force=True)

    def _between_steps(self) -> None:
        """Runs in the worker thread before every step: commands, pause, snapshots."""
        c = self.control.between_steps()
        if self._threads_before and not self.evaluation_pending():
            self._restore_threads()
        self._serve(c)
        if self.pacer.clock() - self._t_emit >= self.pacer.interval:
            self._emit()
        if not c.go:
            self._emit(force=True)
            self._park()

    def _park(self) -> None:
        """Paused: serve checkpoint and G requests until resumed, stopped or given a step."""
        self.state_changed.emit("paused")
        while True:
            c = self.control.wait()
            self._serve(c)
            if c.go:
                break
        self._rate_mark = (time.perf_counter(), self.trainer.step_count)  # no pause in steps/s
        self.state_changed.emit("paused" if self.control.paused else "running")

    def _apply_hparams(self, changes: dict[str, Any]) -> None:
        try:
            changed = self.trainer.set_hparams(**changes)
        except GanstudioError as e:
            self.failed.emit(str(e), "")
            return
        if changed:
            text = ", ".join(f"{k}={v}" for k, v in changed.items())
            self._markers.append((self.trainer.step_count, text))

    # --- coalescing ---
    def _collect(self, ev) -> None:
        if isinstance(ev, Scalars):
            self._rows.append(ev)
        elif isinstance(ev, Samples):
            self._samples = ev  # only the newest is worth drawing
        elif isinstance(ev, CheckpointSaved):
            self._checkpoint = ev.path
        elif isinstance(ev, Evaluated):
            self._evals.append(ev)
        elif isinstance(ev, Alarm):
            self._alarms.append(ev)

    def _emit(self, force: bool = False) -> None:
        tr = self.trainer
        wall, now = time.perf_counter(), self.pacer.clock()  # steps/s per wall second; spacing on the pacer's clock
        t0, s0 = self._rate_mark
        if wall - t0 >= 1.0:
            self._rate = (tr.step_count - s0) / (wall - t0)
            self._rate_mark = (wall, tr.step_count)
        points = None
        if tr.is_2d and (force or now - self._t_points >= self._points_every):
            points = self._points_state()
            self._t_points = now
        samples = self._samples if self._image_free else None
        if not (
            force or self._rows or samples or points or self._checkpoint or self._markers or self._evals or self._alarms
        ):
            return
        if samples is not None:
            self._image_free = False
            self._samples = None
        rows = self._rows
        snap = Snapshot(
            step=tr.step_count,
            total=tr.cfg.steps,
            steps_per_s=self._rate,
            elapsed=tr.elapsed(),
            steps=np.array([r.step for r in rows], dtype=np.int64),
            values={k: np.array([r.values[k] for r in rows], dtype=np.float64) for k in SCALARS},
            samples=samples,
            points=points,
            checkpoint=self._checkpoint,
            markers=tuple(self._markers),
            evals=tuple(self._evals),
            alarms=tuple(self._alarms),
        )
        self._rows, self._checkpoint, self._markers, self._evals, self._alarms = [], None, [], [], []
        self._t_emit = now
        self.pacer.update()
        self.snapshot.emit(snap)

    def _points_state(self) -> PointsState:
        tr = self.trainer
        G = tr.sample_generator()
        z = tr.fixed_z[:512]
        if self.points_arrows:
            fake, arrows = probes.g_arrows(G, tr.D, z, tr.loss)
        else:
            fake, arrows = probes.g_points(G, z), None
        field_ = probes.d_field(tr.D, tr.extent, TOY_FIELD_RESOLUTION, tr.loss, tr.device)
        return PointsState(fake, field_, arrows)


def best_checkpoint(run: Path) -> Path | None:
    """The run's best checkpoint (ganstudio.generator.find_checkpoint owns the rule), or None."""
    try:
        return find_checkpoint(run, "best")
    except GanstudioError:
        return None
