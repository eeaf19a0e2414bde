"""The CURP (Clave Única de Registro de Población): validation, expected prefix, OCR repair.

Layout of the 18 characters::

    G A L A 8 5 0 1 0 1 M D F L P N 0 3
    | | | | '----.----' | '-.-' '-.-' | '- check digit (0-9)
    | | | |   YYMMDD    |  state  |   '--- homonym: digit if born before 2000, letter from 2000
    | | | |             sex       '------- first inner consonants: 1st surname, 2nd, given name
    | | | '- initial of the (first usable) given name
    | | '--- initial of the second surname (X when none)
    '-'----- initial and first inner vowel of the first surname

>>> check_digit("SABC560626MDFLRN0"), check_digit("MOTR930411HJCRMN0")
('1', '3')
>>> v = validate("GALA850101MDFLPN03")
>>> v.valid, v.birth_date, v.sex, v.state
(False, datetime.date(1985, 1, 1), 'M', 'DF')
>>> v.problems
['check_digit']
>>> validate("GALA850101MDFLPN0" + check_digit("GALA850101MDFLPN0")).valid
True
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations

from pipeline.names import PARTICLES, edit_distance  # particles: skipped (DE LA CRUZ -> CRUZ)

ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}

#: RENAPO state codes (entidad de nacimiento); NE = born abroad
STATES: dict[str, str] = {
    "AS": "AGUASCALIENTES", "BC": "BAJA CALIFORNIA", "BS": "BAJA CALIFORNIA SUR",
    "CC": "CAMPECHE", "CL": "COAHUILA", "CM": "COLIMA", "CS": "CHIAPAS", "CH": "CHIHUAHUA",
    "DF": "CIUDAD DE MEXICO", "DG": "DURANGO", "GT": "GUANAJUATO", "GR": "GUERRERO",
    "HG": "HIDALGO", "JC": "JALISCO", "MC": "ESTADO DE MEXICO", "MN": "MICHOACAN",
    "MS": "MORELOS", "NT": "NAYARIT", "NL": "NUEVO LEON", "OC": "OAXACA", "PL": "PUEBLA",
    "QT": "QUERETARO", "QR": "QUINTANA ROO", "SP": "SAN LUIS POTOSI", "SL": "SINALOA",
    "SR": "SONORA", "TC": "TABASCO", "TS": "TAMAULIPAS", "TL": "TLAXCALA", "VZ": "VERACRUZ",
    "YN": "YUCATAN", "ZS": "ZACATECAS", "NE": "NACIDO EN EL EXTRANJERO",
}  # fmt: skip

_PATTERN = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$")
#: words RENAPO never lets the first four letters spell: their second letter becomes X
INCONVENIENT = frozenset(
    [
        "BACA",
        "BAKA",
        "BUEI",
        "BUEY",
        "CACA",
        "CACO",
        "CAGA",
        "CAGO",
        "CAKA",
        "CAKO",
        "COGE",
        "COGI",
        "COJA",
        "COJE",
        "COJI",
        "COJO",
        "COLA",
        "CULO",
        "FALO",
        "FETO",
        "GETA",
        "GUEI",
        "GUEY",
        "JETA",
        "JOTO",
        "KACA",
        "KACO",
        "KAGA",
        "KAGO",
        "KAKA",
        "KAKO",
        "KOGE",
        "KOGI",
        "KOJA",
        "KOJE",
        "KOJI",
        "KOJO",
        "KOLA",
        "KULO",
        "LILO",
        "LOCA",
        "LOCO",
        "LOKA",
        "LOKO",
        "MAME",
        "MAMO",
        "MEAR",
        "MEAS",
        "MEON",
        "MIAR",
        "MION",
        "MOCO",
        "MOKO",
        "MULA",
        "MULO",
        "NACA",
        "NACO",
        "PEDA",
        "PEDO",
        "PENE",
        "PIPI",
        "PITO",
        "POPO",
        "PUTA",
        "PUTO",
        "QULO",
        "RATA",
        "ROBA",
        "ROBE",
        "ROBO",
        "RUIN",
        "SENO",
        "TETA",
        "VACA",
        "VAGA",
        "VAGO",
        "VAKA",
        "VUEI",
        "VUEY",
        "WUEI",
        "WUEY",
    ]
)
#: first given names skipped when another follows (MARIA GUADALUPE -> G)
COMMON_FIRST_NAMES = frozenset(["MARIA", "MA", "MA.", "M", "M.", "JOSE", "J", "J."])
_VOWELS = "AEIOU"


def check_digit(first17: str) -> str:
    """The CURP check digit of its first 17 characters (weights 18 down to 2).

    >>> check_digit("SABC560626MDFLRN0")
    '1'
    """
    total = sum(_VALUE.get(c, 0) * (18 - i) for i, c in enumerate(first17[:17]))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class CurpValidation:
    """The outcome of validating one CURP: what it encodes and which rules it breaks.

    ``problems`` lists the failed rules among ``format``, ``state``, ``birth_date``,
    ``homonym``, ``check_digit``; empty means valid.
    """

    curp: str
    problems: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    sex: str | None = None
    state: str | None = None

    @property
    def valid(self) -> bool:
        """True when every rule holds."""
        return not self.problems


def normalise(curp: str) -> str:
    """Upper-case without spaces or separators.

    >>> normalise(" gala-850101 mdflpn03 ")
    'GALA850101MDFLPN03'
    """
    return re.sub(r"[\s\-.]", "", str(curp).upper())


def birth_date_of(curp: str) -> dt.date | None:
    """The birth date encoded in positions 5-10; the homonym character fixes the century.

    >>> birth_date_of("GALA050101MDFLPNA3"), birth_date_of("GALA050101MDFLPN03")
    (datetime.date(2005, 1, 1), datetime.date(1905, 1, 1))
    """
    if len(curp) < 17 or not curp[4:10].isdigit():
        return None
    century = 2000 if curp[16].isalpha() else 1900
    try:
        return dt.date(century + int(curp[4:6]), int(curp[6:8]), int(curp[8:10]))
    except ValueError:
        return None


def validate(curp: str) -> CurpValidation:
    """Check a CURP's structure, state code, birth date, homonym rule and check digit."""
    value = normalise(curp)
    if len(value) != 18 or not _PATTERN.match(value):
        return CurpValidation(curp=value, problems=["format"])
    problems = []
    state = value[11:13]
    if state not in STATES:
        problems.append("state")
    born = birth_date_of(value)
    if born is None:
        problems.append("birth_date")
    if not value[16].isalnum():
        problems.append("homonym")
    if value[17] != check_digit(value[:17]):
        problems.append("check_digit")
    return CurpValidation(
        curp=value,
        problems=problems,
        birth_date=born,
        sex=value[10],
        state=state if state in STATES else None,
    )


