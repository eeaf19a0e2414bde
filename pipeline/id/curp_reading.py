"""Reading the CURP off a page: the OCR-free first pass (:func:`first_curp`), the
evidence-backed second pass with closer re-reads on the failure path only (:func:`settle_curp`),
and the document's evidence besides its CURP (:func:`curp_evidence`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from models.mrz import MrzResult
from models.results import Reading, Source
from pipeline import curp_evidence as evidence_rules
from pipeline import mrz, text_lines
from pipeline.document import Page
from pipeline.engines.tesseract import OcrEngine
from pipeline.id.common import NONE, bounded, checked, unconfirmed
from pipeline.id.curp_values import (
    curp_candidates,
    curp_check_ok,
    curp_long,
    holds_whole_curp,
)
from pipeline.id.labels import neighbours, placed, row_below, slot_below
from pipeline.id.name_parts import split_mrz_names
from pipeline.id.regions import (
    BAND,
    PHRASE_LINES,
    Box,
    Reread,
    grey_crop,
    ink_rows,
    ocr_box,
    read_region,
    region,
    scale_of,
    skipped_bands,
)
from pipeline.text_lines import Phrase


def curp_evidence(
    fields: dict[str, Reading], mrz: MrzResult | None, surnames_in_one_line: bool = False
) -> evidence_rules.Evidence:
    """What the document says besides its CURP: printed and MRZ names, birth date and sex,
    a passport's state of birth and its MRZ's personal number (the CURP's first 14
    characters).

    Where the surnames are printed in one line (a passport, ``surnames_in_one_line``) or
    written in the MRZ, where the first ends is not printed: the split made with the CURP may
    be wrong while the CURP is in doubt (``SAN`` / ``JUAN GUTIÉRREZ``), so every split of the
    surname words is a witness (:func:`surname_splits`)."""
    names: list[tuple[str, str, str | None]] = []
    mrz_names: list[tuple[str, str, str | None]] = []
    dates_: list[dt.date] = []
    sexes: list[str] = []
    own = {k: v for k, v in fields.items() if v.present and v.printed}
    if "nombre" in own and "primer_apellido" in own:
        first, second = str(own["primer_apellido"].value), own.get("segundo_apellido", NONE).value
        splits = surname_splits(first, second) if surnames_in_one_line else [(first, second)]
        names += [(str(own["nombre"].value), a, b) for a, b in splits]
    printed_birth = own.get("fecha_nacimiento", NONE).value
    if isinstance(printed_birth, dt.date):
        dates_.append(printed_birth)
    if "sexo" in own:
        sexes.append(str(own["sexo"].value))
    states = (str(own["estado_nacimiento"].value),) if "estado_nacimiento" in own else ()
    prefix = None
    if mrz is not None:
        parts = split_mrz_names(mrz)
        if parts.get("nombre") and parts.get("primer_apellido"):
            splits = surname_splits(parts["primer_apellido"], parts.get("segundo_apellido"))
            mrz_names += [(parts["nombre"], a, b) for a, b in splits]
        if mrz.birth_date is not None and mrz.checks.get("birth_date"):
            dates_.append(mrz.birth_date)
        if (letter := mrz.sexo) is not None:
            sexes.append(letter)
        if mrz.checks.get("optional_data") and mrz.curp_prefix and len(mrz.curp_prefix) == 14:
            prefix = mrz.curp_prefix
    return evidence_rules.Evidence(
        tuple(names), tuple(dates_), tuple(sexes), prefix, tuple(mrz_names), states
    )


def surname_splits(first: str, second: str | None) -> list[tuple[str, str | None]]:
    """Every way the words of two surnames may be split into a first and a second one, the
    given split first.

    >>> surname_splits("SAN", "JUAN GUTIÉRREZ")
    [('SAN', 'JUAN GUTIÉRREZ'), ('SAN JUAN', 'GUTIÉRREZ')]
    >>> surname_splits("LÓPEZ", None)
    [('LÓPEZ', None)]
    """
    words = f"{first} {second or ''}".split()
    others = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    return [(first, second)] + [pair for pair in others if pair != (first, second)]


def find_curp(
    found: list[Phrase], label: Phrase | None, birth_year: int | None = None
) -> tuple[Reading, Phrase | None]:
    """The CURP: candidates near its label first, then anywhere; a valid check digit wins.
    Also returns the phrase it was read from."""
    close = [label, *neighbours(found, label, below=1)] if label else []
    near = {id(p) for p in close}
    best: tuple[Reading, Phrase | None] = (NONE, None)
    for phrase in [p for p in close + with_split_values(found) if not mrz_like(p.text)]:
        whole = holds_whole_curp(phrase.text)
        for candidate in curp_candidates(phrase.text, birth_year):
            valid = curp_check_ok(candidate) and whole
            if not valid and id(phrase) not in near:
                continue  # far from the label only a check-digit-valid CURP is believed
            repaired = candidate not in re.sub(r"[^A-Z0-9]", "", text_lines.fold(phrase.text))
            conf = checked(phrase.confidence) if valid else unconfirmed(phrase.confidence)
            source = placed(phrase, label, close)
            reading = Reading(value=candidate, confidence=conf, source=source,
                              repaired=repaired, partial=not whole)  # fmt: skip
            if valid:
                return reading, phrase
            if not best[0].present:
                best = (reading, phrase)
    return best


def curp_sources(found: list[Phrase], label: Phrase | None) -> list[Phrase]:
    """Where a CURP may be printed, best first: its label's phrase and neighbours, then
    every phrase of the side."""
    near = [label, *neighbours(found, label, below=1)] if label else []
    rest = [p for p in with_split_values(found) if all(p is not q for q in near)]
    return [p for p in near + rest if not mrz_like(p.text)]


def mrz_like(text: str) -> bool:
    """A line of a machine-readable zone (fillers, once OCR look-alikes are mapped), where no
    printed CURP is searched; a long printed line (a CURP beside AÑO DE REGISTRO) is searched.

    >>> mrz_like("P<MEXPEREZ<<ANA<<<<<<<<"), mrz_like("G12345678MEX8505121F3003013<<<<<<<<0")
    (True, True)
    >>> mrz_like("CURP VAZO870706HDFLXS04 AÑO DE REGISTRO 2019 00")
    False
    """
    return mrz.clean_line(text).count("<") >= 2


def first_curp(
    found: list[Phrase], label: Phrase | None, evidence: evidence_rules.Evidence, year: int | None
) -> Reading:
    """The first, OCR-free pass: a CURP read as printed (check digit holding after
    letter/digit shape repair), else the label's unconfirmed reading (low confidence)."""
    sources = curp_sources(found, label)
    choice = evidence_rules.resolve([p.text for p in sources], evidence)
    if choice is not None and choice.check_ok:
        return _choice_reading(choice, sources[choice.token], found, label)
    return find_curp(found, label, year)[0]


