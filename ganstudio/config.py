"""Training configuration: one dataclass, each field declared once with its help (the app's Setup
form and `ganstudio train`'s flags are built from its metadata: field_meta.py), JSON/TOML in and out.

A field left as ``None`` means "the dataset's default" (see ``DATASET_DEFAULTS``);
``resolve()`` fills those in, and the resolved config is what a run directory and every
checkpoint carry, so a checkpoint can rebuild its models on its own.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_type_hints

from ganstudio import augment
from ganstudio.errors import ConfigError
from ganstudio.field_meta import Control as Control, Flag as Flag, cli, ui  # the form's and the flags' metadata
from ganstudio.field_meta import cli_flag as cli_flag, control as control

LOSSES = ("ns", "minimax", "lsgan", "hinge", "wgan-gp")
MODELS = ("mlp", "dcgan")
DEVICES = ("auto", "cpu", "cuda", "mps")
IMAGE_SIZE_CHOICES = ("16", "28", "32", "64")  # the app's list; a run at another size adds its own


def dataset_choices() -> list[str]:
    """The dataset list: built-ins, then the named real datasets whose files are here."""
    from ganstudio.data import BUILTINS, named

    return [n for n in BUILTINS if n not in named.NAMED] + named.available()


def device_choices() -> list[str]:
    from ganstudio.devices import available_devices

    return ["auto", *available_devices()]


def _device_tooltip() -> str:
    from ganstudio.devices import available_devices

    return "Available here: " + ", ".join(available_devices()).upper()


_LR = dict(range=(1e-6, 1.0), step=1e-4, decimals=6)  # the learning rates' spin boxes


@dataclass
class TrainConfig:
    # --- data ---
    dataset: str = field(
        default="ring8",
        metadata=ui(
            "Dataset",
            name="datasetCombo",
            row=10,
            choices=dataset_choices,
            on_resume="match",
            tooltip="Built-in datasets work offline; real ones (fashion-mnist, mnist) are listed "
            "when their files are on this machine; or open your own images",
        )
        | cli(
            "built-in name (see `ganstudio datasets`) or folder:PATH, npz:PATH, npy:PATH, idx:PATH",
            metavar="NAME",
            default="",  # train asks for it (a --config may give it)
        ),
    )
    image_size: int | None = field(  # images are resized/cropped to this square size
        default=None,
        metadata=ui(
            "Image size",
            name="imageSizeCombo",
            row=40,
            choices=IMAGE_SIZE_CHOICES,
            auto=True,
            placeholder="2D points",
            applies="image",
            on_resume="match",
            tooltip="auto: the data's own size (the nearest size the models train, if it has none)",
        )
        | cli("square image size, e.g. 16, 28, 32, 64", metavar="S"),
    )
    channels: int | None = field(
        default=None, metadata=ui(on_resume="match") | cli("1 (grey) or 3 (RGB)", choices=(1, 3))
    )
    # A share of the images kept out of training from the start, so `ganstudio utility` can
    # judge samples against real images the run never saw (data/split.py; MNIST-format data
    # has its own test files and ignores it).
    holdout: float | None = field(  # None (the form's value for 2D sets): 0
        default=0.0,
        metadata=ui(
            "Held-out share",
            name="holdoutSpin",
            row=15,
            range=(0.0, 0.5),
            step=0.05,
            decimals=2,
            applies="image",
            on_resume="match",
            tooltip="Images kept out of training for `ganstudio utility` (0: none; fashion-mnist and "
            "mnist use their test files instead)",
        )
        | cli("share of the images kept out of training, for `ganstudio utility` (0-0.5)", metavar="F"),
    )
    # --- models ---
    model: str | None = field(
        default=None,
        metadata=ui("Model", name="modelCombo", row=20, choices=MODELS, applies="image", on_resume="match")
        | cli("G and D: mlp (fully connected) or dcgan (convolutional, images only)", choices=MODELS),
    )
    z_dim: int | None = field(
        default=None,
        metadata=ui(
            "z size",
            name="zDimSpin",
            row=60,
            range=(0, 1024),
            auto=True,
            on_resume="match",
            tooltip="Latent size; auto: chosen from the data "
            "(one more for the class dial z[0] when the data has labels)",
        )
        | cli("latent size (in a conditional G, z[0] picks the class)", metavar="Z"),
    )
    g_hidden: list[int] | None = None  # MLP generator widths
    d_hidden: list[int] | None = None  # MLP discriminator widths
    width: int | None = field(default=None, metadata=cli("DCGAN base channel count (G and D)", metavar="W"))
    spectral_norm: bool | None = field(default=None, metadata=cli("spectral norm in D (no batch norm in D then)"))
    conditional: bool | None = field(
        default=None, metadata=cli("class-conditional G and D on the data's labels; z[0] picks the class")
    )
    n_classes: int | None = None  # filled in from the data: the classes a conditional model is built for
    class_names: list[str] | None = None  # filled in from the data: a name per class (index = label)
    augment: str | None = field(
        default=None,
        metadata=cli(
            "augment what D sees (DiffAugment): comma-separated translation, cutout, color; '' = off", metavar="POLICY"
        ),
    )
    # --- objective and optimiser ---
    loss: str | None = field(
        default=None,
        metadata=ui("Loss", name="lossCombo", row=30, choices=LOSSES, live="paused", on_resume="override")
        | cli("the GAN objective", choices=LOSSES),
    )
    gp_weight: float = field(default=10.0, metadata=ui(live="paused"))  # gradient-penalty weight for wgan-gp
    lr_g: float | None = field(
        default=None,
        metadata=ui("LR of G", name="lrGSpin", row=70, **_LR, live="paused", on_resume="override")
        | cli("Adam learning rate of G", metavar="X"),
    )
    lr_d: float | None = field(
        default=None,
        metadata=ui("LR of D", name="lrDSpin", row=80, **_LR, live="paused", on_resume="override")
        | cli("Adam learning rate of D", metavar="X"),
    )
    beta1: float | None = field(default=None, metadata=cli("Adam beta1", metavar="B"))  # 0.5: DCGAN's; 0: SNGAN's
    beta2: float | None = field(default=None, metadata=cli("Adam beta2", metavar="B"))  # 0.999, or SNGAN's 0.9
    d_steps: int | None = field(
        default=None,
        metadata=ui("D steps per G step", name="dStepsSpin", row=90, range=(1, 20), live="paused", on_resume="override")
        | cli("discriminator steps per generator step", metavar="K"),
    )
    ema: float | None = field(
        default=None,
        metadata=ui("", name="emaCheck", row=100, text="EMA of G for samples", on_resume="match")
        | cli("EMA decay of G for samples (0 = off)", metavar="DECAY"),
    )
    batch_size: int | None = field(
        default=None,
        metadata=ui("Batch size", name="batchSizeSpin", row=50, range=(1, 4096), on_resume="override")
        | cli("batch size (per process under torchrun)", metavar="B"),
    )
    # --- schedule ---
    steps: int | None = field(
        default=None,
        metadata=ui("Steps", name="stepsSpin", row=120, range=(1, 10**8), step=1000, live="free", on_resume="override")
        | cli("total generator steps (a resumed run continues up to N)", metavar="N"),
    )
    time_limit: float | None = field(
        default=None,
        # the lowest value (0) shows "no limit" and means None
        metadata=ui(
            "Time limit (s)",
            name="timeLimitSpin",
            row=125,
            range=(0, 10**7),
            step=60,
            decimals=0,
            auto=True,
            placeholder="no limit",
            tooltip="Stop after this many seconds of training (then save); the run says it ended at its time limit.",
            on_resume="override",
        )
        | cli("stop after this long (then save)", metavar="SECONDS", default="no limit"),
    )
    seed: int = field(
        default=0,
        metadata=ui("Seed", name="seedSpin", row=110, range=(0, 2**31 - 1))
        | cli("seeds weights, data order, latent noise and the fixed sample noise", metavar="S"),
    )
    device: str = field(
        default="auto",
        metadata=ui(
            "Device", name="deviceCombo", row=130, choices=device_choices, tooltip=_device_tooltip, on_resume="override"
        )
        | cli("auto picks cuda, then mps, then cpu", choices=DEVICES),
    )
    log_every: int = field(
        default=10, metadata=cli("steps between metrics.jsonl rows (each row averages the interval)", metavar="N")
    )
    sample_every: int | None = field(
        default=None, metadata=cli("steps between sample grids written to samples/", metavar="N")
    )
    checkpoint_every: int = field(default=1000, metadata=cli("steps between checkpoints", metavar="N"))
    keep_checkpoints: int = field(default=3, metadata=cli("keep the last K step checkpoints", metavar="K"))
    n_samples: int | None = None  # fixed-noise samples per grid (points drawn for 2D sets)
    eval_every: int | None = field(  # see metrics/evaluate.py
        default=None, metadata=cli("steps between quality evaluations (0 = never)", metavar="N")
    )
    eval_n: int | None = field(default=None, metadata=cli("generated samples per evaluation", metavar="N"))
    tensorboard: bool = field(
        default=False,
        metadata=ui(
            "",
            name="tensorboardCheck",
            row=140,
            text="TensorBoard files",
            live="free",
            on_resume="override",
            tooltip="Also write the losses, evaluations and sample grids as TensorBoard event "
            "files in RUN/tensorboard/ (needs: pip install 'ganstudio[tensorboard]')",
        )
        | cli(
            "also write TensorBoard event files to RUN/tensorboard/ (needs: pip install 'ganstudio[tensorboard]')",
            default="off (a resumed run keeps its setting)",
        ),
    )


# Per-dataset defaults, chosen so a plain `ganstudio train --dataset X` works well quickly
# on a CPU. 2D mixtures: a tiny latent plus an EMA of G avoids the classic mode collapse.
_TOY = dict(
    model="mlp",
    loss="ns",
    z_dim=2,
    beta1=0.5,
    beta2=0.999,
    g_hidden=[128, 128, 128],
    d_hidden=[128, 128, 128],
    lr_g=1e-3,
    lr_d=1e-3,
    batch_size=256,
    d_steps=1,
    ema=0.99,
    steps=20000,
    sample_every=500,
    n_samples=1024,
    eval_every=500,
    eval_n=2500,
    spectral_norm=False,
    augment="",
    conditional=False,
)
# Images: hinge + spectral norm in D with SNGAN's betas (0, 0.9), lr 6e-4 and an EMA of G; conditional
# when the data has labels (see resolve). Calibrated on Fashion-MNIST: see bench/quality_images.py.
_IMAGE = dict(
    model="dcgan",
    loss="hinge",
    spectral_norm=True,
    z_dim=32,
    lr_g=6e-4,
    lr_d=6e-4,
    beta1=0.0,
    beta2=0.9,
    batch_size=64,
    d_steps=1,
    ema=0.999,
    steps=20000,
    sample_every=200,
    n_samples=64,
    width=32,
    eval_every=500,
    eval_n=1000,
    augment="",
    conditional=True,
)
# What the device changes: a GPU affords twice the width and batch in the same time.
DEVICE_DEFAULTS: dict[str, dict[str, Any]] = {"cpu": {}, "gpu": dict(width=64, batch_size=128)}
# A CPU narrows the DCGAN as images grow: more steps in the same time win (see bench/quality_images.py).
CPU_WIDTH_BY_SIZE = {32: 16, 64: 16}
# No augmentation by default, even for small sets: it made FCD worse (see bench/real_data.py --folder).
DATASET_DEFAULTS: dict[str, dict[str, Any]] = {
    "2d": _TOY,
    "image": _IMAGE,
    # Hinge + spectral norm keep D from overfitting 1,797 digits; the labels lift confident samples
    # from ~72% to ~98%; z 9 is the class dial z[0] and 8 free (see bench/quality_images.py).
    "digits": dict(
        _IMAGE,
        image_size=16,
        channels=1,
        width=32,
        batch_size=64,
        loss="hinge",
        spectral_norm=True,
        conditional=True,
        z_dim=9,
        steps=5000,
        beta1=0.5,
        beta2=0.999,
        lr_g=2e-4,
        lr_d=2e-4,
    ),
    "shapes": dict(
        _IMAGE,
        image_size=32,
        width=32,
        batch_size=64,
        loss="ns",
        spectral_norm=False,
        z_dim=64,
        conditional=False,
        steps=5000,
        beta1=0.5,
        beta2=0.999,
        lr_g=2e-4,
        lr_d=2e-4,
    ),
}
MLP_IMAGE_HIDDEN = dict(g_hidden=[256, 512, 1024], d_hidden=[512, 256])  # the classic MLP GAN


# What a stored config (config.json, a checkpoint's) meant by a key it predates: runs saved
# before a field existed must rebuild the same models, not the field's newer default.
LEGACY = {
    "conditional": False,
    "n_classes": 0,
    "augment": "",
    "class_names": None,
    "tensorboard": False,
    "holdout": 0.0,
}


def from_stored(d: Any) -> TrainConfig:
    """A run's saved (resolved) config; keys it predates take their old meaning."""
    return from_dict({**LEGACY, **d} if isinstance(d, dict) else d)