# ---------------------------------------------------------------- expected CURP from the data


def _plain(text: str) -> str:
    """Upper-case, accents stripped, Ñ kept as Ñ, other symbols dropped."""
    text = str(text).upper().replace("Ñ", "\0")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = text.replace("\0", "Ñ")
    return re.sub(r"[^A-ZÑ ]", "", re.sub(r"[.\-/']", " ", text)).strip()


def _significant(name: str, skip_common: bool = False) -> str:
    """The word of a (compound) name that CURP rules use: particles skipped, MARIA/JOSE too."""
    words = [w for w in _plain(name).split() if w not in PARTICLES]
    if skip_common and len(words) > 1 and words[0] in COMMON_FIRST_NAMES:
        words = words[1:]
    return words[0] if words else ""


def _x(char: str) -> str:
    return "X" if char in ("", "Ñ") else char


def _inner(word: str, vowels: bool) -> str:
    """First inner vowel (or consonant) of a word after its first letter; X when none."""
    for c in word[1:]:
        if (c in _VOWELS) == vowels and c.isalpha():
            return _x(c)
    return "X"


def expected_prefix(
    nombre: str,
    primer_apellido: str,
    segundo_apellido: str | None,
    birth_date: dt.date,
    sex: str,
    state: str,
) -> str:
    """The first 16 characters a CURP must have for these data (all but homonym and check).

    ``sex`` is H/M (or X); ``state`` a RENAPO code (NE if born abroad).

    >>> expected_prefix("María José", "de la Peña", "", dt.date(1990, 5, 17), "M", "DF")
    'PEXJ900517MDFXXS'
    >>> expected_prefix("Juan", "Pérez", "Gómez", dt.date(2001, 12, 3), "H", "JC")
    'PEGJ011203HJCRMN'
    >>> expected_prefix("Ofelia", "Pedrero", "Dominguez", dt.date(1956, 6, 26), "M", "DF")[:4]
    'PXDO'
    """
    first = _significant(primer_apellido)
    second = _significant(segundo_apellido or "")
    given = _significant(nombre, skip_common=True)
    four = _x(first[:1]) + (_inner(first, vowels=True) if first else "X")
    four += _x(second[:1]) + _x(given[:1])
    if four in INCONVENIENT:
        four = four[0] + "X" + four[2:]
    consonants = "".join(_inner(w, vowels=False) if w else "X" for w in (first, second, given))
    return four + birth_date.strftime("%y%m%d") + sex.upper()[:1] + state.upper() + consonants


