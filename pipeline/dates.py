"""Dates in Spanish documents: numeric, with month names (Spanish or bilingual), bimonthly
periods, billing ranges. Accent- and case-insensitive, tolerant of O/0 and I/1 in digits; never
raises on arbitrary text.

>>> ref = dt.date(2026, 11, 22)
>>> [str(m.start) for m in find_dates("Fecha: 05/O3/2026 y 15 de enero de 2026", ref)]
['2026-03-05', '2026-01-15']
>>> m = find_dates("PERIODO FACTURADO: 12 SEP 26 - 13 NOV 26", ref)[0]
>>> m.kind, str(m.start), str(m.end)
('range', '2026-09-12', '2026-11-13')
>>> m = find_dates("Consumo ENE-FEB 2026", ref)[0]
>>> m.kind, str(m.start), str(m.end)
('period', '2026-01-01', '2026-02-28')
>>> str(find_dates("4o (JULAGO 2026)", ref)[0].end)
'2026-08-31'
>>> [str(m.start) for m in find_dates("NACIMIENTO 12 MAY/MAY 85", ref, birth=True)]
['1985-05-12']
>>> m = find_dates("5o BIMESTRE 2026", ref)[0]
>>> str(m.start), str(m.end)
('2026-09-01', '2026-10-31')
>>> find_dates("LÍMITE DE PAGO 3 DIC 2026", ref)[0].start
datetime.date(2026, 12, 3)
>>> find_dates("nada que ver 99/99/9999", ref)
[]
>>> [(d.kind, d.start.isoformat(), d.end.isoformat()) for d in find_dates("190CT 25-20 DIC 25", ref)]
[('range', '2025-10-19', '2025-12-20')]
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "ENERO": 1, "ENE": 1, "JAN": 1, "FEBRERO": 2, "FEB": 2, "MARZO": 3, "MAR": 3,
    "ABRIL": 4, "ABR": 4, "APR": 4, "MAYO": 5, "MAY": 5, "JUNIO": 6, "JUN": 6,
    "JULIO": 7, "JUL": 7, "AGOSTO": 8, "AGO": 8, "AUG": 8, "SEPTIEMBRE": 9, "SETIEMBRE": 9,
    "SEPT": 9, "SEP": 9, "SET": 9, "OCTUBRE": 10, "OCT": 10, "NOVIEMBRE": 11, "NOV": 11,
    "DICIEMBRE": 12, "DIC": 12, "DEC": 12,
}  # fmt: skip
#: OCR reads a month name's letter O as a zero (``17 0CT 25``, ``190CT 25``)
MONTHS |= {name.replace("O", "0"): n for name, n in list(MONTHS.items()) if "O" in name}

_MON = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_MONTH = rf"(?P<mon>{_MON})\.?(?:\s*/\s*{_MON}\.?)?"  # bilingual: MAY/MAY, ENE/JAN
_D = "[0-9OIL]"  # a digit as OCR may read it
_DE = r"(?:\s+DE(?:L)?)?"
_SEP = r"\s*[-/.]?\s*"
_YEAR = rf"(?P<year>{_D}{{4}}|{_D}{{2}})(?!{_D})"

_DAY_MONTH = re.compile(rf"(?<![0-9A-Z])(?P<day>{_D}{{1,2}}){_DE}{_SEP}{_MONTH}{_DE}{_SEP}{_YEAR}")
_NUMERIC = re.compile(
    rf"(?<![0-9A-Z])(?P<day>{_D}{{1,2}})(?P<s>[/\-.])(?P<month>{_D}{{1,2}})(?P=s){_YEAR}"
)
_NUMERIC_SPACED = re.compile(
    rf"(?<![0-9A-Z/])(?P<day>{_D}{{1,2}})\s(?P<month>{_D}{{1,2}})\s(?P<year>{_D}{{4}})(?!{_D})"
)
#: a numeric date whose first or second separator OCR lost (``0903/2026``, ``09/032026``);
#: only with a four-digit year, where the split is unambiguous
_NUMERIC_GLUED = re.compile(
    rf"(?<![0-9A-Z/.\-])(?P<day>{_D}{{2}})(?:(?P<month>{_D}{{2}})[/\-.]|[/\-.](?P<month2>{_D}{{2}}))"
    rf"(?P<year>{_D}{{4}})(?![0-9A-Z/])"
)
_ISO = re.compile(rf"(?<![0-9A-Z])(?P<year>{_D}{{4}})-(?P<month>{_D}{{2}})-(?P<day>{_D}{{2}})")
#: two consecutive months (``ENE-FEB``; ``JULAGO`` when OCR lost the dash)
_BIMONTH = re.compile(
    rf"(?<![A-Z])(?P<mon>{_MON})\.?(?:\s*[-/]\s*|)(?P<mon2>{_MON})\.?{_DE}\s*{_YEAR}"
)
_BIMESTRE = re.compile(
    rf"(?<![0-9A-Z])(?P<n>[1-6])\s*(?:O|º|°|ER|DO|TO|VO|NO)?\.?\s*BIMESTRE{_DE}\s*(?P<year>{_D}{{4}})"
)
_MONTH_YEAR = re.compile(rf"(?<![A-Z])(?P<mon>{_MON})\.?{_DE}\s*(?P<year>{_D}{{4}})(?!{_D})")
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|A|AL|HASTA|Y)\s*$")


@dataclass(frozen=True)
class DateMatch:
    """A date (or period) found in text.

    ``kind`` is ``day`` (start == end), ``month``, ``period`` (bimonthly) or ``range`` (two
    dates joined: a billing period); ``span`` indexes the original text.
    """

    start: dt.date
    end: dt.date
    span: tuple[int, int]
    kind: str

    @property
    def text_slice(self) -> slice:
        """The span as a slice of the original text."""
        return slice(*self.span)


def fold(text: str) -> str:
    """Upper-case and strip accents character by character (same length, so spans hold).

    >>> fold("Límite de pago, año")
    'LIMITE DE PAGO, ANO'
    """
    return "".join(unicodedata.normalize("NFD", c)[:1] or c for c in str(text).upper())


def _digits(raw: str) -> int:
    return int(raw.translate(str.maketrans("OIL", "011")))


def resolve_year(raw: str, reference: dt.date, birth: bool = False) -> int:
    """A 2- or 4-digit year: bills and expiry dates are 20YY; birth dates are in the past.

    >>> resolve_year("26", dt.date(2026, 1, 1)), resolve_year("85", dt.date(2026, 1, 1), True)
    (2026, 1985)
    >>> resolve_year("1O", dt.date(2026, 1, 1), birth=True)
    2010
    """
    year = _digits(raw)
    if len(raw) == 4:
        return year
    if birth:
        return 2000 + year if 2000 + year <= reference.year else 1900 + year
    return 2000 + year


def _day(m: re.Match[str], month: int, reference: dt.date, birth: bool) -> DateMatch | None:
    try:
        day = dt.date(resolve_year(m["year"], reference, birth), month, _digits(m["day"]))
    except ValueError:
        return None
    return DateMatch(day, day, m.span(), "day")


def _month_period(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    start_year = year - 1 if last < first else year
    end_day = calendar.monthrange(year, last)[1]
    return dt.date(start_year, first, 1), dt.date(year, last, end_day)


def _from_day_month(m: re.Match[str], ref: dt.date, birth: bool) -> DateMatch | None:
    return _day(m, MONTHS[m["mon"]], ref, birth)


def _from_numeric(m: re.Match[str], ref: dt.date, birth: bool) -> DateMatch | None:
    return _day(m, _digits(m["month"]), ref, birth)


def _from_glued(m: re.Match[str], ref: dt.date, birth: bool) -> DateMatch | None:
    """``0903/2026`` or ``09/032026``: day and month two digits each, the year four.

    >>> [str(m.start) for m in find_dates("Periodo: 0903/2026 al 01/04/2026", dt.date(2026, 5, 1))]
    ['2026-03-09']
    >>> str(find_dates("emitida 04/042026", dt.date(2026, 5, 1))[0].start)
    '2026-04-04'
    >>> find_dates("cuenta 1234/2026", dt.date(2026, 5, 1))
    []
    """
    return _day(m, _digits(m["month"] or m["month2"]), ref, birth)


def _from_bimonth(m: re.Match[str], ref: dt.date, birth: bool) -> DateMatch | None:
    first, last = MONTHS[m["mon"]], MONTHS[m["mon2"]]
    if (last - first) % 12 not in (1, 2):
        return None
    start, end = _month_period(resolve_year(m["year"], ref, birth), first, last)
    return DateMatch(start, end, m.span(), "period")


def _from_bimestre(m: re.Match[str], ref: dt.date, birth: bool) -> DateMatch | None:
    n = int(m["n"])
    start, end = _month_period(_digits(m["year"]), 2 * n - 1, 2 * n)
    return DateMatch(start, end, m.span(), "period")


def _from_month_year(m: re.Match[str], ref: dt.date, birth: bool) -> DateMatch | None:
    month = MONTHS[m["mon"]]
    start, end = _month_period(_digits(m["year"]), month, month)
    return DateMatch(start, end, m.span(), "month")


_Builder = Callable[[re.Match[str], dt.date, bool], DateMatch | None]
#: most specific first: a span taken by one pattern is not reused by a later one
_PATTERNS: tuple[tuple[re.Pattern[str], _Builder], ...] = (
    (_DAY_MONTH, _from_day_month),
    (_ISO, _from_numeric),
    (_NUMERIC, _from_numeric),
    (_NUMERIC_SPACED, _from_numeric),
    (_NUMERIC_GLUED, _from_glued),
    (_BIMESTRE, _from_bimestre),
    (_BIMONTH, _from_bimonth),
    (_MONTH_YEAR, _from_month_year),
)


def find_dates(text: str, reference: dt.date | None = None, birth: bool = False) -> list[DateMatch]:
    """Every date, period and range in ``text``, in reading order.

    ``reference`` (default today) resolves two-digit years; ``birth=True`` puts them in the past
    instead of the 2000s. Two day-dates joined by ``-``, ``A``, ``AL`` or ``HASTA`` become one
    ``range``.
    """
    reference = reference or dt.date.today()
    folded = fold(text)
    taken: list[DateMatch] = []
    for pattern, build in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < t.span[1] and t.span[0] < m.end() for t in taken):
                continue
            found = build(m, reference, birth)
            if found is not None:
                taken.append(found)
    return _join_ranges(folded, sorted(taken, key=lambda d: d.span))


def _join_ranges(folded: str, dates: list[DateMatch]) -> list[DateMatch]:
    out: list[DateMatch] = []
    for date in dates:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == date.kind == "day"
            and _RANGE_JOIN.match(folded[prev.span[1] : date.span[0]])
            and prev.start <= date.start
        ):
            out[-1] = DateMatch(prev.start, date.end, (prev.span[0], date.span[1]), "range")
        else:
            out.append(date)
    return out


def parse_date(text: str, reference: dt.date | None = None, birth: bool = False) -> dt.date | None:
    """The first single day-date in ``text``, or None.

    >>> parse_date("FECHA DE NACIMIENTO 07/11/1990")
    datetime.date(1990, 11, 7)
    >>> parse_date("sin fecha") is None
    True
    """
    for match in find_dates(text, reference, birth):
        if match.kind == "day":
            return match.start
    return None
