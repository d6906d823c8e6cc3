"""In-app training vs headless, UI lateness while training, and memory over a long session.

    QT_QPA_PLATFORM=offscreen python bench/app_perf.py [--dataset digits] [--seconds 20] [--rounds 2]
    QT_QPA_PLATFORM=offscreen python bench/app_perf.py --memory-steps 20000 --dataset ring8

Throughput: alternates headless (Trainer.run() with a run directory, as `ganstudio train`
does) and the app (MainWindow, Train clicked, all panels live) on the same config, each for
--seconds of steady state, and prints steps/s and the ratio app/headless. Each measurement
runs in a fresh process, as the real commands do: PyTorch's OpenMP pool belongs to the
thread that first ran an op, and a second thread in the same process training after the
first (a headless run in the main thread, then the app's worker) measured 20-30% slower. Lateness: a 10 ms
QTimer in the UI thread records how late each tick fires while the app trains (p50/p99/max).
Memory: resident set size before and after --memory-steps steps in the app.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import statistics
import tempfile
import time

import numpy as np

WARMUP = 3.0  # seconds of training not measured (first grids, allocator, caches)


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_event_loop(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def headless(cfg, seconds: float) -> float:
    from ganstudio.training.trainer import Trainer

    with tempfile.TemporaryDirectory() as tmp:
        tr = Trainer(cfg, run_dir=tmp)
        t_start = s_start = None
        t_begin = time.perf_counter()
        for _ in tr.run():
            now = time.perf_counter()
            if t_start is None and now - t_begin >= WARMUP:  # skip warm-up, as in_app() does
                t_start, s_start = now, tr.step_count
            if t_start is not None and now - t_start >= seconds:
                tr.request_stop()
        return (tr.step_count - s_start) / (time.perf_counter() - t_start)


def in_app(app, cfg, seconds: float, lateness: list[float] | None = None) -> float:
    from PySide6.QtCore import QTimer

    from ganstudio.app.main_window import MainWindow

    w = MainWindow()
    w.resize(1280, 800)
    w.show()
    w.dataset_combo.setCurrentText(cfg.dataset)
    w.steps.setValue(10**8)
    w.train_button.click()
    while w.worker is None or w.worker.trainer is None:
        run_event_loop(0.05)
    run_event_loop(WARMUP)
    tr = w.worker.trainer
    t_start, s_start = time.perf_counter(), tr.step_count
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        if lateness is not None:
            lateness.append(max(0.0, now - last[0] - 0.010))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(__import__("PySide6.QtCore", fromlist=["Qt"]).Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(10)
    run_event_loop(seconds)  # like app.exec(): idle waits release the GIL
    rate = (tr.step_count - s_start) / (time.perf_counter() - t_start)
    timer.stop()
    w.close()
    w.deleteLater()
    return rate


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="digits")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--memory-steps", type=int, default=0)
    p.add_argument("--child", choices=["headless", "app"], help=argparse.SUPPRESS)
    a = p.parse_args()
    os.environ.setdefault("GANSTUDIO_RUNS_DIR", tempfile.mkdtemp())
    from PySide6.QtWidgets import QApplication

    from ganstudio.config import TrainConfig
    from ganstudio.training.trainer import prepare

    app = QApplication.instance() or QApplication([])
    if a.memory_steps:
        return memory(app, a.dataset, a.memory_steps)
    cfg, _ = prepare(TrainConfig(dataset=a.dataset, steps=10**8))
    if a.child:
        late: list[float] = []
        rate = headless(cfg, a.seconds) if a.child == "headless" else in_app(app, cfg, a.seconds, late)
        print(json.dumps({"rate": rate, "late": late}))
        return
    print(f"{a.dataset}: model {cfg.model}, batch {cfg.batch_size}, {a.seconds:.0f} s per measurement")
    hl, ap, late = [], [], []

    def child(kind: str) -> dict:
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--dataset", a.dataset, "--seconds", str(a.seconds)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    for r in range(a.rounds):
        hl.append(child("headless")["rate"])
        res = child("app")
        ap.append(res["rate"])
        late += res["late"]
        print(f"round {r}: headless {hl[-1]:.1f} steps/s, app {ap[-1]:.1f} steps/s", flush=True)
    print(
        f"median: headless {statistics.median(hl):.1f}, app {statistics.median(ap):.1f} steps/s; "
        f"ratio app/headless {statistics.median(ap) / statistics.median(hl):.2f}"
    )
    late_ms = np.array(late) * 1000
    print(
        f"UI 10 ms timer lateness while training: p50 {np.percentile(late_ms, 50):.1f} ms, "
        f"p99 {np.percentile(late_ms, 99):.1f} ms, max {late_ms.max():.1f} ms ({len(late_ms)} ticks)"
    )


def memory(app, dataset: str, steps: int) -> None:
    from ganstudio.app.main_window import MainWindow

    w = MainWindow()
    w.show()
    w.dataset_combo.setCurrentText(dataset)
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
