"""The generator checked against outside references, not against the reader's code.

CURPs: python-stdnum's ``stdnum.mx.curp`` and the worked examples of RENAPO's *Instructivo
normativo para la asignación de la CURP*. MRZs: the ``mrz`` package's TD1/TD3 checkers and its
ICAO check-digit function, and the two real INE line-2 strings of
``/work/shared/docs/real-documents.md``.
"""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from mrz.base.functions import hash_string
from mrz.checker.td1 import TD1CodeChecker
from mrz.checker.td3 import TD3CodeChecker
from stdnum.mx import curp as stdnum_curp

from synth import curp, ids, mrz
from synth.people import Person, random_person

TODAY = dt.date(2026, 6, 1)
ICAO_SEX = {"H": "M", "M": "F"}
INE_OPTIONAL = re.compile(r"<\d\d<<\d{5}<")
#: Line 2 of two real INE backs (docs/real-documents.md): (line, birth, sex, expiry).
REAL_INE_LINE2 = [
    ("8512246M2712310MEX<02<<12416<4", dt.date(1985, 12, 24), "M", dt.date(2027, 12, 31)),
    ("9808184H3212312MEX<02<<37306<1", dt.date(1998, 8, 18), "H", dt.date(2032, 12, 31)),
]


def _people(n: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    return [random_person(rng, rng.choice("HM"), TODAY) for _ in range(n)]


def test_every_generated_curp_validates_with_stdnum() -> None:
    people = _people(300, 20260601)
    assert {p.sexo for p in people} == {"H", "M"} and len({p.state for p in people}) > 20
    for p in people:
        assert stdnum_curp.validate(p.curp) == p.curp
        assert curp.is_valid(p.curp)
        # stdnum reads the century from the homonym character: digit before 2000, letter after
        assert stdnum_curp.get_birth_date(p.curp) == p.birth
        assert stdnum_curp.get_gender(p.curp) == ICAO_SEX[p.sexo]
        assert p.curp[11:13] == p.state


def test_wrong_check_digit_is_refused_by_stdnum() -> None:
    for p in _people(40, 7):
        wrong = p.curp[:17] + str((int(p.curp[17]) + 3) % 10)
        assert not stdnum_curp.is_valid(wrong) and not curp.is_valid(wrong)


def test_inconvenient_words_are_stdnums_catalogue() -> None:
    # python-stdnum carries the instructivo's Anexo 2 as a private set; compare, do not import
    assert set(curp.INCONVENIENT) == stdnum_curp._name_blacklist


@pytest.mark.parametrize(
    ("nombre", "primer", "segundo", "where", "expected"),
    [
        # worked examples of the instructivo's "criterios de excepción"
        ("Alberto", "Ñando", "Rodríguez", slice(0, 4), "XARA"),
        ("María Luisa", "Pérez", "Hernández", slice(0, 4), "PEHL"),
        ("Luis Enrique", "Romero", "Palazuelos", slice(0, 4), "ROPL"),
        ("Juan José", "D/Amico", "Álvarez", slice(0, 4), "DXAJ"),
        ("Rocío", "Riva Palacio", "Cruz", slice(0, 4), "RICR"),
        ("Carlos", "Mc Gregor", "López", slice(0, 4), "GELC"),
        ("Ofelia", "Pedrero", "Domínguez", slice(0, 4), "PXDO"),
        ("Andrés", "Ich", "Rodríguez", slice(0, 4), "IXRA"),
        ("Alberto", "Oñate", "Rodríguez", slice(13, 16), "XDL"),
        ("Ma. de los Ángeles", "Moreno", "Sánchez", slice(13, 16), "RNN"),
        ("Ma. de los Ángeles", "Moreno", "Sánchez", slice(0, 4), "MOSA"),
        # RENAPO's explanatory example (Alamán Pérez Ricardo, D.F., 21 March 1963)
        ("Ricardo", "Alamán", "Pérez", slice(0, 17), "AAPR630321HDFLRC0"),
    ],
)
def test_instructivo_examples(
    nombre: str, primer: str, segundo: str, where: slice, expected: str
) -> None:
    sexo = "M" if nombre in ("María Luisa", "Rocío", "Ofelia", "Ma. de los Ángeles") else "H"
    birth = dt.date(1963, 3, 21)
    assert curp.build_curp(nombre, primer, segundo, birth, sexo, "DF")[where] == expected


def test_published_hypothetical_curp() -> None:
    # the hypothetical CURP of the public descriptions: Gloria Hernández García, 27-04-1956, VZ
    built = curp.build_curp("Gloria", "Hernández", "García", dt.date(1956, 4, 27), "M", "VZ", "0")
    assert built == "HEGG560427MVZRRL04"


def _hashes(report_fields: list[tuple[str, bool]]) -> dict[str, bool]:
    return {name: ok for name, ok in report_fields if name.endswith("hash")}


def test_ine_mrz_through_the_mrz_package() -> None:
    rng = random.Random(99)
    sexes = set()
    for p in _people(120, 99):
        card = ids.ine_card(p, rng, TODAY)
        lines = card.mrz_lines
        checker = TD1CodeChecker("\n".join(lines))
        hashes = _hashes(checker.report.fields)
        assert hashes == dict.fromkeys(
            ("document number hash", "birth date hash", "expiry date hash", "final hash"), True
        )
        # the package knows only ICAO's M/F/X: a man's H is the one field it refuses
        refused = {name for name, _ in checker.report.falses}
        assert refused == ({"valid genre format"} if p.sexo == "H" else set()), refused
        assert lines[1][7] == p.sexo  # a woman is M, a man H, as on the card
        sexes.add(lines[1][7])
        fields = checker.fields()
        assert (fields.document_type, fields.country, fields.nationality) == ("ID", "MEX", "MEX")
        assert fields.document_number == card.number and len(card.number) == 9
        assert fields.birth_date == mrz.yymmdd(p.birth)
        assert fields.expiry_date == mrz.yymmdd(card.expiry) and card.expiry.month == 12
        assert re.fullmatch(r"<<\d{13}", lines[0][15:30])
        assert INE_OPTIONAL.fullmatch(lines[1][18:29])
    assert sexes == {"H", "M"}


def test_passport_mrz_through_the_mrz_package() -> None:
    rng = random.Random(5)
    for p in _people(80, 5):
        card = ids.passport(p, rng, TODAY)
        checker = TD3CodeChecker("\n".join(card.mrz_lines))
        assert bool(checker), checker.report.falses
        fields = checker.fields()
        assert fields.sex == ICAO_SEX[p.sexo]  # the passport's MRZ is ICAO
        assert fields.birth_date == mrz.yymmdd(p.birth)
        assert fields.document_number == card.number
        assert fields.optional_data.strip("<") == ""  # empty on real Mexican passports


@pytest.mark.parametrize(("line2", "birth", "sexo", "expiry"), REAL_INE_LINE2)
def test_real_ine_line2(line2: str, birth: dt.date, sexo: str, expiry: dt.date) -> None:
    # the real strings: the package's ICAO check digit agrees with both dates' digits
    assert hash_string(line2[0:6]) == line2[6] and hash_string(line2[8:14]) == line2[14]
    assert line2[7] == sexo and line2[15:18] == "MEX" and INE_OPTIONAL.fullmatch(line2[18:29])
    # the generator, given the same data and optional digits, prints the same 29 characters
    built = mrz.td1_ine(
        "123456789",
        "0419123456789",
        birth,
        sexo,
        expiry,
        "Peña",
        "Cruz",
        "Ana",
        emission=line2[19:21],
        fuar=line2[23:28],
    )
    assert built[1][:29] == line2[:29]
    line1, line2_built = built[0], built[1]
    composite = line1[5:30] + line2_built[0:7] + line2_built[8:15] + line2_built[18:29]
    assert hash_string(composite) == line2_built[29]
