"""Find, straighten, measure and classify a document in a photo or a rendered page.

::

    page = locate(image, shape="card")      # perspective-corrected, canonical size
    page = upright(page, ocr)               # 90/180° turns fixed by OCR confidence
    page.words, page.record                 # the OCR words and a DocumentImage measurement

Steps: the document's outline is searched on a downscaled copy (edges and Otsu masks ->
largest convex quadrilateral), the perspective is corrected at full resolution and the result
scaled to a canonical size for its shape (ID-1 card, passport data page, letter/A4 page). The
text orientation is chosen by OCR: the turn whose words Tesseract reads with the highest
confidence wins (only tried when the first reading is weak, so an upright card costs one call).
Quality (brightness, contrast, sharpness) is measured on the canonical image; the document kind
comes from keywords of that OCR plus the page shape. Nothing here decides "unreadable": the
measurements go into :class:`~models.documents.DocumentImage` and the checks apply the policy.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

import cv2
import numpy as np

from models.documents import DocumentImage, DocumentKind, ImageQuality
from pipeline import ocr_prep
from pipeline.engines.tesseract import OcrEngine, OcrWord

Shape = Literal["card", "page"]

#: how an image is prepared for Tesseract: local contrast equalisation (security-print
#: textures and shading fade, print stays), or the background flattened first (shadows and
#: tinted paper go: a second reading of a page whose first one missed fields)
Prep = Literal["clahe", "flatten"]

#: canonical sizes (width, height) of the straightened document, landscape card / portrait page
CARD_SIZE = (1280, 807)  # ID-1, 85.6 x 54 mm, ~15 px/mm
PASSPORT_ASPECT = 125 / 88
PAGE_WIDTH = 1700  # ~200 dpi for letter/A4 width
#: long side of the copy the outline is searched on
SEARCH_SIDE = 640
#: median word height (px) below which a page is OCR'd again enlarged, and the target
SMALL_TEXT_PX = 13
TARGET_TEXT_PX = 26.0
MAX_ENLARGE = 2.2
#: fewer words than this on a located document: try the whole photo as well
FALLBACK_MIN_WORDS = 8
#: smallest share of the photo a document outline must cover
MIN_OUTLINE_AREA = 0.05


#: a word read by the OCR engine (text, confidence 0-1, box)
WordLike = OcrWord


@dataclass(frozen=True)
class Page:
    """A straightened document image, the OCR words read on it and its measurements."""

    image: np.ndarray = field(repr=False)
    outline_found: bool = False
    rotation: int = 0
    words: tuple[WordLike, ...] = field(default=(), repr=False)
    #: how much ``image`` was enlarged from the canonical size to read small print
    scale: float = 1.0
    #: the scale ``words`` were read at (boxes are in ``image`` pixels whatever it was)
    read_scale: float = 1.0

    @property
    def grey(self) -> np.ndarray:
        """Grey copy of the image."""
        return to_grey(self.image)


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey uint8 view of a grey or BGR image."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


# --- outline and perspective -------------------------------------------------------------


def locate(image: np.ndarray, shape: Shape, search: OutlineSearch | None = None) -> Page:
    """Find the document in ``image``, correct its perspective and scale it to canonical size.

    When no outline is found the whole image is taken as the document (scans, crops, PDFs).
    ``search`` is the photo's :func:`search_outlines` when the caller already made it.
    """
    quad = find_outline(image, shape, search)
    if quad is None:
        return Page(image=canonical_size(image, shape), outline_found=False)
    warped = warp(image, quad)
    return Page(image=canonical_size(warped, shape), outline_found=True)


#: aspect ratios (long/short side) a document outline is expected to have, by shape
ASPECTS: dict[str, tuple[float, ...]] = {
    "card": (85.6 / 54, PASSPORT_ASPECT),
    "page": (11 / 8.5, 297 / 210),
}


def find_outline(
    image: np.ndarray, shape: Shape = "card", search: OutlineSearch | None = None
) -> np.ndarray | None:
    """Corners (4x2 float32, full-resolution pixels) of the most document-like quadrilateral.

    Candidates from every mask are scored by area x fit of their aspect ratio to the
    expected shape; quads hugging the photo's border (background regions) are penalised.
    """
    quad, score = (search or search_outlines(image)).best(shape)
    return quad if score >= 0.04 else None


def likely_shape(image: np.ndarray | OutlineSearch) -> Shape:
    """Whether a photo shows a card (ID) or a page (bill), from its best outline's shape."""
    search = image if isinstance(image, OutlineSearch) else search_outlines(image)
    card = search.best("card")[1]
    page = search.best("page")[1]
    return "card" if card > page else "page"


