"""Structured logs keyed by submission id.

The JSON line format itself is :class:`workers.worker.JsonFormatter` (``ts``, ``level``,
``logger``, ``msg`` and a short allow-list of fields; tracebacks reduced to the exception type).
This module adds the key: while a case is being processed, every record — ours, RQ's, a
library's (pypdf, PIL...) — carries that case's ``submission_id``::

    with submission_scope(payload.submission_id):
        outcome = verify_case(files, ctx)          # every line logged inside has the id

:class:`SubmissionFilter` is installed on the handler by ``setup_json_logging``. Only the id goes
into a record, never other case data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CURRENT: ContextVar[str] = ContextVar("llave_submission_id", default="")


@contextmanager
def submission_scope(submission_id: str) -> Iterator[None]:
    """Tag every log record emitted inside the block with ``submission_id``.

    >>> with submission_scope("s-1"):
    ...     current_submission()
    's-1'
    >>> current_submission()
    ''
    """
    token = _CURRENT.set(submission_id)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_submission() -> str:
    """The submission id of the block being run ('' outside any scope)."""
    return _CURRENT.get()


class SubmissionFilter(logging.Filter):
    """Adds ``submission_id`` to records that do not carry one (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Tag ``record`` with the current submission id, if any."""
        sid = _CURRENT.get()
        if sid and not getattr(record, "submission_id", None):
            record.submission_id = sid
        return True
