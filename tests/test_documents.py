"""Document stages: straightening, classification, ID and bill reading, PDF text layer, checks.

Images are rendered here with PIL (DejaVu for print, OCR-B for the MRZ); the checks are tested
on hand-built readings (pure, no OCR).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from models.case import Case
from models.codes import ReasonCode
from models.documents import AddressReading, DocumentImage, IdReading, ImageQuality
from models.results import Reading, Source
from pipeline import (
    address_checks,
    address_proof,
    document,
    document_checks,
    orientation,
    text_lines,
)
from pipeline.curp import check_digit
from pipeline.engines.poppler import PdfEngine
from pipeline.engines.tesseract import OcrEngine
from pipeline.id import read_id, templates
from pipeline.id.labels import find_labels
from pipeline.id.looks import mrz_names_again
from pipeline.id.name_parts import with_printed_accents
from pipeline.id.name_reading import (
    enye_from_curp,
    find_names_ine,
    passport_names,
    reconcile_with_mrz,
)
from pipeline.id.regions import skipped_bands
from pipeline.mrz import compose_td1, compose_td3, parse_mrz
from pipeline.policy import load_policy
from pipeline.uploads import decode_upload

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
OCRB = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
CURP17 = "GOPJ900315MDFNRS0"
CURP = CURP17 + check_digit(CURP17)
SUBMITTED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ocr() -> OcrEngine:
    engine = OcrEngine(timeout=30)
    engine.check()
    return engine


@pytest.fixture(scope="module")
def policy():  # type: ignore[no-untyped-def]
    return load_policy()


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def render_ine_front() -> Image.Image:
    img = Image.new("RGB", (1012, 638), (236, 226, 238))
    d = ImageDraw.Draw(img)
    label, value, grey = _font(SANS, 17), _font(BOLD, 23), (95, 95, 95)
    d.text((300, 30), "INSTITUTO NACIONAL ELECTORAL", font=_font(BOLD, 30), fill=(80, 20, 80))
    d.text((300, 72), "MÉXICO   CREDENCIAL PARA VOTAR", font=_font(SANS, 22), fill=(80, 20, 80))
    d.rectangle((40, 130, 270, 420), fill=(150, 150, 160))
    d.text((300, 130), "NOMBRE", font=label, fill=grey)
    d.text((800, 130), "SEXO", font=label, fill=grey)
    d.text((860, 126), "M", font=value, fill=0)
    for i, line in enumerate(["GONZÁLEZ", "PÉREZ", "MARÍA JOSÉ"]):
        d.text((300, 152 + i * 29), line, font=value, fill=0)
    d.text((300, 245), "DOMICILIO", font=label, fill=grey)
    for i, line in enumerate(["C CEDROS 45", "COL DEL VALLE 03100", "BENITO JUAREZ, CDMX"]):
        d.text((300, 267 + i * 29), line, font=value, fill=0)
    rows = [
        ("CLAVE DE ELECTOR", "GNPRMR90031509M400"),
        ("CURP", CURP),
        ("FECHA DE NACIMIENTO", "15/03/1990"),
        ("VIGENCIA", "2020 - 2030"),
    ]
    for i, (name, text) in enumerate(rows):
        y = 370 + i * 38
        d.text((300, y), name, font=label, fill=grey)
        d.text((310 + int(d.textlength(name, font=label)), y - 4), text, font=value, fill=0)
    d.text((760, 408), "SECCIÓN", font=label, fill=grey)
    d.text((840, 404), "1234", font=value, fill=0)
    return img


def mrz_lines() -> list[str]:
    return compose_td1(
        "ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231", "MEX",
        "GONZALEZ PEREZ", "MARIA JOSE",
    )  # fmt: skip


def render_ine_back() -> Image.Image:
    img = Image.new("RGB", (1012, 638), (236, 226, 238))
    d = ImageDraw.Draw(img)
    d.rectangle((40, 40, 300, 300), fill=(30, 30, 30))
    for i, line in enumerate(mrz_lines()):
        d.text((60, 440 + i * 56), line, font=_font(OCRB, 34), fill=0)
    return img


def render_bill() -> Image.Image:
    img = Image.new("RGB", (1275, 1650), "white")
    d = ImageDraw.Draw(img)
    text, bold = _font(SANS, 27), _font(BOLD, 29)
    d.text((80, 60), "CFE", font=_font(BOLD, 70), fill=(0, 110, 60))
    d.text((260, 85), "Suministrador de Servicios Básicos", font=text, fill=(0, 90, 50))
    d.text((80, 240), "GONZÁLEZ PÉREZ MARÍA JOSÉ", font=bold, fill=0)
    for i, line in enumerate(["C CEDROS 45", "COL DEL VALLE", "BENITO JUAREZ, CDMX C.P. 03100"]):
        d.text((80, 285 + i * 38), line, font=text, fill=0)
    d.text((760, 240), "TOTAL A PAGAR: $845", font=bold, fill=0)
    d.text((760, 290), "LÍMITE DE PAGO: 28 NOV 26", font=text, fill=0)
    d.text((80, 520), "PERIODO FACTURADO: 12 SEP 26 - 13 NOV 26", font=text, fill=0)
    d.text((80, 570), "NO. DE SERVICIO 123456789012   TARIFA 1", font=text, fill=0)
    return img


def photo(img: Image.Image, turn: int = 0) -> np.ndarray:
    """The document on a dark table, slightly in perspective, optionally turned."""
    arr = np.asarray(img)[:, :, ::-1]
    h, w = arr.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    ox, oy = w * 0.2, h * 0.2
    dst = np.float32(
        [[ox + 12, oy], [ox + w - 8, oy + 15], [ox + w, oy + h - 4], [ox - 6, oy + h + 10]]
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(arr, matrix, (int(w * 1.4), int(h * 1.45)), borderValue=(55, 60, 70))
    return document.rotate(out, turn)


def upload(role: str, image: np.ndarray):  # type: ignore[no-untyped-def]
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return decode_upload(role, data.tobytes())


def make_case(**registration: Any) -> Case:
    reg = {
        "nombre": "María José",
        "primer_apellido": "González",
        "segundo_apellido": "Pérez",
        "curp": CURP,
        "fecha_nacimiento": "1990-03-15",
        "sexo": "M",
        "entidad_nacimiento": "DF",
        "domicilio": {
            "calle": "Cedros",
            "numero_exterior": "45",
            "colonia": "Del Valle",
            "municipio": "Benito Juárez",
            "entidad": "CDMX",
            "codigo_postal": "03100",
        },
    } | registration
    return Case.model_validate(
        {
            "submission_id": "s-1",
            "account_id": "a-1",
            "submitted_at": SUBMITTED.isoformat(),
            "registration": reg,
            "documents": {
                "id_type": "ine",
                "id_front": "f.jpg",
                "id_back": "b.jpg",
                "address_proof": "p.pdf",
                "selfie": "s.jpg",
            },
        }
    )


# --- straightening and classification ----------------------------------------------------


def test_outline_is_found_and_straightened() -> None:
    quad = document.find_outline(photo(render_ine_front()))
    assert quad is not None
    page = document.locate(photo(render_ine_front()), "card")
    h, w = page.image.shape[:2]
    assert page.outline_found and abs(w / h - 1012 / 638) < 0.08


def test_quality_measures_blur_and_darkness() -> None:
    sharp = np.asarray(render_ine_front())[:, :, ::-1].copy()
    blurred = cv2.GaussianBlur(sharp, (0, 0), 6)
    dark = (sharp * 0.15).astype(np.uint8)
    q_sharp, q_blur = document.measure_quality(sharp), document.measure_quality(blurred)
    assert q_blur.sharpness < q_sharp.sharpness / 5
    assert document.measure_quality(dark).brightness < 40


def test_classify_by_keywords() -> None:
    assert document.classify("IDMEX1234567897<<1234567890123", 1012, 638)[0] == "ine_back"
    assert document.classify("PASAPORTE PASSPORT P<MEXGONZALEZ", 1250, 880)[0] == "passport"
    assert document.classify("hola mundo", 100, 100)[0] == "other"


# --- ID reading (OCR) ----------------------------------------------------------------------


def test_read_ine_front_turned_and_back_mrz(ocr: OcrEngine) -> None:
    front = upload("id_front", photo(render_ine_front(), turn=180))
    back = upload("id_back", photo(render_ine_back()))
    reading = read_id(front, back, "ine", ocr)
    assert reading.front is not None and reading.front.kind == "ine_front"
    assert reading.front.rotation == 180
    assert reading.curp.value == CURP
    assert reading.fecha_nacimiento.value == dt.date(1990, 3, 15)
    assert (reading.primer_apellido.value, reading.segundo_apellido.value) == ("GONZÁLEZ", "PÉREZ")
    assert reading.nombre.value == "MARÍA JOSÉ"
    assert reading.sexo.value == "M"
    assert reading.vigencia_hasta.value == dt.date(2030, 12, 31)
    assert reading.clave_elector.value == "GNPRMR90031509M400"
    assert reading.codigo_postal.value == "03100"
    assert reading.mrz is not None and reading.mrz.valid
    assert reading.numero_documento.value == "123456789"
    checks = document_checks.id_checks(make_case(), reading, load_policy())
    assert [c.reasons for c in checks if c.reasons] == []
    assert {c.name: c.status for c in checks}["mrz"] == "pass"


def test_mrz_name_line_disagreeing_with_the_print_is_read_again(ocr: OcrEngine) -> None:
    page = document.Page(image=np.asarray(render_ine_back())[:, :, ::-1].copy())
    lines = mrz_lines()
    printed = {"primer_apellido": _r("GONZÁLEZ"), "segundo_apellido": _r("PÉREZ"),
               "nombre": _r("MARÍA JOSÉ")}  # fmt: skip
    misread = parse_mrz([*lines[:2], "LGONZALEZ<PEREZ<<MARIA<JOST<<<"], today=SUBMITTED.date())
    assert misread is not None and misread.valid
    again = mrz_names_again(page, ocr, dict(printed), misread)
    assert again.lines == lines and again.method.endswith("+names:band1:grey")
    # a print of another name: the re-read does not agree with it either, the MRZ stays
    other = printed | {"nombre": _r("LUCÍA")}
    assert mrz_names_again(page, ocr, other, misread) is misread


def test_invalid_front_gives_empty_reading(ocr: OcrEngine) -> None:
    reading = read_id(decode_upload("id_front", b"not an image"), None, "ine", ocr)
    assert reading.problem and not reading.curp.present
    checks = document_checks.id_checks(make_case(), reading, load_policy())
    assert [c.status for c in checks] == ["inconclusive"] and not checks[0].reasons


# --- orientation and reading effort (pages) -----------------------------------------------


class CountingOcr(OcrEngine):
    """The real engine, counting its calls and the sizes of the images it was given."""

    def __init__(self) -> None:
        super().__init__(timeout=30)
        self.sizes: list[tuple[int, int]] = []

    def data(self, image, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.sizes.append((image.shape[1], image.shape[0]))
        return super().data(image, *args, **kwargs)


def bill_page(turn: int = 0) -> document.Page:
    """A rendered bill at canonical page size, turned clockwise by ``turn`` degrees."""
    image = document.canonical_size(np.asarray(render_bill())[:, :, ::-1], "page")
    return document.Page(image=document.rotate(image, turn))


def test_text_layout_tells_the_direction_of_lines() -> None:
    page = bill_page()
    assert orientation.text_layout(page.grey).axis == "rows"
    assert orientation.text_layout(document.rotate(page.grey, 90)).axis == "columns"
    noise = np.random.default_rng(1).normal(25, 4, (960, 1280)).clip(0, 255).astype(np.uint8)
    dark = cv2.GaussianBlur(noise, (9, 9), 0)
    assert orientation.text_layout(dark).glyphs < orientation.MIN_GLYPHS
    assert orientation.text_layout(np.full((600, 800), 255, np.uint8)).axis == "unknown"


@pytest.mark.parametrize(("turn", "fix"), [(0, 0), (90, 270), (180, 180), (270, 90)])
def test_turned_page_is_read_once_or_twice(turn: int, fix: int) -> None:
    """The text direction picks the two candidate turns without OCR: an upright page costs
    one OCR call, a page upside down or on its side two (never the four of before)."""
    ocr = CountingOcr()
    page = orientation.upright(bill_page(turn), ocr, "page", enlarge=True)
    assert page.rotation == fix
    assert "FACTURADO" in text_lines.fold(text_lines.page_text(page.words))
    assert len(ocr.sizes) == (1 if fix in (0, 90) else 2)


def test_wrong_text_direction_falls_back_to_the_quarter_turns(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Should the glyph analysis misjudge the direction, the two turns it allows read poorly
    and the quarter turns are read too."""
    monkeypatch.setattr(
        orientation, "text_layout", lambda grey: orientation.TextLayout(400, 300, 0)
    )
    ocr = CountingOcr()
    page = orientation.upright(bill_page(90), ocr, "page")
    assert page.rotation == 270 and len(ocr.sizes) == 4


