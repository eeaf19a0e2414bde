"""Spanish date parsing on bill and ID phrasing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dates import find_dates, parse_date

REF = dt.date(2026, 11, 22)
D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/09/2026", D(2026, 9, 12)),
        ("12-09-2026", D(2026, 9, 12)),
        ("12 09 2026", D(2026, 9, 12)),
        ("12 SEP 26", D(2026, 9, 12)),
        ("12 SEPT 2026", D(2026, 9, 12)),
        ("12 sept. 2026", D(2026, 9, 12)),
        ("15 DE ENERO DE 2026", D(2026, 1, 15)),
        ("15 de Enero del 2026", D(2026, 1, 15)),
        ("1 DICIEMBRE 2025", D(2025, 12, 1)),
        ("3 AGO/AUG 2026", D(2026, 8, 3)),
        ("LÍMITE DE PAGO: O3/1O/2026", D(2026, 10, 3)),
        ("2026-03-01", D(2026, 3, 1)),
        ("12SEP26", D(2026, 9, 12)),
    ],
)
def test_single_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text, REF) == expected


def test_birth_dates_two_digit_years_are_past() -> None:
    assert parse_date("12 MAY/MAY 85", REF, birth=True) == D(1985, 5, 12)
    assert parse_date("12/05/27", REF, birth=True) == D(1927, 5, 12)
    assert parse_date("12/05/26", REF, birth=True) == D(2026, 5, 12)
    assert parse_date("12/05/85", REF) == D(2085, 5, 12)  # a bill or expiry: 20YY


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("ENE-FEB 2026", "period", D(2026, 1, 1), D(2026, 2, 28)),
        ("ENERO-FEBRERO 2026", "period", D(2026, 1, 1), D(2026, 2, 28)),
        ("NOV/DIC 2026", "period", D(2026, 11, 1), D(2026, 12, 31)),
        ("DIC-ENE 2026", "period", D(2025, 12, 1), D(2026, 1, 31)),
        ("NOVIEMBRE 2026", "month", D(2026, 11, 1), D(2026, 11, 30)),
        ("5o BIMESTRE 2026", "period", D(2026, 9, 1), D(2026, 10, 31)),
        ("1er bimestre de 2024", "period", D(2024, 1, 1), D(2024, 2, 29)),
        ("PERIODO FACTURADO: 12 SEP 26 - 13 NOV 26", "range", D(2026, 9, 12), D(2026, 11, 13)),
        ("DEL 01/08/2026 AL 30/09/2026", "range", D(2026, 8, 1), D(2026, 9, 30)),
    ],
)
def test_periods_and_ranges(text: str, kind: str, start: dt.date, end: dt.date) -> None:
    found = find_dates(text, REF)
    assert [(m.kind, m.start, m.end) for m in found] == [(kind, start, end)]


def test_spans_index_the_original_text() -> None:
    text = "Fecha límite de pago: 28 NOV 2026. Periodo: SEP-OCT 2026"
    found = find_dates(text, REF)
    assert [text[m.text_slice] for m in found] == ["28 NOV 2026", "SEP-OCT 2026"]


def test_invalid_or_absent_dates() -> None:
    assert find_dates("31/02/2026 99/99/9999 hola", REF) == []
    assert parse_date("", REF) is None
    assert (
        find_dates("ENE-JUL 2026", REF) == [] or find_dates("ENE-JUL 2026", REF)[0].kind != "period"
    )


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises(text: str) -> None:
    for match in find_dates(text, REF):
        assert match.start <= match.end
        assert 0 <= match.span[0] < match.span[1] <= len(text)


@settings(max_examples=100, deadline=None)
@given(st.dates(D(1950, 1, 1), D(2049, 12, 31)))
def test_numeric_round_trip(day: dt.date) -> None:
    assert parse_date(day.strftime("%d/%m/%Y"), REF) == day
    assert parse_date(day.strftime("%d-%m-%Y"), REF) == day
