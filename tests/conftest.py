import atexit
import os
import shutil
import tempfile

import pytest

# Qt tests run without a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The app starts in English whatever the machine's locale (tests that check a language set it).
os.environ["GANSTUDIO_LANG"] = "en"
# One feature-net cache for the whole session (and its CLI subprocesses): the metric net
# is trained once per dataset, never in the user's real cache.
os.environ["GANSTUDIO_CACHE"] = tempfile.mkdtemp(prefix="ganstudio-test-cache-")
atexit.register(shutil.rmtree, os.environ["GANSTUDIO_CACHE"], True)


@pytest.fixture(autouse=True)
def _isolated_runs(tmp_path, monkeypatch):
    """Runs and settings never touch the user's real folders."""
    monkeypatch.setenv("GANSTUDIO_RUNS_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def train_run():
    """``train_run(run_dir, **config)``: a tiny real run written to run_dir (4 steps by default)."""
    from ganstudio.config import TrainConfig
    from ganstudio.training import Trainer

    def train(run_dir, **cfg):
        tr = Trainer(
            TrainConfig(**{"steps": 4, "batch_size": 16, "log_every": 2, "eval_every": 0, "device": "cpu", **cfg}),
            run_dir=run_dir,
        )
        for _ in tr.run():
            pass
        return run_dir

    return train
