"""How a check's record is built: one :class:`~models.verdict.Check` constructor for every
check module, and the small helpers they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from models.codes import ReasonCode
from models.results import Reading
from models.verdict import Check, CheckStatus
from pipeline.policy import Policy


def check(
    name: str,
    status: CheckStatus,
    detail: str,
    score: float | None = None,
    reasons: Sequence[ReasonCode] = (),
    evidence: Mapping[str, object] | None = None,
) -> Check:
    return Check(
        name=name,
        status=status,
        score=None if score is None else round(max(0.0, min(1.0, score)), 4),
        detail=detail,
        reasons=list(reasons),
        evidence=dict(evidence or {}),
    )


def iso(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def usable(reading: Reading, policy: Policy) -> bool:
    return reading.present and reading.confidence >= policy.number("documents.min_field_confidence")


def where(field: Reading[Any]) -> str:
    """Where a field was read, for the evidence: its :class:`~models.results.Source`'s value
    ("" when it was not read)."""
    return field.source.value if field.source is not None else ""