def test_page_without_glyphs_is_only_glanced_at() -> None:
    """A dark, blurred photo: one half-size OCR call (it used to be four full-size ones
    and an enlarged fifth, tens of seconds of tesseract on noise); its measurements still
    say unreadable (low confidence, measured on the full-size image)."""
    ocr = CountingOcr()
    noise = np.random.default_rng(2).normal(28, 6, (807, 1280, 3)).clip(0, 255).astype(np.uint8)
    page = orientation.read_page(cv2.GaussianBlur(noise, (7, 7), 0), ocr, "card")
    assert ocr.sizes == [(640, 404)]
    record = document.describe(page)
    assert record.ocr_confidence < 0.5 and record.quality.width == 1280


def test_read_words_at_a_scale_maps_boxes_back(ocr: OcrEngine) -> None:
    image = bill_page().image
    full = {w.text: w for w in orientation.read_words(ocr, image)}
    half = {w.text: w for w in orientation.read_words(ocr, image, scale=0.5)}
    word = full["FACTURADO:"] if "FACTURADO:" in full else full["PERIODO"]
    twin = half[word.text]
    assert abs(twin.left - word.left) <= 6 and abs(twin.top - word.top) <= 6
    assert abs(twin.height - word.height) <= 6


def test_small_print_is_enlarged_once() -> None:
    """Print too small for Tesseract is read again enlarged, once, and kept when better."""
    ocr = CountingOcr()
    small = cv2.resize(bill_page().image, None, fx=0.42, fy=0.42, interpolation=cv2.INTER_AREA)
    page = orientation.upright(document.Page(image=small), ocr, "page", enlarge=True)
    assert page.scale > 1.5 and page.image.shape[1] > small.shape[1] * 1.5
    assert len(ocr.sizes) == 2 and ocr.sizes[1][0] > ocr.sizes[0][0]
    assert "FACTURADO" in text_lines.fold(text_lines.page_text(page.words))


