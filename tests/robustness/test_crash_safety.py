"""Crash safety with real processes: kill -9 (also mid checkpoint write), Ctrl-C, SIGTERM.

A handful of kills here; bench/robustness.py runs the 20+ kill campaign. What counts as
data lost is defined in faultkit's docstring.
"""

import json
import random
import signal

import pytest

import faultkit as fk


def test_kill9_ring8_at_a_random_moment_then_resume(tmp_path):
    run = tmp_path / "run"
    r = fk.kill9_trial("ring8", run, delay=random.Random(7).uniform(0, 0.8), resume=False)
    assert r.problems == [], r
    assert r.step_after >= r.step_at_kill > 0
    assert fk.resume_to_end("ring8", run) == []


def test_kill9_digits_mid_checkpoint_write(tmp_path):
    run = tmp_path / "run"
    r = fk.kill9_trial("digits", run, delay=0.2, resume=False, during_write=True)
    assert r.problems == [], r
    assert fk.resume_to_end("digits", run) == []


def test_the_loss_checks_do_catch_losses(tmp_path):
    """The campaign's checks are not vacuous: a torn checkpoint and a lost row are reported."""
    run = tmp_path / "run"
    fk.make_run(run, steps=4)
    assert fk.check_checkpoints(run) == [] and fk.check_steps(run, 4) == []
    latest = fk.committed(run)[-1][1]
    latest.write_bytes(latest.read_bytes()[:1000])
    assert any("does not load" in p for p in fk.check_checkpoints(run))
    lines = (run / "metrics.jsonl").read_text().splitlines()
    (run / "metrics.jsonl").write_text("\n".join(lines[:1] + lines[2:]) + '\n{"step": 9, "lo\n')
    assert "missing [2]" in fk.check_steps(run, 4)[0]
    bad = fk.check_metrics_lines([b'{"step": 1}', b'{"ste'])
    assert len(bad) == 1 and bad[0].startswith("metrics line 2 does not parse")


# SIGINT on ring8 is tests/cli/test_cli.py::test_ctrl_c_saves_and_exits_quickly; the bench runs both on both.
@pytest.mark.parametrize("dataset, sig", [("ring8", signal.SIGTERM)])
def test_cli_signal_stops_cleanly_with_a_checkpoint(tmp_path, dataset, sig):
    problems, seconds = fk.signal_cli(dataset, tmp_path / "run", sig)
    assert problems == []
    rows = [json.loads(x) for x in fk.complete_lines(tmp_path / "run")]
    assert rows and fk.committed(tmp_path / "run")[-1][0] == rows[-1]["step"]


def test_app_sigterm_while_training_saves_and_exits(tmp_path):
    problems, seconds = fk.signal_app("ring8", tmp_path / "runs", signal.SIGTERM)
    assert problems == []
