"""Warm a worker's parent process before it forks.

``LlaveWorker`` forks a work horse per job. Whatever the pipeline imports or builds lazily on
first use (OCR-B template banks, calibration tables, decoder plugins, numpy/OpenCV code paths)
would be paid again by *every* horse, because the horse's work dies with it: measured ~0.2-0.3 s
of CPU per job. Running a couple of the bundled synthetic sample cases once in the parent makes
every horse start warm (copy-on-write).

The samples are synthetic fixtures (no real person), run with no gallery and no stage cache, and
nothing of their verdicts is kept or logged.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.orchestrator import Context

log = logging.getLogger("llave.worker")

FIXTURE_CASES = Path(__file__).resolve().parent.parent / "fixtures" / "cases"

#: one sample per path through the document stages: INE with a PDF bill, passport with a photo
SAMPLE_KINDS = (("genuine_ine", ".pdf"), ("genuine_passport", ".jpg"))


def sample_cases(root: Path = FIXTURE_CASES) -> list[Path]:
    """The sample case folders of ``root`` (one per :data:`SAMPLE_KINDS`), [] without labels."""
    labels_path = root / "labels.json"
    if not labels_path.is_file():
        return []
    labels = json.loads(labels_path.read_text(encoding="utf-8")).get("cases", {})
    found = []
    for scenario, bill_suffix in SAMPLE_KINDS:
        for name in sorted(labels):
            folder = root / name
            if labels[name].get("scenario") == scenario and _has_bill(folder, bill_suffix):
                found.append(folder)
                break
    return found


def _has_bill(folder: Path, suffix: str) -> bool:
    return any(p.stem == "comprobante" and p.suffix == suffix for p in folder.glob("comprobante.*"))


def warm_up(context: Context, cases: list[Path] | None = None) -> int:
    """Run the sample cases through the pipeline in this process; return how many ran.

    Uses ``context`` without its gallery or stage cache, so nothing is enrolled or stored.
    """
    from pipeline.orchestrator import verify_case
    from workers.local import read_case_folder

    cases = sample_cases() if cases is None else cases
    quiet = replace(context, gallery=None, cache=None)
    started = time.monotonic()
    for folder in cases:
        verify_case(read_case_folder(folder), quiet)
    log.info(
        "worker warmed up",
        extra={"cases": len(cases), "seconds": round(time.monotonic() - started, 2)},
    )
    return len(cases)