# --- proof of address ----------------------------------------------------------------------


def bill_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    lines = [
        (40, 740, "CFE Suministrador de Servicios Basicos"),
        (40, 700, "GONZALEZ PEREZ MARIA JOSE"),
        (40, 686, "C CEDROS 45"),
        (40, 672, "COL DEL VALLE"),
        (40, 658, "BENITO JUAREZ, CDMX C.P. 03100"),
        (360, 700, "TOTAL A PAGAR: $845.00"),
        (360, 686, "LIMITE DE PAGO: 28 NOV 26"),
        (40, 600, "PERIODO FACTURADO: 12 SEP 26 - 13 NOV 26"),
    ]
    for x, y, text in lines:
        c.drawString(x, y, text)
    c.save()
    return buf.getvalue()


def test_pdf_text_layer_is_read_without_ocr(ocr: OcrEngine) -> None:
    reading = address_proof.read_address_proof(
        decode_upload("address_proof", bill_pdf()), ocr, PdfEngine()
    )
    assert reading.source == "pdf-text" and reading.kind == "bill"
    assert reading.emisor.value == "CFE"
    assert reading.codigo_postal.value == "03100"
    assert reading.periodo_fin.value == dt.date(2026, 11, 13)
    assert reading.fecha.value == dt.date(2026, 11, 13) and reading.fecha_basis == "period_end"
    assert reading.fecha_limite_pago.value == dt.date(2026, 11, 28)
    assert "CEDROS" in str(reading.domicilio.value)
    extracted = address_checks.address_extracted(reading)
    assert extracted == {
        "address.emisor": "CFE",
        "address.codigo_postal": "03100",
        "address.fecha": "2026-11-13",
    }
    checks = address_checks.address_checks(make_case(), reading, load_policy())
    assert [c.status for c in checks] == ["pass"] * 4


