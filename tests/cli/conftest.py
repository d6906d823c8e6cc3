"""Shared helpers of the CLI tests."""

import subprocess
import sys

import pytest


def run_ganstudio(*args, timeout=300, env=None, **kw) -> subprocess.CompletedProcess:
    """``python -m ganstudio ARGS`` as a user runs it: a real process, text output captured.

    ``env`` defaults to this process's environment (so the autouse fixtures' runs folder and
    cache reach the child). The timeout only stops a hung child; it never times anything.
    """
    return subprocess.run(
        [sys.executable, "-m", "ganstudio", *args], capture_output=True, text=True, timeout=timeout, env=env, **kw
    )


@pytest.fixture(scope="session")
def ganstudio():
    """``ganstudio(*args, timeout=300, env=None)`` -> CompletedProcess (session-scoped, so
    module-scoped fixtures that train a run can use it too)."""
    return run_ganstudio
