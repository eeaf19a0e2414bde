"""Building blocks shared by the stage result records."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Reading(BaseModel, Generic[T]):
    """One field read from a document, with how sure we are and how it was obtained.

    ``method`` names the path that produced it (``"mrz"``, ``"ocr:label"``, ``"ocr:pattern"``,
    ``"pdf-text"``...); ``repaired`` says a check digit corrected an OCR confusion.
    """

    model_config = ConfigDict(frozen=True)

    value: T | None = None
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    method: str = ""
    repaired: bool = False

    @property
    def present(self) -> bool:
        """True when a value was read."""
        return self.value is not None
