"""Second looks against the document's own evidence: a CURP not read as printed settled with
the evidence, printed dates and names that disagree with a fully valid MRZ read again closer
(kept only when they then agree), and an MRZ names line re-read when it disagrees with the print.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

from models.mrz import MrzResult
from models.results import Reading, Source
from pipeline import document as doc
from pipeline import mrz_image
from pipeline.document import Page, Phrase
from pipeline.engines.tesseract import OcrEngine
from pipeline.id import templates
from pipeline.id.common import NONE, YEAR, curp_text, mrz_confidence
from pipeline.id.curp_reading import curp_evidence, read_curp
from pipeline.id.fields import day_dates, find_sex, glued_dates
from pipeline.id.labels import find_labels
from pipeline.id.name_parts import (
    clean_name,
    looks_like_label,
    split_mrz_names,
    split_name_lines,
    split_surnames,
)
from pipeline.id.name_reading import find_names_ine, names_agree
from pipeline.id.rereads import reread_block, reread_near


def settle_ine_curp(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult | None
) -> None:
    """Second, evidence-backed pass on a CURP the first pass could not read as printed; the
    fields derived from the CURP (name split, sex fallback) follow the settled value."""
    found = doc.phrases(page.words)
    labels = find_labels(found, templates.load(templates.INE_FRONT))
    evidence = curp_evidence(fields, mrz)
    settled = read_curp(page, ocr, found, labels.get("curp"), evidence)
    if settled.value == fields["curp"].value:
        return
    fields["curp"] = settled
    fields.update(find_names_ine(found, labels, settled))
    if fields.get("sexo", NONE).source is Source.CURP:
        fields["sexo"] = find_sex(page, found, labels.get("sexo"), settled, ocr)


def recheck_ine_dates(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult
) -> None:
    """A printed date that disagrees with a fully valid MRZ is read once more, closer (its
    label's region, digits only); the re-read replaces it only when it agrees with the MRZ,
    so a genuinely different print still shows as MRZ_INCONSISTENT."""
    ine = templates.load(templates.INE_FRONT)
    labels = find_labels(doc.phrases(page.words), ine)
    vig, born = fields.get("vigencia_hasta", NONE), fields.get("fecha_nacimiento", NONE)
    expiry = mrz.expiry_date
    if (
        "vigencia" in labels
        and expiry
        and vig.present
        and getattr(vig.value, "year", 0) != expiry.year
    ):
        again = reread_near(page, labels["vigencia"], ocr, ine.whitelist("vigencia"))
        year = str(expiry.year)
        if year in YEAR.findall(again.text):
            conf = again.confidence(lambda line: year in YEAR.findall(line))
            fields["vigencia_hasta"] = _witnessed_reread(dt.date(expiry.year, 12, 31), conf, mrz)
    if "nacimiento" in labels and mrz.birth_date and born.present and born.value != mrz.birth_date:
        again = reread_near(page, labels["nacimiento"], ocr, ine.whitelist("nacimiento"))
        birth = mrz.birth_date
        if birth in day_dates(again.text, birth=True):
            conf = again.confidence(lambda line: birth in day_dates(line, birth=True))
            fields["fecha_nacimiento"] = _witnessed_reread(birth, conf, mrz)


def _witnessed_reread(value: object, confidence: float, mrz: MrzResult) -> Reading:
    """A printed value read again closer (``confidence``: its words') that now agrees with a
    valid MRZ, which witnesses it; the first reading's misread is repaired."""
    read = Reading(value=value, confidence=confidence, source=Source.REGION, repaired=True)
    return read.witnessed(Source.MRZ, mrz_confidence(mrz))


def recheck_passport_dates(
    page: Page,
    ocr: OcrEngine,
    fields: dict[str, Reading],
    labels: dict[str, Phrase],
    mrz: MrzResult,
) -> None:
    """Passport: a printed birth or expiry date that disagrees with a fully valid MRZ is read
    once more, closer; the re-read replaces it only when it agrees with the MRZ (a genuinely
    different print still shows as MRZ_INCONSISTENT)."""
    passport = templates.load(templates.PASSPORT_PAGE)
    for name, key, value in (
        ("fecha_nacimiento", "nacimiento", mrz.birth_date),
        ("vigencia_hasta", "caducidad", mrz.expiry_date),
    ):
        read = fields.get(name, NONE)
        if key not in labels or value is None or not read.present or read.value == value:
            continue
        again = reread_near(page, labels[key], ocr, passport.whitelist(key))
        birth = name == "fecha_nacimiento"

        def holds(text: str, value: dt.date = value, birth: bool = birth) -> bool:
            return value in day_dates(text, birth=birth) + glued_dates(text)

        if holds(again.text):
            fields[name] = _witnessed_reread(value, again.confidence(holds), mrz)


def recheck_ine_names(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult, found: list[Phrase]
) -> None:
    """INE: printed names that disagree with a fully valid MRZ (lines read interleaved on a
    tilted card, a line lost) are read once more, closer (the block under NOMBRE); the
    re-read replaces them only when every part then agrees with the MRZ, so a genuinely
    different print still shows as MRZ_INCONSISTENT / NAME_MISMATCH."""
    ine = templates.load(templates.INE_FRONT)
    label = find_labels(found, ine).get("nombre")
    curp = curp_text(fields.get("curp", NONE))
    wanted = split_mrz_names(mrz, curp)
    if label is None or not mrz.surnames.strip() or names_agree(fields, wanted, mrz):
        return
    columns = [p for p in found if p is not label and re.search(ine.any_label, p.key)]
    again = reread_block(page, label, ocr, columns=columns)
    lines = [clean_name(line) for line in again.text.splitlines()]
    lines = [line for line in lines if line and not re.search(ine.any_label, doc.fold(line))]
    used = set(lines[:3])
    conf = again.confidence(lambda text: clean_name(text) in used)
    parts = split_name_lines(lines[:3], curp)
    reread = {k: _name_reread(v, conf, mrz) for k, v in parts.items()}
    if names_agree(reread, wanted, mrz):
        fields.update(reread)


def _name_reread(value: str, confidence: float, mrz: MrzResult) -> Reading:
    """A name part read again closer (``confidence``: the words of the lines used), kept
    only when it agrees with the MRZ, which then witnesses it."""
    read = Reading(value=value, confidence=confidence, source=Source.REGION)
    return read.witnessed(Source.MRZ, mrz_confidence(mrz))


def recheck_passport_names(
    page: Page,
    ocr: OcrEngine,
    fields: dict[str, Reading],
    labels: dict[str, Phrase],
    mrz: MrzResult,
) -> None:
    """Passport: a printed surnames or given-names line that disagrees with a fully valid
    MRZ (a word split by an accent, a word lost) or was not read at all (the MRZ's name,
    without accents, stands in) is read once more, closer; the re-read is kept only when it
    agrees with the MRZ."""
    stop_words = templates.load(templates.PASSPORT_PAGE).name_stop_words
    curp = curp_text(fields.get("curp", NONE))
    wanted = split_mrz_names(mrz, curp)
    groups = {
        "apellidos": ("primer_apellido", "segundo_apellido"),
        "nombres": ("nombre",),
    }
    for key, parts in groups.items():
        subset = {name: wanted[name] for name in parts if name in wanted}
        unread = any(fields.get(name, NONE).present and not fields[name].printed for name in subset)
        if key not in labels or not subset or (names_agree(fields, subset, mrz) and not unread):
            continue
        again = reread_block(page, labels[key], ocr, 2.5)
        lines = [clean_name(x) for x in again.text.splitlines()]
        line = next((x for x in lines if x and not looks_like_label(x, stop_words)), "")
        conf = again.confidence(partial(_cleaned_is, line))
        if key == "apellidos":
            values = dict(zip(parts, split_surnames(line, curp or mrz.curp_prefix), strict=True))
        else:
            values = {"nombre": line}
        reread = {k: _name_reread(v, conf, mrz) for k, v in values.items()}
        if line and names_agree(reread, subset, mrz):
            fields.update(reread)


def _cleaned_is(line: str, text: str) -> bool:
    """``text``, cleaned as a name, is ``line``."""
    return clean_name(text) == line


def recheck_mrz_names(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult
) -> MrzResult:
    """A valid MRZ whose name line (no check digit guards it) disagrees with the names read
    in the print is read once more by Tesseract; its name line is taken only when the rest
    of that reading is the same valid MRZ and its names then agree with the print. What is
    re-read is the MRZ itself: an altered MRZ (or print) reads the same the second time and
    still shows as MRZ_INCONSISTENT."""
    parts = [fields.get(k, NONE) for k in ("primer_apellido", "nombre")]
    if not all(p.present and p.printed for p in parts):
        return mrz
    curp = curp_text(fields.get("curp", NONE))
    if names_agree(fields, split_mrz_names(mrz, curp), mrz):
        return mrz
    for other in mrz_image.tesseract_readings(page.image, ocr):
        same = other.valid and other.lines[:-1] == mrz.lines[:-1]
        if same and names_agree(fields, split_mrz_names(other, curp), other):
            # its checked lines are the first reading's: so is the confidence in them
            method = f"{mrz.method}+names:{other.method}"
            return other.model_copy(update={"method": method, "confidence": mrz.confidence})
    return mrz
