"""The blind INE family draws both layouts, and INE MRZs follow the facts page.

The ICAO 9303 check digit is implemented here on purpose, independently of ``synth/mrz.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from synth.families import ine_blind
from synth.ids import IdCard, ine_card
from synth.people import random_person

TODAY = dt.date(2026, 12, 5)
#: line 2 of two real INE MRZs, quoted in shared/docs/real-documents.md (a woman, a man)
FACTS_LINE2 = ("8512246M2712310MEX<02<<12416<4", "9808184H3212312MEX<02<<37306<1")


def check_digit(field: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; digits, A=10 .. Z=35, '<' = 0.

    >>> check_digit("740812"), check_digit("L898902C3")
    ('2', '6')
    """
    total = 0
    for i, ch in enumerate(field):
        if ch.isdigit():
            value = int(ch)
        elif ch.isalpha():
            value = ord(ch.upper()) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise ValueError("not an MRZ character")
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def test_check_digit_on_icao_specimen() -> None:
    # ICAO 9303 part 5 TD1 specimen (Utopia): document number, birth, expiry, composite
    line1, line2 = "I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6"
    assert check_digit(line1[5:14]) == line1[14]
    assert check_digit(line2[0:6]) == line2[6]
    assert check_digit(line2[8:14]) == line2[14]
    assert check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]) == line2[29]


@pytest.mark.parametrize("line2", FACTS_LINE2)
def test_facts_line2_check_digits(line2: str) -> None:
    assert len(line2) == 30
    assert check_digit(line2[0:6]) == line2[6]  # birth
    assert check_digit(line2[8:14]) == line2[14]  # expiry
    assert line2[7] in "HM" and line2[15:18] == "MEX"
    assert line2[12:14] == "31" and line2[10:12] == "12"  # 31 December of the vigencia's end


def _face(aspect: float) -> Image.Image:
    """A drawn stand-in portrait (no real face needed to check the layout)."""
    w = 250
    img = Image.new("RGB", (w, round(w / aspect)), (200, 210, 225))
    d = ImageDraw.Draw(img)
    d.ellipse([60, 45, 190, 210], fill=(205, 160, 130))
    d.ellipse([30, 240, 220, 450], fill=(60, 60, 90))
    return img


def _mrz(end: int) -> list[str]:
    """Valid INE MRZ lines for the test card, expiring 31 Dec ``end``."""
    line1 = "IDMEX123456789" + check_digit("123456789") + "<<1234567890123"
    expiry = f"{end % 100:02d}1231"
    partial = "8512246M" + expiry + check_digit(expiry) + "MEX<02<<12416<"
    composite = check_digit(line1[5:30] + partial[0:7] + partial[8:15] + partial[18:29])
    return [line1, partial + composite, "PENA<SOLIS<<MARIA<FERNANDA<<<<"]


def _card(issued: dt.date, sexo: str = "M", visible: bool = True) -> IdCard:
    end = issued.year + 10
    return IdCard(
        kind="ine",
        primer_apellido="PEÑA",
        segundo_apellido="SOLIS",
        nombres="MARIA FERNANDA",
        birth=dt.date(1985, 12, 24),
        sexo=sexo,
        curp="PESF851224MDFXLR09",
        state="DF",
        expiry=dt.date(end, 12, 31),
        number="123456789",
        issued=issued,
        clave_elector="PXSLMR85122409M700",
        seccion="1234",
        registro="2003 02",
        vigencia=f"{issued.year} - {end}",
        address_lines=("C PINO 12", "COL CENTRO 06000", "CUAUHTEMOC, CDMX."),
        ocr_number="1234567890123",
        mrz_lines=_mrz(end),
        estado="09",
        municipio="015",
        localidad="0001",
        emision=str(issued.year),
        domicilio_visible=visible,
    )


