"""The blind Mexican passport family, and the generator's TD3 MRZ checked against ICAO 9303.

The ICAO check digit is implemented here on its own (not taken from ``synth.mrz``) and proven on
published MRZs first: ICAO's specimen and a real Mexican passport MRZ (sources in the family's
module docstring, F1 and F6).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata

import numpy as np
import pytest
from PIL import Image, ImageDraw

from synth.draw import PT_MM, pil_font
from synth.families import passport_blind as pb
from synth.ids import IdCard, passport
from synth.people import random_person

TODAY = dt.date(2025, 6, 1)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def check_digit(field: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; 0-9 as is, A-Z as 10-35, ``<`` as 0."""
    total = 0
    for i, ch in enumerate(field):
        value = int(ch) if ch.isdigit() else 0 if ch == "<" else ord(ch) - ord("A") + 10
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz_name(s: str) -> str:
    """A name as the MRZ writes it: no diacritics, spaces and hyphens as ``<``."""
    plain = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "<" for c in plain.upper())


def test_check_digit_on_published_mrzs():
    # ICAO 9303 specimen line 2
    line = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert check_digit(line[0:9]) == line[9]
    assert check_digit(line[13:19]) == line[19]
    assert check_digit(line[21:27]) == line[27]
    assert check_digit(line[28:42]) == line[42]
    assert check_digit(line[0:10] + line[13:20] + line[21:43]) == line[43]
    # a real Mexican passport (personal number empty, its check digit 0)
    mex = "G159975574MEX6111047M2412045<<<<<<<<<<<<<<02"
    assert check_digit(mex[0:9]) == mex[9]
    assert check_digit(mex[28:42]) == mex[42] == "0"
    assert check_digit(mex[0:10] + mex[13:20] + mex[21:43]) == mex[43]
    assert check_digit("L898902C<") != check_digit("L898902C3")


def _cards(n: int, seed: int = 11) -> list[IdCard]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        person = random_person(rng, "HM"[i % 2], TODAY)
        out.append(passport(person, rng, TODAY))
    return out


@pytest.mark.parametrize("card", _cards(24), ids=lambda c: c.sexo)
def test_generator_writes_an_icao_td3_mrz(card: IdCard):
    line1, line2 = card.mrz_lines
    assert len(line1) == len(line2) == 44
    assert set(line1 + line2) <= set(ALPHABET)
    # line 1: document code P, filler, issuing State, then SURNAMES<<GIVEN<NAMES
    assert line1[:5] == "P<MEX"
    surnames = "<".join(mrz_name(p) for p in (card.primer_apellido, card.segundo_apellido) if p)
    names = f"{surnames}<<{mrz_name(card.nombres)}"
    if len(names) <= 39:
        assert line1[5:] == names.ljust(39, "<")
    else:
        assert line1[5:].startswith(mrz_name(card.primer_apellido)[:20])
    # line 2
    assert line2[0:9] == card.number.ljust(9, "<") and check_digit(line2[0:9]) == line2[9]
    assert line2[10:13] == "MEX"
    assert line2[13:19] == card.birth.strftime("%y%m%d") and check_digit(line2[13:19]) == line2[19]
    assert line2[20] == {"H": "M", "M": "F"}[card.sexo]
    assert line2[21:27] == card.expiry.strftime("%y%m%d")
    assert check_digit(line2[21:27]) == line2[27]
    # personal number: empty on the real pages found (F6), or the CURP's start; never other data
    personal = line2[28:42]
    assert personal == "<" * 14 or personal == card.curp[:14]
    assert line2[42] == check_digit(personal) or (personal == "<" * 14 and line2[42] == "<")
    assert line2[43] == check_digit(line2[0:10] + line2[13:20] + line2[21:43])


def _portrait(aspect: float) -> Image.Image:
    """A drawn head and shoulders (no fixture photos needed)."""
    w, h = 280, round(280 / aspect)
    img = Image.new("RGB", (w, h), (220, 222, 225))
    d = ImageDraw.Draw(img)
    d.ellipse([w * 0.05, h * 0.78, w * 0.95, h * 1.4], fill=(50, 50, 60))
    d.ellipse([w * 0.25, h * 0.18, w * 0.75, h * 0.72], fill=(190, 150, 120))
    return img


