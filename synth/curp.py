"""CURP (Clave Única de Registro de Población) of a synthetic person.

The generator and the reader share no code: a mistake they shared would be invisible. So this
module does not follow ``pipeline/curp.py``. The check digit and validation come from
python-stdnum (``stdnum.mx.curp``). The 16 characters built from a person's data follow RENAPO's
public *Instructivo normativo para la asignación de la Clave Única de Registro de Población*
(Secretaría de Gobernación, 2006), its "criterios de construcción" and "criterios de excepción":

* first surname: first letter and first inner vowel; second surname: first letter (``X``
  without one); given name: first letter, of the second word when the first is MARIA, MA., MA,
  M., JOSE, J or J. and another word follows;
* in compound names and surnames the first word counts, after dropping leading prepositions,
  conjunctions and contractions (DA, DAS, DE, DEL, DER, DI, DIE, DD, EL, LA, LOS, LAS, LE, LES,
  MAC, MC, VAN, VON, Y);
* Ñ becomes ``X`` wherever it would be used; a missing vowel or consonant is ``X``;
* when the first four letters spell a word of the catalogue of inconvenient words (Anexo 2),
  the second letter becomes ``X``;
* then YYMMDD, sex (H/M), the state code, the first inner consonant of each of the three
  words, the homonym character (RENAPO's: a digit for births before 2000, a letter from 2000)
  and the check digit.

Assumed where the instructivo's public summaries are silent: CH and LL count as two letters
(CHÁVEZ gives the inner consonant H).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from stdnum.mx import curp as stdnum_curp

#: Entity codes of the CURP (instructivo, Anexo 4), in the INE's numbering order (01 AS to
#: 32 ZS), then NE for people born abroad. Values are the names printed on documents.
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

#: Catalogue of inconvenient words (instructivo, Anexo 2).
INCONVENIENT = frozenset(
    """BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA
    CULO FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE
    KOJI KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO
    MULA MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN
    SENO TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY""".split()  # noqa: SIM905 (the list as printed)
)

#: Words dropped at the start of a compound name or surname.
_LEADING_PARTICLES = frozenset(
    "DA DAS DE DEL DER DI DIE DD EL LA LOS LAS LE LES MAC MC VAN VON Y".split()  # noqa: SIM905
)
#: First given names passed over when another given name follows.
_PASSED_OVER = frozenset({"MARIA", "MA.", "MA", "M.", "JOSE", "J", "J."})
_VOWELS = frozenset("AEIOU")
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _fold(ch: str) -> str:
    """One uppercase character without its accent; Ñ stays Ñ."""
    if ch in "Ññ":
        return "Ñ"
    return unicodedata.normalize("NFKD", ch.upper())[0]


def plain(text: str) -> str:
    """Uppercase ASCII letters and spaces, keeping Ñ (accents and dieresis removed).

    >>> plain("Peña Ibáñez, Müller")
    'PEÑA IBAÑEZ MULLER'
    """
    folded = "".join(_fold(ch) for ch in text)
    kept = "".join(ch if ch in _ASCII_LETTERS or ch == "Ñ" else " " for ch in folded)
    return " ".join(kept.split())


def unaccent(text: str) -> str:
    """Uppercase without accents, keeping Ñ, digits and punctuation (as cards print addresses).

    >>> unaccent("Constitución de 1917, Cuauhtémoc")
    'CONSTITUCION DE 1917, CUAUHTEMOC'
    """
    return "".join(_fold(ch) for ch in text)


def _key_word(text: str, given_name: bool = False) -> str:
    """The word of a name or surname whose letters enter the CURP ('' when there is none).

    Accents go, Ñ and any ``/``, ``-`` or ``.`` stay (they become X where they are used).

    >>> _key_word("de la Cruz"), _key_word("Riva Palacio"), _key_word("Mc Gregor")
    ('CRUZ', 'RIVA', 'GREGOR')
    >>> _key_word("María Luisa", True), _key_word("María", True), _key_word("Ma. de los Ángeles", True)
    ('LUISA', 'MARIA', 'ANGELES')
    """
    words = unaccent(text).split()
    if given_name and len(words) > 1 and words[0] in _PASSED_OVER:
        words = words[1:]
    while len(words) > 1 and words[0] in _LEADING_PARTICLES:
        words = words[1:]
    return words[0] if words else ""


def _letter(ch: str) -> str:
    """A CURP letter: Ñ, a missing letter ('') or a special character becomes X."""
    return ch if ch and ch in _ASCII_LETTERS else "X"


def _first_inner(word: str, vowel: bool) -> str:
    """The first inner (after the first letter) vowel, or consonant, of ``word``, or X.

    A special character met first takes the position as an X (instructivo: D/AMICO -> DX).

    >>> _first_inner("ICH", True), _first_inner("OÑATE", False), _first_inner("SALGADO", False)
    ('X', 'X', 'L')
    >>> _first_inner("D/AMICO", True)
    'X'
    """
    for ch in word[1:]:
        if ch not in _ASCII_LETTERS and ch != "Ñ":
            return "X"
        if (ch in _VOWELS) == vowel:
            return _letter(ch)
    return "X"


def check_digit(curp17: str) -> str:
    """The CURP check digit over its first 17 characters (python-stdnum's).

    >>> check_digit("SABC560626MDFLRN0")
    '1'
    >>> check_digit("MOTR930411HJCRMN0")
    '3'
    """
    return str(stdnum_curp.calc_check_digit(curp17[:17]))


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
    >>> build_curp("Ofelia", "Pedrero", "Domínguez", dt.date(1970, 1, 2), "M", "VZ")[:4]
    'PXDO'
    >>> build_curp("Juan José", "D/Amico", "Álvarez", dt.date(1970, 1, 2), "H", "DF")[:4]
    'DXAJ'
    >>> build_curp("Alberto", "Oñate", "Rodríguez", dt.date(1970, 1, 2), "H", "DF")[13:16]
    'XDL'
    """
    first, second = _key_word(primer_apellido), _key_word(segundo_apellido)
    given = _key_word(nombre, given_name=True)
    letters = (
        _letter(first[:1])
        + _first_inner(first, vowel=True)
        + _letter(second[:1])
        + _letter(given[:1])
    )
    if letters in INCONVENIENT:
        letters = letters[0] + "X" + letters[2:]
    if homonym is None:
        homonym = "0" if birth.year < 2000 else "A"
    body = (
        letters
        + birth.strftime("%y%m%d")
        + sexo
        + state
        + "".join(_first_inner(w, vowel=False) for w in (first, second, given))
        + homonym
    )
    return body + check_digit(body)


def is_valid(curp: str) -> bool:
    """Whether ``curp`` is a well-formed CURP with its check digit (python-stdnum's validation).

    The string must already be in its compact form (stdnum would accept lowercase or dashes).

    >>> is_valid("SABC560626MDFLRN01"), is_valid("SABC560626MDFLRN02")
    (True, False)
    >>> is_valid("sabc560626mdflrn01"), is_valid("PXDO700102MVZDMF00"), is_valid("PEDO700102MVZDMF00")
    (False, True, False)
    """
    return curp == stdnum_curp.compact(curp) and bool(stdnum_curp.is_valid(curp))