def test_broken_pdf_is_unreadable_not_a_crash(ocr: OcrEngine) -> None:
    data = b"%PDF-1.4\n" + b"garbage" * 50
    reading = address_proof.read_address_proof(
        decode_upload("address_proof", data), ocr, PdfEngine()
    )
    assert not reading.codigo_postal.present


def test_photo_of_bill_is_read(ocr: OcrEngine) -> None:
    reading = address_proof.read_address_proof(
        upload("address_proof", photo(render_bill())), ocr, PdfEngine()
    )
    assert reading.kind == "bill" and reading.emisor.value == "CFE"
    assert reading.codigo_postal.value == "03100"
    assert reading.fecha.value == dt.date(2026, 11, 13)


def test_ine_as_address_proof_is_a_type_mismatch(ocr: OcrEngine) -> None:
    reading = address_proof.read_address_proof(
        upload("address_proof", photo(render_ine_front())), ocr, PdfEngine()
    )
    assert reading.kind == "ine_front"
    checks = address_checks.address_checks(make_case(), reading, load_policy())
    reasons = [r for c in checks for r in c.reasons]
    assert reasons == [ReasonCode.DOCUMENT_TYPE_MISMATCH]


# --- checks on hand-built readings (no OCR) ------------------------------------------------


def _r(value: Any, confidence: float = 0.95, source: Source = Source.LABEL) -> Reading[Any]:
    return Reading(value=value, confidence=confidence, source=source)


def good_front() -> DocumentImage:
    quality = ImageQuality(width=1280, height=807, brightness=180, contrast=60, sharpness=400)
    return DocumentImage(kind="ine_front", kind_score=0.9, quality=quality, ocr_confidence=0.9,
                         words=40)  # fmt: skip


def id_reading(**fields: Any) -> IdReading:
    base: dict[str, Any] = {
        "id_type": "ine",
        "front": good_front(),
        "primer_apellido": _r("GONZÁLEZ"),
        "segundo_apellido": _r("PÉREZ"),
        "nombre": _r("MARÍA JOSÉ"),
        "curp": _r(CURP),
        "fecha_nacimiento": _r(dt.date(1990, 3, 15)),
        "sexo": _r("M"),
        "vigencia_hasta": _r(dt.date(2030, 12, 31)),
    }
    return IdReading.model_validate(base | fields)


def reasons_of(checks: list) -> set[ReasonCode]:  # type: ignore[type-arg]
    return {r for c in checks for r in c.reasons}


