"""The full fault campaign: kill -9, signals, hostile files, bad data, bad settings, long runs.

    QT_QPA_PLATFORM=offscreen python bench/robustness.py                 # everything
    # (46 min on 2 busy cores; mostly the 100k-step run)
    QT_QPA_PLATFORM=offscreen python bench/robustness.py --only kill9 --kills 40
    QT_QPA_PLATFORM=offscreen python bench/robustness.py --long-steps 100000 --app-seconds 600

Prints one markdown table (docs/robustness.md): per fault class, how many were
injected or tried, how many the program survived, data lost (defined in
tests/robustness/faultkit.py; must be 0) and how many clear errors it gave. Then RSS over
time for a long headless run and a long in-app session, with files per run and UI lateness.
The fault helpers are the same ones tests/robustness/ uses for its short versions.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "robustness"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import faultkit as fk  # noqa: E402

ROWS: list[dict] = []


def row(fault: str, tried: int, survived: int, lost: int, clear: int | str, notes: str = "") -> None:
    ROWS.append(dict(fault=fault, tried=tried, survived=survived, lost=lost, clear=clear, notes=notes))
    print(f"  {fault}: tried {tried}, survived {survived}, data lost {lost}, clear errors {clear}  {notes}", flush=True)


def clear_cli_error(rc: int, err: str, name: str | Path | None = None) -> bool:
    """One `ganstudio: error:` line (naming the file, when given), exit 1, no traceback."""
    return (
        rc == 1
        and err.startswith("ganstudio: error: ")
        and err.count("\n") == 1
        and "Traceback" not in err
        and (name is None or str(name) in err)
    )


def capture_main(argv: list[str]) -> tuple[int, str]:
    """The CLI in-process (same code path as the command), with its stderr captured."""
    import contextlib
    import io

    from ganstudio.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
        rc = main(argv)
    return rc, buf.getvalue()


# ----------------------------------------------------------------------------- kill -9
def bench_kill9(work: Path, kills: int, seed: int) -> None:
    rng = random.Random(seed)
    for dataset in ("ring8", "digits"):
        n = kills // 2
        results, after = fk.kill9_campaign(
            dataset,
            work / f"kill9-{dataset}",
            n,
            rng,
            max_delay=1.5,
            report=lambda r: print(
                f"    kill at {r.delay:.2f}s: step {r.step_at_kill}"
                f" -> {r.step_after}{' (mid-write)' if r.mid_write else ''}"
                f"{' LOST: ' + '; '.join(r.problems) if r.problems else ''}",
                flush=True,
            ),
        )
        lost = sum(r.lost for r in results) + len(after)
        mid = sum(r.mid_write for r in results)
        row(
            f"kill -9 `train --dataset {dataset} --checkpoint-every 1`, then --resume",
            n,
            sum(r.lost == 0 for r in results),
            lost,
            "n/a",
            f"{mid} kills left a checkpoint half-written; final resume {'ok' if not after else after}",
        )


# ----------------------------------------------------------------------------- signals
def bench_signals(work: Path) -> None:
    ok = lost = tried = 0
    notes = []
    for dataset in ("ring8", "digits"):
        for sig in (signal.SIGINT, signal.SIGTERM):
            problems, dt = fk.signal_cli(dataset, work / f"sig-{dataset}-{sig.name}", sig)
            tried += 1
            ok += not problems
            lost += len(problems)
            notes.append(f"{dataset} {sig.name} {dt:.1f}s")
            print(f"    CLI {dataset} {sig.name}: exit after {dt:.2f}s {problems or ''}", flush=True)
    row(
        "Ctrl-C / SIGTERM to `ganstudio train` mid-run",
        tried,
        ok,
        lost,
        "n/a",
        "exit 130 with a checkpoint at the last step; signal->exit " + ", ".join(notes),
    )
    ok = lost = tried = 0
    notes = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        problems, dt = fk.signal_app("ring8", work / f"app-{sig.name}" / "runs", sig)
        tried += 1
        ok += not problems
        lost += len(problems)
        notes.append(f"{sig.name} {dt:.1f}s")
        print(f"    app training {sig.name}: exit after {dt:.2f}s {problems or ''}", flush=True)
    folder = fk.tiny_image_folder(work / "big-folder", 20000)
    problems, dt = fk.signal_app(f"folder:{folder}", work / "app-loading" / "runs", signal.SIGTERM, when="loading")
    tried += 1
    ok += not problems
    lost += len(problems)
    notes.append(f"SIGTERM while loading 20k images {dt:.1f}s")
    row(
        "SIGTERM / Ctrl-C to the app (closes the window) mid-training or mid-load",
        tried,
        ok,
        lost,
        "n/a",
        "clean exit, checkpoint saved; " + ", ".join(notes),
    )


# ----------------------------------------------------------------------------- hostile files
def bench_hostile(work: Path) -> None:
    import torch  # noqa: F401 - loaded before the env var below could matter

    from ganstudio.config import TrainConfig
    from ganstudio.errors import GanstudioError
    from ganstudio.generator import load_generator
    from ganstudio.training import Trainer

    os.environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"  # would make torch.load unpickle: ganstudio never calls it
    good = fk.make_run(work / "good-run", steps=3)
    marker = work / "pwned"
    files = fk.hostile_checkpoints(work / "hostile", good, marker)
    tried = clear = crashed = 0
    for name, path in files.items():
        for door in ("load_generator", "Trainer.load", "cli sample"):
            tried += 1
            try:
                if door == "load_generator":
                    load_generator(path)
                    refused = False
                elif door == "Trainer.load":
                    Trainer(TrainConfig(dataset="ring8", batch_size=16, device="cpu")).load(path)
                    refused = False
                else:
                    rc, err = capture_main(
                        [
                            "sample",
                            "--run",
                            str(good.parents[1]),
                            "--checkpoint",
                            str(path),
                            "--out",
                            str(work / "x.npy"),
                        ]
                    )
                    refused = rc != 0
                    if refused and not clear_cli_error(rc, err, path):
                        crashed += 1
                        print(f"    unclear CLI error for {name}: {err[-300:]}")
                        continue
            except GanstudioError as e:
                refused = str(path) in str(e)
            except Exception as e:  # noqa: BLE001 - a crash is what we count
                crashed += 1
                print(f"    CRASH {door} {name}: {type(e).__name__}: {e}")
                continue
            # Accepting is right only where the attack targets what that door never reads.
            harmless = (name.startswith("config-") and door == "Trainer.load") or (
                name in ("nan-optimizer-state", "data-order-out-of-range", "position-out-of-range")
                and door != "Trainer.load"
            )
            clear += refused or harmless
            if not refused and not harmless:
                print(f"    ACCEPTED {door} {name}")
    # One real process per pickle kind, with torch's unsafe-load switch on.
    for name in ("pickle", "torch-save-zip"):
        tried += 1
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "ganstudio",
                "sample",
                "--run",
                str(good.parents[1]),
                "--checkpoint",
                str(files[name]),
                "--out",
                str(work / "y.npy"),
            ],
            capture_output=True,
            text=True,
            env=fk.env(TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD="1"),
            timeout=120,
        )
        clear += clear_cli_error(r.returncode, r.stderr, files[name])
    row(
        f"hostile checkpoints ({len(files)} kinds) via load_generator, Trainer.load, `sample`",
        tried,
        tried - crashed,
        0,
        clear,
        f"pickle payload ran: {'YES' if marker.exists() else 'never'} (TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1)",
    )
    # The app: open each as a run's latest checkpoint and click Train; and each bad config.json.
    from PySide6.QtWidgets import QApplication

    from ganstudio.app.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    w = MainWindow()
    tried_app = clear_app = 0
    for name, path in files.items():
        run = work / f"app-{name}"
        shutil.copytree(good.parents[1], run)
        shutil.copy(path, run / "checkpoints" / "step_9999999.safetensors")
        fk.settle(run)
        tried_app += 1
        if not w.open_run(run):
            continue
        res: list[str] = []
        w.training_finished.connect(res.append)
        w.train()
        while not res:
            app.processEvents()
        w.training_finished.disconnect()
        box = getattr(w, "error_box", None)
        clear_app += (res == ["error"] and box is not None and "step_9999999" in box.text()) or (
            res == ["steps"] and name.startswith("config-")
        )
    configs = fk.hostile_configs(work / "configs")
    for name, path in configs.items():
        run = work / f"cfg-{name}"
        shutil.copytree(good.parents[1], run)
        shutil.copy(path, run / "config.json")
        tried_app += 1
        clear_app += (not w.open_run(run)) and str(run) in w.error_box.text()
        tried_app += 1
        rc, err = capture_main(["train", "--config", str(path), "--run-dir", str(work / f"cfg-train-{name}")])
        clear_app += clear_cli_error(rc, err)
    w.close()
    row(
        f"hostile runs in the app (open + Train) and {len(configs)} bad config.json (app + `train --config`)",
        tried_app,
        tried_app,
        0,
        clear_app,
        f"pickle payload ran: {'YES' if marker.exists() else 'never'}",
    )


# ----------------------------------------------------------------------------- bad data
def bench_bad_data(work: Path) -> None:
    folder, n_good, bad = fk.hostile_folder(work)
    tiny = ["--image-size", "16", "--width", "8", "--batch-size", "4", "--steps", "2"]
    rc, err = capture_main(["train", "--dataset", f"folder:{folder}", *tiny, "--run-dir", str(work / "odd-run")])
    named = sum(f"{name}: " in err for name in bad)
    row(
        "odd image folder: zero-byte, text, truncated, decompression-bomb images, symlink loops (file and folder)",
        len(bad),
        len(bad) if rc == 0 else 0,
        0,
        named,
        f"skipped with one warning naming each; trained on the {n_good} good ones beside them (L, RGB, RGBA, P, "
        "I;16, LA; 1x1 to 40x17)" + ("" if os.geteuid() else "; chmod-000 files not tried: root reads them"),
    )
    cases = fk.bad_arrays(work / "arrays")
    (work / "empty").mkdir()
    cases[f"folder:{work / 'empty'}"] = work / "empty"
    clear = 0
    for spec, path in cases.items():
        rc, err = capture_main(["train", "--dataset", spec, *tiny, "--run-dir", str(work / f"arr-{path.name}")])
        clear += clear_cli_error(rc, err, path)
    fk.png(work / "one" / "only.png", "RGB", (20, 20))
    rc, err = capture_main(["train", "--dataset", f"folder:{work / 'one'}", *tiny, "--run-dir", str(work / "one-run")])
    row(
        "bad npy/npz/IDX files (shapes, dtypes, NaN, pickle, truncated, header bomb), an empty folder;"
        " a folder of 1 image",
        len(cases) + 1,
        len(cases) + (rc == 0),
        0,
        clear,
        f"the 1-image folder {'trains' if rc == 0 else 'FAILED'}",
    )


# ----------------------------------------------------------------------------- bad settings
def bench_settings(work: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ganstudio.app.main_window import MainWindow

    app = QApplication.instance() or QApplication([])  # noqa: F841
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")
    path = Path(QSettings("ganstudio", "ganstudio").fileName())
    path.parent.mkdir(parents=True, exist_ok=True)
    variants = [
        b"\x00\xff garbage [[[",
        b"[General]\nrecentRuns=@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)\n",
        b"[General]\nrecentRuns=@ByteArray(\\xff)\n",
        b"[General]\nrecentRuns=@Variant(\\0\\0\\0\\x7f)\n",
        f"[General]\nrecentRuns={work / 'gone'}, {work / 'never'}\n".encode(),
    ]
    ok = 0
    for v in variants:
        path.write_bytes(v)
        try:
            w = MainWindow()
            ok += not w.recent_menu.isEnabled()
            w.close()
        except Exception as e:  # noqa: BLE001
            print(f"    CRASH on settings {v!r}: {e}")
    row(
        "corrupt settings file (4 kinds) and recent runs that no longer exist",
        len(variants),
        ok,
        0,
        "n/a",
        "the window opens; dead recent runs are not listed",
    )

    # Read-only runs folder. Root ignores permissions: make mkdir fail like a read-only mount.
    runs = work / "ro-runs"
    os.environ["GANSTUDIO_RUNS_DIR"] = str(runs)
    real_mkdir = os.mkdir
    if os.geteuid() == 0:

        def ro_mkdir(p, *a, **k):
            if str(p).startswith(str(runs)):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(p))
            return real_mkdir(p, *a, **k)

        os.mkdir = ro_mkdir
    else:
        runs.mkdir()
        runs.chmod(0o555)
    try:
        rc, err = capture_main(["train", "--dataset", "ring8", "--steps", "3"])
    finally:
        os.mkdir = real_mkdir
    clear = clear_cli_error(rc, err) and "cannot write the run folder" in err

    # Disk full, in a real process: RLIMIT_FSIZE makes writes past it fail (EFBIG) as a full disk does (ENOSPC).
    def train_limited(run: Path, limit: int, *extra: str) -> bool:
        """Train ring8 with files capped at ``limit`` bytes; True when it failed with a clear error."""

        def pre():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        argv = fk.train_argv("ring8", run, "--steps", "200", *extra)
        r = subprocess.run(argv, capture_output=True, text=True, env=fk.env(), preexec_fn=pre, timeout=300)
        return clear_cli_error(r.returncode, r.stderr.splitlines()[-1] + "\n" if r.stderr else "", "safetensors")

    run = work / "full-run"
    clear += train_limited(run, 1_000_000, "--checkpoint-every", "5")  # the first checkpoint fits, a later not
    kept = fk.committed(run)
    lost = len(fk.check_checkpoints(run)) + (not kept)
    resumed = fk.resume_to_end("ring8", run)
    lost += len(resumed)
    run0 = work / "full-at-start"
    clear += train_limited(run0, 200_000)
    trained = (run0 / "metrics.jsonl").exists()
    row(
        "runs folder read-only; disk full mid-run and at the first checkpoint (real process, RLIMIT_FSIZE)",
        3,
        3,
        lost,
        clear,
        f"mid-run: checkpoints {[s for s, _ in kept]} kept and load, resume "
        f"{'ok' if not resumed else resumed}; full at start: {'trained anyway!' if trained else 'refused to train'}",
    )


# ----------------------------------------------------------------------------- long runs
def bench_long_headless(work: Path, steps: int) -> None:
    run = work / "long-run"
    argv = [
        sys.executable,
        "-m",
        "ganstudio",
        "train",
        "--dataset",
        "ring8",
        "--steps",
        str(steps),
        "--run-dir",
        str(run),
        "--log-every",
        "10",
        "--checkpoint-every",
        "1000",
        "--keep-checkpoints",
        "3",
    ]
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=fk.env())
    t0 = time.monotonic()
    samples, max_ckpt = [], 0
    while p.poll() is None:
        time.sleep(2)
        try:
            rss = fk.rss_mb(p.pid)
        except (FileNotFoundError, ProcessLookupError):
            break
        n = len(fk.complete_lines(run))
        max_ckpt = max(max_ckpt, len(list((run / "checkpoints").glob("*.safetensors"))))
        samples.append((time.monotonic() - t0, n * 10, rss))
    p.wait()
    dur = time.monotonic() - t0
    samples = [s for s in samples if s[2] == s[2]]  # drop a NaN read as the process exited
    rs = [s[2] for s in samples if s[1] > 0]
    first = [s for s in samples if s[1] >= steps * 0.1] or samples
    print(f"  long headless run: {steps} steps in {dur:.0f}s ({steps / dur:.0f} steps/s), exit {p.returncode}")
    print(
        "  RSS over time (s, step, MB): "
        + "  ".join(f"{t:.0f}/{s}/{r:.0f}" for t, s, r in samples[:: max(1, len(samples) // 12)])
    )
    files = sum(1 for _ in run.rglob("*") if _.is_file())
    mb = (run / "metrics.jsonl").stat().st_size / 1e6
    ck = len(list((run / "checkpoints").iterdir()))
    growth = rs[-1] - first[0][2] if rs else float("nan")
    row(
        f"{steps // 1000}k steps headless (ring8)",
        1,
        int(p.returncode == 0),
        len(fk.check_checkpoints(run)),
        "n/a",
        f"RSS {min(rs):.0f}-{max(rs):.0f} MB (from 10% of the run to the end: {growth:+.0f} MB); checkpoints on disk "
        f"<= {max_ckpt} (keep 3, + best.safetensors), {ck} at the end; {files} files; metrics.jsonl {mb:.1f} MB",
    )


APP_SESSION = r"""
import json, sys, time
from PySide6.QtCore import QTimer
from ganstudio.app import open_window
sys.path.insert(0, sys.argv[2])
import faultkit as fk
app, w, _ = open_window()  # as run_app() opens it: the user's app, warm-up included
w.dataset_combo.setCurrentText("ring8"); w.steps.setValue(10**8)
seconds = float(sys.argv[1])
late, t_last, t0 = [], [None], time.perf_counter()
def tick():
    now = time.perf_counter()
    if t_last[0] is not None:
        late.append(max(0.0, (now - t_last[0]) * 1000 - 10))
    t_last[0] = now
