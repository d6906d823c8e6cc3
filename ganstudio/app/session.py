"""The app's state in one Qt-free model: widgets are views of it (docs/ARCHITECTURE.md, "The app's state").

:class:`Session` holds the config the Setup form shows, the run folder shown (trained here or
opened), the checkpoint an opened run continues from, the run state and the last error, and
announces every change (``session.events.state.connect(cb)``, napari's evented models in
miniature). The window, the explorer tabs and the worker read and change it; none of them keeps
a copy. Notifications run in the thread that made the change: the worker's facts reach the
Session through its Qt signals, so callbacks always run in the UI thread.

:class:`WorkerControl` is the worker's side: the UI's commands (pause, resume, step, stop, a
checkpoint, a copy of G, new hyper-parameters) as one explicit state with legal transitions
and "last one wins" requests, read between training steps ("Last one wins"). Both are plain Python
and unit-tested without a display (tests/core/test_session.py).

Nothing here imports Qt (PySide6) or torch.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ganstudio.config import DATASET_DEFAULTS, TrainConfig, control, defaults_for

__all__ = [
    "IDLE",
    "LOADING",
    "RUNNING",
    "PAUSED",
    "FOLLOWING",
    "STOPPED",
    "IllegalTransition",
    "EventEmitter",
    "Session",
    "TrainJob",
    "WorkerControl",
    "Commands",
    "form_fields",
]

# Run states of the Session
IDLE = "idle"  # nothing trains; a run may be shown (opened and no longer followed, or finished)
LOADING = "loading"  # the worker is loading the data and building the trainer
RUNNING = "running"
PAUSED = "paused"  # parked between steps
FOLLOWING = "following"  # an opened run's folder is polled (another process may be writing it)
SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    IDLE: frozenset({LOADING, FOLLOWING}),
    FOLLOWING: frozenset({IDLE, FOLLOWING, LOADING}),
    LOADING: frozenset({RUNNING, IDLE}),  # IDLE: cancelled, or it could not start
    RUNNING: frozenset({PAUSED, IDLE}),
    PAUSED: frozenset({RUNNING, IDLE}),
}
TRAINING = (LOADING, RUNNING, PAUSED)  # a worker exists


class IllegalTransition(RuntimeError):
    """A state change the state machine does not allow (a bug in the caller)."""


class EventEmitter:
    """One event: ``connect(callback)``, ``disconnect(callback)``, ``emit(*args)``."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., Any]] = []

    def connect(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[..., Any]) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args: Any) -> None:
        for cb in list(self._callbacks):
            cb(*args)


class SessionEvents:
    def __init__(self) -> None:
        self.config = EventEmitter()  # (changed field names: frozenset[str]); also the data kind
        self.run = EventEmitter()  # (): run_path, run_config, open_checkpoint or resumed_from changed
        self.state = EventEmitter()  # (new, old)
        self.error = EventEmitter()  # (message or None)


def form_fields(cls: type = TrainConfig) -> list[dataclasses.Field]:
    """The config fields the Setup form shows, in its order (those with a label)."""
    out = [f for f in dataclasses.fields(cls) if control(f) is not None and control(f).label is not None]
    return sorted(out, key=lambda f: control(f).row)


def _data_decides(f: dataclasses.Field) -> bool:
    """A field whose default is None: the dataset's defaults (or the data, once loaded) fill it."""
    return f.default is None


def _shown_as_bool(f: dataclasses.Field) -> bool:
    return bool(control(f).text)


@dataclass(frozen=True)
class TrainJob:
    """What the worker builds a Trainer from (in its own thread)."""

    config: TrainConfig  # as asked (None: chosen from the data), or a run's own config when continuing it
    run_dir: Path
    resume: bool = False  # continue run_dir's checkpoint
    checkpoint: str = "latest"  # which one when resuming: latest | best (falls back to latest)
    note: str = ""  # why a continuation became a new run, if it did


