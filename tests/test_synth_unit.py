"""Pure parts of the fixture generator: CURP faults, scenario mix, bill dates, MRZ layout."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from synth import bills, curp, mrz
from synth.generate import other_homonym, wrong_check_digit
from synth.people import random_person
from synth.scenarios import SCENARIOS, WEIGHTS, allocate


@pytest.mark.parametrize("seed", range(20))
def test_curp_faults(seed: int) -> None:
    rng = random.Random(seed)
    person = random_person(rng, rng.choice("HM"), dt.date(2026, 6, 1))
    assert curp.is_valid(person.curp)
    other = other_homonym(person.curp, rng)
    assert curp.is_valid(other) and other[:16] == person.curp[:16] and other != person.curp
    assert not curp.is_valid(wrong_check_digit(person.curp, rng))
    assert person.curp[4:10] == person.birth.strftime("%y%m%d")
    assert person.curp[10] == person.sexo and person.curp[11:13] == person.state


def test_curp_rules() -> None:
    birth = dt.date(1990, 3, 4)
    # compound surname particles skipped; MARÍA skipped in a compound given name; Ñ -> X
    built = curp.build_curp("María Ñeli", "de la Cruz", "Peña", birth, "M", "DF")
    assert built.startswith("CUPX900304MDFRXL")
    # an inconvenient word gets an X in second place
    assert curp.build_curp("Ana", "Pérez", "Dávila", birth, "M", "DF")[:4] == "PEDA".replace(
        "E", "X"
    )


def test_allocation_mix() -> None:
    plan = allocate(500, 3)
    assert set(plan) == set(SCENARIOS)
    genuine = sum(s.startswith("genuine") for s in plan) / len(plan)
    assert abs(genuine - WEIGHTS["genuine_ine"] - WEIGHTS["genuine_passport"]) < 0.01
    assert allocate(68, 2026) == allocate(68, 2026) and allocate(68, 1) != allocate(68, 2026)


@pytest.mark.parametrize("stale", [False, True])
def test_bill_dates(stale: bool) -> None:
    rng = random.Random(5)
    person = random_person(rng, "H", dt.date(2026, 6, 1))
    for _ in range(60):
        submitted = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
        bill = bills.make_bill(person.full_name, person.domicilio, submitted, rng, stale)
        age = (submitted - bill.fecha).days
        assert (150 <= age <= 430) if stale else (3 <= age <= 60), (bill.emisor, age)
        if bill.emisor in ("SACMEX", "PREDIAL"):
            assert (bill.fecha + dt.timedelta(days=1)).day == 1 and bill.fecha.month % 2 == 0


def test_td1_layout() -> None:
    lines = mrz.td1_ine(
        "123456789",
        "0419123456789",
        dt.date(2001, 2, 3),
        "M",
        dt.date(2031, 12, 31),
        "Peña",
        "",
        "María José",
    )
    assert [len(x) for x in lines] == [30, 30, 30]
    assert lines[1][7] == "M" and lines[1][8:14] == "311231" and lines[1][15:18] == "MEX"
    assert lines[2].startswith("PENA<<MARIA<JOSE<")
