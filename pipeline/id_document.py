"""Read an INE (front + back) or a Mexican passport data page into typed, scored fields.

::

    reading = read_id(front, back, "ine", ocr)
    reading.curp.value, reading.curp.confidence, reading.curp.method   # "GOPM...", 0.97, "ocr:label"
    reading.mrz.valid                                                   # every check digit held

How: each side is located and straightened (:mod:`pipeline.document`), OCR'd once (words with
boxes), and the fields are found *layout-free*: by their printed labels (``NOMBRE``, ``CURP``,
``CLAVE DE ELECTOR``, ``FECHA DE NACIMIENTO``, ``SEXO``, ``VIGENCIA``...) and by their patterns,
never by coordinates. Check digits and cross-field agreement pick among candidates and repair
OCR confusions: the CURP's check digit and its embedded birth date/sex, the MRZ's check digits
(TD1 on the INE back, TD3 on the passport). A field missing after the first pass is OCR'd again
in the small region beside its label. Measurements only: readability is decided by the checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from models.documents import DocumentImage, IdReading
from models.mrz import MrzResult
from models.results import Reading
from pipeline import curp as curp_rules
from pipeline import dates, mrz_image, names, ocr_prep
from pipeline import document as doc
from pipeline.document import Page, Phrase
from pipeline.engines.tesseract import OcrEngine
from pipeline.uploads import Upload

#: labels of the INE front, folded (upper case, no accents); regex fragments
INE_LABELS = {
    "nombre": r"\bNOMBRE\b",
    "domicilio": r"\bDOMICILIO\b",
    "clave": r"CLAVE\s*DE\s*ELECTOR",
    "curp": r"\bCURP\b",
    "nacimiento": r"FECHA\s*DE\s*NACIMIENTO|\bNACIMIENTO\b",
    "sexo": r"\bSEXO\b",
    "registro": r"ANO\s*DE\s*REGISTRO|\bREGISTRO\b",
    "seccion": r"\bSECCION\b",
    "vigencia": r"\bVIGENCIA\b",
    "emision": r"\bEMISION\b",
    "estado": r"\bESTADO\b",
    "municipio": r"\bMUNICIPIO\b",
    "localidad": r"\bLOCALIDAD\b",
}
#: labels of a passport data page (Spanish / English)
PASSPORT_LABELS = {
    "apellidos": r"APELLIDOS|SURNAME",
    "nombres": r"\bNOMBRES?\b|GIVEN\s*NAMES?",
    "nacimiento": r"FECHA\s*DE\s*NACIMIENTO|DATE\s*OF\s*BIRTH",
    "sexo": r"\bSEXO\b|\bSEX\b",
    "caducidad": r"CADUCIDAD|EXPIRY|EXPIRATION|VENCIMIENTO",
    "expedicion": r"EXPEDICION|DATE\s*OF\s*ISSUE",
    "numero": r"PASAPORTE\s*N|PASSPORT\s*N|\bNO\.?\s*DE\s*PASAPORTE",
    "curp": r"\bCURP\b",
    "lugar": r"LUGAR\s*DE\s*NACIMIENTO|PLACE\s*OF\s*BIRTH",
    "nacionalidad": r"NACIONALIDAD|NATIONALITY",
    "autoridad": r"AUTORIDAD|AUTHORITY",
    "tipo": r"\bTIPO\b|\bTYPE\b",
    "pais": r"CLAVE\s*DEL\s*PAIS|COUNTRY\s*CODE",
}

#: an unread field
_NONE: Reading[Any] = Reading(value=None, confidence=0.0)
_CURP_SHAPE = re.compile(r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_CP = re.compile(r"(?<!\d)(\d{5})(?!\d)")
#: letters the OCR confuses with digits, and back
_TO_DIGIT = str.maketrans(
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
_TO_LETTER = str.maketrans(
    {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
)


def read_id(front: Upload, back: Upload | None, id_type: str, ocr: OcrEngine) -> IdReading:
    """Read the ID's fields. Never raises on bad input: an unusable side gives empty fields."""
    if not front.ok or front.image is None:
        return IdReading(id_type=id_type, problem=f"front_{front.kind}")
    if id_type == "passport":
        return read_passport(front.image, ocr)
    back_image = back.image if back is not None and back.ok else None
    return read_ine(front.image, back_image, ocr)


# --- INE -----------------------------------------------------------------------------------


def read_ine(front: np.ndarray, back: np.ndarray | None, ocr: OcrEngine) -> IdReading:
    """Read an INE: printed front fields, and the TD1 MRZ of the back when given."""
    front_page, front_record = read_side(front, ocr)
    fields = ine_front_fields(front_page, ocr)
    weak = not _read_as_printed(fields["curp"]) or not _names_printed(fields)
    again = reread_levelled(front, front_page, front_record, "ine_front", weak, ocr)
    if again is not None:
        other = ine_front_fields(again[0], ocr)
        if _strength(other) > _strength(fields):
            (front_page, front_record), fields = again, other
    back_page, back_record, mrz = read_back(back, ocr) if back is not None else (None, None, None)
    if mrz is not None and mrz.valid:
        _recheck_against_mrz(front_page, ocr, fields, mrz)
    if not _read_as_printed(fields["curp"]):
        _settle_ine_curp(front_page, ocr, fields, mrz)
    found = doc.phrases(front_page.words)
    if mrz is not None and mrz.valid:
        _recheck_names(front_page, ocr, fields, mrz, found)
    if mrz is not None and mrz.valid and back_page is not None:
        mrz = recheck_mrz_names(back_page, ocr, fields, mrz)
    reconcile_with_mrz(fields, mrz, found)
    _fill_names_from_mrz(fields, mrz, found)
    enye_from_curp(fields)
    return _merge_ine(fields, mrz, front_record, back_record)


def enye_from_curp(fields: dict[str, Reading]) -> None:
    """Names whose Ñ the OCR (or the MRZ) lost get it back where a check-digit-valid CURP
    that agrees with their initials has an X for their first inner consonant; a Ñ read
    there (a mark misjudged) where the CURP has another letter is an N."""
    curp = fields.get("curp", _NONE)
    parts = {k: fields.get(k, _NONE) for k in curp_rules.CONSONANT_POSITIONS}
    if not curp.present or not curp_check_ok(str(curp.value)) or not parts["nombre"].present:
        return
    value = str(curp.value)
    initials = curp_rules.agreement(
        value,
        str(parts["nombre"].value),
        str(parts["primer_apellido"].value or ""),
        str(parts["segundo_apellido"].value or ""),
        None,
        None,
        None,
    )["initials"]
    if not initials:
        return
    for name, position in curp_rules.CONSONANT_POSITIONS.items():
        read = parts[name]
        if read.present and read.value:
            given = name == "nombre"
            fixed = curp_rules.restore_enye(str(read.value), value[position], given=given)
            fixed = curp_rules.drop_unconfirmed_enye(fixed, value[position], given=given)
            if fixed != read.value:
                fields[name] = read.model_copy(
                    update={"value": fixed, "method": f"{read.method}+curp"}
                )


def _reorder_surnames(
    fields: dict[str, Reading], mrz_parts: dict[str, str], words: list[str]
) -> None:
    """Printed surnames holding the MRZ's words in another order (two printed lines read
    interleaved) take the MRZ's order and split, with the printed accents."""
    first, second = fields.get("primer_apellido", _NONE), fields.get("segundo_apellido", _NONE)
    if not first.present or "primer_apellido" not in mrz_parts:
        return
    printed = f"{first.value or ''} {second.value or ''}"
    wanted = f"{mrz_parts['primer_apellido']} {mrz_parts.get('segundo_apellido', '')}"
    a, b = names.comparable(printed).split(), names.comparable(wanted).split()
    if a != b and sorted(a) == sorted(b):
        for name in ("primer_apellido", "segundo_apellido"):
            value = with_printed_accents(mrz_parts.get(name, ""), words)
            fields[name] = Reading(value=value, confidence=0.9, method="ocr:label+mrz")


def _fill_names_from_mrz(
    fields: dict[str, Reading], mrz: MrzResult | None, found: list[Phrase]
) -> None:
    """Name parts the print lacks, from the MRZ, with the accents of a printed word that
    folds to each of its words (``PENA`` -> ``PEÑA``)."""
    if mrz is None:
        return
    words = printed_words(found)
    for name, value in _mrz_names(mrz, _curp_text(fields.get("curp", _NONE))).items():
        if fields.get(name, _NONE).present or not (value or mrz.valid):
            continue
        spelled = with_printed_accents(value, words)
        if name == "nombre" and mrz.names_may_be_cut:
            spelled = complete_cut_word(spelled, words)
        reading = _from_mrz(spelled, mrz)
        if reading.value != value:
            reading = reading.model_copy(update={"method": "mrz+ocr"})
        fields[name] = reading


def _read_as_printed(curp: Reading) -> bool:
    """The CURP was read with its check digit holding and no repair beyond letter/digit shape."""
    method = str(curp.method)
    return curp_check_ok(str(curp.value)) and method != "ocr:region" and PART not in method


def _settle_ine_curp(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult | None
) -> None:
    """Second, evidence-backed pass on a CURP the first pass could not read as printed; the
    fields derived from the CURP (name split, sex fallback) follow the settled value."""
    found = doc.phrases(page.words)
    labels = find_labels(found, INE_LABELS)
    evidence = curp_evidence(fields, mrz)
    settled = read_curp(page, ocr, found, labels.get("curp"), evidence)
    if settled.value == fields["curp"].value:
        return
    fields["curp"] = settled
    fields.update(find_names_ine(found, labels, settled))
    if fields.get("sexo", _NONE).method == "curp":
        fields["sexo"] = find_sex(page, found, labels.get("sexo"), settled, ocr)