class Session:
    """The app's facts, with change notifications (see the module docstring)."""

    def __init__(self, cls: type = TrainConfig, device_type: Callable[[str], str] | None = None):
        self.cls = cls
        self.events = SessionEvents()
        self.config = cls()  # what the Setup form shows; None: "auto" (chosen from the data when it loads)
        self.kind = "2d"  # "2d" or "image": the one place the app decides what kind of data is chosen
        self.defaults: dict[str, Any] = {}  # the chosen dataset's defaults on this device
        self.applied: dict[str, Any] = {}  # what those put into the form ({}: a run's own settings)
        self.run_path: Path | None = None  # the run shown (training here or opened)
        self.run_config: TrainConfig | None = None  # its config, for continuing it (None: a new run)
        self.open_checkpoint = "latest"  # which checkpoint of an opened run Train continues: latest | best
        self.resumed_from: Path | None = None  # the checkpoint the current training continued from
        self.state = IDLE
        self.error: str | None = None
        self._device_type = device_type or _device_type
        self._fields = {f.name: f for f in dataclasses.fields(cls)}
        self.choose_dataset(self.config.dataset)  # the form starts at its dataset's defaults

    # ------------------------------------------------------------------ run state
    def set_state(self, state: str) -> None:
        """Move to ``state``; the same state again is a no-op; an illegal move raises."""
        old = self.state
        if state == old and state != FOLLOWING:
            return
        if state not in SESSION_TRANSITIONS.get(old, ()):
            raise IllegalTransition(f"session: {old} -> {state}")
        self.state = state
        self.events.state.emit(state, old)

    @property
    def training(self) -> bool:
        """A worker exists (loading, running or paused)."""
        return self.state in TRAINING

    def set_error(self, message: str | None) -> None:
        self.error = message
        self.events.error.emit(message)

    # ------------------------------------------------------------------ the config
    def field_value(self, name: str) -> Any:
        return getattr(self.config, name)

    def update(self, **changes: Any) -> None:
        """The form changed fields. Choosing a dataset fills in its defaults; a new device
        moves the batch size along while it holds the default; a number shown as a checkbox
        takes its default value when ticked."""
        if "dataset" in changes and changes["dataset"] != self.config.dataset:
            self.choose_dataset(changes.pop("dataset"))
        changes = {k: self._coerce(k, v) for k, v in changes.items()}
        changes = {k: v for k, v in changes.items() if getattr(self.config, k) != v}
        if not changes:
            return
        device_changed = "device" in changes
        self.config = dataclasses.replace(self.config, **changes)
        names = set(changes)
        if device_changed and not self.training and "batch_size" in self.applied:
            names |= self._follow_device()
        self.events.config.emit(frozenset(names))

    def _coerce(self, name: str, value: Any) -> Any:
        f = self._fields[name]
        if control(f) is not None and _shown_as_bool(f) and isinstance(value, bool) and f.type not in (bool, "bool"):
            if not value:
                return 0.0
            current = getattr(self.config, name)
            return current if current else (self.defaults.get(name) or control(f).on_value)
        return value

    def _follow_device(self) -> set[str]:
        """The batch size follows the device while it holds the dataset's default."""
        if self.config.batch_size != self.applied["batch_size"]:
            return set()
        d = defaults_for(self.config.dataset, self.kind, self._device_type(self.config.device))
        self.defaults = d
        self.applied["batch_size"] = d["batch_size"]
        self.config = dataclasses.replace(self.config, batch_size=d["batch_size"])
        return {"batch_size"}

    def choose_dataset(self, name: str) -> None:
        """Fill the form with ``name``'s defaults. Fields left at them reach ``prepare`` as
        None (see :meth:`asked`), so the data and the device decide: generic image data shows
        "auto" for its image size and z size until it loads."""
        from ganstudio.data import is_2d

        kind = "2d" if is_2d(name) else "image"
        d = defaults_for(name, kind, self._device_type(self.config.device))
        own = DATASET_DEFAULTS.get(name, {})
        values: dict[str, Any] = {}
        for f in form_fields(self.cls):
            if not _data_decides(f) or f.name == "dataset":
                continue
            c = control(f)
            if c.applies and c.applies != kind:
                values[f.name] = d.get(f.name) if f.name == "model" else None  # 2D sets use the MLP pair
            elif c.auto:  # the data decides at load time unless this dataset fixes it
                values[f.name] = d.get(f.name) if (kind == "2d" or f.name in own) else None
            else:
                values[f.name] = d.get(f.name)
        self.kind, self.defaults, self.applied = kind, d, dict(values)
        self.config = dataclasses.replace(self.config, dataset=name, **values)
        self.run_config = None  # a new choice of data means a new run
        self.events.config.emit(frozenset({"dataset", *values}))

    def show_run_config(self, cfg: TrainConfig, kind: str | None = None) -> None:
        """A run's own settings into the form (opened, or as the data resolved them)."""
        from ganstudio.data import is_2d

        keep = {
            f.name: getattr(self.config, f.name)
            for f in form_fields(self.cls)
            if getattr(cfg, f.name) is None and not control(f).auto
        }
        self.kind = kind or ("2d" if is_2d(cfg.dataset) or cfg.image_size is None else "image")
        self.defaults = defaults_for(cfg.dataset, self.kind, self._device_type(cfg.device))
        self.applied = {}  # these are the run's own settings now, not a dataset's defaults
        self.config = dataclasses.replace(cfg, **keep)
        self.events.config.emit(frozenset(f.name for f in form_fields(self.cls)))

    def asked(self) -> TrainConfig:
        """The config the form describes. A field still holding the dataset's default (as
        :meth:`choose_dataset` put it there) gives None: ``prepare`` resolves it from the data
        and the device, and ``choices`` says what it chose."""
        values: dict[str, Any] = {}
        for f in form_fields(self.cls):
            v = getattr(self.config, f.name)
            c = control(f)
            if c.applies and c.applies != self.kind:
                v = None
            elif _data_decides(f) and f.name in self.applied and self.applied[f.name] == v:
                v = None
            values[f.name] = v
        return self.cls(**values)

    def hparams(self) -> dict[str, Any]:
        """The form's values of the fields that may change while paused (they apply on Resume/Step)."""
        return {f.name: getattr(self.config, f.name) for f in form_fields(self.cls) if control(f).live == "paused"}

    # ------------------------------------------------------------------ runs
    def structure_matches(self, asked: TrainConfig, run: TrainConfig) -> bool:
        """Whether ``asked`` builds the same models as run config ``run``; a field ``asked``
        leaves open (None) is whatever the run has."""
        for f in dataclasses.fields(self.cls):
            c = control(f)
            if c is None or c.on_resume != "match":
                continue
            a, b = getattr(asked, f.name), getattr(run, f.name)
            if a is None:
                continue
            if (bool(a) != bool(b)) if _shown_as_bool(f) else (a != b):
                return False
        return True

    def plan_training(self, live: bool = False) -> TrainJob:
        """What Train does: continue the shown run when the form describes the same models
        (its own config, with the fields that may change on resume taken from the form), else
        a new run. ``live``: another process still writes the shown run (never two writers)."""
        from ganstudio.io.rundir import new_run_path

        cfg = self.asked()
        resume = (
            self.run_path is not None and self.run_config is not None and self.structure_matches(cfg, self.run_config)
        )
        note = ""
        if resume and live:  # two writers in one run folder would interleave its files
            resume = False
            note = (
                f"{self.run_path.name} is still being written by another process; "
                "training a new run with these settings instead."
            )
        if not resume:
            return TrainJob(cfg, new_run_path(cfg.dataset), note=note)
        changes = {}
        for f in dataclasses.fields(self.cls):
            c = control(f)
            if c is not None and c.on_resume == "override" and getattr(cfg, f.name) is not None:
                changes[f.name] = getattr(cfg, f.name)
        return TrainJob(dataclasses.replace(self.run_config, **changes), self.run_path, True, self.open_checkpoint)

    def open_run(self, path: Path, cfg: TrainConfig, checkpoint: str = "latest") -> None:
        """A run opened from disk: shown, followed, and continued by Train from ``checkpoint``."""
        self.show_run_config(cfg)
        self.run_path, self.run_config, self.open_checkpoint = Path(path), cfg, checkpoint
        self.events.run.emit()
        self.set_state(FOLLOWING)

    def start_training(self) -> None:
        self.resumed_from = None
        if self.error is not None:
            self.set_error(None)
        self.set_state(LOADING)

    def started(self, run_dir: Path, cfg: TrainConfig, kind: str, resumed_from: Path | None = None) -> None:
        """The worker built its trainer: its run and its resolved config are shown."""
        self.run_path, self.run_config, self.resumed_from = Path(run_dir), cfg, resumed_from
        self.show_run_config(cfg, kind)
        self.events.run.emit()
        self.set_state(RUNNING)

    def stop_following(self) -> None:
        if self.state == FOLLOWING:
            self.set_state(IDLE)


