"""ganstudio/synth.py: labelled sets from real (tiny) runs, their writers, bad output paths,
a full disk; data/split.py: the held-out share."""

import errno
import json

import numpy as np
import pytest
import torch

from ganstudio.data import load_dataset
from ganstudio.data.split import held_out, held_out_mask, training_part
from ganstudio.errors import GanstudioError
from ganstudio.generator import find_checkpoint, load_generator
from ganstudio.synth import generate_set, parse_filter, to_uint8
from ganstudio.synth_files import export_set, write_set


@pytest.fixture(scope="module")
def cond_snap(tmp_path_factory, train_run):
    run = train_run(tmp_path_factory.mktemp("cond") / "run", dataset="digits", conditional=True, holdout=0.2)
    return load_generator(find_checkpoint(run))


@pytest.fixture(scope="module")
def uncond_snap(tmp_path_factory, train_run):
    run = train_run(tmp_path_factory.mktemp("uncond") / "run", dataset="digits", conditional=False)
    return load_generator(find_checkpoint(run))


@pytest.fixture(scope="module")
def digits_net():
    from ganstudio.metrics.features import get_features

    ds = training_part(load_dataset("digits"), 0.2)
    return get_features(ds.data, ds.labels, seed=0, log=lambda m: None, budget_s=20)


class Copier(torch.nn.Module):
    """A conditional "generator" that returns training images: z[0] picks the class as a real
    conditional G's does (models/dcgan.py), z[1] which of its images."""

    def __init__(self, data, labels, shown=None):
        from ganstudio.models.dcgan import DCGANGenerator, _edges

        super().__init__()
        self.n_classes = int(labels.max()) + 1
        self.shown = list(range(self.n_classes)) if shown is None else shown  # asked for k, draws shown[k]
        self.register_buffer("class_edges", _edges(torch.full((self.n_classes,), 1.0 / self.n_classes)))
        self.by_class = [torch.from_numpy(data[labels == k]) for k in range(self.n_classes)]
        self.labels = DCGANGenerator.labels.__get__(self)
        self.class_centres = DCGANGenerator.class_centres.__get__(self)

    def forward(self, z, mix=None):
        k = self.labels(z)
        u = torch.special.ndtr(z[:, 1])
        by = [self.by_class[self.shown[c]] for c in k.tolist()]
        return torch.stack([b[int(v * (len(b) - 1))] for b, v in zip(by, u)])


def copier_snapshot(snap, data, labels, shown=None):
    from ganstudio.generator import GeneratorSnapshot

    return GeneratorSnapshot(Copier(data, labels, shown).eval(), dict(snap.meta), ema=False)