def test_consistent_id_passes(policy) -> None:  # type: ignore[no-untyped-def]
    checks = document_checks.id_checks(make_case(), id_reading(), policy)
    assert reasons_of(checks) == set()
    assert all(c.detail and c.evidence is not None for c in checks)


@pytest.mark.parametrize(
    ("fields", "registration", "reason"),
    [
        ({}, {"curp": "GOPJ900315MDFNRS" + "1" + check_digit("GOPJ900315MDFNRS1")},
         ReasonCode.CURP_MISMATCH),
        ({}, {"nombre": "Guadalupe"}, ReasonCode.NAME_MISMATCH),
        ({}, {"fecha_nacimiento": "1991-03-15"}, ReasonCode.BIRTHDATE_MISMATCH),
        ({}, {"sexo": "H"}, ReasonCode.SEX_MISMATCH),
        ({"vigencia_hasta": _r(dt.date(2025, 12, 31))}, {}, ReasonCode.ID_EXPIRED),
    ],
)  # fmt: skip
def test_each_mismatch_has_its_reason(policy, fields, registration, reason) -> None:  # type: ignore[no-untyped-def]
    checks = document_checks.id_checks(make_case(**registration), id_reading(**fields), policy)
    assert reason in reasons_of(checks)


def test_invalid_curp_check_digit(policy) -> None:  # type: ignore[no-untyped-def]
    bad = CURP[:17] + str((int(CURP[17]) + 3) % 10)
    checks = document_checks.id_checks(make_case(curp=bad), id_reading(curp=_r(bad)), policy)
    assert reasons_of(checks) == {ReasonCode.CURP_INVALID}


def test_a_misread_printed_sex_does_not_make_a_valid_curp_invalid(policy) -> None:  # type: ignore[no-untyped-def]
    # SEXO misread on the front (H for the M the CURP, the MRZ and the registration say): one
    # witness disagrees; the CURP itself is valid, so no CURP_INVALID (issue 17)
    reading = id_reading(sexo=_r("H"))
    checks = {c.name: c for c in document_checks.id_checks(make_case(), reading, policy)}
    assert ReasonCode.CURP_INVALID not in reasons_of(list(checks.values()))
    assert checks["curp_valid"].status == "inconclusive"
    assert checks["curp_valid"].evidence["problemas_documento"] == ["sex_no_concuerda"]


def test_unread_fields_are_inconclusive_not_mismatches(policy) -> None:  # type: ignore[no-untyped-def]
    unread = Reading(value=None, confidence=0.0)
    reading = id_reading(curp=unread, sexo=_r("H", confidence=0.1), vigencia_hasta=unread)
    checks = {c.name: c for c in document_checks.id_checks(make_case(), reading, policy)}
    assert checks["curp_match"].status == "inconclusive"
    assert checks["sex_match"].status == "inconclusive"
    assert checks["id_expiry"].status == "inconclusive"
    assert reasons_of(list(checks.values())) == set()


def test_unreadable_id_suppresses_mismatches(policy) -> None:  # type: ignore[no-untyped-def]
    blurred = good_front().model_copy(update={"quality": ImageQuality(sharpness=2, brightness=20)})
    reading = id_reading(front=blurred, sexo=_r("H"))
    checks = document_checks.id_checks(make_case(), reading, policy)
    assert reasons_of(checks) == {ReasonCode.ID_UNREADABLE}


def test_low_mean_word_confidence_does_not_overrule_a_valid_mrz_and_read_fields(policy) -> None:  # type: ignore[no-untyped-def]
    # seed 9102 passport_2021 case-0057: a page with much security print read as junk words
    # (mean confidence 0.52) whose MRZ held every check digit and whose fields were read
    junk = good_front().model_copy(update={"ocr_confidence": 0.5})
    lines = compose_td1("ID", "MEX", "123456789", "", "900315", "M", "301231", "MEX",
                        "GONZALEZ PEREZ", "MARIA JOSE")  # fmt: skip
    mrz = parse_mrz(lines, today=dt.date(2026, 1, 1))
    assert mrz is not None and mrz.valid
    legible = {
        c.name: c
        for c in document_checks.id_checks(make_case(), id_reading(front=junk, mrz=mrz), policy)
    }
    assert legible["id_readable"].status == "pass"
    # without that evidence the low confidence still makes the ID unreadable
    unread = Reading(value=None, confidence=0.0)
    weak = id_reading(front=junk, curp=unread, primer_apellido=unread, nombre=unread)
    assert ReasonCode.ID_UNREADABLE in reasons_of(
        document_checks.id_checks(make_case(), weak, policy)
    )
    no_mrz = document_checks.id_checks(make_case(), id_reading(front=junk), policy)
    assert ReasonCode.ID_UNREADABLE in reasons_of(no_mrz)