def test_models_follow_issue_date_and_both_are_drawn() -> None:
    old, new = _card(dt.date(2016, 5, 3)), _card(dt.date(2022, 8, 9))
    assert ine_blind.model_of(old) == "2014" and ine_blind.model_of(new) == "2019"
    rng = random.Random(4)
    portrait = _face(ine_blind.FAMILY.portrait_aspect)
    fronts = [ine_blind.render_front(c, portrait, rng, 12.0) for c in (old, new)]
    assert all(f.size == (round(85.6 * 12), round(54 * 12)) for f in fronts)
    # only the 2019 front signs under the photo (x 4-27 mm, y 45-52.5 mm)
    under_photo = [np.asarray(f.convert("L"))[45 * 12 : 52 * 12, 4 * 12 : 27 * 12] for f in fronts]
    assert (under_photo[0] < 90).mean() < 0.002 < (under_photo[1] < 90).mean()


def test_sizes_follow_k() -> None:
    rng = random.Random(1)
    card = _card(dt.date(2021, 3, 1), sexo="H", visible=False)
    for k in (8.0, 12.5):
        front = ine_blind.render_front(card, _face(25 / 32), rng, k)
        back = ine_blind.render_back(card, rng, k)
        assert front.size == back.size == (round(85.6 * k), round(54 * k))
        assert front.mode == back.mode == "RGB"


def test_cards_from_the_generator_reach_both_layouts() -> None:
    rng = random.Random(7)
    seen = set()
    for _ in range(40):
        card = ine_card(random_person(rng, rng.choice("HM"), TODAY), rng, TODAY)
        seen.add(ine_blind.model_of(card))
    assert seen == {"2014", "2019"}


@pytest.mark.parametrize("issued", [dt.date(2016, 5, 3), dt.date(2022, 8, 9)])
def test_back_prints_each_mrz_line_in_its_band(issued: dt.date) -> None:
    card = _card(issued)
    k = 12.0
    boxes = ine_blind.mrz_boxes(k)
    base = np.asarray(ine_blind.render_back(card, random.Random(3), k).convert("L"), np.int16)
    for left, top, right, bottom in boxes:
        assert (base[top:bottom, left:right] < 90).mean() > 0.03  # ink in every line's band
    for i in range(3):
        lines = list(card.mrz_lines)
        lines[i] = lines[i][::-1]
        other = dataclasses.replace(card, mrz_lines=lines)
        img = np.asarray(ine_blind.render_back(other, random.Random(3), k).convert("L"), np.int16)
        changed = [np.abs(img[t:b, le:r] - base[t:b, le:r]).mean() > 3 for le, t, r, b in boxes]
        assert changed == [j == i for j in range(3)]


@pytest.mark.parametrize("seed", range(8))
def test_generator_mrz_follows_facts(seed: int) -> None:
    rng = random.Random(seed)
    sexo = "HM"[seed % 2]
    card = ine_card(random_person(rng, sexo, TODAY), rng, TODAY)
    line1, line2, line3 = card.mrz_lines
    assert [len(x) for x in card.mrz_lines] == [30, 30, 30]
    assert line1[:5] == "IDMEX" and line1[5:14].isdigit() and line1[5:14] == card.number
    assert check_digit(line1[5:14]) == line1[14]
    assert line1[15:17] == "<<" and line1[17:30].isdigit()
    assert line2[0:6] == card.birth.strftime("%y%m%d") and check_digit(line2[0:6]) == line2[6]
    assert line2[7] == card.sexo == sexo
    assert card.expiry.month == 12 and card.expiry.day == 31
    assert str(card.expiry.year) == card.vigencia[-4:]
    assert line2[8:14] == card.expiry.strftime("%y%m%d") and check_digit(line2[8:14]) == line2[14]
    assert line2[15:18] == "MEX" and len(line2[18:29]) == 11
    assert check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]) == line2[29]
    apellidos = [card.primer_apellido] + ([card.segundo_apellido] if card.segundo_apellido else [])
    names = ("<".join(apellidos) + "<<" + card.nombres).replace(" ", "<").replace("Ñ", "N")
    assert line3 == (names + "<" * 30)[:30]
