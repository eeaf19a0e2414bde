"""A printed field read unsurely is confirmed by a valid MRZ that agrees, never overridden."""

from __future__ import annotations

import datetime as dt

import pytest

from models.codes import ReasonCode
from models.results import Reading, Source
from pipeline import document_checks
from pipeline.id.reader import _fill_from
from pipeline.mrz import compose_td1, compose_td3, parse_mrz
from tests.test_documents import id_reading, make_case, mrz_lines

UNSURE = 0.2  # below documents.min_field_confidence


def _valid_mrz(lines: list[str] | None = None):  # type: ignore[no-untyped-def]
    mrz = parse_mrz(lines or mrz_lines(), today=dt.date(2026, 1, 1))
    assert mrz is not None and mrz.valid
    return mrz


def _checks(policy, **fields):  # type: ignore[no-untyped-def]
    reading = id_reading(**fields)
    return {c.name: c for c in document_checks.id_checks(make_case(), reading, policy)}


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("sexo", "M", "sex_match"),
        ("fecha_nacimiento", dt.date(1990, 3, 15), "birthdate_match"),
        ("vigencia_hasta", dt.date(2030, 12, 31), "id_expiry"),
    ],
)
def test_unsure_field_agreeing_with_a_valid_mrz_passes(policy, field, value, check) -> None:  # type: ignore[no-untyped-def]
    unsure = Reading(value=value, confidence=UNSURE, source=Source.LABEL)
    assert _checks(policy, **{field: unsure})[check].status == "inconclusive"
    confirmed = _checks(policy, **{field: unsure, "mrz": _valid_mrz()})[check]
    assert confirmed.status == "pass"
    assert confirmed.evidence["metodo"] == "mrz"


def test_unread_field_takes_the_valid_mrz(policy) -> None:  # type: ignore[no-untyped-def]
    missing = Reading(value=None, confidence=0.0)
    assert _checks(policy, sexo=missing, mrz=_valid_mrz())["sex_match"].status == "pass"


def test_unsure_field_disagreeing_with_the_mrz_stays_inconclusive(policy) -> None:  # type: ignore[no-untyped-def]
    other = Reading(value="H", confidence=UNSURE, source=Source.LABEL)
    check = _checks(policy, sexo=other, mrz=_valid_mrz())["sex_match"]
    assert check.status == "inconclusive" and not check.reasons


def test_mrz_with_a_broken_check_digit_is_no_witness(policy) -> None:  # type: ignore[no-untyped-def]
    lines = mrz_lines()
    broken = [
        lines[0],
        lines[1][:6] + ("1" if lines[1][6] != "1" else "2") + lines[1][7:],
        lines[2],
    ]
    mrz = parse_mrz(broken, today=dt.date(2026, 1, 1))
    assert mrz is not None and not mrz.valid
    unsure = Reading(value="M", confidence=UNSURE, source=Source.LABEL)
    assert _checks(policy, sexo=unsure, mrz=mrz)["sex_match"].status == "inconclusive"


def test_unread_name_passes_on_an_mrz_spelling_the_registered_name(policy) -> None:  # type: ignore[no-untyped-def]
    unread = Reading(value=None, confidence=0.0)
    check = _checks(policy, primer_apellido=unread, mrz=_valid_mrz())["name_match"]
    assert check.status == "pass" and check.evidence["metodo"] == "mrz"


def test_unread_name_and_an_mrz_of_another_name_is_inconclusive(policy) -> None:  # type: ignore[no-untyped-def]
    other = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231",
                        "MEX", "RAMIREZ PEREZ", "MARIA JOSE")  # fmt: skip
    unread = Reading(value=None, confidence=0.0)
    check = _checks(policy, primer_apellido=unread, mrz=_valid_mrz(other))["name_match"]
    assert check.status == "inconclusive" and not check.reasons


