"""Field finders of the printed zone other than the CURP and the names: clave de elector,
dates (numeric, bilingual month names, glued), sex, vigencia, domicilio, and the passport's
dates and ICAO sex letter.
"""

from __future__ import annotations

import datetime as dt
import re

from models.results import Reading, Source
from pipeline import curp as curp_rules
from pipeline import dates, text_lines
from pipeline.id import templates
from pipeline.id.common import (
    CP,
    CURP_SHAPE,
    ICAO_SEX,
    NONE,
    TO_DIGIT,
    TO_LETTER,
    YEAR,
    bounded,
)
from pipeline.id.labels import (
    after_label,
    after_label_any,
    block_below,
    neighbours,
    placed,
    value_after,
)
from pipeline.text_lines import Phrase


def glued_dates(text: str) -> list[dt.date]:
    """Numeric dates whose separators the OCR lost (``23111993``: DDMMYYYY).

    >>> glued_dates("23111993 x 31021990")
    [datetime.date(1993, 11, 23)]
    """
    found = []
    for day, month, year in re.findall(r"(?<!\d)(\d\d)(\d\d)((?:19|20)\d\d)(?!\d)", text):
        try:
            found.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def find_clave_elector(found: list[Phrase], label: Phrase | None) -> Reading:
    """The clave de elector: 6 letters, YYMMDD, 2-digit state, H/M, 3 characters."""
    close = [label, *neighbours(found, label, below=1)] if label else []
    for phrase in close + found:
        squashed = re.sub(r"[^A-Z0-9]", "", text_lines.fold(after_label_any(phrase)))
        for start in range(0, max(0, len(squashed) - 17)):
            window = squashed[start : start + 18]
            value = (
                window[:6].translate(TO_LETTER)
                + window[6:14].translate(TO_DIGIT)
                + window[14].translate(TO_LETTER)
                + window[15:].translate(TO_DIGIT)
            )
            if re.fullmatch(r"[A-Z]{6}\d{8}[HMX]\d{3}", value) and not CURP_SHAPE.fullmatch(window):
                return Reading(
                    value=value,
                    confidence=bounded(phrase.confidence),
                    source=placed(phrase, label, close),
                    repaired=value != window,
                )
    return NONE


def day_dates(text: str, birth: bool = False) -> list[dt.date]:
    """Every single day-date in ``text`` (numeric or with month names, via pipeline.dates).

    >>> day_dates("FECHA DE NACIMIENTO 15/03/1990, VIGENCIA 31-12-2030")
    [datetime.date(1990, 3, 15), datetime.date(2030, 12, 31)]
    """
    return [
        m.start for m in dates.find_dates(bilingual_months(text), birth=birth) if m.kind == "day"
    ]


#: month abbreviations a bilingual document prints in pairs (``OCT/OCT``, ``ABR/APR``)
_MONTH_ABBR = "ENE|FEB|MAR|ABR|MAY|JUN|JUL|AGO|SEPT?|OCT|NOV|DIC|JAN|APR|AUG|DEC"


_MONTH_PAIR = re.compile(
    rf"(?<![A-Z])({_MONTH_ABBR})\s*[^A-Z0-9\s]?[IL1J]?[^A-Z0-9\s]?\s*({_MONTH_ABBR})(?![A-Z])"
)


def bilingual_months(text: str) -> str:
    """Folded ``text`` with a Spanish/English month pair whose slash the OCR read as a letter
    or lost (``OCTIOCT``, ``ABR]APR``, ``JUN JUN``) written ``OCT/OCT``: otherwise the slash's
    ``I`` and the second month's ``O`` could be taken for a two-digit year.

    >>> bilingual_months("06 OCTIOCT 2026"), bilingual_months("11 abr]apr 1988")
    ('06 OCT/OCT 2026', '11 ABR/APR 1988')
    >>> bilingual_months("MARIA 2026")
    'MARIA 2026'
    """
    return _MONTH_PAIR.sub(r"\1/\2", text_lines.fold(text))


def _curp_birth(curp: Reading) -> dt.date | None:
    if not curp.present or curp.value is None:
        return None
    return curp_rules.birth_date_of(curp.value)