def _choice_reading(
    choice: evidence_rules.CurpChoice, phrase: Phrase, found: list[Phrase], label: Phrase | None
) -> Reading:
    """A resolved CURP whose check digit holds as a Reading, from the phrase it was read in."""
    near = neighbours(found, label, below=1) if label else []
    return Reading(
        value=choice.curp,
        confidence=checked(phrase.confidence),
        source=placed(phrase, label, near),
        repaired=choice.repaired,
    )


def _first_readings(
    found: list[Phrase],
    label: Phrase | None,
    sources: list[Phrase],
    evidence: evidence_rules.Evidence,
) -> dict[str, Reading]:
    """The first pass's CURP readings up to one confusion (:func:`pipeline.curp_evidence.readings`),
    each with where and how surely it was read: what a second reading is compared with."""
    near = neighbours(found, label, below=1) if label else []
    seen: dict[str, Reading] = {}
    for phrase in sources:
        for value in evidence_rules.readings([phrase.text], evidence):
            where = placed(phrase, label, near)
            read = Reading(value=value, confidence=bounded(phrase.confidence), source=where)
            seen.setdefault(value, read)
    return seen


def settle_curp(
    page: Page,
    ocr: OcrEngine,
    found: list[Phrase],
    label: Phrase | None,
    evidence: evidence_rules.Evidence,
    whitelist: str | None = None,
) -> Reading:
    """The CURP, settled with the document's evidence (:func:`pipeline.curp_evidence.resolve`). When
    no reading holds its check digit, the line is OCR'd once more, closer, with a whitelist
    (the failure path only): a reading that then holds wins; a check-failing CURP that
    agrees with all the evidence and is read the same twice is what is printed."""
    year = evidence.birth_dates[0].year if evidence.birth_dates else None
    sources = curp_sources(found, label)
    choice = evidence_rules.resolve([p.text for p in sources], evidence)
    if choice is not None and choice.check_ok:
        read = _choice_reading(choice, sources[choice.token], found, label)
        if not evidence_rules.contradicts(evidence, choice.curp):
            return read
        return _read_again_agreeing(page, sources[choice.token], ocr, whitelist, evidence) or read
    fallback, phrase = find_curp(found, label, year)
    if choice is not None:
        phrase = sources[choice.token]
    phrase = phrase or located_by_evidence(sources, evidence)
    seen = _first_readings(found, label, sources, evidence)
    targets = curp_regions(found, label, phrase)
    for target in targets or skipped_bands(page, found)[:MAX_BANDS]:
        box: Phrase | None
        if targets:
            again, box = reread_phrase(page, target, ocr, whitelist), target
        else:
            again, box = _reread_band(page, target, ocr, whitelist)
        text = again.text
        # a band's two readings share one crop: only a check-digit-valid CURP is taken there
        second = _second_reading(again, evidence, seen if targets else None)
        if second is None and targets:
            value = _check_read_elsewhere(text, target.text, evidence)
            if value is not None:
                conf = checked(again.confidence())
                second = Reading(value=value, confidence=conf, source=Source.REGION, repaired=True)
        if second is None and box is not None:
            second = check_glyph_as_digit(page, box, ocr, again, evidence)
        if second is not None:
            return second
        if fallback.present and fallback.value in curp_candidates(text, year) and phrase:
            # read the same again: the re-read witnesses the first reading
            conf = again.confidence(lambda line: fallback.value in curp_candidates(line, year))
            return fallback.witnessed(Source.REGION, conf, own=phrase.confidence)
        if not targets and any(curp_long(word) for word in text.split()):
            break  # the band held a CURP-long line (read twice) but no agreeing CURP
    return fallback


