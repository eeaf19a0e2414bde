"""Text lines and phrases of an OCR reading, and the folding of text for matching.

Words are grouped into lines in reading order (:func:`group_lines`), lines split into phrases
at wide gaps (:func:`split_phrases`, :func:`phrases`), the page's text put back together
(:func:`page_text`); :func:`fold` (upper case, no accents) is what keywords and labels are
matched on. Pure text: no image and no OCR engine here (the words come from
:mod:`pipeline.orientation`).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from pipeline.engines.tesseract import OcrWord

#: a word read by the OCR engine (text, confidence 0-1, box)
WordLike = OcrWord


# --- folding -----------------------------------------------------------------------------


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
