"""The embedded default: cases as folders on the local disk (no Redis, no S3)."""

from __future__ import annotations

import json
from pathlib import Path

from models import Case
from pipeline.orchestrator import CaseFiles

#: Files larger than this are not read at all (the pipeline then reports FILE_INVALID).
DEFAULT_MAX_BYTES = 20_000_000


class CaseFolderError(ValueError):
    """A folder is not a valid case (no or malformed case.json). The message has no personal data."""


def read_case_folder(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> CaseFiles:
    """Load ``case.json`` and the bytes of the files it names (None when missing or too large)."""
    try:
        case = Case.model_validate_json((folder / "case.json").read_bytes())
    except FileNotFoundError as exc:
        raise CaseFolderError(f"{folder.name}: no case.json") from exc
    except ValueError as exc:
        fields = sorted({".".join(map(str, e["loc"])) for e in getattr(exc, "errors", list)()})
        raise CaseFolderError(f"{folder.name}: invalid case.json ({', '.join(fields)})") from exc
    files: dict[str, bytes | None] = {}
    problems: dict[str, str] = {}
    for role, name in case.documents.roles().items():
        files[role], problem = _read_limited(folder / name, max_bytes)
        if problem:
            problems[role] = problem
    return CaseFiles(case=case, files=files, problems=problems)


def _read_limited(path: Path, max_bytes: int) -> tuple[bytes | None, str]:
    """The file's bytes, or None and why not (missing, too large), checking the size first."""
    try:
        if path.is_symlink() or not path.is_file():
            return None, "missing"
        if path.stat().st_size > max_bytes:
            return None, "too_large"
        return path.read_bytes(), ""
    except OSError:
        return None, "missing"


def find_cases(root: Path) -> list[Path]:
    """The case folders directly under ``root`` (those holding a case.json), sorted by name."""
    return sorted(p for p in root.iterdir() if (p / "case.json").is_file())


def load_labels(path: Path) -> dict[str, dict]:
    """The per-case labels of a fixture set (``labels.json``)."""
    return json.loads(path.read_text(encoding="utf-8"))["cases"]