def test_mrz_disagreeing_with_front(policy) -> None:  # type: ignore[no-untyped-def]
    lines = compose_td1("ID", "MEX", "123456789", "", "900316", "M", "301231", "MEX",
                        "GONZALEZ PEREZ", "MARIA JOSE")  # fmt: skip
    mrz = parse_mrz(lines, today=dt.date(2026, 1, 1))
    assert mrz is not None and mrz.valid
    checks = document_checks.id_checks(make_case(), id_reading(mrz=mrz), policy)
    assert reasons_of(checks) == {ReasonCode.MRZ_INCONSISTENT}
    failed = next(c for c in checks if c.name == "mrz")  # the reviewer sees both values
    assert failed.evidence["difieren"]["fecha de nacimiento"] == {
        "impreso": "1990-03-15",
        "mrz": "1990-03-16",
    }
    assert "impreso 1990-03-15, MRZ 1990-03-16" in failed.detail
    fine = parse_mrz(mrz_lines(), today=dt.date(2026, 1, 1))
    assert reasons_of(document_checks.id_checks(make_case(), id_reading(mrz=fine), policy)) == set()


def address_reading(**fields: Any) -> AddressReading:
    base: dict[str, Any] = {
        "kind": "bill",
        "kind_score": 0.9,
        "source": "pdf-text",
        "text_chars": 400,
        "ocr_confidence": 1.0,
        "emisor": _r("CFE"),
        "codigo_postal": _r("03100"),
        "domicilio": _r("C CEDROS 45, COL DEL VALLE, BENITO JUAREZ C.P. 03100"),
        "fecha": _r(dt.date(2026, 10, 31)),
        "fecha_basis": "period_end",
    }
    return AddressReading.model_validate(base | fields)


def test_address_recency_and_match(policy) -> None:  # type: ignore[no-untyped-def]
    case = make_case()
    assert reasons_of(address_checks.address_checks(case, address_reading(), policy)) == set()
    old = address_reading(fecha=_r(dt.date(2026, 8, 1)))
    assert reasons_of(address_checks.address_checks(case, old, policy)) == {
        ReasonCode.ADDRESS_PROOF_STALE
    }
    moved = address_reading(codigo_postal=_r("06700"))
    assert reasons_of(address_checks.address_checks(case, moved, policy)) == {
        ReasonCode.ADDRESS_MISMATCH
    }
    elsewhere = address_reading(domicilio=_r("AV REFORMA 222, COL JUAREZ C.P. 03100"))
    assert ReasonCode.ADDRESS_MISMATCH in reasons_of(
        address_checks.address_checks(case, elsewhere, policy)
    )


def test_unreadable_address_proof(policy) -> None:  # type: ignore[no-untyped-def]
    unread = Reading(value=None, confidence=0.0)
    blank = address_reading(
        source="image-ocr", text_chars=5, ocr_confidence=0.2, kind="unknown", emisor=unread,
        codigo_postal=unread, fecha=unread,
    )  # fmt: skip
    checks = address_checks.address_checks(make_case(), blank, policy)
    assert reasons_of(checks) == {ReasonCode.ADDRESS_PROOF_UNREADABLE}


def test_an_unread_postcode_tells_the_reviewer_what_to_compare(policy) -> None:  # type: ignore[no-untyped-def]
    from pipeline.explain import unresolved

    unread = Reading(value=None, confidence=0.0)
    no_cp = address_reading(codigo_postal=unread, domicilio=unread)
    checks = address_checks.address_checks(make_case(), no_cp, policy)
    assert reasons_of(checks) == set()  # not read is never a mismatch: a person compares
    (line,) = unresolved(checks)
    assert line.startswith("address_match: No se pudo leer el código postal")
    assert "compárelo a mano" in line and "C.P. 03100" in line  # the registered address


def test_readings_round_trip_json() -> None:
    reading = id_reading()
    assert IdReading.model_validate_json(reading.model_dump_json()) == reading
    bill = address_reading()
    assert AddressReading.model_validate_json(bill.model_dump_json()) == bill


def test_one_character_ocr_slip_keeping_the_check_digit_is_not_a_mismatch(policy) -> None:  # type: ignore[no-untyped-def]
    slipped = CURP[:3] + "L" + CURP[4:]  # J/L at position 4 keeps the check digit
    assert check_digit(slipped[:17]) == slipped[17]
    checks = document_checks.id_checks(make_case(), id_reading(curp=_r(slipped)), policy)
    assert reasons_of(checks) == set()
    assert {c.name: c.status for c in checks}["curp_match"] == "inconclusive"


