"""ICAO 9303 machine-readable zones: the check digits, and the layout of TD1, TD2 and TD3.

Where each field of each format sits, which check digit guards it and what the composite check
covers (:data:`LAYOUTS`), the check digit itself (:func:`check_digit`), whether a field's check
or the composite holds on a reading, the country codes ICAO allows and the YYMMDD dates. The
parser is :mod:`pipeline.mrz`; the repairs of OCR confusions :mod:`pipeline.mrz_repair`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from models.mrz import MrzFormat

_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")} | {"<": 0}
_WEIGHTS = (7, 3, 1)
MRZ_CHARS = set(_VALUES)

#: ISO 3166-1 alpha-3 codes plus ICAO 9303's own (D, GB*, UN*, X**, EUE, RKS; UTO for specimens)
_CODES = """AFG ALA ALB DZA ASM AND AGO AIA ATA ATG ARG ARM ABW AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ
    BEN BMU BTN BOL BES BIH BWA BVT BRA IOT BRN BGR BFA BDI CPV KHM CMR CAN CYM CAF TCD CHL CHN
    CXR CCK COL COM COG COD COK CRI CIV HRV CUB CUW CYP CZE DNK DJI DMA DOM ECU EGY SLV GNQ ERI
    EST SWZ ETH FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GIB GRC GRL GRD GLP GUM GTM
    GGY GIN GNB GUY HTI HMD VAT HND HKG HUN ISL IND IDN IRN IRQ IRL IMN ISR ITA JAM JPN JEY JOR
    KAZ KEN KIR PRK KOR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MAC MDG MWI MYS MDV MLI MLT
    MHL MTQ MRT MUS MYT MEX FSM MDA MCO MNG MNE MSR MAR MOZ MMR NAM NRU NPL NLD NCL NZL NIC NER
    NGA NIU NFK MKD MNP NOR OMN PAK PLW PSE PAN PNG PRY PER PHL PCN POL PRT PRI QAT REU ROU RUS
    RWA BLM SHN KNA LCA MAF SPM VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SXM SVK SVN SLB SOM ZAF
    SGS SSD ESP LKA SDN SUR SJM SWE CHE SYR TWN TJK TZA THA TLS TGO TKL TON TTO TUN TUR TKM TCA
    TUV UGA UKR ARE GBR USA UMI URY UZB VUT VEN VNM VGB VIR WLF ESH YEM ZMB ZWE
    D GBD GBN GBO GBP GBS UNO UNA UNK XBA XIM XCC XCE XCO XEC XPO XES XMP XOM XDC XXA XXB XXC
    XXX EUE RKS ANT NTZ UTO"""
COUNTRY_CODES = frozenset(_CODES.split())


def check_digit(value: str) -> str:
    """ICAO 9303 check digit of ``value`` (weights 7, 3, 1; A=10..Z=35; < = 0).

    >>> check_digit("D23145890"), check_digit("740812"), check_digit("120415")
    ('7', '2', '9')
    >>> check_digit("L898902C3"), check_digit("ZE184226B<<<<<")
    ('6', '1')
    >>> check_digit("")
    '0'
    """
    total = sum(_VALUES.get(c, 0) * _WEIGHTS[i % 3] for i, c in enumerate(value))
    return str(total % 10)


def _check_ok(value: str, check: str, empty_ok: bool = False) -> bool:
    """Does ``check`` hold for ``value``? (An empty optional field may carry < as its check.)"""
    if empty_ok and check == "<" and set(value) <= {"<"}:
        return True
    return check == check_digit(value)


# ---------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Field:
    """One field of an MRZ layout: its line and span ``[start, end)``, the kind of characters it
    holds and where its check digit sits (when it has one)."""

    name: str
    line: int
    start: int
    end: int
    kind: str  # "alnum", "digits", "alpha", "names", "sex"
    check: tuple[int, int] | None = None  # (line, index) of its check digit
    empty_ok: bool = False


@dataclass(frozen=True)
class Layout:
    """The fields of one MRZ format, and the spans and position of its composite check digit."""

    fields: tuple[Field, ...]
    composite: tuple[tuple[int, int, int], ...]  # (line, start, end) spans
    composite_at: tuple[int, int]

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)


def _two_line_layout(length: int) -> Layout:
    """TD2 (36) and TD3 (44): identical but for the names and optional-data widths."""
    end = length - 2 if length == 44 else length - 1
    optional = Field(
        "optional_data", 1, 28, end, "alnum", (1, end) if length == 44 else None, empty_ok=True
    )
    return Layout(
        fields=(
            Field("document_type", 0, 0, 2, "alpha"),
            Field("issuing_country", 0, 2, 5, "alpha"),
            Field("names", 0, 5, length, "names"),
            Field("document_number", 1, 0, 9, "alnum", (1, 9)),
            Field("nationality", 1, 10, 13, "alpha"),
            Field("birth_date", 1, 13, 19, "digits", (1, 19)),
            Field("sex", 1, 20, 21, "sex"),
            Field("expiry_date", 1, 21, 27, "digits", (1, 27)),
            optional,
        ),
        composite=((1, 0, 10), (1, 13, 20), (1, 21, length - 1)),
        composite_at=(1, length - 1),
    )


LAYOUTS: dict[MrzFormat, Layout] = {
    "TD1": Layout(
        fields=(
            Field("document_type", 0, 0, 2, "alpha"),
            Field("issuing_country", 0, 2, 5, "alpha"),
            Field("document_number", 0, 5, 14, "alnum", (0, 14)),
            Field("optional_data", 0, 15, 30, "alnum"),
            Field("birth_date", 1, 0, 6, "digits", (1, 6)),
            Field("sex", 1, 7, 8, "sex"),
            Field("expiry_date", 1, 8, 14, "digits", (1, 14)),
            Field("nationality", 1, 15, 18, "alpha"),
            Field("optional_data_2", 1, 18, 29, "alnum"),
            Field("names", 2, 0, 30, "names"),
        ),
        composite=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
        composite_at=(1, 29),
    ),
    "TD2": _two_line_layout(36),
    "TD3": _two_line_layout(44),
}


# ---------------------------------------------------------------- checks


def field_ok(lines: list[list[str]], f: Field) -> bool:
    """Does the check digit of the checked field ``f`` hold on ``lines``?"""
    assert f.check is not None
    value = "".join(lines[f.line][f.start : f.end])
    return _check_ok(value, lines[f.check[0]][f.check[1]], f.empty_ok)


def composite_ok(lines: list[list[str]], layout: Layout) -> bool:
    """Does the composite check digit hold on ``lines``?"""
    value = "".join("".join(lines[ln][a:b]) for ln, a, b in layout.composite)
    return lines[layout.composite_at[0]][layout.composite_at[1]] == check_digit(value)


# ---------------------------------------------------------------- dates


def yymmdd(value: str, kind: str, today: dt.date) -> dt.date | None:
    """YYMMDD -> date: birth dates in the past (19YY when YY is after this year), expiry 20YY."""
    if not re.fullmatch(r"\d{6}", value):
        return None
    yy, mm, dd = int(value[:2]), int(value[2:4]), int(value[4:])
    century = 1900 if kind == "birth" and yy > today.year % 100 else 2000
    try:
        return dt.date(century + yy, mm, dd)
    except ValueError:
        return None
