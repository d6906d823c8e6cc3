"""Why the app's UI thread never runs a multi-threaded torch op (docs/ARCHITECTURE.md, Threads).

    python bench/threads.py [--dataset ring8] [--seconds 20] [--rounds 2]

Five fresh processes train the dataset's defaults in alternating 1 s slices
(bench/alternate.py), and the steady rates are compared with the first:

- ``main``: training in the main thread, as `ganstudio train` does;
- ``thread``: training in another thread, as the app's worker does;
- ``thread+main-omp``: the same, after the main thread ran one multi-threaded op (a
  1000x1000 matrix product). That gives the main thread an OpenMP team of its own, which
  is what a render of G in the UI thread with torch's default threads would do;
- ``thread+main-one``: another thread, after the main thread ran
  ``explore.use_one_thread_here`` (as the app's UI thread does before its first render);
- ``qthread+qt``: a ``QThread``, with the main thread in Qt's event loop (the app's
  arrangement, without its window).

A main thread with an OpenMP team of its own slows training in the other thread, hence
``explore.use_one_thread_here`` for every render in the UI thread. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

import alternate

KINDS = ("main", "thread", "thread+main-omp", "thread+main-one", "qthread+qt")


def child(kind: str, dataset: str, out: Path) -> None:
    import torch

    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer, prepare

    if kind == "thread+main-omp":
        torch.ones(1000, 1000) @ torch.ones(1000, 1000)
    if kind == "thread+main-one":
        from ganstudio.explore import use_one_thread_here

        use_one_thread_here()  # what the app's UI thread does before its first render
    trainers: list[Trainer] = []
    signal.signal(signal.SIGTERM, lambda *_: trainers and trainers[0].request_stop())

    def train() -> None:
        cfg, _ = prepare(TrainConfig(dataset=dataset, steps=10**8))
        trainers.append(Trainer(cfg, run_dir=out / "run"))
        for _ in trainers[0].run():
            pass

    if kind == "main":
        return train()
    if kind == "qthread+qt":  # the app's arrangement: a QThread, the main thread in Qt's event loop
        from PySide6.QtCore import QThread, QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication([])
        qt = QThread()
        qt.run = train
        qt.finished.connect(app.quit)
        QTimer.singleShot(0, qt.start)
        app.exec()
        return
    t = threading.Thread(target=train, daemon=True)
    t.start()
    while t.is_alive():
        t.join(0.1)  # the main thread stays idle, as the app's does between paints


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="ring8")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        return child(a.child, a.dataset, a.out)
    ratios: dict[str, list[float]] = {k: [] for k in KINDS[1:]}
    for r in range(a.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            cs = []
            for kind in KINDS:
                out = Path(tmp) / kind.replace("+", "_")
                out.mkdir()
                argv = [sys.executable, __file__, "--dataset", a.dataset, "--child", kind, "--out", str(out)]
                env = dict(os.environ, GANSTUDIO_RUNS_DIR=tmp)
                steps = lambda o=out: alternate.last_metrics_step(o / "run")  # noqa: E731
                cs.append(alternate.Contender(kind, argv, steps, env=env))
            alternate.run(cs, a.seconds)
            rates = {c.name: alternate.rate(c, alternate.STEADY_FROM) for c in cs}
            print(f"round {r}: steps/s " + ", ".join(f"{k} {v:.0f}" for k, v in rates.items()), flush=True)
            for k in ratios:
                ratios[k].append(rates[k] / rates["main"] if rates["main"] else float("nan"))  # nan: main made no step
    for k, v in ratios.items():
        print(f"{a.dataset} {k}/main: {alternate.spread(v)}")


if __name__ == "__main__":
    main()
