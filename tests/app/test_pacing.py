"""Snapshot pacing: the worker sends fewer snapshots while drawing them costs the UI thread
more than worker.UI_SHARE of the time training had (docs/ARCHITECTURE.md, Threads)."""

import pytest

from ganstudio.app.worker import MAX_INTERVAL, UI_SHARE, Pacer


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def drive(pacer, clock, ui_share, snapshots):
    """Snapshots pacer.interval apart, each costing the UI ui_share of that time."""
    for _ in range(snapshots):
        clock.t += pacer.interval
        pacer.add_ui_cpu(ui_share * pacer.interval)
        pacer.update()


def test_costly_drawing_spaces_snapshots_out_and_cheap_drawing_closes_them_up():
    clock = Clock()
    pacer = Pacer(0.25, clock)
    pacer.update()  # the first call only sets the mark
    drive(pacer, clock, 3 * UI_SHARE, 4)
    assert 0.25 < pacer.interval < MAX_INTERVAL  # growing, 1.25x a snapshot
    drive(pacer, clock, 3 * UI_SHARE, 20)
    assert pacer.interval == MAX_INTERVAL  # and no further
    drive(pacer, clock, 0.75 * UI_SHARE, 20)
    assert pacer.interval == MAX_INTERVAL  # between the two thresholds: it holds
    drive(pacer, clock, 0.25 * UI_SHARE, 30)
    assert pacer.interval == pytest.approx(0.25)  # cheap again: back to max_rate


def test_the_share_is_of_the_clock_given_not_of_the_wall():
    """Training on the CPU the clock is the worker's CPU time, which stands still while the
    process is stopped; the UI's cost is then judged against the time training had."""
    clock = Clock()
    pacer = Pacer(0.25, clock)
    pacer.update()
    clock.t += 0.5  # the worker trained 0.5 s (its CPU clock); on the wall 1.5 s went by
    pacer.add_ui_cpu(0.02)
    assert pacer.update() == pytest.approx(0.04)  # 4% of training's time, not 1.3% of the wall
    assert pacer.interval > 0.25


def test_snapshots_are_spaced_on_trainings_clock_not_the_walls(window, qtbot, monkeypatch):
    """A worker that sits idle between steps, as one in a process stopped by a debugger or by
    a bench's time slices does, sends no snapshot per resume: their spacing is measured on
    the worker's CPU clock, which stands still meanwhile. (On the wall clock each of these
    steps, 0.3 s apart, would send one.)"""
    import time

    from ganstudio.training import Trainer

    step = Trainer.step

    def idle_then_step(self):
        time.sleep(0.3)  # the wall moves on, the worker's CPU clock hardly does
        step(self)

    monkeypatch.setattr(Trainer, "step", idle_then_step)
    window.dataset_combo.setCurrentText("ring8")
    window.steps.setValue(12)
    snapshots = []
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.train_button.click()
        # connected before the worker has built its trainer, so none is missed; called in
        # the worker's thread (a plain function), where appending to a list is safe
        window.worker.snapshot.connect(lambda snap: snapshots.append(snap.step))
    assert snapshots[-1] == 12  # the last one, sent as training ends
    # at most the first (the thread's CPU clock is already past the interval once the
    # trainer is built) and the ones sent as training ends
    assert len(snapshots) <= 3, snapshots


def test_curves_redraw_every_third_snapshot_and_evaluations_halfway_between(window):
    """The loss curves redraw with every third snapshot that brings rows; evaluations are
    drawn on the same cadence, halfway between two loss redraws, so that the two panels never
    redraw and paint in the same stretch of the UI thread, and an evaluation every snapshot
    (ring8's pace) is not a redraw every snapshot."""
    import numpy as np

    from ganstudio.app.curve_pacing import FLUSH_EVERY, QUALITY_AT
    from ganstudio.app.worker import Snapshot
    from ganstudio.events import SCALARS, Evaluated

    assert 0 < QUALITY_AT < FLUSH_EVERY

    def snap(step, evals=()):
        steps = np.array([step - 1, step])
        return Snapshot(step, 100, 10.0, 1.0, steps, {k: np.full(2, 0.5) for k in SCALARS}, evals=evals)

    def drawn():
        return len(window.loss_panel.history.steps()), len(window.quality_panel.history.steps())

    def evaluation(step):
        return (Evaluated(step=step, time=1.0, values={"js": 0.3, "modes": 5, "n_modes": 8, "hq": 50.0}, best=True),)

    step = 0
    for i in range(1, FLUSH_EVERY):
        step += 2
        window._on_snapshot(snap(step))
        assert drawn() == (0, 0)
    step += 2
    window._on_snapshot(snap(step, evals=evaluation(step)))
    assert drawn() == (step, 0)  # the losses now; the evaluation waits
    rows = step
    for i in range(1, QUALITY_AT + 1):  # an evaluation with every snapshot, drawn together
        step += 2
        window._on_snapshot(snap(step, evals=evaluation(step)))
        assert drawn() == (rows, 0 if i < QUALITY_AT else 1 + QUALITY_AT)
    assert window.quality_panel.best == (step, 0.3)
    for i in range(QUALITY_AT + 1, FLUSH_EVERY):  # the rest of the cycle draws neither
        step += 2
        window._on_snapshot(snap(step, evals=evaluation(step)))
        assert drawn() == (rows, 1 + QUALITY_AT)
    step += 2
    window._on_snapshot(snap(step))
    assert drawn() == (step, 1 + QUALITY_AT)  # the losses again, every third snapshot
    window._flush_curves()  # as a pause or the end of training does: everything pending
    assert drawn() == (step, FLUSH_EVERY)
