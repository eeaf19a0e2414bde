"""The one crop/scale/pad routine of every second look: a region of the page placed relative
to an anchor box (a label, a phrase, an unread band) by a :class:`Crop` spec, OCR'd by
:func:`read_box`, and the text read with its words' confidences (:class:`Reread`). Also the
bands of the text column the page OCR skipped, and the whole photo's lean (to level it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

from pipeline import document as doc
from pipeline import mrz_image, ocr_prep
from pipeline.document import Page
from pipeline.engines.tesseract import OcrEngine, OcrText
from pipeline.text_lines import Phrase


@dataclass(frozen=True)
class RereadLine:
    """One line of a re-read: its text and the confidence (0-1) of each word in it."""

    text: str
    confidences: tuple[float, ...] = ()


@dataclass(frozen=True)
class Reread:
    """What a closer re-read found: its lines, each with its words' confidences."""

    lines: tuple[RereadLine, ...] = ()

    @classmethod
    def of(cls, result: OcrText, one_line: bool = False) -> Reread:
        """An OCR call's words as lines (all on one line with ``one_line``)."""
        if one_line:
            words = result.words
            text = " ".join(w.text for w in words)
            return cls((RereadLine(text, tuple(w.confidence for w in words)),) if words else ())
        grouped: dict[tuple[int, int, int], list[tuple[str, float]]] = {}
        for word in result.words:
            grouped.setdefault(word.line, []).append((word.text, word.confidence))
        return cls(
            tuple(
                RereadLine(" ".join(t for t, _ in ws), tuple(c for _, c in ws))
                for ws in grouped.values()
            )
        )

    def __add__(self, other: Reread) -> Reread:
        return Reread(self.lines + other.lines)

    @property
    def text(self) -> str:
        """The text read, one line per text line."""
        return "\n".join(line.text for line in self.lines)

    def confidence(self, holds: Callable[[str], bool] | None = None) -> float:
        """The mean confidence of the words that produced a value: those of the lines whose
        text ``holds`` it (every line when none does or no test is given); 0 when empty.

        >>> r = Reread((RereadLine("SEXO H", (0.9, 0.5)), RereadLine("1990", (0.8,))))
        >>> r.confidence(), r.confidence(lambda text: "H" in text.split())
        (0.733, 0.7)
        """
        lines = [line for line in self.lines if holds is not None and holds(line.text)]
        found = [c for line in lines or self.lines for c in line.confidences]
        return round(sum(found) / len(found), 3) if found else 0.0


Side = Literal["top", "bottom", "left", "right"]


@dataclass(frozen=True)
class Edge:
    """One side of a region: the anchor box's side ``of``, moved by ``heights`` text
    heights (rounded towards the anchor) and ``px`` pixels.

    >>> box = Phrase("SEXO", 0.9, 100, 50, 160, 70, 1)
    >>> Edge("top", -0.5).at(box, 25), Edge("right", 5).at(box, 25), Edge("right", 0, 1).at(box, 25)
    (38, 285, 161)
    """

    of: Side
    heights: float = 0.0
    px: int = 0

    def at(self, box: Phrase, height: float) -> int:
        """Where this edge lies for ``box`` and a text ``height``."""
        step = self.heights * height
        moved = math.floor(step) if step >= 0 else -math.floor(-step)
        return int(getattr(box, self.of)) + moved + self.px


@dataclass(frozen=True)
class Crop:
    """How a second look cuts, scales and reads its region: the region's four edges relative
    to the anchor, how the text height is taken (``line``: the anchor's, capped by the page's,
    :func:`line_height`; ``own``: the anchor's; ``width``: a CURP-wide band's width / 21),
    the enlargement (text ``height * scale`` to ``target`` px; no scaling with ``scale``
    None), a margin of paper colour, whether the paper's shading is divided out first
    (``flatten``: :func:`pipeline.ocr_prep.flatten_background`), and the OCR call (language,
    page segmentation, one line)."""

    top: Edge
    bottom: Edge
    left: Edge
    right: Edge
    height: Literal["line", "own", "width"] = "line"
    scale: float | None = 1.3
    target: float = 36.0
    pad: bool = True
    lang: str = "eng"
    psm: int = 6
    one_line: bool = False
    min_px: int = 1
    flatten: bool = False


#: a box as (top, bottom, left, right) page pixels
Box = tuple[int, int, int, int]


def text_height(page: Page, anchor: Phrase, crop: Crop) -> float:
    """The text height a crop is placed and scaled by (see :class:`Crop`)."""
    if crop.height == "own":
        return max(anchor.height, 8)
    if crop.height == "width":
        return max(8.0, (anchor.right - anchor.left) / 21)
    return line_height(page, anchor)


def region(page: Page, anchor: Phrase, crop: Crop) -> tuple[Box, float]:
    """The crop's box on the page (clipped to it) around ``anchor``, and its text height."""
    h = text_height(page, anchor, crop)
    rows, cols = page.image.shape[:2]
    y0, y1 = max(0, crop.top.at(anchor, h)), min(rows, crop.bottom.at(anchor, h))
    x0, x1 = max(0, crop.left.at(anchor, h)), min(cols, crop.right.at(anchor, h))
    return (y0, y1, x0, x1), h