def find_birth_date(found: list[Phrase], label: Phrase | None, curp: Reading) -> Reading:
    """The birth date next to its label, witnessed by the CURP when it is the CURP's; else
    the CURP's birth date where it is printed away from the label."""
    from_curp = _curp_birth(curp)
    ordered = [label, *neighbours(found, label, below=1)] if label else []
    for index, phrase in enumerate(ordered):
        for value in _phrase_dates(phrase):
            source = Source.LABEL if index == 0 else Source.NEAR
            read = Reading(value=value, confidence=bounded(phrase.confidence), source=source)
            return read.witnessed(Source.CURP, curp.confidence) if value == from_curp else read
    for phrase in found:
        for value in day_dates(phrase.text, birth=True):
            if from_curp is not None and value == from_curp:
                read = Reading(
                    value=value, confidence=bounded(phrase.confidence), source=Source.PATTERN
                )
                return read.witnessed(Source.CURP, curp.confidence)
    return NONE


def _phrase_dates(phrase: Phrase) -> list[dt.date]:
    return day_dates(phrase.text, birth=True)


def find_sex(found: list[Phrase], label: Phrase | None, curp: Reading) -> Reading:
    """H or M after the SEXO label, else the CURP's (a letter beside the label the page OCR
    missed is a second look, :mod:`pipeline.id.scheduler`). A letter the CURP's sex letter
    agrees with is witnessed by it (one letter is read unsurely)."""
    ine = templates.load(templates.INE_FRONT)
    reading = value_after(found, label, ine.value("sexo"))
    if reading.present and curp.present and str(curp.value)[10:11] == reading.value:
        return reading.witnessed(Source.CURP, curp.confidence)
    if reading.present:
        return reading
    if curp.present and curp.value:
        return Reading(value=curp.value[10], confidence=curp.confidence, source=Source.CURP)
    return NONE


def find_vigencia(found: list[Phrase], label: Phrase | None) -> tuple[Reading, Reading]:
    """``VIGENCIA 2020 - 2030`` -> ("2020-2030", 31 Dec 2030): the years in the label's
    phrase and those right of it on its line, else in the phrase just below."""
    if label is None:
        return NONE, NONE
    pattern = templates.load(templates.INE_FRONT).labels["vigencia"]
    near = neighbours(found, label, below=1)
    same_line = [label, *[p for p in near if p.line == label.line]]
    below = [p for p in near if p.line != label.line][:1]
    for group, source in ((same_line, Source.LABEL), (below, Source.NEAR)):
        text = " ".join(after_label(p, pattern) if p is label else p.text for p in group)
        years = [int(y) for y in YEAR.findall(text_lines.fold(text).translate(TO_DIGIT))][:2]
        if years:
            conf = bounded(min(p.confidence for p in group))
            span = "-".join(str(y) for y in years)
            end = dt.date(max(years), 12, 31)
            return (
                Reading(value=span, confidence=conf, source=source),
                Reading(value=end, confidence=conf, source=source),
            )
    return NONE, NONE


def find_domicilio(found: list[Phrase], labels: dict[str, Phrase]) -> dict[str, Reading]:
    """The address lines under DOMICILIO and the C.P. among them."""
    label = labels.get("domicilio")
    if label is None:
        return {}
    stop = templates.load(templates.INE_FRONT).any_label
    block = block_below(found, label, stop, limit=4)
    if not block:
        return {}
    text = ", ".join(p.text.strip() for p in block)
    conf = bounded(min(p.confidence for p in block))
    source = Source.LABEL if block[0] is label else Source.NEAR
    out = {"domicilio": Reading(value=text, confidence=conf, source=source)}
    codes = CP.findall(text.translate(TO_DIGIT) if False else text)
    if codes:
        out["codigo_postal"] = Reading(value=codes[-1], confidence=conf, source=source)
    return out


def passport_date(found: list[Phrase], label: Phrase | None, birth: bool = False) -> Reading:
    if label is None:
        return NONE
    for index, phrase in enumerate([label, *neighbours(found, label, below=1)]):
        text = after_label_any(phrase) if index == 0 else phrase.text
        value = day_dates(text, birth=birth)
        if value:
            return Reading(
                value=value[0],
                confidence=bounded(phrase.confidence),
                source=Source.LABEL if index == 0 else Source.NEAR,
            )
    return NONE


def passport_sex(found: list[Phrase], label: Phrase | None) -> Reading:
    """Passports print the ICAO letter (M masculino, F femenino): map it to H/M."""
    reading = value_after(found, label, templates.load(templates.PASSPORT_PAGE).value("sexo"))
    if not reading.present:
        return reading
    return reading.model_copy(update={"value": ICAO_SEX.get(str(reading.value), reading.value)})
