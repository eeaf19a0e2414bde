"""Finding a layout's printed labels on a page (:func:`find_labels`, template-driven) and the
phrases that may hold each label's value: beside it, under it, the block below it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.results import Reading, Source
from pipeline import names, text_lines
from pipeline.id import templates
from pipeline.id.common import NONE, bounded
from pipeline.text_lines import Phrase


def find_labels(found: list[Phrase], template: templates.Template) -> dict[str, Phrase]:
    """The first phrase holding each of the layout's labels (regex on folded text); a label
    not found that way may be a phrase starting with its ``fuzzy`` words read with one OCR
    slip (``¡OMBRE``)."""
    labels: dict[str, Phrase] = {}
    table = template.labels
    for phrase in found:
        for name, pattern in table.items():
            if name not in labels and re.search(pattern, phrase.key):
                labels[name] = phrase
    for name, field in template.fields.items():
        if field.fuzzy is not None and name not in labels:
            fuzzy = next((p for p in found if starts_like(p.key, field.fuzzy)), None)
            if fuzzy is not None:
                labels[name] = fuzzy
    return labels


def starts_like(key: str, words: str) -> bool:
    """``key`` begins with ``words`` up to one character's edit (letters and spaces only).

    >>> starts_like("¡OMBRE", "NOMBRE"), starts_like("NOMBRES", "NOMBRE"), starts_like("NORTE", "NOMBRE")
    (True, True, False)
    """
    plain = re.sub(r"[^A-Z ]", "", key).strip()
    size = len(words)
    return any(
        names.edit_distance(plain[:n], words, limit=2) <= 1 for n in (size - 1, size, size + 1)
    )


def after_label(phrase: Phrase, pattern: str) -> str:
    """The text of ``phrase`` after its label (empty when the label ends the phrase)."""
    match = re.search(pattern, phrase.key)
    return phrase.text[match.end() :].strip(" :.-") if match else ""


def beside_label(phrase: Phrase, pattern: str) -> str:
    """The text of a label's phrase other than its label, before or after it: a value the
    OCR merged into the label's line (``NOMBRE BRISEÑO``, ``QUIÑONES NOMBRE``). A label
    found by its fuzzy words (no match of ``pattern``) is the phrase's first word.

    >>> at = Phrase("QUIÑONES NOMBRE", 0.9, 0, 0, 100, 20, 0)
    >>> other = Phrase("¡OMBRE", 0.9, 0, 0, 100, 20, 0)
    >>> beside_label(at, "NOMBRE"), beside_label(other, "NOMBRE")
    ('QUIÑONES', '')
    """
    match = re.search(pattern, phrase.key)
    if match is None:
        return phrase.text.partition(" ")[2].strip(" :.-")
    return f"{phrase.text[: match.start()]} {phrase.text[match.end() :]}".strip(" :.-")


def neighbours(found: list[Phrase], label: Phrase, below: int = 2) -> list[Phrase]:
    """Phrases that may hold the label's value: right of it on its line, then just below it."""
    right = [p for p in found if p.line == label.line and p.left >= label.right - 2]
    height = max(label.height, 8)
    under = [
        p
        for p in found
        if p.top >= label.bottom - height * 0.3
        and p.top <= label.bottom + height * 2.5 * below
        and p.line != label.line
        and p.right > label.left - height
        and p.left < label.left + height * 12
    ]
    under.sort(key=lambda p: (p.top, abs(p.left - label.left)))
    return sorted(right, key=lambda p: p.left) + under


def placed(phrase: Phrase, label: Phrase | None, near: list[Phrase]) -> Source:
    """Where ``phrase`` lies for a value read in it: the label's own phrase (``LABEL``), one
    of its ``near`` phrases (:func:`neighbours`: ``NEAR``), else elsewhere (``PATTERN``)."""
    if label is not None and phrase is label:
        return Source.LABEL
    return Source.NEAR if any(phrase is p for p in near) else Source.PATTERN


