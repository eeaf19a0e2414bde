"""CURP values as text: candidates in an OCR'd line, the check-digit test, and whether a
reading is "as printed" (no repair beyond letter/digit shape).
"""

from __future__ import annotations

import datetime as dt
import re

from models.results import Reading, Source
from pipeline import curp as curp_rules
from pipeline import curp_evidence as evidence_rules
from pipeline import text_lines
from pipeline.id.common import CURP_SHAPE, TO_DIGIT, TO_LETTER


def read_as_printed(curp: Reading) -> bool:
    """The CURP was read with its check digit holding, as a whole word (not a window of a
    longer run of glyphs, :attr:`~models.results.Reading.partial`), and not by a plain
    closer re-read (a second look, unless it repaired the value with the check digit).

    >>> from pipeline.curp import check_digit
    >>> good = "GOPM900315MDFNRR0" + check_digit("GOPM900315MDFNRR0")
    >>> read_as_printed(Reading(value=good, source=Source.LABEL))
    True
    >>> read_as_printed(Reading(value=good, source=Source.PATTERN, partial=True))
    False
    >>> read_as_printed(Reading(value=good, source=Source.REGION))
    False
    """
    plain_reread = curp.source is Source.REGION and not curp.repaired
    return curp_check_ok(str(curp.value)) and not plain_reread and not curp.partial


def curp_candidates(text: str, birth_year: int | None = None) -> list[str]:
    """18-character windows of ``text`` (spaces removed) shaped like a CURP once
    :func:`pipeline.curp.repair` has undone OCR letter/digit confusions by position; for the
    homonym character (a digit before 2000, a letter from 2000) both readings are offered,
    unless the printed ``birth_year`` tells which; those whose check digit holds come first.

    >>> curp_candidates("CURP GOPM9OO315MDFNRRO" + curp_rules.check_digit("GOPM900315MDFNRR0"), 1990)
    ['GOPM900315MDFNRR09']
    """
    squashed = re.sub(r"[^A-Z0-9Ñ]", "", text_lines.fold(evidence_rules.ocr_glyphs(text)))
    found: list[str] = []
    for start in range(0, max(0, len(squashed) - 17)):
        fixed = curp_rules.repair(squashed[start : start + 18])
        if fixed is None or not CURP_SHAPE.fullmatch(fixed.curp):
            continue
        head, homonym, check = fixed.curp[:16], fixed.curp[16], fixed.curp[17]
        options = [homonym, homonym.translate(TO_DIGIT), homonym.translate(TO_LETTER)]
        if birth_year is not None:
            options = [h for h in options if h.isdigit() == (birth_year < 2000)]
        for alt in dict.fromkeys(options):
            value = head + alt + check
            if value not in found:
                found.append(value)
    return sorted(found, key=lambda c: not curp_check_ok(c))


def curp_check_ok(value: str) -> bool:
    """The CURP's check digit holds (18 characters) on a CURP-shaped value with a real state
    code and birth date: a vowel read where an inner consonant goes (R read as A keeps the
    check digit when its weight is 5), or two confusions whose weights cancel out (I read as
    L and Q as O: state ``OR``), is no reading of a CURP.

    >>> curp_check_ok("MOSA740216HSRRNN85"), curp_check_ok("MOSA740216HSRANN85")
    (True, False)
    >>> curp_check_ok("IAPR740717HQRBXD07"), curp_check_ok("LAPR740717HORBXD07")
    (True, False)

    A homonym character read as a letter where a digit is printed dates the birth a century
    later; O and 0 even weigh the same in the check digit. A birth in the future is no reading:

    >>> curp_check_ok("TEBM660419MDFRCN05"), curp_check_ok("TEBM660419MDFRCNO5")
    (True, False)
    """
    if len(value) != 18 or curp_rules.check_digit(value[:17]) != value[17]:
        return False
    born = curp_rules.birth_date_of(value)
    if born is None or born > dt.date.today():
        return False
    return not {"format", "state"} & set(curp_rules.validate(value).problems)


def holds_whole_curp(text: str) -> bool:
    """``text`` (its CURP label aside) has exactly a CURP's 18 letters and digits, or a word
    of them: a CURP read there needs no glyph dropped.

    >>> holds_whole_curp("CURP GOPM900315MDFNRR09"), holds_whole_curp("CURPGOPM9003 15MDFNRR09")
    (True, True)
    >>> holds_whole_curp("cur? GAGA0O70516HDFLNRAS"), holds_whole_curp("PETEO020606HBSXLRA9")
    (False, False)
    """
    body = re.sub(r"^\W*CUR\W?P?", "", text_lines.fold(evidence_rules.ocr_glyphs(text)))
    words = [re.sub(r"[^A-Z0-9Ñ]", "", word) for word in body.split()]
    return len("".join(words)) == 18 or any(len(word) == 18 for word in words)


def curp_long(word: str) -> bool:
    """A word as long as a CURP (give or take OCR'd extras) with its birth date's digits.

    >>> curp_long("CUOJ910623HCMRRSOS9"), curp_long("ESTADOSUNIDOSMEXICAN")
    (True, False)
    """
    return 16 <= len(word) <= 22 and sum(c.isdigit() for c in word) >= 4
