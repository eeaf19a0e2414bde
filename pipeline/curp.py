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
from dataclasses import dataclass, field

from pipeline.names import PARTICLES  # particles: skipped (DE LA CRUZ -> CRUZ)

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


def significant(name: str, skip_common: bool = False) -> str:
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
    first = significant(primer_apellido)
    second = significant(segundo_apellido or "")
    given = significant(nombre, skip_common=True)
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

TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5"}
TO_DIGIT |= {"B": "8", "G": "6", "A": "4", "T": "7"}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
#: per position: L = letter, D = digit, * = either (the homonym character)
SHAPE = "LLLLDDDDDDLLLLLL*D"


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
    for i, kind in enumerate(SHAPE):
        table = {"D": TO_DIGIT, "L": TO_LETTER}.get(kind, {})
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
    target = significant(name, skip_common=given)
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
    word = significant(value, skip_common=part == "nombre")
    if not word:
        return part == "segundo_apellido" and curp[2] == "X"
    initial, consonant = PART_POSITIONS[part]
    inner = _inner(word, vowels=False)
    return curp[initial] == _x(word[0]) and curp[consonant] in {
        inner,
        "X" if inner == "N" else inner,
    }