def value_after(found: list[Phrase], label: Phrase | None, pattern: str) -> Reading:
    """The first match of ``pattern`` after ``label``: in its phrase, to its right, or below.
    A one-character value (a sex letter) in a neighbouring phrase must begin it: a lone
    letter inside other text (``AGUASCA cnc ENEE h``, the place of birth beside SEXO read
    with a speck) is not a value printed under a label."""
    if label is None:
        return NONE
    sources = [label, *neighbours(found, label, below=1)]
    for index, phrase in enumerate(sources):
        text = text_lines.fold(phrase.text if index else after_label_any(phrase))
        match = re.search(pattern, text)
        lone = match is not None and len(match.group(0)) == 1 and index > 0
        if lone and match is not None and re.search(r"[A-Z0-9]", text[: match.start()]):
            continue
        if match:
            source = Source.LABEL if index == 0 else Source.NEAR
            return Reading(
                value=match.group(0), confidence=bounded(phrase.confidence), source=source
            )
    return NONE


def after_label_any(phrase: Phrase) -> str:
    """The text of ``phrase`` after the first label of any layout it holds (else all of it)."""
    patterns = [p for t in templates.all_templates() for p in t.labels.values()]
    for pattern in patterns:
        rest = after_label(phrase, pattern)
        if rest != phrase.text.strip(" :.-") and re.search(pattern, phrase.key):
            return rest
    return phrase.text


def block_below(
    found: list[Phrase],
    label: Phrase,
    stop: str,
    limit: int,
    gap: float = 2.2,
    other_labels: Sequence[Phrase] = (),
) -> list[Phrase]:
    """Up to ``limit`` phrases under ``label``, left-aligned with it, stopping at the next
    label (a match of ``stop``, or one of ``other_labels``: labels found with an OCR slip,
    ``JOMICILIO``) or at a gap wider than ``gap`` label heights."""
    height = max(label.height, 8)
    rest = after_label(label, stop)
    block: list[Phrase] = []
    last = label
    for phrase in found:
        if phrase.line <= label.line or abs(phrase.left - label.left) > height * 2.5:
            continue
        is_label = re.search(stop, phrase.key) or any(phrase is o for o in other_labels)
        if phrase.top - last.bottom > height * gap or is_label:
            break
        block.append(phrase)
        last = phrase
        if len(block) >= limit:
            break
    if rest and not block:
        return [label]
    return block


def row_of(found: list[Phrase], first: Phrase, stop: str) -> list[Phrase]:
    """``first`` and the phrases continuing it on the same row (the OCR may split one
    printed line, e.g. a second given name, into two phrases): vertically overlapping,
    each starting within ~2.5 letter heights of the previous one's end, no label (``stop``)."""
    row = [first]
    for phrase in sorted(found, key=lambda p: p.left):
        last = row[-1]
        h = max(last.height, 8)
        centre, last_centre = (phrase.top + phrase.bottom) / 2, (last.top + last.bottom) / 2
        if (
            phrase is not first
            and last.right - h * 0.3 <= phrase.left <= last.right + 2.5 * h
            and abs(centre - last_centre) <= 0.6 * h
            and not re.search(stop, phrase.key)
        ):
            row.append(phrase)
    return row


def value_below(found: list[Phrase], label: Phrase) -> Phrase | None:
    """The phrase printed right under a label (left-aligned with it, within ~2.5 lines);
    specks and fragments (short, unsure) are skipped. A label printed in two lines (``CURP``
    over ``Personal No.``) is one label: the value is looked for under its last line."""
    h = max(label.height, 8)
    candidates = [
        p
        for p in found
        if p.line != label.line
        and label.bottom - 0.3 * h <= p.top <= label.bottom + 2.5 * h
        and label.left - 1.5 * h <= p.left <= label.left + 3 * h
        and not (len(p.text) < 3 and p.confidence < 0.6)
    ]
    first = min(candidates, key=lambda p: p.top, default=None)
    if first is not None and (is_label(first) or is_sublabel(first, label)):
        return value_below(found, first)
    return first


def is_sublabel(phrase: Phrase, label: Phrase) -> bool:
    """Is ``phrase``, printed under ``label``, the label's second line in another language
    (``Personal No.`` under ``CURP``), though read with slips no label pattern forgives
    (``Persoraj No``)? ID values are printed in capitals; a bilingual label's English line is
    mostly lower case and hardly taller than the label (its descenders and accents).

    >>> curp = Phrase("CURP", 0.6, 1250, 1976, 1317, 1995, 13)
    >>> is_sublabel(Phrase("Persoraj No", 0.9, 1251, 2004, 1372, 2021, 14), curp)
    True
    >>> is_sublabel(Phrase("soLís OCHOA", 0.8, 1251, 2004, 1372, 2021, 14), curp)
    False
    >>> is_sublabel(Phrase("Sooa801215", 0.8, 1251, 2004, 1500, 2040, 14), curp)
    False
    """
    letters = [c for c in phrase.text if c.isalpha()]
    lower = sum(1 for c in letters if c.islower())
    return bool(letters) and 2 * lower > len(letters) and phrase.height <= 1.7 * label.height