def _device_type(name: str) -> str:
    from ganstudio.devices import device_type

    return device_type(name)


# ---------------------------------------------------------------------- the worker's state
STOPPED = "stopped"  # (RUNNING and PAUSED as above) terminal: the worker saves and finishes
CONTROL_TRANSITIONS: dict[str, dict[str, str]] = {
    # state -> {command: next state}; a command missing here raises IllegalTransition
    RUNNING: {"pause": PAUSED, "resume": RUNNING, "stop": STOPPED},
    PAUSED: {"pause": PAUSED, "resume": RUNNING, "step": PAUSED, "stop": STOPPED},
    STOPPED: {"stop": STOPPED},
}


@dataclass(frozen=True)
class Commands:
    """What the worker is to do between two steps (taken from :class:`WorkerControl`)."""

    go: bool  # train the next step (False: stay parked)
    stop: bool = False
    hparams: dict[str, Any] = dataclasses.field(default_factory=dict)  # apply before the next step
    checkpoint: bool = False  # save one now
    generator: bool | None = None  # send a copy of G now (EMA if True)
    points: bool = False  # send a fresh 2D view state now (the view asked for G's arrows)


class WorkerControl:
    """The training worker's state: ``running`` -> ``paused`` -> ``running`` ... -> ``stopped``.

    The UI thread calls the commands; the worker thread calls :meth:`between_steps` before
    every step and, while paused, :meth:`wait`. Requests (checkpoint, copy of G, new
    hyper-parameters) are "last one wins" values, taken once. Steps granted while paused
    are counted. One condition variable guards all of it.
    """

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._state = RUNNING
        self._granted = 0  # steps granted by Step while paused
        self._hparams: dict[str, Any] = {}
        self._checkpoint = False
        self._generator: bool | None = None
        self._points = False

    @property
    def state(self) -> str:
        return self._state

    @property
    def paused(self) -> bool:
        return self._state == PAUSED

    @property
    def stopped(self) -> bool:
        return self._state == STOPPED

    def _command(self, name: str) -> None:
        with self._cv:
            nxt = CONTROL_TRANSITIONS[self._state].get(name)
            if nxt is None:
                raise IllegalTransition(f"worker: {name} while {self._state}")
            self._state = nxt
            if name == "step":
                self._granted += 1
            self._cv.notify_all()

    # --- commands (any thread; the UI's) ---
    def pause(self) -> None:
        self._command("pause")

    def resume(self) -> None:
        self._command("resume")

    def step(self) -> None:
        """One more step while paused."""
        self._command("step")

    def stop(self) -> None:
        self._command("stop")

    def set_hparams(self, **changes: Any) -> None:
        with self._cv:
            self._hparams.update(changes)

    def request_checkpoint(self) -> None:
        with self._cv:
            self._checkpoint = True
            self._cv.notify_all()

    def request_points(self) -> None:
        with self._cv:
            self._points = True
            self._cv.notify_all()

    def request_generator(self, ema: bool = True) -> None:
        with self._cv:
            self._generator = bool(ema)
            self._cv.notify_all()

    # --- the worker thread ---
    def _take(self, go: bool, with_hparams: bool) -> Commands:
        hp = {}
        if with_hparams:
            hp, self._hparams = self._hparams, {}
        c = Commands(go, self._state == STOPPED, hp, self._checkpoint, self._generator, self._points)
        self._checkpoint, self._generator, self._points = False, None, False
        return c

    def _may_go(self) -> bool:
        """Whether the next step may run (consumes a granted step)."""
        if self._state != PAUSED:
            return True
        if self._granted:
            self._granted -= 1
            return True
        return False

    def between_steps(self) -> Commands:
        """Before a step, without blocking: the requests to serve and whether to go on."""
        with self._cv:
            go = self._may_go()
            return self._take(go, with_hparams=True)

    def wait(self, timeout: float = 0.5) -> Commands:
        """Parked: block until the worker may go on (resumed, stopped or a step granted) or a
        checkpoint / copy of G is wanted. New hyper-parameters come only with ``go``."""
        with self._cv:
            while True:
                if self._may_go():
                    return self._take(True, with_hparams=True)
                if self._checkpoint or self._generator is not None or self._points:
                    return self._take(False, with_hparams=False)
                self._cv.wait(timeout)
