"""Template filters: Spanish ages and dates, percentages, labels."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask

from console import labels

MEXICO_CITY = ZoneInfo("America/Mexico_City")


def age_text(delta: dt.timedelta) -> str:
    """A short Spanish age.

    >>> age_text(dt.timedelta(seconds=30)), age_text(dt.timedelta(minutes=5))
    ('menos de 1 min', '5 min')
    >>> age_text(dt.timedelta(hours=3, minutes=20)), age_text(dt.timedelta(days=2, hours=4))
    ('3 h 20 min', '2 d 4 h')
    """
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "menos de 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def local_time(value: dt.datetime | str | None, seconds: bool = False) -> str:
    """A date and time in Mexico City.

    >>> local_time("2026-01-02T18:04:05+00:00"), local_time("2026-01-02T18:04:05Z", True)
    ('02/01/2026 12:04', '02/01/2026 12:04:05')
    """
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    assert isinstance(value, dt.datetime)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(MEXICO_CITY).strftime(
        "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
    )


def percent(value: float | None) -> str:
    """A 0-1 score as a percentage.

    >>> percent(0.8765), percent(None)
    ('88 %', '—')
    """
    return "—" if value is None else f"{value * 100:.0f} %"


def remaining(seconds: int) -> str:
    """Time left on a claim.

    >>> remaining(75), remaining(3700)
    ('1 min', '1 h 1 min')
    """
    return age_text(dt.timedelta(seconds=seconds))


def register(app: Flask) -> None:
    """Install the filters and label tables in the app's templates."""
    app.jinja_env.filters.update(
        age=age_text,
        local_time=local_time,
        percent=percent,
        remaining=remaining,
        reason=labels.reason_label,
    )
    app.jinja_env.globals.update(
        REJECT_CAUSES=labels.REJECT_CAUSES,
        ACTIONS=labels.ACTIONS,
        AUDIT_ACTIONS=labels.AUDIT_ACTIONS,
        ROLE_LABELS=labels.ROLE_LABELS,
        DOCUMENT_LABELS=labels.DOCUMENT_LABELS,
        CHECK_STATUS_LABELS=labels.CHECK_STATUS_LABELS,
        DECISION_LABELS=labels.DECISION_LABELS,
    )
