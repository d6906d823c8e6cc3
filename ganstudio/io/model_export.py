"""Portable generator exports (``ganstudio export``): ONNX, TorchScript and a folder one can
publish as is (safetensors weights, config, model card, sample grid). No Qt.

Every export takes a generator loaded through the safe loader (ganstudio/generator.py: no
pickles, every check of a checkpoint) and maps latents z (B, Z) float32 -> samples
(B, *sample_shape): images (B, C, H, W) in [-1, 1], or (B, 2) points for 2D sets. A
conditional generator draws its class from z[0] (models/dcgan.py), so z alone suffices.
The batch axis is dynamic in every format.
"""

from __future__ import annotations

import importlib.util
import io
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ganstudio.errors import GanstudioError
from ganstudio.io.checkpoint import atomic_write_bytes, save_checkpoint

CHECK_N = 8  # latents each export is checked on after writing (seed 0, a batch the trace never saw)
TRACE_N = 2  # the example batch traced/exported with
FOLDER_FILES = ("model.safetensors", "config.json", "README.md", "samples.png")
ONNX_EXTRA = "writing ONNX needs the onnx package: pip install 'ganstudio[onnx]'"


class ZToSamples(nn.Module):
    """G with z as its only input (a conditional G's optional class-mix input is dropped)."""

    def __init__(self, G: nn.Module):
        super().__init__()
        self.G = G

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.G(z)


def _wrapped(lg) -> nn.Module:
    return ZToSamples(lg.G).eval()


def _check_latents(lg) -> torch.Tensor:
    from ganstudio.latent import sample_z

    return sample_z(CHECK_N, lg.cfg.z_dim, 0)


def _reference(lg, z: torch.Tensor) -> np.ndarray:
    from ganstudio.generator import generate

    return generate(lg.G, z).numpy().astype(np.float32)


def _write(path: Path, data: bytes) -> None:
    try:
        if path.parent != Path("") and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, data)
    except OSError as e:
        raise GanstudioError(f"cannot write {path}: {e.strerror or e}") from None


def output_name(lg) -> str:
    return "points" if lg.is_2d else "images"


# ----------------------------------------------------------------------------- ONNX
def onnx_available() -> bool:
    return importlib.util.find_spec("onnx") is not None


