"""Person names: normalisation and comparison of a registration name with a name read by OCR.

Tolerates accents, Ñ read as N, particles in compound surnames (DE LA CRUZ), a surname split
differently between the two surname fields, ``MA.`` for MARIA, and one OCR slip (edit distance
1) per field of at least 5 letters.

>>> c = compare(("María José", "Peña", "de la Cruz"), ("MARIA JOSE", "PENA", "DE LA CRUZ"))
>>> c.verdict, c.score
('match', 1.0)
>>> c = compare(("Juan", "Hernández", "López"), ("JUAN", "HERNANDEZ", "LOPEX"))
>>> c.verdict, c.disagreeing
('match', [])
>>> c = compare(("Juan", "Hernández", "López"), ("PEDRO", "HERNANDEZ", "LOPEZ"))
>>> c.verdict, c.disagreeing
('mismatch', ['nombre'])
>>> compare(("Ana", "Ruiz", "Soto"), ("ANA", "RUIZ", None)).verdict
'uncertain'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: particles skipped in compound names and surnames (DE LA CRUZ -> CRUZ), per RENAPO
PARTICLES = frozenset(
    [
        "DA",
        "DAS",
        "DE",
        "DEL",
        "DER",
        "DI",
        "DIE",
        "DD",
        "EL",
        "LA",
        "LAS",
        "LE",
        "LES",
        "LOS",
        "MAC",
        "MC",
        "VAN",
        "VON",
        "Y",
    ]
)
_ALIASES = {"MA": "MARIA", "MARIA": "MARIA", "JOSE": "JOSE", "MA.": "MARIA"}
PARTS = ("nombre", "primer_apellido", "segundo_apellido")
#: minimum length of a field for one edit to count as an OCR slip rather than another name
SLIP_MIN_LENGTH = 5


def normalise(name: str | None) -> str:
    """Upper-case, accents stripped (Ñ kept), punctuation dropped, spaces collapsed.

    >>> normalise("  peña-Nieto, o'Brien  Ávila ")
    'PEÑA NIETO O BRIEN AVILA'
    """
    if not name:
        return ""
    text = str(name).upper().replace("Ñ", "\0")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.replace("\0", "Ñ")
    text = re.sub(r"[^A-ZÑ ]", " ", text)
    return " ".join(text.split())


def comparable(name: str | None) -> str:
    """Normalised, with Ñ as N and abbreviations expanded: the form two names are compared in.

    >>> comparable("Ma. de la Luz Muñoz")
    'MARIA DE LA LUZ MUNOZ'
    """
    words = normalise(name).replace("Ñ", "N").split()
    return " ".join(_ALIASES.get(w, w) for w in words)


def without_particles(name: str) -> str:
    """Drop DE, LA, DEL... (``name`` already comparable).

    >>> without_particles("DE LA CRUZ")
    'CRUZ'
    """
    return " ".join(w for w in name.split() if w not in PARTICLES)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance, capped at ``limit`` (cheap early exit).

    >>> edit_distance("LOPEZ", "LOPEX"), edit_distance("ANA", "ANA"), edit_distance("A", "XYZW")
    (1, 0, 3)
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)


@dataclass(frozen=True)
class PartComparison:
    """How one field (nombre, primer or segundo apellido) compares."""

    verdict: str  # match / mismatch / uncertain
    score: float
    how: str  # exact, particles, ocr-slip, both-empty, missing, different...


@dataclass(frozen=True)
class NameComparison:
    """The verdict on a whole name, the score (0-1) and each field's comparison."""

    verdict: str
    score: float
    parts: dict[str, PartComparison] = field(default_factory=dict)

    @property
    def disagreeing(self) -> list[str]:
        """The fields that do not match."""
        return [name for name, part in self.parts.items() if part.verdict == "mismatch"]


def compare_part(registered: str | None, read: str | None) -> PartComparison:
    """Compare one field; ``read=None`` means it could not be read (uncertain).

    >>> compare_part("De la Cruz", "CRUZ")
    PartComparison(verdict='match', score=0.95, how='particles')
    >>> compare_part("Ramírez", "RAMOS").verdict
    'mismatch'
    """
    if read is None:
        return PartComparison("uncertain", 0.5, "not-read")
    a, b = comparable(registered), comparable(read)
    if a == b:
        return PartComparison("match", 1.0, "both-empty" if not a else "exact")
    if not a or not b:
        return PartComparison("mismatch", 0.0, "missing")
    if without_particles(a) == without_particles(b):
        return PartComparison("match", 0.95, "particles")
    if (
        edit_distance(a.replace(" ", ""), b.replace(" ", "")) <= 1
        and min(len(a), len(b)) >= SLIP_MIN_LENGTH
    ):
        return PartComparison("match", 0.9, "ocr-slip")
    if edit_distance(a, b) == 2 and min(len(a), len(b)) >= 2 * SLIP_MIN_LENGTH:
        return PartComparison("uncertain", 0.5, "two-edits")
    return PartComparison("mismatch", 0.0, "different")


def compare(
    registered: tuple[str | None, str | None, str | None],
    read: tuple[str | None, str | None, str | None],
) -> NameComparison:
    """Compare (nombre, primer_apellido, segundo_apellido) as registered with as read.

    Verdict: ``match`` when every field matches, ``mismatch`` when one clearly differs,
    ``uncertain`` otherwise (a field not read, or two edits on a long field). When the surname
    fields disagree but the full surnames agree (a compound surname split differently), both
    surname fields match.
    """
    parts = {name: compare_part(a, b) for name, a, b in zip(PARTS, registered, read, strict=True)}
    parts = _rejoin_surnames(parts, registered, read)
    verdicts = {p.verdict for p in parts.values()}
    verdict = (
        "mismatch"
        if "mismatch" in verdicts
        else "uncertain"
        if "uncertain" in verdicts
        else "match"
    )
    score = 1.0
    for part in parts.values():
        score *= part.score
    return NameComparison(verdict=verdict, score=round(score, 4), parts=parts)


def _rejoin_surnames(
    parts: dict[str, PartComparison],
    registered: tuple[str | None, str | None, str | None],
    read: tuple[str | None, str | None, str | None],
) -> dict[str, PartComparison]:
    surname_parts = ("primer_apellido", "segundo_apellido")
    if (
        all(parts[p].verdict == "match" for p in surname_parts)
        or read[1] is None
        or read[2] is None
    ):
        return parts
    joined = compare_part(f"{registered[1] or ''} {registered[2] or ''}", f"{read[1]} {read[2]}")
    if joined.verdict != "match":
        return parts
    resplit = PartComparison("match", min(joined.score, 0.9), "surnames-split")
    return {**parts, "primer_apellido": resplit, "segundo_apellido": resplit}