# What an exported folder's config.json says about its weights beside the config (io/model_export.py).
ABOUT_KEYS = ("sample_shape", "kind", "step", "ema_weights", "ganstudio_version")


def to_dict(cfg: TrainConfig, **about: Any) -> dict[str, Any]:
    """A config as a config.json holds it (the one writer of that format): its fields, then ABOUT_KEYS."""
    extra = sorted(set(about) - set(ABOUT_KEYS))
    if extra:
        raise ValueError(f"not about a config's weights: {', '.join(extra)}")
    return {**dataclasses.asdict(cfg), **about}


def _field_types() -> dict[str, Any]:
    return get_type_hints(TrainConfig)


def _check_type(name: str, value: Any, hint: Any) -> Any:
    """Coerce/validate one value against its annotation; raise ConfigError on mismatch."""
    allowed = get_args(hint) or (hint,)
    if value is None:
        if type(None) in allowed:
            return None
        raise ConfigError(f"config key '{name}' must not be null")
    for t in allowed:
        if t is type(None):
            continue
        origin = getattr(t, "__origin__", None)
        if origin is list:
            item = get_args(t)[0]
            if item is str and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                return [str(v) for v in value]
            if (
                item is int
                and isinstance(value, (list, tuple))
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            ):
                return [int(v) for v in value]
        elif t is bool:
            if isinstance(value, bool):
                return value
        elif t is int:
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        elif t is float:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
        elif t is str:
            if isinstance(value, str):
                return value
    want = " or ".join(getattr(t, "__name__", str(t)) for t in allowed)
    raise ConfigError(f"config key '{name}' must be {want}, got {type(value).__name__} {value!r}")


