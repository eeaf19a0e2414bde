"""Small shared pieces of the ID stage: the unread field, OCR letter/digit confusion tables,
value shapes, confidence bounds and a field filled from the MRZ.
"""

from __future__ import annotations

import re
from typing import Any

from models.mrz import MrzResult
from models.results import Reading

#: an unread field
NONE: Reading[Any] = Reading(value=None, confidence=0.0)


CURP_SHAPE = re.compile(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d")


YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


CP = re.compile(r"(?<!\d)(\d{5})(?!\d)")


#: letters the OCR confuses with digits, and back
TO_DIGIT = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "I": "1",
        "L": "1",
        "Z": "2",
        "S": "5",
        "B": "8",
        "G": "6",
        "T": "7",
        "A": "4",
    }
)


TO_LETTER = str.maketrans(
    {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
)


def from_mrz(value: object, mrz: MrzResult) -> Reading:
    if value is None:
        return NONE
    # every check digit holding is strong evidence the characters were read right
    confidence = max(mrz.confidence, 0.9) if mrz.valid else mrz.confidence * 0.5
    return Reading(
        value=value, confidence=round(confidence, 3), method="mrz", repaired=mrz.repaired
    )


def bounded(value: float) -> float:
    return round(max(0.0, min(1.0, value)), 3)


def curp_text(curp: Reading) -> str | None:
    return str(curp.value) if curp.present else None