def curp_evidence(fields: dict[str, Reading], mrz: MrzResult | None) -> curp_rules.Evidence:
    """What the document says besides its CURP: printed and MRZ names, birth date and sex,
    and a passport MRZ's personal number (the CURP's first 14 characters)."""
    names: list[tuple[str, str, str | None]] = []
    mrz_names: list[tuple[str, str, str | None]] = []
    dates_: list[dt.date] = []
    sexes: list[str] = []
    own = {k: v for k, v in fields.items() if v.present and v.method not in ("curp", "mrz")}
    if "nombre" in own and "primer_apellido" in own:
        second = own.get("segundo_apellido", _NONE).value
        names.append((str(own["nombre"].value), str(own["primer_apellido"].value), second))
    printed_birth = own.get("fecha_nacimiento", _NONE).value
    if isinstance(printed_birth, dt.date):
        dates_.append(printed_birth)
    if "sexo" in own:
        sexes.append(str(own["sexo"].value))
    prefix = None
    if mrz is not None:
        parts = _mrz_names(mrz)
        if parts.get("nombre") and parts.get("primer_apellido"):
            mrz_names.append(
                (parts["nombre"], parts["primer_apellido"], parts.get("segundo_apellido"))
            )
        if mrz.birth_date is not None and mrz.checks.get("birth_date"):
            dates_.append(mrz.birth_date)
        if (letter := mrz.sexo) is not None:
            sexes.append(letter)
        if mrz.checks.get("optional_data") and mrz.curp_prefix and len(mrz.curp_prefix) == 14:
            prefix = mrz.curp_prefix
    return curp_rules.Evidence(
        tuple(names), tuple(dates_), tuple(sexes), prefix, mrz_names=tuple(mrz_names)
    )


def _recheck_against_mrz(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult
) -> None:
    """A printed date that disagrees with a fully valid MRZ is read once more, closer (its
    label's region, digits only); the re-read replaces it only when it agrees with the MRZ,
    so a genuinely different print still shows as MRZ_INCONSISTENT."""
    labels = find_labels(doc.phrases(page.words), INE_LABELS)
    vig, born = fields.get("vigencia_hasta", _NONE), fields.get("fecha_nacimiento", _NONE)
    expiry = mrz.expiry_date
    if (
        "vigencia" in labels
        and expiry
        and vig.present
        and getattr(vig.value, "year", 0) != expiry.year
    ):
        text = reread_near(page, labels["vigencia"], ocr, "0123456789- ")
        if str(expiry.year) in _YEAR.findall(text):
            fields["vigencia_hasta"] = Reading(
                value=dt.date(expiry.year, 12, 31),
                confidence=0.85,
                method="ocr:region",
                repaired=True,
            )
    if "nacimiento" in labels and mrz.birth_date and born.present and born.value != mrz.birth_date:
        text = reread_near(page, labels["nacimiento"], ocr, "0123456789/ ")
        if mrz.birth_date in day_dates(text, birth=True):
            fields["fecha_nacimiento"] = Reading(
                value=mrz.birth_date, confidence=0.85, method="ocr:region", repaired=True
            )


def _recheck_passport_dates(
    page: Page,
    ocr: OcrEngine,
    fields: dict[str, Reading],
    labels: dict[str, Phrase],
    mrz: MrzResult,
) -> None:
    """Passport: a printed birth or expiry date that disagrees with a fully valid MRZ is read
    once more, closer; the re-read replaces it only when it agrees with the MRZ (a genuinely
    different print still shows as MRZ_INCONSISTENT)."""
    for name, key, value in (
        ("fecha_nacimiento", "nacimiento", mrz.birth_date),
        ("vigencia_hasta", "caducidad", mrz.expiry_date),
    ):
        read = fields.get(name, _NONE)
        if key not in labels or value is None or not read.present or read.value == value:
            continue
        text = reread_near(page, labels[key], ocr, DATE_WHITELIST)
        if value in day_dates(text, birth=name == "fecha_nacimiento") + glued_dates(text):
            fields[name] = Reading(value=value, confidence=0.85, method="ocr:region", repaired=True)


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


#: characters of a printed date, numeric or with (bilingual) month abbreviations
DATE_WHITELIST = "0123456789/ ABCDEFGIJLMNOPRSTUVY"


def _recheck_names(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult, found: list[Phrase]
) -> None:
    """INE: printed names that disagree with a fully valid MRZ (lines read interleaved on a
    tilted card, a line lost) are read once more, closer (the block under NOMBRE); the
    re-read replaces them only when every part then agrees with the MRZ, so a genuinely
    different print still shows as MRZ_INCONSISTENT / NAME_MISMATCH."""
    label = find_labels(found, INE_LABELS).get("nombre")
    curp = _curp_text(fields.get("curp", _NONE))
    wanted = _mrz_names(mrz, curp)
    if label is None or not mrz.surnames.strip() or _names_agree(fields, wanted, mrz):
        return
    lines = [_clean_name(line) for line in reread_block(page, label, ocr).splitlines()]
    lines = [line for line in lines if line and not re.search(_ALL_LABELS, doc.fold(line))]
    parts = split_name_lines(lines[:3], curp)
    reread = {k: Reading(value=v, confidence=0.85, method="ocr:region") for k, v in parts.items()}
    if _names_agree(reread, wanted, mrz):
        fields.update(reread)