def from_dict(d: dict[str, Any], base: TrainConfig | None = None) -> TrainConfig:
    """Build a config from a plain dict, refusing unknown keys and wrong types."""
    if not isinstance(d, dict):
        raise ConfigError(f"a config must be a JSON/TOML object, got {type(d).__name__}")
    hints = _field_types()
    unknown = sorted(set(d) - set(hints))
    if unknown:
        raise ConfigError(f"unknown config key(s): {', '.join(unknown)} (valid: {', '.join(hints)})")
    values = {k: _check_type(k, v, hints[k]) for k, v in d.items()}
    cfg = dataclasses.replace(base or TrainConfig(), **values)
    validate(cfg)
    return cfg


def load_file(path: str | Path) -> dict[str, Any]:
    """Read a config file (JSON, e.g. a run's config.json, or TOML) into a dict."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError, RecursionError) as e:  # RecursionError: a nesting bomb
        raise ConfigError(
            f"config file {path} is not valid {'TOML' if path.suffix.lower() == '.toml' else 'JSON'}: {e}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold an object of settings")
    if "ganstudio_version" in data:  # written by ganstudio (to_dict): its notes on the weights are no settings
        data = {k: v for k, v in data.items() if k not in ABOUT_KEYS}
    return data


_AT_LEAST_ONE = (
    "image_size z_dim batch_size steps d_steps log_every sample_every checkpoint_every keep_checkpoints n_samples"
    " width eval_n"
).split()


def validate(cfg: TrainConfig) -> None:
    def bad(msg: str) -> None:
        raise ConfigError(msg)

    if cfg.loss is not None and cfg.loss not in LOSSES:
        bad(f"unknown loss '{cfg.loss}' (choose from {', '.join(LOSSES)})")
    if cfg.model is not None and cfg.model not in MODELS:
        bad(f"unknown model '{cfg.model}' (choose from {', '.join(MODELS)})")
    if cfg.device not in DEVICES:
        bad(f"unknown device '{cfg.device}' (choose from {', '.join(DEVICES)})")
    if cfg.channels not in (None, 1, 3):
        bad(f"channels must be 1 or 3, got {cfg.channels}")
    for name in _AT_LEAST_ONE:
        v = getattr(cfg, name)
        if v is not None and v < 1:
            bad(f"{name.replace('_', '-')} must be at least 1, got {v}")
    if cfg.n_classes is not None and cfg.n_classes < 0:
        bad(f"n_classes must be 0 or more, got {cfg.n_classes}")
    for name in ("lr_g", "lr_d", "gp_weight"):
        v = getattr(cfg, name)
        if v is not None and not (v > 0 and v < float("inf")):
            bad(f"{name.replace('_', '-')} must be a positive number, got {v}")
    try:
        augment.parse_policy(cfg.augment)
    except ValueError as e:
        bad(str(e))
    if cfg.eval_every is not None and cfg.eval_every < 0:
        bad(f"eval-every must be 0 (never) or more, got {cfg.eval_every}")
    if cfg.ema is not None and not 0 <= cfg.ema < 1:
        bad(f"ema must be in [0, 1), got {cfg.ema}")
    if any(b is not None and not 0 <= b < 1 for b in (cfg.beta1, cfg.beta2)):
        bad("Adam betas must be in [0, 1)")
    if cfg.time_limit is not None and not cfg.time_limit > 0:
        bad(f"time-limit must be positive, got {cfg.time_limit}")
    if cfg.seed < 0:
        bad(f"seed must be non-negative, got {cfg.seed}")
    if cfg.holdout is not None and not 0 <= cfg.holdout <= 0.5:  # (NaN fails too)
        bad(f"holdout must be between 0 and 0.5, got {cfg.holdout}")


def defaults_for(dataset_name: str, kind: str, device: str = "cpu") -> dict[str, Any]:
    """The default settings for a dataset (by name, else by kind: '2d' or 'image') on a
    device type ('cpu', 'cuda', 'mps'; built-in sets keep theirs on every device)."""
    if dataset_name in DATASET_DEFAULTS:
        return dict(DATASET_DEFAULTS[dataset_name])
    d = dict(DATASET_DEFAULTS[kind])
    if kind == "image":
        d.update(DEVICE_DEFAULTS["cpu" if device == "cpu" else "gpu"])
    return d


def resolve(
    cfg: TrainConfig,
    kind: str,
    channels: int | None = None,
    n_labels: int = 0,
    device: str = "cpu",
    class_names: list[str] | tuple[str, ...] | None = None,
) -> TrainConfig:
    """Fill every ``None`` field from the dataset's defaults. ``kind`` is '2d' or 'image';
    ``n_labels`` is the number of classes the data's labels name (0: unlabelled) and
    ``class_names`` their names; ``device`` the device type training runs on."""
    d = defaults_for(cfg.dataset, kind, device)
    model = cfg.model or d["model"]
    if kind == "image" and model == "mlp":
        d.update(MLP_IMAGE_HIDDEN)
    if kind == "2d" and model != "mlp":
        raise ConfigError(f"model '{model}' needs image data; 2D point sets use 'mlp'")
    out = dataclasses.replace(cfg, model=model)
    for f in fields(TrainConfig):
        if getattr(out, f.name) is None and f.name in d:
            out = dataclasses.replace(out, **{f.name: d[f.name]})
    if cfg.conditional is None and (n_labels < 2 or model != "dcgan"):
        out = dataclasses.replace(out, conditional=False)  # a default that cannot apply
    if out.conditional:
        if kind != "image" or model != "dcgan":
            raise ConfigError("conditional training needs image data and model dcgan")
        if n_labels < 2:
            raise ConfigError(
                f"conditional training needs labelled data; {cfg.dataset} has no labels (train without --conditional)"
            )
        if cfg.n_classes not in (None, n_labels):
            raise ConfigError(f"the config is for {cfg.n_classes} classes; {cfg.dataset} has {n_labels}")
    out = dataclasses.replace(out, n_classes=n_labels if out.conditional else 0, holdout=out.holdout or 0.0)
    if (
        cfg.width is None
        and device == "cpu"
        and kind == "image"
        and cfg.dataset not in DATASET_DEFAULTS
        and out.image_size in CPU_WIDTH_BY_SIZE
    ):
        out = dataclasses.replace(out, width=CPU_WIDTH_BY_SIZE[out.image_size])
    if cfg.z_dim is None and out.conditional and "z_dim" not in DATASET_DEFAULTS.get(cfg.dataset, {}):
        out = dataclasses.replace(out, z_dim=out.z_dim + 1)  # z[0] picks the class; the rest stay free
    if out.class_names is None and n_labels >= 2:
        names = list(class_names) if class_names is not None and len(class_names) == n_labels else None
        out = dataclasses.replace(out, class_names=names or [str(k) for k in range(n_labels)])
    if kind == "image" and out.channels is None:
        out = dataclasses.replace(out, channels=channels or 1)
    if kind == "2d":
        if augment.parse_policy(out.augment):
            raise ConfigError("augmentation is for images; 2D point sets train without it (use --augment '')")
        out = dataclasses.replace(out, image_size=None, channels=None)
    validate(out)
    return out