def row_below(found: list[Phrase], label: Phrase, width: float = 24.0) -> Phrase | None:
    """The row of phrases printed under a label, joined into one phrase: those starting
    between the label's left edge and ``width`` label heights to its right, on the first line
    under it (a label's second line, :func:`is_label` or :func:`is_sublabel`, skipped). Unlike
    :func:`value_below`, a value whose first characters the OCR read apart (a speck, a word
    split off) is found whole: where to read the value again, not the value."""
    h = max(label.height, 8)
    under = [
        p
        for p in found
        if p.line != label.line
        and label.bottom - 0.3 * h <= p.top <= label.bottom + 2.5 * h
        and label.left - 1.5 * h <= p.left <= label.left + width * h
    ]
    first = min(under, key=lambda p: p.top, default=None)
    if first is None:
        return None
    row = sorted(
        (p for p in under if p.top < first.bottom and p.bottom > first.top), key=lambda p: p.left
    )
    merged = [p for p in row if _merged_lines(p, h)]
    if not merged and all(is_label(p) or is_sublabel(p, label) for p in row):
        return row_below(found, _joined(row), width)
    joined = _joined(row)
    if merged:  # the row reaches up to the line the OCR merged into the label under it
        return Phrase(joined.text, joined.confidence, joined.left, min(p.top for p in merged),
                      joined.right, max(joined.bottom, *(p.bottom for p in merged)), joined.line)  # fmt: skip
    return joined


#: a phrase this many times its label's height spans more than one printed line
MERGED_LINES = 1.8


def _merged_lines(phrase: Phrase, height: int) -> bool:
    """A phrase of a few words whose box spans more than one printed line: the OCR merged a
    value with the label under it (``O Lugar de nacimi`` over a CURP). Not a speck stretched
    over the next line (one or two glyphs).

    >>> _merged_lines(Phrase("O Lugar de nacimi", 0.74, 804, 424, 1099, 489, 12), 28)
    True
    >>> _merged_lines(Phrase("E", 0.2, 804, 424, 830, 489, 12), 28)
    False
    """
    glyphs = sum(1 for c in phrase.text if c.isalnum())
    return glyphs >= 4 and phrase.height > MERGED_LINES * height


def slot_below(
    found: list[Phrase], label: Phrase, height: float = 3.2, width: float = 40.0
) -> Phrase:
    """Where a value printed under ``label`` is when the page OCR read nothing there: under
    the label's last line (its second line in another language, :func:`is_sublabel`, or
    another label line, skipped), from the label's left edge, ``height`` label heights tall
    and ``width`` wide (a value printed larger than its label). Only where to read again.

    >>> curp = Phrase("CURP", 0.9, 1760, 789, 1854, 816, 18)
    >>> slot = slot_below([curp, Phrase("Personal No.", 0.9, 1762, 827, 1943, 854, 19)], curp)
    >>> slot.left, slot.top, slot.bottom, slot.right
    (1747, 854, 940, 2840)
    """
    h = max(label.height, 8)
    last = label
    for phrase in sorted(found, key=lambda p: p.top):
        if (
            phrase.line != last.line
            and last.bottom - 0.3 * h <= phrase.top <= last.bottom + 1.5 * h
            and abs(phrase.left - label.left) <= 1.5 * h
            and (is_label(phrase) or is_sublabel(phrase, label))
        ):
            last = phrase
    return Phrase("", 0.0, label.left - h // 2, last.bottom, label.left + int(width * h),
                  last.bottom + int(height * h), last.line)  # fmt: skip


def _joined(row: list[Phrase]) -> Phrase:
    """One phrase spanning ``row`` from left to right, as tall as its surest phrase (a speck's
    box stretched over the next line is not the row's height), at its least sure confidence."""
    surest = max(row, key=lambda p: p.confidence)
    return Phrase(
        " ".join(p.text for p in row),
        min(p.confidence for p in row),
        min(p.left for p in row),
        surest.top,
        max(p.right for p in row),
        surest.bottom,
        surest.line,
    )


def is_label(phrase: Phrase) -> bool:
    """Does the phrase hold a label of any layout (and nothing after it)?"""
    return after_label_any(phrase) != phrase.text and not after_label_any(phrase)
