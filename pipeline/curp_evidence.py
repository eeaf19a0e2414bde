"""The CURP read against the document's evidence: the OCR readings of a printed CURP
(shape repairs, confusions undone, a spurious glyph dropped, the MRZ's prefix), the one the
document's names, birth date, sex, state and MRZ support (:func:`resolve`), whether that
evidence contradicts a reading (:func:`contradicts`) and where on a page it places a CURP
read too mangled to parse (:func:`evidence_place`).

The rules of the CURP itself (check digit, expected prefix, validation) are
:mod:`pipeline.curp`'s.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from pipeline.curp import (
    SHAPE,
    STATES,
    TO_DIGIT,
    TO_LETTER,
    birth_date_of,
    check_digit,
    expected_prefix,
    repair,
    significant,
)
from pipeline.names import edit_distance

# ---------------------------------------------------------------- resolution with evidence

#: letter pairs OCR confuses; a swap inside a group is only trusted with independent evidence
LETTER_CONFUSIONS = ("ILJ", "ODQ", "EF", "CG", "MN", "UV", "HN", "PR", "BE", "KX")
#: digit pairs OCR confuses (digit positions only; the birth date must confirm them)
DIGIT_CONFUSIONS = ("38", "56", "17", "08", "69", "35")
#: readings of a non-digit glyph in the check-digit position, the usual one first
CHECK_GLYPHS = {
    "O": "0", "D": "0", "Q": "0", "U": "0", "C": "0", "I": "1", "L": "1", "J": "1", "Z": "2",
    "S": "58", "B": "83", "G": "6", "A": "4", "T": "7", "E": "8",
}  # fmt: skip
_ANY_STATE = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$")
#: minimum number of CURP positions the evidence must cover before a repair is trusted
MIN_EVIDENCE = 10


@dataclass(frozen=True)
class Evidence:
    """What the document says about its holder independently of the CURP's characters.

    ``names`` holds (nombre, primer apellido, segundo apellido) per source (printed zone,
    MRZ); ``prefix`` is a passport MRZ's personal number (the CURP's first 14 characters,
    protected by the MRZ's own check digit).
    """

    names: tuple[tuple[str, str, str | None], ...] = ()
    birth_dates: tuple[dt.date, ...] = ()
    sexes: tuple[str, ...] = ()
    prefix: str | None = None
    #: names as an MRZ writes them (Ñ as N): an N there may stand for the CURP's X
    mrz_names: tuple[tuple[str, str, str | None], ...] = ()
    #: RENAPO codes of the state of birth the document prints (a passport's place of birth)
    states: tuple[str, ...] = ()

    def allowed(self) -> list[frozenset[str]]:
        """Per position, the characters the evidence allows (empty: no evidence there).

        >>> ev = Evidence(names=(("Juan", "Pérez", "Gómez"),), birth_dates=(dt.date(2001, 12, 3),))
        >>> "".join(min(a) if a else "?" for a in ev.allowed())
        'PEGJ011203???RMN??'
        >>> sorted(Evidence(mrz_names=(("Ana", "Munoz", "Ruiz"),)).allowed()[13])
        ['N', 'X']
        >>> [sorted(a) for a in Evidence(states=("JC",)).allowed()[11:13]]
        [['J'], ['C']]
        """
        sets: list[set[str]] = [set() for _ in range(18)]
        day = dt.date(2000, 1, 1)
        sources = [(n, False) for n in self.names] + [(n, True) for n in self.mrz_names]
        for (nombre, first, second), folded in sources:
            if not significant(nombre) or not significant(first):
                continue
            expected = expected_prefix(nombre, first, second, day, "H", "NE")
            for i in (0, 1, 2, 3, 13, 14, 15):
                sets[i].add(expected[i])
                if folded and expected[i] == "N":
                    sets[i].add("X")
        for born in self.birth_dates:
            for i, c in enumerate(born.strftime("%y%m%d"), start=4):
                sets[i].add(c)
        for sex in self.sexes:
            if sex and sex[0].upper() in "HMX":
                sets[10].add(sex[0].upper())
        for state in self.states:
            if state in STATES:
                sets[11].add(state[0])
                sets[12].add(state[1])
        if self.prefix and len(self.prefix) == 14:
            for i, c in enumerate(self.prefix):
                sets[i] = {c}
        return [frozenset(s) for s in sets]

    def century_digit(self, yy: str) -> bool | None:
        """Whether the homonym character must be a digit (born before 2000); None: unknown."""
        return _century_digit(self.birth_dates, yy, dt.date.today().year % 100)


@functools.lru_cache(maxsize=1024)
def _century_digit(birth_dates: tuple[dt.date, ...], yy: str, this_yy: int) -> bool | None:
    years = {d.year for d in birth_dates if d.year % 100 == int(yy)} if yy.isdigit() else set()
    if len(years) == 1:
        return years.pop() < 2000
    if yy.isdigit() and int(yy) > this_yy:
        return True
    return None


@dataclass(frozen=True)
class CurpChoice:
    """A CURP chosen from OCR text: how (``method``), and whether its check digit holds.

    ``method``: ``read`` (as printed, letter/digit shape only), ``repaired:<how>`` (a
    confusion undone, confirmed by evidence and the check digit) or ``printed-invalid`` (the
    check digit fails but every other part agrees with the document: what is printed).
    """

    curp: str
    method: str
    check_ok: bool
    token: int  # index of the text it came from

    @property
    def repaired(self) -> bool:
        """A character was changed beyond letter/digit shape."""
        return self.method.startswith("repaired")


@dataclass(frozen=True)
class _Candidate:
    curp: str
    edits: tuple[str, ...]  # kinds of non-trivial edits made ("deletion", "swap@3"...)
    swapped: tuple[int, ...]  # positions changed by a swap (not by shape)
    whole: bool = False  # the reading is a whole printed word (not part of a longer one)


def resolve(texts: list[str], evidence: Evidence) -> CurpChoice | None:
    """Choose the CURP printed in OCR ``texts`` (best source first).

    1. A reading whose check digit holds after letter/digit shape repair only: taken (a
       reading the evidence contradicts is read again by the caller, never rewritten:
       :func:`contradicts`).
    2. Else one or two confusions undone (a letter swap M/N, E/F..., a spurious extra
       glyph, the other reading of a letter in the check position, the MRZ's prefix):
       taken only when the check digit then holds **and** the evidence (names' initials and
       consonants, birth date, sex, MRZ prefix) covers at least ``MIN_EVIDENCE`` positions,
       agrees with every one of them and covers every swapped position. A repair only the
       check digit supports is refused.
    3. Else a reading whose check digit fails but which agrees with all the evidence is
       returned as ``printed-invalid`` (the caller decides whether it was read consistently).

    >>> ev = Evidence(names=(("Noemí", "Núñez", "Luna"),), birth_dates=(dt.date(2002, 2, 13),))
    >>> resolve(["CURP NULNO20213MSRXNMAS"], ev).curp     # S read for 8: evidence + check
    'NULN020213MSRXNMA8'
    >>> resolve(["NULN020213MSRXNMA5"], ev).method      # M->N would fix the check: refused
    'printed-invalid'
    >>> resolve(["NULN020213MSRXNMA5"], Evidence()) is None
    True
    """
    as_read = _read_as_printed(texts, evidence)
    if as_read is not None:
        return as_read
    allowed = _allowed(evidence)
    if sum(1 for chars in allowed if chars) < MIN_EVIDENCE:
        return None  # neither a repair nor a failing check digit is taken without evidence
    printed: CurpChoice | None = None
    confirmed: dict[str, tuple[int, int, _Candidate]] = {}
    for index, text in enumerate(texts):
        # only readings the evidence could agree with (one swap from it at most) are made
        for candidate in _candidates(text, evidence, allowed):
            value = candidate.curp
            check = check_digit(value) == value[17]
            agrees = _agrees(candidate, allowed)
            if check and agrees and value not in confirmed:
                confirmed[value] = (len(candidate.edits), index, candidate)
            elif not check and candidate.whole and not candidate.edits and agrees and not printed:
                printed = CurpChoice(value, "printed-invalid", False, index)
    if confirmed:
        best = min(confirmed.values(), key=lambda item: item[:2])
        ties = [v for v in confirmed.values() if v[0] == best[0]]
        if len(ties) == 1:
            how = "+".join(sorted(set(e.split("@")[0] for e in best[2].edits)))
            return CurpChoice(best[2].curp, f"repaired:{how}", True, best[1])
    return printed


def _contradicted(value: str, allowed: list[frozenset[str]]) -> bool:
    """Does enough evidence cover ``value`` and disagree with it somewhere?"""
    known = [i for i, chars in enumerate(allowed) if chars]
    return len(known) >= MIN_EVIDENCE and any(value[i] not in allowed[i] for i in known)


def contradicts(evidence: Evidence, value: str) -> bool:
    """Does the document's evidence, covering enough of the CURP ``value``, disagree with
    it at some position?

    >>> ev = Evidence(names=(("Raúl", "Villaseñor", "Cohen"),), birth_dates=(dt.date(1975, 8, 31),))
    >>> contradicts(ev, "MICR750831HDFLHL45"), contradicts(ev, "VICR750831HDFLHL45")
    (True, False)
    """
    return len(value) == 18 and _contradicted(value, _allowed(evidence))


def readings(texts: list[str], evidence: Evidence) -> set[str]:
    """Every CURP-shaped reading of ``texts`` (shape repairs, one confusion, a spurious
    glyph, the MRZ prefix) that ends its printed word: what a second, independent reading
    is compared with."""
    return {c.curp for text in texts for c in _candidates(text, evidence, whole_only=True)}


def _agrees(candidate: _Candidate, allowed: list[frozenset[str]]) -> bool:
    """Evidence covers enough positions, every swapped one, and agrees with all of them."""
    known = [i for i, chars in enumerate(allowed) if chars]
    if len(known) < MIN_EVIDENCE:
        return False
    if any(candidate.curp[i] not in allowed[i] for i in known):
        return False
    return all(i in known for i in candidate.swapped)


def _read_as_printed(texts: list[str], evidence: Evidence) -> CurpChoice | None:
    """The first 18-glyph window of ``texts`` whose check digit holds after letter/digit
    shape repair alone (:func:`resolve`'s first rule), without making any other reading."""
    for index, text in enumerate(texts):
        squashed, _ = _squash_words(text)
        for start in range(0, max(0, len(squashed) - 17)):
            value = _shape(squashed[start : start + 18], evidence)
            if value is not None and check_digit(value) == value[17] and _plausible(value):
                return CurpChoice(value, "read", True, index)
    return None


def _candidates(
    text: str,
    evidence: Evidence,
    near: list[frozenset[str]] | None = None,
    whole_only: bool = False,
) -> Iterator[_Candidate]:
    """Every CURP-shaped reading of ``text``: 18-character windows (19-20 with spurious
    glyphs dropped), shape-repaired, plus single swaps and the MRZ-prefix reading. Only a
    window that ends a printed word can be taken as printed with a failing check digit.
    With ``near`` (the evidence's allowed characters per position), only the windows that
    differ from it in at most one covered position are read (:func:`_deletions_near`); with
    ``whole_only``, only the windows that end a printed word."""
    squashed, bounds = _squash_words(text)
    for size, extra in ((18, 0), (19, 1), (20, 2)):
        for start in range(0, max(0, len(squashed) - size + 1)):
            window = squashed[start : start + size]
            whole = _ends_word(squashed, start + size, bounds)
            if whole_only and not whole:
                continue
            raws = (
                _deletions(window, extra) if near is None else _deletions_near(window, extra, near)
            )
            for raw in raws:
                yield from _readings(raw, ("deletion",) * extra, evidence, whole)
            if evidence.prefix and len(evidence.prefix) == 14:
                yield from _with_prefix(window, evidence, whole)


def _ends_word(squashed: str, end: int, bounds: set[int]) -> bool:
    """A window ending at ``end`` ends its word, but for doubled glyphs (``0O`` for 0).

    >>> _ends_word("ABC00", 4, {0, 5}), _ends_word("ABC09", 4, {0, 5})
    (True, False)
    """
    stop = min(b for b in bounds | {len(squashed)} if b >= end)
    return all(_doubled(squashed[: i + 1], i) for i in range(end, stop))


def _squash_words(text: str) -> tuple[str, set[int]]:
    """:func:`_squash` of each word, joined, and the offsets where words start and end."""
    words = [w for w in (_squash(part) for part in str(text).split()) if w]
    squashed, bounds, offset = "", {0}, 0
    for word in words:
        squashed += word
        offset += len(word)
        bounds.add(offset)
    return squashed, bounds


def evidence_match(text: str, evidence: Evidence) -> int:
    """How many of a CURP's first 13 characters (names, birth date, sex, state) the evidence
    allows in ``text``, at its best word start, each character shaped for its position (O
    where a digit goes is 0): where a CURP is printed whose reading is too mangled to parse.

    >>> ev = Evidence(names=(("Noé", "Ramos", "Cervantes"),), birth_dates=(dt.date(2005, 11, 7),),
    ...               sexes=("H",), states=("CC",))
    >>> evidence_match("RACNOS! 107HCC", ev), evidence_match("CURP RACN051107HCCMRXA2", ev)
    (13, 13)
    >>> evidence_match("07 NOV 2005", ev) < 4, evidence_match("MEXICANA", ev) < 4
    (True, True)
    """
    allowed = evidence.allowed()[:13]
    squashed, bounds = _squash_words(text)
    best = 0
    for start in sorted(b for b in bounds if b < len(squashed)):
        window = squashed[start : start + 13]
        shaped = [
            c.translate(_DIGIT_TABLE if SHAPE[i] == "D" else _LETTER_TABLE)
            for i, c in enumerate(window)
        ]
        best = max(best, sum(1 for c, ok in zip(shaped, allowed, strict=False) if ok and c in ok))
    return best


@dataclass(frozen=True)
class Placement:
    """Where in a CURP a phrase's text best fits the evidence: from the squashed text's
    character ``start`` (a word start), as the CURP's character ``offset``; ``matches`` of the
    ``covered`` positions (those the evidence speaks of) there agree."""

    matches: int = 0
    covered: int = 0
    start: int = 0
    offset: int = 0


def evidence_place(text: str, evidence: Evidence) -> Placement:
    """The best :class:`Placement` of ``text`` in the CURP the evidence predicts (its first
    16 characters: names, birth date, sex, state, inner consonants): a CURP read too mangled
    to parse, or read from its middle on, its first characters split off or dropped.

    >>> ev = Evidence(names=(("Noé", "Ramos", "Cervantes"),), birth_dates=(dt.date(2005, 11, 7),),
    ...               sexes=("H",), states=("CC",))
    >>> evidence_place("RACNOS! 107HCC", ev).matches
    13
    >>> p = evidence_place("Persoraj 1107HCCMRX", ev); (p.matches, p.start, p.offset)
    (10, 8, 6)
    >>> evidence_place("MEXICANA", ev).matches < 4
    True
    >>> evidence_place("cure RACN05107HCCMRX AÑO", ev).matches  # one 1 dropped
    15
    """
    allowed = evidence.allowed()[:16]
    squashed, bounds = _squash_words(text)
    best = Placement()
    for start in sorted(b for b in bounds if b < len(squashed)):
        for offset in range(13):
            window = squashed[start : start + 17 - offset]
            # read whole from a word start, a character may have been dropped or added
            variants = _one_slip(window) if offset == 0 else [window]
            for matches, covered in (_agreeing(v, offset, allowed) for v in variants):
                if matches > best.matches:
                    best = Placement(matches, covered, start, offset)
    return best


def _one_slip(window: str) -> list[str]:
    """``window`` as read, and with one character dropped or one missing (``?``) at each
    place: ``GOCS53015HSRNSL`` for ``GOCS530115HSRNSL``."""
    return [window] + [
        window[:k] + gap + window[k + len(drop) :]
        for k in range(1, len(window))
        for gap, drop in (("?", ""), ("", "x"))
    ]


def _agreeing(window: str, offset: int, allowed: list[frozenset[str]]) -> tuple[int, int]:
    """How many characters of ``window``, placed at the CURP's ``offset``, the evidence allows
    (each shaped for its position), and of how many it speaks."""
    slots = list(zip(window, SHAPE[offset:], allowed[offset:], strict=False))
    matches = sum(
        1
        for c, shape, ok in slots
        if ok and c.translate(_DIGIT_TABLE if shape == "D" else _LETTER_TABLE) in ok
    )
    return matches, sum(1 for _, _, ok in slots if ok)


def ocr_glyphs(text: str) -> str:
    """Glyphs the OCR reads for a letter, inside a word, put back: ``)`` ``]`` ``}`` ``/``
    between letters or digits for J (its hook), ``¡`` ``|`` ``!`` for I.

    >>> ocr_glyphs("ROSG810920HBC)NLO8 IADJ490601H/CBZRO1 GUAGO40317HQTTCLA!")
    'ROSG810920HBCJNLO8 IADJ490601HJCBZRO1 GUAGO40317HQTTCLAI'
    >>> ocr_glyphs("15/03/1990 (CURP)")
    '15J03J1990 (CURP)'
    """
    text = re.sub(r"(?<=[A-Za-z0-9])[)\]}/](?=[A-Za-z0-9])", "J", str(text))
    return re.sub(r"[¡|]|(?<=[A-Za-z0-9])!", "I", text)


def _squash(text: str) -> str:
    """Upper-case letters and digits only; glyphs read for a letter kept (:func:`ocr_glyphs`)."""
    text = ocr_glyphs(str(text)).upper()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[^A-Z0-9Ñ]", "", text)


def _deletions(window: str, extra: int) -> list[str]:
    """``window`` with ``extra`` characters dropped, each allowed way (distinct results).

    Past the 16th character (homonym and check digit, which no evidence covers) only a
    doubled glyph may be dropped (``0O`` for one 0, ``S5``), never a character that merely
    makes the check digit hold.

    >>> [d[15:] for d in _deletions("ABCDEFGHIJKLMNOP0O4", 1) if d.startswith("ABCDEFGHIJKLMNOP")]
    ['P04', 'PO4']
    >>> "ABCDEFGHIJKLMNOPG6" in _deletions("ABCDEFGHIJKLMNOPOG6", 1)
    False
    """
    return _dropping(window, combinations(range(len(window)), extra))


def _deletions_near(window: str, extra: int, allowed: list[frozenset[str]]) -> list[str]:
    """The :func:`_deletions` of ``window`` whose characters, shaped for their positions,
    the evidence ``allowed`` contradicts in at most one covered position (what one swap can
    still mend); the others are never made. Counted from running sums of the mismatches at
    each shift (0, 1 or 2 glyphs dropped before a position), not glyph by glyph.

    >>> ev = Evidence(names=(("Noemí", "Núñez", "Luna"),), birth_dates=(dt.date(2002, 2, 13),))
    >>> near = _deletions_near("NULN0202113MSRXNMA8", 1, ev.allowed())
    >>> "NULN020213MSRXNMA8" in near, len(near), len(_deletions("NULN0202113MSRXNMA8", 1))
    (True, 6, 15)
    >>> len(_deletions_near("XNULN0202113MSRXNMA", 2, ev.allowed()))  # of 104
    7
    >>> _deletions_near("XXXX0202113MSRXNMA8", 1, ev.allowed())
    []
    """
    sums = [_running_mismatches(window, shift, allowed) for shift in range(extra + 1)]

    def near(dropped: tuple[int, ...]) -> bool:
        # result positions before the first drop read shift 0, between the drops 1, after 2
        count, start = 0, 0
        for shift, edge in enumerate(i - k for k, i in enumerate(dropped)):
            count += sums[shift][edge] - sums[shift][start]
            start = edge
        return count + sums[extra][18] - sums[extra][start] <= 1

    return _dropping(window, filter(near, combinations(range(len(window)), extra)))


def _running_mismatches(window: str, shift: int, allowed: list[frozenset[str]]) -> list[int]:
    """Running count, over CURP positions 0-17, of the covered positions whose character,
    read ``shift`` glyphs further along ``window`` and shaped for its position, the evidence
    does not allow (19 entries, the first 0)."""
    sums = [0]
    for i in range(18):
        chars = allowed[i]
        glyph = window[i + shift] if i + shift < len(window) else ""
        shaped = glyph.translate(_DIGIT_TABLE if SHAPE[i] == "D" else _LETTER_TABLE)
        sums.append(sums[-1] + int(bool(chars) and shaped not in chars))
    return sums


def _dropping(window: str, drops: Iterable[tuple[int, ...]]) -> list[str]:
    """``window`` without each of ``drops`` that :func:`_deletions`' rule allows, distinct."""
    results = set()
    for dropped in drops:
        if all(i < 16 or _doubled(window, i) for i in dropped):
            results.add("".join(c for i, c in enumerate(window) if i not in dropped))
    return sorted(results)


def _doubled(text: str, i: int) -> bool:
    """``text[i]`` looks like a neighbour (same digit once O/0, S/5, I/1... are merged)."""
    glyph = TO_DIGIT.get(text[i], text[i])
    return any(
        0 <= j < len(text) and TO_DIGIT.get(text[j], text[j]) == glyph for j in (i - 1, i + 1)
    )


def _readings(
    raw: str, edits: tuple[str, ...], evidence: Evidence, whole: bool = False
) -> list[_Candidate]:
    """The shape-repaired reading of 18 raw characters and its single-swap variants."""
    base = _shape(raw, evidence)
    if base is None:
        return []
    found = [_Candidate(base, edits, (), whole)] if _plausible(base) else []
    if len(edits) >= 2:
        return found
    # an evidence swap only on a whole printed word read without dropped glyphs: a window
    # cut across words, or shortened, plus a free substitution fits the check digit by chance
    pinned = _evidence_swaps(base, evidence) if whole and not edits else []
    for i, alt in _swaps(raw, base) + pinned:
        value = _homonym_by_century(base[:i] + alt + base[i + 1 :], evidence)
        if _plausible(value):
            swapped = () if i == 17 else (i,)
            found.append(_Candidate(value, (*edits, f"swap@{i}"), swapped, whole))
    # a letter in the check position has more than one digit reading (S: 5 or 8), each
    # with the evidence's pinned characters
    for check in CHECK_GLYPHS.get(raw[17], "")[1:] if pinned else ():
        for i, alt in pinned:
            value = base[:i] + alt + base[i + 1 : 17] + check
            if _plausible(value):
                found.append(_Candidate(value, ("swap@17", f"swap@{i}"), (i,), whole))
    return found


def _homonym_by_century(value: str, evidence: Evidence) -> str:
    """The homonym character read again for the value's birth year (a swap in the year may
    change the century it implies: a digit before 2000, a letter from 2000).

    >>> _homonym_by_century("TEBM660419MDFRCNO5", Evidence())
    'TEBM660419MDFRCN05'
    """
    digit = evidence.century_digit(value[4:6])
    table = _DIGIT_TABLE if digit is True else _LETTER_TABLE if digit is False else None
    return value if table is None else value[:16] + value[16].translate(table) + value[17:]


def _shape(raw: str, evidence: Evidence) -> str | None:
    """Letters where letters go, digits where digits go, the homonym by the century."""
    fixed = repair(raw)
    if fixed is None:
        return None
    value = fixed.curp
    digit = evidence.century_digit(value[4:6])
    homonym = raw[16]
    if digit is True:
        homonym = homonym.translate(_DIGIT_TABLE)
    elif digit is False:
        homonym = homonym.translate(_LETTER_TABLE)
    check = value[17] if value[17].isdigit() else CHECK_GLYPHS.get(value[17], value[17])[0]
    return value[:16] + homonym + check


_DIGIT_TABLE = str.maketrans(TO_DIGIT)
_LETTER_TABLE = str.maketrans(TO_LETTER)


def _swaps(raw: str, base: str) -> list[tuple[int, str]]:
    """(position, character) of each single confusion worth trying."""
    swaps: list[tuple[int, str]] = []
    for i in range(17):
        groups = DIGIT_CONFUSIONS if SHAPE[i] == "D" else LETTER_CONFUSIONS
        for group in groups:
            if base[i] in group:
                swaps.extend((i, alt) for alt in group if alt != base[i])
    glyph = raw[17]
    if not glyph.isdigit():
        swaps.extend((17, alt) for alt in CHECK_GLYPHS.get(glyph, "")[1:])
    return swaps


def _evidence_swaps(base: str, evidence: Evidence) -> list[tuple[int, str]]:
    """(position, character) where the document's own evidence pins one character (a name's
    initial or inner consonant, a birth-date digit, the sex) and the reading has another: an
    OCR misreading no confusion table lists (R read as A). Like every swap it is taken only
    when the check digit then holds and all the other evidence agrees (:func:`resolve`).

    >>> ev = Evidence(names=(("Raúl", "Peña", "Luna"),), birth_dates=(dt.date(1971, 12, 28),))
    >>> _evidence_swaps("PELA711228HGTXNL08", ev)
    [(3, 'R')]
    """
    swaps = []
    for i, chars in enumerate(_allowed(evidence)):
        if len(chars) == 1 and base[i] not in chars:
            swaps.append((i, next(iter(chars))))
    return swaps


@functools.lru_cache(maxsize=64)
def _allowed(evidence: Evidence) -> list[frozenset[str]]:
    return evidence.allowed()


def _plausible(value: str) -> bool:
    """CURP-shaped with a real state and a birth date that is not in the future (a digit
    homonym read as a letter, O for 0, dates the birth a century later; both weigh the same
    in the check digit).

    >>> _plausible("TEBM660419MDFRCN05"), _plausible("TEBM660419MDFRCNO5")
    (True, False)
    """
    born = birth_date_of(value)
    return (
        bool(_ANY_STATE.match(value))
        and value[11:13] in STATES
        and born is not None
        and born <= dt.date.today()
    )


def _with_prefix(window: str, evidence: Evidence, whole: bool = False) -> list[_Candidate]:
    """A passport's MRZ prefix followed by what a printed line has after its best match of
    the prefix (up to four slips): the last four characters, one spurious glyph dropped."""
    prefix = evidence.prefix or ""
    if len(window) not in (18, 19) or window.startswith(prefix):
        return []
    slips, end = min((edit_distance(window[:k], prefix, limit=5), -k) for k in range(12, 17))
    if slips > 4:
        return []
    extra = len(window) + end - 4
    if extra not in (0, 1):
        return []
    found = []
    for raw in _deletions(prefix + window[-end:], extra):
        value = _shape(raw, evidence) if raw.startswith(prefix) else None
        if value is None or not _plausible(value):
            continue
        found.append(_Candidate(value, ("mrz-prefix",), (), whole))
        # a letter read in the check position has more than one digit reading (S: 5 or 8)
        for alt in CHECK_GLYPHS.get(raw[17], "")[1:]:
            found.append(_Candidate(value[:17] + alt, ("mrz-prefix", "swap@17"), (), whole))
    return found
