"""What synthetic data is worth, measured: CAS, the augmentation curve and leakage (issue 31).

    python bench/utility.py cas --run /work/runs/fmnist300 [--checkpoint best] \\
        --label-by features,generator --balance equal,hard --filters none,0.9 --psi 1.0,1.5 [--seeds 0,1]
    python bench/utility.py leakage --run /work/runs/fmnist300      # the run, a copier, a fresh G
    python bench/utility.py speed --run /work/runs/fmnist300        # synth's defaults: 60,000 images as folder/npz/idx
    python bench/utility.py digits [--seconds 120]                  # trains a digits run (--holdout 0.2), then all

``cas`` trains the real reference once, then one CNN per synthetic setting (every class
6,000 images); the settings' table picks synth's defaults (ganstudio/synth.py). ``leakage``
puts the run's samples between a copier (training images returned as samples: every one a
near-copy) and an untrained G (none). ``digits`` and ``full`` run ``ganstudio utility``'s
measure (metrics/utility.measure) whole. Figures go to docs/benchmarks.md with the date and
the load average (other jobs share these 2 cores).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def load(run: str, checkpoint: str | None):
    from ganstudio.generator import find_checkpoint, load_generator

    ckpt = find_checkpoint(run, checkpoint)
    return ckpt, load_generator(ckpt)


def load_avg() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def cmd_cas(a) -> None:
    from ganstudio.metrics import utility as U
    from ganstudio.synth import generate_set

    _, snap = load(a.run, a.checkpoint)
    ref = U.load_reference(snap.cfg)
    k = int(snap.G.n_classes)
    names = snap.class_names
    updates = U.updates_for(k * a.per_class)
    t = time.perf_counter()
    net = U.train_classifier(ref.train.data, ref.train.labels, k, 0, updates)
    acc, per = U.accuracy(net, ref.held.data, ref.held.labels, k)
    print(f"real reference: {acc:.3f} ({len(ref.train.data):,} real images, {updates} updates, "
          f"{time.perf_counter() - t:.0f}s; {load_avg()})")  # fmt: skip
    print("per class:", " ".join(f"{n}={v:.2f}" for n, v in zip(names, per)))
    print(f"{'labels':>9} {'balance':>7} {'filter':>6} {'psi':>5} {'seed':>4} {'kept':>5} {'CAS':>6} "
          f"{'worst':>18}  per class")  # fmt: skip
    settings = [
        (label_by, balance, f, float(psi))
        for label_by in a.label_by.split(",")
        for balance in a.balance.split(",")
        for f in a.filters.split(",")
        for psi in a.psi.split(",")
    ]
    for label_by, balance, f, psi in settings:
        t = time.perf_counter()
        s = generate_set(snap, per_class=a.per_class, filter_p=None if f == "none" else float(f), psi=psi,
                         label_by=label_by, features=ref.features, balance=balance, real=ref.train)  # fmt: skip
        dt = time.perf_counter() - t
        for seed in (int(v) for v in a.seeds.split(",")):  # the CNN's seed: its spread
            net = U.train_classifier(s.x, s.y, k, seed, updates)
            acc, per = U.accuracy(net, ref.held.data, ref.held.labels, k)
            w = int(np.argmin(per))
            print(f"{label_by:>9} {balance:>7} {f:>6} {psi:>5.2f} {seed:>4} {s.info['kept_share']:>5.2f} {acc:>6.3f} "
                  f"{names[w]:>13} {per[w]:.2f}  " + " ".join(f"{v:.2f}" for v in per)
                  + f"  (set drawn in {dt:.0f}s)", flush=True)  # fmt: skip


class Copier(torch.nn.Module):
    """A conditional "generator" returning training images of z[0]'s class (z[1] picks which)."""

    def __init__(self, data, labels, n_classes):
        from ganstudio.models.dcgan import DCGANGenerator, _edges

        super().__init__()
        self.n_classes = n_classes
        self.register_buffer("class_edges", _edges(torch.full((n_classes,), 1.0 / n_classes)))
        self.by_class = [torch.from_numpy(data[labels == c]) for c in range(n_classes)]
        self.labels = DCGANGenerator.labels.__get__(self)
        self.class_centres = DCGANGenerator.class_centres.__get__(self)

    def forward(self, z, mix=None):
        u = torch.special.ndtr(z[:, 1])
        return torch.stack(
            [self.by_class[c][int(v * (len(self.by_class[c]) - 1))] for c, v in zip(self.labels(z).tolist(), u)]
        )


