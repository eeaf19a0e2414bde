"""Profile whole cases: ``uv run python -m bench.profile_case CASE_DIR [CASE_DIR ...]``.

Loads the engines once, then runs each case under ``cProfile`` with a CPU-time clock
(``time.process_time``: this process only, so other load on the machine does not distort it)
and counts the external engine calls and the CPU their subprocesses used (tesseract, poppler),
which cProfile cannot see. Prints, per case, the stage CPU split and the functions with the most
cumulative CPU time (``--top``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import time
from collections import Counter
from pathlib import Path
from typing import Any

CALLS: Counter[str] = Counter()
CHILD_CPU: Counter[str] = Counter()


def _children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def _count(owner: Any, name: str, label: str) -> None:
    """Wrap ``owner.name`` to count its calls and its children's CPU under ``label``."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = _children_cpu()
        try:
            return original(*args, **kwargs)
        finally:
            CALLS[label] += 1
            CHILD_CPU[label] += _children_cpu() - start

    setattr(owner, name, wrapper)


def instrument() -> None:
    """Count the tesseract and poppler calls of this process."""
    from pipeline.engines.poppler import PdfEngine
    from pipeline.engines.tesseract import OcrEngine

    for name in [
        n for n in vars(OcrEngine) if not n.startswith("_") and callable(getattr(OcrEngine, n))
    ]:
        _count(OcrEngine, name, f"tesseract.{name}")
    for name in [
        n for n in vars(PdfEngine) if not n.startswith("_") and callable(getattr(PdfEngine, n))
    ]:
        _count(PdfEngine, name, f"poppler.{name}")


def profile(case_dir: Path, ctx: Any, top: int) -> str:
    """The report of one case."""
    from pipeline.orchestrator import verify_case
    from workers.local import read_case_folder

    CALLS.clear()
    CHILD_CPU.clear()
    files = read_case_folder(case_dir)
    profiler = cProfile.Profile(time.process_time)
    wall = time.perf_counter()
    verdict = profiler.runcall(verify_case, files, ctx).verdict
    wall = time.perf_counter() - wall
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    own = stats.total_tt  # type: ignore[attr-defined]
    engines = ", ".join(f"{k} x{CALLS[k]} {CHILD_CPU[k]:.2f}s" for k in sorted(CALLS))
    out.write(
        f"== {case_dir.name}: {verdict.decision.value}; python CPU {own:.2f} s, "
        f"subprocess CPU {sum(CHILD_CPU.values()):.2f} s, wall {wall:.2f} s\n"
        f"   stages (wall ms): {verdict.timings_ms}\n   engines: {engines}\n"
    )
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from commands._runtime import build_context

    ctx = build_context()
    instrument()
    for case_dir in args.cases:
        print(profile(case_dir, ctx, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