def test_a_curp_letter_the_document_print_contradicts_is_a_slip_not_a_mismatch(policy) -> None:  # type: ignore[no-untyped-def]
    # ine_2014 seed 9701 case 291: VILLASEÑOR's V read as M in the CURP (V and M keep the
    # check digit, as G and P do here) was a CURP_MISMATCH on a genuine card
    slipped = "P" + CURP[1:]
    assert check_digit(slipped[:17]) == slipped[17]
    checks = document_checks.id_checks(make_case(), id_reading(curp=_r(slipped)), policy)
    assert {c.name: c.status for c in checks}["curp_match"] == "inconclusive"
    # the print agreeing with the document's CURP: the registered one is another person's
    other = make_case(curp=slipped)
    checks = document_checks.id_checks(other, id_reading(), policy)
    assert ReasonCode.CURP_MISMATCH in reasons_of(checks)


# --- ID names and CURP settlement (issue 3 field accuracy; pure, no OCR) ------------------

Phrase = text_lines.Phrase


def _phrase(text: str, left: int, top: int, height: int = 24, line: int = 0) -> text_lines.Phrase:
    return Phrase(text, 0.9, left, top, left + 14 * len(text), top + height, line)


def _passport_mrz(surnames: str, given: str, curp: str) -> Any:
    lines = compose_td3("P", "MEX", surnames, given, "G12345678", "MEX", "900315", "F", "301231", curp[:14])  # fmt: skip
    return parse_mrz(lines, today=dt.date(2026, 1, 1))


def test_printed_accents_go_onto_mrz_names() -> None:
    words = ["APELLIDOS", "CRUZ", "ORDÓÑEZ", "NOMBRES", "JESÚS", "PEÑAS"]
    assert with_printed_accents("CRUZ ORDONEZ", words) == "CRUZ ORDÓÑEZ"
    assert with_printed_accents("JESUS", words) == "JESÚS"
    assert with_printed_accents("PENA", words) == "PENA"  # PEÑAS is another word


def test_passport_names_come_from_a_valid_mrz_with_printed_accents() -> None:
    mrz = _passport_mrz("GONZALEZ PENA", "MARIA JOSE", CURP)
    assert mrz.valid
    found = [
        _phrase("Apellidos / Surname", 100, 100, line=1),
        _phrase("GONZÁLEZ PEÑA", 100, 130, line=2),
        _phrase("NACIONALIDAD NATONAITY", 100, 200, line=3),  # a label read as the value
        _phrase("MARÍA JOSÉ", 500, 400, line=4),
    ]
    labels = find_labels(found, templates.load(templates.PASSPORT_PAGE))
    out = passport_names(found, labels, CURP, mrz)
    assert (out["primer_apellido"].value, out["segundo_apellido"].value) == ("GONZÁLEZ", "PEÑA")
    assert out["nombre"].value == "MARÍA JOSÉ"


def test_second_given_name_split_into_its_own_phrase_is_kept() -> None:
    label = _phrase("NOMBRE", 440, 197, 20, line=4)
    found = [
        label,
        _phrase("DE LA TORRE", 442, 231, 26, line=5),
        _phrase("FLORES", 441, 271, 24, line=6),
        _phrase("FERNANDO", 440, 310, 25, line=7),
        Phrase("FRANCISCO:", 0.88, 610, 308, 790, 336, 8),
        _phrase("DOMICILIO", 439, 363, 19, line=9),
    ]
    names = find_names_ine(found, {"nombre": label}, Reading(value=None))
    assert names["nombre"].value == "FERNANDO FRANCISCO"
    assert names["primer_apellido"].value == "DE LA TORRE"


def test_printed_names_checked_against_the_mrz() -> None:
    mrz = parse_mrz(
        compose_td1("ID", "MEX", "123456789", "1234567890123", "931114", "H", "301231", "MEX",
                    "DE LOS SANTOS SAN JUAN", "JOSE LUIS"),
        today=dt.date(2026, 1, 1),
    )  # fmt: skip
    assert mrz.valid
    fields = {
        "primer_apellido": _r("DELOSSANTOS", confidence=0.1),
        "segundo_apellido": _r("SAN JUAN", confidence=0.3),
        "nombre": _r("JOSÉ LUIS", confidence=0.3),
    }
    reconcile_with_mrz(fields, mrz, [_phrase("JOSÉ LUIS", 10, 10)])
    assert fields["primer_apellido"].value == "DE LOS SANTOS"
    assert fields["segundo_apellido"].value == "SAN JUAN"
    assert fields["nombre"].value == "JOSÉ LUIS" and fields["nombre"].confidence >= 0.9


def test_enye_restored_from_the_curp_x() -> None:
    curp17 = "PEXE900315HDFXRD0"  # PEÑA ... EDUARDO: Ñ as first inner consonant -> X

    def restored(nombre: str) -> object:
        fields = {
            "curp": _r(curp17 + check_digit(curp17)),
            "primer_apellido": _r("PENA"),
            "segundo_apellido": _r(""),
            "nombre": _r(nombre),
        }
        enye_from_curp(fields)
        return fields["primer_apellido"].value

    assert restored("EDUARDO") == "PEÑA"
    # a CURP whose initials do not agree with the names says nothing about them
    assert restored("JUAN") == "PENA"


