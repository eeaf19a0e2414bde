"""Exceptions of llave-verify. Bad input never raises: it becomes a reason code.

What raises is broken infrastructure, so that RQ retries the job::

    LlaveError
    ├── EngineError                 an external engine failed (retry may help)
    │   ├── EngineTimeout           it did not answer within its time limit
    │   ├── EngineCrashed           it exited abnormally or returned garbage
    │   └── EngineMissing           it is not installed / models not found (fatal for the worker)
    └── StorageError                object storage or Redis could not be reached (workers/)
        └── ObjectTooLarge          an upload exceeds the size limit (input problem, not retried)

Messages never carry personal data: they name the engine, the stage and the submission id.
"""

from __future__ import annotations


class LlaveError(Exception):
    """Root of every llave-verify exception."""


class EngineError(LlaveError):
    """An external engine (tesseract, poppler, dlib) failed."""


class EngineTimeout(EngineError):
    """An engine call exceeded its time limit."""


class EngineCrashed(EngineError):
    """An engine exited abnormally or produced unusable output."""


class EngineMissing(EngineError):
    """An engine binary or model file is not installed."""


class StorageError(LlaveError):
    """Object storage or Redis is unreachable or failed."""


class ObjectTooLarge(StorageError):
    """An object exceeds the configured size limit; an input problem, never retried."""
