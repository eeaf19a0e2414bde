"""Clocks and memory gauges shared by the benchmark parts.

Every figure is taken twice: wall time (``time.perf_counter``) and CPU time of this process plus
the children it waited for (tesseract and poppler run as subprocesses), from ``getrusage``. On a
shared machine wall time is inflated by other load; CPU time is what one core spends.
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its reaped children so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass(frozen=True)
class Timed:
    """Seconds spent on one call, by the wall clock and by the CPU."""

    wall: float
    cpu: float


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, Timed]:
    """Call ``fn(*args)`` and return its result with the wall and CPU seconds it took."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = fn(*args)
    return result, Timed(time.perf_counter() - wall, cpu_seconds() - cpu)


def status_kb(field: str, pid: int | str = "self") -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (``VmHWM`` = peak RSS, ``VmRSS``); 0 if absent."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks; NaN for no values.

    >>> percentile([1, 2, 3, 4], 50)
    2.5
    >>> percentile([5.0], 95)
    5.0
    >>> math.isnan(percentile([], 50))
    True
    """
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, mean, p50, p95 and max of ``values`` (rounded to 4 decimals)."""
    if not values:
        return {"n": 0}
    stats = {
        "n": len(values),
        "mean": sum(values) / len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values),
    }
    return {key: round(value, 4) for key, value in stats.items()}
