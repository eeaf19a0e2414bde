"""Proofs of address whose first reading misses fields a genuine bill prints (issue 5: genuine
cases stopped for address reasons): a C.P. label split from its digits, a wrong outline, a
shaded first reading. Pure functions and stand-in page readers, no tesseract.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from models.results import Source
from pipeline import address_proof, document
from pipeline.address_proof import BillText, Cell
from pipeline.engines.tesseract import OcrText, OcrWord


def _bill(*cells: Cell, score: float = 0.0) -> BillText:
    return BillText(list(cells), "image-ocr", score=score)


def _customer_block(cp_cells: list[Cell]) -> list[Cell]:
    return [
        Cell("SISTEMA DE AGUAS DE LA CIUDAD DE MÉXICO", 125, 0, 50, 700),
        Cell("DR. VÉRTIZ 3582 INT 25", 126, 4, 55, 420),
        Cell("BIMESTRE: 6/2025 (NOV-DIC 2025)", 914, 5, 40, 1400),
        Cell("COL. CLAVERÍA", 125, 6, 52, 300),
        *cp_cells,
    ]


def test_a_postcode_split_from_its_label_across_rows_is_read() -> None:
    split = _customer_block(
        [
            Cell("02080", 169, 7, 87, 221),
            Cell("FECHA LÍMITE DE PAGO: 27/01/2026", 909, 7, 85, 1300),
            Cell("C.P.", 125, 8, 47, 159),
            Cell("AZCAPOTZALCO, CDMX", 220, 8, 47, 376),
        ]
    )
    reading = address_proof.parse_bill(_bill(*split))
    assert reading.codigo_postal.value == "02080"
    assert "CLAVERÍA" in str(reading.domicilio.value)


@pytest.mark.parametrize(
    "digits",
    [
        Cell("02080", 169, 6, 87, 221),  # two rows above its label (row 8)
        Cell("02080", 600, 7, 87, 652),  # far right of the label: another column's number
        Cell("0208", 169, 7, 87, 210),  # not five digits
    ],
)
def test_only_digits_right_after_a_bare_label_on_a_next_row_are_joined(digits: Cell) -> None:
    label = Cell("C.P.", 125, 8, 47, 159)
    cells = address_proof.join_split_postcodes([digits, label])
    assert [c.text for c in cells] == [digits.text, "C.P."]


def test_a_label_with_its_digits_is_left_alone() -> None:
    cells = [Cell("C.P. 03100", 100, 3, 40, 220), Cell("55555", 230, 4, 40, 290)]
    assert address_proof.join_split_postcodes(cells) == cells


def test_text_layer_cells_know_their_right_edge() -> None:
    cells = address_proof.text_layer_cells("C.P.\n     04010 COYOACAN")
    assert [(c.text, c.right) for c in cells] == [("C.P.", 4), ("04010 COYOACAN", 19)]


# --- the second reading of a shaded page -------------------------------------------------------


_ISSUER_ADDRESS = Cell("Parque Vía 190, Col. Cuauhtémoc, C.P. 06500, Ciudad de México", 620, 2, 50)
_CUSTOMER = [
    Cell("TELMEX", 100, 0, 50),
    Cell("TELÉFONOS DE MÉXICO, S.A.B. DE C.V.", 620, 1, 50),
    _ISSUER_ADDRESS,
    Cell("RFC: TME840315-KT6", 620, 3, 50),
    Cell("AV. MEXICO COYOACAN 700 INT 404", 100, 5, 50),
    Cell("COL. SANTA CATARINA", 100, 6, 50),
    Cell("C.P. 04010 COYOACAN, CDMX", 100, 7, 50),
    Cell("FECHA DE EMISIÓN: 9 DE AGOSTO DE 2026", 900, 5, 50),
]
#: a shaded first reading: the issuer's name and RFC lost, the customer's block unread
_SHADED = [
    Cell("www.telmex.com", 100, 0, 50),
    Cell("eS", 620, 1, 50),
    _ISSUER_ADDRESS,
    Cell("PAGAR ANTES DE: 23/08/2026", 900, 5, 50),
]


def test_a_far_better_second_reading_is_the_one_kept() -> None:
    first = _bill(*_SHADED, score=400.0)
    alone = address_proof.parse_bill(first)
    assert alone.codigo_postal.value == "06500"  # the issuer's: its name and RFC were lost
    both = address_proof.parse_bill(
        BillText(first.cells, "image-ocr", reread=_bill(*_CUSTOMER, score=700.0), score=400.0)
    )
    assert both.codigo_postal.value == "04010"
    assert both.codigo_postal.source is Source.PAGE_REREAD
    assert both.fecha.value == dt.date(2026, 8, 9) and both.fecha_basis == "issue_date"


def test_a_second_reading_about_as_good_only_fills_gaps() -> None:
    first = BillText(_SHADED, "image-ocr", reread=_bill(*_CUSTOMER, score=450.0), score=400.0)
    merged = address_proof.parse_bill(first)
    assert merged.codigo_postal.value == "06500"  # the first reading's own field stays
    assert merged.fecha_basis == "issue_date"  # its due date is grounded less well


# --- a wrong outline ---------------------------------------------------------------------------


def _page(words: list[str], outline: bool = True) -> document.Page:
    boxes = tuple(
        OcrWord(text, 0.92, 100, 40 + 40 * i, 20 * len(text), 20, (1, 1, i))
        for i, text in enumerate(words)
    )
    return document.Page(np.full((900, 700), 255, np.uint8), outline_found=outline, words=boxes)


_CROPPED = ["A CIUDAD DE MÉXICO", "BIMESTRE: 2/2026 (MAR-ABR 2026)", "TOTAL A PAGAR $291.38"]
_WHOLE = [
    "SISTEMA DE AGUAS DE LA CIUDAD DE MÉXICO",
    "BIMESTRE: 2/2026 (MAR-ABR 2026)",
    "5 DE MAYO 313",
    "COL. SANTA CRUZ ATOYAC",
    "C.P. 03310 BENITO JUAREZ, CDMX",
    "TOTAL A PAGAR $291.38",
]


def _stand_in(
    monkeypatch: pytest.MonkeyPatch,
    first: document.Page,
    other: document.Page,
    shape: str = "card",
) -> list[str]:
    calls: list[str] = []

    def either(grey, ocr, search):  # type: ignore[no-untyped-def]
        calls.append("first")
        return first, shape

    def without(grey, ocr, search, shape):  # type: ignore[no-untyped-def]
        calls.append(f"without:{shape}")
        return other

    monkeypatch.setattr(address_proof, "_read_either_shape", either)
    monkeypatch.setattr(address_proof, "_page_without_outline", without)
    monkeypatch.setattr(document, "search_outlines", lambda grey: None)
    return calls


class _Flattened:
    """An OCR engine whose only call is the flattened second reading: it reads ``texts``."""

    def __init__(self, texts: list[str], calls: list[str]) -> None:
        self.texts, self.calls = texts, calls

    def data(self, image: np.ndarray, **kwargs: object) -> OcrText:
        self.calls.append("flattened")
        return OcrText(_page(self.texts).words)


def _read(ocr: object = None) -> address_proof.AddressReading:
    bill = address_proof._read_located(np.zeros((10, 10), np.uint8), ocr)  # type: ignore[arg-type]
    return address_proof.parse_bill(bill)


_NO_ISSUER = _WHOLE[1:] + ["Conserve este documento", "Drenaje $29.14", "Total $291.38"]


def test_a_weak_bill_read_through_a_card_shaped_outline_is_read_without_it_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _stand_in(monkeypatch, _page(_CROPPED), _page(_WHOLE, outline=False))
    reading = _read()
    assert calls == ["first", "without:card"]
    assert (reading.emisor.value, reading.codigo_postal.value) == ("SACMEX", "03310")


def test_a_weak_page_is_read_flattened_first_and_without_its_outline_only_if_still_weak(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _stand_in(monkeypatch, _page(_NO_ISSUER), _page(_WHOLE, outline=False), "page")
    reading = _read(_Flattened(_WHOLE, calls))
    assert calls == ["first", "flattened"] and reading.emisor.value == "SACMEX"
    calls = _stand_in(monkeypatch, _page(_NO_ISSUER), _page(_WHOLE, outline=False), "page")
    reading = _read(_Flattened(_NO_ISSUER, calls))
    assert calls == ["first", "flattened", "without:page"] and reading.emisor.value == "SACMEX"


def test_a_complete_bill_or_a_worse_second_reading_keeps_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _stand_in(monkeypatch, _page(_WHOLE), _page(_CROPPED))
    assert _read().codigo_postal.value == "03310" and calls == ["first"]
    calls = _stand_in(monkeypatch, _page(_CROPPED), _page(["e", "a"], outline=False))
    bill = address_proof._read_located(np.zeros((10, 10), np.uint8), None)  # type: ignore[arg-type]
    assert calls == ["first", "without:card"] and bill.cells[0].text == _CROPPED[0]


def test_a_second_reading_missing_as_much_leaves_the_located_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    more_words = _page([*_CROPPED, "Derechos por suministro $262.24"], outline=False)
    _stand_in(monkeypatch, _page(_CROPPED), more_words)
    bill = address_proof._read_located(np.zeros((10, 10), np.uint8), None)  # type: ignore[arg-type]
    assert [c.text for c in bill.cells] == _CROPPED


def test_an_id_uploaded_as_proof_of_address_is_not_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ine = ["INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR", "CLAVE DE ELECTOR ABC"]
    calls = _stand_in(monkeypatch, _page(ine), _page(_WHOLE, outline=False))
    address_proof._read_located(np.zeros((10, 10), np.uint8), None)  # type: ignore[arg-type]
    assert calls == ["first"]