def read_region(
    page: Page, anchor: Phrase, crop: Crop, ocr: OcrEngine, whitelist: str | None = None
) -> Reread:
    """OCR the region a crop spec places around ``anchor`` (:func:`read_box`)."""
    box, h = region(page, anchor, crop)
    return read_box(page, box, h, crop, ocr, whitelist)


def read_box(
    page: Page, box: Box, h: float, crop: Crop, ocr: OcrEngine, whitelist: str | None = None
) -> Reread:
    """:func:`ocr_box`'s words as the lines of a re-read (nothing when the box is too small)."""
    result = ocr_box(page, box, h, crop, ocr, whitelist)
    return Reread() if result is None else Reread.of(result, one_line=crop.one_line)


def grey_crop(page: Page, box: Box) -> np.ndarray:
    """The box of the page's image in grey: only the box is converted, not the whole page."""
    y0, y1, x0, x1 = box
    return doc.to_grey(page.image[y0:y1, x0:x1])


def ocr_box(
    page: Page, box: Box, h: float, crop: Crop, ocr: OcrEngine, whitelist: str | None = None
) -> OcrText | None:
    """The one OCR call of every second look: the box cut from the page's grey image, its
    text (``h`` px tall) enlarged as the spec says, padded with its own paper colour, read
    (None when the box is smaller than ``crop.min_px``)."""
    y0, y1, x0, x1 = box
    if y1 - y0 < crop.min_px or x1 - x0 < crop.min_px:
        return None
    image = grey_crop(page, box)
    if crop.flatten:
        image = ocr_prep.flatten_background(image)
    if crop.scale is not None:
        image = ocr_prep.scale_to_text_height(image, h * crop.scale, crop.target)
    if crop.pad:
        image = paper_pad(image)
    return ocr.data(image, lang=crop.lang, psm=crop.psm, whitelist=whitelist)


def scale_of(box: Box, h: float, crop: Crop) -> float:
    """How much :func:`read_box` enlarges ``box`` (1 when it does not scale)."""
    y0, y1, x0, x1 = box
    if crop.scale is None or y1 <= y0 or x1 <= x0:
        return 1.0
    blank = np.zeros((y1 - y0, x1 - x0), np.uint8)
    return ocr_prep.scale_to_text_height(blank, h * crop.scale, crop.target).shape[1] / (x1 - x0)


def column_edge(label: Phrase, other: Phrase, y0: int, y1: int, h: int) -> int:
    """Where a block under ``label`` must end on the right because of ``other``: a little
    left of ``other`` when it starts well right of the label and overlaps the block's rows
    (or the label's own row); else no limit.

    >>> label = Phrase("NOMBRE", 0.9, 400, 180, 480, 200, 2)
    >>> column_edge(label, Phrase("FECHA DE NACIMIENTO", 0.9, 900, 190, 1120, 210, 3), 200, 400, 25)
    888
    >>> column_edge(label, Phrase("DOMICILIO", 0.9, 400, 330, 500, 350, 9), 200, 400, 25) > 10**6
    True
    """
    beside = other.left > label.right + h and other.bottom > min(y0, label.top) and other.top < y1
    return other.left - h // 2 if beside else 10**9


def paper_pad(crop: np.ndarray, border: int = 12) -> np.ndarray:
    """A margin of the crop's own paper colour (its median grey) around it: a white one
    around a tinted card makes Tesseract binarise the paper as ink and read nothing."""
    return ocr_prep.pad(crop, border, value=int(np.median(crop)))