def agreement(
    curp: str,
    nombre: str,
    primer_apellido: str,
    segundo_apellido: str | None,
    birth_date: dt.date | None,
    sex: str | None,
    state: str | None,
) -> dict[str, bool | None]:
    """Which parts of ``curp`` agree with the person's data (None: that datum was not given).

    Keys: ``initials`` (positions 1-4), ``birth_date``, ``sex``, ``state``, ``consonants``.

    >>> agreement("PEGJ011203HJCRMNA8", "Juan", "Perez", "Gomez", dt.date(2001, 12, 3), "H", None)
    {'initials': True, 'birth_date': True, 'sex': True, 'state': None, 'consonants': True}
    """
    value = normalise(curp)
    day = birth_date or dt.date(2000, 1, 1)
    expected = expected_prefix(
        nombre, primer_apellido, segundo_apellido, day, sex or "H", state or "NE"
    )
    born = birth_date_of(value) if len(value) == 18 else None
    return {
        "initials": value[:4] == expected[:4],
        "birth_date": None if birth_date is None else born == birth_date,
        "sex": None if not sex else value[10:11] == sex.upper()[:1],
        "state": None if not state else value[11:13] == state.upper(),
        "consonants": value[13:16] == expected[13:16],
    }


# ---------------------------------------------------------------- OCR repair

_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5"}
_TO_DIGIT |= {"B": "8", "G": "6", "A": "4", "T": "7"}
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
#: per position: L = letter, D = digit, * = either (the homonym character)
_SHAPE = "LLLLDDDDDDLLLLLL*D"


@dataclass(frozen=True)
class CurpRepair:
    """A CURP read by OCR after position-wise repair, with the positions (0-based) changed."""

    curp: str
    changed: tuple[int, ...]
    check_ok: bool


@functools.lru_cache(maxsize=4096)
def repair(read: str) -> CurpRepair | None:
    """Fix letter/digit confusions by position (O->0 in the date, 0->O in the names...).

    Returns None when ``read`` is not 18 characters after removing spaces. ``check_ok`` says
    whether the check digit holds after the repair.

    >>> repair("GALA85O1OIMDFLPN0" + check_digit("GALA850101MDFLPN0"))
    CurpRepair(curp='GALA850101MDFLPN04', changed=(6, 8, 9), check_ok=True)
    >>> repair("GALA850101MDFLPN03").check_ok
    False

    Letter-for-letter confusions (M/N, E/F...) are *not* undone here: the check digit alone
    would pick the wrong one in one case out of ten; :func:`resolve` does that with evidence.
    """
    value = normalise(read)
    if len(value) != 18:
        return None
    chars = list(value)
    for i, kind in enumerate(_SHAPE):
        table = {"D": _TO_DIGIT, "L": _TO_LETTER}.get(kind, {})
        chars[i] = table.get(chars[i], chars[i])
    fixed = "".join(chars)
    changed = tuple(i for i in range(18) if fixed[i] != value[i])
    return CurpRepair(curp=fixed, changed=changed, check_ok=check_digit(fixed) == fixed[17])


