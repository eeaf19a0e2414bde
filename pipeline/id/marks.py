"""Word ink on the page: over-tall OCR word boxes fitted to their text line
(:func:`fit_tall_words`) and the Ñ and acute accents the OCR dropped put back from the marks
printed above the capitals (:func:`with_diacritics`).
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from pipeline import text_lines
from pipeline.document import Page

#: a word box this many times the median word height holds more than its line
TALL_WORD = 2.0


def fit_tall_words(page: Page) -> Page:
    """Words whose box Tesseract stretched over neighbouring lines (a name or the CURP
    beside a dark portrait comes back 3-4 lines tall) get the box of their own text line:
    the densest band of ink rows inside it. Otherwise such words are dropped as graphics
    when the page is grouped into lines, and the fields they hold go unread."""
    heights = sorted(w.height for w in page.words)
    if not heights:
        return page
    median = heights[len(heights) // 2]
    grey = page.grey
    words = tuple(
        _fit_word(word, grey, median)
        if word.height > TALL_WORD * median and sum(c.isalnum() for c in word.text) >= 3
        else word
        for word in page.words
    )
    return dataclasses.replace(page, words=words)


def _fit_word(word: text_lines.WordLike, grey: np.ndarray, median: int) -> text_lines.WordLike:
    """``word`` with its box narrowed to its densest ink band (unchanged when none fits)."""
    crop = grey[max(0, word.top) : word.top + word.height, max(0, word.left) : word.right]
    if crop.size == 0:
        return word
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    band = densest_band(ink.mean(axis=1))
    if band is None or not 0.5 * median <= band[1] - band[0] <= TALL_WORD * median:
        return word
    return dataclasses.replace(word, top=max(0, word.top) + band[0], height=band[1] - band[0])


#: acute accents by vowel
_ACUTE = dict(zip("AEIOU", "ÁÉÍÓÚ", strict=True))


#: a mark at least this many times wider than tall is a tilde (an acute accent is steeper)
TILDE_ASPECT = 1.8


#: words read at least this sure are looked at for a dropped Ñ or accent
MARK_MIN_CONFIDENCE = 0.6


def with_diacritics(page: Page) -> Page:
    """Upper-case words the OCR read without diacritics get back the Ñ and acute accents
    whose marks are printed above them (:func:`word_marks`): Tesseract often drops the
    small tilde of ``MONTAÑO`` or ``ACUÑA``. Names are printed in capitals, so any ink
    standing clear above the capitals' line is a diacritic."""
    grey = page.grey
    words = tuple(_marked(word, grey) for word in page.words)
    return dataclasses.replace(page, words=words)


def _marked(word: text_lines.WordLike, grey: np.ndarray) -> text_lines.WordLike:
    text = word.text
    if (
        len(text) < 3
        or not (text.isascii() and text.isalpha() and text.isupper())
        or word.confidence < MARK_MIN_CONFIDENCE
    ):
        return word
    marked = word_marks(grey, word)
    return word if marked == text else dataclasses.replace(word, text=marked)


def word_marks(grey: np.ndarray, word: text_lines.WordLike) -> str:
    """``word``'s text with the marks found above its capitals: a flat mark (a tilde) over
    its N, a steeper one (an acute accent) over the nearest vowel. A mark that fits no
    letter leaves the word as read."""
    text, h = word.text, word.height
    top = max(0, word.top - int(0.6 * h))
    crop = grey[top : word.top + h, max(0, word.left) : word.right]
    if crop.size == 0:
        return text
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    profile = ink.mean(axis=1)
    body = densest_band(profile, floor=0.25 * float(profile.max()))
    if body is None or body[1] - body[0] < 8:
        return text
    size = body[1] - body[0]
    above = ink[max(0, body[0] - int(0.6 * size)) : max(0, body[0] - 1)]
    if above.size == 0:
        return text
    letters = _letter_centres(ink[body[0] : body[1]], len(text))
    out = list(text)
    count, _, stats, _ = cv2.connectedComponentsWithStats(above.astype(np.uint8), connectivity=8)
    for x, y, w, height, area in stats[1:count]:
        if w < max(2, 0.15 * size) or area < 4 or height < 2 or y == 0:
            continue  # a speck, or ink of the line above
        index = _mark_letter(text, letters, (x + w / 2) / ink.shape[1], w >= TILDE_ASPECT * height)
        if index is None:
            return text
        out[index] = "Ñ" if w >= TILDE_ASPECT * height else _ACUTE[text[index]]
    return "".join(out)


def _letter_centres(body: np.ndarray, count: int) -> list[float]:
    """Centres (0-1 across the word) of its letters: the ink column runs of its capitals
    when there are as many as letters, else evenly spaced."""
    columns = [*(body.sum(axis=0) > 0).tolist(), False]
    runs, start = [], None
    for x, inked in enumerate(columns):
        if inked and start is None:
            start = x
        elif not inked and start is not None:
            if x - start >= 2:
                runs.append((start + x) / 2 / body.shape[1])
            start = None
    return runs if len(runs) == count else [(i + 0.5) / count for i in range(count)]


def _mark_letter(text: str, centres: list[float], centre: float, tilde: bool) -> int | None:
    """The letter a mark centred at ``centre`` belongs to: an N (not the first letter) for a
    tilde, a vowel for an accent; None when none is close enough."""
    eligible = [i for i, c in enumerate(text) if (c == "N" and i > 0 if tilde else c in _ACUTE)]
    if not eligible:
        return None
    index = min(eligible, key=lambda i: abs(centres[i] - centre))
    reach = 0.25 if tilde and len(eligible) == 1 else 0.6 / len(text)
    return index if abs(centres[index] - centre) <= reach else None


def densest_band(profile: np.ndarray, floor: float = 0.03) -> tuple[int, int] | None:
    """The run of consecutive rows whose ink share exceeds ``floor`` holding the most ink,
    as (first row, row after the last).

    >>> densest_band(np.array([0, 0.2, 0, 0, 0.3, 0.4, 0.3, 0, 0.1]))
    (4, 7)
    """
    best: tuple[float, int, int] | None = None
    start = None
    for row, share in enumerate([*profile.tolist(), 0.0]):
        if share > floor and start is None:
            start = row
        elif share <= floor and start is not None:
            total = float(profile[start:row].sum())
            if best is None or total > best[0]:
                best = (total, start, row)
            start = None
    return None if best is None else (best[1], best[2])