def test_mrz_sex_is_compared_with_the_curp_when_the_print_was_not_read(policy) -> None:  # type: ignore[no-untyped-def]
    male = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "H", "301231",
                       "MEX", "GONZALEZ PEREZ", "MARIA JOSE")  # fmt: skip
    unread = Reading(value=None, confidence=0.0)
    checks = _checks(policy, sexo=unread, mrz=_valid_mrz(male))
    assert checks["mrz"].status == "fail"
    assert ReasonCode.MRZ_INCONSISTENT in checks["mrz"].reasons


def test_printed_given_names_are_compared_when_the_surnames_came_from_the_mrz(policy) -> None:  # type: ignore[no-untyped-def]
    other = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231",
                        "MEX", "GONZALEZ PEREZ", "LUCIA")  # fmt: skip
    from_mrz = {
        "primer_apellido": Reading(value="GONZALEZ", confidence=1.0, source=Source.MRZ),
        "segundo_apellido": Reading(value="PEREZ", confidence=1.0, source=Source.MRZ),
    }
    checks = _checks(policy, mrz=_valid_mrz(other), **from_mrz)
    assert checks["mrz"].status == "fail"
    fine = _checks(policy, mrz=_valid_mrz(), **from_mrz)
    assert fine["mrz"].status == "pass"


def _printed(text: str) -> Reading:
    return Reading(value=text, confidence=0.95, source=Source.LABEL)


def test_printed_name_past_an_mrz_cut_at_a_filler_agrees(policy) -> None:  # type: ignore[no-untyped-def]
    lines = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231",
                        "MEX", "GONZALEZ DE LA TORRE", "MARIANA JOSEFA")  # fmt: skip
    assert lines[2].endswith("<<MARIANA<")  # JOSEFA did not fit
    names = {"primer_apellido": _printed("GONZÁLEZ"), "segundo_apellido": _printed("DE LA TORRE")}
    same = _checks(policy, mrz=_valid_mrz(lines), nombre=_printed("MARIANA JOSEFA"), **names)
    assert same["mrz"].status == "pass"
    other = _checks(policy, mrz=_valid_mrz(lines), nombre=_printed("LUCIANA JOSEFA"), **names)
    assert ReasonCode.MRZ_INCONSISTENT in other["mrz"].reasons


def test_names_taken_from_a_cut_mrz_are_compared_as_the_mrz_writes_them(policy) -> None:  # type: ignore[no-untyped-def]
    lines = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231",
                        "MEX", "FLORES DE LA CRUZ", "VICTOR MANUEL")  # fmt: skip
    assert lines[2].endswith("VICTOR<MANU")
    from_mrz = {
        "primer_apellido": Reading(value="FLORES", confidence=1.0, source=Source.MRZ),
        "segundo_apellido": Reading(value="DE LA CRUZ", confidence=1.0, source=Source.MRZ),
        "nombre": Reading(value="VICTOR MANU", confidence=1.0, source=Source.MRZ),
    }
    reading = id_reading(mrz=_valid_mrz(lines), **from_mrz)
    registered = {"nombre": "Víctor Manuel", "primer_apellido": "Flores",
                  "segundo_apellido": "De la Cruz"}  # fmt: skip
    check = document_checks.name_check(make_case(**registered), reading, policy)
    assert check.status == "pass" and check.evidence["metodo"] == "mrz"
    other = document_checks.name_check(make_case(**registered | {"nombre": "Víctor Hugo"}),
                                       reading, policy)  # fmt: skip
    assert other.status != "pass"


