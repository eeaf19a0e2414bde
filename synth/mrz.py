"""ICAO 9303 machine-readable zones: TD1 (INE back) and TD3 (passport data page)."""

from __future__ import annotations

import datetime as dt
import hashlib

from synth.curp import plain


def char_value(c: str) -> int:
    """ICAO value of one MRZ character: digits as is, A=10..Z=35, '<'=0.

    >>> char_value("7"), char_value("A"), char_value("Z"), char_value("<")
    (7, 10, 35, 0)
    """
    if c.isdigit():
        return int(c)
    if c == "<":
        return 0
    return ord(c) - 55


def check_digit(field: str) -> str:
    """ICAO 9303 check digit (weights 7, 3, 1).

    >>> check_digit("L898902C3"), check_digit("740812"), check_digit("120415")
    ('6', '2', '9')
    """
    return str(sum(char_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def mrz_name(text: str) -> str:
    """A name as the MRZ writes it: uppercase A-Z, spaces and hyphens as '<', Ñ as N.

    >>> mrz_name("De la Peña-Ibáñez")
    'DE<LA<PENA<IBANEZ'
    """
    return plain(text.replace("-", " ")).replace("Ñ", "N").replace(" ", "<")


def _fit(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def yymmdd(day: dt.date) -> str:
    """A date as the MRZ writes it.

    >>> yymmdd(dt.date(1985, 5, 12))
    '850512'
    """
    return day.strftime("%y%m%d")


#: Sex on an INE's MRZ as the card prints it, not ICAO's M/F (docs/real-documents.md).
INE_SEX = {"H": "H", "M": "M", "X": "X"}
#: Sex on a passport's MRZ: ICAO 9303 codes.
ICAO_SEX = {"H": "M", "M": "F", "X": "X"}


def ine_optional_data(emission: str, fuar: str) -> str:
    """The 11 optional-data characters of an INE's MRZ line 2, shaped ``<NN<<NNNNN<``.

    Read as the card's two-digit emission number and five digits of its FUAR (the
    registration form's folio), as a public KYC client names them ("emission_and_fuar",
    yellowme/xhash-ruby); the generator draws both (see ``fixtures/README.md``).

    >>> ine_optional_data("02", "12416")
    '<02<<12416<'
    """
    if len(emission) != 2 or len(fuar) != 5 or not (emission + fuar).isdigit():
        raise ValueError("emission takes 2 digits and fuar 5")
    return f"<{emission}<<{fuar}<"


def _drawn_optional_digits(cic: str, ocr_number: str) -> tuple[str, str]:
    """Emission number (01-04) and FUAR digits drawn from a hash of the card's numbers."""
    h = hashlib.sha256(f"{cic}:{ocr_number}".encode()).digest()
    return f"{1 + h[0] % 4:02d}", f"{int.from_bytes(h[1:5], 'big') % 100_000:05d}"


def td1_ine(
    cic: str,
    ocr_number: str,
    birth: dt.date,
    sex: str,
    expiry: dt.date,
    primer_apellido: str,
    segundo_apellido: str,
    nombres: str,
    emission: str | None = None,
    fuar: str | None = None,
) -> list[str]:
    """The three 30-character lines of an INE back (TD1; sex is H or M as on the card).

    Line 1: ``IDMEX`` + 9-digit CIC + its check digit + ``<<`` + the 13-digit citizen
    identifier. Line 2: birth date + check, sex (H/M, not ICAO's M/F), expiry + check,
    ``MEX``, optional data ``<NN<<NNNNN<`` and the ICAO TD1 composite check digit (over
    line 1 from the CIC on and line 2's dates, checks and optional data). Without
    ``emission``/``fuar`` the optional digits are drawn from a hash of the card's numbers.

    >>> lines = td1_ine("123456789", "0419123456789", dt.date(1985, 5, 12), "H",
    ...                 dt.date(2031, 12, 31), "García", "López", "Juan Carlos",
    ...                 emission="02", fuar="12416")
    >>> lines[0]
    'IDMEX1234567897<<0419123456789'
    >>> lines[1]
    '8505121H3112319MEX<02<<12416<1'
    >>> lines[2]
    'GARCIA<LOPEZ<<JUAN<CARLOS<<<<<'
    >>> td1_ine("123456789", "0419123456789", dt.date(1985, 12, 24), "M",
    ...         dt.date(2027, 12, 31), "Peña", "", "Ana")[1][7]
    'M'
    """
    if emission is None or fuar is None:
        drawn_emission, drawn_fuar = _drawn_optional_digits(cic, ocr_number)
        emission, fuar = emission or drawn_emission, fuar or drawn_fuar
    line1 = _fit("IDMEX" + cic + check_digit(cic) + "<<" + ocr_number, 30)
    birth_s, expiry_s = yymmdd(birth), yymmdd(expiry)
    head = (
        birth_s
        + check_digit(birth_s)
        + INE_SEX.get(sex, "<")
        + expiry_s
        + check_digit(expiry_s)
        + "MEX"
        + ine_optional_data(emission, fuar)
    )
    composite = line1[5:30] + head[0:7] + head[8:15] + head[18:29]
    line2 = head + check_digit(composite)
    names = mrz_name(primer_apellido)
    if plain(segundo_apellido):
        names += "<" + mrz_name(segundo_apellido)
    line3 = _fit(names + "<<" + mrz_name(nombres), 30)
    return [line1, line2, line3]


def td3_passport(
    number: str,
    birth: dt.date,
    sex: str,
    expiry: dt.date,
    surnames: str,
    given_names: str,
    personal_number: str,
) -> list[str]:
    """The two 44-character lines of a Mexican passport data page (TD3; sex is ICAO M/F).

    >>> lines = td3_passport("G12345678", dt.date(1985, 5, 12), "M", dt.date(2030, 3, 1),
    ...                      "Peña Nieto", "Ana", "PENA850512MDFN")
    >>> lines[0]
    'P<MEXPENA<NIETO<<ANA<<<<<<<<<<<<<<<<<<<<<<<<'
    >>> lines[1]
    'G123456786MEX8505121F3003013PENA850512MDFN26'
    """
    line1 = _fit("P<MEX" + mrz_name(surnames) + "<<" + mrz_name(given_names), 44)
    icao_sex = ICAO_SEX.get(sex, "<")
    pn = _fit(personal_number, 14)
    birth_s, expiry_s = yymmdd(birth), yymmdd(expiry)
    line2 = (
        number
        + check_digit(number)
        + "MEX"
        + birth_s
        + check_digit(birth_s)
        + icao_sex
        + expiry_s
        + check_digit(expiry_s)
        + pn
        + check_digit(pn)
    )
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return [line1, line2 + check_digit(composite)]
