"""Real data at the seeds' scale: labels from IDX, npz and class folders, native sizes, class
names in config and checkpoint, named datasets found on disk, defaults chosen from the data."""

import gzip
import json
import time

import numpy as np
import pytest
import torch
from PIL import Image

from ganstudio.config import TrainConfig
from ganstudio.data import load_dataset, native_size
from ganstudio.errors import DatasetError, GanstudioError
from ganstudio.io.checkpoint import read_metadata
from ganstudio.latent import class_index, sample_z, with_class
from ganstudio.metrics.evaluate import Evaluator
from ganstudio.training import Trainer, choices, prepare


def write_idx(folder, n=60, size=28, classes=3, prefix="train"):
    """An MNIST-format pair: images (gzipped) and their labels, as the real files are named."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    labels = (np.arange(n) % classes).astype(np.uint8)
    images = np.zeros((n, size, size), np.uint8)
    for i, k in enumerate(labels):  # class k lights up the k-th horizontal band
        band = size // classes
        images[i, k * band : (k + 1) * band] = 200 + rng.integers(0, 55)
    head = lambda code, dims: bytes([0, 0, 0x08, len(dims)]) + b"".join(int(d).to_bytes(4, "big") for d in dims)
    with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
        f.write(head(8, images.shape) + images.tobytes())
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(head(8, labels.shape) + labels.tobytes())
    return folder / f"{prefix}-images-idx3-ubyte.gz", labels


def write_class_folder(root, classes=("cats", "dogs"), n=6, size=32):
    for k, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(n):
            Image.new("RGB", (size, size), (200 * (k == 0), 100 + 10 * i, 200 * (k == 1))).save(
                root / name / f"{i}.png"
            )
    return root


def test_native_size_rules():
    assert native_size(28, 28) == 28 and native_size(64, 64) == 64 and native_size(16, 16) == 16
    assert native_size(8, 8) == 16  # too small: the smallest supported size
    assert native_size(375, 500) == 32 and native_size(375, 500, largest=64) == 64  # photos: the device decides
    assert native_size(40, 40) == 32 and native_size(40, 40, largest=64) == 64


def test_idx_trains_at_its_native_size_conditional_on_its_labels(tmp_path):
    path, labels = write_idx(tmp_path / "data")
    asked = TrainConfig(dataset=f"idx:{path}", device="cpu")
    cfg, ds = prepare(asked)
    assert ds.data.shape == (60, 1, 28, 28) and ds.native == (28, 28)
    assert np.array_equal(ds.labels, labels)
    assert cfg.image_size == 28 and cfg.conditional and cfg.n_classes == 3 and cfg.z_dim == 33  # z[0] + 32
    assert cfg.class_names == ["0", "1", "2"] and (cfg.beta1, cfg.beta2) == (0.0, 0.9)
    line = choices(asked, cfg, ds, "cpu")
    assert "28x28 (the data's own size)" in line and "conditional on its 3 labelled classes" in line
    assert "width 32 and batch 64 for the CPU at 28 px" in line and "\n" not in line
    # every choice stays overridable
    cfg2, _ = prepare(
        TrainConfig(dataset=f"idx:{path}", image_size=32, conditional=False, z_dim=7, width=16, beta1=0.5)
    )
    assert (cfg2.image_size, cfg2.conditional, cfg2.n_classes, cfg2.z_dim, cfg2.width) == (32, False, 0, 7, 16)
    assert (cfg2.beta1, cfg2.beta2) == (0.5, 0.9)


@pytest.mark.parametrize("key", ["y", "labels"])
def test_npz_labels_from_either_key(tmp_path, key):
    x = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "d.npz", x=x, **{key: np.arange(20) % 4})
    cfg, ds = prepare(TrainConfig(dataset=f"npz:{tmp_path / 'd.npz'}"))
    assert ds.n_classes == 4 and cfg.conditional and cfg.image_size == 28


def test_class_folders_become_named_classes(tmp_path):
    root = write_class_folder(tmp_path / "pets")
    cfg, ds = prepare(TrainConfig(dataset=f"folder:{root}"))
    assert ds.data.shape == (12, 3, 32, 32) and ds.native == (32, 32)
    assert ds.class_names == ("cats", "dogs") and ds.labels.tolist() == [0] * 6 + [1] * 6
    assert cfg.conditional and cfg.class_names == ["cats", "dogs"] and cfg.image_size == 32
    # images beside the sub-folders: not a class layout, so unlabelled and unconditional
    Image.new("RGB", (32, 32)).save(root / "loose.png")
    cfg, ds = prepare(TrainConfig(dataset=f"folder:{root}"))
    assert ds.labels is None and not cfg.conditional and cfg.class_names is None


def test_a_class_folder_with_no_usable_image_is_dropped_with_a_warning(tmp_path):
    root = write_class_folder(tmp_path / "pets", classes=("a", "b", "c"))
    for f in (root / "b").iterdir():
        f.write_bytes(b"not an image")
    warnings = []
    ds = load_dataset(f"folder:{root}", warn=warnings.append)
    assert ds.class_names == ("a", "c") and sorted(set(ds.labels.tolist())) == [0, 1]
    assert any("class folder(s) b" in w for w in warnings)


def test_width_and_batch_suit_the_device_and_size():
    from ganstudio.config import resolve

    def width(size, device, **kw):
        return resolve(TrainConfig(dataset="folder:x", image_size=size, **kw), "image", 3, device=device)

    assert [width(s, "cpu").width for s in (28, 32, 64)] == [32, 16, 16]  # narrower as a CPU's images grow
    assert (width(64, "cuda").width, width(64, "cuda").batch_size) == (64, 128)
    assert width(32, "cpu", width=48).width == 48  # an explicit width is kept
    assert resolve(TrainConfig(dataset="shapes", image_size=32), "image", 1).width == 32  # built-ins keep theirs


def test_folder_takes_its_most_common_size(tmp_path):
    for i in range(5):
        Image.new("RGB", (64, 64), (i * 40, 0, 0)).save(tmp_path / f"{i}.png")
    Image.new("RGB", (100, 80)).save(tmp_path / "odd.png")
    assert load_dataset(f"folder:{tmp_path}").data.shape[-1] == 64
    cfg, ds = prepare(TrainConfig(dataset=f"folder:{tmp_path}", device="cpu"))
    assert cfg.image_size == 64 and not cfg.conditional


def test_named_dataset_found_in_ganstudio_data(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSTUDIO_DATA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    write_idx(tmp_path / "fashion-mnist", classes=10, n=40)
    ds = load_dataset("fashion-mnist")
    assert ds.data.shape == (40, 1, 28, 28) and ds.class_names[7] == "Sneaker"
    # an idx: path inside a known folder gets the names too
    ds = load_dataset(f"idx:{tmp_path / 'fashion-mnist' / 'train-images-idx3-ubyte.gz'}")
    assert ds.class_names[9] == "Ankle boot"


def test_named_dataset_missing_says_where_and_how(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSTUDIO_DATA", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("ganstudio.data.named._roots", lambda: [tmp_path])
    with pytest.raises(DatasetError) as e:
        load_dataset("mnist")
    msg = str(e.value)
    assert "not found" in msg and str(tmp_path) in msg and "GANSTUDIO_DATA" in msg and "\n" not in msg


def test_class_names_travel_in_config_and_checkpoint(tmp_path):
    root = write_class_folder(tmp_path / "pets", size=16)
    rd = tmp_path / "run"
    tr = Trainer(
        TrainConfig(dataset=f"folder:{root}", steps=4, batch_size=4, width=8, log_every=2, eval_every=0), run_dir=rd
    )
    list(tr.run())
    assert json.loads((rd / "config.json").read_text())["class_names"] == ["cats", "dogs"]
    meta = read_metadata(next((rd / "checkpoints").glob("step_*.safetensors")))
    assert meta["class_names"] == ["cats", "dogs"] and meta["config"]["class_names"] == ["cats", "dogs"]


def test_class_dial_and_names():
    tr = Trainer(TrainConfig(dataset="digits", steps=1, eval_every=0))
    G = tr.G
    freq = torch.tensor([0.05, 0.3, 0.1, 0.05, 0.1, 0.1, 0.1, 0.05, 0.1, 0.05])
    G.set_class_frequencies(freq)
    z = sample_z(6, G.z_dim, 0)
    for k in range(10):
        assert G.labels(with_class(z, G, k)).tolist() == [k] * 6
    assert class_index("7", tr.cfg.class_names, 10) == 7
    assert class_index("sneaker", ["x"] * 7 + ["Sneaker", "y", "z"], 10) == 7
    with pytest.raises(GanstudioError, match="0=0, 1=1"):
        class_index("12", tr.cfg.class_names, 10)
    with pytest.raises(GanstudioError, match="not conditional"):
        class_index("1", None, 0)


def test_feature_net_training_does_not_count_against_the_time_limit(monkeypatch):
    calls = []

    def slow_prepare(self, progress=None):  # stands in for a minute of feature-net training
        time.sleep(1.5)
        calls.append(1)
        self.ready = False  # evaluations stay skipped; this test is about the clock

    monkeypatch.setattr(Evaluator, "prepare", slow_prepare)
    tr = Trainer(TrainConfig(dataset="digits", steps=10**6, time_limit=1.0, eval_every=5, width=8, sample_every=10**6))
    t0 = time.perf_counter()
    list(tr.run())
    assert calls == [1]
    # the 1 s budget started after the 1.5 s of preparation: training got its whole second
    assert tr.step_count > 5 and tr.elapsed() < 1.5 and time.perf_counter() - t0 >= 2.4