def _read_again_agreeing(
    page: Page,
    phrase: Phrase,
    ocr: OcrEngine,
    whitelist: str | None,
    evidence: evidence_rules.Evidence,
) -> Reading | None:
    """A CURP holding its check digit that the document's other fields contradict, read
    again closer: a reading there that holds its check digit and agrees with the evidence
    (VILLA... read as MICR... keeps the check digit: M and V differ by 10, position 0 weighs
    18). Else None: the first reading stands, as printed, never rewritten."""
    again = reread_phrase(page, to_full_length(phrase), ocr, whitelist)
    other = evidence_rules.resolve(again.text.splitlines(), evidence)
    if other is None or not other.check_ok or evidence_rules.contradicts(evidence, other.curp):
        return None
    conf = again.confidence(lambda line: other.curp in evidence_rules.readings([line], evidence))
    return Reading(value=other.curp, confidence=checked(conf), source=Source.REGION,
                   repaired=other.repaired)  # fmt: skip


#: fewest of a CURP's first 13 characters the evidence must find in a phrase to place it
MIN_EVIDENCE_MATCH = 8
#: fewest characters of a CURP's start (its four initials and a birth-year digit), all as
#: the evidence predicts, that place a CURP read cut short after them
MIN_START_MATCH = 5


def located_by_evidence(sources: list[Phrase], evidence: evidence_rules.Evidence) -> Phrase | None:
    """The phrase where the CURP the evidence predicts is printed, though read too mangled to
    parse (``RACNOS! 107HCC``, its label unread) or only from its middle on (``S10HTSRXRB5``,
    its first characters read apart or dropped): the one holding the most of the predicted
    first 16 characters (:func:`pipeline.curp_evidence.evidence_place`), if they are at least
    MIN_EVIDENCE_MATCH and three quarters of those the evidence covers there, or a CURP's
    start read cut short (``MOMS7``: at least MIN_START_MATCH characters from a word start,
    every one as the evidence predicts). Its box is widened leftwards over the characters
    before the part read. It is only where to read again: what is taken from there must
    still pass :func:`_second_reading`."""
    best: tuple[evidence_rules.Placement, Phrase] | None = None
    for phrase in sources:
        place = evidence_rules.evidence_place(phrase.text, evidence)
        enough = place.matches >= max(MIN_EVIDENCE_MATCH, -(-3 * place.covered // 4))
        start = place.offset == 0 and place.matches == place.covered >= MIN_START_MATCH
        if (enough or start) and (best is None or place.matches > best[0].matches):
            best = (place, phrase)
    if best is None:
        return None
    place, phrase = best
    if place.offset == 0:
        return phrase
    squashed = max(1, sum(1 for c in text_lines.fold(phrase.text) if c.isalnum()))
    per_char = (phrase.right - phrase.left) / squashed
    left = phrase.left + int((place.start - place.offset * 1.15) * per_char)
    return Phrase(phrase.text, phrase.confidence, max(0, left), phrase.top, phrase.right,
                  phrase.bottom, phrase.line)  # fmt: skip


def _second_reading(
    reread: Reread, evidence: evidence_rules.Evidence, seen: dict[str, Reading] | None
) -> Reading | None:
    """A closer re-OCR's CURP: one whose check digit holds, or a check-failing one that
    agrees with all the evidence and was read the same before (``seen``: the first pass's
    readings up to one confusion, or another line of this re-OCR, which then witnesses it;
    None: no check-failing CURP is taken). Its confidence is its line's words'."""
    lines = reread.text.splitlines() or [""]
    again = evidence_rules.resolve(lines, evidence)
    if again is None:
        return None
    conf = reread.confidence(lambda line: line == lines[again.token])
    if again.check_ok:
        return Reading(
            value=again.curp, confidence=checked(conf), source=Source.REGION,
            repaired=again.repaired,
        )  # fmt: skip
    if seen is None:
        return None
    read = Reading(value=again.curp, confidence=conf, source=Source.REGION)
    first = seen.get(again.curp)
    if first is not None and first.source is not None:
        return read.witnessed(first.source, first.confidence)
    others = [line for i, line in enumerate(lines) if i != again.token]
    other = next((o for o in others if again.curp in evidence_rules.readings([o], evidence)), None)
    if other is not None:
        return read.witnessed(Source.REGION, reread.confidence(lambda line: line == other))
    return None


def _check_read_elsewhere(text: str, first: str, evidence: evidence_rules.Evidence) -> str | None:
    """A closer re-read whose CURP agrees with all the evidence but ends in a letter no
    check reading fits (S for 9), when the first reading of the same line ended in a digit
    that makes the check digit hold: each reading supplies what the other misread.

    >>> ev = evidence_rules.Evidence(names=(("Ana", "Zúñiga", "Martínez"),),
    ...                          birth_dates=(dt.date(1985, 11, 9),), sexes=("M",))
    >>> _check_read_elsewhere("CURP ZUMA851109MMCXRN0S", "curp ZUMA85109MMCXRN09", ev)
    'ZUMA851109MMCXRN09'
    >>> _check_read_elsewhere("CURP ZUMA851109MMCXRN0S", "curp ZUMA85109MMCXRN07", ev) is None
    True
    """
    again = evidence_rules.resolve(text.splitlines() or [""], evidence)
    last = re.sub(r"[^A-Z0-9]", "", text_lines.fold(text))[-1:]
    tail = re.sub(r"[^A-Z0-9]", "", text_lines.fold(first))[-1:]
    if again is None or again.check_ok or not last.isalpha() or not tail.isdigit():
        return None
    value = again.curp[:17] + tail
    if again.method != "printed-invalid" or not curp_check_ok(value):
        return None
    return value


def curp_regions(found: list[Phrase], label: Phrase | None, phrase: Phrase | None) -> list[Phrase]:
    """Where to look again for a CURP: the phrase a doubtful one was read from, else the
    label's line to its right, and the row under the label (:func:`row_below`) from the
    label's left edge, a CURP wide, or where that row is printed when nothing under the label
    was read (:func:`slot_below`)."""
    if phrase is not None:
        return [to_full_length(phrase)]
    if label is None:
        return []
    h = max(label.height, 8)
    # the label's phrase may hold the value's first characters (``CURP CAVA``)
    right = max(label.right + 20 * h, label.left + int((CURP_WIDTH + 6) * h))
    line = Phrase(label.text, label.confidence, label.left, label.top, right, label.bottom,
                  label.line)  # fmt: skip
    row = row_below(found, label)
    if row is None:  # nothing read under the label: where its value is printed
        return [line, slot_below(found, label)]
    # the value starts at its label's left edge, whatever part of it the OCR read apart
    left = min(row.left, label.left - h // 2)
    below = Phrase(row.text, row.confidence, left, row.top,
                   max(row.right, left + int(CURP_WIDTH * row.height)), row.bottom, row.line)  # fmt: skip
    return [line, below]


#: a printed CURP's width in its line's heights (18 capitals and digits, with margin)
CURP_WIDTH = 20.0


def to_full_length(phrase: Phrase, length: int = 18) -> Phrase:
    """The phrase's box widened rightwards to hold a value of ``length`` characters: a CURP
    read cut short (its last characters split off into a word the OCR dropped) is re-read
    whole, not again cut where the first reading stopped. The width per character is the
    phrase's own.

    >>> to_full_length(Phrase("GOPR820303MOCN", 0.9, 1238, 2013, 1671, 2070, 13)).right
    1825
    >>> to_full_length(Phrase("CURP GOPR820303MOCNRC07", 0.9, 100, 0, 600, 40, 1)).right
    600
    """
    value = max(re.findall(r"[A-Z0-9]+", text_lines.fold(phrase.text)) or [""], key=len)
    missing = length - len(value)
    if missing <= 0 or not phrase.text:
        return phrase
    per_char = (phrase.right - phrase.left) / len(phrase.text)
    right = phrase.right + int(missing * per_char * 1.25)
    return Phrase(phrase.text, phrase.confidence, phrase.left, phrase.top, right, phrase.bottom,
                  phrase.line)  # fmt: skip


#: characters of a CURP line (label letters included)
CURP_WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def reread_phrase(
    page: Page,
    phrase: Phrase,
    ocr: OcrEngine,
    whitelist: str | None = None,
    target: float = 40.0,
) -> Reread:
    """A CURP phrase's box read again, enlarged, whitelisted, as a block of lines: the box
    takes in parts of the lines above and below, and a picture beside the value, which a
    single-line reading garbles into it (``VIGC500829MPLLRN03`` read ``MCSOIZSNPLLANES`` as a
    line, right as a block); a box the OCR stretched over a neighbouring picture (over two
    lines' height) is scaled by the page's text height (:func:`line_height`), not by its own."""
    crop = replace(PHRASE_LINES, target=target)
    return read_region(page, phrase, crop, ocr, whitelist or CURP_WHITELIST)


def _reread_band(
    page: Page, band: Phrase, ocr: OcrEngine, whitelist: str | None
) -> tuple[Reread, Phrase | None]:
    """A band the page OCR skipped, read (a few lines); a CURP-long word found there is read
    once more on its own, as a single line and larger, and both readings are returned, with
    that word's box. When the block reading found none (Tesseract drops a bold line between
    two small labels), the band's widest ink rows (:func:`ink_rows`) are read one by one."""
    box, h = region(page, band, BAND)
    result = ocr_box(page, box, h, BAND, ocr, whitelist or CURP_WHITELIST)
    if result is None:
        return Reread(), None
    first = Reread.of(result)
    long_words = [w for w in result.words if curp_long(w.text)]
    if not long_words:
        return _read_ink_rows(page, box, h, band.line, ocr, whitelist, first)
    word, factor = long_words[0], scale_of(box, h, BAND)
    y0, x0 = box[0], box[2]
    at = Phrase(word.text, word.confidence, x0 + int((word.left - 12) / factor),
                y0 + int((word.top - 12) / factor), x0 + int((word.right - 12) / factor),
                y0 + int((word.top + word.height - 12) / factor), band.line)  # fmt: skip
    return first + reread_phrase(page, at, ocr, whitelist, target=48.0), at


#: most ink rows of a band read one by one, and the fewest CURP widths (text heights) one spans
MAX_INK_ROWS = 2
MIN_ROW_WIDTH = 9


def _read_ink_rows(
    page: Page, box: Box, h: float, line: int, ocr: OcrEngine, whitelist: str | None, first: Reread
) -> tuple[Reread, Phrase | None]:
    """The band's widest ink rows (at least MIN_ROW_WIDTH text heights: a CURP's width),
    each read as its own box until one holds a CURP-long word: ``first`` with that reading
    and the row's box; else ``first`` alone."""
    y0, _, x0, _ = box
    rows = [r for r in ink_rows(grey_crop(page, box), h) if r[3] - r[2] >= MIN_ROW_WIDTH * h]
    for top, bottom, left, right in rows[:MAX_INK_ROWS]:
        at = Phrase("", 0.0, x0 + left, y0 + top, x0 + right, y0 + bottom, line)
        again = reread_phrase(page, at, ocr, whitelist, target=48.0)
        if any(curp_long(word) for word in again.text.split()):
            return first + again, at
    return first, None


#: the digits the CURP's last character (its check digit) may be
DIGITS = "0123456789"


def check_glyph_as_digit(
    page: Page, box: Phrase, ocr: OcrEngine, again: Reread, evidence: evidence_rules.Evidence
) -> Reading | None:
    """A re-read CURP that agrees with all the evidence but fails its check digit, its
    region read once more with digits only: the last character is always a digit (a 9 read
    as S, O, Q or Y by a reading allowed letters). The CURP read with the digit reading's
    last glyph is taken when its check digit then holds; else None."""
    choice = evidence_rules.resolve(again.text.splitlines(), evidence)
    if choice is None or choice.check_ok:
        return None
    digits = reread_phrase(page, box, ocr, DIGITS)
    tokens = [t for t in re.findall(r"\d+", digits.text) if _ends_curp(t, choice.curp)]
    if not tokens:
        return None
    value = choice.curp[:17] + tokens[-1][-1]
    if not curp_check_ok(value):
        return None
    conf = checked(min(again.confidence(), digits.confidence()))
    return Reading(value=value, confidence=conf, source=Source.REGION, repaired=True)


def _ends_curp(token: str, curp: str) -> bool:
    """Does a digits-only reading ``token`` end where ``curp`` ends: the whole CURP, its
    letters read as digits (17-19 digits), or its letters dropped: the birth date, the
    homonym when it is a digit, then the check digit.

    >>> _ends_curp("87050509", "LUTS870505HDFNRR06"), _ends_curp("8705059", "LUTS870505HDFNRRA6")
    (True, True)
    >>> _ends_curp("87050519", "LUTS870505HDFNRR06"), _ends_curp("1987", "LUTS870505HDFNRR06")
    (False, False)
    """
    if 17 <= len(token) <= 19:
        return True
    homonym = curp[16] if curp[16].isdigit() else ""
    return len(token) == 7 + len(homonym) and token[:-1] == curp[4:10] + homonym


#: at most this many unread bands of a page are OCR'd again looking for a missing CURP
MAX_BANDS = 3


def with_split_values(found: list[Phrase]) -> list[Phrase]:
    """``found`` and, after it, each pair of neighbouring phrases on one line joined when
    neither alone is as long as a CURP but together they are: the OCR split a value at a
    wide gap between two of its characters (``00`` | ``HM740811HSPCRG69``).

    >>> a = Phrase("00", 0.9, 1228, 2000, 1284, 2065, 11)
    >>> b = Phrase("HM74081 1HSPCRG69", 0.9, 1290, 2035, 1676, 2064, 12)
    >>> [p.text for p in with_split_values([a, b])][2:]
    ['00 HM74081 1HSPCRG69']
    """
    rows = sorted(found, key=lambda p: (p.top + p.bottom) / 2)
    joined = []
    for first in rows:
        for second in rows:
            if second is first or not _side_by_side(first, second):
                continue
            sizes = [
                len(re.sub(r"[^A-Z0-9]", "", text_lines.fold(p.text))) for p in (first, second)
            ]
            if max(sizes) < 18 and 17 <= sum(sizes) <= 20:
                joined.append(Phrase(f"{first.text} {second.text}",
                                     min(first.confidence, second.confidence), first.left,
                                     min(first.top, second.top), second.right,
                                     max(first.bottom, second.bottom), first.line))  # fmt: skip
    return [*found, *joined]


def _side_by_side(first: Phrase, second: Phrase) -> bool:
    """``second`` starts just right of ``first`` (within two of its heights), overlapping
    its height."""
    h = max(8, min(first.height, second.height))
    overlap = min(first.bottom, second.bottom) - max(first.top, second.top)
    return 0 <= second.left - first.right <= 2 * h and overlap >= 0.5 * h
