"""Read an INE (front + back) or a Mexican passport data page into typed, scored fields.

::

    reading = read_id(front, back, "ine", ocr)
    reading.curp.value, reading.curp.confidence, reading.curp.source   # "GOPM...", 0.97, Source.LABEL
    reading.mrz.valid                                                   # every check digit held

How: each side is located and straightened (:mod:`pipeline.document`), OCR'd once (words with
boxes), and the fields are found by their printed labels (``NOMBRE``, ``CURP``, ``CLAVE DE
ELECTOR``, ``FECHA DE NACIMIENTO``, ``SEXO``, ``VIGENCIA``..., from the layout templates of
:mod:`pipeline.id.templates`) and by their patterns, never by coordinates. Check digits and
cross-field agreement pick among candidates and repair OCR confusions: the CURP's check digit
and its embedded birth date/sex, the MRZ's check digits (TD1 on the INE back, TD3 on the
passport). A field missing after the first pass is OCR'd again in the small region beside its
label (:mod:`pipeline.id.scheduler`, :mod:`pipeline.id.regions`). Measurements only: readability
is decided by the checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from models.documents import DocumentImage, IdReading, SecondLook
from models.mrz import MrzResult
from models.results import Reading, Source
from pipeline import curp_evidence as evidence_rules
from pipeline import document as doc
from pipeline import mrz_image, orientation, text_lines
from pipeline.document import Page
from pipeline.engines.tesseract import OcrEngine
from pipeline.id import templates
from pipeline.id.birthplace import find_birth_state
from pipeline.id.common import NONE, curp_text, from_mrz, mrz_confidence
from pipeline.id.curp_reading import first_curp
from pipeline.id.fields import (
    find_birth_date,
    find_clave_elector,
    find_domicilio,
    find_sex,
    find_vigencia,
    passport_date,
    passport_sex,
)
from pipeline.id.labels import find_labels, value_after
from pipeline.id.looks import IdState, SideRead
from pipeline.id.marks import fit_tall_words, with_diacritics
from pipeline.id.name_parts import printed_words, split_mrz_names, with_printed_accents
from pipeline.id.name_reading import (
    enye_from_curp,
    fill_names_from_mrz,
    find_names_ine,
    names_line_the_print_confirms,
    passport_names,
    reconcile_with_mrz,
)
from pipeline.id.scheduler import Budget, run_looks
from pipeline.uploads import Upload


def read_id(
    front: Upload,
    back: Upload | None,
    id_type: str,
    ocr: OcrEngine,
    looks_cpu_s: float | None = None,
) -> IdReading:
    """Read the ID's fields. Never raises on bad input: an unusable side gives empty fields.
    No second look starts after ``looks_cpu_s`` CPU seconds of this reading (default: the
    policy's ``id_reading.second_looks_cpu_s``)."""
    if not front.ok or front.image is None:
        return IdReading(id_type=id_type, problem=f"front_{front.kind}")
    budget = Budget.start(looks_cpu_s)
    if id_type == "passport":
        return read_passport(front.image, ocr, budget)
    back_image = back.image if back is not None and back.ok else None
    return read_ine(front.image, back_image, ocr, budget)


def read_ine(
    front: np.ndarray, back: np.ndarray | None, ocr: OcrEngine, budget: Budget | None = None
) -> IdReading:
    """Read an INE: printed front fields, and the TD1 MRZ of the back when given; then the
    second looks (:mod:`pipeline.id.scheduler`), the MRZ filling what the front missed."""
    budget = budget or Budget.start()
    front_page, front_record = read_side(front, ocr)
    fields = ine_front_fields(front_page)
    back_page, back_record, mrz = read_back(back, ocr) if back is not None else (None, None, None)
    side = SideRead(front, front_record, "ine_front", lambda page: (ine_front_fields(page), mrz))
    state = IdState(templates.load(templates.INE_FRONT), front_page, fields, mrz, ocr,
                    mrz_page=back_page, side=side)  # fmt: skip
    looks = run_looks(state, budget)
    fields, mrz = state.fields, state.mrz
    reconcile_with_mrz(fields, mrz, state.found)
    fill_names_from_mrz(fields, mrz, state.found)
    enye_from_curp(fields)
    return _merge_ine(fields, mrz, side.record, back_record, looks)


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
    upright = orientation.upright(best_page, ocr, "card")
    text = text_lines.page_text(upright.words) + ("\n" + "\n".join(best.lines) if best else "")
    return upright, doc.describe(upright, text=text), best


def _mrz_rank(mrz: MrzResult) -> tuple[int, bool, float]:
    return (sum(mrz.checks.values()), mrz.valid, mrz.confidence)


def read_side(image: np.ndarray, ocr: OcrEngine) -> tuple[Page, DocumentImage]:
    """Locate, straighten and OCR one card side; return the page (its over-tall word boxes
    fitted to their ink, :func:`fit_tall_words`; the Ñ and accents the OCR dropped put back,
    :func:`with_diacritics`) and its measurements."""
    page = orientation.read_page(image, ocr, "card")
    return with_diacritics(fit_tall_words(page)), doc.describe(page)


def ine_front_fields(page: Page) -> dict[str, Reading]:
    """Every printed field of an INE front that could be found, by name."""
    found = text_lines.phrases(page.words)
    ine = templates.load(templates.INE_FRONT)
    labels = find_labels(found, ine)
    fields: dict[str, Reading] = {}
    printed_birth = find_birth_date(found, labels.get("nacimiento"), NONE)
    year = printed_birth.value.year if isinstance(printed_birth.value, dt.date) else None
    born = [printed_birth.value] if isinstance(printed_birth.value, dt.date) else []
    evidence = evidence_rules.Evidence(birth_dates=tuple(born))
    fields["curp"] = first_curp(found, labels.get("curp"), evidence, year)
    fields["clave_elector"] = find_clave_elector(found, labels.get("clave"))
    fields["fecha_nacimiento"] = find_birth_date(found, labels.get("nacimiento"), fields["curp"])
    fields["sexo"] = find_sex(found, labels.get("sexo"), fields["curp"])
    fields.update(find_names_ine(found, labels, fields["curp"]))
    fields.update(find_domicilio(found, labels))
    fields["vigencia"], fields["vigencia_hasta"] = find_vigencia(found, labels.get("vigencia"))
    fields["anio_registro"] = value_after(found, labels.get("registro"), ine.value("registro"))
    fields["seccion"] = value_after(found, labels.get("seccion"), ine.value("seccion"))
    return fields


def _merge_ine(
    fields: dict[str, Reading],
    mrz: MrzResult | None,
    front: DocumentImage,
    back: DocumentImage | None,
    looks: list[SecondLook],
) -> IdReading:
    """Fill what the front missed from the MRZ (``source`` ``Source.MRZ``)."""
    if mrz is not None:
        fields["numero_documento"] = from_mrz(mrz.document_number.replace("<", "") or None, mrz)
        _witnessed_by_mrz(fields, mrz)
        for name, value in (
            ("fecha_nacimiento", mrz.birth_date),
            ("sexo", mrz.sexo),
            ("vigencia_hasta", mrz.expiry_date),
        ):
            if not fields.get(name, NONE).present and value is not None:
                fields[name] = from_mrz(value, mrz)
        for name, value in split_mrz_names(mrz).items():
            # a valid MRZ with one surname says the second one is empty (not unread)
            if not fields.get(name, NONE).present and (value or mrz.valid):
                fields[name] = from_mrz(value, mrz)
    return IdReading.model_validate(
        {
            "id_type": "ine",
            "front": front,
            "back": back,
            "mrz": mrz,
            "second_looks": looks,
            **_typed(fields),
        }  # fmt: skip
    )


def _witnessed_by_mrz(fields: dict[str, Reading], mrz: MrzResult) -> None:
    """Printed birth date, sex, expiry and document number that a valid MRZ reads the same:
    the MRZ, read apart in OCR-B, witnesses them."""
    if not mrz.valid:
        return
    for name, value in (
        ("fecha_nacimiento", mrz.birth_date),
        ("sexo", mrz.sexo),
        ("vigencia_hasta", mrz.expiry_date),
        ("numero_documento", mrz.document_number.replace("<", "") or None),
    ):
        read = fields.get(name, NONE)
        if read.present and read.printed and value is not None and read.value == value:
            fields[name] = read.witnessed(Source.MRZ, mrz_confidence(mrz))


def _typed(fields: dict[str, Reading]) -> dict[str, Reading]:
    """Keep only the fields IdReading declares."""
    return {name: value for name, value in fields.items() if name in IdReading.model_fields}


def read_passport(image: np.ndarray, ocr: OcrEngine, budget: Budget | None = None) -> IdReading:
    """Read a passport data page: printed fields by their bilingual labels, and the TD3 MRZ;
    then the second looks (:mod:`pipeline.id.scheduler`), the MRZ filling what the print
    missed."""
    budget = budget or Budget.start()
    page, record = read_side(image, ocr)
    fields, mrz = passport_fields(page, ocr)
    side = SideRead(image, record, "passport", lambda other: passport_fields(other, ocr), True)
    state = IdState(templates.load(templates.PASSPORT_PAGE), page, fields, mrz, ocr, side=side)
    looks = run_looks(state, budget)
    fields, mrz = state.fields, state.mrz
    _fill_from(fields, mrz, printed_words(state.found))
    enye_from_curp(fields)
    return IdReading.model_validate(
        {
            "id_type": "passport",
            "front": side.record,
            "mrz": mrz,
            "second_looks": looks,
            **_typed(fields),
        }  # fmt: skip
    )


def passport_fields(page: Page, ocr: OcrEngine) -> tuple[dict[str, Reading], MrzResult | None]:
    """The first pass over a read passport page: printed fields by their labels, and its
    TD3 MRZ (its names line the one the print confirms, :func:`names_line_the_print_confirms`)."""
    found = text_lines.phrases(page.words)
    passport = templates.load(templates.PASSPORT_PAGE)
    labels = find_labels(found, passport)
    mrz = names_line_the_print_confirms(mrz_image.read_mrz(page.image, ocr), found)
    fields: dict[str, Reading] = {}
    fields["fecha_nacimiento"] = passport_date(found, labels.get("nacimiento"), birth=True)
    born = fields["fecha_nacimiento"].value or (mrz.birth_date if mrz else None)
    year = born.year if isinstance(born, dt.date) else None
    dates_ = (born,) if isinstance(born, dt.date) else ()
    fields["estado_nacimiento"] = find_birth_state(found, labels.get("lugar"))
    state = fields["estado_nacimiento"].value
    evidence = evidence_rules.Evidence(birth_dates=dates_, states=(state,) if state else ())
    fields["curp"] = first_curp(found, labels.get("curp"), evidence, year)
    fields["vigencia_hasta"] = passport_date(found, labels.get("caducidad"))
    fields["sexo"] = passport_sex(found, labels.get("sexo"))
    fields["numero_documento"] = value_after(found, labels.get("numero"), passport.value("numero"))
    fields.update(passport_names(found, labels, curp_text(fields["curp"]), mrz))
    return fields, mrz


def _fill_from(
    fields: dict[str, Reading], mrz: MrzResult | None, words: list[str] | None = None
) -> None:
    """Passport: the MRZ fills or confirms the printed fields (names with the accents of
    the printed ``words``)."""
    words = words or []
    if mrz is None:
        return
    _witnessed_by_mrz(fields, mrz)
    fill: dict[str, Callable[[], object]] = {
        "numero_documento": lambda: mrz.document_number.replace("<", "") or None,
        "fecha_nacimiento": lambda: mrz.birth_date,
        "vigencia_hasta": lambda: mrz.expiry_date,
        "sexo": lambda: mrz.sexo,
    }
    for name, get in fill.items():
        if not fields.get(name, NONE).present:
            fields[name] = from_mrz(get(), mrz)
    number, printed = mrz.document_number.replace("<", ""), fields.get("numero_documento", NONE)
    if mrz.checks.get("document_number") and number and not (printed.present and printed.printed):
        # a printed number stays, to be compared (mrz_conflicts): an MRZ repair the print
        # contradicts (0 read, D fitting an altered check digit) is no reading
        fields["numero_documento"] = from_mrz(number, mrz)
    for name, value in split_mrz_names(mrz).items():
        if not fields.get(name, NONE).present and value:
            fields[name] = from_mrz(with_printed_accents(value, words), mrz)
