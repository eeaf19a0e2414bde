"""CURP validation, expected prefix, agreement and OCR repair."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.curp import (
    agreement,
    check_digit,
    expected_prefix,
    find_curps,
    repair,
    validate,
)


def _valid(first17: str) -> str:
    return first17 + check_digit(first17)


def test_known_check_digits() -> None:
    assert check_digit("SABC560626MDFLRN0") == "1"
    assert check_digit("MOTR930411HJCRMN0") == "3"
    assert validate("SABC560626MDFLRN01").valid
    assert validate("MOTR930411HJCRMN03").valid


def test_each_rule_is_reported() -> None:
    assert validate("SABC560626MDFLRN02").problems == ["check_digit"]
    assert validate(_valid("SABC560626MZZLRN0")).problems == ["state"]
    assert validate(_valid("SABC561326MDFLRN0")).problems == ["birth_date"]
    assert validate("SABC560626MDFLRN0").problems == ["format"]  # 17 chars
    assert validate("SABC560626QDFLRN01").problems == ["format"]  # sex Q
    assert validate("").problems == ["format"]


def test_homonym_character_sets_the_century() -> None:
    assert validate(_valid("SABC050626MDFLRNA")).birth_date == dt.date(2005, 6, 26)
    assert validate(_valid("SABC560626MDFLRN0")).birth_date == dt.date(1956, 6, 26)


def test_born_abroad_is_a_valid_state() -> None:
    result = validate(_valid("SABC560626MNELRN0"))
    assert result.valid and result.state == "NE"


def test_expected_prefix_rules() -> None:
    day = dt.date(1990, 5, 17)
    # compound given name: MARIA skipped; particles skipped; Ñ -> X
    assert expected_prefix("María Guadalupe", "Núñez", "del Valle", day, "M", "DF") == (
        "NUVG900517MDFXLD"
    )
    # no second surname -> X; JOSE skipped when compound
    assert expected_prefix("José Luis", "Ruiz", None, day, "H", "JC")[:4] == "RUXL"
    # single JOSE is kept
    assert expected_prefix("José", "Ruiz", "Soto", day, "H", "JC")[:4] == "RUSJ"
    # inconvenient word: second letter becomes X (BUEY -> BXEY)
    assert expected_prefix("Yolanda", "Bueno", "Estrada", day, "M", "PL")[:4] == "BXEY"
    # surname without inner vowel
    assert expected_prefix("Ana", "Ng", "Li", day, "M", "NE")[:4] == "NXLA"


def test_agreement_names_the_disagreeing_part() -> None:
    curp = _valid("PEGJ011203HJCRMNA")
    ok = agreement(curp, "Juan", "Pérez", "Gómez", dt.date(2001, 12, 3), "H", "JC")
    assert all(ok.values())
    bad = agreement(curp, "Pedro", "Pérez", "Gómez", dt.date(2001, 12, 4), "M", "DF")
    assert bad == {
        "initials": False,
        "birth_date": False,
        "sex": False,
        "state": False,
        "consonants": False,
    }


def test_repair_by_position() -> None:
    good = _valid("GALA850101MDFLPN0")
    fixed = repair("6ALA85O1OIMDF1PN0" + good[-1])
    assert fixed is not None and fixed.curp == good and fixed.check_ok
    assert fixed.changed == (0, 6, 8, 9, 13)
    assert repair("GALA") is None


def test_find_curps_in_text() -> None:
    good = _valid("GALA850101MDFLPN0")
    assert find_curps(f"NOMBRE ANA\nCURP {good}\nSECCION 1234") == [good]
    assert find_curps("NO CURP HERE") == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_never_raises(text: str) -> None:
    validate(text)
    repair(text)
    find_curps(text)
    agreement(text, text, text, text, None, text[:1] or None, text[:2] or None)