def report():
    el = time.perf_counter() - t0
    s = sorted(late) or [0]
    print(json.dumps({"t": round(el), "rss": round(fk.rss_mb()), "p50": s[len(s) // 2], "p99": s[int(len(s) * .99)],
                      "max": s[-1], 
                      "step": w.worker.trainer.step_count if w.worker and w.worker.trainer else 0}), flush=True)
    late.clear()
    if el >= seconds:
        w.close()
timer = QTimer(); timer.timeout.connect(tick); timer.start(10)
rep = QTimer(); rep.timeout.connect(report); rep.start(int(max(5, seconds / 12) * 1000))
QTimer.singleShot(0, w.train)
sys.exit(app.exec())
"""


def bench_long_app(work: Path, seconds: float) -> None:
    e = fk.env(
        GANSTUDIO_RUNS_DIR=str(work / "app-runs"), XDG_CONFIG_HOME=str(work / "app-config"), QT_QPA_PLATFORM="offscreen"
    )
    r = subprocess.run(
        [sys.executable, "-c", APP_SESSION, str(seconds), str(ROOT / "tests" / "robustness")],
        capture_output=True,
        text=True,
        env=e,
        timeout=seconds + 300,
    )
    pts = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    print("  in-app session (t s, step, RSS MB, UI lateness p50/p99/max ms):")
    for q in pts:
        print(f"    {q['t']:>5}  {q['step']:>7}  {q['rss']:>5}  {q['p50']:.1f}/{q['p99']:.1f}/{q['max']:.0f}")
    runs = list((work / "app-runs").iterdir())
    ck = len(list((runs[0] / "checkpoints").iterdir())) if runs else 0
    later = [q for q in pts if q["t"] >= seconds * 0.2] or pts
    row(
        f"{seconds / 60:.0f}-minute in-app training session (ring8, offscreen)",
        1,
        int(r.returncode == 0 and bool(pts)),
        len(fk.check_checkpoints(runs[0])) if runs else 1,
        "n/a",
        f"{pts[-1]['step'] if pts else 0} steps; "
        f"RSS {later[0]['rss'] if later else 0}->{pts[-1]['rss'] if pts else 0} MB "
        f"after warm-up; UI timer lateness p99 {max((q['p99'] for q in pts), default=0):.0f} ms, worst "
        f"{max((q['max'] for q in pts), default=0):.0f} ms; {ck} checkpoints on disk at the end",
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", choices=("kill9", "signals", "hostile", "data", "settings", "long", "app"))
    ap.add_argument("--kills", type=int, default=24, help="kill -9 trials, half ring8 and half digits")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--long-steps", type=int, default=100_000)
    ap.add_argument("--app-seconds", type=float, default=300)
    ap.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = ap.parse_args()
    parts = args.only or ["kill9", "signals", "hostile", "data", "settings", "long", "app"]
    print(f"load average at start: {os.getloadavg()}", flush=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ganstudio-robustness-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("GANSTUDIO_RUNS_DIR", str(work / "runs"))
        os.environ.setdefault("XDG_CONFIG_HOME", str(work / "config"))
        for part, fn in (
            ("kill9", lambda: bench_kill9(work / "k", args.kills, args.seed)),
            ("signals", lambda: bench_signals(work / "s")),
            ("hostile", lambda: bench_hostile(work / "h")),
            ("data", lambda: bench_bad_data(work / "d")),
            ("settings", lambda: bench_settings(work / "c")),
            ("long", lambda: bench_long_headless(work / "l", args.long_steps)),
            ("app", lambda: bench_long_app(work / "a", args.app_seconds)),
        ):
            if part in parts:
                print(f"== {part}", flush=True)
                (work / part).mkdir(exist_ok=True)
                fn()
    print(f"\nload average at end: {os.getloadavg()}; {time.monotonic() - t0:.0f} s in all\n")
    print("| fault or bad input | tried | survived | data lost | clear errors | notes |")
    print("|---|---|---|---|---|---|")
    for r in ROWS:
        print(f"| {r['fault']} | {r['tried']} | {r['survived']} | {r['lost']} | {r['clear']} | {r['notes']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(ROWS, indent=2))
    return 1 if any(r["lost"] for r in ROWS) else 0


if __name__ == "__main__":
    sys.exit(main())
