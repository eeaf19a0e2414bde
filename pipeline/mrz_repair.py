"""Repairs of the usual OCR confusions in an MRZ reading, by its check digits.

Letters in digit fields become digits and digits in letter fields letters
(:func:`force_alphabet`); a failing checked field gets the single-character edit after which its
check digit holds, settled by the composite when several fit (:func:`repair_checked_fields`);
with every field valid but the composite not, a unique edit of an unchecked character
(:func:`repair_composite`); an unknown country code one letter away from exactly one known code
(:func:`repair_country_codes`). The lines are edited in place (lists of characters); the parser
(:mod:`pipeline.mrz`) lists every changed character in ``MrzResult.repairs``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from models.mrz import MrzRepair
from pipeline.mrz_layout import (
    COUNTRY_CODES,
    Field,
    Layout,
    composite_ok,
    field_ok,
    yymmdd,
)

#: OCR confusions between letters and digits, both directions (strong: accepted on a check digit)
_CONFUSABLE_GROUPS = ("0ODQU", "1IL", "2Z", "5S", "8B", "6G", "4A", "7T")
#: digit-digit confusions (weak: accepted only when the composite check confirms them)
_WEAK_GROUPS = ("38", "89", "68", "56", "17", "08")
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "J": "1", "Z": "2"}
_TO_DIGIT |= {"S": "5", "B": "8", "G": "6", "A": "4", "T": "7"}
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
_CURP14_ALPHABET = "AAAADDDDDDAAAA"  # CURP positions 1-14: letters (A) or digits (D)
_LETTER_GROUPS = ("EF", "CG", "MN", "UV", "PR", "OQD", "IL", "BE", "HN", "KX")


def _alternatives(char: str, kind: str, weak: bool) -> list[str]:
    """Characters ``char`` may have been, for a field of ``kind``.

    Alphanumeric fields (document and personal numbers) only get the commonest confusions
    (O/0/D/Q, I/1): their check digit is all that guards a repair there, and the more
    alternatives are tried, the likelier one validates by chance.
    """
    groups: tuple[str, ...] = _WEAK_GROUPS if weak else _CONFUSABLE_GROUPS
    if kind == "alnum":
        groups = ("0ODQ", "1I")
    alts = [c for g in groups if char in g for c in g if c != char]
    if kind == "digits":
        alts = [c for c in alts if c.isdigit()]
    return list(dict.fromkeys(alts))


def force_alphabet(lines: list[list[str]], layout: Layout, repairs: list[MrzRepair]) -> None:
    """Letters in digit fields and check digits become digits; digits in alpha fields letters."""
    spots: list[tuple[str, int, int, dict[str, str]]] = []
    for f in layout.fields:
        table = {"digits": _TO_DIGIT, "alpha": _TO_LETTER, "names": _TO_LETTER}.get(f.kind)
        if table:
            spots += [(f.name, f.line, i, table) for i in range(f.start, f.end)]
        if f.check:
            spots.append((f.name, *f.check, _TO_DIGIT))
    spots.append(("composite", *layout.composite_at, _TO_DIGIT))
    if layout.composite_at == (1, 43) and "".join(lines[0][2:5]) == "MEX":
        # Mexican passport: the personal number is the CURP's first 14 characters
        curp = [(_TO_LETTER if c == "A" else _TO_DIGIT) for c in _CURP14_ALPHABET]
        spots += [("optional_data", 1, 28 + i, table) for i, table in enumerate(curp)]
    for name, ln, i, table in spots:
        new = table.get(lines[ln][i])
        if new:
            repairs.append(
                MrzRepair(
                    field=name,
                    line=ln,
                    position=i,
                    read=lines[ln][i],
                    repaired=new,
                    validated=False,
                )
            )
            lines[ln][i] = new


_Edit = tuple[int, int, str]  # (line, index, new char)


def _field_edits(lines: list[list[str]], f: Field, weak: bool) -> list[list[_Edit]]:
    """Single-character edits of a field (or its check digit) after which its check holds.

    A check digit is never changed into another digit (a weak, digit-for-digit edit): the
    check digit is the evidence the field is read right, and a digit that fits it in its
    place is exactly what an altered check digit would need to pass.
    """
    assert f.check is not None
    spots = [(f.line, i) for i in range(f.start, f.end)] + ([] if weak else [f.check])
    found = []
    for ln, i in spots:
        old = lines[ln][i]
        kind = "digits" if (ln, i) == f.check else f.kind
        for alt in _alternatives(old, kind, weak):
            lines[ln][i] = alt
            if field_ok(lines, f) and _real_date_if_date(lines, f):
                found.append([(ln, i, alt)])
            lines[ln][i] = old
    return found


def _real_date_if_date(lines: list[list[str]], f: Field) -> bool:
    """A repaired date field must still be a calendar date: an edit that fits an altered check
    digit by making the month 70 is no reading of the print. Read as 20YY
    (:func:`~pipeline.mrz_layout.yymmdd`): every date of 19YY is one of 20YY too, so the century
    does not matter here.

    >>> f = Field("birth_date", 0, 0, 6, "digits", (0, 6))
    >>> _real_date_if_date([list("9410091")], f), _real_date_if_date([list("9470091")], f)
    (True, False)
    """
    if f.name not in ("birth_date", "expiry_date"):
        return True
    value = "".join(lines[f.line][f.start : f.end])
    return yymmdd(value, "expiry", dt.date.today()) is not None


def apply(lines: list[list[str]], edits: Iterable[_Edit]) -> list[tuple[int, int, str]]:
    """Apply edits, returning the undo list."""
    undo = []
    for ln, i, c in edits:
        undo.append((ln, i, lines[ln][i]))
        lines[ln][i] = c
    return undo


def repair_checked_fields(lines: list[list[str]], layout: Layout) -> list[_Edit]:
    """Choose edits to the failing checked fields, using the composite to settle ambiguity.

    Digit fields (dates) may be confirmed by the composite, whose weights differ from theirs.
    Alphanumeric fields (document and personal numbers) sit where the composite weights equal
    their own, so the composite cannot confirm them: only a unique strong edit is accepted.
    """
    failing = [f for f in layout.fields if f.check and not field_ok(lines, f)]
    if not failing:
        return []
    strong = [_unique_if_alnum(f, _field_edits(lines, f, weak=False)) for f in failing]
    choice = _composite_choice(lines, layout, [[[], *opts] for opts in strong])
    if choice is None:
        weak = [
            opts + (_field_edits(lines, f, weak=True) if f.kind == "digits" else [])
            for f, opts in zip(failing, strong, strict=True)
        ]
        choice = _composite_choice(lines, layout, [[[], *opts] for opts in weak])
    if choice is not None:
        return choice
    # no composite confirmation: accept only unambiguous strong single edits
    return [e for opts in strong if len(opts) == 1 for e in opts[0]]


def _unique_if_alnum(f: Field, options: list[list[_Edit]]) -> list[list[_Edit]]:
    return options if f.kind == "digits" or len(options) == 1 else []


def _composite_choice(
    lines: list[list[str]], layout: Layout, options: list[list[list[_Edit]]]
) -> list[_Edit] | None:
    """The fewest edits (one option per field) making every field and the composite hold."""
    best: list[_Edit] | None = None
    for combo in itertools.islice(itertools.product(*options), 5000):
        edits = [e for option in combo for e in option]
        undo = apply(lines, edits)
        ok = composite_ok(lines, layout) and all(
            field_ok(lines, f) for f in layout.fields if f.check
        )
        apply(lines, reversed(undo))
        if ok and (best is None or len(edits) < len(best)):
            best = edits
    return best


def repair_composite(lines: list[list[str]], layout: Layout) -> list[_Edit]:
    """Fields all valid but the composite not: a unique edit of an unchecked composite char."""
    checked = {(f.check[0], f.check[1]) for f in layout.fields if f.check}
    protected = checked | {
        (f.line, i) for f in layout.fields if f.check for i in range(f.start, f.end)
    }
    spots = [(ln, i) for ln, a, b in layout.composite for i in range(a, b)]
    spots = [s for s in spots if s not in protected] + [layout.composite_at]
    found = []
    for ln, i in spots:
        old = lines[ln][i]
        for alt in _alternatives(old, "alnum", weak=False):
            lines[ln][i] = alt
            if composite_ok(lines, layout):
                found.append((ln, i, alt))
            lines[ln][i] = old
    if len(found) > 1:
        # several fit the composite: keep the one that makes a letter among digits a digit
        # (or a digit among letters a letter); a digit turned into a letter in a run of
        # digits is no reading of the print
        found = [edit for edit in found if _fits_neighbours(lines[edit[0]], edit[1], edit[2])]
    return found if len(found) == 1 else []


def _fits_neighbours(line: list[str], i: int, new: str) -> bool:
    """``new`` at ``line[i]`` (a letter/digit look-alike of what was read) is of the kind of
    its nearest non-filler neighbours on both sides, and what was read there is not.

    >>> _fits_neighbours(list("<<40381335012O1"), 13, "0"), _fits_neighbours(list("<<40381"), 5, "Q")
    (True, False)
    """
    left = next((c for c in reversed(line[:i]) if c != "<"), "")
    right = next((c for c in line[i + 1 :] if c != "<"), "")
    sides = [c for c in (left, right) if c]
    if not sides or line[i].isdigit() == new.isdigit():
        return False
    return all(c.isdigit() == new.isdigit() for c in sides)


def repair_country_codes(lines: list[list[str]], layout: Layout) -> None:
    """An unknown country code one letter confusion away from exactly one known code (AZF ->
    AZE) is repaired; the list of codes confirms it (reported, not check-digit validated)."""
    for name in ("issuing_country", "nationality"):
        f = layout.field(name)
        code = "".join(lines[f.line][f.start : f.end])
        if code.replace("<", "") in COUNTRY_CODES:
            continue
        found = set()
        for i, char in enumerate(code):
            for group in _LETTER_GROUPS:
                for alt in group.replace(char, "") if char in group else "":
                    candidate = code[:i] + alt + code[i + 1 :]
                    if candidate.replace("<", "") in COUNTRY_CODES:
                        found.add(candidate)
        if len(found) == 1:
            lines[f.line][f.start : f.end] = list(found.pop())
