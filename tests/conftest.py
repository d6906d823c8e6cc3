import atexit
import os
import shutil
import tempfile

import pytest

# Qt tests run without a display; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
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
