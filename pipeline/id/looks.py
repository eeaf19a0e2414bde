"""What each second look of :mod:`pipeline.id.scheduler` does once started: re-read its region
(:mod:`pipeline.id.regions`), parse the text by the field's grammar, and accept a candidate
only by the document's evidence (agreement with a fully valid MRZ, or the CURP's consistency
step :func:`pipeline.curp_evidence.resolve`); a field is never rewritten to make a check pass. Each
returns whether the reading changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from models.documents import DocumentImage
from models.mrz import MrzResult
from models.results import Reading, Source
from pipeline import curp_evidence as evidence_rules
from pipeline import mrz_image, text_lines
from pipeline.document import Page
from pipeline.engines.tesseract import OcrEngine
from pipeline.id import templates
from pipeline.id.common import ICAO_SEX, NONE, YEAR, curp_text, mrz_confidence
from pipeline.id.curp_reading import curp_evidence, settle_curp
from pipeline.id.fields import day_dates, glued_dates
from pipeline.id.labels import find_labels
from pipeline.id.name_parts import (
    clean_name,
    lines_the_curp_confirms,
    looks_like_label,
    split_mrz_names,
    split_name_lines,
    split_surnames,
)
from pipeline.id.name_reading import find_names_ine, names_agree, passport_names
from pipeline.id.regions import Crop, column_edge, read_box, read_region, region
from pipeline.text_lines import Phrase

if TYPE_CHECKING:
    from pipeline.id.scheduler import Look


@dataclass
class SideRead:
    """How a side was photographed and read, for the look that reads it again whole: the
    photo, the side's measurements and expected kind, its first pass (page -> fields and the
    MRZ), and whether that MRZ is printed on this side (``mrz_here``: a passport page)."""

    image: np.ndarray
    record: DocumentImage
    kind: str
    first_pass: Callable[[Page], tuple[dict[str, Reading], MrzResult | None]] | None = None
    mrz_here: bool = False


@dataclass
class IdState:
    """One side's reading while its second looks run: the page and what was found on it,
    the fields so far, the MRZ (an INE's back, read apart: ``mrz_page``)."""

    template: templates.Template
    page: Page
    fields: dict[str, Reading]
    mrz: MrzResult | None
    ocr: OcrEngine
    mrz_page: Page | None = None
    found: list[Phrase] = field(default_factory=list)
    labels: dict[str, Phrase] = field(default_factory=dict)
    side: SideRead | None = None

    def __post_init__(self) -> None:
        if not self.found:
            self.found = text_lines.phrases(self.page.words)
        if not self.labels:
            self.labels = find_labels(self.found, self.template)

    @property
    def valid_mrz(self) -> MrzResult | None:
        """The MRZ when every check digit held (what a printed value is compared with)."""
        return self.mrz if self.mrz is not None and self.mrz.valid else None

    def label(self, look: Look) -> tuple[str, Phrase] | None:
        """The template key and the phrase of the look's label, when the template has it
        and it was found."""
        key = next((k for k in look.labels if k in self.template.fields), None)
        if key is None or key not in self.labels:
            return None
        return key, self.labels[key]

    def whitelist(self, key: str) -> str | None:
        """The template's ``reread`` characters for field ``key`` (None: unrestricted)."""
        return self.template.fields[key].reread or None


def look_beside(state: IdState, look: Look) -> bool:
    """A letter of the field's grammar read beside its label; the CURP's letter, when it
    agrees, witnesses it. Only a value the page did not give is filled, and a letter the CURP
    contradicts only when it is read more surely than the CURP's (a 0-confidence M read in
    the guilloche beside SEXO, the printed H under it, replaced the CURP's H)."""
    key, label = state.label(look) or ("", None)
    if label is None or look.crop is None:
        return False
    again = read_region(state.page, label, look.crop, state.ocr, state.whitelist(key))
    match = re.search(state.template.value(key), again.text)
    if match is None:
        return False
    letter = match.group(0)
    read = Reading(value=letter, confidence=again.confidence(lambda text: letter in text),
                   source=Source.REGION)  # fmt: skip
    curp, before = state.fields.get("curp", NONE), state.fields.get(look.field, NONE)
    if curp.present and str(curp.value)[10:11] == letter:
        read = read.witnessed(Source.CURP, curp.confidence)
    elif before.present and before.value != letter and before.confidence >= read.confidence:
        return False
    state.fields[look.field] = read
    return True


def look_as_mrz(state: IdState, look: Look) -> bool:
    """A printed date or letter that disagrees with a fully valid MRZ, read again in its
    label's region: replaced only by the MRZ's value, when the closer reading then reads it
    (by the field's grammar), so a genuinely different print still shows as
    MRZ_INCONSISTENT. A letter is read without the field's whitelist: the label in the
    region, read with it, glues onto the letter (``SEXO M`` as ``XM``)."""
    key, label = state.label(look) or ("", None)
    wanted, mrz = mrz_value(state, look.field), state.valid_mrz
    if label is None or look.crop is None or wanted is None or mrz is None:
        return False
    whitelist = state.whitelist(key) if isinstance(wanted, dt.date) else None
    again = read_region(state.page, label, look.crop, state.ocr, whitelist)
    grammar = state.template.fields[key].grammar or "date"
    birth = look.field == "fecha_nacimiento"

    def holds(text: str) -> bool:
        if isinstance(wanted, dt.date):
            return wanted in parse_dates(text, grammar, birth)
        letters = re.findall(state.template.value(key), text)
        return wanted in [ICAO_SEX.get(c, c) if grammar == "sex_icao" else c for c in letters]

    if not holds(again.text):
        return False
    read = Reading(value=wanted, confidence=again.confidence(holds), source=Source.REGION,
                   repaired=True)  # fmt: skip
    state.fields[look.field] = read.witnessed(Source.MRZ, mrz_confidence(mrz))
    return True


def parse_dates(text: str, grammar: str, birth: bool) -> list[dt.date]:
    """The dates a re-read's text holds by the field's grammar: ``vigencia`` (years, the
    last day of each), else day-dates (with separators or glued).

    >>> parse_dates("VIGENCIA 2020 - 2030", "vigencia", False)[-1]
    datetime.date(2030, 12, 31)
    >>> parse_dates("15/03/1990 x 23111993", "date", True)
    [datetime.date(1990, 3, 15), datetime.date(1993, 11, 23)]
    """
    if grammar == "vigencia":
        return [dt.date(int(year), 12, 31) for year in YEAR.findall(text)]
    return day_dates(text, birth=birth) + glued_dates(text)


def mrz_value(state: IdState, name: str) -> object | None:
    """The valid MRZ's value of field ``name`` (an expiry as the INE prints it: the year's
    last day when the template's grammar is years)."""
    mrz = state.valid_mrz
    if mrz is None:
        return None
    if name == "fecha_nacimiento":
        return mrz.birth_date
    if name == "sexo":
        return mrz.sexo
    if name == "vigencia_hasta" and mrz.expiry_date is not None:
        years = "vigencia" in state.template.fields
        return dt.date(mrz.expiry_date.year, 12, 31) if years else mrz.expiry_date
    return None


def document_evidence(state: IdState) -> evidence_rules.Evidence:
    """What the document says besides its CURP, as read so far (:func:`curp_evidence`)."""
    one_line = "name_line" in {f.grammar for f in state.template.fields.values()}
    return curp_evidence(state.fields, state.mrz, surnames_in_one_line=one_line)


def look_curp(state: IdState, look: Look) -> bool:
    """The CURP settled by the consistency step with the document's evidence, its line read
    again closer when no reading holds its check digit (:func:`settle_curp`); the fields
    derived from the CURP (the name split, a sex taken from it) follow a changed value."""
    evidence = document_evidence(state)
    label = state.labels.get("curp")
    first = state.fields.get("curp", NONE)
    whitelist = state.whitelist("curp") if "curp" in state.template.fields else None
    settled = settle_curp(state.page, state.ocr, state.found, label, evidence, whitelist)
    state.fields["curp"] = settled
    if settled.value == first.value:
        return False
    follow_curp(state, settled)
    return True


def follow_curp(state: IdState, curp: Reading) -> None:
    """The fields the CURP decides: the name split, a sex letter taken from the CURP."""
    if state.template.kind == "passport":
        state.fields.update(passport_names(state.found, state.labels, curp_text(curp), state.mrz))
        return
    state.fields.update(find_names_ine(state.found, state.labels, curp))
    sex = state.fields.get("sexo", NONE)
    if sex.source is Source.CURP or not sex.present:
        value = str(curp.value)[10:11] if curp.present and curp.value else ""
        state.fields["sexo"] = (
            Reading(value=value, confidence=curp.confidence, source=Source.CURP) if value else NONE
        )


def look_name_lines(state: IdState, look: Look) -> bool:
    """Names printed as lines under one label (``name_lines``: primer, segundo apellido,
    nombre) that disagree with a fully valid MRZ, read again as the block under the label
    (down to the next label, left of the next column); kept only when every part then
    agrees with the MRZ."""
    found = state.label(look)
    mrz = state.valid_mrz
    if found is None or look.crop is None or mrz is None:
        return False
    key, label = found
    curp = curp_text(state.fields.get("curp", NONE))
    wanted = split_mrz_names(mrz, curp)
    any_label = state.template.any_label
    columns = [p for p in state.found if p is not label and re.search(any_label, p.key)]
    box, h = block_under(state.page, label, look.crop, columns)
    again = read_box(state.page, box, h, look.crop, state.ocr)
    lines = [clean_name(line) for line in again.text.splitlines()]
    lines = [line for line in lines if line and not re.search(any_label, text_lines.fold(line))]
    lines = lines_the_curp_confirms([lines[:3]], curp)
    used = set(lines)
    conf = again.confidence(lambda text: clean_name(text) in used)
    parts = split_name_lines(lines, curp)
    reread = {k: _name_reread(v, conf, mrz) for k, v in parts.items()}
    if not names_agree(reread, wanted, mrz):
        return False
    state.fields.update(reread)
    return True


def block_under(
    page: Page, label: Phrase, crop: Crop, columns: list[Phrase]
) -> tuple[tuple[int, int, int, int], float]:
    """The block under ``label``: the crop's region, reaching down to the next label under it
    (its values may be printed larger than the label) at most twice as far, and ending left
    of the nearest label that starts to its right beside the block (``columns``: the other
    labels found)."""
    (y0, y1, x0, x1), h = region(page, label, crop)
    rows = page.image.shape[0]
    below = [
        p.top for p in columns if p.top > label.bottom + h and abs(p.left - label.left) < 3 * h
    ]
    if below:
        y1 = min(rows, label.bottom + 2 * (y1 - label.bottom), min(below))
    x1 = min([x1] + [column_edge(label, p, y0, y1, int(h)) for p in columns])
    return (y0, y1, x0, x1), h


def look_name_line(state: IdState, look: Look) -> bool:
    """One printed name line (``name_line``: the surnames, or the given names) that
    disagrees with a fully valid MRZ or was not read (the MRZ's stands in), read again
    under its label; kept only when it then agrees with the MRZ."""
    found, mrz = state.label(look), state.valid_mrz
    if found is None or look.crop is None or mrz is None:
        return False
    _, label = found
    curp = curp_text(state.fields.get("curp", NONE))
    subset = mrz_name_parts(state, look.field)
    again = read_region(state.page, label, look.crop, state.ocr)
    lines = [clean_name(x) for x in again.text.splitlines()]
    stop_words = state.template.name_stop_words
    line = next((x for x in lines if x and not looks_like_label(x, stop_words)), "")
    conf = again.confidence(partial(_cleaned_is, line))
    if look.field == "primer_apellido":
        split = split_surnames(line, curp or mrz.curp_prefix)
        values = dict(zip(("primer_apellido", "segundo_apellido"), split, strict=True))
    else:
        values = {look.field: line}
    reread = {k: _name_reread(v, conf, mrz) for k, v in values.items()}
    if not line or not names_agree(reread, subset, mrz):
        return False
    state.fields.update(reread)
    return True


def mrz_name_parts(state: IdState, name: str) -> dict[str, str]:
    """The valid MRZ's parts of the names a name-line look of field ``name`` reads (the
    second surname with the first)."""
    assert state.mrz is not None
    wanted = split_mrz_names(state.mrz, curp_text(state.fields.get("curp", NONE)))
    parts = ("primer_apellido", "segundo_apellido") if name == "primer_apellido" else (name,)
    return {part: wanted[part] for part in parts if part in wanted}


def _cleaned_is(line: str, text: str) -> bool:
    """``text``, cleaned as a name, is ``line``."""
    return clean_name(text) == line


def _name_reread(value: str, confidence: float, mrz: MrzResult) -> Reading:
    """A name part read again closer (``confidence``: the words of the lines used), kept
    only when it agrees with the MRZ, which then witnesses it."""
    read = Reading(value=value, confidence=confidence, source=Source.REGION)
    return read.witnessed(Source.MRZ, mrz_confidence(mrz))


def look_mrz_names(state: IdState, look: Look) -> bool:
    """A valid MRZ whose names line (no check digit guards it) disagrees with the printed
    names, read once more by Tesseract: its names line is taken only when the rest of that
    reading is the same valid MRZ and its names then agree with the print. An altered MRZ
    (or print) reads the same the second time and still shows as MRZ_INCONSISTENT."""
    mrz, page = state.valid_mrz, state.mrz_page
    if mrz is None or page is None:
        return False
    state.mrz = mrz_names_again(page, state.ocr, state.fields, mrz)
    return state.mrz is not mrz


def mrz_names_again(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult
) -> MrzResult:
    """The MRZ with its names line read again by Tesseract (see :func:`look_mrz_names`):
    ``mrz`` itself when no other reading of the same zone agrees with the printed names."""
    curp = curp_text(fields.get("curp", NONE))
    for other in mrz_image.tesseract_readings(page.image, ocr):
        same = other.valid and other.lines[:-1] == mrz.lines[:-1]
        if same and names_agree(fields, split_mrz_names(other, curp), other):
            # its checked lines are the first reading's: so is the confidence in them
            method = f"{mrz.method}+names:{other.method}"
            return other.model_copy(update={"method": method, "confidence": mrz.confidence})
    return mrz


def with_page(state: IdState, page: Page, fields: dict[str, Reading]) -> IdState:
    """The state of another reading of the same side (its page and first-pass fields)."""
    return replace(state, page=page, fields=fields, found=[], labels={})
