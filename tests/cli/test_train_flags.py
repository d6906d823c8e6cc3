"""`train`'s config flags are generated from TrainConfig's field metadata: a new field is one
declaration, and the help says what decides each default."""

import argparse
import dataclasses

import pytest

from ganstudio.cli import build_parser
from ganstudio.cli.train import flag_fields, train_config
from ganstudio.config import TrainConfig, cli, cli_flag


def train_help(capsys, config=None) -> str:
    with pytest.raises(SystemExit):
        build_parser(config).parse_args(["train", "--help"])
    return " ".join(capsys.readouterr().out.split())  # argparse wraps lines: compare words


def test_one_declaration_adds_a_flag_and_its_help(capsys):
    @dataclasses.dataclass
    class Extended(TrainConfig):
        gp_weight: float = dataclasses.field(
            default=10.0, metadata=cli("gradient-penalty weight for wgan-gp", metavar="W")
        )
        warmup: int | None = dataclasses.field(default=None, metadata=cli("steps of LR warm-up", metavar="N"))
        mirror: bool = dataclasses.field(default=False, metadata=cli("flip images left-right", name="--flip"))

    text = train_help(capsys, Extended)
    assert "--gp-weight W gradient-penalty weight for wgan-gp; default: 10.0" in text
    assert "--warmup N steps of LR warm-up; default: chosen from the data" in text
    assert "--flip, --no-flip flip images left-right; default: off" in text
    args = build_parser(Extended).parse_args(["train", "--gp-weight", "2.5", "--warmup", "7", "--flip"])
    assert (args.gp_weight, args.warmup, args.mirror) == (2.5, 7, True)
    assert "--gp-weight" not in train_help(capsys)  # TrainConfig's own gp_weight has no flag


def test_every_flag_of_a_field_reaches_the_config():
    flags = {f.name for f in flag_fields()}
    assert {"dataset", "beta1", "spectral_norm", "conditional", "tensorboard", "time_limit", "eval_n"} <= flags
    assert not {"g_hidden", "n_classes", "class_names", "gp_weight", "n_samples"} & flags
    args = build_parser().parse_args(
        ["train", "--dataset", "digits", "--beta1", "0.3", "--no-spectral-norm", "--time-limit", "9", "--channels", "3"]
    )
    cfg = train_config(args)
    assert (cfg.dataset, cfg.beta1, cfg.spectral_norm, cfg.time_limit, cfg.channels) == ("digits", 0.3, False, 9.0, 3)
    assert cfg.conditional is None and cfg.tensorboard is False  # a flag not given leaves the field to the data


def test_the_help_tells_the_truth_about_data_defaults(capsys):
    text = train_help(capsys)
    assert "on for digits" not in text and "0 for image data" not in text  # digits/shapes get 0.5: resolve decides
    for flag in ("--beta1 B", "--beta2 B", "--lr-g X", "--batch-size B", "--z-dim Z"):
        assert f"{flag} " in text and text.split(f"{flag} ")[1].split(" --")[0].endswith(
            "default: chosen from the data"
        )
    assert "--conditional, --no-conditional" in text and "--spectral-norm, --no-spectral-norm" in text
    assert "--seed S seeds weights, data order, latent noise and the fixed sample noise; default: 0" in text
    for f in flag_fields():  # every generated flag carries its field's help
        assert cli_flag(f).help in text


def test_a_field_without_a_scalar_type_needs_one(capsys):
    @dataclasses.dataclass
    class Widths(TrainConfig):
        widths: list[int] | None = dataclasses.field(default=None, metadata=cli("layer widths"))

    with pytest.raises(TypeError, match="Widths.widths"):
        build_parser(Widths)
    assert isinstance(build_parser(), argparse.ArgumentParser)
