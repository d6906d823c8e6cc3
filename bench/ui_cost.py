"""Where the app's UI thread spends its CPU while training runs: per event, by receiver.

    QT_QPA_PLATFORM=offscreen python bench/ui_cost.py [--dataset ring8] [--seconds 20] [--warm 3]

The real MainWindow (1280x800, set up as ``ganstudio app`` sets itself up), the dataset
picked and Train clicked; after ``--warm`` seconds of training, every event the UI thread
handles for ``--seconds`` is timed on that thread's CPU clock and charged, exclusive of the
events nested in it, to its type and receiver (its object name, or its class and its
parent's name: ``Paint QWidget<toyView`` is a paint of the 2D view's viewport; ``MetaCall
MainWindow`` is the worker's snapshot slot, queued to the window). Prints the UI thread's
CPU in ms per wall second, the worker's steps per second and snapshot rate, and the costliest
rows. On 2 cores every ms of it is taken from training (bench/app_perf.py measures the
ratio; this says where the UI's share goes, to know what to make cheaper).
"""

from __future__ import annotations

import argparse
import collections
import os
import tempfile
import time

from common import run_event_loop


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="ring8")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warm", type=float, default=3, help="seconds of training before the clock starts")
    p.add_argument("--rows", type=int, default=20)
    a = p.parse_args()
    scratch = tempfile.mkdtemp(prefix="ui_cost_")  # its run and settings, not the user's
    os.environ.setdefault("GANSTUDIO_RUNS_DIR", os.path.join(scratch, "runs"))
    os.environ["XDG_CONFIG_HOME"] = os.path.join(scratch, "config")

    from PySide6.QtWidgets import QApplication

    from ganstudio.app import open_window

    cost: collections.defaultdict[tuple[str, str], float] = collections.defaultdict(float)
    count: collections.Counter[tuple[str, str]] = collections.Counter()
    nested: list[float] = []  # CPU of the events handled inside the one being timed
    timing = [False]

    def receiver_name(obj) -> str:
        try:
            name = obj.objectName() or type(obj).__name__
            parent = obj.parent() if not obj.objectName() else None
            if parent is not None:
                name += "<" + (parent.objectName() or type(parent).__name__)
            return name
        except RuntimeError:  # deleted while its event was handled (a finished animation)
            return "(deleted)"

    class TimedApp(QApplication):
        def notify(self, receiver, event):
            if not timing[0]:
                return super().notify(receiver, event)
            kind = event.type().name  # read first: the event may not outlive its handling
            name = receiver_name(receiver)
            t = time.thread_time()
            nested.append(0.0)
            try:
                return super().notify(receiver, event)
            finally:
                spent = time.thread_time() - t
                inner = nested.pop()
                cost[kind, name] += spent - inner
                count[kind, name] += 1
                if nested:
                    nested[-1] += spent

    app, w, warm = open_window(app_class=TimedApp)  # as run_app() opens it, with events timed
    w.resize(1280, 800)
    w.dataset_combo.setCurrentText(a.dataset)
    w.dataset_combo.activated.emit(w.dataset_combo.currentIndex())
    while warm.is_alive():
        run_event_loop(0.1)
    run_event_loop(0.5)
    w.train_button.click()
    run_event_loop(a.warm)
    tr = w.worker.trainer if w.worker is not None else None
    if tr is None:
        raise SystemExit(f"training did not start within {a.warm} s")
    snapshots = [0]
    w.worker.snapshot.connect(lambda _: snapshots.__setitem__(0, snapshots[0] + 1))
    s0, ui0, t0 = tr.step_count, time.thread_time(), time.perf_counter()
    timing[0] = True
    run_event_loop(a.seconds)
    timing[0] = False
    wall, ui = time.perf_counter() - t0, time.thread_time() - ui0
    print(
        f"{a.dataset}: {(tr.step_count - s0) / wall:.0f} steps/s; UI thread {ui / wall * 1000:.1f} ms of CPU a second "
        f"({sum(cost.values()) / wall * 1000:.1f} in events); {snapshots[0] / wall:.2f} snapshots a second "
        f"(the worker's interval {w.worker.pacer.interval:.2f} s at the end)"
    )
    print("  ms/s    per s    ms each  event receiver")
    for key, spent in sorted(cost.items(), key=lambda kv: -kv[1])[: a.rows]:
        n = count[key]
        print(f"  {spent / wall * 1000:5.2f}  {n / wall:7.2f}  {spent / n * 1000:8.2f}  {key[0]} {key[1]}")
    w.close()  # stops training (its last checkpoint goes to the scratch folder)
    app.processEvents()


if __name__ == "__main__":
    main()
