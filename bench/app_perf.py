"""Training in the app against training headless, and how late the UI thread runs meanwhile.

    QT_QPA_PLATFORM=offscreen python bench/app_perf.py [--datasets digits ring8] [--seconds 25] [--rounds 3]
    QT_QPA_PLATFORM=offscreen python bench/app_perf.py --memory-steps 20000 --datasets ring8
    QT_QPA_PLATFORM=offscreen python bench/app_perf.py --datasets ring8 --without nodraw noprobe nodraw+noprobe

Per dataset and round, two processes, each started fresh as the real commands are, then run
in alternating 1 s slices until each trained --seconds (bench/alternate.py: this machine's
speed drifts too much for runs one after the other to compare):

- ``headless``: what `ganstudio train` does on the dataset's defaults (Trainer built, then
  ``run()``); its start-up is timed from building the Trainer to the first step;
- ``app``: the real MainWindow (1280x800, all panels live), the dataset picked and Train
  clicked; its start-up is timed from the click to the first step (the worker builds the
  Trainer and loads the data).

Rates are images per second. "whole": the steps of every slice over the start-up plus the
slices' time (first grids and evaluations included); "steady": the slices after the first
fifth. The ratio app/headless is per round, reported as median and range.

The UI's lateness is measured in a third process of the same round, ``app+probe``: the same
app with a 10 ms PreciseTimer in the UI thread recording how late each tick fires (ticks
spanning a stop are dropped). The probe is itself UI work (100 Python calls a second, each
taking the GIL from the training thread), so the app's rate is measured
without it, and the probed app's own ratio is printed beside it. With --trace a watchdog
thread samples the UI thread's stack whenever a tick is over 30 ms late: where the UI thread
was, or what it waited for. With --without, each round also runs apps that leave out parts
of their work (VARIANTS: the panels' drawing, the 2D probe), in the same alternation: where
the app's gap to headless goes, measured rather than guessed. Memory (--memory-steps):
resident set size after warm-up and at the end.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import numpy as np

import alternate
from common import run_event_loop

LATE_TRACE_MS = 30.0


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ----------------------------------------------------------------------------- children
def headless_child(dataset: str, out: Path) -> None:
    """Train on the dataset's defaults for ever (the parent stops us), as `ganstudio train` does."""
    from ganstudio.allocator import tune_malloc
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer, prepare

    tune_malloc()  # as `ganstudio train` does
    cfg, _ = prepare(TrainConfig(dataset=dataset, steps=10**8))
    signal.signal(signal.SIGTERM, lambda *_: tr.request_stop())
    t0 = time.perf_counter()
    tr = Trainer(cfg, run_dir=out / "run")
    first = None
    for _ in tr.run():
        if first is None and tr.step_count > 0:
            first = time.perf_counter() - t0
            (out / "info.json").write_text(json.dumps({"startup": first, "batch": tr.cfg.batch_size}))


class LateWatch:
    """A 10 ms timer in the UI thread, recording when each tick fired; optionally a thread
    that samples every thread's stack when a tick is late. The parent drops the intervals that
    span a stop of the bench's slicing (it knows when it stopped and resumed us)."""

    def __init__(self, trace: bool):
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.samples: list[tuple[int, str]] = []  # (event index, a thread's stack)
        self.events: list[float] = []  # when each late sample was taken
        self._last = time.perf_counter()
        self._ui = threading.get_ident()
        self._stop = threading.Event()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(10)
        if trace:
            threading.Thread(target=self._watch, daemon=True).start()

    def _tick(self) -> None:
        self._last = time.perf_counter()
        self.ticks.append(self._last)

    def _watch(self) -> None:
        sampled_for = 0.0
        while not self._stop.wait(0.005):
            last, now = self._last, time.perf_counter()
            if (now - last) * 1000 > 10 + LATE_TRACE_MS and sampled_for != last:
                sampled_for = last  # one sample per late tick
                self.events.append(now)
                key = len(self.events) - 1
                # The UI thread's stack, and the others' (one of them may hold the GIL).
                names = {t.ident: t.name for t in threading.enumerate()}
                for ident, frame in sys._current_frames().items():
                    if ident == threading.get_ident():
                        continue
                    st = traceback.extract_stack(frame)[-4:]
                    where = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in st[::-1])
                    who = "UI" if ident == self._ui else names.get(ident, "?")
                    self.samples.append((key, f"[{who}] {where}"))

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()


