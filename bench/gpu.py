"""GPU throughput of the default image model: ganstudio against a bare loop, fp32 and bf16,
and in the app (offscreen) against headless.

    python bench/gpu.py [--sizes 28 32 64] [--seconds 10] [--rounds 1] [--skip-app]
    python bench/gpu.py --device cpu --seconds 2 --sizes 28 --n-images 512   # smoke test of the same code

For each image size (28 px grey like Fashion-MNIST, 32 and 64 px colour; --channels to
change) a synthetic labelled data set (uniform noise, 10 classes, --n-images; throughput
does not depend on the pixels) is written once as .npz under --work-dir, and the defaults
``prepare`` resolves for it on the device are used: on a GPU the conditional DCGAN with
width 64, batch 128, hinge loss, spectral norm and projection D, EMA of G. Measurements,
each in a fresh process (PyTorch's thread pools and allocator state must not carry over,
see bench/app_perf.py), each after WARMUP seconds not measured:

``bare``       G and D from ganstudio.models.build_models, trained by a hand-written hinge loop
               (random batches, real+fake through D in one batch as the Trainer does for a D
               without batch norm, Adam with the config's rates); no EMA, grids or evaluations.
``ganstudio``  Trainer.run() with a run folder as `ganstudio train` does: EMA, sample grids,
               checkpoints and the in-loop evaluations (img/s is given with and without the
               evaluations' time). This is also the "headless" side of the app comparison.
``app``        MainWindow offscreen, the data set opened, Train clicked (bench/app_perf.py's
               approach), steps counted while the Qt event loop runs.

``bare`` and ``ganstudio`` also run under torch.autocast(device, dtype=torch.bfloat16). The
feature net of the evaluations is trained for each data set before any measurement (cached
in --work-dir). img/s = generator steps/s x batch size (one D step per G step).
Without a CUDA device (and --device cuda, the default) it prints "no GPU available:
nothing measured" and exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WARMUP = 3.0  # seconds of training not measured (cudnn autotuning, first grids, allocator)
KINDS = ("bare", "ganstudio", "bare-bf16", "ganstudio-bf16", "app")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", type=int, default=[28, 32, 64], choices=[16, 28, 32, 64])
    p.add_argument("--channels", type=int, choices=[1, 3], help="default: 1 at 28 px, else 3")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per measurement")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="cpu: a smoke test of the same code")
    p.add_argument("--n-images", type=int, default=10000)
    p.add_argument("--skip-app", action="store_true", help="no in-app measurement (e.g. no Qt on the machine)")
    p.add_argument("--only", nargs="+", choices=KINDS, help="measure only these kinds")
    p.add_argument(
        "--work-dir",
        default=os.path.join(tempfile.gettempdir(), "ganstudio_gpu_bench"),
        help="synthetic data sets and the feature-net cache (kept between invocations)",
    )
    p.add_argument("--child", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def amp_context(device: str, amp: bool):
    import torch

    return torch.autocast(device, dtype=torch.bfloat16) if amp else contextlib.nullcontext()


def sync(device) -> None:
    import torch

    if getattr(device, "type", device) == "cuda":
        torch.cuda.synchronize()


def make_data(work: Path, size: int, channels: int, n: int) -> str:
    """An npz of n uniform-noise uint8 images with 10 classes; its dataset spec."""
    import numpy as np

    path = work / f"noise_{size}px_{channels}ch_{n}.npz"
    if not path.is_file():
        rng = np.random.default_rng(0)
        shape = (n, size, size) if channels == 1 else (n, size, size, channels)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, x=rng.integers(0, 256, shape, dtype=np.uint8), y=rng.integers(0, 10, n))
        tmp.replace(path)
    return f"npz:{path}"


def resolved(spec: str, device: str):
    from ganstudio.config import TrainConfig
    from ganstudio.training import prepare

    return prepare(TrainConfig(dataset=spec, device=device, steps=10**8), warn=lambda m: None)


def describe(cfg, ds) -> str:
    return (
        f"{'x'.join(map(str, ds.sample_shape))}, {cfg.model} width {cfg.width} batch {cfg.batch_size} z {cfg.z_dim} "
        f"{cfg.loss}{' +SN' if cfg.spectral_norm else ''}{' conditional' if cfg.conditional else ''} ema {cfg.ema}"
    )


# ----------------------------------------------------------------------------- children
def measure_bare(spec: str, device: str, amp: bool, seconds: float) -> dict:
    import torch
    import torch.nn.functional as F

    from ganstudio.models import build_models

    cfg, ds = resolved(spec, device)
    dev = torch.device(device)
    G, D = build_models(cfg, ds.sample_shape)
    G, D = G.to(dev), D.to(dev)
    data = torch.from_numpy(ds.data).to(dev)
    labels = torch.from_numpy(ds.labels).to(dev) if cfg.conditional else None
    if labels is not None:
        G.set_class_frequencies(torch.bincount(labels, minlength=cfg.n_classes).float())
    opt_g = torch.optim.Adam(G.parameters(), lr=cfg.lr_g, betas=(cfg.beta1, cfg.beta2))
    opt_d = torch.optim.Adam(D.parameters(), lr=cfg.lr_d, betas=(cfg.beta1, cfg.beta2))
    B, n = cfg.batch_size, len(data)
    joint = not getattr(D, "has_batchnorm", False)

    def judge(x, y):
        return D(x) if y is None else D(x, y)

    def step() -> None:
        idx = torch.randint(0, n, (B,), device=dev)
        real, z = data[idx], torch.randn(B, cfg.z_dim, device=dev)
        y_real = labels[idx] if labels is not None else None
        D.requires_grad_(True)
        with amp_context(device, amp):
            fake = G(z)
            y_fake = G.labels(z) if labels is not None else None
            if joint:
                out = judge(torch.cat([real, fake.detach()]), None if y_real is None else torch.cat([y_real, y_fake]))
                d_real, d_fake = out[:B], out[B:]
            else:
                d_real, d_fake = judge(real, y_real), judge(fake.detach(), y_fake)
            loss_d = F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        D.requires_grad_(False)
        with amp_context(device, amp):
            loss_g = -judge(fake, y_fake).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < WARMUP:
        step()
    sync(dev)
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        steps += 1
    sync(dev)
    dt = time.perf_counter() - t0
    return {"steps_per_s": steps / dt, "img_per_s": steps * B / dt, "config": describe(cfg, ds)}


def measure_ganstudio(spec: str, device: str, amp: bool, seconds: float) -> dict:
    import torch

    from ganstudio.training import Trainer

    cfg, ds = resolved(spec, device)
    with tempfile.TemporaryDirectory(prefix="gpu_bench_run_") as tmp:
        tr = Trainer(cfg, dataset=ds, run_dir=tmp)
        eval_s = [0.0]
        plain = tr.evaluate

        def timed():
            t = time.perf_counter()
            out = plain()
            eval_s[0] += time.perf_counter() - t
            return out

        tr.evaluate = timed  # the loop evaluates through tr.evaluate() (training/quality.py)
        t_start = s_start = e_start = None
        t_begin = time.perf_counter()  # run() prepares the evaluator before its clock: cached here
        with amp_context(device, amp):  # thread-local: covers the generator's body run by next()
            for _ in tr.run():
                now = time.perf_counter()
                if t_start is None and now - t_begin >= WARMUP:
                    sync(tr.device)
                    t_start, s_start, e_start = time.perf_counter(), tr.step_count, eval_s[0]
                if t_start is not None and now - t_start >= seconds:
                    tr.request_stop()
                    sync(tr.device)
                    break
        dt = time.perf_counter() - t_start
        steps, evals = tr.step_count - s_start, eval_s[0] - e_start
    B = cfg.batch_size * cfg.d_steps
    return {
        "steps_per_s": steps / dt,
        "img_per_s": steps * B / dt,
        "img_per_s_no_evals": steps * B / max(dt - evals, 1e-9),
        "eval_seconds": evals,
        "config": describe(cfg, ds),
        "torch_device": str(torch.device(tr.device)),
    }


def measure_app(spec: str, device: str, seconds: float) -> dict:
    """bench/app_perf.py's in_app(), for a data set opened from a file and a chosen device."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from common import run_event_loop
    from ganstudio.app import open_window

    app, w, _ = open_window()  # as run_app() opens it; app must outlive the window
    w.resize(1280, 800)
    w._add_dataset(spec)  # what "Open file..." does after its dialog
    if w.device_combo.findText(device) >= 0:
        w.device_combo.setCurrentText(device)
    w.steps.setValue(10**8)
    w.train_button.click()
    t_wait = time.perf_counter()
    while w.worker is None or w.worker.trainer is None:
        run_event_loop(0.05)
        if time.perf_counter() - t_wait > 300:
            raise RuntimeError("the app did not start training within 300 s")
    run_event_loop(WARMUP)
    tr = w.worker.trainer
    sync(tr.device)
    t_start, s_start = time.perf_counter(), tr.step_count
    run_event_loop(seconds)  # like app.exec(): the worker thread trains meanwhile
    sync(tr.device)
    dt, steps = time.perf_counter() - t_start, tr.step_count - s_start
    cfg = tr.cfg
    w.close()
    w.deleteLater()
    return {
        "steps_per_s": steps / dt,
        "img_per_s": steps * cfg.batch_size * cfg.d_steps / dt,
        "config": describe(cfg, tr.dataset),
        "torch_device": str(tr.device),
    }