def test_an_mrz_repair_the_printed_number_contradicts_is_an_inconsistency(policy) -> None:  # type: ignore[no-untyped-def]
    # passport_2021 seed 9701 case 136: the print's P75502073 against an MRZ whose 0 was
    # turned into a D to fit an altered check digit went unnoticed: the MRZ's number replaced
    # the print's. The print's own misreads (G as 6) where nothing was repaired are no conflict.
    lines = compose_td3("P", "MEX", "GONZALEZ PEREZ", "MARIA JOSE", "E53562360", "MEX", "900315",
                        "F", "301231")  # fmt: skip
    mrz = _valid_mrz([lines[0], lines[1][:8] + "D" + lines[1][9:]])  # D read, 0 repaired

    def check(number: str):  # type: ignore[no-untyped-def]
        printed = Reading(value=number, confidence=0.9, source=Source.LABEL)
        return _checks(policy, numero_documento=printed, mrz=mrz)["mrz"]

    agrees = check("E53562360")
    assert agrees.status == "pass" and "número de documento" in agrees.evidence["comparado"]
    contradicts = check("E5356236D")
    assert contradicts.reasons == [ReasonCode.MRZ_INCONSISTENT]
    assert contradicts.evidence["difieren"]["número de documento"] == {
        "impreso": "E5356236D",
        "mrz": "E53562360",
    }
    assert check("ES3562360").status == "pass"


def test_the_reader_keeps_a_printed_number_for_the_mrz_check_to_compare() -> None:
    printed = Reading(value="123456780", confidence=0.9, source=Source.LABEL)
    fields = {"numero_documento": printed}
    _fill_from(fields, _valid_mrz())
    assert fields["numero_documento"] == printed
    agreeing = {"numero_documento": Reading(value="123456789", confidence=0.5, source=Source.LABEL)}
    _fill_from(agreeing, _valid_mrz())
    assert agreeing["numero_documento"].witnesses == (Source.MRZ,)
    unread: dict[str, Reading] = {}
    _fill_from(unread, _valid_mrz())
    assert unread["numero_documento"].source == Source.MRZ


def test_fillers_read_as_k_beside_the_given_names_agree(policy) -> None:  # type: ignore[no-untyped-def]
    # ine_blind seed 9901 cases 123 and 190: the chevrons after the given name read as K
    # (RAMONK<K, JOAQUINK<R); the names line has no check digit, so MRZ_INCONSISTENT was
    # given on genuine cards
    lines = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231",
                        "MEX", "CHAVEZ SOLIS", "RAMON")  # fmt: skip
    lines[2] = lines[2].replace("RAMON<<<", "RAMONK<K")
    names = {"primer_apellido": _printed("CHÁVEZ"), "segundo_apellido": _printed("SOLÍS")}
    same = _checks(policy, mrz=_valid_mrz(lines), nombre=_printed("RAMÓN"), **names)
    assert same["mrz"].status == "pass"
    other = _checks(policy, mrz=_valid_mrz(lines), nombre=_printed("RAFAEL"), **names)
    assert ReasonCode.MRZ_INCONSISTENT in other["mrz"].reasons


def test_a_filler_between_surnames_read_as_kx_agrees(policy) -> None:  # type: ignore[no-untyped-def]
    # ine_2014 seed 9917 case 115: CASTANEDA<VILLASENOR read CASTANEDAKXVILLASENOR, the
    # chevron as two glyphs; MRZ_INCONSISTENT was given on a genuine card
    lines = compose_td1("ID", "MEX", "123456789", "1234567890123", "900315", "M", "301231",
                        "MEX", "CASTANEDA VILLASENOR", "LUCIA")  # fmt: skip
    lines[2] = lines[2].replace("CASTANEDA<VILLASENOR<<LUCIA<", "CASTANEDAKXVILLASENOR<<LUCIA")
    names = {"primer_apellido": _printed("CASTAÑEDA"), "segundo_apellido": _printed("VILLASEÑOR")}
    same = _checks(policy, mrz=_valid_mrz(lines), nombre=_printed("LUCÍA"), **names)
    assert same["mrz"].status == "pass"
    other = _checks(policy, mrz=_valid_mrz(lines), nombre=_printed("LUISA"), **names)
    assert ReasonCode.MRZ_INCONSISTENT in other["mrz"].reasons
