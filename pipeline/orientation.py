"""Turn a straightened document upright and read it: the OCR words of a page.

::

    page = read_page(photo, ocr, "card")    # located, straightened, turned upright, read
    page = upright(page, ocr, "card")       # 90/180/270° turns fixed by OCR confidence

The direction of the text lines is measured first without OCR (:func:`text_layout`: glyph-like
marks and their nearest neighbours), so usually only one turn is OCR'd (:func:`read_words`);
the turn whose words Tesseract reads with the highest confidence wins. Small print is read again
enlarged (:func:`enlarge_small_text`), large print on a shrunk copy (:func:`read_scale`). The
page itself (:class:`~pipeline.document.Page`), its outline and perspective are
:mod:`pipeline.document`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

from pipeline import ocr_prep
from pipeline.document import (
    OutlineSearch,
    Page,
    Shape,
    canonical_size,
    locate,
    rotate,
    to_grey,
)
from pipeline.engines.tesseract import OcrEngine
from pipeline.text_lines import WordLike

#: how an image is prepared for Tesseract: local contrast equalisation (security-print
#: textures and shading fade, print stays), or the background flattened first (shadows and
#: tinted paper go: a second reading of a page whose first one missed fields)
Prep = Literal["clahe", "flatten"]

#: median word height (px) below which a page is OCR'd again enlarged, and the target
SMALL_TEXT_PX = 13
TARGET_TEXT_PX = 26.0
MAX_ENLARGE = 2.2
#: fewer words than this on a located document: try the whole photo as well
FALLBACK_MIN_WORDS = 8

_ALNUM = re.compile(r"[A-Za-z0-9ÁÉÍÓÚÑáéíóúñ]")


def read_words(
    ocr: OcrEngine, image: np.ndarray, psm: int = 11, scale: float = 1.0, prep: Prep = "clahe"
) -> tuple[WordLike, ...]:
    """OCR ``image`` (grey, Spanish) and keep the words holding a letter or digit.

    With ``scale`` != 1 a resized copy is read and the boxes are mapped back to ``image``.
    """
    grey = to_grey(image)
    if scale != 1.0:
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=interp)
    if prep == "flatten":
        grey = ocr_prep.flatten_background(grey)
    prepared = ocr_prep.normalise_contrast(grey)
    result = ocr.data(prepared, lang="spa", psm=psm)
    words = tuple(w for w in result.words if _ALNUM.search(w.text))
    return words if scale == 1.0 else tuple(_scaled_box(w, 1 / scale) for w in words)


def _scaled_box(word: WordLike, factor: float) -> WordLike:
    return replace(
        word,
        left=round(word.left * factor),
        top=round(word.top * factor),
        width=max(1, round(word.width * factor)),
        height=max(1, round(word.height * factor)),
    )


def orientation_score(words: tuple[WordLike, ...]) -> float:
    """How plausible a reading is: confident words of real length count (an upside-down
    page yields few, short, unsure "words")."""
    return sum(w.confidence**2 * min(len(w.text), 8) for w in words if len(w.text) >= 2)


@dataclass(frozen=True)
class TextLayout:
    """Glyph-like marks found on an image without OCR, and which way their lines run.

    ``along_rows`` and ``along_columns`` count glyphs whose nearest neighbouring glyph sits
    beside them on a row / above or below them in a column (letters of a line are closer
    to each other than the lines are).
    """

    glyphs: int
    along_rows: int
    along_columns: int
    #: median height (px) of the glyph-like marks (0 when too few were found)
    height: float = 0.0

    @property
    def axis(self) -> Literal["rows", "columns", "unknown"]:
        """``rows``: text lines run left to right (turn 0/180); ``columns``: the page lies
        on its side (turn 90/270); ``unknown``: too few glyphs or no clear majority."""
        if self.glyphs < MIN_GLYPHS:
            return "unknown"
        if self.along_rows >= AXIS_MAJORITY * max(self.along_columns, 1):
            return "rows"
        if self.along_columns >= AXIS_MAJORITY * max(self.along_rows, 1):
            return "columns"
        return "unknown"

    @property
    def legible(self) -> bool:
        """Enough glyph-like marks, enough of them beside a neighbour along a line: print
        that OCR can read (a dark, blurred or blank photo has a few stray marks, seldom in
        lines; on 556 readable generated ID photos at least 46 marks were in lines).

        >>> TextLayout(300, 200, 10).legible, TextLayout(28, 4, 0).legible
        (True, False)
        """
        return self.glyphs >= MIN_GLYPHS and self.along_rows + self.along_columns >= MIN_IN_LINES


#: glyph-like marks below which an image is taken to hold no legible text (a glance suffices)
MIN_GLYPHS = 25
#: glyph-like marks beside a neighbour along a line below which an image is taken to hold
#: no legible text either (noise and texture make scattered marks, print makes lines)
MIN_IN_LINES = 20
#: how many times more glyph neighbours one axis needs to decide the text direction
AXIS_MAJORITY = 2.5
#: glyphs sampled for the nearest-neighbour analysis (cost grows with its square)
AXIS_SAMPLE = 700


def text_layout(grey: np.ndarray) -> TextLayout:
    """Find glyph-like marks (local-threshold connected components of letter size and fill)
    and the direction of the lines they form: a few milliseconds, no OCR."""
    mask = cv2.adaptiveThreshold(
        to_grey(grey), 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 10
    )
    _, _, stats, centres = cv2.connectedComponentsWithStats(mask, connectivity=8)
    w, h, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    fill = area / np.maximum(w * h, 1)
    limit = 0.08 * min(mask.shape[:2])
    keep = (h >= 4) & (w >= 2) & (h <= limit) & (w <= limit) & (fill > 0.12) & (fill < 0.95)
    points = centres[1:][keep]
    sizes = np.maximum(w[keep], h[keep]).astype(np.float64)
    if len(points) < MIN_GLYPHS:
        return TextLayout(int(len(points)), 0, 0)
    height = float(np.median(h[keep]))
    if len(points) > AXIS_SAMPLE:
        pick = np.random.default_rng(0).choice(len(points), AXIS_SAMPLE, replace=False)
        points, sizes = points[pick], sizes[pick]
    rows, columns = _neighbour_directions(points, sizes)
    return TextLayout(int(keep.sum()), rows, columns, height)


def _neighbour_directions(points: np.ndarray, sizes: np.ndarray) -> tuple[int, int]:
    """How many points have their nearest neighbour (closer than two glyph sizes) mostly
    beside them, and how many mostly above or below them."""
    x, y = points[:, 0], points[:, 1]
    across, down = x[:, None] - x[None, :], y[:, None] - y[None, :]  # contiguous: faster
    distance = np.hypot(across, down)
    np.fill_diagonal(distance, np.inf)
    nearest = distance.argmin(axis=1)
    index = np.arange(len(points))
    dx = np.abs(across[index, nearest])
    dy = np.abs(down[index, nearest])
    close = distance[index, nearest] < 2.0 * sizes
    return int(((dx > 2 * dy) & close).sum()), int(((dy > 2 * dx) & close).sum())


def turns_to_try(shape_hw: tuple[int, ...], shape: Shape, layout: TextLayout) -> list[int]:
    """Clockwise turns to OCR, most likely first: the two turns the text direction allows
    when it is clear, else the document shape's guess (cards landscape, pages portrait) and
    its opposite; then the quarter turns (only read when the first two both fail).

    >>> turns_to_try((807, 1280), "card", TextLayout(400, 300, 20))
    [0, 180, 90, 270]
    >>> turns_to_try((807, 1280), "card", TextLayout(400, 20, 300))
    [90, 270, 180, 0]
    >>> turns_to_try((1280, 807), "card", TextLayout(10, 0, 0))
    [90, 270, 180, 0]
    """
    h, w = shape_hw[:2]
    wrong_way = (h > w) if shape == "card" else (w > h * 1.05)
    first = 90 if wrong_way else 0
    if layout.axis == "rows":
        first = 0
    elif layout.axis == "columns":
        first = 90
    return [d % 360 for d in (first, first + 180, first + 90, first + 270)]


def upright(
    page: Page, ocr: OcrEngine, shape: Shape, min_score: float = 0.0, enlarge: bool = False
) -> Page:
    """Fix 90/180/270° turns: keep the turn whose OCR reads best; also returns the words.

    The direction of the text lines is measured first without OCR (:func:`text_layout`), so
    usually only one turn is OCR'd (two when it is upside down). An image without legible
    marks (:attr:`TextLayout.legible`: too dark, blurred or blank) is only glanced at, at half
    size. With ``enlarge``, small print is read enlarged (:func:`enlarge_small_text`) and an
    open passport booklet (a portrait card whose lines run across it) is enlarged before its
    first reading.
    """
    layout = text_layout(page.grey)
    if not layout.legible:
        glance = _glance(page, ocr, shape, layout)
        if not has_confident_words(glance.words):
            return glance
        layout = TextLayout(MIN_GLYPHS, 0, 0)  # marks were missed: read it properly
    if enlarge and _is_booklet(page, shape, layout):
        page = _enlarged(page, BOOKLET_ENLARGE)
    return _best_turn(page, ocr, shape, min_score, enlarge, layout)


#: median glyph height (px) a page is read at: larger print is read on a shrunk copy
#: (Tesseract's time grows with the pixels; on 40 photographed bills, print of 12-14 px
#: read as well as at 16-17 px and 20-30% faster, while 11-12 px lost fields)
READ_GLYPH_PX = 13.5
#: the most a page is shrunk for reading, and the least worth doing
MIN_READ_SCALE = 0.75
MAX_READ_SCALE = 0.92


def read_scale(layout: TextLayout, shape: Shape) -> float:
    """The scale a page is OCR'd at, from its glyph height measured without OCR: 1 unless
    the print is clearly larger than Tesseract needs (cards are always read at 1: their
    security textures make the glyph height unreliable, and their print is small).

    >>> read_scale(TextLayout(500, 400, 20, 17.0), "page")
    0.794
    >>> read_scale(TextLayout(500, 400, 20, 13.0), "page")
    1.0
    >>> read_scale(TextLayout(500, 400, 20, 40.0), "page")
    0.75
    >>> read_scale(TextLayout(500, 400, 20, 17.0), "card")
    1.0
    """
    if shape != "page" or layout.axis != "rows" or layout.height <= 0:
        return 1.0
    scale = READ_GLYPH_PX / layout.height
    return 1.0 if scale > MAX_READ_SCALE else round(max(MIN_READ_SCALE, scale), 3)


def _best_turn(
    page: Page, ocr: OcrEngine, shape: Shape, min_score: float, enlarge: bool, layout: TextLayout
) -> Page:
    best: Page | None = None
    best_score = -1.0
    enlarged_at: set[int] = set()
    scale = read_scale(layout, shape) if page.scale == 1.0 else 1.0
    for count, degrees in enumerate(turns_to_try(page.image.shape, shape, layout)):
        if count == 2 and best is not None and _quarter_turns_needless(best, layout):
            break
        image = rotate(page.image, degrees)
        words = read_words(ocr, image, scale=scale)
        rotation = (page.rotation + degrees) % 360
        turned = replace(page, image=image, rotation=rotation, words=words, read_scale=scale)
        if enlarge and _mean_confidence(words) >= UPRIGHT_MEAN:
            # small print read the right way up: enlarge it before judging this turn
            turned = enlarge_small_text(turned, ocr)
            enlarged_at.add(turned.rotation)
        score = orientation_score(turned.words)
        if score > best_score:
            best, best_score = turned, score
        if _reads_well(turned.words, score, min_score):
            break
    assert best is not None
    if enlarge and best.rotation not in enlarged_at:
        best = enlarge_small_text(best, ocr)
    return best


def _quarter_turns_needless(best: Page, layout: TextLayout) -> bool:
    """After the first two turns: the quarter turns are read only when neither of them read
    the right way up, and, when the glyphs' neighbours clearly gave the lines' direction
    (tilted or faint print reads with low confidence either way up), only when neither
    read even a few confident words along it."""
    if _mean_confidence(best.words) >= UPRIGHT_MEAN:
        return True
    return layout.axis != "unknown" and has_confident_words(best.words)


def _mean_confidence(words: tuple[WordLike, ...]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0


#: mean word confidence of a reading the right way up (upside-down print reads ~0.3-0.45,
#: upright print 0.7-0.9 on the generated and real samples measured)
UPRIGHT_MEAN = 0.65
#: enlargement of an open passport booklet before its first reading (its pages are half the
#: outline, so its print is about half the size of a data page photographed alone): the
#: most :func:`enlarge_small_text` would apply after a first, small reading
BOOKLET_ENLARGE = MAX_ENLARGE


def _glance(page: Page, ocr: OcrEngine, shape: Shape, layout: TextLayout) -> Page:
    """One half-size reading at the shape's likely turn (boxes in full-size pixels)."""
    degrees = turns_to_try(page.image.shape, shape, layout)[0]
    image = rotate(page.image, degrees)
    words = read_words(ocr, image, scale=0.5)
    rotation = (page.rotation + degrees) % 360
    return replace(
        page,
        image=image,
        rotation=rotation,
        words=words,
        read_scale=0.5,
    )


