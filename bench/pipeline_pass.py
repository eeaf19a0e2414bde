"""One throughput pass of the whole pipeline: ``python -m bench.pipeline_pass``.

Runs in a fresh process so its memory is its own. It loads the engines once (policy, tesseract
and poppler checks, dlib models), then forks ``--workers`` processes, as the RQ worker and
``llave-verify batch`` do, and deals them the cases one at a time. For every case it records
wall and CPU time (the worker plus its tesseract/poppler children), the orchestrator's stage
timings (wall, from the verdict) and the same stages in CPU time (the orchestrator's stage timer
is wrapped in this process only), the decision, and the worker's peak RSS (``VmHWM``).
A case whose engine fails (``LlaveError``, which RQ would retry) is recorded as an error
and left out of the figures. Writes one JSON document to ``--out`` (and the records as they come to ``*.progress.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bench.measure import cpu_seconds, status_kb

T = TypeVar("T")
_CTX: Any = None  # the loaded Context, set before forking
_STAGE_CPU: dict[str, float] = {}


def _wrap_stage_timer() -> None:
    """Record each orchestrator stage's CPU time next to the wall time it already records."""
    from pipeline import orchestrator

    original = orchestrator._Timer.run

    def run(self: Any, stage: str, fn: Callable[[], T]) -> T:
        start = cpu_seconds()
        try:
            return original(self, stage, fn)
        finally:
            _STAGE_CPU[stage] = round((cpu_seconds() - start) * 1000, 1)

    orchestrator._Timer.run = run  # type: ignore[method-assign]


def _one_case(folder: str) -> dict[str, Any]:
    """Verify one case folder in this worker; the record of what it cost."""
    from pipeline.errors import LlaveError
    from workers.local import read_case_folder

    _STAGE_CPU.clear()
    wall, cpu = time.perf_counter(), cpu_seconds()
    files = read_case_folder(Path(folder))
    try:
        verdict = _verified(files)
    except LlaveError as exc:  # broken infrastructure (e.g. a tesseract timeout on a busy box)
        return {
            "case": Path(folder).name,
            "pid": os.getpid(),
            "error": type(exc).__name__,
            "wall_s": round(time.perf_counter() - wall, 4),
            "cpu_s": round(cpu_seconds() - cpu, 4),
            "vm_hwm_kb": status_kb("VmHWM"),
        }
    return {
        "case": Path(folder).name,
        "pid": os.getpid(),
        "wall_s": round(time.perf_counter() - wall, 4),
        "cpu_s": round(cpu_seconds() - cpu, 4),
        "stages_wall_ms": dict(verdict.timings_ms),
        "stages_cpu_ms": dict(_STAGE_CPU),
        "decision": verdict.decision.value,
        "reasons": sorted(reason.value for reason in verdict.reasons),
        "vm_hwm_kb": status_kb("VmHWM"),
    }


def _verified(files: Any) -> Any:
    """The verdict; then the heap is trimmed, as ``llave-verify batch`` does after each case."""
    from pipeline.orchestrator import verify_case
    from workers.memory import release_freed_memory

    try:
        return verify_case(files, _CTX).verdict
    finally:
        release_freed_memory()


def run_pass(cases: list[Path], workers: int, partial: Path) -> dict[str, Any]:
    """Load the engines, fork ``workers`` processes and verify every case; the pass record.

    Each case record is also appended to ``partial`` as it arrives (JSON lines), so an
    interrupted pass still yields figures (:func:`read_partial`).
    """
    global _CTX
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from commands._runtime import build_context

    (_CTX, load) = _load(build_context)
    _wrap_stage_timer()
    head = {
        "workers": workers,
        "load_wall_s": round(load[0], 3),
        "load_cpu_s": round(load[1], 3),
        "parent_rss_after_load_mb": round(status_kb("VmRSS") / 1024, 1),
    }
    wall = time.perf_counter()
    records = []
    with mp.get_context("fork").Pool(workers) as pool, partial.open("w") as progress:
        progress.write(json.dumps(head) + "\n")
        for record in pool.imap_unordered(_one_case, [str(c) for c in cases], chunksize=1):
            record["done_at_s"] = round(time.perf_counter() - wall, 3)
            records.append(record)
            progress.write(json.dumps(record) + "\n")
            progress.flush()
    return _assembled(head, records)


def _assembled(head: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """The pass record: the head, the pass's elapsed time and the case records by name."""
    elapsed = max((r["done_at_s"] for r in records), default=0.0)
    ordered = sorted(records, key=lambda r: r["case"])
    return {**head, "cases": len(records), "wall_s": elapsed, "records": ordered}


def read_partial(path: Path) -> dict[str, Any]:
    """The pass record from the progress file of an interrupted pass (the cases done so far)."""
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {**_assembled(lines[0], lines[1:]), "partial": True}


def _load(build: Callable[[], Any]) -> tuple[Any, tuple[float, float]]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    ctx = build()
    return ctx, (time.perf_counter() - wall, cpu_seconds() - cpu)


def progress_path(out: Path) -> Path:
    """Where a pass writing ``out`` appends its case records as they finish."""
    return out.with_suffix(".progress.jsonl")


def main() -> int:
    """Command line: ``--cases-dir D --workers N --out FILE [--limit K]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="only the first K cases")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from workers.local import find_cases

    cases = find_cases(args.cases_dir)
    cases = cases[: args.limit] if args.limit else cases
    record = run_pass(cases, args.workers, progress_path(args.out))
    args.out.write_text(json.dumps(record, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