def cmd_leakage(a) -> None:
    from ganstudio.generator import GeneratorSnapshot
    from ganstudio.metrics import utility as U
    from ganstudio.models import build_models
    from ganstudio.synth import generate_set

    _, snap = load(a.run, a.checkpoint)
    ref = U.load_reference(snap.cfg)
    k = int(snap.G.n_classes)
    fresh_G, _ = build_models(snap.cfg, snap.sample_shape)
    fresh_G.eval()
    copier = Copier(ref.train.data, ref.train.labels, k).eval()
    per = max(1, a.n // k)
    for name, G in (("copier", copier), ("fresh G", fresh_G), (f"the run (step {snap.step})", snap.G)):
        s = generate_set(GeneratorSnapshot(G, snap.meta, False), per_class=per, features=ref.features)
        t = time.perf_counter()
        leak = U.leakage(
            U.as_float(s.x).numpy(), ref.train.data, ref.held.data, ref.features, ref.train_features,
            ref.memorized_threshold, n=a.n,
        )  # fmt: skip
        px, ft = leak["pixels"], leak["features"]
        print(f"{name:>22}: near-copies {leak['near_copies']:>5} / {leak['n']}  pixels train {px['train']:.3f} "
              f"held-out {px['held_out']:.3f} ratio {px['ratio']:.2f}  features ratio {ft['ratio']:.2f}  "
              f"memorized {leak['memorized']:.0f}%  ({time.perf_counter() - t:.0f}s)", flush=True)  # fmt: skip
    print(f"near-copy line (pixels, RMS): {leak['near_copy_line']:.4f}; {load_avg()}")


def cmd_speed(a) -> None:
    from ganstudio.metrics.utility import feature_net
    from ganstudio.synth import DEFAULT_BALANCE, DEFAULT_LABEL_BY
    from ganstudio.synth_files import export_set

    torch.set_num_threads(a.threads or 2)
    _, snap = load(a.run, a.checkpoint)
    net, train = feature_net(snap.cfg)
    draw = dict(n=a.n, label_by=DEFAULT_LABEL_BY, features=net, balance=DEFAULT_BALANCE, real=train)  # synth's
    # on the project's disk, not /tmp: deleting 60,000 files there slows the next writes for minutes
    with tempfile.TemporaryDirectory(dir=a.scratch) as tmp:
        for fmt in ("folder", "npz", "idx"):
            t0 = time.perf_counter()
            s, _ = export_set(snap, Path(tmp) / fmt, fmt, {}, **draw)  # as `ganstudio synth` writes it
            took = time.perf_counter() - t0
            threads = torch.get_num_threads()
            print(f"{fmt:>6}: {a.n:,} images drawn, labelled and written in {took:.1f}s "
                  f"({s.info['drawn']:,} drawn; {threads} threads; {load_avg()})", flush=True)  # fmt: skip


def cmd_full(a) -> None:
    from ganstudio.metrics import utility as U
    from ganstudio.synth import DEFAULT_FILTER

    ckpt, snap = load(a.run, a.checkpoint)
    result = U.measure(snap, ckpt, per_class=a.per_class, filter_p=DEFAULT_FILTER, say=print)  # synth's defaults
    U.write_result(snap.run, result)
    for line in U.summary_lines(result):
        print(line)
    for r in result.get("augmentation", []):
        print(f"  {r['n_real']:>6,} real + {r['n_synthetic']:>6,} synthetic ({r['ratio']:g}x): {r['accuracy']:.3f}")
    print(f"{result['seconds']:.0f}s; {load_avg()}")


def cmd_digits(a) -> None:
    run = Path(a.out or tempfile.mkdtemp(prefix="digits-utility-")) / "run"
    if not (run / "checkpoints").is_dir():
        subprocess.run(
            [sys.executable, "-m", "ganstudio", "train", "--dataset", "digits", "--conditional", "--holdout", "0.2",
             "--time-limit", str(a.seconds), "--steps", "100000", "--run-dir", str(run)],
            check=True,
        )  # fmt: skip
    a.run, a.checkpoint, a.per_class = str(run), None, a.per_class or 300
    cmd_full(a)
    a.n = min(a.n, 300)
    cmd_leakage(a)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("what", choices=("cas", "leakage", "speed", "full", "digits"))
    p.add_argument("--run", default="/work/runs/fmnist300")
    p.add_argument("--checkpoint")
    p.add_argument("--per-class", type=int, default=None)
    p.add_argument("--filters", default="none")
    p.add_argument("--psi", default="1.5")
    p.add_argument("--balance", default="hard", help="cas: comma-separated equal,hard")
    p.add_argument("--label-by", default="features", help="cas: comma-separated features,generator")
    p.add_argument("--seeds", default="0", help="cas: the CNN's seeds (comma-separated)")
    p.add_argument("--n", type=int, default=None)
    p.add_argument("--threads", type=int, default=None, help="torch threads (1 is faster when the cores are busy)")
    p.add_argument("--seconds", type=int, default=120, help="digits: training time")
    p.add_argument("--out", help="digits: where the run goes (kept; reused when it exists)")
    p.add_argument("--scratch", default=".", help="speed: the folder the sets are written under (then removed)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    a.n = a.n or (60000 if a.what == "speed" else 1000)
    a.per_class = a.per_class or (6000 if a.what in ("cas", "full") else None)
    {"cas": cmd_cas, "leakage": cmd_leakage, "speed": cmd_speed, "full": cmd_full, "digits": cmd_digits}[a.what](a)


if __name__ == "__main__":
    main()