def has_confident_words(words: tuple[WordLike, ...]) -> bool:
    """At least six confident words of three or more characters (real print was read)."""
    return sum(1 for w in words if len(w.text) >= 3 and w.confidence >= 0.6) >= 6


def _is_booklet(page: Page, shape: Shape, layout: TextLayout) -> bool:
    h, w = page.image.shape[:2]
    return shape == "card" and layout.axis == "rows" and h > 1.2 * w and page.scale == 1.0


def _enlarged(page: Page, factor: float) -> Page:
    image = cv2.resize(page.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return replace(page, image=image, scale=page.scale * factor, words=())


def _reads_well(words: tuple[WordLike, ...], score: float, min_score: float) -> bool:
    if len(words) < 6:
        return False
    return _mean_confidence(words) >= UPRIGHT_MEAN and score >= max(min_score, 20.0)


def read_page(
    image: np.ndarray, ocr: OcrEngine, shape: Shape, search: OutlineSearch | None = None
) -> Page:
    """Locate, straighten, turn upright and OCR a document photo (small print enlarged).

    When the located outline reads poorly (a wrong quadrilateral), the whole photo is tried
    too and the better reading kept. ``search``: the photo's
    :func:`~pipeline.document.search_outlines`, when the caller already made it.
    """
    page = upright(locate(image, shape, search), ocr, shape, enlarge=True)
    if page.outline_found and len(page.words) < FALLBACK_MIN_WORDS:
        whole = upright(Page(image=canonical_size(image, shape)), ocr, shape, enlarge=True)
        if orientation_score(whole.words) > orientation_score(page.words):
            page = whole
    return page


def text_height(words: tuple[WordLike, ...]) -> float:
    """Height of the small print: the 30th percentile of word heights (0 when none)."""
    heights = sorted(w.height for w in words if len(w.text) >= 2)
    return float(heights[int(len(heights) * 0.3)]) if heights else 0.0


def enlarge_small_text(page: Page, ocr: OcrEngine) -> Page:
    """Read again, enlarged, a page whose text is too small for Tesseract (e.g. a passport
    booklet photographed open: the data page is half the outline); keep the better reading.

    Only once per page, and only when the first reading found real words: enlarging noise
    (a dark or blurred photo) costs many seconds of OCR and reads nothing.
    """
    height = text_height(page.words)
    if page.scale != 1.0 or page.read_scale < 1.0 or not height or height >= SMALL_TEXT_PX:
        return page  # already enlarged, or read shrunk because its print is large
    if not has_confident_words(page.words):
        return page
    factor = min(MAX_ENLARGE, TARGET_TEXT_PX / height)
    bigger = _enlarged(page, factor)
    words = read_words(ocr, bigger.image)
    if orientation_score(words) > orientation_score(page.words):
        return replace(
            bigger,
            words=words,
            read_scale=1.0,
        )
    return page
