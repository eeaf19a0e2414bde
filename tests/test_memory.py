"""workers.memory: a long-lived worker gives freed heap back to the OS."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Run in a fresh interpreter: how much free() alone returns depends on the heap's history.
SCENARIO = """
from workers.memory import release_freed_memory

def rss_mb():
    with open("/proc/self/status") as status:
        return int(next(l for l in status if l.startswith("VmRSS")).split()[1]) / 1024

blocks, pins = [], []
for i in range(2000):  # ~200 MB in the heap, each block followed by a small one kept,
    blocks.append(bytes(100_000) + bytes([i % 256]))  # so free() alone cannot shrink it
    pins.append(bytes(600) + bytes([i % 256]))
high = rss_mb()
del blocks
kept = rss_mb()
release_freed_memory()
print(high, kept, rss_mb(), len(pins))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")
def test_freed_heap_goes_back_to_the_os() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, check=True
    ).stdout
    high, kept, trimmed, _ = (float(x) for x in out.split())
    assert high - kept < 50  # the heap held on to what was freed
    assert kept - trimmed > 150  # and gave it back when trimmed
