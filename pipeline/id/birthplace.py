"""A printed place of birth as the RENAPO state code the CURP carries (positions 12-13).

A passport prints the holder's place of birth (``JALISCO``, ``DISTRITO FEDERAL`` on pages
issued before and after 2016, ``CORDOBA, VER. ,MEX``: ``docs/families.md``); the CURP encodes
the same state. The code is one more witness for the CURP's consistency step: it lets a state
letter the OCR confused (``JG`` for ``JC``) be repaired and confirmed like a name's initial or
a birth-date digit. An unreadable or ambiguous place gives no code (no evidence), never a guess.
"""

from __future__ import annotations

import re

from models.results import Reading, Source
from pipeline import curp as curp_rules
from pipeline import text_lines
from pipeline.id.common import NONE, bounded
from pipeline.id.labels import after_label_any, neighbours
from pipeline.names import edit_distance
from pipeline.text_lines import Phrase

#: the states' names as printed, besides the catalogue's (:data:`pipeline.curp.STATES`)
OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "DF": ("DISTRITO FEDERAL", "CDMX", "MEXICO DF", "CIUDAD DE MEXICO"),
    "MC": ("ESTADO DE MEXICO", "EDO DE MEXICO", "EDOMEX"),
    "CL": ("COAHUILA DE ZARAGOZA",),
    "MN": ("MICHOACAN DE OCAMPO",),
    "VZ": ("VERACRUZ DE IGNACIO DE LA LLAVE",),
}

#: the states' usual abbreviations, accepted as a word of their own after a city
ABBREVIATIONS: dict[str, str] = {
    "AGS": "AS", "BC": "BC", "BCS": "BS", "CAMP": "CC", "COAH": "CL", "COL": "CM",
    "CHIS": "CS", "CHIH": "CH", "DGO": "DG", "GTO": "GT", "GRO": "GR", "HGO": "HG",
    "JAL": "JC", "MICH": "MN", "MOR": "MS", "NAY": "NT", "NL": "NL", "OAX": "OC",
    "PUE": "PL", "QRO": "QT", "QROO": "QR", "SLP": "SP", "SIN": "SL", "SON": "SR",
    "TAB": "TC", "TAMPS": "TS", "TLAX": "TL", "VER": "VZ", "YUC": "YN", "ZAC": "ZS",
}  # fmt: skip


def state_code(place: str) -> str | None:
    """The RENAPO code of the state a printed place of birth names; None when it names none
    or more than one. Letters are compared without spaces, up to one OCR slip per six.

    >>> [state_code(p) for p in ("JALISCO", "DISTRITO FEDERAL", "MICHOAC E ÁN", "Guanajvato")]
    ['JC', 'DF', 'MN', 'GT']
    >>> state_code("CORDOBA, VER. ,MEX"), state_code("ESTADO DE MÉXICO"), state_code("SRE")
    ('VZ', 'MC', None)

    A place read cut at its end (its last glyphs under the ghost portrait or past the crop)
    names the one state whose name it starts, from five letters on:

    >>> state_code("DISTRIT"), state_code("CAMPEC"), state_code("BAJA CALIF"), state_code("MEXIC")
    ('DF', 'CC', None, None)
    """
    text = re.sub(r"[^A-Z, ]", " ", text_lines.fold(place))
    text = re.sub(r",\s*MEX(ICO)?\s*$", "", text.strip())  # the country after a city and state
    codes = _named(text) or _abbreviated(text) or _started(text)
    return codes.pop() if len(codes) == 1 else None


#: fewest letters of a state's name a place read cut short must hold
MIN_START = 5


def _started(text: str) -> set[str]:
    """Codes of the states whose name starts with the text's letters (at least 5). A start
    of MEXICO names none: the country, or the State of México as it is usually called, read
    cut, is as likely as MEXICO DF."""
    letters = text.replace(" ", "").replace(",", "")
    if len(letters) < MIN_START or "MEXICO".startswith(letters):
        return set()
    return {
        code
        for code, names in _names().items()
        for name in names
        if name.replace(" ", "").startswith(letters)
    }


def _named(text: str) -> set[str]:
    """Codes of the states whose name the text holds; a name inside another one found (BAJA
    CALIFORNIA in BAJA CALIFORNIA SUR, MEXICO in ESTADO DE MEXICO) does not count."""
    letters = text.replace(" ", "").replace(",", "")
    found: dict[str, str] = {}
    for code, names in _names().items():
        for name in names:
            flat = name.replace(" ", "")
            if _holds(letters, flat) and len(flat) > len(found.get(code, "")):
                found[code] = flat
    return {
        code
        for code, name in found.items()
        if not any(name != other and name in other for other in found.values())
    }


def _holds(letters: str, name: str) -> bool:
    """``letters`` is ``name``, or holds it, up to one slip per six letters."""
    if name in letters:
        return True
    slips = max(1, len(name) // 6)
    return (
        abs(len(letters) - len(name)) <= slips and edit_distance(letters, name, slips + 1) <= slips
    )


def _abbreviated(text: str) -> set[str]:
    words = [w for part in text.split(",")[1:] for w in part.split()]
    return {ABBREVIATIONS[w] for w in words if w in ABBREVIATIONS}


def _names() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {
        code: (name,) for code, name in curp_rules.STATES.items() if code != "NE"
    }
    for code, names in OTHER_NAMES.items():
        out[code] = out.get(code, ()) + names
    return out


def find_birth_state(found: list[Phrase], label: Phrase | None) -> Reading:
    """The state code of the place of birth printed at ``label`` (in its phrase, right of it
    or under it): the first phrase there that names one state."""
    if label is None:
        return NONE
    for index, phrase in enumerate([label, *neighbours(found, label, below=1)]):
        code = state_code(after_label_any(phrase) if index == 0 else phrase.text)
        if code is not None:
            source = Source.LABEL if index == 0 else Source.NEAR
            return Reading(value=code, confidence=bounded(phrase.confidence), source=source)
    return NONE
