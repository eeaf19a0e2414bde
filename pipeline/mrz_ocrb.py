"""A template reader for MRZ lines: the MRZ is printed in OCR-B at a fixed pitch, so a band crop
can be cut into character cells and each cell matched against rendered OCR-B glyphs.

It complements Tesseract where Tesseract is weakest: small, blurred, low-contrast phone photos
of the zone (characters of 8-15 px). Pure OpenCV/numpy; the glyphs are rendered once from the
installed OCR-B font (Debian ``fonts-ocr-b``; path overridable with ``$LLAVE_OCRB_FONT``). Without
the font the reader is unavailable and :func:`read_lines` returns nothing.

>>> import numpy as np
>>> read_lines(np.full((40, 300), 255, np.uint8))
[]
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
FONT_PATHS = (
    "/usr/share/fonts/opentype/ocr-b/OCRB.otf",
    "/usr/share/fonts/truetype/ocr-b/OCRB.ttf",
    "/usr/share/fonts/opentype/ocrb/OCRB.otf",
)
#: character classes of MRZ positions (ICAO 9303): letter, digit, check digit or filler, sex,
#: sex on an ID card (the Mexican voter card prints H/M, not ICAO's M/F), name or code (letters
#: and fillers), free (any)
_CLASSES = {
    "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "N": "0123456789",
    "D": "0123456789<",
    "S": "MFX<",
    "T": "MFHX<",
    "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZ<",
}
#: what each position of each line may hold, by (line length, line count): TD3, TD2, TD1
_LAYOUTS = {
    (44, 2): ("A" + "L" * 43, "X" * 9 + "N" + "LLL" + "N" * 7 + "S" + "N" * 7 + "X" * 14 + "DN"),
    (36, 2): ("A" + "L" * 35, "X" * 9 + "N" + "LLL" + "N" * 7 + "S" + "N" * 7 + "X" * 7 + "N"),
    (30, 3): (
        "A" + "L" * 4 + "X" * 9 + "D" + "X" * 15,
        "N" * 7 + "T" + "N" * 7 + "LLL" + "X" * 11 + "N",
        "L" * 30,
    ),
}
#: glyph geometry of OCR-B as fractions of the em: top of digits, baseline, advance
_TOP, _BASE, _ADVANCE = 0.17, 0.96, 0.723
_RENDER_SIZE = 120
_LINE_LENGTHS = (44, 36, 30)
#: character height at which cells are classified
_CELL_HEIGHT = 28
#: character height at which the character positions are found
_POSITION_HEIGHT = 16
#: character pitch / measured line height of an MRZ photographed square on (median, measured)
_PITCH_RATIO = 0.95
_MISFIT_MARGIN = 0.1
_Row = tuple[int, int, tuple[int, int]]
#: ink blobs taller than this many median blob heights are not characters
_MAX_BLOB_HEIGHT = 2.2
#: mean glyph correlation below which a line is not OCR-B text
_MIN_FIT = 0.35


def font_path() -> Path | None:
    """The OCR-B font file, or None when it is not installed."""
    env = os.environ.get("LLAVE_OCRB_FONT")
    for candidate in ((env,) if env else ()) + FONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


@functools.lru_cache(maxsize=1)
def _glyphs() -> dict[str, np.ndarray] | None:
    """Each MRZ character rendered black on white in its advance cell, float32 (cached)."""
    path = font_path()
    if path is None:
        return None
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(path), _RENDER_SIZE)
    width = round(_ADVANCE * _RENDER_SIZE)
    height = round((_BASE - _TOP) * _RENDER_SIZE)
    glyphs = {}
    for char in ALPHABET:
        canvas = Image.new("L", (width, height), 255)
        ImageDraw.Draw(canvas).text((0, -_TOP * _RENDER_SIZE), char, font=font, fill=0)
        glyphs[char] = np.asarray(canvas, dtype=np.float32)
    return glyphs


def available() -> bool:
    """True when the OCR-B font is installed."""
    return _glyphs() is not None


def _normalise(grey: np.ndarray, text_px: float = 30.0) -> np.ndarray:
    """Local min-max normalisation: paper -> 255, ink -> 0 everywhere, however uneven the light
    and however faded the print (windows of about two characters)."""
    size = int(2 * text_px) | 1
    kernel = np.ones((size, size), np.uint8)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    paper = _smooth(cv2.dilate(grey, kernel), size / 3)
    ink = _smooth(cv2.erode(grey, kernel), size / 3)
    contrast = paper - ink
    flat = (grey.astype(np.float32) - ink) / np.maximum(contrast, 1.0)
    flat[contrast < 20] = 1.0  # no ink nearby: paper
    return np.clip(flat * 255.0, 0, 255).astype(np.uint8)


def _smooth(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a uint8 image with a large ``sigma`` (kernel cut at 3 sigma), as float32:
    computed on a copy 4x smaller and scaled back (the result is smooth at that scale anyway)."""
    h, w = image.shape
    if sigma < 8 or min(h, w) < 16:
        return cv2.GaussianBlur(image, (0, 0), sigma).astype(np.float32)
    small = cv2.resize(image, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (0, 0), sigma / 4).astype(np.float32)
    return cv2.resize(blurred, (w, h), interpolation=cv2.INTER_LINEAR)