def _render(card: IdCard, seed: int, k: float) -> Image.Image:
    return pb.render_front(card, _portrait(pb.FAMILY.portrait_aspect), random.Random(seed), k)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (np.sqrt((a * a).sum() * (b * b).sum()) + 1e-6))


def read_mrz(img: Image.Image, k: float) -> list[str]:
    """Read the two MRZ lines where ICAO puts them, by matching OCR-B glyph templates."""
    grey = np.asarray(img.convert("L"), np.float32)
    font = pb.mrz_font()
    glyphs = pil_font(font.path, round(font.size * PT_MM * k))
    lines = []
    for base in pb.MRZ_BASELINES_MM:
        y0, y1 = round((base - 3.2) * k), round((base + 0.9) * k)
        text = ""
        for i in range(44):
            x = (pb.MRZ_LEFT_MM + i * pb.MRZ_PITCH_MM) * k
            x0, x1 = round(x - 0.2 * k), round(x + (pb.MRZ_PITCH_MM - 0.2) * k)
            best, best_score = "?", -2.0
            for ch in ALPHABET:
                tmpl = Image.new("L", (x1 - x0 + 2, y1 - y0 + 2), 255)
                ImageDraw.Draw(tmpl).text(
                    (x - x0 + 1, base * k - y0 + 1), ch, font=glyphs, anchor="ls"
                )
                t = np.asarray(tmpl, np.float32)
                for dy in (0, 1, 2):
                    for dx in (0, 1, 2):
                        cell = grey[y0 - 1 + dy : y1 - 1 + dy, x0 - 1 + dx : x1 - 1 + dx]
                        score = _corr(cell, t[1 : 1 + cell.shape[0], 1 : 1 + cell.shape[1]])
                        if score > best_score:
                            best, best_score = ch, score
            text += best
        lines.append(text)
    return lines


@pytest.mark.parametrize("k", [7.5, 10.0, 12.5])
def test_page_size_follows_k(k: float):
    img = _render(_cards(1)[0], 3, k)
    assert img.size == (round(125 * k), round(88 * k))
    assert img.mode == "RGB"


@pytest.mark.parametrize("issued", [dt.date(2018, 4, 2), dt.date(2023, 9, 14)])
def test_mrz_is_printed_as_given(issued: dt.date):
    card = dataclasses.replace(_cards(3, seed=5)[2], issued=issued)
    k = pb.FAMILY.base_k
    assert read_mrz(_render(card, 8, k), k) == card.mrz_lines


def test_mrz_band_shows_the_card_not_a_constant():
    a, b = _cards(2, seed=21)
    k = pb.FAMILY.base_k
    top = round((pb.MRZ_BASELINES_MM[0] - 3.0) * k)
    band_a = np.asarray(_render(a, 4, k), np.float32)[top:]
    band_b = np.asarray(_render(b, 4, k), np.float32)[top:]
    assert np.abs(band_a - band_b).mean() > 2.0


def test_same_seed_same_page():
    card = _cards(1)[0]
    assert np.array_equal(np.asarray(_render(card, 9, 10.0)), np.asarray(_render(card, 9, 10.0)))


def test_layout_follows_the_issue_date():
    rng = random.Random(0)
    assert pb.layout_for(dt.date(2015, 1, 1), rng) == "libreta"
    assert pb.layout_for(dt.date(2024, 1, 1), rng) == "electronico"
    both = {pb.layout_for(dt.date(2021, 11, 20), rng) for _ in range(40)}
    assert both == {"libreta", "electronico"}


def test_printed_values():
    card = dataclasses.replace(_cards(2)[1], state="NL", sexo="M")
    style = pb._style(random.Random(2), dt.date(2019, 1, 1))
    values = pb._values(card, style, random.Random(2))
    assert values["sex"] == "F" and values["nationality"] == "MEXICANA"
    assert values["code"] == "MEX" and values["type"] == "P"
    assert values["place"] in ("NUEVO LEÓN", "NUEVO LEON")
    assert values["birth"] == card.birth.strftime("%d %m %Y")
    assert values["curp"] == card.curp and values["number"] == card.number
