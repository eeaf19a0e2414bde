"""The ine_blind2 layout family: card geometry, the back's MRZ zone and the TD1 check digits.

Checked from the outside, without the pipeline: the card is ISO/IEC 7810 ID-1 (85.6 x 54 mm),
the back prints three OCR-B lines across its width in a clear band at the bottom, and the TD1
check digits of the record's MRZ are recomputed here with ICAO 9303's 7-3-1 weighting.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from synth import ids
from synth.families import families, of_kind
from synth.families.ine_blind2 import FAMILY
from synth.people import random_person

TODAY = dt.date(2026, 3, 1)
ID1_MM = (85.6, 54.0)


def icao_check(field: str) -> str:
    """ICAO 9303 check digit: values 0-9, A-Z = 10-35, '<' = 0, weights 7, 3, 1 repeating."""
    total = 0
    for i, ch in enumerate(field):
        value = int(ch) if ch.isdigit() else 0 if ch == "<" else ord(ch) - ord("A") + 10
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def td1_errors(lines: list[str]) -> list[str]:
    """The TD1 fields whose printed check digit does not match (empty when all hold)."""
    l1, l2, _ = lines
    fields = {
        "document": (l1[5:14], l1[14]),
        "birth": (l2[0:6], l2[6]),
        "expiry": (l2[8:14], l2[14]),
        "composite": (l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]),
    }
    return [name for name, (data, digit) in fields.items() if icao_check(data) != digit]


def make_card(seed: int, expired: bool = False) -> ids.IdCard:
    """An INE record for a random person."""
    rng = random.Random(seed)
    person = random_person(rng, "HM"[seed % 2], TODAY, 30 if expired else 18)
    return ids.ine_card(person, rng, TODAY, expired)


def portrait(seed: int) -> Image.Image:
    """A stand-in portrait of the family's aspect: a grey head on a light ground."""
    h = 320
    w = round(h * FAMILY.portrait_aspect)
    img = Image.new("RGB", (w, h), (200 + seed % 40, 205, 210))
    draw = ImageDraw.Draw(img)
    draw.ellipse([w * 0.25, h * 0.15, w * 0.75, h * 0.7], fill=(120, 110, 105))
    draw.rectangle([w * 0.15, h * 0.72, w * 0.85, h], fill=(60, 60, 70))
    return img


def ink_runs(crop: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges (start, end) of the horizontal bands of dark print in a greyscale crop."""
    rows = list((crop < 110).sum(axis=1) >= 3) + [False]
    runs, start = [], None
    for i, inked in enumerate(rows):
        if inked and start is None:
            start = i
        elif not inked and start is not None:
            runs.append((start, i))
            start = None
    return runs


def test_icao_check_on_the_facts_doc_examples():
    """Line 2 of two real cards (facts doc): birth and expiry digits hold, a changed one fails."""
    for line in ("8512246M2712310MEX<02<<12416<4", "9808184H3212312MEX<02<<37306<1"):
        assert icao_check(line[0:6]) == line[6]
        assert icao_check(line[8:14]) == line[14]
        for i in range(6):  # any one digit changed changes the check digit (weights 7, 3, 1)
            changed = line[:i] + str((int(line[i]) + 1) % 10) + line[i + 1 : 6]
            assert icao_check(changed) != line[6]
    assert icao_check("L898902C3") == "6"  # ICAO 9303's specimen document number


def test_family_is_registered_as_a_blind_ine_family():
    fam = families()["ine_blind2"]
    assert fam is FAMILY and fam.kind == "ine" and fam.blind and fam.render_back is not None
    assert fam in of_kind("ine")
    assert 0.7 < fam.portrait_aspect < 0.85  # about 25 x 32 mm (facts doc)


@pytest.mark.parametrize("k", [10.0, 12.0, 18.0])
def test_both_sides_are_id1_cards_at_the_given_scale(k):
    card = make_card(3)
    front = FAMILY.render_front(card, portrait(3), random.Random(1), k)
    back = FAMILY.render_back(card, random.Random(2), k)
    for img in (front, back):
        assert img.size == (round(ID1_MM[0] * k), round(ID1_MM[1] * k))
        assert abs(img.size[0] / img.size[1] - ID1_MM[0] / ID1_MM[1]) < 0.01
        assert img.mode == "RGB"


@pytest.mark.parametrize("seed", range(6))
def test_back_prints_three_mrz_lines_across_a_clear_bottom_band(seed):
    k = 12.0
    card = make_card(seed, expired=seed % 3 == 0)
    back = np.asarray(FAMILY.render_back(card, random.Random(seed), k).convert("L"))
    crop = back[round(38.0 * k) :]
    assert np.median(crop) > 235  # the band is clear
    runs = ink_runs(crop)
    assert len(runs) == 3
    for a, z in runs:
        assert 1.8 <= (z - a) / k <= 3.5  # OCR-B character height, mm
        cols = np.where((crop[a:z] < 110).any(axis=0))[0]
        assert 70.0 <= (cols[-1] - cols[0]) / k <= 80.0  # 30 characters span the card
    pitches = [(runs[i + 1][0] - runs[i][0]) / k for i in range(2)]
    assert all(3.8 <= p <= 4.8 for p in pitches)


@pytest.mark.parametrize("seed", range(12))
def test_td1_lines_of_the_record_hold_their_check_digits(seed):
    card = make_card(seed, expired=seed % 4 == 0)
    lines = card.mrz_lines
    assert [len(line) for line in lines] == [30, 30, 30]
    assert lines[0].startswith("IDMEX")
    assert lines[1][7] == card.sexo and lines[1][15:18] == "MEX"  # H/M, not ICAO (facts doc)
    assert lines[1][8:14] == card.expiry.strftime("%y%m%d")
    assert td1_errors(lines) == []


def test_a_broken_check_digit_is_caught_and_still_drawn():
    card = make_card(5)
    bad = card.mrz_lines[1][:6] + str((int(card.mrz_lines[1][6]) + 1) % 10) + card.mrz_lines[1][7:]
    card.mrz_lines = [card.mrz_lines[0], bad, card.mrz_lines[2]]
    assert td1_errors(card.mrz_lines) == ["birth", "composite"]
    before = copy.deepcopy(card)
    FAMILY.render_back(card, random.Random(0), 12.0)
    FAMILY.render_front(card, portrait(5), random.Random(0), 12.0)
    assert card == before  # drawn as given, never corrected


def test_a_hidden_domicilio_prints_less_in_the_data_area():
    k = 12.0
    card = make_card(7)
    shown = dataclasses.replace(card, domicilio_visible=True)
    hidden = dataclasses.replace(card, domicilio_visible=False)

    def data_ink(c: ids.IdCard) -> int:
        img = np.asarray(FAMILY.render_front(c, portrait(7), random.Random(11), k).convert("L"))
        return int((img[round(12 * k) : round(48 * k), round(29 * k) :] < 90).sum())

    assert data_ink(shown) > data_ink(hidden) * 1.15


def test_same_seed_same_card_and_models_by_issue_year():
    card = make_card(9)
    a = FAMILY.render_front(card, portrait(9), random.Random(4), 12.0)
    b = FAMILY.render_front(card, portrait(9), random.Random(4), 12.0)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    old = dataclasses.replace(card, issued=dt.date(2016, 6, 1))
    new = dataclasses.replace(card, issued=dt.date(2022, 6, 1))
    back_old = FAMILY.render_back(old, random.Random(4), 12.0)
    back_new = FAMILY.render_back(new, random.Random(4), 12.0)
    assert not np.array_equal(np.asarray(back_old), np.asarray(back_new))