def child(a: argparse.Namespace) -> None:
    kind, spec = a.child
    if kind == "app":
        out = measure_app(spec, a.device, a.seconds)
    elif kind.startswith("bare"):
        out = measure_bare(spec, a.device, kind.endswith("bf16"), a.seconds)
    else:
        out = measure_ganstudio(spec, a.device, kind.endswith("bf16"), a.seconds)
    print(json.dumps(out))


# ----------------------------------------------------------------------------- parent
def run_child(a: argparse.Namespace, kind: str, spec: str, env: dict) -> dict:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        spec,
        "--device",
        a.device,
        "--seconds",
        repr(a.seconds),
    ]
    with tempfile.TemporaryDirectory(prefix="gpu_bench_app_runs_") as runs:  # where the app puts its run
        p = subprocess.run(argv, capture_output=True, text=True, env=dict(env, GANSTUDIO_RUNS_DIR=runs))
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"error": f"exit status {p.returncode}: {tail}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> int:
    a = parse_args()
    import torch

    if a.device == "cuda" and not torch.cuda.is_available():
        print("no GPU available: nothing measured")
        return 0
    if a.child:
        child(a)
        return 0
    work = Path(a.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GANSTUDIO_CACHE=str(work / "cache"), QT_QPA_PLATFORM="offscreen")
    os.environ.update(GANSTUDIO_CACHE=env["GANSTUDIO_CACHE"])  # the feature nets prepared below
    kinds = [k for k in (a.only or KINDS) if not (a.skip_app and k == "app")]
    name = torch.cuda.get_device_name() if a.device == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    print(
        f"torch {torch.__version__} on {name}; sizes {a.sizes}, {a.seconds:g} s measured after {WARMUP:g} s "
        f"warm-up, {a.rounds} round(s); kinds {', '.join(kinds)}",
        flush=True,
    )

    from ganstudio.metrics.evaluate import Evaluator

    specs = {}
    for size in a.sizes:
        ch = a.channels or (1 if size == 28 else 3)
        specs[size] = make_data(work, size, ch, a.n_images)
        t = time.perf_counter()
        cfg, ds = resolved(specs[size], a.device)
        Evaluator(ds, a.device, seed=0).prepare()  # the in-loop evaluations' feature net, outside every clock
        print(
            f"{size} px: {describe(cfg, ds)}; {len(ds.data)} noise images; feature net ready in "
            f"{time.perf_counter() - t:.1f}s",
            flush=True,
        )

    results: dict[tuple[int, str], list[dict]] = {}
    for r in range(a.rounds):
        for size, spec in specs.items():
            parts = []
            for kind in kinds:
                res = run_child(a, kind, spec, env)
                results.setdefault((size, kind), []).append(res)
                parts.append(f"{kind} {res['img_per_s']:.0f}" if "error" not in res else f"{kind} FAILED")
                if "error" in res:
                    print(f"  {size} px {kind}: {res['error']}", flush=True)
            print(f"round {r} {size:>2} px img/s: " + ", ".join(parts), flush=True)

    def med(size: int, kind: str, key: str = "img_per_s") -> float | None:
        vals = [x[key] for x in results.get((size, kind), []) if key in x]
        return statistics.median(vals) if vals else None

    def fmt(v: float | None) -> str:
        return f"{v:8.0f}" if v is not None else "       -"

    def ratio(x: float | None, y: float | None) -> str:
        return f"{x / y:5.2f}" if x is not None and y else "    -"

    print(f"\nmedian img/s over {a.rounds} round(s) ({a.device}):")
    print(
        "size |     bare | ganstudio (no evals) | gs/bare | bare-bf16 | gs-bf16 (no evals) | bf16 gain bare/gs |"
        "      app | app/headless"
    )
    for size in a.sizes:
        b, g, gn = med(size, "bare"), med(size, "ganstudio"), med(size, "ganstudio", "img_per_s_no_evals")
        bb, gb, gbn = (
            med(size, "bare-bf16"),
            med(size, "ganstudio-bf16"),
            med(size, "ganstudio-bf16", "img_per_s_no_evals"),
        )
        ap = med(size, "app")
        print(
            f"{size:>3}  | {fmt(b)} | {fmt(g)} ({fmt(gn)}) |   {ratio(g, b)} |  {fmt(bb)} | {fmt(gb)} ({fmt(gbn)}) |"
            f"     {ratio(bb, b)} / {ratio(gb, g)} | {fmt(ap)} | {ratio(ap, g)}"
        )
    print(
        "ganstudio = Trainer.run() with a run folder (EMA, grids, checkpoints, evaluations; '(no evals)' leaves "
        "the evaluations' time out); headless for app/headless is the fp32 ganstudio figure."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