def _drop_border_blobs(ink: np.ndarray) -> np.ndarray:
    """Remove ink blobs touching the crop's edge (the background around a card, shadows: the
    crop leaves a margin around the text) and blobs much taller than the characters (card
    edges, photos, patterns): MRZ characters all have one height."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return ink
    h, w = ink.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    bw, bh = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    drop = (x == 0) | (y == 0) | (x + bw >= w) | (y + bh >= h)
    drop[0] = True  # the background label
    glyph_sized = bh[~drop & (bh >= 8)]
    if glyph_sized.size >= 10:
        drop |= bh > _MAX_BLOB_HEIGHT * float(np.median(glyph_sized))
    keep = np.where(drop, 0, 1).astype(np.uint8)
    return keep[labels]


def _segments(profile: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Runs where ``profile`` exceeds ``threshold``: [(start, end), ...]."""
    above = np.concatenate(([False], profile > threshold, [False]))
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _shear(image: np.ndarray, s: float, value: int) -> np.ndarray:
    h, w = image.shape
    matrix = np.array([[1, s, -s * h / 2], [0, 1, 0]], dtype=np.float32)
    return cv2.warpAffine(
        image,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=value,
    )


def _deshear(norm: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undo slant (camera shear or oblique print): the shear that makes the column profile of
    the ink sharpest (vertical strokes stacked) is the one that makes glyphs upright."""
    best, best_score = 0.0, -1.0
    strokes = ink * 255
    for s in np.linspace(-0.35, 0.35, 15):
        profile = _shear(strokes, float(s), 0).sum(axis=0, dtype=np.float64)
        score = float((profile**2).sum())
        if score > best_score:
            best, best_score = float(s), score
    if best == 0.0:
        return norm, ink
    return _shear(norm, best, 255), (_shear(strokes, best, 0) > 127).astype(np.uint8)


def _text_rows(ink: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges of the text lines in a binarised band (ink = 1), from the central columns
    (the crop's sides may hold card edges and shadows)."""
    w = ink.shape[1]
    central = ink[:, w // 5 : w - w // 5]
    profile = cv2.GaussianBlur(central.sum(axis=1).astype(np.float32).reshape(-1, 1), (1, 5), 0)
    profile = profile.ravel()
    if profile.max() <= 0:
        return []
    rows = _segments(profile, 0.2 * profile.max())
    tallest = max(b - a for a, b in rows)
    return [(a, b) for a, b in rows if b - a >= 0.45 * tallest]


def _widen_rows(profile: np.ndarray, top: int, bottom: int) -> tuple[int, int]:
    """Extend a line's rows while the profile stays above 5% of the peak (serifs, bars)."""
    floor = 0.05 * profile[top:bottom].max()
    while top > 0 and profile[top - 1] > floor:
        top -= 1
    while bottom < len(profile) and profile[bottom] > floor:
        bottom += 1
    return top, bottom


def _ink_extent(ink_line: np.ndarray) -> tuple[int, int] | None:
    """First and last ink columns of a text line: the widest cluster of inked columns, where a
    gap of more than ~1.5 character heights separates clusters (every MRZ position holds ink)."""
    cols = ink_line.sum(axis=0) > max(1, ink_line.shape[0] // 8)
    runs = _segments(cols.astype(np.float32), 0.5)
    if not runs:
        return None
    gap_limit = 1.5 * ink_line.shape[0]
    clusters = [list(runs[0])]
    for a, b in runs[1:]:
        if a - clusters[-1][1] < gap_limit:
            clusters[-1][1] = b
        else:
            clusters.append([a, b])
    left, right = max(clusters, key=lambda c: c[1] - c[0])
    return left, right


def _score_map(
    norm: np.ndarray, top: int, bottom: int, pitch: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """For every x of the line strip: the best glyph correlation and which glyph, and the
    template width. One matchTemplate per glyph over the whole strip."""
    glyphs = _glyphs()
    assert glyphs is not None
    height = bottom - top
    tw, th = max(4, round(pitch)), max(6, height)
    pad_y = max(2, height // 4)
    y0, y1 = max(0, top - pad_y), min(norm.shape[0], bottom + pad_y)
    strip: np.ndarray = norm[y0:y1].astype(np.float32)
    if strip.shape[0] < th:
        strip = cv2.copyMakeBorder(strip, 0, th - strip.shape[0], 0, 0, cv2.BORDER_REPLICATE)
    strip = cv2.copyMakeBorder(strip, 0, 0, 0, tw, cv2.BORDER_REPLICATE)
    scores = []
    for template in _templates(tw, th):
        result = cv2.matchTemplate(strip, template, cv2.TM_CCOEFF_NORMED)
        scores.append(result.max(axis=0))
    stacked = np.nan_to_num(np.stack(scores), nan=-1.0)
    return stacked.max(axis=0), stacked.argmax(axis=0), tw


@functools.lru_cache(maxsize=16)
def _templates(width: int, height: int) -> tuple[np.ndarray, ...]:
    """Every glyph resized to ``width`` x ``height``, in ``ALPHABET`` order (read-only)."""
    glyphs = _glyphs()
    assert glyphs is not None
    resized = tuple(
        cv2.resize(glyph, (width, height), interpolation=cv2.INTER_AREA)
        for glyph in glyphs.values()
    )
    for template in resized:
        template.flags.writeable = False
    return resized


def _best_positions(
    best: np.ndarray, x0: float, x1: float, n: int, pitch: float
) -> tuple[list[int], float]:
    """Viterbi over character positions: n positions starting near x0, ending near x1, spaced
    by the pitch within +-20%, maximising the summed glyph correlation."""
    width = len(best)
    lo, hi = max(1, int(pitch * 0.8)), max(2, int(np.ceil(pitch * 1.2)))
    neg = -1e9
    total = np.full(width, neg)
    start_lo, start_hi = max(0, int(x0 - pitch / 2)), min(width, int(x0 + pitch / 2) + 1)
    total[start_lo:start_hi] = best[start_lo:start_hi]
    back = np.zeros((n, width), np.int32)
    steps = np.arange(lo, hi + 1)
    shifted = np.full((len(steps), width), neg)
    columns = np.arange(width)
    for k in range(1, n):
        for row, step in enumerate(steps):
            shifted[row, step:] = total[: max(0, width - step)]
        # the first (shortest) step of the best, as long as it beats "unreachable"
        pick = shifted.argmax(axis=0)
        came = shifted[pick, columns]
        reached = came > neg
        total = np.where(reached, came, neg) + best
        back[k] = np.where(reached, steps[pick], 0)
    end = x1 - pitch
    total = np.where(np.abs(columns - end) <= pitch / 2 + 1, total, neg)
    x = int(total.argmax())
    score = float(total[x])
    positions = [x]
    for k in range(n - 1, 0, -1):
        x -= int(back[k][x])
        positions.append(x)
    return positions[::-1], score


def _classify_line(
    norm: np.ndarray, top: int, bottom: int, xs: list[int], pitch: float, layout: str = ""
) -> str:
    """The glyphs that best match the cells at ``xs`` of one line, each glyph at its best scale,
    blur and offset of up to 2 px (so every glyph gets the same freedom). Normalised
    cross-correlation of every shifted patch of every cell with every template of one size, as
    one matrix product per template size. With a ``layout`` (one class letter of
    :data:`_CLASSES` per cell), each cell takes the best glyph of its class."""
    height = bottom - top
    n, pad = len(xs), 2
    scores = np.full((n, len(ALPHABET)), -2.0, np.float32)
    for (th, tw), (_, bank) in _variants(round(pitch), height).items():
        y0 = top + (height - th) // 2 - pad
        shifted = _shifted_patches(norm, y0, np.asarray(xs) - pad, (th, tw), pad)
        patches = shifted.reshape(-1, th * tw)
        patches -= patches.mean(axis=1, keepdims=True)
        patches /= np.linalg.norm(patches, axis=1, keepdims=True) + 1e-6
        products = np.asarray(cv2.gemm(patches, bank, 1.0, None, 0.0, flags=cv2.GEMM_2_T))  # type: ignore[call-overload]
        best = products.reshape(*shifted.shape[:3], -1).max(axis=(0, 2))  # (n, rows)
        np.maximum(scores, best.reshape(n, len(ALPHABET), -1).max(axis=2), out=scores)
    if len(layout) == n:
        scores[~_class_mask(layout)] = -3.0
    return "".join(ALPHABET[i] for i in scores.argmax(axis=1))


def _class_mask(layout: str) -> np.ndarray:
    """(cells, ALPHABET) booleans: which characters each position of ``layout`` may hold.

    >>> _class_mask("AN<").sum(axis=1).tolist()
    [26, 10, 37]
    """
    return np.array([[c in _CLASSES.get(k, ALPHABET) for c in ALPHABET] for k in layout])


def _shifted_patches(
    image: np.ndarray, y: int, xs: np.ndarray, size: tuple[int, int], pad: int
) -> np.ndarray:
    """Every (th, tw) patch at (y + dy, x + dx) for each x in ``xs`` and dy, dx in 0..2*pad, as
    a new float32 array (dy, x, dx, th * tw); edge-replicated where they leave the image."""
    th, tw = size
    h, w = th + 2 * pad, tw + 2 * pad
    x_lo, x_hi = int(xs.min()), int(xs.max()) + w
    strip = _window(image, y, x_lo, h, x_hi - x_lo)
    views = np.lib.stride_tricks.sliding_window_view(strip, (th, tw))  # (dy, x, th, tw)
    cols = (xs - x_lo)[:, None] + np.arange(2 * pad + 1)[None, :]  # (n, dx)
    picked = views[:, cols]  # (dy, n, dx, th, tw), a copy
    return picked.reshape(*picked.shape[:3], th * tw)


def _window(image: np.ndarray, y: int, x: int, h: int, w: int) -> np.ndarray:
    """A float32 sub-image, padded by edge replication where it leaves the image."""
    top, left = max(0, -y), max(0, -x)
    bottom = max(0, y + h - image.shape[0])
    right = max(0, x + w - image.shape[1])
    crop = image[max(0, y) : y + h, max(0, x) : x + w]
    if top or left or bottom or right:
        crop = cv2.copyMakeBorder(crop, top, bottom, left, right, cv2.BORDER_REPLICATE)
    return crop.astype(np.float32)


@functools.lru_cache(maxsize=16)
def _variants(width: int, height: int) -> dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]:
    """Template banks by size (th, tw): each glyph at three heights, sharp and blurred,
    zero-mean and unit-norm float32 rows, with the index of the glyph of each row (rows grouped
    by glyph, in ``ALPHABET`` order)."""
    glyphs = _glyphs()
    assert glyphs is not None
    sizes = dict.fromkeys((max(4, width), max(6, round(height * s))) for s in (0.9, 1.0, 1.1))
    sigma = max(0.8, height / 14)
    banks = {}
    for size in sizes:
        rows = []
        for glyph in glyphs.values():
            template = cv2.resize(glyph, size, interpolation=cv2.INTER_AREA)
            rows += [template.ravel(), cv2.GaussianBlur(template, (0, 0), sigma).ravel()]
        bank = np.stack(rows).astype(np.float32)
        bank -= bank.mean(axis=1, keepdims=True)
        bank /= np.linalg.norm(bank, axis=1, keepdims=True) + 1e-6
        chars = np.repeat(np.arange(len(glyphs)), 2)
        banks[(size[1], size[0])] = (chars, bank)
    return banks


def _read_line(coarse: _Scaled, cells: _Scaled, row: _Row, n: int, layout: str = "") -> str | None:
    """Read the ``n`` characters of a text line (rows a-b, columns x0-x1 of the band): glyph
    correlation at every x and the best evenly spaced sequence of positions on the ``coarse``
    copy of the band, then each cell classified with scale and blur freedom on the ``cells``
    copy. None when the glyphs fit poorly (not OCR-B text)."""
    top, bottom, (x0, x1) = row
    pitch = (x1 - x0) / (n - 0.15)
    g = coarse.factor
    best, _, _ = _score_map(coarse.image, round(top * g), round(bottom * g), pitch * g)
    positions, total = _best_positions(best, x0 * g, x1 * g, n, pitch * g)
    if total / n < _MIN_FIT:
        return None
    f = cells.factor
    xs = [round(x / g * f) for x in positions]
    return _classify_line(cells.image, round(top * f), round(bottom * f), xs, pitch * f, layout)


@dataclass(frozen=True)
class _Scaled:
    """A copy of the band scaled by ``factor`` (at most 1)."""

    image: np.ndarray
    factor: float


def _scaled(image: np.ndarray, factor: float) -> _Scaled:
    if factor >= 1:
        return _Scaled(image, 1.0)
    small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return _Scaled(small, factor)


def read_lines(grey_band: np.ndarray) -> list[list[str]]:
    """Candidate readings of the MRZ lines in a deskewed band crop, one list of lines per
    plausible line length (44, 36, 30 characters). Empty when the font is missing or no set of
    text lines of equal width and OCR-B proportions is found."""
    return list(iter_readings(grey_band))


def iter_readings(grey_band: np.ndarray) -> Iterator[list[str]]:
    """:func:`read_lines`, lazily: a caller can stop at the first reading that validates."""
    if _glyphs() is None or grey_band.ndim != 2 or min(grey_band.shape) < 8:
        return
    norm = _normalise(grey_band)
    _, ink = cv2.threshold(norm, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = _drop_border_blobs(ink)
    norm, ink = _deshear(norm, ink)
    rows = [(a, b, _ink_extent(ink[a:b])) for a, b in _text_rows(ink)]
    measured = _common_extent([(a, b, e) for a, b, e in rows if e is not None])
    if not 2 <= len(measured) <= 4:
        return
    line_px = max(1.0, float(np.median([b - a for a, b, _ in measured])))
    coarse, cells = _scaled(norm, _POSITION_HEIGHT / line_px), _scaled(norm, _CELL_HEIGHT / line_px)
    for n, fitting in _line_length_candidates(measured):
        layouts = _LAYOUTS.get((n, len(fitting)), ("",) * len(fitting))
        pairs = zip(fitting, layouts, strict=True)
        lines = [_read_line(coarse, cells, row, n, layout) for row, layout in pairs]
        if all(line is not None for line in lines):
            yield [line for line in lines if line is not None]


def _line_length_candidates(rows: list[_Row]) -> list[tuple[int, list[_Row]]]:
    """The line lengths (44, 36, 30) the rows could hold, with the rows that fit each (at least
    two of about equal width), most likely first: the pitch closest to OCR-B's (about
    _PITCH_RATIO times the measured line height). Lengths fitting clearly worse than the best
    (by more than _MISFIT_MARGIN in log ratio; consecutive lengths differ by ~0.2) are left out."""
    candidates = []
    for n in _LINE_LENGTHS:
        fitting = [(a, b, e) for a, b, e in rows if _fits_pitch(e[1] - e[0], b - a, n)]
        widths = [e[1] - e[0] for _, _, e in fitting]
        if len(fitting) >= 2 and min(widths) >= 0.85 * max(widths):
            candidates.append((n, fitting))

    def misfit(candidate: tuple[int, list[_Row]]) -> float:
        n, fitting = candidate
        ratios = [(e[1] - e[0]) / (n - 0.15) / max(b - a, 1) for a, b, e in fitting]
        return abs(float(np.log(np.median(ratios) / _PITCH_RATIO)))

    ranked = sorted(candidates, key=misfit)
    return [c for c in ranked if misfit(c) <= misfit(ranked[0]) + _MISFIT_MARGIN]


def _fits_pitch(width: int, height: int, n: int) -> bool:
    """Could a line ``width`` wide and ``height`` tall hold ``n`` OCR-B characters? (Pitch and
    height are about equal; up to 1.9 when the document was photographed at a slant.)"""
    return 0.72 <= width / (n - 0.15) / max(height, 1) <= 2.4


def _common_extent(rows: list[_Row]) -> list[_Row]:
    """MRZ lines are left-aligned and equally long: rows starting where the widest row starts
    share its extent (a faded end of one line does not shorten it)."""
    if not rows:
        return rows
    widest = max(rows, key=lambda r: r[2][1] - r[2][0])
    x0, x1 = widest[2]
    tolerance = 0.04 * (x1 - x0)
    return [
        (a, b, (min(e[0], x0), max(e[1], x1)) if abs(e[0] - x0) <= tolerance else e)
        for a, b, e in rows
    ]
