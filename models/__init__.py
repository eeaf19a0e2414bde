"""Typed records that cross a boundary: case, job payload, stage results, verdict."""

from models.case import Address, Case, Documents, JobPayload, ObjectDocuments, Registration
from models.codes import RESUBMIT_REASONS, Decision, ReasonCode, route
from models.results import Reading
from models.verdict import Check, Explanation, Extracted, Verdict

__all__ = [
    "RESUBMIT_REASONS",
    "Address",
    "Case",
    "Check",
    "Decision",
    "Documents",
    "Explanation",
    "Extracted",
    "JobPayload",
    "ObjectDocuments",
    "Reading",
    "ReasonCode",
    "Registration",
    "Verdict",
    "route",
]