def find_curps(text: str) -> list[str]:
    """Every 18-character CURP-shaped token in OCR text (before repair), in order.

    >>> find_curps("CURP GALA85O1O1MDFLPN03 CLAVE")
    ['GALA85O1O1MDFLPN03']
    """
    tokens = re.findall(r"(?<![A-Z0-9Ñ])[A-Z0-9Ñ]{18}(?![A-Z0-9Ñ])", str(text).upper())
    return [t for t in tokens if (r := repair(t)) is not None and _PATTERN.match(r.curp)]


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
            if not _significant(nombre) or not _significant(first):
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
        years = {d.year for d in self.birth_dates if d.strftime("%y") == yy}
        if len(years) == 1:
            return years.pop() < 2000
        if yy.isdigit() and int(yy) > dt.date.today().year % 100:
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

    1. A reading whose check digit holds after letter/digit shape repair only: taken,
       unless the evidence contradicts it and a repair as in 2 agrees with all of it (V
       read as M at the start keeps the check digit: their values differ by 10).
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
    >>> ev = Evidence(names=(("Raúl", "Villaseñor", "Cohen"),), birth_dates=(dt.date(1975, 8, 31),))
    >>> check_digit("MICR750831HDFLHL4"), check_digit("VICR750831HDFLHL4")
    ('5', '5')
    >>> resolve(["MICR750831HDFLHL45"], ev).curp, resolve(["MICR750831HDFLHL45"], Evidence()).curp
    ('VICR750831HDFLHL45', 'MICR750831HDFLHL45')
    """
    allowed = evidence.allowed()
    printed: CurpChoice | None = None
    contradicted: CurpChoice | None = None
    confirmed: dict[str, tuple[int, int, _Candidate]] = {}
    for index, text in enumerate(texts):
        for candidate in _candidates(text, evidence):
            value = candidate.curp
            check = check_digit(value) == value[17]
            if check and not candidate.edits:
                if not _contradicted(value, allowed):
                    return CurpChoice(value, "read", True, index)
                contradicted = contradicted or CurpChoice(value, "read", True, index)
                continue
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
    return contradicted or printed


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
    return {c.curp for text in texts for c in _candidates(text, evidence) if c.whole}


def _agrees(candidate: _Candidate, allowed: list[frozenset[str]]) -> bool:
    """Evidence covers enough positions, every swapped one, and agrees with all of them."""
    known = [i for i, chars in enumerate(allowed) if chars]
    if len(known) < MIN_EVIDENCE:
        return False
    if any(candidate.curp[i] not in allowed[i] for i in known):
        return False
    return all(i in known for i in candidate.swapped)


def _candidates(text: str, evidence: Evidence) -> Iterator[_Candidate]:
    """Every CURP-shaped reading of ``text``: 18-character windows (19-20 with spurious
    glyphs dropped), shape-repaired, plus single swaps and the MRZ-prefix reading. Only a
    window that ends a printed word can be taken as printed with a failing check digit.

    Lazily, in that order: :func:`resolve` stops at a reading that holds as read, before the
    costlier 19- and 20-glyph windows are made."""
    squashed, bounds = _squash_words(text)
    for size, extra in ((18, 0), (19, 1), (20, 2)):
        for start in range(0, max(0, len(squashed) - size + 1)):
            window = squashed[start : start + size]
            whole = _ends_word(squashed, start + size, bounds)
            for raw in _deletions(window, extra):
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
            c.translate(_DIGIT_TABLE if _SHAPE[i] == "D" else _LETTER_TABLE)
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
    slots = list(zip(window, _SHAPE[offset:], allowed[offset:], strict=False))
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
    results = set()
    for dropped in combinations(range(len(window)), extra):
        if all(i < 16 or _doubled(window, i) for i in dropped):
            results.add("".join(c for i, c in enumerate(window) if i not in dropped))
    return sorted(results)


def _doubled(text: str, i: int) -> bool:
    """``text[i]`` looks like a neighbour (same digit once O/0, S/5, I/1... are merged)."""
    glyph = _TO_DIGIT.get(text[i], text[i])
    return any(
        0 <= j < len(text) and _TO_DIGIT.get(text[j], text[j]) == glyph for j in (i - 1, i + 1)
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


_DIGIT_TABLE = str.maketrans(_TO_DIGIT)
_LETTER_TABLE = str.maketrans(_TO_LETTER)


def _swaps(raw: str, base: str) -> list[tuple[int, str]]:
    """(position, character) of each single confusion worth trying."""
    swaps: list[tuple[int, str]] = []
    for i in range(17):
        groups = DIGIT_CONFUSIONS if _SHAPE[i] == "D" else LETTER_CONFUSIONS
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


# ---------------------------------------------------------------- Ñ from the CURP

#: CURP position of the first inner consonant of each name part
CONSONANT_POSITIONS = {"primer_apellido": 13, "segundo_apellido": 14, "nombre": 15}


def restore_enye(name: str, curp_char: str, given: bool = False) -> str:
    """Put back the Ñ an OCR (or an MRZ) dropped, when the CURP says so: RENAPO writes X
    for a first inner consonant Ñ, so an X where the name's first inner consonant reads N
    means that N is an Ñ. Only the word the CURP rules use is touched.

    >>> restore_enye("PENA", "X"), restore_enye("DE LA PENA", "X"), restore_enye("PENA", "N")
    ('PEÑA', 'DE LA PEÑA', 'PENA')
    >>> restore_enye("MARIA INAKI", "X", given=True), restore_enye("ORDONEZ", "X")
    ('MARIA IÑAKI', 'ORDONEZ')
    """
    return name if curp_char != "X" else _first_inner_consonant(name, given, "N", "Ñ")


def drop_unconfirmed_enye(name: str, curp_char: str, given: bool = False) -> str:
    """The reverse of :func:`restore_enye`: a Ñ read as the first inner consonant of the
    word the CURP rules use, where the CURP has another letter than X, is an N.

    >>> drop_unconfirmed_enye("SAÑCHEZ", "N"), drop_unconfirmed_enye("PEÑA", "X")
    ('SANCHEZ', 'PEÑA')
    >>> drop_unconfirmed_enye("MONTAÑO", "N"), drop_unconfirmed_enye("MARÍA IÑAKI", "N", given=True)
    ('MONTAÑO', 'MARÍA INAKI')
    """
    return name if curp_char == "X" else _first_inner_consonant(name, given, "Ñ", "N")


def _first_inner_consonant(name: str, given: bool, old: str, new: str) -> str:
    """``name`` with the first inner consonant of the word the CURP rules use turned from
    ``old`` into ``new`` (upper-case letters; the case of the name is kept), when it is ``old``."""
    words = name.split()
    target = _significant(name, skip_common=given)
    for index, word in enumerate(words):
        if _plain(word) != target or not target:
            continue
        for position, char in enumerate(word[1:], start=1):
            if char.upper() in _VOWELS or not char.isalpha() or _plain(char) in _VOWELS:
                continue
            if char.upper() == old:
                swapped = new if char.isupper() else new.lower()
                words[index] = word[:position] + swapped + word[position + 1 :]
            return " ".join(words)
    return name


#: CURP positions each name part decides: (initial, [inner vowel,] inner consonant)
PART_POSITIONS = {"primer_apellido": (0, 13), "segundo_apellido": (2, 14), "nombre": (3, 15)}


def part_agrees(part: str, value: str, curp: str) -> bool:
    """The CURP's letters for one name part (its initial and first inner consonant; an
    MRZ's N may be the CURP's X for Ñ) agree with ``value``.

    >>> part_agrees("nombre", "MARIBEL", "SAEM650424MTLNSR08"), part_agrees("nombre", "LUCIA", "SAEM650424MTLNSR08")
    (True, False)
    >>> part_agrees("primer_apellido", "MUNOZ", "MUXA900101MDFXRN05")
    True
    """
    if len(curp) != 18 or part not in PART_POSITIONS:
        return False
    word = _significant(value, skip_common=part == "nombre")
    if not word:
        return part == "segundo_apellido" and curp[2] == "X"
    initial, consonant = PART_POSITIONS[part]
    inner = _inner(word, vowels=False)
    return curp[initial] == _x(word[0]) and curp[consonant] in {
        inner,
        "X" if inner == "N" else inner,
    }
