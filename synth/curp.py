"""CURP (Clave Única de Registro de Población) built from a person's data, per RENAPO rules.

Kept apart from ``pipeline/curp.py`` on purpose: fixtures built by the validator's own code
could not catch its mistakes, so the generator carries its own reading of the rules.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VOWELS = "AEIOU"
#: Particles skipped in compound surnames and names (RENAPO instructivo).
_PARTICLES = {
    "DA",
    "DAS",
    "DE",
    "DEL",
    "DER",
    "DI",
    "DIE",
    "DD",
    "EL",
    "LA",
    "LAS",
    "LE",
    "LES",
    "LOS",
    "MAC",
    "MC",
    "VAN",
    "VON",
    "Y",
}
#: Given names skipped when a compound name starts with them.
_COMMON_FIRST = {"MARIA", "MA", "MA.", "M", "M.", "JOSE", "J", "J."}
#: Words RENAPO forbids in the first four letters: the second letter becomes X.
INCONVENIENT = set(
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
#: RENAPO two-letter codes of the states of birth (NE = born abroad).
STATES = {
    "AS": "AGUASCALIENTES",
    "BC": "BAJA CALIFORNIA",
    "BS": "BAJA CALIFORNIA SUR",
    "CC": "CAMPECHE",
    "CL": "COAHUILA",
    "CM": "COLIMA",
    "CS": "CHIAPAS",
    "CH": "CHIHUAHUA",
    "DF": "CIUDAD DE MÉXICO",
    "DG": "DURANGO",
    "GT": "GUANAJUATO",
    "GR": "GUERRERO",
    "HG": "HIDALGO",
    "JC": "JALISCO",
    "MC": "ESTADO DE MÉXICO",
    "MN": "MICHOACÁN",
    "MS": "MORELOS",
    "NT": "NAYARIT",
    "NL": "NUEVO LEÓN",
    "OC": "OAXACA",
    "PL": "PUEBLA",
    "QT": "QUERÉTARO",
    "QR": "QUINTANA ROO",
    "SP": "SAN LUIS POTOSÍ",
    "SL": "SINALOA",
    "SR": "SONORA",
    "TC": "TABASCO",
    "TS": "TAMAULIPAS",
    "TL": "TLAXCALA",
    "VZ": "VERACRUZ",
    "YN": "YUCATÁN",
    "ZS": "ZACATECAS",
    "NE": "NACIDO EN EL EXTRANJERO",
}


def plain(text: str) -> str:
    """Uppercase ASCII letters and spaces, keeping Ñ (accents and dieresis removed).

    >>> plain("Peña Ibáñez, Müller")
    'PEÑA IBAÑEZ MULLER'
    """
    out = []
    for ch in text.upper():
        if ch == "Ñ":
            out.append(ch)
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base if base.isalpha() or base == " " else " ")
    return " ".join("".join(out).split())


def unaccent(text: str) -> str:
    """Uppercase without accents, keeping Ñ, digits and punctuation (as cards print addresses).

    >>> unaccent("Constitución de 1917, Cuauhtémoc")
    'CONSTITUCION DE 1917, CUAUHTEMOC'
    """
    out = []
    for ch in text.upper():
        out.append(ch if ch == "Ñ" else unicodedata.normalize("NFD", ch)[0])
    return "".join(out)


def _key_word(text: str, skip_common: bool = False) -> str:
    """The word of a (possibly compound) name that RENAPO uses for the CURP."""
    words = [w for w in plain(text).split() if w not in _PARTICLES] or plain(text).split()
    if skip_common and len(words) > 1 and words[0] in _COMMON_FIRST:
        words = words[1:]
    return words[0] if words else "X"


def _inner_vowel(word: str) -> str:
    return next((c for c in word[1:] if c in _VOWELS), "X")


def _inner_consonant(word: str) -> str:
    found = next((c for c in word[1:] if c.isalpha() and c not in _VOWELS), "X")
    return "X" if found == "Ñ" else found


def check_digit(curp17: str) -> str:
    """The CURP check digit over its first 17 characters.

    >>> check_digit("SABC560626MDFLRN0")
    '1'
    >>> check_digit("MOTR930411HJCRMN0")
    '3'
    """
    total = sum(CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(curp17[:17]))
    return str((10 - total % 10) % 10)


def with_check_digit(curp17: str) -> str:
    """``curp17`` followed by its check digit.

    >>> with_check_digit("SABC560626MDFLRN0")
    'SABC560626MDFLRN01'
    """
    return curp17[:17] + check_digit(curp17)


def build_curp(
    nombre: str,
    primer_apellido: str,
    segundo_apellido: str,
    birth: dt.date,
    sexo: str,
    state: str,
    homonym: str | None = None,
) -> str:
    """The CURP of a person, with the homonym character (digit before 2000, letter from 2000).

    >>> build_curp("Concepción", "Salgado", "Briseño", dt.date(1956, 6, 26), "M", "DF")
    'SABC560626MDFLRN01'
    >>> build_curp("René", "Moreno", "Tamayo", dt.date(1993, 4, 11), "H", "JC")[:17]
    'MOTR930411HJCRMN0'
    >>> build_curp("María José", "de la Cruz", "", dt.date(2001, 2, 3), "M", "DF")[:16]
    'CUXJ010203MDFRXS'
    """
    first = _key_word(primer_apellido)
    second = _key_word(segundo_apellido) if plain(segundo_apellido) else "X"
    given = _key_word(nombre, skip_common=True)
    letters = first[0] + _inner_vowel(first) + second[0] + given[0]
    letters = letters.replace("Ñ", "X")
    if letters in INCONVENIENT:
        letters = letters[0] + "X" + letters[2:]
    if homonym is None:
        homonym = "0" if birth.year < 2000 else "A"
    body = (
        letters
        + birth.strftime("%y%m%d")
        + sexo
        + state
        + _inner_consonant(first)
        + _inner_consonant(second)
        + _inner_consonant(given)
        + homonym
    )
    return with_check_digit(body)


def is_valid(curp: str) -> bool:
    """Whether the last character of an 18-character CURP is its check digit.

    >>> is_valid("SABC560626MDFLRN01"), is_valid("SABC560626MDFLRN02")
    (True, False)
    """
    return (
        len(curp) == 18 and all(c in CURP_ALPHABET for c in curp) and check_digit(curp) == curp[17]
    )
