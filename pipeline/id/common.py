"""Small shared pieces of the ID stage: the unread field, OCR letter/digit confusion tables,
value shapes, confidence bounds, a field filled from the MRZ and the confidence of a value
whose check digit holds.
"""

from __future__ import annotations

import re
from typing import Any

from models.mrz import MrzResult
from models.results import Reading, Source, agreeing

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
    """A field taken from the MRZ, with the confidence the zone lends its fields
    (:func:`mrz_confidence`)."""
    if value is None:
        return NONE
    return Reading(
        value=value, confidence=mrz_confidence(mrz), source=Source.MRZ, repaired=mrz.repaired
    )


def mrz_confidence(mrz: MrzResult) -> float:
    """The confidence an MRZ lends the fields read in it (as their source or as a witness):
    its own (the share of its checks holding times its OCR's) raised by its check digits
    when every one holds (:func:`checked`: they vouch for the zone's reading, which a
    Tesseract word confidence on a line of fillers does not), halved when one fails
    (:func:`unconfirmed`: no field of that reading is vouched for).

    >>> mrz_confidence(MrzResult(format="TD1", valid=True, confidence=0.2))
    0.92
    >>> mrz_confidence(MrzResult(format="TD1", valid=False, confidence=0.6))
    0.3
    """
    return checked(mrz.confidence) if mrz.valid else unconfirmed(mrz.confidence)


#: how often a misread keeps a mod-10 check digit holding: one time in ten
CHECK_DIGIT_MISS = 0.1


def checked(confidence: float) -> float:
    """The confidence of a value read with ``confidence`` whose check digit holds: the check
    is an independent witness that a misread passes one time in ten (:data:`CHECK_DIGIT_MISS`).

    >>> checked(0.6), checked(0.95)
    (0.96, 0.995)
    """
    return agreeing(confidence, 1.0 - CHECK_DIGIT_MISS)


def unconfirmed(confidence: float) -> float:
    """The confidence of a value nothing confirms although a check could have (a CURP whose
    check digit fails, a field of an MRZ whose checks fail): half the OCR's.

    >>> unconfirmed(0.9)
    0.45
    """
    return bounded(confidence * 0.5)


def bounded(value: float) -> float:
    """``value`` clamped to 0-1, rounded to 3 places."""
    return round(max(0.0, min(1.0, value)), 3)


def curp_text(curp: Reading) -> str | None:
    """The CURP's text, None when it was not read."""
    return str(curp.value) if curp.present else None


#: a passport's printed sex letter (ICAO: M masculino, F femenino) as the field holds it (H/M)
ICAO_SEX = {"M": "H", "F": "M"}
