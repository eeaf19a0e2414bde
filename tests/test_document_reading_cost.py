"""Cheaper page reading (issue 9) without losing bill fields (issue 3): pure functions and
fake OCR engines, no tesseract.
"""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np
import pytest

from models.documents import AddressReading
from models.results import Reading, Source
from pipeline import address_proof, document, ocr_prep, orientation, text_lines
from pipeline.address_proof import BillText, Cell
from pipeline.engines.tesseract import OcrText, OcrWord


def _word(text: str, left: int, top: int, height: int = 14) -> OcrWord:
    return OcrWord(text, 0.9, left, top, 10 * len(text), height, (1, 1, 1))


def _reading(**fields: object) -> AddressReading:
    values = {
        name: Reading(value=value, confidence=0.9, source=Source.PATTERN)
        for name, value in fields.items()
        if name != "fecha_basis"
    }
    return AddressReading(fecha_basis=str(fields.get("fecha_basis", "")), **values)  # type: ignore[arg-type]


class _NoOcr:
    """An OCR engine that must not be called."""

    def data(self, *args: object, **kwargs: object) -> OcrText:
        raise AssertionError("no OCR call expected")


# --- outline search ----------------------------------------------------------------------------


def _photo_of_page() -> np.ndarray:
    photo = np.full((1200, 1600, 3), 40, np.uint8)
    corners = np.array([[500, 100], [1100, 120], [1090, 880], [490, 860]], np.int32)
    cv2.fillConvexPoly(photo, corners, (235, 235, 235))
    return photo


def test_one_outline_search_serves_shape_guess_and_outline() -> None:
    photo = _photo_of_page()
    search = document.search_outlines(photo)
    assert document.likely_shape(search) == document.likely_shape(photo) == "page"
    quad = document.find_outline(photo, "page", search)
    assert quad is not None
    assert np.allclose(quad, document.find_outline(photo, "page"))
    assert document.locate(photo, "page", search).outline_found


# --- read scale and small print ----------------------------------------------------------------


def test_large_print_is_read_shrunk_small_print_and_cards_at_full_size() -> None:
    large = orientation.TextLayout(600, 500, 20, 18.0)
    assert orientation.read_scale(large, "page") == pytest.approx(0.75)
    assert orientation.read_scale(orientation.TextLayout(600, 500, 20, 14.0), "page") == 1.0
    assert orientation.read_scale(large, "card") == 1.0
    assert orientation.read_scale(orientation.TextLayout(600, 20, 500, 18.0), "page") == 1.0


def test_a_page_read_shrunk_is_not_enlarged_again() -> None:
    words = tuple(_word(f"palabra{i}", 10, 20 * i, height=9) for i in range(12))
    page = document.Page(np.full((400, 300), 255, np.uint8), words=words, read_scale=0.8)
    assert orientation.enlarge_small_text(page, _NoOcr()) is page  # type: ignore[arg-type]


def test_read_words_maps_boxes_of_a_shrunk_reading_back() -> None:
    class Fake:
        def data(self, image: np.ndarray, **kwargs: object) -> OcrText:
            assert image.shape == (80, 100)
            return OcrText((OcrWord("CFE", 0.9, 10, 20, 30, 8, (1, 1, 1)),))

    words = orientation.read_words(Fake(), np.full((160, 200), 255, np.uint8), scale=0.5)  # type: ignore[arg-type]
    assert (words[0].left, words[0].top, words[0].width, words[0].height) == (20, 40, 60, 16)


def test_flattened_background_turns_shadow_white_and_keeps_print() -> None:
    page = np.full((400, 300), 220, np.uint8)
    page[:, 150:] = 110  # a shadow over the right half
    page[200:212, 40:120] = 40
    page[200:212, 180:260] = 20
    flat = ocr_prep.flatten_background(page)
    assert abs(int(flat[50, 60]) - int(flat[50, 250])) <= 3
    assert flat[205, 80] < 100 and flat[205, 220] < 100


# --- line grouping memo ------------------------------------------------------------------------


