"""Quality the app's Quality panel shows live, within each target's time budget (issue:
'Quality you can see': "the metric plots in the app reach them live").

    QT_QPA_PLATFORM=offscreen python bench/app_quality.py [--datasets ring8 grid25 digits] [--seeds 0 1 2]

Each (dataset, seed) runs in a fresh process, as a user would: MainWindow, the dataset
picked in datasetCombo, the seed in seedSpin, Train clicked, everything else at its
default. After the budget (ring8 30 s, grid25 60 s, digits 120 s, counted from the click,
so loading and start-up count against it), the last evaluation plotted in the Quality
panel (``qualityPanel``: what metricPlot/coveragePlot/metricSummary show) is read and
training is stopped. Prints each run and the medians beside the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from ganstudio.metrics.evaluate import format_metrics

BUDGET = {"ring8": 30.0, "grid25": 60.0, "digits": 120.0}
COUNTS = ("modes", "n_modes", "class_coverage", "n_classes")  # whole numbers the panel keeps as floats


def child(dataset: str, seed: int, budget: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from ganstudio.app import open_window

    app, w, _ = open_window()  # as run_app() opens it: the user's app, warm-up included
    w.dataset_combo.setCurrentText(dataset)
    w.seed.setValue(seed)
    t0 = time.perf_counter()
    w.train_button.click()
    loop = QEventLoop()
    QTimer.singleShot(int(budget * 1000), loop.quit)
    loop.exec()
    panel = w.quality_panel
    h = panel.history
    row = {"step": h.last_step()}
    for k in h.keys:
        s = h.series(k)
        if len(s) and s[-1] == s[-1]:  # the panel keeps every key; NaN = not measured for this data
            row[k] = int(s[-1]) if k in COUNTS else float(s[-1])
    row["wall"] = time.perf_counter() - t0
    row["evaluations"] = len(h)
    row["summary"] = panel.summary.text()
    w.stop()
    done = time.perf_counter()
    while w.worker is not None and time.perf_counter() - done < 30:
        app.processEvents()
        time.sleep(0.02)
    print("RESULT " + json.dumps(row), flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--datasets", nargs="+", default=list(BUDGET))
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument("--child", nargs=3, metavar=("DATASET", "SEED", "BUDGET"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child[0], int(a.child[1]), float(a.child[2]))
        return
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    with tempfile.TemporaryDirectory() as runs:
        env.setdefault("GANSTUDIO_RUNS_DIR", runs)
        for ds in a.datasets:
            rows = []
            for seed in a.seeds:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", ds, str(seed), str(BUDGET[ds])],
                    env=env,
                    capture_output=True,
                    text=True,
                )
                line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
                if line is None:
                    print(f"{ds} seed {seed}: failed\n{out.stderr[-2000:]}")
                    continue
                r = json.loads(line[7:])
                rows.append(r)
                print(
                    f"{ds} seed {seed}: step {r['step']} after {r['wall']:.0f}s, {r['evaluations']} evaluations; "
                    f"last: {format_metrics(r) or 'none'}",
                    flush=True,
                )
            if rows:
                keys = [k for k, v in rows[0].items() if isinstance(v, (int, float)) and all(k in r for r in rows)]
                med = {k: statistics.median(r[k] for r in rows) for k in keys}
                print(f"{ds} median of {len(rows)}: {format_metrics(med)}  ->  target {target(ds, med)}", flush=True)


def target(ds: str, m: dict) -> str:
    if "modes" not in m and "class_coverage" not in m:
        return "not measured (no evaluation within the budget)"
    if ds == "ring8":
        ok = m["modes"] == 8 and m["hq"] >= 80
    elif ds == "grid25":
        ok = m["modes"] >= 24
    else:
        ok = m["class_coverage"] == m["n_classes"] and m["confident"] >= 90 and m["fcd"] <= 3 * m["fcd_floor"]
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
