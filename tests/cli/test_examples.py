"""The scripts in examples/ run as a user runs them, on a tiny trained run (this is how CI runs them)."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ganstudio
from ganstudio.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def in_process(monkeypatch, name, *args):
    """The same script run in this process (no second torch import: seconds saved)."""
    monkeypatch.setattr(sys, "argv", [name, *map(str, args)])
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")


def script(name, *args):
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        env=os.environ.copy(),
    )


def test_examples_run(tmp_path, monkeypatch, capsys):
    run = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--dataset",
                "digits",
                "--steps",
                "4",
                "--width",
                "8",
                "--batch-size",
                "16",
                "--eval-every",
                "0",
                "--run-dir",
                str(run),
            ]
        )
        == 0
    )

    r = script("sample_grid.py", run, tmp_path / "grid.png", "--n", "16", "--columns", "4", "--class", "3")
    assert r.returncode == 0, r.stderr
    grid = np.asarray(Image.open(tmp_path / "grid.png"))
    assert grid.shape == (4 * 18 + 2, 4 * 18 + 2)  # 4x4 16 px digits, 2 px apart
    first = np.round((ganstudio.load_generator(run).sample(16, seed=0, cls=3)[0, 0] + 1) * 127.5)
    assert np.array_equal(grid[2:18, 2:18], first.astype(np.uint8))

    assert main(["directions", "--run", str(run), "--n", "64", "--k", "2", "--out", str(tmp_path / "dirs.json")]) == 0
    r = script("walk_direction.py", run, tmp_path / "dirs.json", tmp_path / "walk.gif", "--frames", "5", "--index", "1")
    assert r.returncode == 0, r.stderr
    gif = Image.open(tmp_path / "walk.gif")
    assert gif.n_frames == 5 and gif.size == (64, 64)
    in_process(
        monkeypatch,
        "walk_direction.py",
        run,
        tmp_path / "dirs.json",
        tmp_path / "walk.png",
        "--frames",
        "7",
        "--scale",
        "1",
    )
    assert Image.open(tmp_path / "walk.png").size == (7 * 16, 16)
    with pytest.raises(SystemExit, match="--index must be 0..1"):
        in_process(monkeypatch, "walk_direction.py", run, tmp_path / "dirs.json", tmp_path / "bad.png", "--index", "5")