def files_of(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_conditional_set_is_balanced_and_its_z_redraws_each_image(cond_snap):
    s = generate_set(cond_snap, per_class=3, seed=5)
    assert s.x.shape == (30, 1, 16, 16) and s.x.dtype == np.uint8
    assert np.array_equal(s.y, np.repeat(np.arange(10), 3))
    assert s.class_names == [str(k) for k in range(10)]
    with torch.no_grad():
        again = to_uint8(cond_snap.G(torch.from_numpy(s.z)))
    assert np.array_equal(again, s.x)  # manifest's promise: G(z) draws item i
    assert np.array_equal(cond_snap.G.labels(torch.from_numpy(s.z)).numpy(), s.y)
    n = generate_set(cond_snap, n=23, seed=5)
    assert np.bincount(n.y).tolist() == [3, 3, 3] + [2] * 7


def test_the_filter_keeps_only_confident_images(cond_snap, digits_net):
    ds = training_part(load_dataset("digits"), 0.2)
    copier = copier_snapshot(cond_snap, ds.data, ds.labels)
    _, p_all = digits_net.embed(ds.data)
    p_own = p_all[np.arange(len(ds.data)), ds.labels]
    cut = float(np.quantile(p_own, 0.1))  # a line some real images of each class miss
    s = generate_set(copier, per_class=5, filter_p=cut, features=digits_net)
    _, p = digits_net.embed(s.x.astype(np.float32) / 127.5 - 1)
    assert np.array_equal(s.y, np.repeat(np.arange(10), 5))
    assert (p[np.arange(len(s)), s.y] >= cut - 1e-3).all()  # (uint8 rounding moves p a little)
    assert s.info["filter"] == f"confident:{cut:g}"
    # The 4-step G draws noise: no image of some class is that sure, and the message says what to do.
    with pytest.raises(GanstudioError, match="lower P"):
        generate_set(cond_snap, per_class=2, filter_p=0.99, features=digits_net)


class Oracle:
    """A classifier that knows the class of every training image (the copier draws only those)."""

    def __init__(self, data, labels):
        from types import SimpleNamespace

        self.net = SimpleNamespace(n_classes=int(labels.max()) + 1)
        self.label = {np.asarray(x, np.float32).tobytes(): int(y) for x, y in zip(data, labels)}

    def embed(self, x):
        y = [self.label[np.asarray(img, np.float32).tobytes()] for img in np.asarray(x)]
        return None, np.eye(self.net.n_classes, dtype=np.float32)[y]


def test_labels_by_the_classifier_name_what_a_conditional_g_drew(cond_snap):
    ds = training_part(load_dataset("digits"), 0.2)
    oracle = Oracle(ds.data, ds.labels)
    # a G that draws a 1 when asked for a 0, a 2 for a 1, ...: the classifier's labels put each right
    shifted = copier_snapshot(cond_snap, ds.data, ds.labels, shown=[(k + 1) % 10 for k in range(10)])
    s = generate_set(shifted, per_class=4, features=oracle, label_by="features", seed=3)
    assert np.array_equal(s.y, np.repeat(np.arange(10), 4)) and s.info["labels"] == "feature net"
    with torch.no_grad():
        asked = shifted.G.labels(torch.from_numpy(s.z)).numpy()
    assert np.array_equal((asked + 1) % 10, s.y)  # the class each image shows, not the one asked for
    assert s.info["relabelled"] == 40
    assert generate_set(shifted, per_class=4, features=oracle, label_by="features", seed=3).info == s.info
    kept = generate_set(shifted, per_class=4, features=oracle, label_by="generator", seed=3)
    assert kept.info["labels"] == "generator's classes" and "relabelled" not in kept.info
    # a G that never draws a 3: refused in one line that says what to do
    no_three = copier_snapshot(cond_snap, ds.data, ds.labels, shown=[4 if k == 3 else k for k in range(10)])
    with pytest.raises(GanstudioError, match="drawn as class '3'.*only 0 of the 2 needed.*--label-by generator"):
        generate_set(no_three, per_class=2, features=oracle, label_by="features")
    with pytest.raises(GanstudioError, match="--label-by nonsense"):
        generate_set(shifted, n=3, label_by="nonsense")


def test_hard_balance_gives_more_images_to_the_classes_the_classifier_confuses(cond_snap):
    from types import SimpleNamespace

    from ganstudio.synth import class_weights, split_counts

    ds = training_part(load_dataset("digits"), 0.2)
    confused = ds.labels.copy()
    threes = np.flatnonzero(ds.labels == 3)
    confused[threes[::2]] = 5  # a classifier that calls every other real 3 a 5, and gets the rest right
    confuser = Oracle(ds.data, confused)
    shares = class_weights(confuser, ds.data, ds.labels)
    assert shares[3] == pytest.approx(5 / 14, abs=1e-9)  # capped at 5x an easy class's share
    assert np.allclose(np.delete(shares, 3), 1 / 14)
    assert split_counts(70, shares).tolist() == [5, 5, 5, 25, 5, 5, 5, 5, 5, 5]
    assert split_counts(7, np.full(3, 1 / 3)).tolist() == [3, 2, 2]  # remainders in class order
    copier = copier_snapshot(cond_snap, ds.data, ds.labels)
    real = SimpleNamespace(data=ds.data, labels=ds.labels)
    s = generate_set(copier, per_class=7, features=confuser, label_by="generator", balance="hard", real=real)
    assert np.bincount(s.y).tolist() == [5, 5, 5, 25, 5, 5, 5, 5, 5, 5] and s.info["balance"] == "hard"
    assert s.info["class_shares"][3] == round(5 / 14, 4)
    # the classifier confuses nothing (every error under ERR_FLOOR): the same count each
    assert np.allclose(class_weights(Oracle(ds.data, ds.labels), ds.data, ds.labels), 0.1)
    with pytest.raises(GanstudioError, match="--balance hard needs the run's labelled real images"):
        generate_set(copier, per_class=7, features=confuser, balance="hard")
    with pytest.raises(GanstudioError, match="--balance most"):
        generate_set(copier, per_class=7, balance="most")


def test_unconditional_runs_need_labels_for_classes(uncond_snap, digits_net):
    with pytest.raises(GanstudioError, match="--per-class needs labels.*--label-by features"):
        generate_set(uncond_snap, per_class=3)
    with pytest.raises(GanstudioError, match="unconditional: it has no classes"):
        generate_set(uncond_snap, n=3, label_by="generator")
    plain = generate_set(uncond_snap, n=7)
    assert plain.y is None and len(plain) == 7 and plain.info["labels"] == "none"
    labelled = generate_set(uncond_snap, n=40, label_by="features", features=digits_net)
    assert labelled.info["labels"] == "feature net" and len(labelled.y) == 40
    _, p = digits_net.embed(labelled.x.astype(np.float32) / 127.5 - 1)
    assert (np.diff(labelled.y) >= 0).all()  # class-major, as a conditional set
    assert (p.argmax(1) == labelled.y).mean() > 0.9  # labels are the net's (uint8 rounding aside)


@pytest.mark.parametrize("fmt", ["folder", "npz", "idx"])
def test_each_format_loads_back_with_its_classes_and_the_same_bytes_twice(cond_snap, tmp_path, fmt):
    s = generate_set(cond_snap, per_class=2, seed=1)
    a, b = tmp_path / "a", tmp_path / "b"
    write_set(s, a, fmt, {"run": "r", "step": 4})
    write_set(generate_set(cond_snap, per_class=2, seed=1), b, fmt, {"run": "r", "step": 4})
    assert files_of(a) == files_of(b)
    m = json.loads((a / "manifest.json").read_text())
    assert m["count"] == 20 and m["format"] == fmt and len(m["items"]) == 20 and m["seed"] == 1
    assert np.array_equal(np.load(a / "latents.npy"), s.z)
    spec = {"folder": f"folder:{a}", "npz": f"npz:{a / 'data.npz'}", "idx": f"idx:{a / 'train-images-idx3-ubyte'}"}
    ds = load_dataset(spec[fmt], image_size=16)
    assert len(ds.data) == 20 and ds.n_classes == 10
    if fmt == "folder":
        assert sorted(ds.class_names) == sorted(s.class_names)
        assert m["items"][0][0].startswith("0/")
    else:
        assert np.array_equal(ds.labels, s.y)
        assert np.array_equal(np.round((ds.data + 1) * 127.5).astype(np.uint8), s.x)


def test_an_existing_output_is_refused_unless_forced(cond_snap, tmp_path):
    s = generate_set(cond_snap, per_class=1)
    out = tmp_path / "set"
    write_set(s, out, "npz", {})
    with pytest.raises(GanstudioError, match="exists; add --force"):
        write_set(s, out, "npz", {})
    write_set(s, out, "idx", {}, force=True)
    assert (out / "train-images-idx3-ubyte").is_file() and not (out / "data.npz").exists()
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(GanstudioError, match="not a dataset written by ganstudio synth"):
        write_set(s, mine, "npz", {}, force=True)
    assert (mine / "holiday.jpg").exists()


def test_export_writes_a_folder_while_drawing_the_same_bytes_as_after(cond_snap, uncond_snap, tmp_path):
    ds = training_part(load_dataset("digits"), 0.2)
    # a G whose draws the classifier relabels: chunks of every class arrive out of class order
    shifted = copier_snapshot(cond_snap, ds.data, ds.labels, shown=[(k + 1) % 10 for k in range(10)])
    draw = dict(per_class=30, features=Oracle(ds.data, ds.labels), label_by="features", seed=4)
    for snap, kw, name in ((shifted, draw, "cond"), (uncond_snap, dict(n=1500, seed=2), "plain")):
        s, path = export_set(snap, tmp_path / f"{name}-streamed", "folder", {"run": "r"}, **kw)
        write_set(generate_set(snap, **kw), tmp_path / f"{name}-after", "folder", {"run": "r"})
        assert files_of(path) == files_of(tmp_path / f"{name}-after") and len(s) == len(json.loads(
            (path / "manifest.json").read_text())["items"])  # fmt: skip


@pytest.mark.parametrize("streamed", [False, True])
def test_a_full_disk_leaves_no_short_dataset(cond_snap, tmp_path, monkeypatch, streamed):
    import ganstudio.synth_files as synth

    calls = {"n": 0}
    real_write = synth.write_file

    def write_file(path, data):
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(synth, "write_file", write_file)
    out = tmp_path / "set"
    with pytest.raises(GanstudioError, match="No space left on device.*nothing was left behind"):
        if streamed:  # the writer thread meets it while G is still drawing
            export_set(cond_snap, out, "folder", {}, per_class=200)
        else:
            write_set(generate_set(cond_snap, per_class=2), out, "folder", {})
    assert list(tmp_path.iterdir()) == []


def test_filter_flag_parsing():
    assert parse_filter("confident:0.9") == 0.9 and parse_filter("none") is None
    for bad in ("confident:1.5", "sharp:0.5", "confident:x"):
        with pytest.raises(GanstudioError, match="use confident:P"):
            parse_filter(bad)


def test_the_held_out_share_is_chosen_by_file_and_kept_out_of_training(tmp_path, train_run):
    from PIL import Image

    root = tmp_path / "imgs"
    for cls in ("cat", "dog"):
        (root / cls).mkdir(parents=True)
        for i in range(20):
            Image.fromarray(np.full((8, 8), 10 * i + (cls == "dog") * 5, np.uint8)).save(root / cls / f"{i}.png")
    full = load_dataset(f"folder:{root}")
    mask = held_out_mask(full, 0.3)
    assert 0 < mask.sum() < len(mask)
    (root / "cat" / "extra.png").write_bytes((root / "cat" / "0.png").read_bytes())  # another file: same choice
    again = load_dataset(f"folder:{root}")
    again_mask = dict(zip(again.files, held_out_mask(again, 0.3)))
    assert all(again_mask[f] == m for f, m in zip(full.files, mask))
    held, where = held_out(f"folder:{root}", 8, 1, 0.3)
    train = training_part(again, 0.3)
    assert set(held.files).isdisjoint(train.files) and len(held.files) + len(train.files) == len(again.files)
    assert "held out" in where
    run = train_run(tmp_path / "run", dataset=f"folder:{root}", holdout=0.3, steps=2)
    assert json.loads((run / "config.json").read_text())["holdout"] == 0.3
    with pytest.raises(GanstudioError, match="--holdout"):
        held_out(f"folder:{root}", 8, 1, 0.0)


def test_png_bytes_read_back_as_the_same_pixels():
    import io

    from PIL import Image

    from ganstudio.data.imageops import png_bytes

    rng = np.random.default_rng(4)
    grey, rgb = rng.integers(0, 256, (28, 28), dtype=np.uint8), rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)
    for a, mode in ((grey, "L"), (rgb, "RGB")):
        with Image.open(io.BytesIO(png_bytes(a))) as im:
            assert im.mode == mode and np.array_equal(np.asarray(im), a)
