"""Training in the app against training headless, and how late the UI thread runs meanwhile.

    QT_QPA_PLATFORM=offscreen python bench/app_perf.py [--datasets digits ring8] [--seconds 25] [--rounds 3]
    QT_QPA_PLATFORM=offscreen python bench/app_perf.py --memory-steps 20000 --dataset ring8

Per dataset and round, two measurements, each in a fresh process as the real commands run:

- ``headless``: what `ganstudio train` does (Trainer built, then ``run()``) on the dataset's
  defaults, the clock starting before the Trainer is built;
- ``app``: the real MainWindow (1280x800, all panels live), the dataset picked and Train
  clicked, the clock starting at the click (the worker builds the Trainer, loads the data,
  draws the first grids, runs the first evaluation: all of it counts).

Both train for --seconds on that clock; images/s over the whole run and in steady state
(after the first fifth) come from the step count sampled every 50 ms. The ratio app/headless
is per round (the machine drifts between rounds), reported as median and range.

While the app trains, a 10 ms PreciseTimer in the UI thread records how late each tick
fires (p50/p99/max), and a watchdog thread samples the UI thread's stack whenever a tick is
over 30 ms late: ``--trace`` prints where the UI thread was (or what it waited on).
Memory (--memory-steps): resident set size after warm-up and at the end of a long session.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import numpy as np

STEADY_FROM = 0.2  # steady state: after this share of the run
LATE_TRACE_MS = 30.0


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_event_loop(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def rates(points: list[tuple[float, int]], seconds: float, batch: int) -> dict:
    """(seconds since the start, steps) samples -> whole-run and steady-state images/s."""
    t_end, s_end = points[-1]
    t0, s0 = next((t, s) for t, s in points if t >= STEADY_FROM * seconds)
    return {
        "whole": batch * s_end / t_end,
        "steady": batch * (s_end - s0) / max(t_end - t0, 1e-9),
        "steps": s_end,
    }


def headless(cfg, seconds: float) -> dict:
    from ganstudio.training.trainer import Trainer

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        tr = Trainer(cfg, run_dir=tmp)
        points = []
        last = 0.0
        for _ in tr.run():
            now = time.perf_counter() - t0
            if now - last >= 0.05:
                points.append((now, tr.step_count))
                last = now
            if now >= seconds:
                tr.request_stop()
        return rates(points, seconds, tr.cfg.batch_size)


class LateWatch:
    """A 10 ms timer in the UI thread, and a thread that samples the UI thread's stack when
    the timer is late (what kept the UI thread busy, or what it waited for)."""

    def __init__(self, trace: bool):
        from PySide6.QtCore import Qt, QTimer

        self.late: list[float] = []
        self.stacks: collections.Counter[str] = collections.Counter()
        self._last = time.perf_counter()
        self._ui = threading.get_ident()
        self._stop = threading.Event()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(10)
        self._thread = threading.Thread(target=self._watch, daemon=True) if trace else None
        if self._thread is not None:
            self._thread.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, now - self._last - 0.010))
        self._last = now

    def _watch(self) -> None:
        sampled_for = 0.0
        while not self._stop.wait(0.005):
            last = self._last
            if (time.perf_counter() - last) * 1000 > 10 + LATE_TRACE_MS and sampled_for != last:
                sampled_for = last  # one sample per late tick
                frame = sys._current_frames().get(self._ui)
                if frame is not None:
                    st = traceback.extract_stack(frame)[-6:]
                    self.stacks[
                        " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in st[::-1])
                    ] += 1

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()


def in_app(dataset: str, seconds: float, trace: bool) -> dict:
    from PySide6.QtWidgets import QPushButton

    from ganstudio.app.main_window import MainWindow

    w = MainWindow()
    w.resize(1280, 800)
    w.show()
    w.dataset_combo.setCurrentText(dataset)
    w.dataset_combo.activated.emit(w.dataset_combo.currentIndex())
    run_event_loop(0.5)  # the window settles before the clock starts
    watch = LateWatch(trace)
    points = []
    t0 = time.perf_counter()
    w.findChild(QPushButton, "trainButton").click()
    while time.perf_counter() - t0 < seconds:
        run_event_loop(0.05)  # like app.exec(): idle waits release the GIL
        tr = w.worker.trainer if w.worker is not None else None
        points.append((time.perf_counter() - t0, tr.step_count if tr is not None else 0))
    watch.stop()
    batch = w.worker.trainer.cfg.batch_size
    w.close()
    w.deleteLater()
    out = rates(points, seconds, batch)
    startup = next((t for t, s in points if s > 0), seconds)
    late = np.array(watch.late) * 1000
    steady_late = late[int(len(late) * STEADY_FROM) :]
    return out | {
        "first_step": startup,
        "late": late.tolist(),
        "late_steady": steady_late.tolist(),
        "stacks": watch.stacks.most_common(8),
    }


def child(kind: str, dataset: str, seconds: float, trace: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--datasets", dataset, "--seconds", str(seconds)]
    out = subprocess.run(cmd + (["--trace"] if trace else []), capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{kind} on {dataset} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}x (range {min(values):.2f}-{max(values):.2f})"


def late_line(ms: list[float]) -> str:
    a = np.array(ms)
    return (
        f"p50 {np.percentile(a, 50):.1f} ms, p99 {np.percentile(a, 99):.1f} ms, max {a.max():.1f} ms ({len(a)} ticks)"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", nargs="+", default=["digits", "ring8"])
    p.add_argument("--seconds", type=float, default=25)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--trace", action="store_true", help="print where the UI thread was when it ran late")
    p.add_argument("--memory-steps", type=int, default=0)
    p.add_argument("--child", choices=["headless", "app"], help=argparse.SUPPRESS)
    a = p.parse_args()
    os.environ.setdefault("GANSTUDIO_RUNS_DIR", tempfile.mkdtemp())
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    if a.memory_steps:
        return memory(app, a.datasets[0], a.memory_steps)
    if a.child:
        from ganstudio.config import TrainConfig
        from ganstudio.training.trainer import prepare

        if a.child == "headless":
            cfg, _ = prepare(TrainConfig(dataset=a.datasets[0], steps=10**8))
            res = headless(cfg, a.seconds)
        else:
            res = in_app(a.datasets[0], a.seconds, a.trace)
        print(json.dumps(res))
        return
    print(f"{a.rounds} rounds x (headless, app) x {a.seconds:.0f} s per dataset, each in a fresh process")
    for ds in a.datasets:
        hl, ap = [], []
        for r in range(a.rounds):
            hl.append(child("headless", ds, a.seconds, a.trace))
            ap.append(child("app", ds, a.seconds, a.trace))
            h, q = hl[-1], ap[-1]
            print(
                f"{ds} round {r}: img/s whole/steady: headless {h['whole']:.0f}/{h['steady']:.0f}, "
                f"app {q['whole']:.0f}/{q['steady']:.0f} (first step {q['first_step']:.1f} s after the click)",
                flush=True,
            )
        for what in ("whole", "steady"):
            print(f"{ds} {what:6s}: app/headless {spread([q[what] / h[what] for q, h in zip(ap, hl)])}")
        print(f"{ds} UI 10 ms timer lateness, whole run: {late_line([x for q in ap for x in q['late']])}")
        print(f"{ds} UI 10 ms timer lateness, steady:    {late_line([x for q in ap for x in q['late_steady']])}")
        if a.trace:
            stacks = collections.Counter()
            for q in ap:
                stacks.update(dict((s, n) for s, n in q["stacks"]))
            for s, n in stacks.most_common(8):
                print(f"  late x{n}: {s}")


def memory(app, dataset: str, steps: int) -> None:
    from ganstudio.app.main_window import MainWindow

    w = MainWindow()
    w.show()
    w.dataset_combo.setCurrentText(dataset)
    w.dataset_combo.activated.emit(w.dataset_combo.currentIndex())
    w.steps.setValue(steps)
    done = []
    w.training_finished.connect(done.append)
    w.train_button.click()
    samples, t0, base = [], time.perf_counter(), None
    while not done:
        run_event_loop(0.5)
        tr = w.worker.trainer if w.worker else None
        if tr is not None and base is None and tr.step_count >= 500:
            base = rss_mb()  # after warm-up: data, models, first frames
        if tr is not None and (not samples or time.perf_counter() - samples[-1][0] > 5):
            samples.append((time.perf_counter(), tr.step_count, rss_mb()))
            print(f"t {samples[-1][0] - t0:6.1f}s  step {samples[-1][1]:6d}  RSS {samples[-1][2]:.0f} MB", flush=True)
    end = rss_mb()
    print(
        f"{steps} steps in the app: RSS after warm-up {base:.0f} MB, "
        f"at the end {end:.0f} MB, growth {end - base:+.0f} MB"
    )
    w.close()


if __name__ == "__main__":
    main()
