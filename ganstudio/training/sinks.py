"""Sinks: consumers of the Trainer's events, each called with every event in order before
a front end sees it, on rank 0 only. The Trainer attaches them itself, so no front end can
forget them: the run folder's log whenever it has a run folder, TensorBoard while ``run()``
runs when ``cfg.tensorboard`` is on. A sink's write error stops training (the run folder is
the record); TensorBoard's only warns (io/tensorboard.py, LiveLogger)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ganstudio.config import TrainConfig, to_dict
from ganstudio.data.imageops import save_png
from ganstudio.events import Alarm, Evaluated, Event, Samples, Scalars
from ganstudio.io import tensorboard
from ganstudio.io.rundir import RunDir, write_error


class RunFolderLog:
    """Everything the Trainer writes into its run folder besides checkpoints: config.json,
    the rows of metrics.jsonl, evals.jsonl and events.jsonl, and the sample PNGs.
    ``clock()``: the run's seconds so far, the time of an alarm's row."""

    def __init__(self, run_dir: RunDir, clock: Callable[[], float]):
        self.run_dir, self.clock = run_dir, clock

    def __call__(self, ev: Event) -> None:
        rd = self.run_dir
        if isinstance(ev, Scalars):
            rd.append_jsonl(rd.metrics_path, [{"step": ev.step, "time": ev.time, **ev.values}])
        elif isinstance(ev, Samples) and ev.path is not None:
            try:
                save_png(ev.image, ev.path)
            except OSError as e:
                raise write_error(ev.path, e) from None
        elif isinstance(ev, Evaluated):
            rd.append_jsonl(rd.evals_path, [{"step": ev.step, "time": ev.time, **ev.values, "best": ev.best}])
        elif isinstance(ev, Alarm):
            self.event(dict(ev.as_row(), time=round(self.clock(), 3)))

    def config(self, cfg: TrainConfig) -> None:
        """(Re)write config.json: the resolved config, after any change of a hyper-parameter."""
        self.run_dir.write_json(self.run_dir.config_path, to_dict(cfg))

    def event(self, row: dict[str, Any]) -> None:
        """One row of events.jsonl."""
        self.run_dir.append_jsonl(self.run_dir.events_path, [row])

    def truncate(self, step: int) -> None:
        """Drop rows past ``step``: a resume or rollback logs them again."""
        self.run_dir.truncate_metrics(step)


def open_tensorboard(
    run_dir: RunDir, step: int, warn: Callable[[str], None], say: Callable[[str], None] | None
) -> tensorboard.LiveLogger | None:
    """The TensorBoard sink of a run starting at ``step`` (RUN/tensorboard/), or None: the
    package missing or the folder unwritable (one line through ``warn``)."""
    tb = tensorboard.open_live(run_dir.path, step, warn)
    if tb is not None and say is not None:
        say(f"tensorboard: writing {tb.log_dir} (view with: tensorboard --logdir {tb.log_dir})")
    return tb


@contextmanager
def tensorboard_sink(tr) -> Iterator[None]:
    """TensorBoard as one of ``tr``'s sinks for the span of one ``run()``, when its config asks
    for it and it has a run folder (rank 0): ``tr.tensorboard`` meanwhile."""
    if tr.cfg.tensorboard and tr.log is not None and tr.tensorboard is None and not tr.tensorboard_failed:
        tr.tensorboard = open_tensorboard(tr.run_dir, tr.step_count, tr.warn, tr.say)
        tr.tensorboard_failed = tr.tensorboard is None  # said once; later run()s go on without it
    if tr.tensorboard is None:
        yield
        return
    tr.sinks.append(tr.tensorboard)
    try:
        yield
    finally:
        tr.sinks.remove(tr.tensorboard)
        tr.tensorboard.close()
        tr.tensorboard = None