def scored_outline(image: np.ndarray, shape: Shape) -> tuple[np.ndarray | None, float]:
    """The best quadrilateral for ``shape`` and its score (0 when none)."""
    return search_outlines(image).best(shape)


@dataclass(frozen=True)
class OutlineSearch:
    """The candidate quadrilaterals of one photo, found once on a small copy (the costly
    part: grey conversion, resizing and masks of a 12 MP photo) and scored per shape."""

    quads: tuple[tuple[np.ndarray, float], ...] = field(repr=False)
    #: (height, width) of the small copy, and its scale from the photo
    small_shape: tuple[int, int]
    scale: float

    def best(self, shape: Shape) -> tuple[np.ndarray | None, float]:
        """The best quadrilateral for ``shape`` (full-resolution corners) and its score."""
        total = float(self.small_shape[0] * self.small_shape[1])
        best, best_score = None, 0.0
        for quad, area in self.quads:
            if area < MIN_OUTLINE_AREA * total:
                continue
            fit = aspect_fit(quad, shape) * _border_penalty(quad, self.small_shape)
            score = area / total * fit
            if score > best_score:
                best, best_score = quad, score
        if best is None:
            return None, 0.0
        return (best / self.scale).astype(np.float32), best_score


def search_outlines(image: np.ndarray) -> OutlineSearch:
    """Every candidate document outline of ``image``, for :func:`find_outline` and
    :func:`likely_shape` (make it once per photo when both are needed)."""
    grey = to_grey(image)
    scale = SEARCH_SIDE / max(grey.shape[:2])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    quads = tuple(found for mask in _outline_masks(small) for found in _quads(mask))
    return OutlineSearch(quads, (small.shape[0], small.shape[1]), scale)


def aspect_fit(quad: np.ndarray, shape: Shape) -> float:
    """How well a quad's side ratio matches the expected documents (1 = exactly, -> 0).

    >>> round(aspect_fit(np.array([[0, 0], [856, 0], [856, 540], [0, 540]], np.float32), "card"), 2)
    1.0
    """
    tl, tr, br, bl = order_corners(quad)
    top, bottom = np.linalg.norm(tr - tl), np.linalg.norm(br - bl)
    left, right = np.linalg.norm(bl - tl), np.linalg.norm(br - tr)
    width, height = (top + bottom) / 2, (left + right) / 2
    if min(top, bottom, left, right) < 1:
        return 0.0
    ratio = max(width, height) / min(width, height)
    fit = max(float(np.exp(-(((ratio - e) / 0.15) ** 2))) for e in ASPECTS[shape])
    # a photographed rectangle keeps opposite sides of similar length; shadows do not
    parallel = min(top, bottom) / max(top, bottom) * min(left, right) / max(left, right)
    return fit * float(parallel) ** 2


def _border_penalty(quad: np.ndarray, shape: tuple[int, ...]) -> float:
    """Quads with two corners on the photo's border are mostly background; with three or
    four they are the photo's frame itself (no outline)."""
    h, w = shape[:2]
    margin = 4
    on_border = sum(
        1 for x, y in quad if x < margin or y < margin or x > w - 1 - margin or y > h - 1 - margin
    )
    return (1.0, 1.0, 0.35, 0.0, 0.0)[on_border]


def _outline_masks(small: np.ndarray) -> list[np.ndarray]:
    edges = cv2.Canny(small, 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = np.ones((7, 7), np.uint8)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
    return [edges, bright, cv2.bitwise_not(bright)]


def _quads(mask: np.ndarray) -> list[tuple[np.ndarray, float]]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        perimeter = cv2.arcLength(hull, True)
        for eps in (0.02, 0.04, 0.06):
            approx = cv2.approxPolyDP(hull, eps * perimeter, True)
            if len(approx) == 4:
                quad = approx.reshape(4, 2).astype(np.float32)
                found.append((quad, float(cv2.contourArea(quad))))
                break
    return found


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left.

    >>> order_corners(np.array([[10, 0], [0, 0], [0, 5], [10, 5]], np.float32)).tolist()
    [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    """
    pts = quad.reshape(4, 2).astype(np.float32)
    total = pts.sum(axis=1)
    diff = np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]],
        np.float32,
    )


def warp(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct the quadrilateral ``quad`` into an upright rectangle."""
    tl, tr, br, bl = order_corners(quad)
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    width, height = max(width, 8), max(height, 8)
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl]), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC)