def test_unread_band_of_the_text_column_is_offered() -> None:
    page = document.Page(np.full((600, 800, 3), 255, np.uint8), True, 0)
    found = [
        _phrase("Apellidos Surname", 100, 100, line=1),
        _phrase("CRUZ OLVERA", 100, 130, line=2),
        _phrase("Nombres Given names", 100, 170, line=3),
        _phrase("ERNESTO", 100, 200, line=4),
        _phrase("Lugar de nacimiento", 100, 330, line=5),  # the CURP lines were skipped
        _phrase("TAMAULIPAS", 100, 360, line=6),
    ]
    bands = skipped_bands(page, found)
    assert len(bands) == 1 and bands[0].top >= 224 and bands[0].bottom <= 330


def test_a_different_mrz_name_does_not_overwrite_the_print_the_curp_agrees_with() -> None:
    curp17 = "SAEM650424MTLNSR0"  # DE LOS SANTOS ESPINOZA MARIBEL
    curp = curp17 + check_digit(curp17)
    mrz = _passport_mrz("DE LOS SANTOS ESPINOZA", "LUCIA", curp)
    found = [
        _phrase("Apellidos / Surname", 100, 100, line=1),
        _phrase("DE LOS SANTOS ESPINOZA", 100, 130, line=2),
        _phrase("Nombres / Given names", 100, 170, line=3),
        _phrase("MARIBEL", 100, 200, line=4),
    ]
    labels = find_labels(found, templates.load(templates.PASSPORT_PAGE))
    out = passport_names(found, labels, curp, mrz)
    assert out["nombre"].value == "MARIBEL"  # MRZ_INCONSISTENT is the checks' business
    assert out["primer_apellido"].value == "DE LOS SANTOS"
    # a label read where the name should be gives way to the MRZ
    found[3] = _phrase("MACIONALIDAD NATONAITY", 100, 200, line=4)
    out = passport_names(found, labels, curp, mrz)
    assert out["nombre"].value == "LUCIA" and out["nombre"].source is Source.MRZ


def test_an_x_or_k_read_beside_an_mrz_filler_does_not_overwrite_the_print() -> None:
    """passport_2008 (seed 9917) case 109: the names line ``VILLASENOR<OCHOA<<NOE<<<`` was
    read ``VILLASENOR<KOCHOA<<NOE<X<<``; one slip from the print, the MRZ spelling won and the
    holder became ``KOCHOA`` ``NOÉ X`` (NAME_MISMATCH). The MRZ with the X and K beside its
    fillers dropped is the print's: the print is confirmed."""
    curp17 = "VION690308HDFLCX0"  # VILLASEÑOR OCHOA NOÉ
    curp = curp17 + check_digit(curp17)
    clean = _passport_mrz("VILLASENOR OCHOA", "NOE", curp)
    misread = "P<MEX" + "VILLASENOR<KOCHOA<<NOE<X<<<<<<<<<<<<<<<<<<<<"[:39]
    mrz = parse_mrz([misread, clean.lines[1]], today=dt.date(2026, 1, 1))
    assert mrz.valid and mrz.surnames == "VILLASENOR KOCHOA"
    found = [
        _phrase("Apellidos / Surname", 100, 100, line=1),
        _phrase("VILLASEÑOR OCHOA", 100, 130, line=2),
        _phrase("Nombres / Given names", 100, 170, line=3),
        _phrase("NOÉ", 100, 200, line=4),
    ]
    labels = find_labels(found, templates.load(templates.PASSPORT_PAGE))
    out = passport_names(found, labels, curp, mrz)
    assert out["segundo_apellido"].value == "OCHOA" and out["nombre"].value == "NOÉ"
    assert Source.MRZ in out["nombre"].witnesses


def test_an_unread_block_of_a_second_column_is_offered() -> None:
    # passport_blind seed 9701 case 84: the page OCR skipped the whole block of CURP and sex
    # printed in the second column beside a ghost portrait; only the authority (SRE) under it
    # was read there, so no band of the main column held the CURP
    page = document.Page(np.full((700, 1000, 3), 255, np.uint8), True, 0)
    found = [
        _phrase("Apellidos Surname", 100, 100, line=1),
        _phrase("HERNANDEZ ORTIZ", 100, 130, line=2),
        _phrase("Nombres Given names", 100, 170, line=3),
        _phrase("ANGEL", 100, 200, line=4),
        _phrase("MEXICANA", 100, 240, line=5),
        _phrase("Fecha de nacimiento", 100, 280, line=6),
        _phrase("09 04 1963", 100, 310, line=7),
        _phrase("SRE", 500, 420, line=8),
    ]
    bands = skipped_bands(page, found)
    assert any(b.left < 500 < b.right and b.top <= 160 and b.bottom <= 420 for b in bands)
    assert all(not (b.left < 100 < b.right) for b in bands)  # the main column has no gap
