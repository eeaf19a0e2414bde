"""Dates as Mexican bills print them."""

from __future__ import annotations

import calendar
import datetime as dt

MESES = [
    "ENERO",
    "FEBRERO",
    "MARZO",
    "ABRIL",
    "MAYO",
    "JUNIO",
    "JULIO",
    "AGOSTO",
    "SEPTIEMBRE",
    "OCTUBRE",
    "NOVIEMBRE",
    "DICIEMBRE",
]
MES3 = ["ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"]


def short(day: dt.date) -> str:
    """CFE style.

    >>> short(dt.date(2026, 9, 12))
    '12 SEP 26'
    """
    return f"{day.day:02d} {MES3[day.month - 1]} {day:%y}"


def long(day: dt.date) -> str:
    """Spelled out.

    >>> long(dt.date(2026, 1, 15))
    '15 DE ENERO DE 2026'
    """
    return f"{day.day} DE {MESES[day.month - 1]} DE {day.year}"


def numeric(day: dt.date) -> str:
    """DD/MM/YYYY.

    >>> numeric(dt.date(2026, 1, 5))
    '05/01/2026'
    """
    return day.strftime("%d/%m/%Y")


def bimester(end: dt.date) -> str:
    """The two months ending with ``end``'s month.

    >>> bimester(dt.date(2026, 2, 28))
    'ENE-FEB 2026'
    """
    first = (end.month - 2) % 12
    year = end.year if end.month > 1 else end.year - 1
    suffix = f"{end.year}" if year == end.year else f"{year}-{end.year}"
    return f"{MES3[first]}-{MES3[end.month - 1]} {suffix}"


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month.

    >>> month_end(2028, 2)
    datetime.date(2028, 2, 29)
    """
    return dt.date(year, month, calendar.monthrange(year, month)[1])