def _recheck_passport_names(
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
    curp = _curp_text(fields.get("curp", _NONE))
    wanted = _mrz_names(mrz, curp)
    groups = {
        "apellidos": ("primer_apellido", "segundo_apellido"),
        "nombres": ("nombre",),
    }
    for key, parts in groups.items():
        subset = {name: wanted[name] for name in parts if name in wanted}
        unread = any(fields.get(name, _NONE).method == "mrz" for name in subset)
        if key not in labels or not subset or (_names_agree(fields, subset, mrz) and not unread):
            continue
        lines = [_clean_name(x) for x in reread_block(page, labels[key], ocr, 2.5).splitlines()]
        line = next((x for x in lines if x and not looks_like_label(x)), "")
        if key == "apellidos":
            values = dict(zip(parts, split_surnames(line, curp or mrz.curp_prefix), strict=True))
        else:
            values = {"nombre": line}
        reread = {
            k: Reading(value=v, confidence=0.85, method="ocr:region") for k, v in values.items()
        }
        if line and _names_agree(reread, subset, mrz):
            fields.update(reread)


def _names_agree(fields: dict[str, Reading], wanted: dict[str, str], mrz: MrzResult) -> bool:
    """Every name part of ``wanted`` (the MRZ's) is read in ``fields`` and agrees with it
    (spacing aside; a longer print where the MRZ truncated)."""
    for name, value in wanted.items():
        read = fields.get(name, _NONE)
        if not read.present and value:
            return False
        text = str(read.value or "")
        a, b = (names.comparable(x).replace(" ", "") for x in (text, value))
        if a != b and not _longer_same_name(text, value, mrz):
            return False
    return True


def reread_block(page: Page, label: Phrase, ocr: OcrEngine, lines: float = 7.0) -> str:
    """OCR again, enlarged, the block of lines under a label (Spanish, uniform block)."""
    h = line_height(page, label)
    y0, y1 = label.bottom, min(page.image.shape[0], label.bottom + int(lines * h))
    x0, x1 = max(0, label.left - h), min(page.image.shape[1], label.left + 22 * h)
    return _reread_region(page, (y0, y1, x0, x1), h, ocr, "spa")


def paper_pad(crop: np.ndarray, border: int = 12) -> np.ndarray:
    """A margin of the crop's own paper colour (its median grey) around it: a white one
    around a tinted card makes Tesseract binarise the paper as ink and read nothing."""
    return ocr_prep.pad(crop, border, value=int(np.median(crop)))


def line_height(page: Page, label: Phrase) -> int:
    """The label's text height, at most 1.5 times the page's median word height (a label
    box the OCR stretched would scale the re-read's text too small)."""
    heights = sorted(w.height for w in page.words)
    cap = 1.5 * heights[len(heights) // 2] if heights else label.height
    return max(8, int(min(label.height, cap)))


def reread_near(page: Page, label: Phrase, ocr: OcrEngine, whitelist: str) -> str:
    """OCR again the region right of and under a label, enlarged, with a whitelist."""
    h = line_height(page, label)
    y0, y1 = max(0, label.top - h // 2), min(page.image.shape[0], label.bottom + 3 * h)
    x0, x1 = max(0, label.left - h), min(page.image.shape[1], label.right + 14 * h)
    return _reread_region(page, (y0, y1, x0, x1), h, ocr, "eng", whitelist)


def _reread_region(
    page: Page,
    region: tuple[int, int, int, int],
    text_height: int,
    ocr: OcrEngine,
    lang: str,
    whitelist: str | None = None,
) -> str:
    """OCR a region (top, bottom, left, right) of the page as a uniform block, its text
    enlarged to ~36 px and padded with its own paper colour ("" when the region is empty)."""
    y0, y1, x0, x1 = region
    crop = page.grey[y0:y1, x0:x1]
    if crop.size == 0:
        return ""
    crop = paper_pad(ocr_prep.scale_to_text_height(crop, text_height * 1.3, 36.0))
    return ocr.data(crop, lang=lang, psm=6, whitelist=whitelist).text


def recheck_mrz_names(
    page: Page, ocr: OcrEngine, fields: dict[str, Reading], mrz: MrzResult
) -> MrzResult:
    """A valid MRZ whose name line (no check digit guards it) disagrees with the names read
    in the print is read once more by Tesseract; its name line is taken only when the rest
    of that reading is the same valid MRZ and its names then agree with the print. What is
    re-read is the MRZ itself: an altered MRZ (or print) reads the same the second time and
    still shows as MRZ_INCONSISTENT."""
    parts = [fields.get(k, _NONE) for k in ("primer_apellido", "nombre")]
    if not all(p.present and p.method not in ("mrz", "curp") for p in parts):
        return mrz
    curp = _curp_text(fields.get("curp", _NONE))
    if _names_agree(fields, _mrz_names(mrz, curp), mrz):
        return mrz
    for other in mrz_image.tesseract_readings(page.image, ocr):
        same = other.valid and other.lines[:-1] == mrz.lines[:-1]
        if same and _names_agree(fields, _mrz_names(other, curp), other):
            # its checked lines are the first reading's: so is the confidence in them
            method = f"{mrz.method}+names:{other.method}"
            return other.model_copy(update={"method": method, "confidence": mrz.confidence})
    return mrz


def read_back(image: np.ndarray, ocr: OcrEngine) -> tuple[Page, DocumentImage, MrzResult | None]:
    """Read an INE back: its MRZ (upright, else turned 180°) decides the orientation; the
    side is only OCR'd as text when no valid MRZ was found (to tell what it shows instead).
    Returns the side turned as it was read, its measurements and its MRZ."""
    page = doc.locate(image, "card")
    h, w = page.image.shape[:2]
    first = 90 if h > w else 0
    best: MrzResult | None = None
    best_page = page
    # the likely turns first; a card not outlined in a portrait photo may still be upright
    for degrees in (first, first + 180, first + 90, first + 270):
        turned = doc.rotate(page.image, degrees % 360)
        mrz = mrz_image.read_mrz(turned, ocr)
        if mrz is not None and (best is None or _mrz_rank(mrz) > _mrz_rank(best)):
            best = mrz
            best_page = doc.Page(turned, page.outline_found, degrees % 360)
        if best is not None and best.valid:
            break
    if best is not None and best.valid:
        record = doc.describe(best_page, text="\n".join(best.lines))
        confidence = round(best.confidence, 4)
        return best_page, record.model_copy(update={"ocr_confidence": confidence}), best
    upright = doc.upright(best_page, ocr, "card")
    text = doc.page_text(upright.words) + ("\n" + "\n".join(best.lines) if best else "")
    return upright, doc.describe(upright, text=text), best


#: a photo whose text lines lean less than this (degrees) is not levelled
MIN_TILT = 1.0


def reread_levelled(
    image: np.ndarray, page: Page, record: DocumentImage, kind: str, weak: bool, ocr: OcrEngine
) -> tuple[Page, DocumentImage] | None:
    """The whole photo read again, its text lines levelled first, when the first reading of
    a side failed its check (the failure path only, one more OCR of the side):

    - the outline found was not the document (its reading is not of ``kind``: the portrait
      or a blank booklet page was taken for the card), or
    - no outline was found, the fields are doubtful (``weak``) and the print leans by
      :data:`MIN_TILT` or more (a card photographed at a slant on a background its edges
      do not stand out from: Tesseract splits slanted lines and misses fields).

    None when there is nothing different to read. The caller keeps the stronger reading.
    """
    if page.outline_found and record.kind == kind:
        return None
    angle = text_tilt(image)
    if not page.outline_found and (not weak or abs(angle) < MIN_TILT):
        return None
    photo = level(image, angle) if abs(angle) >= MIN_TILT else image
    levelled = doc.upright(Page(image=doc.canonical_size(photo, "card")), ocr, "card", enlarge=True)
    return with_diacritics(fit_tall_words(levelled)), doc.describe(levelled)


def text_tilt(image: np.ndarray) -> float:
    """How much the photo's long text lines lean (median, degrees, in image axes where y
    runs down: the turn :func:`level` undoes; 0 with fewer than two lines): no OCR, ~10 ms."""
    lines = mrz_image.find_text_lines(doc.to_grey(image))
    return float(np.median([ln.angle for ln in lines])) if len(lines) >= 2 else 0.0


def level(image: np.ndarray, angle: float) -> np.ndarray:
    """``image`` turned so that lines leaning by ``angle`` (:func:`text_tilt`) lie level, on
    a canvas holding all of it, the new corners filled with the edge colours."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    width, height = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += width / 2 - w / 2
    matrix[1, 2] += height / 2 - h / 2
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _names_printed(fields: dict[str, Reading]) -> bool:
    return all(fields.get(k, _NONE).present for k in ("primer_apellido", "nombre"))


#: the fields a reading of a side is judged by (besides a CURP read as printed)
_CORE = ("curp", "primer_apellido", "nombre", "fecha_nacimiento", "sexo", "vigencia_hasta")


def _strength(fields: dict[str, Reading], mrz: MrzResult | None = None) -> tuple[int, int, float]:
    """How well a side was read: a valid MRZ (passport page), a CURP read as printed, then
    how many core fields were read in the print, then their mean confidence."""
    printed = [fields.get(k, _NONE) for k in _CORE]
    printed = [r for r in printed if r.present and r.method not in ("mrz", "curp")]
    mean = sum(r.confidence for r in printed) / len(printed) if printed else 0.0
    valid = int(mrz is not None and mrz.valid) * 2 + int(_read_as_printed(fields["curp"]))
    return valid, len(printed), round(mean, 4)


def _mrz_rank(mrz: MrzResult) -> tuple[int, bool, float]:
    return (sum(mrz.checks.values()), mrz.valid, mrz.confidence)


def read_side(image: np.ndarray, ocr: OcrEngine) -> tuple[Page, DocumentImage]:
    """Locate, straighten and OCR one card side; return the page (its over-tall word boxes
    fitted to their ink, :func:`fit_tall_words`; the Ñ and accents the OCR dropped put back,
    :func:`with_diacritics`) and its measurements."""
    page = doc.read_page(image, ocr, "card")
    return with_diacritics(fit_tall_words(page)), doc.describe(page)


#: a word box this many times the median word height holds more than its line
TALL_WORD = 2.0


def fit_tall_words(page: Page) -> Page:
    """Words whose box Tesseract stretched over neighbouring lines (a name or the CURP
    beside a dark portrait comes back 3-4 lines tall) get the box of their own text line:
    the densest band of ink rows inside it. Otherwise such words are dropped as graphics
    when the page is grouped into lines, and the fields they hold go unread."""
    heights = sorted(w.height for w in page.words)
    if not heights:
        return page
    median = heights[len(heights) // 2]
    grey = page.grey
    words = tuple(
        _fit_word(word, grey, median)
        if word.height > TALL_WORD * median and sum(c.isalnum() for c in word.text) >= 3
        else word
        for word in page.words
    )
    return dataclasses.replace(page, words=words)


def _fit_word(word: doc.WordLike, grey: np.ndarray, median: int) -> doc.WordLike:
    """``word`` with its box narrowed to its densest ink band (unchanged when none fits)."""
    crop = grey[max(0, word.top) : word.top + word.height, max(0, word.left) : word.right]
    if crop.size == 0:
        return word
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    band = densest_band(ink.mean(axis=1))
    if band is None or not 0.5 * median <= band[1] - band[0] <= TALL_WORD * median:
        return word
    return dataclasses.replace(word, top=max(0, word.top) + band[0], height=band[1] - band[0])


#: acute accents by vowel
_ACUTE = dict(zip("AEIOU", "ÁÉÍÓÚ", strict=True))
#: a mark at least this many times wider than tall is a tilde (an acute accent is steeper)
TILDE_ASPECT = 1.8
#: words read at least this sure are looked at for a dropped Ñ or accent
MARK_MIN_CONFIDENCE = 0.6


def with_diacritics(page: Page) -> Page:
    """Upper-case words the OCR read without diacritics get back the Ñ and acute accents
    whose marks are printed above them (:func:`word_marks`): Tesseract often drops the
    small tilde of ``MONTAÑO`` or ``ACUÑA``. Names are printed in capitals, so any ink
    standing clear above the capitals' line is a diacritic."""
    grey = page.grey
    words = tuple(_marked(word, grey) for word in page.words)
    return dataclasses.replace(page, words=words)


def _marked(word: doc.WordLike, grey: np.ndarray) -> doc.WordLike:
    text = word.text
    if (
        len(text) < 3
        or not (text.isascii() and text.isalpha() and text.isupper())
        or word.confidence < MARK_MIN_CONFIDENCE
    ):
        return word
    marked = word_marks(grey, word)
    return word if marked == text else dataclasses.replace(word, text=marked)


def word_marks(grey: np.ndarray, word: doc.WordLike) -> str:
    """``word``'s text with the marks found above its capitals: a flat mark (a tilde) over
    its N, a steeper one (an acute accent) over the nearest vowel. A mark that fits no
    letter leaves the word as read."""
    text, h = word.text, word.height
    top = max(0, word.top - int(0.6 * h))
    crop = grey[top : word.top + h, max(0, word.left) : word.right]
    if crop.size == 0:
        return text
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    profile = ink.mean(axis=1)
    body = densest_band(profile, floor=0.25 * float(profile.max()))
    if body is None or body[1] - body[0] < 8:
        return text
    size = body[1] - body[0]
    above = ink[max(0, body[0] - int(0.6 * size)) : max(0, body[0] - 1)]
    if above.size == 0:
        return text
    letters = _letter_centres(ink[body[0] : body[1]], len(text))
    out = list(text)
    count, _, stats, _ = cv2.connectedComponentsWithStats(above.astype(np.uint8), connectivity=8)
    for x, y, w, height, area in stats[1:count]:
        if w < max(2, 0.15 * size) or area < 4 or height < 2 or y == 0:
            continue  # a speck, or ink of the line above
        index = _mark_letter(text, letters, (x + w / 2) / ink.shape[1], w >= TILDE_ASPECT * height)
        if index is None:
            return text
        out[index] = "Ñ" if w >= TILDE_ASPECT * height else _ACUTE[text[index]]
    return "".join(out)


def _letter_centres(body: np.ndarray, count: int) -> list[float]:
    """Centres (0-1 across the word) of its letters: the ink column runs of its capitals
    when there are as many as letters, else evenly spaced."""
    columns = [*(body.sum(axis=0) > 0).tolist(), False]
    runs, start = [], None
    for x, inked in enumerate(columns):
        if inked and start is None:
            start = x
        elif not inked and start is not None:
            if x - start >= 2:
                runs.append((start + x) / 2 / body.shape[1])
            start = None
    return runs if len(runs) == count else [(i + 0.5) / count for i in range(count)]


def _mark_letter(text: str, centres: list[float], centre: float, tilde: bool) -> int | None:
    """The letter a mark centred at ``centre`` belongs to: an N (not the first letter) for a
    tilde, a vowel for an accent; None when none is close enough."""
    eligible = [i for i, c in enumerate(text) if (c == "N" and i > 0 if tilde else c in _ACUTE)]
    if not eligible:
        return None
    index = min(eligible, key=lambda i: abs(centres[i] - centre))
    reach = 0.25 if tilde and len(eligible) == 1 else 0.6 / len(text)
    return index if abs(centres[index] - centre) <= reach else None


def densest_band(profile: np.ndarray, floor: float = 0.03) -> tuple[int, int] | None:
    """The run of consecutive rows whose ink share exceeds ``floor`` holding the most ink,
    as (first row, row after the last).

    >>> densest_band(np.array([0, 0.2, 0, 0, 0.3, 0.4, 0.3, 0, 0.1]))
    (4, 7)
    """
    best: tuple[float, int, int] | None = None
    start = None
    for row, share in enumerate([*profile.tolist(), 0.0]):
        if share > floor and start is None:
            start = row
        elif share <= floor and start is not None:
            total = float(profile[start:row].sum())
            if best is None or total > best[0]:
                best = (total, start, row)
            start = None
    return None if best is None else (best[1], best[2])


def ine_front_fields(page: Page, ocr: OcrEngine) -> dict[str, Reading]:
    """Every printed field of an INE front that could be found, by name."""
    found = doc.phrases(page.words)
    labels = find_labels(found, INE_LABELS)
    fields: dict[str, Reading] = {}
    printed_birth = find_birth_date(found, labels.get("nacimiento"), _NONE)
    year = printed_birth.value.year if isinstance(printed_birth.value, dt.date) else None
    born = [printed_birth.value] if isinstance(printed_birth.value, dt.date) else []
    evidence = curp_rules.Evidence(birth_dates=tuple(born))
    fields["curp"] = first_curp(found, labels.get("curp"), evidence, year)
    fields["clave_elector"] = find_clave_elector(found, labels.get("clave"))
    fields["fecha_nacimiento"] = find_birth_date(found, labels.get("nacimiento"), fields["curp"])
    fields["sexo"] = find_sex(page, found, labels.get("sexo"), fields["curp"], ocr)
    fields.update(find_names_ine(found, labels, fields["curp"]))
    fields.update(find_domicilio(found, labels))
    fields["vigencia"], fields["vigencia_hasta"] = find_vigencia(found, labels.get("vigencia"))
    fields["anio_registro"] = _value_after(
        found, labels.get("registro"), r"(?:19|20)\d\d(?:\s+\d\d)?"
    )
    fields["seccion"] = _value_after(found, labels.get("seccion"), r"\d{3,4}")
    return fields


def _merge_ine(
    fields: dict[str, Reading],
    mrz: MrzResult | None,
    front: DocumentImage,
    back: DocumentImage | None,
) -> IdReading:
    """Fill what the front missed from the MRZ (marked ``method="mrz"``)."""
    if mrz is not None:
        fields["numero_documento"] = _from_mrz(mrz.document_number.replace("<", "") or None, mrz)
        for name, value in (
            ("fecha_nacimiento", mrz.birth_date),
            ("sexo", mrz.sexo),
            ("vigencia_hasta", mrz.expiry_date),
        ):
            if not fields.get(name, _NONE).present and value is not None:
                fields[name] = _from_mrz(value, mrz)
        for name, value in _mrz_names(mrz).items():
            # a valid MRZ with one surname says the second one is empty (not unread)
            if not fields.get(name, _NONE).present and (value or mrz.valid):
                fields[name] = _from_mrz(value, mrz)
    return IdReading.model_validate(
        {"id_type": "ine", "front": front, "back": back, "mrz": mrz, **_typed(fields)}
    )


def _from_mrz(value: object, mrz: MrzResult) -> Reading:
    if value is None:
        return _NONE
    # every check digit holding is strong evidence the characters were read right
    confidence = max(mrz.confidence, 0.9) if mrz.valid else mrz.confidence * 0.5
    return Reading(
        value=value, confidence=round(confidence, 3), method="mrz", repaired=mrz.repaired
    )


def _mrz_names(mrz: MrzResult, curp: str | None = None) -> dict[str, str]:
    """Split the MRZ's surnames into primer/segundo apellido (particles kept with their
    word, the CURP's initials deciding where a passport's surnames split)."""
    out = {"nombre": mrz.given_names.strip()}
    if mrz.surnames.strip():
        prefix = mrz.curp_prefix if mrz.curp_prefix and len(mrz.curp_prefix) >= 3 else None
        first, second = split_surnames(mrz.surnames, curp or prefix)
        out["primer_apellido"], out["segundo_apellido"] = first, second
    return out


def _typed(fields: dict[str, Reading]) -> dict[str, Reading]:
    """Keep only the fields IdReading declares."""
    return {name: value for name, value in fields.items() if name in IdReading.model_fields}


# --- labels and values ---------------------------------------------------------------------


def find_labels(found: list[Phrase], table: dict[str, str]) -> dict[str, Phrase]:
    """The first phrase holding each label (regex on folded text); a label not found that
    way may be a phrase starting with its words read with one OCR slip (``¡OMBRE``)."""
    labels: dict[str, Phrase] = {}
    for phrase in found:
        for name, pattern in table.items():
            if name not in labels and re.search(pattern, phrase.key):
                labels[name] = phrase
    for name, words in LABEL_WORDS.items():
        if name in table and name not in labels:
            fuzzy = next((p for p in found if starts_like(p.key, words)), None)
            if fuzzy is not None:
                labels[name] = fuzzy
    return labels


#: plain words of the labels long enough to be matched with one OCR slip
LABEL_WORDS = {
    "nombre": "NOMBRE",
    "domicilio": "DOMICILIO",
    "clave": "CLAVE DE ELECTOR",
    "nacimiento": "FECHA DE NACIMIENTO",
    "registro": "ANO DE REGISTRO",
    "seccion": "SECCION",
    "vigencia": "VIGENCIA",
    "apellidos": "APELLIDOS",
    "nombres": "NOMBRES",
    "caducidad": "FECHA DE CADUCIDAD",
}


def starts_like(key: str, words: str) -> bool:
    """``key`` begins with ``words`` up to one character's edit (letters and spaces only).

    >>> starts_like("¡OMBRE", "NOMBRE"), starts_like("NOMBRES", "NOMBRE"), starts_like("NORTE", "NOMBRE")
    (True, True, False)
    """
    plain = re.sub(r"[^A-Z ]", "", key).strip()
    size = len(words)
    return any(
        names.edit_distance(plain[:n], words, limit=2) <= 1 for n in (size - 1, size, size + 1)
    )


def _after_label(phrase: Phrase, pattern: str) -> str:
    """The text of ``phrase`` after its label (empty when the label ends the phrase)."""
    match = re.search(pattern, phrase.key)
    return phrase.text[match.end() :].strip(" :.-") if match else ""


def neighbours(found: list[Phrase], label: Phrase, below: int = 2) -> list[Phrase]:
    """Phrases that may hold the label's value: right of it on its line, then just below it."""
    right = [p for p in found if p.line == label.line and p.left >= label.right - 2]
    height = max(label.height, 8)
    under = [
        p
        for p in found
        if p.top >= label.bottom - height * 0.3
        and p.top <= label.bottom + height * 2.5 * below
        and p.line != label.line
        and p.right > label.left - height
        and p.left < label.left + height * 12
    ]
    under.sort(key=lambda p: (p.top, abs(p.left - label.left)))
    return sorted(right, key=lambda p: p.left) + under


def _value_after(found: list[Phrase], label: Phrase | None, pattern: str) -> Reading:
    """The first match of ``pattern`` after ``label``: in its phrase, to its right, or below."""
    if label is None:
        return _NONE
    sources = [label, *neighbours(found, label, below=1)]
    for index, phrase in enumerate(sources):
        text = phrase.text if index else _after_label_any(phrase)
        match = re.search(pattern, doc.fold(text))
        if match:
            method = "ocr:label" if index == 0 else "ocr:label-near"
            return Reading(value=match.group(0), confidence=_conf(phrase.confidence), method=method)
    return _NONE


def _after_label_any(phrase: Phrase) -> str:
    for pattern in (*INE_LABELS.values(), *PASSPORT_LABELS.values()):
        rest = _after_label(phrase, pattern)
        if rest != phrase.text.strip(" :.-") and re.search(pattern, phrase.key):
            return rest
    return phrase.text


def _conf(value: float) -> float:
    return round(max(0.0, min(1.0, value)), 3)


# --- CURP, clave de elector ----------------------------------------------------------------


def curp_candidates(text: str, birth_year: int | None = None) -> list[str]:
    """18-character windows of ``text`` (spaces removed) shaped like a CURP once
    :func:`pipeline.curp.repair` has undone OCR letter/digit confusions by position; for the
    homonym character (a digit before 2000, a letter from 2000) both readings are offered,
    unless the printed ``birth_year`` tells which; those whose check digit holds come first.

    >>> curp_candidates("CURP GOPM9OO315MDFNRRO" + curp_rules.check_digit("GOPM900315MDFNRR0"), 1990)
    ['GOPM900315MDFNRR09']
    """
    squashed = re.sub(r"[^A-Z0-9Ñ]", "", doc.fold(curp_rules.ocr_glyphs(text)))
    found: list[str] = []
    for start in range(0, max(0, len(squashed) - 17)):
        fixed = curp_rules.repair(squashed[start : start + 18])
        if fixed is None or not _CURP_SHAPE.fullmatch(fixed.curp):
            continue
        head, homonym, check = fixed.curp[:16], fixed.curp[16], fixed.curp[17]
        options = [homonym, homonym.translate(_TO_DIGIT), homonym.translate(_TO_LETTER)]
        if birth_year is not None:
            options = [h for h in options if h.isdigit() == (birth_year < 2000)]
        for alt in dict.fromkeys(options):
            value = head + alt + check
            if value not in found:
                found.append(value)
    return sorted(found, key=lambda c: not curp_check_ok(c))


def curp_check_ok(value: str) -> bool:
    """The CURP's check digit holds (18 characters) on a CURP-shaped value: a vowel read
    where an inner consonant goes (R read as A keeps the check digit when its weight is 5)
    is no reading of a CURP.

    >>> curp_check_ok("MOSA740216HSRRNN85"), curp_check_ok("MOSA740216HSRANN85")
    (True, False)
    """
    if len(value) != 18 or curp_rules.check_digit(value[:17]) != value[17]:
        return False
    return "format" not in curp_rules.validate(value).problems


def find_curp(
    found: list[Phrase], label: Phrase | None, birth_year: int | None = None
) -> tuple[Reading, Phrase | None]:
    """The CURP: candidates near its label first, then anywhere; a valid check digit wins.
    Also returns the phrase it was read from."""
    close = [label, *neighbours(found, label, below=1)] if label else []
    near = {id(p) for p in close}
    best: tuple[Reading, Phrase | None] = (_NONE, None)
    for phrase in [p for p in close + found if len(p.text) <= _MAX_CURP_LINE]:  # no MRZ line
        whole = _holds_whole_curp(phrase.text)
        for candidate in curp_candidates(phrase.text, birth_year):
            valid = curp_check_ok(candidate) and whole
            if not valid and id(phrase) not in near:
                continue  # far from the label only a check-digit-valid CURP is believed
            repaired = candidate not in re.sub(r"[^A-Z0-9]", "", doc.fold(phrase.text))
            conf = _conf(max(phrase.confidence, 0.9) if valid else phrase.confidence * 0.5)
            method = ("ocr:label" if phrase is label else "ocr:pattern") + ("" if whole else PART)
            reading = Reading(value=candidate, confidence=conf, method=method, repaired=repaired)
            if valid:
                return reading, phrase
            if not best[0].present:
                best = (reading, phrase)
    return best


#: method suffix of a CURP cut out of a longer run of glyphs: its check digit may hold by
#: chance (one window in ten), so it is not taken as read (the evidence pass settles it)
PART = "+part"


def _holds_whole_curp(text: str) -> bool:
    """``text`` (its CURP label aside) has exactly a CURP's 18 letters and digits, or a word
    of them: a CURP read there needs no glyph dropped.

    >>> _holds_whole_curp("CURP GOPM900315MDFNRR09"), _holds_whole_curp("CURPGOPM9003 15MDFNRR09")
    (True, True)
    >>> _holds_whole_curp("cur? GAGA0O70516HDFLNRAS"), _holds_whole_curp("PETEO020606HBSXLRA9")
    (False, False)
    """
    body = re.sub(r"^\W*CUR\W?P?", "", doc.fold(curp_rules.ocr_glyphs(text)))
    words = [re.sub(r"[^A-Z0-9Ñ]", "", word) for word in body.split()]
    return len("".join(words)) == 18 or any(len(word) == 18 for word in words)


def curp_sources(found: list[Phrase], label: Phrase | None) -> list[Phrase]:
    """Where a CURP may be printed, best first: its label's phrase and neighbours, then
    every phrase of the side."""
    near = [label, *neighbours(found, label, below=1)] if label else []
    rest = [p for p in found if all(p is not q for q in near)]
    return [p for p in near + rest if len(p.text) <= _MAX_CURP_LINE]


#: longer phrases (a passport's MRZ line is 44 characters) are not searched for a printed CURP
_MAX_CURP_LINE = 34


def first_curp(
    found: list[Phrase], label: Phrase | None, evidence: curp_rules.Evidence, year: int | None
) -> Reading:
    """The first, OCR-free pass: a CURP read as printed (check digit holding after
    letter/digit shape repair), else the label's unconfirmed reading (low confidence)."""
    sources = curp_sources(found, label)
    choice = curp_rules.resolve([p.text for p in sources], evidence)
    if choice is not None and choice.check_ok:
        return _choice_reading(choice, sources[choice.token], label)
    return find_curp(found, label, year)[0]


def _choice_reading(choice: curp_rules.CurpChoice, phrase: Phrase, label: Phrase | None) -> Reading:
    """A resolved CURP as a Reading: confidence by how it was obtained."""
    method = "ocr:label" if phrase is label else "ocr:pattern"
    if choice.method == "read":
        conf = max(phrase.confidence, 0.9)
    elif choice.check_ok:
        conf, method = 0.85, f"{method}+{choice.method}"
    else:
        conf, method = 0.6, f"{method}+printed-invalid"
    return Reading(
        value=choice.curp, confidence=_conf(conf), method=method, repaired=choice.repaired
    )


def read_curp(
    page: Page,
    ocr: OcrEngine,
    found: list[Phrase],
    label: Phrase | None,
    evidence: curp_rules.Evidence,
) -> Reading:
    """The CURP, settled with the document's evidence (:func:`pipeline.curp.resolve`). When
    no reading holds its check digit, the line is OCR'd once more, closer, with a whitelist
    (the failure path only): a reading that then holds wins; a check-failing CURP that
    agrees with all the evidence and is read the same twice is what is printed."""
    year = evidence.birth_dates[0].year if evidence.birth_dates else None
    sources = curp_sources(found, label)
    choice = curp_rules.resolve([p.text for p in sources], evidence)
    if choice is not None and choice.check_ok:
        return _choice_reading(choice, sources[choice.token], label)
    fallback, phrase = find_curp(found, label, year)
    if choice is not None:
        phrase = sources[choice.token]
    seen = curp_rules.readings([p.text for p in sources], evidence)
    targets = _curp_regions(found, label, phrase)
    for target in targets or unread_bands(page, found)[:MAX_BANDS]:
        text = reocr_phrase(page, target, ocr, whitelist=CURP_WHITELIST, block=not targets)
        # a band's two readings share one crop: only a check-digit-valid CURP is taken there
        second = _second_reading(text, evidence, seen if targets else None)
        if second is None and targets:
            second = _check_read_elsewhere(text, target.text, evidence)
        if second is not None:
            return second
        if fallback.present and fallback.value in curp_candidates(text, year) and phrase:
            return fallback.model_copy(update={"confidence": _conf(phrase.confidence)})
        if not targets and any(curp_long(word) for word in text.split()):
            break  # the band held a CURP-long line (read twice) but no agreeing CURP
    return fallback


def _second_reading(
    text: str, evidence: curp_rules.Evidence, seen: set[str] | None
) -> Reading | None:
    """A closer re-OCR's CURP: one whose check digit holds, or a check-failing one that
    agrees with all the evidence and was read the same before (``seen``: the first pass's
    readings up to one confusion, and the other lines of this re-OCR; None: no
    check-failing CURP is taken)."""
    lines = text.splitlines() or [""]
    again = curp_rules.resolve(lines, evidence)
    if again is None:
        return None
    if again.check_ok:
        method = "ocr:region" + ("" if again.method == "read" else f"+{again.method}")
        return Reading(value=again.curp, confidence=0.85, method=method, repaired=again.repaired)
    if seen is None:
        return None
    others = [line for i, line in enumerate(lines) if i != again.token]
    if again.curp in seen | curp_rules.readings(others, evidence):
        return Reading(value=again.curp, confidence=0.6, method="ocr:region+printed-invalid")
    return None


def _check_read_elsewhere(text: str, first: str, evidence: curp_rules.Evidence) -> Reading | None:
    """A closer re-read whose CURP agrees with all the evidence but ends in a letter no
    check reading fits (S for 9), when the first reading of the same line ended in a digit
    that makes the check digit hold: each reading supplies what the other misread.

    >>> ev = curp_rules.Evidence(names=(("Ana", "Zúñiga", "Martínez"),),
    ...                          birth_dates=(dt.date(1985, 11, 9),), sexes=("M",))
    >>> _check_read_elsewhere("CURP ZUMA851109MMCXRN0S", "curp ZUMA85109MMCXRN09", ev).value
    'ZUMA851109MMCXRN09'
    >>> _check_read_elsewhere("CURP ZUMA851109MMCXRN0S", "curp ZUMA85109MMCXRN07", ev) is None
    True
    """
    again = curp_rules.resolve(text.splitlines() or [""], evidence)
    last = re.sub(r"[^A-Z0-9]", "", doc.fold(text))[-1:]
    tail = re.sub(r"[^A-Z0-9]", "", doc.fold(first))[-1:]
    if again is None or again.check_ok or not last.isalpha() or not tail.isdigit():
        return None
    value = again.curp[:17] + tail
    if again.method != "printed-invalid" or not curp_check_ok(value):
        return None
    return Reading(value=value, confidence=0.8, method="ocr:region+check-first", repaired=True)


def _curp_regions(found: list[Phrase], label: Phrase | None, phrase: Phrase | None) -> list[Phrase]:
    """Where to look again for a CURP: the phrase a doubtful one was read from, else the
    label's line to its right, else the line under the label."""
    if phrase is not None:
        return [phrase]
    if label is None:
        return []
    h = max(label.height, 8)
    line = Phrase(label.text, label.confidence, label.left, label.top, label.right + 20 * h,
                  label.bottom, label.line)  # fmt: skip
    below = value_below(found, label)
    return [line] + ([below] if below is not None else [])


#: characters of a CURP line (label letters included)
CURP_WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


#: at most this many unread bands of a page are OCR'd again looking for a missing CURP
MAX_BANDS = 3


def unread_bands(page: Page, found: list[Phrase]) -> list[Phrase]:
    """Bands of the printed zone's text column where the page OCR found nothing although
    its neighbours are text lines (a field the first reading skipped), as boxes about one
    line tall: the tallest gaps first. Layout-free: the column is where most lines start."""
    lines = [p for p in found if "<" not in p.text and len(p.text) >= 3 and p.confidence > 0.5]
    if len(lines) < 4:
        return []
    h = int(np.median([p.height for p in lines]))
    lefts = [p.left for p in lines]
    column = min(lefts, key=lambda x: (-sum(abs(x - y) <= h for y in lefts), x))
    left = sorted((p for p in lines if abs(p.left - column) <= h), key=lambda p: p.top)
    bands = []
    for above, below in zip(left, left[1:], strict=False):
        if below.top - above.bottom >= 2.5 * h:
            bands.append(Phrase("", 0.0, column - h, above.bottom + h // 4, column + 20 * h,
                                below.top - h // 4, above.line))  # fmt: skip
    return sorted(bands, key=lambda b: b.top - b.bottom)


def reocr_phrase(
    page: Page,
    phrase: Phrase,
    ocr: OcrEngine,
    whitelist: str | None = None,
    block: bool = False,
    target: float = 40.0,
) -> str:
    """OCR one phrase's box again, enlarged (text ~40 px tall), as a single line; a
    ``block`` (an unread band, a few lines tall) is scaled by the page's text height."""
    if block:
        return _reocr_band(page, phrase, ocr, whitelist)
    h = max(phrase.height, 8)
    y0, y1 = max(0, phrase.top - h // 2), min(page.image.shape[0], phrase.bottom + h // 2)
    x0, x1 = max(0, phrase.left - h), min(page.image.shape[1], phrase.right + h)
    crop = page.grey[y0:y1, x0:x1]
    if crop.size == 0:
        return ""
    crop = paper_pad(ocr_prep.scale_to_text_height(crop, h, target))
    result = ocr.data(crop, lang="eng", psm=7, whitelist=whitelist)
    return " ".join(w.text for w in result.words)


def curp_long(word: str) -> bool:
    """A word as long as a CURP (give or take OCR'd extras) with its birth date's digits.

    >>> curp_long("CUOJ910623HCMRRSOS9"), curp_long("ESTADOSUNIDOSMEXICAN")
    (True, False)
    """
    return 16 <= len(word) <= 22 and sum(c.isdigit() for c in word) >= 4


def _reocr_band(page: Page, band: Phrase, ocr: OcrEngine, whitelist: str | None) -> str:
    """OCR an unread band (a few lines); a CURP-long word found there is read once more on
    its own, as a single line and larger, and both readings are returned (one per line)."""
    y0, y1 = max(0, band.top), min(page.image.shape[0], band.bottom)
    x0, x1 = max(0, band.left), min(page.image.shape[1], band.right)
    crop = page.grey[y0:y1, x0:x1]
    if crop.size == 0 or y1 - y0 < 8:
        return ""
    h = max(8.0, (band.right - band.left) / 21)
    scaled = ocr_prep.scale_to_text_height(crop, h, 36.0)
    factor = scaled.shape[1] / crop.shape[1]
    result = ocr.data(paper_pad(scaled), lang="eng", psm=6, whitelist=whitelist)
    long_words = [w for w in result.words if curp_long(w.text)]
    if not long_words:
        return result.text
    word = long_words[0]
    box = Phrase(word.text, word.confidence, x0 + int((word.left - 12) / factor),
                 y0 + int((word.top - 12) / factor), x0 + int((word.right - 12) / factor),
                 y0 + int((word.top + word.height - 12) / factor), band.line)  # fmt: skip
    return result.text + "\n" + reocr_phrase(page, box, ocr, whitelist, target=48.0)


def find_clave_elector(found: list[Phrase], label: Phrase | None) -> Reading:
    """The clave de elector: 6 letters, YYMMDD, 2-digit state, H/M, 3 characters."""
    ordered = ([label, *neighbours(found, label, below=1)] if label else []) + found
    for phrase in ordered:
        squashed = re.sub(r"[^A-Z0-9]", "", doc.fold(_after_label_any(phrase)))
        for start in range(0, max(0, len(squashed) - 17)):
            window = squashed[start : start + 18]
            value = (
                window[:6].translate(_TO_LETTER)
                + window[6:14].translate(_TO_DIGIT)
                + window[14].translate(_TO_LETTER)
                + window[15:].translate(_TO_DIGIT)
            )
            if re.fullmatch(r"[A-Z]{6}\d{8}[HMX]\d{3}", value) and not _CURP_SHAPE.fullmatch(
                window
            ):
                return Reading(
                    value=value,
                    confidence=_conf(phrase.confidence),
                    method="ocr:label" if phrase is label else "ocr:pattern",
                    repaired=value != window,
                )
    return _NONE


# --- dates, sex ------------------------------------------------------------------------------


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
    return _MONTH_PAIR.sub(r"\1/\2", doc.fold(text))


def _curp_birth(curp: Reading) -> dt.date | None:
    if not curp.present or curp.value is None:
        return None
    return curp_rules.birth_date_of(curp.value)


def find_birth_date(found: list[Phrase], label: Phrase | None, curp: Reading) -> Reading:
    """The birth date next to its label; agreement with the CURP raises the confidence."""
    from_curp = _curp_birth(curp)
    ordered = [label, *neighbours(found, label, below=1)] if label else []
    for index, phrase in enumerate(ordered):
        for value in _phrase_dates(phrase):
            agrees = value == from_curp
            conf = max(phrase.confidence, 0.95) if agrees else phrase.confidence
            return Reading(
                value=value,
                confidence=_conf(conf),
                method="ocr:label" if index == 0 else "ocr:label-near",
            )
    for phrase in found:
        for value in day_dates(phrase.text, birth=True):
            if from_curp is not None and value == from_curp:
                return Reading(
                    value=value, confidence=_conf(max(phrase.confidence, 0.9)), method="ocr:pattern"
                )
    return _NONE


def _phrase_dates(phrase: Phrase) -> list[dt.date]:
    return day_dates(phrase.text, birth=True)


def find_sex(
    page: Page, found: list[Phrase], label: Phrase | None, curp: Reading, ocr: OcrEngine
) -> Reading:
    """H or M after the SEXO label; re-OCR beside the label if needed; else the CURP's."""
    reading = _value_after(found, label, r"(?<![A-Z])[HMX](?![A-Z])")
    if reading.present and curp.present and str(curp.value)[10:11] == reading.value:
        # one letter is read unsurely; the CURP's sex letter agreeing confirms it
        return reading.model_copy(update={"confidence": max(reading.confidence, 0.9)})
    if reading.present:
        return reading
    if label is not None:
        letter = _reocr_beside(page, label, ocr, whitelist="HMX")
        match = re.search(r"[HMX]", letter)
        if match:
            return Reading(value=match.group(0), confidence=0.8, method="ocr:region")
    if curp.present and curp.value:
        return Reading(value=curp.value[10], confidence=_conf(curp.confidence * 0.9), method="curp")
    return _NONE


def _reocr_beside(page: Page, label: Phrase, ocr: OcrEngine, whitelist: str | None = None) -> str:
    """OCR the small region right of a label (single line) and return its text."""
    h = max(label.height, 8)
    x0, x1 = label.right + 1, min(page.image.shape[1], label.right + 5 * h)
    y0, y1 = max(0, label.top - h // 2), min(page.image.shape[0], label.bottom + h // 2)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return ""
    crop = page.grey[y0:y1, x0:x1]
    result = ocr.data(crop, lang="spa", psm=7, whitelist=whitelist)
    return " ".join(w.text for w in result.words)


def find_vigencia(found: list[Phrase], label: Phrase | None) -> tuple[Reading, Reading]:
    """``VIGENCIA 2020 - 2030`` -> ("2020-2030", 31 Dec 2030): the years in the label's
    phrase and those right of it on its line, else in the phrase just below."""
    if label is None:
        return _NONE, _NONE
    near = neighbours(found, label, below=1)
    same_line = [label, *[p for p in near if p.line == label.line]]
    below = [p for p in near if p.line != label.line][:1]
    for group, method in ((same_line, "ocr:label"), (below, "ocr:label-near")):
        text = " ".join(
            _after_label(p, INE_LABELS["vigencia"]) if p is label else p.text for p in group
        )
        years = [int(y) for y in _YEAR.findall(doc.fold(text).translate(_TO_DIGIT))][:2]
        if years:
            conf = _conf(min(p.confidence for p in group))
            span = "-".join(str(y) for y in years)
            end = dt.date(max(years), 12, 31)
            return (
                Reading(value=span, confidence=conf, method=method),
                Reading(value=end, confidence=conf, method=method),
            )
    return _NONE, _NONE


# --- names and address -----------------------------------------------------------------------

_ALL_LABELS = "|".join(f"(?:{p})" for p in INE_LABELS.values())


def block_below(found: list[Phrase], label: Phrase, limit: int, gap: float = 2.2) -> list[Phrase]:
    """Up to ``limit`` phrases under ``label``, left-aligned with it, stopping at the next
    label or at a gap wider than ``gap`` label heights."""
    height = max(label.height, 8)
    rest = _after_label(label, _ALL_LABELS)
    block: list[Phrase] = []
    last = label
    for phrase in found:
        if phrase.line <= label.line or abs(phrase.left - label.left) > height * 2.5:
            continue
        if phrase.top - last.bottom > height * gap or re.search(_ALL_LABELS, phrase.key):
            break
        block.append(phrase)
        last = phrase
        if len(block) >= limit:
            break
    if rest and not block:
        return [label]
    return block


#: the widest gap (in label heights) between name lines: one empty line, no second surname
NAME_LINE_GAP = 3.6


def find_names_ine(
    found: list[Phrase], labels: dict[str, Phrase], curp: Reading
) -> dict[str, Reading]:
    """Primer apellido, segundo apellido and nombre(s) under the NOMBRE label."""
    label = labels.get("nombre")
    if label is None:
        return {}
    block: list[list[Phrase]] = []
    # an empty line where a second surname would be: a wider gap than in an address
    for phrase in block_below(found, label, limit=3, gap=NAME_LINE_GAP):
        if all(phrase is not q for row in block for q in row):  # not already in a row
            block.append(row_of(found, phrase))
    lines = [_clean_name(" ".join(p.text for p in row)) for row in block]
    lines = [line for line in lines if line]
    if not lines:
        return {}
    conf = _conf(min(p.confidence for row in block for p in row))
    parts = split_name_lines(lines, curp.value if curp.present else None)
    return {k: Reading(value=v, confidence=conf, method="ocr:label") for k, v in parts.items()}


def row_of(found: list[Phrase], first: Phrase) -> list[Phrase]:
    """``first`` and the phrases continuing it on the same row (the OCR may split one
    printed line, e.g. a second given name, into two phrases): vertically overlapping,
    each starting within ~2.5 letter heights of the previous one's end, no label."""
    row = [first]
    for phrase in sorted(found, key=lambda p: p.left):
        last = row[-1]
        h = max(last.height, 8)
        centre, last_centre = (phrase.top + phrase.bottom) / 2, (last.top + last.bottom) / 2
        if (
            phrase is not first
            and last.right - h * 0.3 <= phrase.left <= last.right + 2.5 * h
            and abs(centre - last_centre) <= 0.6 * h
            and not re.search(_ALL_LABELS, phrase.key)
        ):
            row.append(phrase)
    return row


def reconcile_with_mrz(
    fields: dict[str, Reading], mrz: MrzResult | None, found: list[Phrase]
) -> None:
    """Check the printed names against a fully valid MRZ (OCR-B, read apart): equal once
    folded, the printed spelling is confirmed (it carries the accents and Ñ); equal but
    for spaces (``DELOSSANTOS``), the MRZ's spacing with the printed accents; a part the
    print lacks comes from the MRZ with the accents of a printed word that folds to it."""
    if mrz is None or not mrz.valid or not mrz.surnames.strip():
        return
    words = printed_words(found)
    curp = _curp_text(fields.get("curp", _NONE))
    mrz_parts = _mrz_names(mrz, curp)
    _reorder_surnames(fields, mrz_parts, words)
    for name, value in mrz_parts.items():
        read = fields.get(name, _NONE)
        if not value or not read.present:
            continue
        a, b = names.comparable(str(read.value)), names.comparable(value)
        if a == b or _longer_same_name(str(read.value), value, mrz):
            fields[name] = read.model_copy(update={"confidence": max(read.confidence, 0.9)})
        elif a.replace(" ", "") == b.replace(" ", ""):
            spaced = with_printed_accents(value, words)
            fields[name] = Reading(value=spaced, confidence=0.9, method="ocr:label+mrz")


def split_name_lines(lines: list[str], curp: str | None) -> dict[str, str]:
    """Assign name lines to primer apellido / segundo apellido / nombre(s).

    Three lines are the INE's order; fewer are split with the CURP's initials.

    >>> split_name_lines(["GONZÁLEZ", "PÉREZ", "MARÍA JOSÉ"], None)["nombre"]
    'MARÍA JOSÉ'
    >>> split_name_lines(["GONZÁLEZ PÉREZ MARÍA JOSÉ"], "GOPM900315MDFNRR08")["segundo_apellido"]
    'PÉREZ'
    """
    if len(lines) >= 3:
        return {
            "primer_apellido": lines[0],
            "segundo_apellido": lines[1],
            "nombre": " ".join(lines[2:]),
        }
    tokens = " ".join(lines).split()
    if len(lines) == 2 and len(lines[0].split()) == 1 and curp and curp[2:3] == "X":
        return {"primer_apellido": lines[0], "segundo_apellido": "", "nombre": lines[1]}
    if len(lines) == 2:
        return _two_name_lines(lines, curp)
    groups = particle_groups(" ".join(tokens))  # DE LA TORRE is one surname
    if len(groups) < 2:
        return {"primer_apellido": " ".join(tokens)}
    cut = 1 if curp and curp[2:3] == "X" else 2
    cut = min(cut, len(groups) - 1)
    return {
        "primer_apellido": _join(groups[:1]),
        "segundo_apellido": _join(groups[1:cut]),
        "nombre": _join(groups[cut:]),
    }


def _two_name_lines(lines: list[str], curp: str | None) -> dict[str, str]:
    """Two name lines: a check-digit-valid CURP tells a compound single surname
    (``DE LOS SANTOS`` / ``JOSE ANTONIO``, no second surname: X) and a second surname
    whose given-name line went unread; else the first line holds the surnames.

    >>> _two_name_lines(["DE LA TORRE", "JOSE LUIS"], "TOXL520602HDFRXS06")["primer_apellido"]
    'DE LA TORRE'
    >>> _two_name_lines(["MUÑOZ", "CRUZ"], "MUCA700107HHGXRN69")
    {'primer_apellido': 'MUÑOZ', 'segundo_apellido': 'CRUZ'}
    >>> _two_name_lines(["GARCIA LOPEZ", "ANA"], None)["segundo_apellido"]
    'LOPEZ'
    """
    first, given = lines
    if curp and curp_check_ok(curp) and curp_rules.part_agrees("primer_apellido", first, curp):
        if curp[2] == "X" and curp_rules.part_agrees("nombre", given, curp):
            return {"primer_apellido": first, "segundo_apellido": "", "nombre": given}
        if curp_rules.part_agrees("segundo_apellido", given, curp) and not (
            curp_rules.part_agrees("nombre", given, curp)
        ):
            return {"primer_apellido": first, "segundo_apellido": given}
    primer, segundo = split_surnames(first, curp)
    return {"primer_apellido": primer, "segundo_apellido": segundo, "nombre": given}


def _clean_name(text: str) -> str:
    """Keep letters, spaces, apostrophes and hyphens of an OCR'd name line, upper case;
    particles the OCR glued together are split again.

    >>> _clean_name("DELA TORRE 1")
    'DE LA TORRE'
    """
    kept = re.sub(r"[^A-Za-zÁÉÍÓÚÜÑáéíóúüñ' \-]", "", text).upper()
    kept = re.sub(r"\bDEL(A|AS|OS)\b", r"DE L\1", kept)
    return re.sub(r"\s+", " ", kept).strip(" -'")


def find_domicilio(found: list[Phrase], labels: dict[str, Phrase]) -> dict[str, Reading]:
    """The address lines under DOMICILIO and the C.P. among them."""
    label = labels.get("domicilio")
    if label is None:
        return {}
    block = block_below(found, label, limit=4)
    if not block:
        return {}
    text = ", ".join(p.text.strip() for p in block)
    conf = _conf(min(p.confidence for p in block))
    out = {"domicilio": Reading(value=text, confidence=conf, method="ocr:label")}
    codes = _CP.findall(text.translate(_TO_DIGIT) if False else text)
    if codes:
        out["codigo_postal"] = Reading(value=codes[-1], confidence=conf, method="ocr:label")
    return out


# --- passport --------------------------------------------------------------------------------


def read_passport(image: np.ndarray, ocr: OcrEngine) -> IdReading:
    """Read a passport data page: printed fields by their bilingual labels, and the TD3 MRZ.
    A page whose first reading failed its check is read again levelled
    (:func:`reread_levelled`) and the stronger reading kept."""
    page, record = read_side(image, ocr)
    fields, mrz = passport_fields(page, ocr)
    weak = mrz is None or not mrz.valid or not _read_as_printed(fields["curp"])
    again = reread_levelled(image, page, record, "passport", weak, ocr)
    if again is not None:
        other, other_mrz = passport_fields(again[0], ocr)
        if _strength(other, other_mrz) > _strength(fields, mrz):
            record, fields, mrz = again[1], other, other_mrz
    return IdReading.model_validate(
        {"id_type": "passport", "front": record, "mrz": mrz, **_typed(fields)}
    )


def passport_fields(page: Page, ocr: OcrEngine) -> tuple[dict[str, Reading], MrzResult | None]:
    """The fields of a read passport page: printed ones by their labels, and its TD3 MRZ."""
    found = doc.phrases(page.words)
    labels = find_labels(found, PASSPORT_LABELS)
    mrz = mrz_image.read_mrz(page.image, ocr)
    fields: dict[str, Reading] = {}
    fields["fecha_nacimiento"] = _passport_date(found, labels.get("nacimiento"), birth=True)
    born = fields["fecha_nacimiento"].value or (mrz.birth_date if mrz else None)
    year = born.year if isinstance(born, dt.date) else None
    dates_ = (born,) if isinstance(born, dt.date) else ()
    first = first_curp(found, labels.get("curp"), curp_rules.Evidence(birth_dates=dates_), year)
    fields["curp"] = first
    fields["vigencia_hasta"] = _passport_date(found, labels.get("caducidad"))
    fields["sexo"] = _passport_sex(found, labels.get("sexo"))
    fields["numero_documento"] = _value_after(
        found, labels.get("numero"), r"(?<![A-Z0-9])(?=[A-Z0-9]*\d)[A-Z0-9]{8,10}(?![A-Z0-9])"
    )
    if mrz is not None and mrz.valid:
        _recheck_passport_dates(page, ocr, fields, labels, mrz)
    fields.update(passport_names(found, labels, _curp_text(first), mrz))
    prefix = curp_evidence({}, mrz).prefix
    if not _read_as_printed(first) or (prefix and not str(first.value).startswith(prefix)):
        fields["curp"] = read_curp(page, ocr, found, labels.get("curp"), curp_evidence(fields, mrz))
        if fields["curp"].value != first.value:
            fields.update(passport_names(found, labels, _curp_text(fields["curp"]), mrz))
    if mrz is not None and mrz.valid:
        _recheck_passport_names(page, ocr, fields, labels, mrz)
    _fill_from(fields, mrz, printed_words(found))
    enye_from_curp(fields)
    return fields, mrz


def _curp_text(curp: Reading) -> str | None:
    return str(curp.value) if curp.present else None


def passport_names(
    found: list[Phrase], labels: dict[str, Phrase], curp: str | None, mrz: MrzResult | None
) -> dict[str, Reading]:
    """The passport's names: printed by their labels, checked against a valid MRZ (OCR-B).
    Equal once folded: the printed spelling (accents, Ñ), confirmed. Different: the MRZ's,
    with the accents of a printed word that folds to it, when the print is missing, is a
    label misread, differs by an OCR slip (one or two characters) or disagrees with the
    CURP while the MRZ agrees; else the print (a genuinely different MRZ name then shows
    as MRZ_INCONSISTENT)."""
    prefix = curp_evidence({}, mrz).prefix
    printed = _passport_names(found, labels, curp or prefix)
    if mrz is None or not mrz.valid or not mrz.surnames.strip():
        return printed
    words = printed_words(found)
    out = dict(printed)
    for name, value in _mrz_names(mrz, curp).items():
        read = printed.get(name)
        text = str(read.value) if read is not None else ""
        if read is not None and (
            names.comparable(text) == names.comparable(value) or _longer_same_name(text, value, mrz)
        ):
            out[name] = read.model_copy(update={"confidence": max(read.confidence, 0.9)})
        elif (value or name == "segundo_apellido") and (
            read is None or _mrz_spelling_wins(name, text, value, curp)
        ):
            out[name] = _mrz_reading(value, words, mrz)
    return out


def _mrz_spelling_wins(name: str, printed: str, mrz_name: str, curp: str | None) -> bool:
    """Between a printed name and a different MRZ name, the MRZ's is the better reading."""
    if looks_like_label(printed):
        return True
    a, b = (names.comparable(x).replace(" ", "") for x in (printed, mrz_name))
    if names.edit_distance(a, b) <= 2:
        return True  # an OCR slip of the print: the OCR-B zone reads better
    if curp and curp_check_ok(curp):
        return curp_rules.part_agrees(name, mrz_name, curp) and not curp_rules.part_agrees(
            name, printed, curp
        )
    return False


def _mrz_reading(value: str, words: list[str], mrz: MrzResult) -> Reading:
    accented = with_printed_accents(value, words)
    reading = _from_mrz(accented, mrz)
    return reading.model_copy(update={"method": "mrz+ocr"}) if accented != value else reading


#: words of passport labels a name line must not be (Spanish / English)
LABEL_NAME_WORDS = ("NACIONALIDAD", "NATIONALITY", "NOMBRES", "APELLIDOS", "SURNAME",
                    "GIVEN", "NAMES", "NACIMIENTO", "LUGAR", "MEXICANA", "PASAPORTE",
                    "PASSPORT", "FECHA")  # fmt: skip


def looks_like_label(text: str) -> bool:
    """A word of ``text`` is a passport label word up to two OCR slips (five letters or more).

    >>> looks_like_label("MACIONALIDAD NATONAITY"), looks_like_label("DE LA FUENTE")
    (True, False)
    """
    for word in names.comparable(text).split():
        if len(word) >= 5 and any(
            names.edit_distance(word, label, limit=3) <= (1 if len(word) < 7 else 2)
            for label in LABEL_NAME_WORDS
        ):
            return True
    return False


def printed_words(found: list[Phrase]) -> list[str]:
    """The words of the printed zone (MRZ lines left out), cleaned as names."""
    return [w for p in found if "<" not in p.text for w in _clean_name(p.text).split()]


def _longer_same_name(printed: str, mrz_name: str, mrz: MrzResult) -> bool:
    """The printed name is the MRZ's, only longer: the MRZ's names field was full, so the
    MRZ truncated it (``MrzResult.names_may_be_cut``)."""
    a, b = names.comparable(printed), names.comparable(mrz_name)
    return mrz.names_may_be_cut and len(a) > len(b) > 0 and a.startswith(b)


def complete_cut_word(name: str, printed_words: list[str]) -> str:
    """An MRZ name whose last word the MRZ's width cut (``VICTOR MANU``) completed by the
    one printed word that starts with it, when there is exactly one (and the cut word keeps
    two letters at least: one letter starts too many words).

    >>> complete_cut_word("VICTOR MANU", ["FLORES", "VICTOR", "MANUEL", "CDMX"])
    'VICTOR MANUEL'
    >>> complete_cut_word("ANA MA", ["MARIA", "MARTA"]), complete_cut_word("ANA M", ["MARIA"])
    ('ANA MA', 'ANA M')
    """
    head, _, last = name.rpartition(" ")
    key = names.comparable(last)
    longer = {w for w in printed_words if len(names.comparable(w)) > len(key) >= 2
              and names.comparable(w).startswith(key)}  # fmt: skip
    if len(longer) != 1:
        return name
    return f"{head} {longer.pop()}".strip()


def with_printed_accents(mrz_name: str, printed_words: list[str]) -> str:
    """Each word of an MRZ name (no accents, Ñ as N) replaced by the printed word that folds
    to it, when one exists: the printed zone carries the diacritics.

    >>> with_printed_accents("CRUZ ORDONEZ", ["APELLIDOS", "CRUZ", "ORDÓÑEZ", "JESÚS"])
    'CRUZ ORDÓÑEZ'
    >>> with_printed_accents("PENA", ["PENCA", "PEÑAS"])
    'PENA'
    """
    by_fold: dict[str, str] = {}
    for word in printed_words:
        key = names.comparable(word)
        if word != key and key not in by_fold:
            by_fold[key] = word
    return " ".join(by_fold.get(names.comparable(w), w) for w in mrz_name.split())


def _passport_date(found: list[Phrase], label: Phrase | None, birth: bool = False) -> Reading:
    if label is None:
        return _NONE
    for index, phrase in enumerate([label, *neighbours(found, label, below=1)]):
        text = _after_label_any(phrase) if index == 0 else phrase.text
        value = day_dates(text, birth=birth)
        if value:
            return Reading(
                value=value[0],
                confidence=_conf(phrase.confidence),
                method="ocr:label" if index == 0 else "ocr:label-near",
            )
    return _NONE


def _passport_sex(found: list[Phrase], label: Phrase | None) -> Reading:
    """Passports print the ICAO letter (M masculino, F femenino): map it to H/M."""
    reading = _value_after(found, label, r"(?<![A-Z])[HMFX](?![A-Z])")
    if not reading.present:
        return reading
    return reading.model_copy(
        update={"value": {"M": "H", "F": "M"}.get(str(reading.value), reading.value)}
    )


def _passport_names(
    found: list[Phrase], labels: dict[str, Phrase], curp: str | None
) -> dict[str, Reading]:
    out: dict[str, Reading] = {}
    for name, key in (("apellidos", "apellidos"), ("nombre", "nombres")):
        label = labels.get(key)
        if label is None:
            continue
        below = value_below(found, label)
        if below is not None and not re.search(_PASSPORT_ALL, below.key):
            value = _clean_name(below.text)
            if value:
                out[name] = Reading(
                    value=value, confidence=_conf(below.confidence), method="ocr:label"
                )
    surnames = out.pop("apellidos", None)
    if surnames is not None and surnames.value:
        first, second = split_surnames(str(surnames.value), curp)
        out["primer_apellido"] = surnames.model_copy(update={"value": first})
        out["segundo_apellido"] = surnames.model_copy(update={"value": second})
    return out


def value_below(found: list[Phrase], label: Phrase) -> Phrase | None:
    """The phrase printed right under a label (left-aligned with it, within ~2.5 lines);
    specks and fragments (short, unsure) are skipped."""
    h = max(label.height, 8)
    candidates = [
        p
        for p in found
        if p.line != label.line
        and label.bottom - 0.3 * h <= p.top <= label.bottom + 2.5 * h
        and label.left - 1.5 * h <= p.left <= label.left + 3 * h
        and not (len(p.text) < 3 and p.confidence < 0.6)
    ]
    return min(candidates, key=lambda p: p.top, default=None)


PARTICLES = {"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VAN", "VON", "DA", "DI"}


def split_surnames(surnames: str, curp: str | None) -> tuple[str, str]:
    """Split "PRIMER SEGUNDO" surnames printed together; particles stay with the word they
    precede (DE LA CRUZ is one surname); the CURP's 3rd letter (the second surname's
    initial) decides between the possible cuts.

    >>> split_surnames("DE LA CRUZ BRISEÑO", None)
    ('DE LA CRUZ', 'BRISEÑO')
    >>> split_surnames("GARCIA DEL RIO LOPEZ", "GALR800101HDFRPS09")
    ('GARCIA DEL RIO', 'LOPEZ')
    >>> split_surnames("SMITH", None)
    ('SMITH', '')
    """
    groups = particle_groups(surnames)
    cuts = list(range(1, len(groups)))
    if not cuts:
        return " ".join(w for g in groups for w in g), ""
    if curp and len(curp) > 2:
        for cut in cuts:
            second = [w for g in groups[cut:] for w in g]
            initial = next((doc.fold(w)[0] for w in second if doc.fold(w) not in PARTICLES), "")
            if initial == curp[2]:
                return _join(groups[:cut]), _join(groups[cut:])
    return _join(groups[:1]), _join(groups[1:])


def particle_groups(text: str) -> list[list[str]]:
    """The words of ``text`` grouped so that particles stay with the word they precede.

    >>> particle_groups("DE LA TORRE JOSE LUIS")
    [['DE', 'LA', 'TORRE'], ['JOSE'], ['LUIS']]
    """
    groups: list[list[str]] = []
    pending: list[str] = []
    for word in text.split():
        pending.append(word)
        if doc.fold(word) not in PARTICLES:
            groups.append(pending)
            pending = []
    if pending and groups:
        groups[-1].extend(pending)
    elif pending:
        groups.append(pending)
    return groups


def _join(groups: list[list[str]]) -> str:
    return " ".join(w for g in groups for w in g)


_PASSPORT_ALL = "|".join(f"(?:{p})" for p in PASSPORT_LABELS.values())


def _fill_from(
    fields: dict[str, Reading], mrz: MrzResult | None, words: list[str] | None = None
) -> None:
    """Passport: the MRZ fills or confirms the printed fields (names with the accents of
    the printed ``words``)."""
    words = words or []
    if mrz is None:
        return
    fill: dict[str, Callable[[], object]] = {
        "numero_documento": lambda: mrz.document_number.replace("<", "") or None,
        "fecha_nacimiento": lambda: mrz.birth_date,
        "vigencia_hasta": lambda: mrz.expiry_date,
        "sexo": lambda: mrz.sexo,
    }
    for name, get in fill.items():
        if not fields.get(name, _NONE).present:
            fields[name] = _from_mrz(get(), mrz)
    if mrz.checks.get("document_number") and mrz.document_number.replace("<", ""):
        fields["numero_documento"] = _from_mrz(mrz.document_number.replace("<", ""), mrz)
    for name, value in _mrz_names(mrz).items():
        if not fields.get(name, _NONE).present and value:
            fields[name] = _from_mrz(with_printed_accents(value, words), mrz)
