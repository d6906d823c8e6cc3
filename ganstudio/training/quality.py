"""Quality evaluations during a run: the metrics (metrics/evaluate.py), the best checkpoint
they keep (checkpoints/best.safetensors, never pruned) and the alarms they raise. ``tr`` is
the Trainer (training/loop.py), untyped here so that this module does not import it."""

from __future__ import annotations

import time
from typing import Iterator

from ganstudio.errors import CheckpointError
from ganstudio.events import Evaluated, Event
from ganstudio.io.rundir import RunDir
from ganstudio.training.writer import checkpoint_job


def read_best(run_dir: RunDir | None) -> float | None:
    """The main metric of a run's best checkpoint; None when there is none (or it is unreadable:
    the next evaluation writes a fresh one)."""
    if run_dir is None or not run_dir.best_checkpoint_path.exists():
        return None
    from ganstudio.io.checkpoint import read_metadata

    try:
        return float(read_metadata(run_dir.best_checkpoint_path)["best"]["value"])
    except (CheckpointError, KeyError, TypeError, ValueError):
        return None


def evaluation_events(tr) -> Iterator[Event]:
    """Evaluate now: a new best is checkpointed in the background; yields the Evaluated event
    and any alarm it raises (published to the sinks)."""
    from ganstudio.metrics.evaluate import is_better, main_metric

    t0 = time.perf_counter()
    values = tr.evaluate()
    # What the evaluation cost (wall seconds), so a run shows its share of the budget.
    values = {**values, "eval_seconds": round(time.perf_counter() - t0, 3)}
    best = is_better(tr.dataset.kind, values, tr.best_value)
    if best:
        metric = main_metric(tr.dataset.kind)
        tr.best_value = values[metric]
        if tr.run_dir is not None and (tr.dist is None or tr.dist.rank == 0):
            best_meta = {"best": {"metric": metric, "value": tr.best_value}}
            job, _ = checkpoint_job(tr, tr.run_dir.best_checkpoint_path, best_meta)
            tr.writer.submit(job, None)  # no event: best.safetensors is not the newest checkpoint
    ev = Evaluated(tr.step_count, round(tr.elapsed(), 3), values, best)
    yield tr.publish(ev)
    alarm = tr.health.on_eval(ev.step, values)
    if alarm is not None:
        yield tr.publish(alarm)
