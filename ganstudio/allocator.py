"""glibc's malloc, set up for a training loop (no Qt).

Every step allocates and frees the same few tensors of hundreds of KB. Under glibc's dynamic
thresholds a non-main thread (the app's worker) trimmed its heap after each free and faulted
the pages in again; fixed thresholds keep up to ``TRIM_THRESHOLD`` of freed memory per heap
for the next step (see bench/app_perf.py; docs/ARCHITECTURE.md, Threads).
"""

from __future__ import annotations

import ctypes
import sys

# mallopt(3) parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 8 << 20  # blocks this large still get their own mapping, returned at once on free
TRIM_THRESHOLD = 16 << 20  # freed memory a heap keeps for reuse before giving it back


def tune_malloc() -> bool:
    """Fix glibc's mmap and trim thresholds for this process; True if they were set. Call it
    before training threads start. Elsewhere (macOS, Windows, musl) it does nothing."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # both, or the kernel still gets each freed block back: a trim threshold alone switches
    # off the dynamic mmap threshold and maps every block over 128 KB (66,000 faults a second)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
