"""The worker warm-up runs the bundled samples, with no gallery and no stage cache."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from pipeline.orchestrator import Context
from workers.warmup import FIXTURE_CASES, sample_cases, warm_up


class _Untouchable:
    """Fails the test if the warm-up uses it."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"warm-up touched {name}")


def test_samples_cover_ine_with_pdf_and_passport_with_photo() -> None:
    samples = sample_cases()
    assert len(samples) == 2
    labels = json.loads((FIXTURE_CASES / "labels.json").read_text())["cases"]
    assert [labels[p.name]["scenario"] for p in samples] == ["genuine_ine", "genuine_passport"]
    assert (samples[0] / "comprobante.pdf").is_file()
    assert (samples[1] / "comprobante.jpg").is_file()


def test_no_samples_without_labels(tmp_path: Path) -> None:
    assert sample_cases(tmp_path) == []


def test_warm_up_runs_samples_without_gallery_or_cache(engines, policy) -> None:
    context = Context(engines=engines, policy=policy)
    hostile = replace(context, gallery=_Untouchable(), cache=_Untouchable())  # type: ignore[arg-type]
    assert warm_up(hostile) == 2
    assert warm_up(hostile, cases=[]) == 0