def without(variant: str) -> None:
    """For a diagnostic app: leave out the parts of its work that ``variant`` names
    ("nodraw", "noprobe", or both joined by "+"; see VARIANTS)."""
    parts = set(variant.split("+")) - {""}
    if "nodraw" in parts:  # the window gets every snapshot, its panels draw none of it
        from ganstudio.app.panels import loss, points2d, quality, samples

        def nothing(self, *args, **kwargs) -> None:
            pass

        loss.LossPanel.append = quality.QualityPanel.append_rows = nothing
        samples.SamplePanel.add_frame = points2d.Points2DPanel.update_state = nothing
    if "noprobe" in parts:  # the worker probes a 2D GAN once and re-sends that state
        from ganstudio.app.worker import TrainingWorker

        probe, first = TrainingWorker._points_state, []

        def once(self):
            if not first:
                first.append(probe(self))
            return first[0]

        TrainingWorker._points_state = once


def app_child(dataset: str, out: Path, probe: bool, trace: bool, variant: str = "") -> None:
    from PySide6.QtWidgets import QPushButton

    from ganstudio.app import open_window

    without(variant)
    app, w, warm = open_window()  # as run_app() opens it: the user's app, warm-up included
    w.resize(1280, 800)
    w.dataset_combo.setCurrentText(dataset)
    w.dataset_combo.activated.emit(w.dataset_combo.currentIndex())
    while warm.is_alive():  # a user takes a few seconds to pick and click; the bench waits for it
        run_event_loop(0.1)
    run_event_loop(0.5)  # the window settles before the clock starts
    done = []
    signal.signal(signal.SIGTERM, lambda *_: done.append(1))
    watch = LateWatch(trace) if probe else None
    t0 = time.perf_counter()
    w.findChild(QPushButton, "trainButton").click()
    first = None
    while first is None and not done:  # polled only until the first step, to time the start-up
        run_event_loop(0.01)
        tr = w.worker.trainer if w.worker is not None else None
        if tr is not None and tr.step_count > 0:
            first = time.perf_counter() - t0
            (out / "info.json").write_text(
                json.dumps({"startup": first, "batch": tr.cfg.batch_size, "run": str(tr.run_dir.path)})
            )
    # As app.exec(), woken only by SIGTERM's wakeup fd: polling would take the GIL from training.
    if not done:
        from PySide6.QtCore import QEventLoop

        from ganstudio.app import signal_notifier

        loop = QEventLoop()
        signal_notifier(w).activated.connect(loop.quit)  # as run_app's Ctrl-C/SIGTERM handling
        loop.exec()
        signal.set_wakeup_fd(-1)
    # the snapshot spacing the worker settled on (worker.Pacer), to read the rates by
    interval = w.worker.pacer.interval if w.worker is not None else None
    if watch is None:
        result = {"ticks": [], "events": [], "samples": [], "t_click": t0}
    else:
        watch.stop()
        result = {"ticks": watch.ticks, "events": watch.events, "samples": watch.samples, "t_click": t0}
    result["interval"] = interval
    (out / "late.json").write_text(json.dumps(result))
    w.close()
    app.processEvents()


def progress_of(out: Path, headless: bool):
    def read() -> int:
        if headless:
            return alternate.last_metrics_step(out / "run")
        try:
            return alternate.last_metrics_step(Path(json.loads((out / "info.json").read_text())["run"]))
        except (OSError, ValueError, KeyError):
            return 0

    return read


# ----------------------------------------------------------------------------- parent
def late_line(ms: list[float]) -> str:
    a = np.array(ms) if ms else np.zeros(1)
    p50, p99 = np.percentile(a, 50), np.percentile(a, 99)
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {a.max():.1f} ms ({len(ms)} ticks)"


APPS = ("app", "app+probe")
# --without: apps that each leave out one part of their work, to tell where the gap to headless goes.
VARIANTS = {
    "nodraw": "snapshots reach the window, but no panel draws (loss, quality, samples, 2D view)",
    "noprobe": "the 2D view's probe (G's points, D's field) runs once; later states re-send it",
}


