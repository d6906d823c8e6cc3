"""Latent exploration speed: slider drag -> updated preview, and interpolation strips.

    QT_QPA_PLATFORM=offscreen python bench/latent_perf.py [--moves 300] [--strips 30]

Drag: the real MainWindow trains a DCGAN on digits (its defaults) while slider 1 of the
Latent tab moves one notch every 16-50 ms, and each move is timed from ``setValue`` until the
preview's grabbed pixels change (the coalescing timer, the render from the generator snapshot,
``setImage`` and the paint: what a user sees). Then training is stopped and the same drag is
timed idle (G from the saved checkpoint). Prints p50/p95/max and the training rate.
Strip: a 16-frame slerp strip rendered as the Interpolation tab renders it (latents, G, uint8,
tiling) for a DCGAN 32x32 (the shapes defaults, width 32, and width 64), median of --strips
runs, with one torch thread (as in the UI thread) and with the default pool.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from common import percentile, run_event_loop


def pixels(widget) -> bytes:
    """What the widget shows now: its grabbed pixels (a paint, as the screen would get)."""
    img = widget.grab().toImage()
    return bytes(img.constBits())


def drag(panel, moves: int, slider: int = 1) -> list[float]:
    """Move a slider the way a hand drags it, one notch every 16-50 ms; for each move, ms from
    ``setValue`` until the preview's grabbed pixels change (coalescing, render, paint: what a
    user waits for). Slider 1, not 0: on a conditional G slider 0 picks the class, and a
    move inside one class's bin rightly changes nothing."""
    import random

    from PySide6.QtWidgets import QApplication

    rng = random.Random(0)
    times: list[float] = []
    # Up and down, never the same value twice: a non-move would be timed until training changed the preview.
    values = [(-300 + 12 * i) for i in range(51)]
    values += values[-2:0:-1]
    view = panel.view
    before = pixels(view)
    unchanged = 0
    for i in range(moves):
        s = panel.sliders[slider]
        value = values[i % len(values)]
        assert value != s.value(), "a move must move the slider"
        t0 = time.perf_counter()
        s.setValue(value)
        while True:
            QApplication.processEvents()
            now = pixels(view)
            if now != before:
                times.append((time.perf_counter() - t0) * 1000)
                break
            if time.perf_counter() - t0 > 1.0:  # this move drew the same picture: not counted
                unchanged += 1
                break
        before = now
        run_event_loop(rng.randint(16, 50) / 1000)  # the hand moves on; training and the UI go on meanwhile
    if unchanged:
        print(f"  ({unchanged} of {moves} moves left the picture as it was; not timed)", flush=True)
    return times


def report(name: str, times: list[float], extra: str = "") -> None:
    print(
        f"{name}: n={len(times)}  p50 {statistics.median(times):.1f} ms  p95 {percentile(times, 95):.1f} ms  "
        f"max {max(times):.1f} ms{extra}",
        flush=True,
    )


def bench_drag(moves: int) -> None:
    from ganstudio.app import open_window

    app, w, warm = open_window()  # as run_app() opens it: the user's app, warm-up included
    w.resize(1280, 800)
    while warm.is_alive():
        run_event_loop(0.1)
    w.dataset_combo.setCurrentText("digits")
    w.steps.setValue(10**8)
    w.train_button.click()
    panel = w.explorer.latent_panel
    w.explorer.setCurrentIndex(1)
    while panel.snap is None:
        run_event_loop(0.05)
    run_event_loop(3)  # warm-up: allocator, first grids
    tr = w.worker.trainer
    s0, t0 = tr.step_count, time.perf_counter()
    times = drag(panel, moves)
    rate = (tr.step_count - s0) / (time.perf_counter() - t0)
    report("drag while training (digits dcgan)", times, f"  (training {rate:.1f} steps/s meanwhile)")
    done = []
    w.training_finished.connect(done.append)
    w.stop()
    while not done:
        run_event_loop(0.05)
    run_event_loop(0.5)
    report("drag idle (same G from its checkpoint)", drag(panel, moves))
    w.close()
    app.processEvents()


def bench_strip(n: int) -> None:
    import torch

    from ganstudio import explore
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    snaps = {}
    for width in (32, 64):
        snaps[width] = explore.snapshot_from_trainer(Trainer(TrainConfig(dataset="shapes", image_size=32, width=width)))
    for label in ("default threads", "1 thread, as in the UI thread"):
        if label.startswith("1"):
            explore.use_one_thread_here()
        for width, snap in snaps.items():
            recipe = explore.base_recipe(snap, "interpolate", 1.0) | {
                "seeds": [1, 2],
                "mode": "slerp",
                "frames": 16,
                "loop": False,
            }
            times = []
            for _ in range(n + 3):
                t = time.perf_counter()
                pic = explore.render_recipe(recipe, snap, animate=False)
                times.append((time.perf_counter() - t) * 1000)
            times = times[3:]  # warm-up
            print(
                f"strip 16 frames, dcgan 32x32 width {width}, {label} (torch threads {torch.get_num_threads()}): "
                f"median {statistics.median(times):.1f} ms  p95 {percentile(times, 95):.1f} ms  "
                f"({pic.shape[1]}x{pic.shape[0]} px)",
                flush=True,
            )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--moves", type=int, default=300)
    p.add_argument("--strips", type=int, default=30)
    p.add_argument("--only", choices=("drag", "strip"))
    a = p.parse_args()
    os.environ.setdefault("GANSTUDIO_RUNS_DIR", tempfile.mkdtemp(prefix="latent_perf_"))
    print(f"cpus {os.cpu_count()}  load {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if a.only in (None, "strip"):
        if a.only is None:  # the strip bench changes this process's torch threads: run it apart
            import subprocess

            subprocess.run([sys.executable, __file__, "--only", "strip", "--strips", str(a.strips)], check=True)
        else:
            bench_strip(a.strips)
    if a.only in (None, "drag"):
        bench_drag(a.moves)
    print(f"load after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
