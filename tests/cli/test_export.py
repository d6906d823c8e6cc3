"""`ganstudio export`: each format round-trips to the checkpoint's outputs (within 1e-5), the
folder loads with ganstudio.load_generator and carries its model card, and an untrusted
checkpoint is refused with the usual one-line error (exit 1, no traceback)."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganstudio
from ganstudio.cli import main
from ganstudio.io import model_export

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "robustness"))
import faultkit as fk  # noqa: E402

TOL = 1e-5


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory, train_run):
    return train_run(tmp_path_factory.mktemp("export") / "digits", dataset="digits", width=8)  # conditional


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory, train_run):
    # 2D evaluations need no feature net: cheap, real evals.jsonl rows for the model card
    return train_run(tmp_path_factory.mktemp("export") / "ring8", dataset="ring8", steps=6, eval_every=3, eval_n=500)


def export(capsys, run, fmt, out, *extra) -> tuple[int, str]:
    rc = main(["export", "--run", str(run), "--format", fmt, "--out", str(out), *extra])
    return rc, capsys.readouterr().err


def test_onnx_round_trip(digits_run, ring_run, tmp_path, capsys):
    if importlib.util.find_spec("onnx") is None:
        pytest.skip("onnx is not installed (pip install 'ganstudio[onnx]'): ONNX export cannot run")
    for run in (digits_run, ring_run):
        out = tmp_path / f"{run.name}.onnx"
        rc, err = export(capsys, run, "onnx", out)
        assert rc == 0, err
        g = ganstudio.load_generator(run)
        if importlib.util.find_spec("onnxruntime") is None:
            assert "onnxruntime is not installed" in err
            pytest.skip(
                "onnxruntime is not installed (pip install 'ganstudio[onnx]'): the .onnx file was "
                "written but cannot be run to compare it with PyTorch"
            )
        assert "max abs difference from PyTorch on 8 latents" in err
        for n in (1, 5, 37):  # the batch axis is dynamic (traced with 2)
            z = g.latents(n, seed=n)
            got = model_export.run_onnx(out, z)
            assert got.shape == (n, *g.image_shape)
            assert np.abs(got - g.decode(z)).max() < TOL
        if g.classes:  # the class comes from z[0]: z alone picks it
            z = g.latents(4, seed=0, cls="3")
            assert np.abs(model_export.run_onnx(out, z) - g.sample(4, seed=0, cls=3)).max() < TOL


@pytest.mark.filterwarnings(
    "ignore:.*torch.jit.load.*:DeprecationWarning"
)  # TorchScript is deprecated in torch 2.13; it still loads
def test_torchscript_round_trip_with_plain_pytorch(digits_run, ring_run, tmp_path, capsys):
    for run in (digits_run, ring_run):
        out = tmp_path / f"{run.name}.pt"
        rc, err = export(capsys, run, "torchscript", out)
        assert rc == 0, err
        assert "max abs difference from PyTorch on 8 latents: 0" in err
        g = ganstudio.load_generator(run)
        m = torch.jit.load(str(out))
        for n in (1, 7):
            z = g.latents(n, seed=n, cls=1 if g.classes else None)
            with torch.no_grad():
                assert np.abs(m(torch.from_numpy(z)).numpy() - g.decode(z)).max() < TOL
    # plain PyTorch, no ganstudio module imported
    code = (
        f"import sys, torch; m = torch.jit.load({str(tmp_path / 'digits.pt')!r}); "
        "x = m(torch.randn(3, 9)); assert x.shape == (3, 1, 16, 16), x.shape; "
        "assert not [k for k in sys.modules if k.startswith('ganstudio')]"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_folder_round_trip_and_model_card(digits_run, ring_run, tmp_path, capsys):
    out = tmp_path / "digits-gan"
    rc, err = export(capsys, digits_run, "folder", out)
    assert rc == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(model_export.FOLDER_FILES)
    g, f = ganstudio.load_generator(digits_run), ganstudio.load_generator(out)
    assert (f.z_dim, f.image_shape, f.classes, f.step, f.ema) == (g.z_dim, g.image_shape, g.classes, g.step, True)
    assert np.abs(f.sample(9, seed=2) - g.sample(9, seed=2)).max() < TOL
    assert np.abs(f.sample(4, seed=0, cls="7") - g.sample(4, seed=0, cls=7)).max() < TOL
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["dataset"] == "digits" and cfg["sample_shape"] == [1, 16, 16] and cfg["kind"] == "image"
    assert cfg["step"] == 4 and cfg["class_names"] == [str(k) for k in range(10)] and cfg["ema_weights"] is True
    from safetensors.torch import load_file

    state = load_file(out / "model.safetensors")  # G's plain state_dict: loads into the module as is
    g.module.load_state_dict(state)
    assert not [k for k in state if "/" in k]
    card = (out / "README.md").read_text()
    assert "`digits`" in card and "4 training steps" in card and 'load_generator("digits-gan")' in card
    assert "No quality evaluations" in card
    assert Image.open(out / "samples.png").size[0] > 16
    # the CLI reads the folder too
    assert main(["sample", "--run", str(out), "--n", "3", "--seed", "5", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.abs(np.load(tmp_path / "s.npy") - g.sample(3, seed=5)).max() < TOL

    # again into the same folder: fine; the raw generator on request
    rc, err = export(capsys, digits_run, "folder", out, "--no-ema")
    assert rc == 0, err
    raw = ganstudio.load_generator(out)
    assert not raw.ema and np.abs(raw.sample(3) - ganstudio.load_generator(digits_run, ema=False).sample(3)).max() < TOL
    # a folder holding other things is refused
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("%")
    rc, err = export(capsys, digits_run, "folder", tmp_path / "busy")
    assert rc == 1 and "ganstudio: error:" in err and "thesis.tex" in err

    # a 2D run with evaluations: its metrics go into the card; samples are points
    out2 = tmp_path / "ring-gan"
    rc, err = export(capsys, ring_run, "folder", out2)
    assert rc == 0, err
    card = (out2 / "README.md").read_text()
    evals = [json.loads(x) for x in (ring_run / "evals.jsonl").read_text().splitlines()]
    assert len(evals) == 2 and "| last | 6 |" in card and " js |" in card
    assert f"{evals[-1]['js']:.4g}" in card
    assert ganstudio.load_generator(out2).sample(5).shape == (5, 2)


def test_refusals_are_one_line_errors(digits_run, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    good = digits_run / "checkpoints" / "step_0000004.safetensors"
    marker = tmp_path / "pwned"
    files = fk.hostile_checkpoints(tmp_path / "files", good, marker)
    for name in ("pickle", "torch-save-zip", "truncated-half", "nan-weights", "wrong-shapes", "config-huge-model"):
        for fmt in ("torchscript", "folder", "onnx"):
            rc, err = export(capsys, digits_run, fmt, tmp_path / f"out-{name}-{fmt}", "--checkpoint", str(files[name]))
            if fmt == "onnx" and not model_export.onnx_available():
                assert rc == 1 and "pip install 'ganstudio[onnx]'" in err
                continue
            assert rc == 1, (name, fmt)
            assert err.startswith("ganstudio: error:") and str(files[name]) in err and "Traceback" not in err
            assert len(err.strip().splitlines()) == 1
            assert not (tmp_path / f"out-{name}-{fmt}").exists()
    assert not marker.exists()
    rc, err = export(capsys, tmp_path / "no-run", "torchscript", tmp_path / "x.pt")
    assert rc == 1 and "does not exist" in err
    assert main(["export", "--run", str(digits_run), "--format", "onnx"]) == 1
    assert "needs --out" in capsys.readouterr().err
    rc, err = export(capsys, digits_run, "torchscript", tmp_path / "b.pt", "--checkpoint", "best")
    assert rc == 1 and "no best checkpoint" in err


def test_missing_onnx_names_the_extra(digits_run, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(model_export, "onnx_available", lambda: False)
    rc, err = export(capsys, digits_run, "onnx", tmp_path / "g.onnx")
    assert rc == 1 and err.strip() == "ganstudio: error: " + model_export.ONNX_EXTRA


def test_export_subprocess_prints_the_check(digits_run, tmp_path):
    """As a user runs it: one line saying what was written and how it was checked."""
    out = tmp_path / "g.pt"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ganstudio",
            "export",
            "--run",
            str(digits_run),
            "--format",
            "torchscript",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith(f"wrote {out} (") and "step 4, EMA" in r.stderr and "Warning" not in r.stderr


def test_without_onnxruntime_the_file_is_written_unchecked(digits_run, tmp_path, capsys, monkeypatch):
    if not model_export.onnx_available():
        pytest.skip("onnx is not installed (pip install 'ganstudio[onnx]'): ONNX export cannot run")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if it were not installed
    rc, err = export(capsys, digits_run, "onnx", tmp_path / "g.onnx")
    assert rc == 0 and (tmp_path / "g.onnx").stat().st_size > 1000
    assert len(err.strip().splitlines()) == 1
    assert "onnxruntime is not installed" in err and "pip install 'ganstudio[onnx]'" in err


def test_the_exported_config_trains_again_and_the_card_names_no_local_path(digits_run, tmp_path, capsys, train_run):
    out = tmp_path / "digits-gan"
    rc, err = export(capsys, digits_run, "folder", out)
    assert rc == 0, err
    exported = json.loads((out / "config.json").read_text())
    rd = tmp_path / "again"
    assert main(["train", "--config", str(out / "config.json"), "--steps", "2", "--run-dir", str(rd)]) == 0, (
        capsys.readouterr().err
    )
    again = json.loads((rd / "config.json").read_text())
    assert again["steps"] == 2 and {k: again[k] for k in again if k != "steps"} == {
        k: exported[k] for k in again if k != "steps"
    }
    # one's own data: the card names the folder, not where it lives on this machine
    imgs = tmp_path / "private" / "cats"
    imgs.mkdir(parents=True)
    for i in range(4):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(imgs / f"{i}.png")
    run = train_run(tmp_path / "cats-run", dataset=f"folder:{imgs}", steps=2, width=8)
    rc, err = export(capsys, run, "folder", tmp_path / "cats-gan")
    assert rc == 0, err
    card = (tmp_path / "cats-gan" / "README.md").read_text()
    assert "`folder:cats`" in card and str(imgs) not in card
