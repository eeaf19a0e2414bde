"""Name normalisation and comparison."""

from __future__ import annotations

import pytest

from pipeline.names import comparable, compare, compare_part, normalise

REG = ("María Guadalupe", "Núñez", "De la Cruz")


def test_normalise_keeps_enye() -> None:
    assert normalise("Núñez  de   la Cruz.") == "NUÑEZ DE LA CRUZ"
    assert comparable("Núñez") == "NUNEZ"
    assert normalise(None) == ""


@pytest.mark.parametrize(
    "read",
    [
        ("MARIA GUADALUPE", "NUÑEZ", "DE LA CRUZ"),
        ("MARIA GUADALUPE", "NUNEZ", "DE LA CRUZ"),
        ("MA. GUADALUPE", "NUÑEZ", "DE LA CRUZ"),
        ("MARIA GUADALUPE", "NUÑEZ", "CRUZ"),
        ("MARIA GUADALUPF", "NUÑEZ", "DE LA CRUZ"),  # one OCR slip on a long field
        ("MARIA GUADALUPE", "NUÑEZ DE", "LA CRUZ"),  # surnames split differently
    ],
)
def test_matches(read: tuple[str, str, str]) -> None:
    assert compare(REG, read).verdict == "match"


@pytest.mark.parametrize(
    ("read", "part"),
    [
        (("MARIA GUADALUPE", "NUÑEZ", "DE LA ROSA"), "segundo_apellido"),
        (("ROSA MARIA", "NUÑEZ", "DE LA CRUZ"), "nombre"),
        (("MARIA GUADALUPE", "MUÑOZ", "DE LA CRUZ"), "primer_apellido"),
        (("MARIA GUADALUPE", "NUÑEZ", ""), "segundo_apellido"),
    ],
)
def test_mismatches_name_the_part(read: tuple[str, str, str], part: str) -> None:
    result = compare(REG, read)
    assert result.verdict == "mismatch"
    assert result.disagreeing == [part]
    assert result.score == 0.0


def test_short_fields_do_not_get_the_slip_tolerance() -> None:
    assert compare_part("Ana", "ANO").verdict == "mismatch"
    assert compare_part("Ruiz", "RUIS").verdict == "mismatch"
    assert compare_part("Ramirez", "RAMIRES").verdict == "match"


def test_unread_field_is_uncertain() -> None:
    result = compare(REG, ("MARIA GUADALUPE", "NUÑEZ", None))
    assert result.verdict == "uncertain" and result.disagreeing == []


def test_no_second_surname_on_both_sides() -> None:
    assert compare(("Ana", "Ruiz", None), ("ANA", "RUIZ", "")).verdict == "match"
