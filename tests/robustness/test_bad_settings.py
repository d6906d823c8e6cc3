"""Bad settings and a hostile disk: a corrupt settings file, recent runs that are gone, a runs
folder that is read-only or full. Clear errors; training refuses to start rather than losing
work; a checkpoint write that fails mid-run keeps the previous checkpoint."""

import errno
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

import faultkit as fk
from ganstudio.app import MainWindow
from ganstudio.cli import main
from ganstudio.config import TrainConfig
from ganstudio.errors import GanstudioError
from ganstudio.training import Trainer

TIMEOUT = 60_000


def settings_file() -> Path:
    return Path(QSettings("ganstudio", "ganstudio").fileName())


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff\xfe garbage [[[ \n=== \x01\x02",  # not an INI file at all
        b"[General]\nrecentRuns=@Variant(\\0\\0\\0\\x2\\0\\0\\0\\x5)\n",  # an int where a list belongs
        b"[General]\nrecentRuns=@ByteArray(\\xff\\xfe)\n",  # bytes
        b"[General]\nrecentRuns=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x5)\n",  # a variant type that cannot load
    ],
)
def test_corrupt_settings_file_does_not_stop_the_app(qtbot, tmp_path, content):
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    w = MainWindow()  # an int here crashed the window's constructor (TypeError) before the fix
    qtbot.addWidget(w)
    assert w.recent_menu.actions() == [] and not w.recent_menu.isEnabled()
    run = tmp_path / "run"
    fk.make_run(run, steps=2)
    assert w.open_run(fk.settle(run))
    assert [a.text() for a in w.recent_menu.actions()] == [str(run)]  # settings work again
    w.close()


def test_recent_runs_that_no_longer_exist(qtbot, tmp_path):
    kept, gone = tmp_path / "kept", tmp_path / "gone"
    fk.make_run(kept, steps=2)
    QSettings("ganstudio", "ganstudio").setValue("recentRuns", [str(gone), str(kept), str(tmp_path / "never")])
    w = MainWindow()
    qtbot.addWidget(w)
    assert [a.text() for a in w.recent_menu.actions()] == [str(kept)]
    assert not w.open_run(gone)
    assert str(gone) in w.error_box.text() and w.train_button.isEnabled()
    w.close()


@pytest.fixture
def read_only_runs(monkeypatch, tmp_path):
    """The runs folder on a read-only filesystem. Root ignores chmod, so mkdir under it fails
    the way it does on a read-only mount (EROFS); other users get a real chmod 555 folder."""
    runs = tmp_path / "ro-runs"
    monkeypatch.setenv("GANSTUDIO_RUNS_DIR", str(runs))
    if os.geteuid() != 0:
        runs.mkdir()
        runs.chmod(0o555)
        yield runs
        runs.chmod(0o755)
        return
    real_mkdir = os.mkdir

    def mkdir(path, *args, **kwargs):
        if str(path).startswith(str(runs)):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", mkdir)
    yield runs


def test_read_only_runs_folder_refuses_to_start(read_only_runs, capsys, qtbot):
    assert main(["train", "--dataset", "ring8", "--steps", "3"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ganstudio: error: cannot write the run folder") and str(read_only_runs) in err
    assert "GANSTUDIO_RUNS_DIR" in err and "Traceback" not in err
    w = MainWindow()
    qtbot.addWidget(w)
    w.dataset_combo.setCurrentText("ring8")
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(w.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
    assert done.args == ["error"] and "cannot write the run folder" in w.error_box.text()
    assert w.train_button.isEnabled() and w.thread is None
    w.close()


class DiskFills:
    """Every fsync after the first ``allow`` fails with ENOSPC, as on a full disk (data written
    to the page cache, the flush refused): the write path's own error handling runs for real."""

    def __init__(self, monkeypatch, allow: int):
        self.allow, self.calls, self.real = allow, 0, os.fsync
        monkeypatch.setattr(os, "fsync", self)

    def __call__(self, fd):
        if os.path.isdir(f"/proc/self/fd/{fd}"):  # directory fsyncs: not our failure point
            return self.real(fd)
        self.calls += 1
        if self.calls > self.allow:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real(fd)


def _checks(run):
    return fk.check_checkpoints(run) + fk.check_metrics_lines(fk.complete_lines(run))


def test_disk_full_mid_run_keeps_the_previous_checkpoint_and_resumes(monkeypatch, tmp_path):
    run = tmp_path / "run"
    cfg = TrainConfig(dataset="ring8", steps=40, batch_size=16, log_every=1, checkpoint_every=5, device="cpu")
    disk = DiskFills(monkeypatch, allow=3)  # config.json, step 0 and step 5 fit; step 10 does not
    tr = Trainer(cfg, run_dir=run)
    with pytest.raises(GanstudioError, match="No space left on device") as e:
        for _ in tr.run():
            pass
    assert "step_0000010.safetensors" in str(e.value) and "checkpoints already written are kept" in str(e.value)
    assert [s for s, _ in fk.committed(run)] == [0, 5]
    assert not [p for p in (run / "checkpoints").iterdir() if p.name.startswith(".")]  # no temp file left
    assert _checks(run) == []
    # Space freed: resume from step 5; the history has every step once.
    monkeypatch.setattr(os, "fsync", disk.real)
    assert main(["train", "--run-dir", str(run), "--resume", "--steps", "12"]) == 0
    assert fk.check_steps(run, 12) == [] and _checks(run) == []


def test_disk_full_at_the_first_checkpoint_refuses_to_train(monkeypatch, tmp_path, capsys):
    DiskFills(monkeypatch, allow=1)  # config.json fits, the step-0 checkpoint does not
    assert main(["train", "--dataset", "ring8", "--steps", "50", "--run-dir", str(tmp_path / "run")]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "step_0000000.safetensors" in err and "Traceback" not in err
    assert not (tmp_path / "run" / "metrics.jsonl").exists()  # not a single step was trained


def test_disk_full_in_the_app_reports_and_keeps_the_last_checkpoint(monkeypatch, qtbot, tmp_path):
    w = MainWindow()
    qtbot.addWidget(w)
    w.dataset_combo.setCurrentText("ring8")
    w.steps.setValue(10**6)
    DiskFills(monkeypatch, allow=2)  # config.json and the step-0 checkpoint; then the disk is full
    with qtbot.waitSignal(w.training_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(w.findChild(QPushButton, "trainButton"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: w.worker is not None and w.worker.trainer is not None and w.worker.trainer.step_count >= 20,
            timeout=TIMEOUT,
        )
        w.worker.request_checkpoint()  # File > Save checkpoint: refused by the disk, training goes on
        qtbot.waitUntil(
            lambda: "No space left" in getattr(getattr(w, "error_box", None), "text", lambda: "")(), timeout=TIMEOUT
        )
        w.stop()  # Stop's final checkpoint fails too: the worker reports it, the old one stays
    assert done.args == ["error"] and "Training stopped: cannot write" in w.error_box.text()
    assert w.train_button.isEnabled() and w.thread is None
    assert [s for s, _ in fk.committed(w.run_path)] == [0] and _checks(w.run_path) == []
    w.close()