def line_height(page: Page, label: Phrase) -> int:
    """The label's text height, at most 1.5 times the page's median word height (a label
    box the OCR stretched would scale the re-read's text too small)."""
    heights = sorted(w.height for w in page.words)
    cap = 1.5 * heights[len(heights) // 2] if heights else label.height
    return max(8, int(min(label.height, cap)))


def skipped_bands(page: Page, found: list[Phrase]) -> list[Phrase]:
    """Bands of the printed zone's text columns where the page OCR found nothing although
    text lines are around (a field, or a whole block, the first reading skipped), as boxes
    from one column's line to the next one under it, a CURP wide: the tallest first.
    Layout-free: a column is where lines start; the main one (where most start) and every
    other with a line under an unread stretch that reaches up to the main column's first
    line (a second column whose upper block was skipped: a passport's CURP and sex beside a
    ghost portrait). Gaps between two lines a column read come first (nothing read where
    text runs above and below), then those stretches above a column (it may just start
    there; on a booklet they reach up into the other page)."""
    lines = [p for p in found if "<" not in p.text and len(p.text) >= 3 and p.confidence > 0.5]
    if len(lines) < 4:
        return []
    h = int(np.median([p.height for p in lines]))
    lefts = [p.left for p in lines]
    main = min(lefts, key=lambda x: (-sum(abs(x - y) <= h for y in lefts), x))
    zone_top = min(p.top for p in lines if abs(p.left - main) <= h)
    bands: list[Phrase] = []
    seen: list[int] = []
    for column in sorted({p.left for p in lines}, key=lambda x: abs(x - main)):
        if any(abs(column - other) <= h for other in seen):
            continue  # a column already seen
        seen.append(column)
        left = sorted((p for p in lines if abs(p.left - column) <= h), key=lambda p: p.top)
        if abs(column - main) > h:  # another column: also the stretch above its first line
            left.insert(0, Phrase("", 0.0, column, zone_top, column, zone_top, -1))
        for above, below in zip(left, left[1:], strict=False):
            if below.top - above.bottom >= 2.5 * h:
                bands.append(Phrase("", 0.0, column - h, above.bottom + h // 4, column + 20 * h,
                                    below.top - h // 4, above.line))  # fmt: skip
    return sorted(bands, key=lambda b: (b.line < 0, b.top - b.bottom))


def ink_rows(grey: np.ndarray, h: float) -> list[tuple[int, int, int, int]]:
    """The text rows of a grey crop, found without OCR: runs of pixel rows holding ink (the
    flattened paper binarised by Otsu; a row holds ink when at least a fifth as much as the
    inkiest one), at least half of ``h`` tall (a label's small print is not), as (top,
    bottom, left, right) crop pixels, widest first. Where a block reading drops a line (a
    bold value between two small labels), each row can be read on its own.

    >>> crop = np.full((160, 400), 220, np.uint8)
    >>> crop[20:30, 10:60] = 40; crop[60:90, 10:370] = 20; crop[120:140, 10:300] = 20
    >>> ink_rows(crop, 30)  # the short label row holds too little ink
    [(60, 90, 10, 369), (120, 140, 10, 299)]
    """
    flat = ocr_prep.flatten_background(grey)
    _, ink = cv2.threshold(flat, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    per_row = ink.sum(axis=1)
    inked = per_row >= max(1, per_row.max()) / 5
    rows: list[tuple[int, int, int, int]] = []
    top = None
    for y, on in enumerate([*inked, False]):
        if on and top is None:
            top = y
        elif not on and top is not None:
            if y - top >= h / 2:
                cols = np.flatnonzero(ink[top:y].any(axis=0))
                rows.append((top, y, int(cols[0]), int(cols[-1])))
            top = None
    return sorted(rows, key=lambda r: r[2] - r[3])


#: a photo whose text lines lean less than this (degrees) is not levelled
MIN_TILT = 1.0


def text_tilt(image: np.ndarray) -> float:
    """How much the photo's long text lines lean (median, degrees, in image axes where y
    runs down: the turn :func:`level` undoes; 0 with fewer than two lines): no OCR, ~10 ms."""
    lines = mrz_image.find_text_lines(doc.to_grey(image))
    return float(np.median([ln.angle for ln in lines])) if len(lines) >= 2 else 0.0


def level(image: np.ndarray, angle: float) -> np.ndarray:
    """``image`` turned so that lines leaning by ``angle`` (:func:`text_tilt`) lie level, on
    a canvas holding all of it, the new corners filled with the edge colours."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    width, height = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += width / 2 - w / 2
    matrix[1, 2] += height / 2 - h / 2
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


#: the region right of and under a label (a date beside or below it)
NEAR = Crop(Edge("top", -0.5), Edge("bottom", 3), Edge("left", -1), Edge("right", 14))
#: the block of lines under a label (names printed under NOMBRE), Spanish
BLOCK = Crop(Edge("bottom"), Edge("bottom", 7), Edge("left", -1), Edge("left", 22), lang="spa")
#: one line under a label (a passport's surnames or given names), Spanish
LINE_BELOW = replace(BLOCK, bottom=Edge("bottom", 2.5))
#: the small region right of a label (a one-letter value), as it was photographed
BESIDE = Crop(Edge("top", -0.5), Edge("bottom", 0.5), Edge("right", 0, 1), Edge("right", 5),
              height="own", scale=None, pad=False, lang="spa", psm=7, one_line=True,
              min_px=4)  # fmt: skip
#: one phrase's box again, as a single line (text ~40 px), on flattened paper: a value
#: running onto a shaded patch (a passport's ghost portrait) keeps its last glyphs
PHRASE = Crop(Edge("top", -0.5), Edge("bottom", 0.5), Edge("left", -1), Edge("right", 1),
              scale=1.0, target=40.0, psm=7, one_line=True, flatten=True)  # fmt: skip
#: a phrase box over two lines' height (stretched over a picture): read as a block of lines
PHRASE_LINES = replace(PHRASE, psm=6, one_line=False)
#: a band of the text column the page OCR skipped, scaled for a CURP-wide line
BAND = Crop(Edge("top"), Edge("bottom"), Edge("left"), Edge("right"), height="width",
            scale=1.0, min_px=8)  # fmt: skip