def canonical_size(image: np.ndarray, shape: Shape) -> np.ndarray:
    """Scale to the canonical size: cards landscape ``CARD_SIZE`` wide, pages ``PAGE_WIDTH``.

    Cards keep their aspect (an ID-1 card and a passport page differ); portrait cards are
    scaled on their long side and turned later by :func:`upright`.
    """
    h, w = image.shape[:2]
    target_long = CARD_SIZE[0] if shape == "card" else int(PAGE_WIDTH * 1.3)
    if shape == "page":
        factor = PAGE_WIDTH / min(w, h) if min(w, h) else 1.0
        factor = min(factor, target_long * 1.6 / max(w, h))
    else:
        factor = target_long / max(w, h)
    if abs(factor - 1.0) < 0.02:
        return image
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by a multiple of 90 degrees."""
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    code = turns.get(degrees % 360)
    return image if code is None else cv2.rotate(image, code)


# --- orientation by OCR ------------------------------------------------------------------


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


#: glyph-like marks below which an image is taken to hold no legible text (a glance suffices)
MIN_GLYPHS = 25
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
    usually only one turn is OCR'd (two when it is upside down). An image without glyph-like
    marks (too dark, blurred or blank) is only glanced at, at half size. With ``enlarge``,
    small print is read enlarged (:func:`enlarge_small_text`) and an open passport booklet
    (a portrait card whose lines run across it) is enlarged before its first reading.
    """
    layout = text_layout(page.grey)
    if layout.glyphs < MIN_GLYPHS:
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
        if count == 2 and best is not None and _mean_confidence(best.words) >= UPRIGHT_MEAN:
            break  # the quarter turns only when neither of the first two read the right way up
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
    too and the better reading kept. ``search``: the photo's :func:`search_outlines`, when
    the caller already made it.
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


# --- quality -----------------------------------------------------------------------------


def measure_quality(image: np.ndarray) -> ImageQuality:
    """Brightness, contrast, sharpness and clipped fractions of a canonical-size image."""
    grey = to_grey(image)
    h, w = grey.shape[:2]
    # cv2.meanStdDev: the same population mean/std as numpy, a tenth of the CPU on a page
    mean, std = (float(v[0][0]) for v in cv2.meanStdDev(grey))
    # CV_16S holds a 3x3 Laplacian of uint8 exactly (|value| <= 1020), at a fraction of the
    # CPU of CV_64F on a page; the statistics are computed in double precision either way
    lap_std = float(cv2.meanStdDev(cv2.Laplacian(grey, cv2.CV_16S))[1][0][0])
    return ImageQuality(
        width=int(w),
        height=int(h),
        brightness=round(mean, 2),
        contrast=round(std, 2),
        sharpness=round(lap_std**2, 2),
        dark_fraction=round(float((grey < 25).mean()), 4),
        bright_fraction=round(float((grey > 245).mean()), 4),
    )


def ocr_confidence(words: tuple[WordLike, ...]) -> float:
    """Mean confidence of the words of 2+ characters (0 when none)."""
    real = [w.confidence for w in words if len(w.text) >= 2]
    return round(sum(real) / len(real), 4) if real else 0.0


# --- classification ----------------------------------------------------------------------

_ALNUM = re.compile(r"[A-Za-z0-9ÁÉÍÓÚÑáéíóúñ]")

#: keyword (folded, upper case) -> weight, per document kind
KEYWORDS: dict[str, dict[str, float]] = {
    "ine_front": {
        "INSTITUTO NACIONAL ELECTORAL": 3,
        "CREDENCIAL PARA VOTAR": 3,
        "CLAVE DE ELECTOR": 3,
        "ANO DE REGISTRO": 2,
        "FECHA DE NACIMIENTO": 1,
        "DOMICILIO": 1,
        "SECCION": 1.5,
        "VIGENCIA": 1.5,
        "NOMBRE": 1,
        "SEXO": 1,
        "CURP": 1,
        "ELECTORAL": 1,
    },
    "ine_back": {
        "IDMEX": 4,
        "INSTITUTO NACIONAL ELECTORAL": 1,
        "CREDENCIAL": 0.5,
        "FIRMA": 0.5,
    },
    "passport": {
        "PASAPORTE": 3,
        "PASSPORT": 3,
        "P<MEX": 4,
        "ESTADOS UNIDOS MEXICANOS": 1.5,
        "NACIONALIDAD": 1,
        "NATIONALITY": 1.5,
        "SURNAME": 1.5,
        "GIVEN NAMES": 1.5,
        "DATE OF BIRTH": 1.5,
        "DATE OF EXPIRY": 1.5,
        "LUGAR DE NACIMIENTO": 1,
        "AUTORIDAD": 0.5,
    },
    "bill": {
        "TOTAL A PAGAR": 3,
        "PERIODO": 1.5,
        "FACTURADO": 1.5,
        "LIMITE DE PAGO": 2.5,
        "PAGAR ANTES": 2,
        "FECHA DE VENCIMIENTO": 1.5,
        "FECHA DE EMISION": 1.5,
        "RECIBO": 1.5,
        "FACTURA": 1.5,
        "ESTADO DE CUENTA": 1.5,
        "NO. DE SERVICIO": 2,
        "NUMERO DE SERVICIO": 2,
        "CONSUMO": 1.5,
        "KWH": 2,
        "MEDIDOR": 1.5,
        "TARIFA": 1,
        "IMPORTE": 1,
        "SALDO": 1,
        "CFE": 2,
        "TELMEX": 2,
        "COMISION FEDERAL DE ELECTRICIDAD": 3,
        "SACMEX": 2,
        "PREDIAL": 2,
        "SUMINISTRO": 1,
        "R.F.C": 0.5,
        "RFC": 0.5,
    },
}


