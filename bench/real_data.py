"""The project's defaults against the seeds' recipes on real data, for the same wall-clock budget.

    python bench/real_data.py [--dataset fashion-mnist] [--budget 300] [--seeds 0 1 2]
                              [--recipes ganstudio mlp tf-dcgan] [--n 2000] [--set key=value ...]
    python bench/real_data.py --folder /tmp/colour_icons --image-size 32 [--budget 300] ...

Recipes: ``ganstudio`` is the project's defaults for the data (Trainer with time_limit=budget,
a run folder, the EMA, sample grids, checkpoints and the in-loop evaluations a user gets;
the evaluations count against the budget as they do for `ganstudio train --time-limit`,
unless --free-evals gives their time back; the feature net's training never counts), ``mlp``, ``tf-dcgan``
and ``pytorch-dcgan`` are
the hand-written textbook loops of bench/seed_recipes.py. ``--folder`` mode defaults to the
recipes ganstudio and pytorch-dcgan.

The feature net of the evaluator (ganstudio/metrics) is trained or read from its cache
before any clock, and real images are scored first as the reference line (Fashion-MNIST /
MNIST: the 10,000 test images, with the net's accuracy on them). Then every (seed, recipe)
trains in a fresh subprocess (so memory, thread pools and allocator state do not carry
over), which writes ``--n`` samples from fixed noise (seed 7000 + seed; eval mode; EMA for
ganstudio) and its throughput. All samples are judged by the same evaluator: class
coverage, confident %, FCD beside its real-vs-real floor, precision/recall. Prints a row
per run, the medians per recipe and the targets:

* every class covered (labelled data);
* confident share within 15 points of the real images' share;
* ganstudio's FCD <= 1/4 of the better seed recipe's FCD (medians).

PNG grids of the first 64 samples of each recipe's median run (by FCD) and of real images
go to --out-dir. ``--set key=value`` overrides TrainConfig fields of the ganstudio recipe, for
calibration sweeps: --set z_dim=65 loss=ns (bench/common.py's config_overrides).
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
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/seed_recipes.py

SAMPLE_SEED = 7000  # samples are drawn from seed SAMPLE_SEED + run seed, the same for every recipe
CONFIDENT_POINTS = 15.0  # target: confident share within this many points of real images'
FCD_FACTOR = 4.0  # target: ganstudio FCD <= better seed recipe's FCD / this


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="fashion-mnist", help="a dataset spec (ignored with --folder)")
    p.add_argument("--folder", help="a folder of images: dataset folder:PATH at --image-size")
    p.add_argument(
        "--image-size",
        type=int,
        choices=[16, 28, 32, 64],
        default=None,
        help="image size (default: the data's own; 32 with --folder)",
    )
    p.add_argument("--budget", type=float, default=300.0, help="wall-clock seconds of training per run")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    p.add_argument(
        "--recipes",
        nargs="+",
        default=None,
        help="ganstudio, mlp, tf-dcgan, pytorch-dcgan (default: ganstudio mlp tf-dcgan; "
        "ganstudio pytorch-dcgan with --folder)",
    )
    p.add_argument("--n", type=int, default=2000, help="generated samples judged per run")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="TrainConfig overrides for ganstudio")
    p.add_argument(
        "--free-evals",
        dest="count_evals",
        action="store_false",
        help="give ganstudio the time of its in-loop evaluations back (by default they count, as "
        "they do for `ganstudio train --time-limit`)",
    )
    p.add_argument("--out-dir", default="/tmp/real_data", help="where the PNG grids go")
    p.add_argument("--worker", nargs=3, metavar=("RECIPE", "SEED", "OUT"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.folder and a.image_size is None:
        a.image_size = 32
    if a.recipes is None:
        a.recipes = ["ganstudio", "pytorch-dcgan"] if a.folder else ["ganstudio", "mlp", "tf-dcgan"]
    return a


def spec_of(a: argparse.Namespace) -> str:
    return f"folder:{a.folder}" if a.folder else a.dataset


def overrides_of(a: argparse.Namespace) -> dict:
    from common import config_overrides

    return config_overrides(a.set)


def load(a: argparse.Namespace):
    from ganstudio.data import load_dataset

    return load_dataset(spec_of(a), a.image_size, None)


# ----------------------------------------------------------------------------- worker (one run)
def run_ganstudio(a: argparse.Namespace, ds, seed: int) -> tuple[np.ndarray, dict]:
    from ganstudio.config import TrainConfig, from_dict
    from ganstudio.training import Evaluated, Trainer
    from seed_recipes import sample

    base = TrainConfig(dataset=spec_of(a), seed=seed, steps=10**9, time_limit=a.budget)
    cfg = from_dict(overrides_of(a), base=base)
    with tempfile.TemporaryDirectory(prefix="real_data_run_") as tmp:
        tr = Trainer(cfg, dataset=ds, run_dir=tmp)  # a run folder, as `ganstudio train` writes
        eval_s, n_evals = [0.0], [0]
        plain_evaluate = tr.evaluate

        def timed_evaluate():
            t = time.perf_counter()
            out = plain_evaluate()
            dt = time.perf_counter() - t
            eval_s[0] += dt
            n_evals[0] += 1
            if not a.count_evals:  # run() reads tr.cfg.time_limit before every step: give the time back
                tr.cfg.time_limit += dt
            return out

        tr.evaluate = timed_evaluate  # the loop evaluates through tr.evaluate() (training/quality.py)
        last, n_evaluated = None, 0
        t0 = time.perf_counter()
        for ev in tr.run():
            if isinstance(ev, Evaluated):
                last, n_evaluated = ev.values, n_evaluated + 1
        wall = time.perf_counter() - t0
        if n_evaluated and not n_evals[0]:
            print(
                "warning: the Trainer no longer evaluates through tr.evaluate(); evaluation time was not given back "
                "to the budget",
                file=sys.stderr,
            )
        session = tr.elapsed_before  # the trainer's own clock: first step to the stop
        x = sample(tr.sample_generator(), a.n, SAMPLE_SEED + seed)  # as every recipe's samples are drawn
    c = tr.cfg
    seen = tr.step_count * c.batch_size * c.d_steps
    train_s = session - eval_s[0]
    stats = {
        "steps": tr.step_count,
        "images_seen": seen,
        "img_per_s": seen / max(train_s, 1e-9),
        "epochs": seen / len(ds.data),
        "seconds": train_s,
        "eval_seconds": eval_s[0],
        "evals": n_evals[0],
        "wall_seconds": wall,
        "batch_size": c.batch_size,
        "last_live_eval": last,
        "config": f"{c.model} width {c.width} batch {c.batch_size} z {c.z_dim} loss {c.loss} "
        f"sn {c.spectral_norm} cond {c.conditional} ema {c.ema} lr {c.lr_g}/{c.lr_d} "
        f"augment '{c.augment}' on {tr.device.type}",
    }
    return x, stats


def worker(a: argparse.Namespace) -> None:
    recipe, seed, out = a.worker[0], int(a.worker[1]), a.worker[2]
    ds = load(a)
    if recipe == "ganstudio":
        x, stats = run_ganstudio(a, ds, seed)
    else:
        from seed_recipes import RECIPES, sample

        G, stats = RECIPES[recipe].train(torch.from_numpy(ds.data), a.budget, seed)
        x = sample(G, a.n, SAMPLE_SEED + seed)
    stats |= {"recipe": recipe, "seed": seed, "threads": torch.get_num_threads()}
    np.save(out + ".npy", x.astype(np.float32))
    Path(out + ".json").write_text(json.dumps(stats))


def worker_argv(a: argparse.Namespace, recipe: str, seed: int, out: str) -> list[str]:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        recipe,
        str(seed),
        out,
        "--budget",
        repr(a.budget),
        "--n",
        str(a.n),
        "--dataset",
        a.dataset,
    ]
    if a.folder:
        argv += ["--folder", a.folder]
    if a.image_size:
        argv += ["--image-size", str(a.image_size)]
    if not a.count_evals:
        argv.append("--free-evals")
    if a.set:
        argv += ["--set", *a.set]
    return argv


# ----------------------------------------------------------------------------- judge
def real_reference(a: argparse.Namespace, ds, ev) -> tuple[str, dict, np.ndarray]:
    """(label, metrics, images) of real images to compare against: the held-out test set of
    Fashion-MNIST/MNIST (with the feature net's accuracy on it), else training images."""
    from ganstudio.data import load_dataset, named

    extra: dict = {}
    if not a.folder and a.dataset in named.NAMED:
        train = Path(named.find(a.dataset))
        test = train.with_name(train.name.replace("train-images", "t10k-images"))
        if test.is_file():
            t = load_dataset(f"idx:{test}", a.image_size, ds.channels)
            net = ev._net.net
            net.eval()
            with torch.no_grad():
                probs = torch.cat(
                    [torch.softmax(net(torch.from_numpy(t.data[i : i + 1000])), 1) for i in range(0, len(t.data), 1000)]
                )
            extra["confident_all"] = 100.0 * float((probs.max(1).values >= 0.9).float().mean())
            if t.labels is not None:
                extra["accuracy"] = float((probs.argmax(1).numpy() == t.labels).mean())
            extra["count"] = len(t.data)
            m = ev.score(t.data[: a.n])
            return f"real test images ({test.name})", m | extra, t.data
    # No test set: the evaluator's floor half of the data, judged as score() judges samples (FCD = the floor).
    from ganstudio.metrics.images import class_coverage, frechet_distance, precision_recall

    f = ev._floor_feats[: a.n]
    m = len(f)
    out = {"fcd": frechet_distance(ev._ref, f), "fcd_floor": ev._floor(m), "fcd_n": m}
    out["precision"], out["recall"] = precision_recall(ev._ref_feats[:m], f)
    if ev._net.kind == "classifier" and ev._real_freq is not None:
        with torch.no_grad():
            probs = torch.softmax(ev._net.net.head(torch.from_numpy(f).float()), 1).double().numpy()
        cc = class_coverage(probs, ev._real_freq)
        out |= cc | {"confident": 100.0 * cc["confident"]}
    idx = np.random.default_rng(0).permutation(len(ds.data))[:64]
    return "real images (the evaluator's floor half of the data)", out, ds.data[np.sort(idx)]


def row(m: dict) -> str:
    from ganstudio.metrics.evaluate import format_metrics

    return f"{format_metrics(m)}  = {m['fcd'] / m['fcd_floor']:.2f}x floor"


def main() -> None:
    a = parse_args()
    if a.worker:
        return worker(a)
    from seed_recipes import RECIPES

    unknown = [r for r in a.recipes if r != "ganstudio" and r not in RECIPES]
    if unknown:
        sys.exit(f"unknown recipe(s) {', '.join(unknown)} (choose from ganstudio, {', '.join(RECIPES)})")
    from ganstudio.io.media import image_grid
    from ganstudio.data.imageops import save_png
    from ganstudio.metrics.evaluate import Evaluator

    out_dir = Path(a.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{'cuda ' + torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu'}; "
        f"budget {a.budget:g}s x seeds {a.seeds} x recipes {a.recipes}; overrides {overrides_of(a) or 'none'}"
        f"{'; evaluations count against the budget' if a.count_evals else ''}",
        flush=True,
    )
    t0 = time.perf_counter()
    ds = load(a)
    labelled = ds.n_classes > 0
    print(
        f"data {ds.name}: {len(ds.data)} images {'x'.join(map(str, ds.data.shape[1:]))}, "
        f"{ds.n_classes or 'no'} classes ({time.perf_counter() - t0:.1f}s)",
        flush=True,
    )

    t0 = time.perf_counter()
    ev = Evaluator(ds, seed=0)
    ev.prepare()  # before any clock; cached for the workers' in-loop evaluations too
    net = ev._net
    print(
        f"feature net: {net.kind}, held-out {'accuracy' if net.kind == 'classifier' else 'MSE'} {net.score:.4f}, "
        f"{'read from cache' if net.seconds == 0 else f'trained in {net.seconds:.1f}s'} "
        f"({time.perf_counter() - t0:.1f}s)",
        flush=True,
    )
    label, real, real_images = real_reference(a, ds, ev)
    line = f"{label}: " + row(real) + f"  (FCD floor {real['fcd_floor']:.2f} at n={real['fcd_n']})"
    if "accuracy" in real:
        line += f"\n  feature net on all {real['count']} test images: accuracy {real['accuracy']:.4f}"
    if "confident_all" in real:
        line += f", confident (max softmax >= 0.9) {real['confident_all']:.1f}%"
    print(line, flush=True)
    real_conf = real.get("confident_all", real.get("confident"))
    save_png(image_grid(real_images[:64]), out_dir / "real.png")

    runs: dict[str, list[dict]] = {r: [] for r in a.recipes}
    with tempfile.TemporaryDirectory(prefix="real_data_") as tmp:
        for seed in a.seeds:  # seeds outer, recipes inner: drifts in machine load hit every recipe alike
            for recipe in a.recipes:
                out = os.path.join(tmp, f"{recipe}-{seed}")
                t = time.perf_counter()
                proc = subprocess.run(worker_argv(a, recipe, seed, out))
                if proc.returncode != 0 or not os.path.exists(out + ".json"):
                    print(f"{recipe:>13} seed {seed}: FAILED (exit status {proc.returncode})", flush=True)
                    continue
                stats = json.loads(Path(out + ".json").read_text())
                x = np.load(out + ".npy")
                m = ev.score(x) | stats
                m["ratio"], m["first"] = m["fcd"] / m["fcd_floor"], x[:64].copy()
                runs[recipe].append(m)
                os.remove(out + ".npy")
                extra = f"  +{stats['evals']} evals {stats['eval_seconds']:.0f}s" if "evals" in stats else ""
                print(
                    f"{recipe:>13} seed {seed}: {m['img_per_s']:7.0f} img/s  {m['epochs']:5.2f} epochs  "
                    f"{row(m)}  ({m['steps']} steps, {m['seconds']:.0f}s train{extra}, "
                    f"{time.perf_counter() - t:.0f}s process)",
                    flush=True,
                )
                if recipe == "ganstudio" and seed == a.seeds[0]:
                    print(f"{'':>13} ganstudio chose: {stats['config']}", flush=True)

    print(f"\nmedians over seeds ({a.budget:g}s each):")
    med: dict[str, dict] = {}
    for recipe, rs in runs.items():
        if not rs:
            continue
        md = {
            k: statistics.median(r[k] for r in rs)
            for k in (
                "img_per_s",
                "epochs",
                "fcd",
                "fcd_floor",
                "ratio",
                "precision",
                "recall",
                "class_coverage",
                "confident",
                "memorized",
            )
            if k in rs[0]
        }
        md["n_classes"] = rs[0].get("n_classes")
        med[recipe] = md
        print(f"{recipe:>13} ({len(rs)} runs): {md['img_per_s']:7.0f} img/s  {md['epochs']:5.2f} epochs  {row(md)}")
        mid = sorted(rs, key=lambda r: r["fcd"])[(len(rs) - 1) // 2]
        save_png(image_grid(mid["first"]), out_dir / f"{recipe}.png")
    print(f"grids of the median runs (seed by FCD) and real images: {out_dir}/{{{','.join(med)},real}}.png")

    if "ganstudio" not in med:
        return
    g = med["ganstudio"]
    print("\ntargets for ganstudio:")
    ok_all = True
    if labelled:
        ok = g["class_coverage"] == g["n_classes"]
        ok_all &= ok
        print(f"  every class covered: {g['class_coverage']:g}/{g['n_classes']}  {'met' if ok else 'NOT met'}")
        d = g["confident"] - real_conf
        ok = abs(d) <= CONFIDENT_POINTS
        ok_all &= ok
        print(
            f"  confident within {CONFIDENT_POINTS:g} points of real images' {real_conf:.1f}%: "
            f"{g['confident']:.1f}% ({d:+.1f})  {'met' if ok else 'NOT met'}"
        )
    seeds_ = {r: m for r, m in med.items() if r != "ganstudio"}
    if seeds_:
        best = min(seeds_, key=lambda r: seeds_[r]["fcd"])
        ok = g["fcd"] <= seeds_[best]["fcd"] / FCD_FACTOR
        ok_all &= ok
        print(
            f"  FCD <= 1/{FCD_FACTOR:g} of the better seed recipe's ({best} {seeds_[best]['fcd']:.2f} -> "
            f"{seeds_[best]['fcd'] / FCD_FACTOR:.2f}): {g['fcd']:.2f} ({g['fcd'] / seeds_[best]['fcd']:.2f}x)  "
            f"{'met' if ok else 'NOT met'}"
        )
        if labelled:
            for r, m in seeds_.items():
                print(
                    f"  (for comparison, {r}: classes {m['class_coverage']:g}/{m['n_classes']}, "
                    f"confident {m['confident']:.1f}%)"
                )
    print(f"targets: {'all met' if ok_all else 'NOT all met'}")


if __name__ == "__main__":
    main()
