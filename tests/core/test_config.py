import dataclasses
import json

import pytest

from ganstudio.config import TrainConfig, from_dict, load_file, resolve, to_dict
from ganstudio.errors import ConfigError


def test_round_trip_and_resolve():
    cfg = resolve(TrainConfig(dataset="ring8"), "2d")
    assert cfg.model == "mlp" and cfg.z_dim == 2 and cfg.ema == 0.99 and cfg.image_size is None
    assert from_dict(json.loads(json.dumps(dataclasses.asdict(cfg)))) == cfg


def test_digits_defaults():
    cfg = resolve(TrainConfig(dataset="digits"), "image", 1)
    assert cfg.model == "dcgan" and cfg.image_size == 16 and cfg.channels == 1


@pytest.mark.parametrize(
    "bad, msg",
    [
        ({"lr_g": "fast"}, "lr_g"),
        ({"steps": 1.5}, "steps"),
        ({"spectral_norm": 1}, "spectral_norm"),
        ({"stepz": 10}, "unknown config key"),
        ({"loss": "bce"}, "unknown loss"),
        ({"batch_size": 0}, "batch-size"),
        ({"ema": 1.5}, "ema"),
        ({"g_hidden": ["a"]}, "g_hidden"),
    ],
)
def test_bad_values_are_refused(bad, msg):
    with pytest.raises(ConfigError, match=msg):
        from_dict(bad)


def test_toml_and_json_files(tmp_path):
    (tmp_path / "c.toml").write_text('dataset = "grid25"\nsteps = 7\nlr_g = 0.001\n')
    assert from_dict(load_file(tmp_path / "c.toml")).steps == 7
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_file(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="object"):
        load_file(tmp_path / "list.json")
    with pytest.raises(ConfigError, match="cannot read"):
        load_file(tmp_path / "missing.json")


def test_2d_data_refuses_dcgan():
    with pytest.raises(ConfigError, match="2D point sets use 'mlp'"):
        resolve(TrainConfig(dataset="ring8", model="dcgan"), "2d")


def test_the_written_config_reads_back_and_its_notes_are_no_settings(tmp_path):
    cfg = resolve(TrainConfig(dataset="ring8"), "2d")
    about = dict(sample_shape=[2], kind="2d", step=5, ema_weights=True, ganstudio_version="0")
    (tmp_path / "c.json").write_text(json.dumps(to_dict(cfg, **about)))  # as an exported folder's config.json
    assert from_dict(load_file(tmp_path / "c.json")) == cfg
    (tmp_path / "typo.toml").write_text('dataset = "ring8"\nstep = 5\n')  # a user's file: 'step' is a typo
    with pytest.raises(ConfigError, match="unknown config key"):
        from_dict(load_file(tmp_path / "typo.toml"))
    with pytest.raises(ValueError, match="steps"):
        to_dict(cfg, steps=3)