def fold(text: str) -> str:
    """Upper case without accents (Ñ -> N), for keyword matching.

    >>> fold("Sección Año Límite")
    'SECCION ANO LIMITE'
    """
    return _fold_short(text) if len(text) <= _FOLD_MEMO_CHARS else _fold(text)


#: texts up to this long are folded once and remembered (label matching folds the same
#: phrases again and again); longer ones, whole pages, are not kept
_FOLD_MEMO_CHARS = 200


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_fold_short = functools.lru_cache(maxsize=4096)(_fold)


def keyword_scores(text: str) -> dict[str, tuple[float, list[str]]]:
    """Weighted keyword hits per document kind, with the keywords found."""
    folded = fold(text)
    squashed = re.sub(r"\s+", " ", folded)
    scores: dict[str, tuple[float, list[str]]] = {}
    for kind, table in KEYWORDS.items():
        hits = [kw for kw in table if _contains(squashed, kw)]
        scores[kind] = (sum(table[kw] for kw in hits), hits)
    return scores


def _contains(text: str, keyword: str) -> bool:
    if len(keyword) <= 5:
        return re.search(rf"(?<![A-Z]){re.escape(keyword)}(?![A-Z])", text) is not None
    return keyword in text


def classify(text: str, width: int, height: int) -> tuple[DocumentKind, float, list[str]]:
    """Tell what a document is from its OCR text and its shape.

    Returns the kind, a 0-1 score (share of the winning evidence) and the keywords found.

    >>> classify("INSTITUTO NACIONAL ELECTORAL CREDENCIAL PARA VOTAR CLAVE DE ELECTOR", 856, 540)[0]
    'ine_front'
    >>> classify("CFE Total a pagar Periodo facturado", 1700, 2200)[0]
    'bill'
    >>> classify("", 100, 100)[0]
    'unknown'
    """
    scores = keyword_scores(text)
    weights = {kind: score for kind, (score, _) in scores.items()}
    _shape_prior(weights, width, height)
    kind = max(weights, key=lambda k: weights[k])
    if weights[kind] < 2.0:
        return ("unknown" if not text.strip() else "other"), 0.0, []
    total = sum(weights.values()) or 1.0
    return kind, round(weights[kind] / total, 3), scores[kind][1]  # type: ignore[return-value]


def _shape_prior(weights: dict[str, float], width: int, height: int) -> None:
    """A little evidence from the aspect ratio (only ever a tie-breaker)."""
    if not width or not height:
        return
    long, short = max(width, height), min(width, height)
    aspect = long / short
    card_like = abs(aspect - 85.6 / 54) < 0.12
    if card_like and any(weights[k] for k in ("ine_front", "ine_back")):
        weights["ine_front"] += 0.5 if weights["ine_front"] else 0
        weights["ine_back"] += 0.5 if weights["ine_back"] else 0
    if abs(aspect - PASSPORT_ASPECT) < 0.06 and weights["passport"]:
        weights["passport"] += 0.5
    if height > width and aspect > 1.2 and weights["bill"]:
        weights["bill"] += 0.5


def describe(page: Page, text: str | None = None) -> DocumentImage:
    """The measurement record of a straightened page: quality, OCR confidence and kind."""
    words = page.words
    body = text if text is not None else " ".join(w.text for w in _in_reading_order(words))
    h, w = page.image.shape[:2]
    kind, score, keywords = classify(body, w, h)
    return DocumentImage(
        kind=kind,
        kind_score=score,
        keywords=keywords,
        outline_found=page.outline_found,
        rotation=page.rotation,
        quality=measure_quality(at_canonical_size(page)),
        ocr_confidence=ocr_confidence(words),
        words=sum(1 for w in words if len(w.text) >= 2),
    )