def test_grouped_lines_are_the_callers_own_lists() -> None:
    words = (_word("CFE", 10, 10), _word("TOTAL", 80, 11), _word("C.P.", 10, 60))
    first = text_lines.group_lines(words)
    first[0].clear()
    again = text_lines.group_lines(words)
    assert [[w.text for w in line] for line in again] == [["CFE", "TOTAL"], ["C.P."]]
    assert text_lines.group_lines(list(words)) == again
    assert [p.text for p in text_lines.phrases(words)] == [
        p.text for p in text_lines.phrases(list(words))
    ]


# --- weak readings and the second reading ------------------------------------------------------


def _cells(*rows: str) -> list[Cell]:
    return [Cell(text, 0, row, 30) for row, text in enumerate(rows)]


def test_a_date_label_on_the_next_line_is_not_the_value() -> None:
    cells = _cells("Fecha de emisión:", "Fecha límite de pago: 30/06/2026")
    folded = [text_lines.fold(c.text) for c in cells]
    assert address_proof.find_labeled_date(cells, folded, address_proof._ISSUE_LABEL) is None
    assert address_proof.find_labeled_date(cells, folded, address_proof._DUE_LABEL) == dt.date(
        2026, 6, 30
    )


def test_weak_readings() -> None:
    complete = dict(
        emisor="CFE",
        codigo_postal="03100",
        periodo_fin=dt.date(2026, 3, 1),
        fecha=dt.date(2026, 3, 1),
        fecha_basis="period_end",
    )
    bill = BillText(_cells("PERIODO FACTURADO: 01 ENE 26 - 01 MAR 26"), "image-ocr")
    assert not address_proof._weak(bill, _reading(**complete))
    assert address_proof._weak(bill, _reading(**{**complete, "emisor": None}))
    due_only = {**complete, "periodo_fin": None, "fecha_basis": "due_date"}
    assert address_proof._weak(bill, _reading(**due_only))
    issued = {**complete, "periodo_fin": None, "fecha_basis": "issue_date"}
    assert address_proof._weak(bill, _reading(**issued))  # its period label was not read
    telmex = BillText(_cells("FECHA DE EMISION: 10/03/2026"), "image-ocr")
    assert not address_proof._weak(telmex, _reading(**issued))
    backwards = {
        **issued,
        "fecha_emision": dt.date(2026, 3, 16),
        "fecha_limite_pago": dt.date(2026, 3, 8),
    }
    assert address_proof._weak(telmex, _reading(**backwards))


def test_merge_takes_missing_groups_and_better_grounded_dates() -> None:
    first = _reading(
        codigo_postal="03100",
        domicilio="C CEDROS 4",
        fecha_limite_pago=dt.date(2026, 10, 4),
        fecha=dt.date(2026, 10, 4),
        fecha_basis="due_date",
    )
    second = _reading(
        emisor="TOTALPLAY",
        servicio="telefono",
        codigo_postal="99999",
        periodo_fin=dt.date(2026, 1, 25),
        fecha=dt.date(2026, 1, 25),
        fecha_basis="period_end",
    )
    merged = address_proof.merge_readings(first, second)
    assert merged.emisor.value == "TOTALPLAY" and merged.emisor.source is Source.PAGE_REREAD
    assert merged.codigo_postal.value == "03100"  # the first reading's own field stays
    assert merged.fecha.value == dt.date(2026, 1, 25) and merged.fecha_basis == "period_end"
    assert merged.fecha_limite_pago.value is None  # the date group comes from one reading
    assert address_proof.merge_readings(second, first) == second


def test_parse_bill_uses_the_second_reading_only_for_what_the_first_missed() -> None:
    first = BillText(
        _cells("CFE", "C.P. 03100 COL CENTRO", "LIMITE DE PAGO: 16 MAR 26"), "image-ocr"
    )
    second = BillText(
        _cells("CFE", "C.P. 03100 COL CENTRO", "PERIODO FACTURADO: 12 ENE 26 - 13 MAR 26"),
        "image-ocr",
    )
    alone = address_proof.parse_bill(first)
    assert alone.fecha_basis == "due_date"
    both = address_proof.parse_bill(BillText(first.cells, "image-ocr", reread=second))
    assert both.fecha.value == dt.date(2026, 3, 13) and both.fecha_basis == "period_end"
    assert both.emisor.source is alone.emisor.source is Source.PATTERN


