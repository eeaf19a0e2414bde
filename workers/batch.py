"""Local batch runs: every case folder of a directory through the pipeline on a process pool.

Engines load once in the parent, before the pool forks, so every process shares them.
Finished cases (an existing ``OUT_DIR/<case>.json``) are skipped unless ``force``, which makes
an interrupted run resumable.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.orchestrator import Context, Outcome, verify_case
from workers.local import CaseFolderError, read_case_folder

log = logging.getLogger("llave.batch")
_CONTEXT: Context | None = None  # set in the parent before forking


@dataclass(frozen=True)
class CaseResult:
    """What happened to one case folder of a batch."""

    name: str
    decision: str | None
    error: str = ""


def run_batch(
    cases: list[Path],
    out_dir: Path,
    ctx: Context,
    workers: int = 1,
    force: bool = False,
    artefacts: bool = True,
) -> Iterator[CaseResult]:
    """Verify ``cases`` into ``out_dir``, yielding each result as it finishes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = [c for c in cases if force or not (out_dir / f"{c.name}.json").exists()]
    jobs = [(c, out_dir, artefacts) for c in todo]
    global _CONTEXT
    _CONTEXT = ctx
    if workers <= 1 or len(jobs) <= 1:
        yield from (_run_one(job) for job in jobs)
        return
    with mp.get_context("fork").Pool(workers, initializer=_init_child) as pool:
        yield from pool.imap_unordered(_run_one, jobs)


def pending(cases: list[Path], out_dir: Path, force: bool) -> int:
    """How many of ``cases`` a run would process."""
    return sum(1 for c in cases if force or not (out_dir / f"{c.name}.json").exists())


def _init_child() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _run_one(job: tuple[Path, Path, bool]) -> CaseResult:
    folder, out_dir, artefacts = job
    assert _CONTEXT is not None, "run_batch sets the context before forking"
    try:
        files = read_case_folder(folder)
    except CaseFolderError as exc:
        log.warning("case skipped: %s", exc)
        return CaseResult(folder.name, None, str(exc))
    outcome = verify_case(files, _CONTEXT)
    write_outcome(outcome, out_dir, folder.name, artefacts)
    return CaseResult(folder.name, outcome.verdict.decision.value)


def write_outcome(outcome: Outcome, out_dir: Path, name: str, artefacts: bool = True) -> Path:
    """Write ``<name>.json`` (atomically) and, if asked, the artefacts under ``artefacts/<name>/``."""
    if artefacts and outcome.artefacts:
        folder = out_dir / "artefacts" / name
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, data in outcome.artefacts.items():
            (folder / file_name).write_bytes(data)
    target = out_dir / f"{name}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(outcome.verdict.to_json(), encoding="utf-8")
    tmp.replace(target)
    return target