def at_canonical_size(page: Page) -> np.ndarray:
    """The page's image at the canonical size: small print read enlarged (``page.scale``)
    is measured as it was photographed (enlarging blurs the Laplacian the sharpness is)."""
    if page.scale == 1.0:
        return page.image
    factor = 1.0 / page.scale
    return cv2.resize(page.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _in_reading_order(words: tuple[WordLike, ...]) -> list[WordLike]:
    return [word for line in group_lines(words) for word in line]


# --- text lines --------------------------------------------------------------------------


def group_lines(words: tuple[WordLike, ...] | list[WordLike]) -> list[list[WordLike]]:
    """Group words into text lines by vertical overlap, each line left to right, top to bottom.

    Layout-free: works whatever blocks Tesseract made of the page. The grouping of the last
    few word tuples is remembered (a page's words are grouped by every field finder).
    """
    if isinstance(words, tuple):
        return [list(line) for line in _grouped(words)]
    return _group_lines(words)


@functools.lru_cache(maxsize=8)
def _grouped(words: tuple[WordLike, ...]) -> tuple[tuple[WordLike, ...], ...]:
    return tuple(tuple(line) for line in _group_lines(words))


def _group_lines(words: tuple[WordLike, ...] | list[WordLike]) -> list[list[WordLike]]:
    lines: list[list[WordLike]] = []
    heights = sorted(w.height for w in words)
    tallest = 3.5 * heights[len(heights) // 2] if heights else 0
    for word in sorted(words, key=lambda w: (w.top + w.height / 2, w.left)):
        if word.height > tallest:  # a graphic (chart bar, logo) read as a "word"
            continue
        centre = word.top + word.height / 2
        for line in lines:
            ref = line[-1]
            ref_centre = ref.top + ref.height / 2
            if abs(centre - ref_centre) < 0.5 * max(min(ref.height, word.height), 1):
                line.append(word)
                break
        else:
            lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w.left)
    lines.sort(key=lambda line: sorted(w.top + w.height / 2 for w in line)[len(line) // 2])
    return lines


def split_phrases(line: list[WordLike], gap_factor: float = 1.6) -> list[list[WordLike]]:
    """Split one text line where the gap between words is wider than ``gap_factor`` x height
    (labels and values in separate columns stay apart)."""
    phrases: list[list[WordLike]] = []
    for word in line:
        if phrases:
            prev = phrases[-1][-1]
            height = max(min(prev.height, word.height), 1)
            if word.left - (prev.left + prev.width) <= gap_factor * height:
                phrases[-1].append(word)
                continue
        phrases.append([word])
    return phrases


@dataclass(frozen=True)
class Phrase:
    """A run of words on one text line, with its box and mean confidence.

    ``key`` is the folded text (upper case, no accents) used to match labels.
    """

    text: str
    confidence: float
    left: int
    top: int
    right: int
    bottom: int
    line: int

    @property
    def key(self) -> str:
        """Folded text for label matching."""
        return fold(self.text)

    @property
    def height(self) -> int:
        """Box height in pixels."""
        return self.bottom - self.top


def phrases(words: tuple[WordLike, ...] | list[WordLike]) -> list[Phrase]:
    """The page's phrases in reading order (line by line, left to right)."""
    if isinstance(words, tuple):
        return list(_phrases(words))
    return _phrases_of(group_lines(words))


@functools.lru_cache(maxsize=8)
def _phrases(words: tuple[WordLike, ...]) -> tuple[Phrase, ...]:
    return tuple(_phrases_of(group_lines(words)))


def _phrases_of(lines: list[list[WordLike]]) -> list[Phrase]:
    found = []
    for index, line in enumerate(lines):
        for run in split_phrases(line):
            found.append(
                Phrase(
                    text=" ".join(w.text for w in run),
                    confidence=sum(w.confidence for w in run) / len(run),
                    left=min(w.left for w in run),
                    top=min(w.top for w in run),
                    right=max(w.left + w.width for w in run),
                    bottom=max(w.top + w.height for w in run),
                    line=index,
                )
            )
    return found


def page_text(words: tuple[WordLike, ...] | list[WordLike]) -> str:
    """The page's text, one OCR line per line."""
    return "\n".join(" ".join(w.text for w in line) for line in group_lines(words))
