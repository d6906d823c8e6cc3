"""Every command that takes --checkpoint takes 'best' (the run's checkpoints/best.safetensors,
written at its best evaluation), and says so clearly when a run has none yet."""

import json

import pytest

from ganstudio.cli import main

COMMANDS = {  # each command's other arguments; OUT is replaced by a file under tmp_path
    "sample": ["--n", "4", "--out", "OUT.npy"],
    "interpolate": ["--seeds", "1", "2", "--frames", "3", "--out", "OUT.png"],
    "directions": ["--n", "50", "--k", "2", "--out", "OUT.json"],
    "evaluate": ["--n", "500", "--json"],
    "export": ["--format", "torchscript", "--out", "OUT.pt"],
    "project": ["--index", "0", "--steps", "2", "--out", "OUT.json"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, train_run):
    root = tmp_path_factory.mktemp("best")
    with_best = train_run(root / "evaluated", dataset="ring8", eval_every=2, eval_n=500)  # 2D: no feature net
    without = train_run(root / "unevaluated", dataset="ring8")
    assert (with_best / "checkpoints" / "best.safetensors").is_file()
    return with_best, without


def command(name, run, tmp_path):
    extra = [a.replace("OUT", str(tmp_path / name)) for a in COMMANDS[name]]
    return [name, "--run", str(run), "--checkpoint", "best", *extra]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit's notice when export checks its file
@pytest.mark.parametrize("name", COMMANDS)
def test_best_is_taken_by_every_command(name, runs, tmp_path, capsys):
    rc = main(command(name, runs[0], tmp_path))
    out, err = capsys.readouterr()
    if name == "project":  # a 2D run loads (so 'best' was found), then is refused for what it is
        assert rc == 1 and "project needs an image generator" in err, err
        return
    assert rc == 0, err
    best = str(runs[0] / "checkpoints" / "best.safetensors")
    recorded = {
        "interpolate": lambda: json.loads((tmp_path / "interpolate.png.json").read_text())["checkpoint"],
        "directions": lambda: json.loads((tmp_path / "directions.json").read_text())["meta"]["checkpoint"],
        "evaluate": lambda: json.loads(out)["checkpoint"],
    }
    if name in recorded:
        assert recorded[name]() == best


@pytest.mark.parametrize("name", COMMANDS)
def test_no_best_yet_is_one_clear_line(name, runs, tmp_path, capsys):
    assert main(command(name, runs[1], tmp_path)) == 1
    err = capsys.readouterr().err
    assert (
        err.strip() == f"ganstudio: error: {runs[1]} has no best checkpoint yet (it is written at the first evaluation)"
    )
