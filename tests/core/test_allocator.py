"""ganstudio.allocator: glibc's malloc keeps freed memory for the next step, not the kernel."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ganstudio import allocator

# A training step's pattern, in a thread other than the main one (as the app's worker): the
# same few blocks of hundreds of KB to a few MB, allocated, written and freed again.
STEPS = """
import resource, sys, threading
import numpy as np
if sys.argv[1] == "tuned":
    from ganstudio.allocator import tune_malloc
    assert tune_malloc()
faults = []
def steps():
    r0 = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(60):
        blocks = [np.ones(n // 8) for n in (300_000, 600_000, 1_200_000, 2_400_000) * 3]
        del blocks
    faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - r0)
t = threading.Thread(target=steps)
t.start()
t.join()
print(faults[0])
"""


def _page_faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", STEPS, mode], capture_output=True, text=True, timeout=120, check=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt; elsewhere tune_malloc does nothing")
def test_tuned_malloc_reuses_freed_blocks_instead_of_faulting_them_in_again():
    default, tuned = _page_faults("default"), _page_faults("tuned")
    # default: every block is mapped or trimmed and faulted in again (over 100,000 faults here)
    assert tuned * 10 < default, (tuned, default)


def test_tune_malloc_does_nothing_off_linux(monkeypatch):
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.tune_malloc() is False
