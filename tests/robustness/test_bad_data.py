"""Odd data through the front door (`ganstudio train`): bad files are skipped with a warning that
names each one, bad folders and arrays are refused with one clear line, nothing hangs.

Loader-level unit tests live in tests/core/test_data_files.py; these go end to end.
"""

import os
import re

import pytest

import faultkit as fk
from ganstudio.cli import main

TINY = ["--image-size", "16", "--width", "8", "--batch-size", "4", "--steps", "2", "--log-every", "1"]


def test_odd_folder_trains_on_the_good_images_and_names_each_bad_one(tmp_path, capsys):
    folder, n_good, bad = fk.hostile_folder(tmp_path)
    assert main(["train", "--dataset", f"folder:{folder}", *TINY, "--run-dir", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for name in bad:
        assert re.search(rf"warning: skipping \S*{re.escape(name)}: ", err), (name, err)
    # Mixed L / RGB / RGBA / P / I;16 / LA and sizes from 1x1 to 40x17: all loaded as RGB 16x16.
    assert f"({n_good} x 3x16x16)" in err
    assert (tmp_path / "run" / "checkpoints" / "step_0000002.safetensors").exists()


def test_empty_folder_and_folder_of_one_image(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["train", "--dataset", f"folder:{tmp_path / 'empty'}", *TINY, "--run-dir", str(tmp_path / "a")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ganstudio: error: no image files in") and str(tmp_path / "empty") in err
    fk.png(tmp_path / "one" / "only.png", "RGB", (20, 20))
    assert main(["train", "--dataset", f"folder:{tmp_path / 'one'}", *TINY, "--run-dir", str(tmp_path / "b")]) == 0
    assert "(1 x 3x16x16)" in capsys.readouterr().err


def test_bad_arrays_each_refused_with_one_line_naming_the_file(tmp_path, capsys):
    cases = fk.bad_arrays(tmp_path / "arrays")
    assert len(cases) >= 15
    for spec, path in cases.items():
        assert main(["train", "--dataset", spec, *TINY, "--run-dir", str(tmp_path / path.name)]) == 1, spec
        err = capsys.readouterr().err
        assert err.startswith("ganstudio: error: ") and str(path) in err and err.count("\n") == 1, (spec, err)
        assert not (tmp_path / path.name).exists()  # refused before a run folder was made


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod-000 files; covered for root by the other cases")
def test_unreadable_image_and_subfolder_skipped(tmp_path, capsys):
    fk.png(tmp_path / "d" / "ok.png", "L", (8, 8))
    locked = fk.png(tmp_path / "d" / "locked.png", "L", (8, 8))
    fk.png(tmp_path / "d" / "sub" / "hidden.png", "L", (8, 8))
    locked.chmod(0)
    (tmp_path / "d" / "sub").chmod(0)
    try:
        assert main(["train", "--dataset", f"folder:{tmp_path / 'd'}", *TINY, "--run-dir", str(tmp_path / "r")]) == 0
    finally:
        (tmp_path / "d" / "sub").chmod(0o755)
        locked.chmod(0o644)
    err = capsys.readouterr().err
    assert "locked.png" in err and "sub" in err and "(1 x 1x16x16)" in err
