"""Reading the MRZ from images: rendered OCR-B zones (rotated, blurred, on a busy page) and, when
the shared real photos are present, the ground-truth document."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest

from pipeline import mrz_ocrb
from pipeline.engines.tesseract import OcrEngine
from pipeline.mrz import compose_td1, compose_td3
from pipeline.mrz_image import read_mrz

TODAY = dt.date(2026, 11, 22)
SHARED_MRZ = Path(__file__).resolve().parents[2] / "shared" / "data" / "mrz" / "docsaid"
needs_font = pytest.mark.skipif(not mrz_ocrb.available(), reason="OCR-B font not installed")


@pytest.fixture(scope="module")
def ocr() -> OcrEngine:
    engine = OcrEngine()
    engine.check()
    return engine


def _document(lines: list[str], angle: float = 0.0, blur: float = 0.0) -> np.ndarray:
    """A light page with some printed text and the MRZ lines in OCR-B near the bottom."""
    from PIL import Image, ImageDraw, ImageFont

    path = mrz_ocrb.font_path()
    assert path is not None
    font = ImageFont.truetype(str(path), 34)
    text_font = ImageFont.truetype("DejaVuSans.ttf", 26) if _has_dejavu() else font
    page = Image.new("RGB", (1300, 820), (236, 240, 228))
    draw = ImageDraw.Draw(page)
    for i, words in enumerate(["PASAPORTE / PASSPORT", "APELLIDOS / SURNAME", "NOMBRES / GIVEN"]):
        draw.text((420, 60 + 70 * i), words, font=text_font, fill=(40, 40, 60))
    draw.rectangle((60, 60, 360, 420), outline=(90, 90, 90), width=4)
    top = 820 - 70 * len(lines) - 60
    for i, line in enumerate(lines):
        draw.text((60, top + 70 * i), line, font=font, fill=(20, 20, 20))
    image = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    if angle:
        rotation = cv2.getRotationMatrix2D((650, 410), angle, 1.0)
        image = cv2.warpAffine(image, rotation, (1300, 820), borderValue=(120, 110, 100))
    if blur:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return image


def _has_dejavu() -> bool:
    from PIL import ImageFont

    try:
        ImageFont.truetype("DejaVuSans.ttf", 10)
    except OSError:
        return False
    return True


TD3 = compose_td3(
    "P", "MEX", "HERNANDEZ LOPEZ", "MARIA JOSE", "G12305678", "MEX", "900517", "F", "310516",
    "HELM900517MDF",
)  # fmt: skip
INE = compose_td1(
    "ID", "MEX", "123456789", "1234567890123", "900315", "H", "301231", "MEX",
    "PEREZ GOMEZ", "JUAN CARLOS",
)  # fmt: skip


@needs_font
@pytest.mark.parametrize(("lines", "angle", "blur"), [(TD3, 0, 0), (TD3, 3, 1.2), (INE, -2, 0.8)])
def test_rendered_zone_is_read_exactly(ocr, lines, angle, blur) -> None:
    result = read_mrz(_document(lines, angle, blur), ocr, today=TODAY)
    assert result is not None and result.valid, result and result.lines
    assert result.lines == lines
    assert result.method


def test_no_zone_gives_none(ocr) -> None:
    blank = np.full((400, 600, 3), 235, np.uint8)
    cv2.putText(blank, "HOLA", (50, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 3)
    assert read_mrz(blank, ocr, today=TODAY) is None
    assert read_mrz(np.zeros((0, 0), np.uint8), ocr) is None


@pytest.mark.skipif(not SHARED_MRZ.is_dir(), reason="shared MRZ photos not present")
def test_ground_truth_photo_is_read_exactly(ocr) -> None:
    with (SHARED_MRZ / "mrz_ground_truth.csv").open(newline="") as fh:
        truth = {row["file"]: [row["line1"], row["line2"]] for row in csv.DictReader(fh)}
    image = cv2.imread(str(SHARED_MRZ / "docs" / "img1.jpg"))
    result = read_mrz(image, ocr, today=TODAY)
    assert result is not None and result.valid
    assert result.lines == truth["docs/img1.jpg"]


@needs_font
def test_template_reader_reads_a_clean_band() -> None:
    from PIL import Image, ImageDraw, ImageFont

    path = mrz_ocrb.font_path()
    assert path is not None
    font = ImageFont.truetype(str(path), 40)
    band = Image.new("L", (1400, 150), 235)
    for i, line in enumerate(TD3):
        ImageDraw.Draw(band).text((40, 20 + 60 * i), line, font=font, fill=25)
    readings = mrz_ocrb.read_lines(np.asarray(band))
    assert TD3 in readings


def _classify_cell_reference(norm, top, bottom, x, pitch) -> str:
    """The template classifier one cell at a time (the reader's former per-cell loop): every
    template size, every offset of up to 2 px, normalised cross-correlation."""
    height = bottom - top
    scores = np.full(len(mrz_ocrb.ALPHABET), -2.0)
    for (th, tw), (chars, bank) in mrz_ocrb._variants(round(pitch), height).items():
        y0 = top + (height - th) // 2 - 2
        window = mrz_ocrb._window(norm, y0, x - 2, th + 4, tw + 4)
        views = np.lib.stride_tricks.sliding_window_view(window, (th, tw)).reshape(-1, th * tw)
        centred = views - views.mean(axis=1, keepdims=True)
        patches = centred / (np.linalg.norm(centred, axis=1, keepdims=True) + 1e-6)
        np.maximum.at(scores, chars, (patches.astype(np.float32) @ bank.T).max(axis=0))
    return mrz_ocrb.ALPHABET[int(scores.argmax())]


@needs_font
def test_line_classifier_agrees_with_the_per_cell_one(monkeypatch) -> None:
    from PIL import Image, ImageDraw, ImageFont

    path = mrz_ocrb.font_path()
    assert path is not None
    band = Image.new("L", (1200, 190), 230)
    for i, line in enumerate(INE):
        ImageDraw.Draw(band).text((30, 15 + 55 * i), line, font=ImageFont.truetype(str(path), 36))
    grey = cv2.GaussianBlur(np.asarray(band), (0, 0), 1.0)
    calls, line_classifier = [], mrz_ocrb._classify_line

    def spy(norm, top, bottom, xs, pitch, layout=""):
        calls.append((norm, top, bottom, xs, pitch, line_classifier(norm, top, bottom, xs, pitch)))
        return line_classifier(norm, top, bottom, xs, pitch, layout)

    monkeypatch.setattr(mrz_ocrb, "_classify_line", spy)
    assert INE in mrz_ocrb.read_lines(grey)
    assert calls
    for norm, top, bottom, xs, pitch, read in calls:
        per_cell = "".join(_classify_cell_reference(norm, top, bottom, x, pitch) for x in xs)
        assert read == per_cell


@needs_font
def test_layout_makes_each_position_take_a_glyph_of_its_class() -> None:
    """A blurred 0 may look most like O; in a digit position of the layout it is read as 0."""
    from PIL import Image, ImageDraw, ImageFont

    path = mrz_ocrb.font_path()
    assert path is not None
    cell = 26
    band = Image.new("L", (40 + 4 * cell, 60), 235)
    ImageDraw.Draw(band).text((20, 12), "O0O0", font=ImageFont.truetype(str(path), 36), fill=25)
    norm = mrz_ocrb._normalise(np.asarray(band))
    xs = [20 + cell * i for i in range(4)]
    top, bottom = 12 + round(0.17 * 36), 12 + round(0.96 * 36)  # cap top and baseline
    free = mrz_ocrb._classify_line(norm, top, bottom, xs, cell)
    assert free == "O0O0"
    assert mrz_ocrb._classify_line(norm, top, bottom, xs, cell, "NNAA") == "00OO"
    assert mrz_ocrb._classify_line(norm, top, bottom, xs, cell, "NN") == free  # ignored


def test_layouts_match_the_icao_line_lengths() -> None:
    for (length, count), lines in mrz_ocrb._LAYOUTS.items():
        assert len(lines) == count
        assert all(len(line) == length for line in lines)


def _best_positions_reference(best, x0, x1, n, pitch):  # type: ignore[no-untyped-def]
    """The position Viterbi step by step (one pitch step at a time, the first best kept)."""
    width, neg = len(best), -1e9
    lo, hi = max(1, int(pitch * 0.8)), max(2, int(np.ceil(pitch * 1.2)))
    total = np.full(width, neg)
    start_lo, start_hi = max(0, int(x0 - pitch / 2)), min(width, int(x0 + pitch / 2) + 1)
    total[start_lo:start_hi] = best[start_lo:start_hi]
    back = np.zeros((n, width), np.int32)
    for k in range(1, n):
        new, arg = np.full(width, neg), np.zeros(width, np.int32)
        for step in range(lo, hi + 1):
            shifted = np.full(width, neg)
            shifted[step:] = total[:-step]
            better = shifted > new
            new[better], arg[better] = shifted[better], step
        total, back[k] = new + best, arg
    total = np.where(np.abs(np.arange(width) - (x1 - pitch)) <= pitch / 2 + 1, total, neg)
    x = int(total.argmax())
    score, positions = float(total[x]), [x]
    for k in range(n - 1, 0, -1):
        x -= int(back[k][x])
        positions.append(x)
    return positions[::-1], score


def test_position_viterbi_matches_the_step_by_step_one() -> None:
    """Same positions and score, ties (rounded scores) and pitches wider than the strip included."""
    rng = np.random.default_rng(7)
    for trial in range(200):
        width, n = int(rng.integers(5, 300)), int(rng.integers(1, 45))
        pitch = float(rng.uniform(2, 25))
        best = rng.uniform(-1, 1, width).astype(np.float32)
        if trial % 2:
            best = np.round(best, 1)
        x0 = float(rng.uniform(0, width))
        x1 = float(rng.uniform(x0, width + 10))
        expected = _best_positions_reference(best, x0, x1, n, pitch)
        assert mrz_ocrb._best_positions(best, x0, x1, n, pitch) == expected
