"""CURP validation, expected prefix, agreement and OCR repair."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.curp import agreement, check_digit, expected_prefix, find_curps, repair, validate
from pipeline.curp_evidence import Evidence, resolve


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
    fixed = repair("6ALA85O1OIMDFLPN0" + good[-1])
    assert fixed is not None and fixed.curp == good and fixed.check_ok
    assert fixed.changed == (0, 6, 8, 9)
    assert repair("GALA") is None


def test_repair_does_not_swap_letters_for_the_check_digit() -> None:
    # 1 -> I by shape; I -> L would make the check hold, but only evidence may say so
    good = _valid("GALA850101MDFLPN0")
    fixed = repair("GALA850101MDF1PN0" + good[-1])
    assert fixed is not None and fixed.curp[13] == "I" and not fixed.check_ok


def test_find_curps_in_text() -> None:
    good = _valid("GALA850101MDFLPN0")
    assert find_curps(f"NOMBRE ANA\nCURP {good}\nSECCION 1234") == [good]
    assert find_curps("NO CURP HERE") == []


# --- resolve: repairs only with independent evidence ------------------------------------

GOOD = _valid("GALA850101MDFLPN0")  # ANA GALVAN LOPEZ, 1 Jan 1985, M
EVIDENCE = Evidence(
    names=(("Ana", "Galván", "López"),), birth_dates=(dt.date(1985, 1, 1),), sexes=("M",)
)


def _swap(value: str, i: int, char: str) -> str:
    return value[:i] + char + value[i + 1 :]


def test_read_as_printed_needs_no_evidence() -> None:
    choice = resolve([f"CURP {GOOD}"], Evidence())
    assert choice is not None and choice.curp == GOOD and choice.method == "read"
    assert not choice.repaired


def test_letter_swap_confirmed_by_names_and_check_digit() -> None:
    misread = _swap(GOOD, 13, "I")  # L of GALVAN read as I
    choice = resolve([misread], EVIDENCE)
    assert choice is not None and choice.curp == GOOD and choice.check_ok
    assert choice.repaired and choice.method == "repaired:swap"


def test_check_digit_only_repair_is_refused() -> None:
    misread = _swap(GOOD, 13, "I")
    # no evidence: the check digit alone would pick I -> L (or J): refused
    assert resolve([misread], Evidence()) is None
    # evidence that does not cover the names: still refused
    dates_only = Evidence(birth_dates=(dt.date(1985, 1, 1),), sexes=("M",))
    assert resolve([misread], dates_only) is None


def test_swap_contradicting_the_names_is_refused() -> None:
    # a CURP printed with a wrong check digit: no single confusion both makes it hold and
    # agrees with the holder's names and birth date, so what is printed is reported
    printed = "TAVR800310HMNLGC03"
    assert check_digit(printed[:17]) != printed[17]
    evidence = Evidence(
        names=(("Ricardo", "Talavera", "Vega"),), birth_dates=(dt.date(1980, 3, 10),)
    )
    choice = resolve([f"CURP {printed}"], evidence)
    assert choice is not None and choice.curp == printed
    assert choice.method == "printed-invalid" and not choice.check_ok


def test_printed_invalid_needs_agreeing_evidence() -> None:
    printed = _swap(GOOD, 17, str((int(GOOD[17]) + 1) % 10))
    choice = resolve([printed], EVIDENCE)
    assert choice is not None and choice.curp == printed and choice.method == "printed-invalid"
    other = Evidence(names=(("Beatriz", "Galván", "López"),), birth_dates=(dt.date(1985, 1, 1),))
    assert resolve([printed], other) is None


def test_spurious_glyph_and_check_letter() -> None:
    # one 0 read as "O0", the check digit read as a letter (S for 8 or 5)
    value = _valid("CUOE850622HTSRLR0")
    assert value[17] in "58"
    noisy = value[:2] + "O0" + value[3:17] + "S"
    evidence = Evidence(names=(("Ernesto", "Cruz", "Olvera"),), birth_dates=(dt.date(1985, 6, 22),))
    choice = resolve([noisy], evidence)
    assert choice is not None and choice.curp == value and choice.repaired


def test_homonym_follows_the_century() -> None:
    value = _valid("VALA650729HTCLNN0")
    read = value[:16] + "O" + value[17]  # O and 0 weigh the same there (25 x 2 = 50)
    choice = resolve([read], Evidence())
    assert choice is not None and choice.curp == value


def test_mrz_prefix_with_printed_suffix() -> None:
    value = _valid("ZUTE561103HDFXRM0")
    evidence = Evidence(
        names=(("Emiliano", "Zuniga", "Trevino"),),
        birth_dates=(dt.date(1956, 11, 3),),
        prefix=value[:14],
    )
    garbled = "ZUTES561M03HDFX" + value[14:]  # 1 read as M, a stray S
    choice = resolve([garbled], evidence)
    assert choice is not None and choice.curp == value and choice.repaired


def test_mrz_prefix_with_the_check_digit_read_as_a_letter() -> None:
    value = "FOBF670102HBCLCR08"
    assert check_digit(value[:17]) == "8"
    evidence = Evidence(
        names=(("Fernando", "Flores", "Becerra"),),
        birth_dates=(dt.date(1967, 1, 2),),
        prefix=value[:14],
    )
    choice = resolve(["FOBFS7O102HBCLCROS"], evidence)  # 6 read S, 0 read O, 8 read S
    assert choice is not None and choice.curp == value and choice.repaired
    assert resolve(["FOBFS7O102HBCLCROS"], Evidence()) is None  # no prefix: not repaired


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_never_raises(text: str) -> None:
    validate(text)
    repair(text)
    find_curps(text)
    resolve([text], EVIDENCE)
    agreement(text, text, text, text, None, text[:1] or None, text[:2] or None)


def test_a_character_the_evidence_pins_is_restored_when_the_check_digit_then_holds() -> None:
    # seed 9101 passport_2021 case-0023: R of RAÚL read as A, and the check digit 8 as S;
    # no confusion table has A/R, but the given name's initial pins that position
    evidence = Evidence(
        names=(("Raúl", "Peña", "Luna"),), birth_dates=(dt.date(1971, 12, 28),), sexes=("H",)
    )
    choice = resolve(["PELA71 1 228HGTXNLOS"], evidence)
    assert choice is not None and choice.curp == "PELR711228HGTXNL08" and choice.repaired
    # without the names nothing pins that position: no repair
    assert resolve(["PELA71 1 228HGTXNLOS"], Evidence(birth_dates=(dt.date(1971, 12, 28),))) is None
    # a check-digit-valid CURP printed against the names is read as printed, never rewritten
    other = "PELA711228HGTXNL0" + check_digit("PELA711228HGTXNL0")
    assert resolve([other], evidence).curp == other


def test_the_printed_place_of_birth_pins_the_state_letters() -> None:
    # passport_blind seed 9401 case 71: JC read as JG. A swap in the state code is taken only
    # when the document prints the state of birth (a passport's place of birth), never on
    # the check digit alone
    names = (("Andrés Ángel", "De los Santos", None),)
    base = Evidence(names=names, birth_dates=(dt.date(1975, 10, 13),), sexes=("H",))
    assert resolve(["SAXA751013HJGNXNO1"], base) is None
    pinned = resolve(["SAXA751013HJGNXNO1"], dataclasses.replace(base, states=("JC",)))
    assert pinned is not None and pinned.curp == "SAXA751013HJCNXN01" and pinned.repaired
    assert resolve(["SAXA751013HJGNXNO1"], dataclasses.replace(base, states=("GT",))) is None


def test_every_split_of_a_one_line_surname_is_a_witness() -> None:
    # passport_2021 seed 9401 case 13: SAN JUAN GUTIÉRREZ on one line, split SAN / JUAN
    # GUTIÉRREZ while the CURP was in doubt; that split's initial (J) contradicted the CURP's
    # G and the CURP was refused. With both splits as witnesses it is read
    from pipeline.id.curp_reading import surname_splits

    born, sexes = (dt.date(1989, 12, 25),), ("H",)
    wrong = Evidence(names=(("Juan Carlos", "San", "Juan Gutiérrez"),), birth_dates=born,
                     sexes=sexes)  # fmt: skip
    assert resolve(["SAG)891225HSRNTNOS"], wrong) is None
    names = tuple(("Juan Carlos", a, b) for a, b in surname_splits("San", "Juan Gutiérrez"))
    both = Evidence(names=names, birth_dates=born, sexes=sexes)
    choice = resolve(["SAG)891225HSRNTNOS"], both)
    assert choice is not None and choice.curp == "SAGJ891225HSRNTN08"


def test_a_swap_in_the_birth_year_reads_the_homonym_for_its_century() -> None:
    # ine_2014 seed 9401 case 61: 66 read as OG and the homonym 0 as O. The evidence's birth
    # year restores 66, and with it the homonym must be a digit: O and 0 weigh the same in the
    # check digit, so the letter reading (born 2066) held it too and was taken; a birth in
    # the future is no CURP
    ev = Evidence(names=(("Mónica Valeria", "Treviño", "Becerra"),),
                  birth_dates=(dt.date(1966, 4, 19),), sexes=("M",))  # fmt: skip
    choice = resolve(["CURP TEBMOGOA19MDFRCNOS. ANÓ DEREAISTAO 201200"], ev)
    assert choice is not None and choice.curp == "TEBM660419MDFRCN05"


_GLYPHS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@st.composite
def _misread_curps(draw: st.DrawFn) -> tuple[str, dt.date, str]:
    """A CURP of Raúl Peña Luna read with up to two spurious glyphs and two wrong ones."""
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)))
    sex = draw(st.sampled_from(["H", "M"]))
    glyphs = list(expected_prefix("Raúl", "Peña", "Luna", born, sex, "DF") + "05")
    for _ in range(draw(st.integers(0, 2))):
        glyphs[draw(st.integers(0, 17))] = draw(st.sampled_from(_GLYPHS))
    for _ in range(draw(st.integers(0, 2))):
        glyphs.insert(draw(st.integers(0, len(glyphs))), draw(st.sampled_from(_GLYPHS)))
    return "".join(glyphs), born, sex


@settings(max_examples=300, deadline=None)
@given(_misread_curps())
def test_only_readings_one_swap_from_the_evidence_are_made(read: tuple[str, dt.date, str]) -> None:
    """The pruned deletions are exactly those whose shaped characters the evidence
    contradicts in at most one covered position, counted here glyph by glyph."""
    from pipeline.curp import SHAPE, TO_DIGIT, TO_LETTER
    from pipeline.curp_evidence import _deletions, _deletions_near

    window, born, sex = read
    evidence = Evidence(names=(("Raúl", "Peña", "Luna"),), birth_dates=(born,), sexes=(sex,))
    allowed = evidence.allowed()
    extra = len(window) - 18

    def mismatches(raw: str) -> int:
        table = {"D": TO_DIGIT, "L": TO_LETTER}
        shaped = [table.get(kind, {}).get(c, c) for c, kind in zip(raw, SHAPE, strict=True)]
        return sum(1 for c, ok in zip(shaped, allowed, strict=True) if ok and c not in ok)

    expected = [raw for raw in _deletions(window, extra) if mismatches(raw) <= 1]
    assert _deletions_near(window, extra, allowed) == expected