def export_onnx(lg, out: str | Path) -> dict[str, Any]:
    """Write ``out`` (.onnx): input "z" (batch, Z) float32, output "images" (batch, C, H, W)
    (or "points" (batch, 2)); the batch axis is dynamic.

    Uses PyTorch's TorchScript-based exporter (``dynamo=False``), which needs only the onnx
    package (the newer dynamo exporter also needs onnxscript and gives these small
    convolutional graphs nothing more). When onnxruntime is installed, the file is run on
    CHECK_N latents and compared with PyTorch: ``max_abs_diff``; else it is None."""
    out = Path(out)
    if not onnx_available():
        raise GanstudioError(ONNX_EXTRA)
    model = _wrapped(lg)
    example = torch.zeros(TRACE_N, lg.cfg.z_dim)
    buf = io.BytesIO()
    name = output_name(lg)
    with warnings.catch_warnings():  # the legacy exporter's deprecation notice and tracer chatter
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (example,),
            buf,
            input_names=["z"],
            output_names=[name],
            dynamic_axes={"z": {0: "batch"}, name: {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    data = buf.getvalue()
    _write(out, data)
    info: dict[str, Any] = {"path": out, "bytes": len(data), "max_abs_diff": None, "checked_n": 0}
    if importlib.util.find_spec("onnxruntime") is None:
        info["note"] = (
            "onnxruntime is not installed: the file was not run to check it against PyTorch "
            "(pip install 'ganstudio[onnx]')"
        )
        return info
    info["max_abs_diff"] = run_onnx_check(out, lg)
    info["checked_n"] = CHECK_N
    return info


def run_onnx(path: str | Path, z: np.ndarray) -> np.ndarray:
    """Run an exported .onnx generator with onnxruntime on latents (N, Z)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"z": np.ascontiguousarray(z, dtype=np.float32)})[0]


def run_onnx_check(path: Path, lg) -> float:
    z = _check_latents(lg)
    return float(np.abs(run_onnx(path, z.numpy()) - _reference(lg, z)).max())


# ----------------------------------------------------------------------------- TorchScript
def export_torchscript(lg, out: str | Path) -> dict[str, Any]:
    """Write ``out`` (.pt): a traced TorchScript program, z (batch, Z) -> samples, that loads
    with plain PyTorch (``torch.jit.load(out)``) without ganstudio. It is checked by loading
    it back and running it on CHECK_N latents: ``max_abs_diff``."""
    out = Path(out)
    model = _wrapped(lg)
    example = torch.zeros(TRACE_N, lg.cfg.z_dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.jit's deprecation notice; tracer warnings about shapes
        traced = torch.jit.trace(model, example, check_trace=False)
        buf = io.BytesIO()
        torch.jit.save(traced, buf)
    data = buf.getvalue()
    _write(out, data)
    z = _check_latents(lg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = torch.jit.load(str(out), map_location="cpu")
    with torch.no_grad():
        got = loaded(z).numpy()
    return {
        "path": out,
        "bytes": len(data),
        "max_abs_diff": float(np.abs(got - _reference(lg, z)).max()),
        "checked_n": CHECK_N,
    }


# ----------------------------------------------------------------------------- folder
def export_folder(lg, run: str | Path, out: str | Path) -> dict[str, Any]:
    """Write a folder one can publish as is:

        model.safetensors   G's weights alone (its plain state_dict; EMA unless --no-ema), with
                            ganstudio metadata (config, sample_shape, kind, step) in its header
        config.json         the run's resolved config plus sample_shape, kind, step, ema_weights
        README.md           a model card: data, training, quality (evals.jsonl), how to load it
        samples.png         a sample grid (seed 0; one class per row for a conditional G)

    ``ganstudio.load_generator(out)`` loads it (and ``ganstudio sample --run out``). A folder
    holding anything but an earlier export is refused."""
    from ganstudio import __version__
    from ganstudio.config import to_dict
    from ganstudio.data.imageops import save_png
    from ganstudio.io.rundir import RunDir

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GanstudioError(f"--out {out} is a file; give a folder for --format folder")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in FOLDER_FILES)
        if foreign:
            raise GanstudioError(
                f"--out {out} already holds other files ({', '.join(foreign[:3])}"
                f"{', ...' if len(foreign) > 3 else ''}); choose a new or empty folder"
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise GanstudioError(f"cannot create {out}: {e.strerror or e}") from None
    cfg = to_dict(lg.cfg)
    shape = [int(s) for s in lg.meta["sample_shape"]]
    kind = "2d" if lg.is_2d else "image"
    versions = dict(lg.meta.get("versions") or {})
    meta = {
        "step": lg.step,
        "config": cfg,
        "sample_shape": shape,
        "kind": kind,
        "class_names": lg.cfg.class_names,
        "tensors": "generator",
        "generator_only": True,
        "ema_weights": bool(lg.ema),
        "versions": versions,
        "exported_by": f"ganstudio {__version__}",
        "source": lg.path.name,
    }
    weights = {k: v.detach().cpu().contiguous() for k, v in lg.G.state_dict().items()}
    try:
        save_checkpoint(out / "model.safetensors", weights, meta)
    except OSError as e:
        raise GanstudioError(f"cannot write {out / 'model.safetensors'}: {e.strerror or e}") from None
    # the run's config, a valid --config again (load_file reads past what it says about the weights)
    config = to_dict(
        lg.cfg, sample_shape=shape, kind=kind, step=lg.step, ema_weights=bool(lg.ema), ganstudio_version=__version__
    )
    _write(out / "config.json", (json.dumps(config, indent=2) + "\n").encode())
    grid, caption = _sample_grid(lg)
    try:
        save_png(grid, out / "samples.png")
    except OSError as e:
        raise GanstudioError(f"cannot write {out / 'samples.png'}: {e.strerror or e}") from None
    evals = RunDir(run).read_evals() if Path(run).is_dir() else []
    card = model_card(lg, out.name, evals, caption, versions, _read_utility(run))
    _write(out / "README.md", card.encode())
    size = sum((out / f).stat().st_size for f in FOLDER_FILES)
    return {
        "path": out,
        "bytes": size,
        "weights_bytes": (out / "model.safetensors").stat().st_size,
        "files": list(FOLDER_FILES),
    }


def _sample_grid(lg) -> tuple[np.ndarray, str]:
    """(H, W, C) uint8 picture of samples from seed 0 and a caption for the model card."""
    from ganstudio.io.media import image_grid, scatter_png
    from ganstudio.latent import sample_z, with_class
    from ganstudio.generator import generate

    z_dim = lg.cfg.z_dim
    if lg.is_2d:
        from ganstudio.explore import real_points

        x = generate(lg.G, sample_z(1024, z_dim, 0)).numpy()
        real = real_points(lg.cfg.dataset)  # None when the data is not on this machine
        return scatter_png(x, real), "1,024 generated points (seed 0) in blue" + (
            ", real ones in grey" if real is not None else ""
        )
    n_classes = int(lg.cfg.n_classes or 0)
    if n_classes:
        rows = min(n_classes, 16)
        z = sample_z(8, z_dim, 0)
        x = generate(lg.G, torch.cat([with_class(z, lg.G, k) for k in range(rows)])).numpy()
        more = f" (the first {rows})" if rows < n_classes else ""
        return image_grid(x, nrow=8), f"one class per row{more}, the same 8 latents (seed 0) in every row"
    x = generate(lg.G, sample_z(64, z_dim, 0)).numpy()
    return image_grid(x, nrow=8), "64 samples (seed 0)"


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _metric_table(evals: list[dict[str, Any]]) -> str:
    if not evals:
        return "No quality evaluations were recorded for this run (it trained with `--eval-every 0`, or too briefly).\n"
    last = evals[-1]
    best = next((r for r in reversed(evals) if r.get("best")), None)
    rows = [("last", last)] + ([("best", best)] if best is not None and best is not last else [])
    keys = [
        k
        for k in last
        if k not in ("step", "time", "best")
        and not k.endswith("_seconds")
        and isinstance(last[k], (int, float))
        and not isinstance(last[k], bool)
    ]
    head = "| evaluation | step | " + " | ".join(keys) + " |\n|---|---|" + "---|" * len(keys) + "\n"
    body = "".join(f"| {name} | {r['step']} | " + " | ".join(_fmt(r.get(k)) for k in keys) + " |\n" for name, r in rows)
    note = (
        "" if best is None else "\nThe best row is the evaluation that wrote the run's checkpoints/best.safetensors.\n"
    )
    return head + body + note


def dataset_label(name: str) -> str:
    """A dataset as a published card names it: one's own files by their folder or file name, not a local path."""
    from ganstudio.data import USER_PREFIXES

    prefix, sep, path = name.partition(":")
    if not sep or prefix not in USER_PREFIXES:
        return name
    return f"{prefix}:{Path(path.rstrip('/').rstrip(chr(92))).name or path}"


def _read_utility(run: str | Path) -> dict[str, Any] | None:
    """RUN/utility.json (``ganstudio utility``), or None when absent or unreadable."""
    try:
        u = json.loads((Path(run) / "utility.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return u if isinstance(u, dict) else None


def _utility_section(u: dict[str, Any] | None) -> str:
    """What the generator's synthetic data is worth (metrics/utility.py's figures) as a card section."""
    if not u:
        return ""
    try:
        c, leak = u["cas"], u["leakage"]
        names = list(u.get("class_names") or [])
        per = [float(v) for v in c["synthetic"]["per_class"]]
        worst = min(range(len(per)), key=per.__getitem__)
        rows = [
            (f"CAS (a small CNN trained on {c['n_synthetic']:,} synthetic images)", f"{c['cas']:.3f}"),
            (f"the same CNN on {c['n_real']:,} real images", f"{c['real']['accuracy']:.3f}"),
            ("worst class (synthetic)", f"{names[worst] if worst < len(names) else worst} {per[worst]:.2f}"),
        ]
        for n_real, b in (u.get("augmentation_best") or {}).items():
            gain = (
                f"{b['alone']:.3f} alone, {b['best']:.3f} with {b['best_ratio']:g}x synthetic"
                if b["gain"] > 0
                else f"{b['alone']:.3f} alone; synthetic data did not help"
            )
            rows.append((f"{int(n_real):,} real images", gain))
        rows.append(("distance to training / to unseen images", f"{leak['pixels']['ratio']:.2f}x"))
        rows.append(("near-copies of training images", f"{leak['near_copies']:,} of {leak['n']:,}"))
        verdict = str(leak["verdict"])
        synth = u.get("synthetic") or {}
        how = f"{synth.get('per_class', '?')} per class, filter {synth.get('filter') or 'none'}"
    except (KeyError, TypeError, ValueError, IndexError):
        return ""
    table = "| | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    return f"""## Synthetic data

From `ganstudio utility` at step {u.get("step", "?")} ({how}), against real images training never saw
({u.get("held_out", "held-out images")}). Leakage: {verdict}.

{table}
"""


def model_card(
    lg,
    name: str,
    evals: list[dict[str, Any]],
    caption: str,
    versions: dict[str, str],
    utility: dict[str, Any] | None = None,
) -> str:
    c = lg.cfg
    data = dataset_label(c.dataset)
    shape = [int(s) for s in lg.meta["sample_shape"]]
    n_classes = int(c.n_classes or 0)
    classes = ", ".join(c.class_names or [str(k) for k in range(n_classes)])
    if lg.is_2d:
        what, out_doc = "2D points", "(16, 2) float32 points in data space"
    else:
        what = "x".join(map(str, shape[1:])) + (" grey" if shape[0] == 1 else " RGB") + " images"
        out_doc = f"(16, {', '.join(map(str, shape))}) float32 in [-1, 1]"
    model = f"{c.model}" + (f", width {c.width}" if c.model == "dcgan" else f", hidden {c.g_hidden}")
    model += f", z {c.z_dim}" + (" (z[0] picks the class)" if n_classes else "")
    rows = [
        ("data", f"`{data}`: {what}"),
        ("classes", f"{n_classes}: {classes}" if n_classes else "none (unconditional)"),
        ("model", model),
        ("loss", f"{c.loss}" + (", spectral norm in D" if c.spectral_norm else "")),
        (
            "training",
            f"{lg.step} steps of batch {c.batch_size}, lr G/D {c.lr_g:g}/{c.lr_d:g}, seed {c.seed}"
            + (f", augment {c.augment}" if c.augment else ""),
        ),
        ("weights", f"EMA of G (decay {c.ema:g})" if lg.ema else "G's raw weights (no EMA)"),
        ("trained with", ", ".join(f"{k} {v}" for k, v in versions.items()) or "ganstudio"),
    ]
    table = "| | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    cls_example = ""
    if n_classes:
        first = (c.class_names or ["0"])[min(1, n_classes - 1)]
        cls_example = f'x = g.sample(16, seed=0, cls="{first}")  # one class, by name or index\n'
    return f"""---
library_name: ganstudio
tags:
- gan
- ganstudio
- pytorch
---

# {name}

A GAN generator trained with ganstudio on `{data}`: {what}, {lg.step} training steps.

![samples](samples.png)

*{caption}.*

{table}
## Quality

ganstudio's own offline metrics from the run's `evals.jsonl` (see `ganstudio evaluate --help`).

{_metric_table(evals)}
{_utility_section(utility)}## Use it

```python
import ganstudio
g = ganstudio.load_generator("{name}")  # this folder
x = g.sample(16, seed=0)  # {out_doc}
{cls_example}z = g.latents(16, seed=0); x = g.decode(z)
```

or from the command line: `ganstudio sample --run {name} --n 64 --out grid.png`.

## Files

- `model.safetensors`: the generator's `state_dict` (no pickle), its ganstudio metadata in the header
- `config.json`: the training config, with `sample_shape`, `kind`, `step` and `class_names`
- `samples.png`: the grid above
"""