def measure(
    dataset: str, seconds: float, trace: bool, tmp: Path, app_env: dict | None = None, variants: tuple = ()
) -> dict:
    runs = tmp / "runs"
    env = dict(os.environ, GANSTUDIO_RUNS_DIR=str(runs))
    apps = APPS + tuple(f"app-{v}" for v in variants)
    outs = {k: tmp / k.replace("+", "_") for k in ("headless",) + apps}
    for o in outs.values():
        o.mkdir()
    child = [sys.executable, __file__, "--datasets", dataset, "--child"]
    cs = [
        alternate.Contender(
            "headless",
            child + ["headless", "--out", str(outs["headless"])],
            progress_of(outs["headless"], True),
            env=env,
        )
    ]
    for name in apps:
        extra = ["--probe"] + (["--trace"] if trace else []) if name == "app+probe" else []
        if name.startswith("app-"):
            extra = ["--without", name[4:]]
        argv = child + ["app", "--out", str(outs[name])] + extra
        cs.append(alternate.Contender(name, argv, progress_of(outs[name], False), env=env | (app_env or {})))
    alternate.run(cs, seconds)
    res = {}
    for c in cs:
        info = json.loads((outs[c.name] / "info.json").read_text())
        # whole run: every step since the click (or the Trainer's construction) over start-up plus slices
        run_time = sum(t for t, _ in c.slices)
        res[c.name] = {
            "whole": info["batch"] * c.final_steps / (info["startup"] + run_time),
            "steady": info["batch"] * alternate.rate(c, alternate.STEADY_FROM),
            "startup": info["startup"],
        }
    res["interval"] = json.loads((outs["app"] / "late.json").read_text())["interval"]
    w = json.loads((outs["app+probe"] / "late.json").read_text())
    running = next(c for c in cs if c.name == "app+probe").running
    res["late"] = [1000 * max(0.0, b - a - 0.010) for a, b in alternate.within_runs(w["ticks"], running)]
    # Stacks sampled while the app ran (not just after a resume, when every thread waits its turn).
    ok = {i for i, t in enumerate(w["events"]) if any(s + 0.05 <= t <= e for s, e in running)}
    res["stacks"] = collections.Counter(st for i, st in w["samples"] if i in ok)
    res["events"] = [round(w["events"][i] - w["t_click"], 2) for i in sorted(ok)]
    return res


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", nargs="+", default=["digits", "ring8"])
    p.add_argument("--seconds", type=float, default=25, help="training seconds per process and round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--trace", action="store_true", help="print where the UI thread was when it ran late")
    p.add_argument("--memory-steps", type=int, default=0)
    p.add_argument("--app-env", nargs="*", default=[], metavar="KEY=VALUE", help="extra environment for the app")
    p.add_argument(
        "--without",
        nargs="*",
        default=[],
        metavar="PART[+PART]",
        help="also measure apps that leave out parts of the work: "
        + "; ".join(f"{k}: {v}" for k, v in VARIANTS.items()),
    )
    p.add_argument("--child", choices=["headless", "app"], help=argparse.SUPPRESS)
    p.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args()
    for v in a.without:
        if not v or not set(v.split("+")) <= set(VARIANTS):
            p.error(f"--without {v!r}: each one is a part or parts joined by '+', of {', '.join(VARIANTS)}")
    if a.child == "headless":
        return headless_child(a.datasets[0], a.out)
    if a.child == "app":
        return app_child(a.datasets[0], a.out, a.probe, a.trace, (a.without or [""])[0])
    if a.memory_steps:
        return memory(a.datasets[0], a.memory_steps)
    print(
        f"{a.rounds} rounds of headless / app / app+probe per dataset, {a.seconds:.0f} s each in alternating "
        "1 s slices, each in a fresh process"
    )
    for ds in a.datasets:
        rounds = []
        for r in range(a.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                app_env = dict(kv.split("=", 1) for kv in a.app_env)
                rounds.append(measure(ds, a.seconds, a.trace, Path(tmp), app_env, tuple(a.without)))
            h, q, qp = (rounds[-1][k] for k in ("headless",) + APPS)
            print(
                f"{ds} round {r}: img/s whole/steady: headless {h['whole']:.0f}/{h['steady']:.0f}, "
                f"app {q['whole']:.0f}/{q['steady']:.0f}, app+probe {qp['whole']:.0f}/{qp['steady']:.0f}; "
                f"start-up {h['startup']:.1f} s headless, {q['startup']:.1f} s app (Train click to first step); "
                f"app's snapshots {rounds[-1]['interval']:.2f} s apart at the end",
                flush=True,
            )
        for name in APPS + tuple(f"app-{v}" for v in a.without):
            for what in ("whole", "steady"):
                ratios = [x[name][what] / (x["headless"][what] or float("nan")) for x in rounds]  # nan: no step
                print(f"{ds} {what:6s}: {name}/headless {alternate.spread(ratios)}")
        print(f"{ds} UI 10 ms timer lateness while training: {late_line([v for x in rounds for v in x['late']])}")
        if a.trace:
            stacks: collections.Counter[str] = collections.Counter()
            for x in rounds:
                stacks.update(x["stacks"])
            for s, n in stacks.most_common(20):
                print(f"  late x{n}: {s}")
            print("  late samples at (s after the Train click):", [x["events"] for x in rounds])


def memory(dataset: str, steps: int) -> None:
    from ganstudio.app import open_window

    os.environ.setdefault("GANSTUDIO_RUNS_DIR", tempfile.mkdtemp())
    app, w, warm = open_window()  # as run_app() opens it: the user's app, warm-up included
    while warm.is_alive():  # its imports are the app's, not growth: the baseline comes after
        run_event_loop(0.1)
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
    app.processEvents()


if __name__ == "__main__":
    main()