def test_the_issuers_address_loses_even_with_its_rfc_cut_short() -> None:
    cells = [
        Cell("CFE SUMINISTRADOR DE SERVICIOS BÁSICOS", 380, 0, 30),
        Cell("'S160330CP7 Av. Paseo de la Reforma 164, Col. Juárez, C.P. 08600", 410, 1, 30),
        Cell("JOSÉ ANTONIO XOLALPA CRUZ", 100, 2, 30),
        Cell("HOMERO 193 INT 302", 100, 3, 30),
        Cell("COL. HIPÓDROMO", 100, 4, 30),
        Cell("C.P. 06100 CUAUHTÉMOC, CDMX", 100, 5, 30),
        Cell("NO. DE SERVICIO: 904464309", 100, 6, 30),
    ]
    folded = [text_lines.fold(c.text) for c in cells]
    assert address_proof.find_address(cells, folded).codigo_postal == "06100"
    assert not address_proof._RFC.search(folded[-1])  # a 9-digit account number is no RFC


# --- turns ---------------------------------------------------------------------------------


class _TurnsRead:
    """Reads the given words (their confidence lowered, as for tilted or faint print) at
    every turn, and records the turns it was asked to read."""

    def __init__(self, confident: float) -> None:
        self.confident = confident
        self.shapes: list[tuple[int, ...]] = []

    def data(self, image: np.ndarray, *args: object, **kwargs: object) -> OcrText:
        self.shapes.append(image.shape[:2])
        words = [
            OcrWord(
                f"PALABRA{i}",
                self.confident if i % 2 else 0.45,
                40 + 90 * (i % 8),
                40 + 30 * (i // 8),
                80,
                14,
                (1, 1, i // 8),
            )
            for i in range(24)
        ]
        return OcrText(words=tuple(words))


def _lines_page() -> document.Page:
    image = np.full((600, 900, 3), 235, np.uint8)
    for row in range(12):
        cv2.putText(image, "LINEA DE TEXTO IMPRESO 12345", (30, 40 + 45 * row),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2)  # fmt: skip
    return document.Page(image=image)


@pytest.mark.parametrize(("confident", "turns"), [(0.7, 2), (0.5, 4)])
def test_quarter_turns_are_read_only_when_no_confident_words_ran_along_the_lines(
    confident: float, turns: int
) -> None:
    """Lines clearly running across the page, read poorly both ways up (tilted print: mean
    confidence under 0.65): with some confident words the quarter turns are not read; with
    none, they are."""
    page = _lines_page()
    assert orientation.text_layout(page.grey).axis == "rows"
    ocr = _TurnsRead(confident)
    orientation.upright(page, ocr, "card")  # type: ignore[arg-type]
    assert len(ocr.shapes) == turns


def test_scattered_marks_not_in_lines_are_only_glanced_at() -> None:
    """A dark photo whose noise makes glyph-sized marks, but none in lines, is read once at
    half size (a booklet of noise read enlarged at four turns cost 36 s of CPU)."""
    image = np.full((900, 1200, 3), 60, np.uint8)
    rng = np.random.default_rng(3)
    for x, y in zip(rng.integers(40, 1160, 40), rng.integers(40, 860, 40), strict=True):
        cv2.rectangle(image, (int(x), int(y)), (int(x) + 6, int(y) + 10), (0, 0, 0), -1)
        cv2.rectangle(image, (int(x) + 2, int(y) + 3), (int(x) + 4, int(y) + 7), (60, 60, 60), -1)
    page = document.Page(image=image)
    layout = orientation.text_layout(page.grey)
    assert layout.glyphs >= orientation.MIN_GLYPHS and not layout.legible
    ocr = _TurnsRead(0.2)
    orientation.upright(page, ocr, "card", enlarge=True)  # type: ignore[arg-type]
    assert ocr.shapes == [(450, 600)]
