"""What decoding an upload found: the first stage's result."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

UploadKind = Literal["image", "pdf", "invalid"]


class UploadStatus(BaseModel):
    """Whether an upload decoded, as what, and if not, why (a ``FILE_PROBLEMS`` code)."""

    model_config = ConfigDict(frozen=True)

    role: str
    kind: UploadKind
    problem: str = ""
    source_format: str = ""
    width: int = 0
    height: int = 0

    @property
    def ok(self) -> bool:
        """True when the upload decoded."""
        return self.kind != "invalid"
