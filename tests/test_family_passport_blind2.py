"""The blind passport family ``passport_blind2``: page geometry, MRZ as given, fields on the page.

The MRZ check digits are recomputed here with an ICAO 9303 (7-3-1) implementation of the test's
own, first on the ICAO specimen, so the test does not lean on ``synth.mrz``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
import pytest
from PIL import Image

from synth import ids
from synth.draw import text_width_mm
from synth.families import families
from synth.families import passport_blind2 as pb2
from synth.fonts import Font
from synth.people import random_person

TODAY = dt.date(2025, 6, 1)
SPECIMEN = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


def icao_digit(field: str) -> int:
    """ICAO 9303 check digit: 0-9 as is, A-Z 10-35, '<' 0, weights 7, 3, 1, modulo 10."""
    total = 0
    for i, ch in enumerate(field):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise ValueError(f"not an MRZ character: {ch!r}")
        total += value * (7, 3, 1)[i % 3]
    return total % 10


def td3_line2_errors(line: str) -> list[str]:
    """The check digits of a TD3 second line that do not hold (empty when all hold)."""
    fields = {
        "number": (line[0:9], line[9]),
        "birth": (line[13:19], line[19]),
        "expiry": (line[21:27], line[27]),
        "personal": (line[28:42], line[42]),
        "composite": (line[0:10] + line[13:20] + line[21:43], line[43]),
    }
    return [name for name, (data, digit) in fields.items() if str(icao_digit(data)) != digit]


def make_card(seed: int, sexo: str = "M") -> ids.IdCard:
    rng = random.Random(seed)
    return ids.passport(random_person(rng, sexo, TODAY), rng, TODAY)


def portrait(seed: int) -> Image.Image:
    """A face-sized stand-in: smooth shading plus noise, at the family's aspect."""
    h = 300
    w = round(h * pb2.FAMILY.portrait_aspect)
    yy, xx = np.mgrid[0:h, 0:w]
    base = 120 + 80 * np.cos(np.hypot(xx - w / 2, yy - h / 2.4) / 30)
    noise = np.random.default_rng(seed).normal(0, 12, (h, w))
    grey = np.clip(base + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(grey).convert("RGB")


def test_icao_digit_on_the_specimen() -> None:
    assert icao_digit("L898902C3") == 6
    assert icao_digit("740812") == 2
    assert icao_digit("120415") == 9
    assert td3_line2_errors(SPECIMEN) == []
    assert td3_line2_errors(SPECIMEN[:43] + "1") == ["composite"]
    assert td3_line2_errors(SPECIMEN.replace("7408122", "7408123")) == ["birth", "composite"]


def test_registered_as_a_blind_passport_family() -> None:
    fam = families()["passport_blind2"]
    assert fam is pb2.FAMILY
    assert (fam.kind, fam.blind, fam.render_back, fam.booklet) == ("passport", True, None, True)
    assert 0.7 < fam.portrait_aspect < 0.85


@pytest.mark.parametrize("k", [8.0, 12.0, 18.0])
def test_page_is_td3_at_the_given_scale(k: float) -> None:
    card = make_card(3)
    img = pb2.render_page(card, portrait(3), random.Random(5), k)
    assert img.size == (round(125 * k), round(88 * k))
    assert img.mode == "RGB"
    assert abs(img.size[0] / img.size[1] - 125 / 88) < 0.01


@pytest.mark.parametrize("seed", range(6))
def test_card_mrz_lines_hold_their_check_digits(seed: int) -> None:
    card = make_card(seed, "H" if seed % 2 else "M")
    first, second = card.mrz_lines
    assert len(first) == len(second) == 44
    assert first.startswith("P<MEX") and second[10:13] == "MEX"
    assert td3_line2_errors(second) == []
    assert second[13:19] == card.birth.strftime("%y%m%d")
    assert second[20] == pb2.printed_sex(card.sexo)  # ICAO M/F on passports


def test_render_draws_the_record_without_changing_it() -> None:
    card = make_card(11)
    card.mrz_lines = [card.mrz_lines[0], card.mrz_lines[1][:19] + "0" + card.mrz_lines[1][20:]]
    before = dataclasses.asdict(card)
    for seed in range(4):
        pb2.render_page(card, portrait(seed), random.Random(seed), 8.0)
    assert dataclasses.asdict(card) == before


def test_same_draws_same_page_and_draws_vary() -> None:
    card = make_card(7)
    a = np.asarray(pb2.render_page(card, portrait(1), random.Random(42), 8.0))
    b = np.asarray(pb2.render_page(card, portrait(1), random.Random(42), 8.0))
    c = np.asarray(pb2.render_page(card, portrait(1), random.Random(43), 8.0))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("seed", range(5))
def test_mrz_spans_44_ocrb_cells_at_the_bottom(seed: int) -> None:
    k = 12.0
    img = pb2.render_page(make_card(seed), portrait(seed), random.Random(seed), k)
    grey = np.asarray(img.convert("L"), np.float32)
    band = grey[round((pb2.MRZ_BAND + 1.0) * k) :, :]
    dark = band < 110
    cols = np.nonzero(dark.any(axis=0))[0]
    rows = np.nonzero(dark.any(axis=1))[0]
    width = 44 * pb2.MRZ_PITCH
    left = (125 - width) / 2
    assert abs(cols[0] / k - left) < 1.2
    assert abs(cols[-1] / k - (left + width)) < 2.5
    # two separate lines of ink: a clear gap between them
    assert np.diff(rows).max() > 1.5 * k
    assert rows[-1] / k + pb2.MRZ_BAND + 1.0 < 88


def test_every_field_fits_and_the_curp_has_its_label() -> None:
    card = dataclasses.replace(
        make_card(2),
        primer_apellido="DE LA GARZA",
        segundo_apellido="VILLARREAL MONTEMAYOR",
        nombres="MARÍA DE LOS ÁNGELES GUADALUPE",
        state="BS",
    )
    for seed in range(20):
        rng = random.Random(seed)
        edition = pb2.ELECTRONIC if seed % 2 else pb2.BOOKLET
        style = pb2._style(rng, edition)
        placed = pb2._layout(card, edition, style, rng)
        for p in placed:
            width = text_width_mm(p.value, Font(style.value_face, p.value_pt))
            assert p.x + width <= pb2.RIGHT + 0.01
        curp = [p for p in placed if p.value == card.curp]
        assert len(curp) == 1 and ("CURP" in curp[0].es or "Población" in curp[0].es)
        assert {p.value for p in placed} >= {card.number, card.nombres, "MEXICANA", "P", "MEX"}
        assert "DE LA GARZA VILLARREAL MONTEMAYOR" in {p.value for p in placed}


def test_printed_forms() -> None:
    day = dt.date(1961, 11, 4)
    assert pb2.printed_date(day, "numeric") == "04 11 1961"
    assert pb2.printed_date(dt.date(2020, 12, 31), "months") == "31 DIC/DEC 2020"
    assert [pb2.printed_sex(s) for s in "HMX"] == ["M", "F", "X"]
