"""CheckpointWriter: background checkpoint commits, in order, errors raised in the caller."""

import threading
import time

import pytest

from ganstudio.training import CheckpointSaved, CheckpointWriter


def test_writes_commit_in_order_and_report_once_done(tmp_path):
    w, order = CheckpointWriter(), []
    gate = threading.Event()

    def job(i, wait=False):
        def run():
            if wait:
                gate.wait(5)
            order.append(i)

        return run

    w.submit(job(0, wait=True), CheckpointSaved(0, tmp_path / "0"))
    w.submit(job(1), None)  # a best.safetensors: checked, not reported
    assert w.pending and w.committed() == []  # the first is still writing
    # A third write beyond MAX_PENDING waits for the oldest unfinished one, never forever.
    threading.Timer(0.2, gate.set).start()
    t0 = time.perf_counter()
    w.submit(job(2), CheckpointSaved(2, tmp_path / "2"))
    assert time.perf_counter() - t0 < 4
    assert [e.step for e in w.wait()] == [0, 2] and order == [0, 1, 2] and not w.pending


def test_a_failed_write_raises_in_the_training_thread_and_later_ones_still_commit(tmp_path):
    w, done = CheckpointWriter(), []

    def fail():
        raise OSError("disk full")

    w.submit(fail, CheckpointSaved(1, tmp_path / "1"))
    w.submit(lambda: done.append(2), CheckpointSaved(2, tmp_path / "2"))
    with pytest.raises(OSError, match="disk full"):
        w.wait()
    assert done == [2] and [e.step for e in w.committed()] == [2]
    assert not any(t.name == "ganstudio-checkpoint" for t in threading.enumerate())
