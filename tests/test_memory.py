"""workers.memory: a long-lived worker gives freed heap back to the OS."""

from __future__ import annotations

import sys

import pytest

from workers.memory import release_freed_memory


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc")
def test_freed_heap_goes_back_to_the_os() -> None:
    blocks, pins = [], []
    for i in range(2000):  # ~200 MB in the heap, each block followed by a small one kept,
        blocks.append(bytes(100_000) + bytes([i % 256]))  # so free() alone cannot shrink it
        pins.append(bytes(600) + bytes([i % 256]))
    high = _rss_mb()
    del blocks
    kept = _rss_mb()
    release_freed_memory()
    assert len(pins) == 2000
    assert high - kept < 50  # the heap held on to what was freed
    assert kept - _rss_mb() > 150  # and gave it back when trimmed
