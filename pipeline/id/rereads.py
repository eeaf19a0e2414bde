"""Closer re-reads of page regions: the shared crop/scale/pad routines (the block under a
label, the region beside it, one phrase, an unread band), each returning the text read with
its words' confidences (:class:`Reread`), and the whole photo read again levelled
(:func:`reread_levelled`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from models.documents import DocumentImage
from pipeline import document as doc
from pipeline import mrz_image, ocr_prep
from pipeline.document import Page, Phrase
from pipeline.engines.tesseract import OcrEngine, OcrText
from pipeline.id.curp_values import curp_long
from pipeline.id.marks import fit_tall_words, with_diacritics


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


def reread_block(
    page: Page,
    label: Phrase,
    ocr: OcrEngine,
    lines: float = 7.0,
    columns: Sequence[Phrase] = (),
) -> Reread:
    """OCR again, enlarged, the block of lines under a label (Spanish, uniform block).

    With ``columns`` (the layout's other labels found on the page) the block reaches down to
    the next label under this one (its values may be printed larger than the label: ``lines``
    label heights can fall short of them), at most twice ``lines``, and ends left of the
    nearest label that starts to its right beside the block (a column of other fields)."""
    h = line_height(page, label)
    y0, y1 = label.bottom, min(page.image.shape[0], label.bottom + int(lines * h))
    x0, x1 = max(0, label.left - h), min(page.image.shape[1], label.left + 22 * h)
    below = [
        p.top for p in columns if p.top > label.bottom + h and abs(p.left - label.left) < 3 * h
    ]
    if below:
        y1 = min(page.image.shape[0], label.bottom + int(2 * lines * h), min(below))
    x1 = min([x1] + [column_edge(label, p, y0, y1, h) for p in columns])
    return _reread_region(page, (y0, y1, x0, x1), h, ocr, "spa")


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


def reread_near(page: Page, label: Phrase, ocr: OcrEngine, whitelist: str) -> Reread:
    """OCR again the region right of and under a label, enlarged, with a whitelist."""
    h = line_height(page, label)
    y0, y1 = max(0, label.top - h // 2), min(page.image.shape[0], label.bottom + 3 * h)
    x0, x1 = max(0, label.left - h), min(page.image.shape[1], label.right + 14 * h)
    return _reread_region(page, (y0, y1, x0, x1), h, ocr, "eng", whitelist)


def _reread_region(
    page: Page,
    region: tuple[int, int, int, int],
    text_height: int,
    ocr: OcrEngine,
    lang: str,
    whitelist: str | None = None,
) -> Reread:
    """OCR a region (top, bottom, left, right) of the page as a uniform block, its text
    enlarged to ~36 px and padded with its own paper colour (nothing when it is empty)."""
    y0, y1, x0, x1 = region
    crop = page.grey[y0:y1, x0:x1]
    if crop.size == 0:
        return Reread()
    crop = paper_pad(ocr_prep.scale_to_text_height(crop, text_height * 1.3, 36.0))
    return Reread.of(ocr.data(crop, lang=lang, psm=6, whitelist=whitelist))


#: a photo whose text lines lean less than this (degrees) is not levelled
MIN_TILT = 1.0


def reread_levelled(
    image: np.ndarray, page: Page, record: DocumentImage, kind: str, weak: bool, ocr: OcrEngine
) -> tuple[Page, DocumentImage] | None:
    """The whole photo read again, its text lines levelled first, when the first reading of
    a side failed its check (the failure path only, one more OCR of the side):

    - the outline found was not the document (its reading is not of ``kind``: the portrait
      or a blank booklet page was taken for the card), or
    - no outline was found, the fields are doubtful (``weak``) and the print leans by
      :data:`MIN_TILT` or more (a card photographed at a slant on a background its edges
      do not stand out from: Tesseract splits slanted lines and misses fields).

    None when there is nothing different to read. The caller keeps the stronger reading.
    """
    if page.outline_found and record.kind == kind:
        return None
    angle = text_tilt(image)
    if not page.outline_found and (not weak or abs(angle) < MIN_TILT):
        return None
    photo = level(image, angle) if abs(angle) >= MIN_TILT else image
    levelled = doc.upright(Page(image=doc.canonical_size(photo, "card")), ocr, "card", enlarge=True)
    return with_diacritics(fit_tall_words(levelled)), doc.describe(levelled)


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


def unread_bands(page: Page, found: list[Phrase]) -> list[Phrase]:
    """Bands of the printed zone's text column where the page OCR found nothing although
    its neighbours are text lines (a field the first reading skipped), as boxes about one
    line tall: the tallest gaps first. Layout-free: the column is where most lines start."""
    lines = [p for p in found if "<" not in p.text and len(p.text) >= 3 and p.confidence > 0.5]
    if len(lines) < 4:
        return []
    h = int(np.median([p.height for p in lines]))
    lefts = [p.left for p in lines]
    column = min(lefts, key=lambda x: (-sum(abs(x - y) <= h for y in lefts), x))
    left = sorted((p for p in lines if abs(p.left - column) <= h), key=lambda p: p.top)
    bands = []
    for above, below in zip(left, left[1:], strict=False):
        if below.top - above.bottom >= 2.5 * h:
            bands.append(Phrase("", 0.0, column - h, above.bottom + h // 4, column + 20 * h,
                                below.top - h // 4, above.line))  # fmt: skip
    return sorted(bands, key=lambda b: b.top - b.bottom)


def reocr_phrase(
    page: Page,
    phrase: Phrase,
    ocr: OcrEngine,
    whitelist: str | None = None,
    block: bool = False,
    target: float = 40.0,
) -> Reread:
    """OCR one phrase's box again, enlarged (text ~40 px tall), as a single line; a
    ``block`` (an unread band, a few lines tall) is scaled by the page's text height. A box
    the OCR stretched over a neighbouring picture is scaled by the page's text height too
    (:func:`line_height`), not by its own, which would shrink the text out of reach, and
    read as a block of lines."""
    if block:
        return _reocr_band(page, phrase, ocr, whitelist)
    h = line_height(page, phrase)
    y0, y1 = max(0, phrase.top - h // 2), min(page.image.shape[0], phrase.bottom + h // 2)
    x0, x1 = max(0, phrase.left - h), min(page.image.shape[1], phrase.right + h)
    crop = page.grey[y0:y1, x0:x1]
    if crop.size == 0:
        return Reread()
    crop = paper_pad(ocr_prep.scale_to_text_height(crop, h, target))
    # a box over two lines' height is not one line: read as a block, its lines kept apart
    if phrase.height > 2 * h:
        return Reread.of(ocr.data(crop, lang="eng", psm=6, whitelist=whitelist))
    return Reread.of(ocr.data(crop, lang="eng", psm=7, whitelist=whitelist), one_line=True)


def _reocr_band(page: Page, band: Phrase, ocr: OcrEngine, whitelist: str | None) -> Reread:
    """OCR an unread band (a few lines); a CURP-long word found there is read once more on
    its own, as a single line and larger, and both readings are returned (one per line)."""
    y0, y1 = max(0, band.top), min(page.image.shape[0], band.bottom)
    x0, x1 = max(0, band.left), min(page.image.shape[1], band.right)
    crop = page.grey[y0:y1, x0:x1]
    if crop.size == 0 or y1 - y0 < 8:
        return Reread()
    h = max(8.0, (band.right - band.left) / 21)
    scaled = ocr_prep.scale_to_text_height(crop, h, 36.0)
    factor = scaled.shape[1] / crop.shape[1]
    result = ocr.data(paper_pad(scaled), lang="eng", psm=6, whitelist=whitelist)
    long_words = [w for w in result.words if curp_long(w.text)]
    if not long_words:
        return Reread.of(result)
    word = long_words[0]
    box = Phrase(word.text, word.confidence, x0 + int((word.left - 12) / factor),
                 y0 + int((word.top - 12) / factor), x0 + int((word.right - 12) / factor),
                 y0 + int((word.top + word.height - 12) / factor), band.line)  # fmt: skip
    return Reread.of(result) + reocr_phrase(page, box, ocr, whitelist, target=48.0)


def reocr_beside(page: Page, label: Phrase, ocr: OcrEngine, whitelist: str | None = None) -> Reread:
    """OCR the small region right of a label (single line)."""
    h = max(label.height, 8)
    x0, x1 = label.right + 1, min(page.image.shape[1], label.right + 5 * h)
    y0, y1 = max(0, label.top - h // 2), min(page.image.shape[0], label.bottom + h // 2)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return Reread()
    crop = page.grey[y0:y1, x0:x1]
    return Reread.of(ocr.data(crop, lang="spa", psm=7, whitelist=whitelist), one_line=True)
