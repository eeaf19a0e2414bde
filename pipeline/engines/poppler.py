"""Poppler (pdftotext / pdftoppm / pdfinfo): one wrapper, caps and a timeout on every call.

::

    pdf = PdfEngine(max_pages=5, dpi=200, timeout=20)
    pdf.check()                      # EngineMissing if poppler-utils is not installed
    info = pdf.info(data)            # PdfInfo(pages=1, encrypted=False)
    pages = pdf.text(data)           # text layer, one string per page ("" when a page has none)
    images = pdf.rasterise(data)     # BGR uint8 arrays, at most max_pages pages at dpi

The PDF bytes go to the tools on stdin / a private temporary file, never through a shell.
A tool that runs past its time limit raises :class:`~pipeline.errors.EngineTimeout`; one that
cannot be found :class:`~pipeline.errors.EngineMissing`; a render that fails because the
temporary disk is full :class:`~pipeline.errors.EngineCrashed` (retried, never blamed on the
PDF). A PDF that poppler cannot parse is bad *input*, not broken infrastructure: it raises :class:`PdfUnreadable` (a ``ValueError``),
which the stages turn into an unreadable reading. Messages never contain document text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import EngineCrashed, EngineMissing, EngineTimeout

TOOLS = ("pdftotext", "pdftoppm", "pdfinfo")
#: form feed: pdftotext's page separator
PAGE_BREAK = "\f"


class PdfUnreadable(ValueError):
    """Poppler could not parse this PDF (malformed, encrypted...): an input problem."""


@dataclass(frozen=True)
class PdfInfo:
    """What pdfinfo says about a PDF."""

    pages: int
    encrypted: bool
    width_pt: float = 0.0
    height_pt: float = 0.0


class PdfEngine:
    """poppler-utils with caps on pages, resolution and time."""

    def __init__(self, max_pages: int = 5, dpi: int = 200, timeout: float = 20.0):
        self.max_pages = max(1, int(max_pages))
        self.dpi = max(36, min(int(dpi), 600))
        self.timeout = float(timeout)

    def check(self) -> None:
        """Raise :class:`EngineMissing` unless every poppler tool is on the PATH."""
        missing = [tool for tool in TOOLS if shutil.which(tool) is None]
        if missing:
            raise EngineMissing(f"poppler-utils missing: {', '.join(missing)}")

    def info(self, data: bytes) -> PdfInfo:
        """Page count, encryption and first-page size in points."""
        out = self._run(["pdfinfo", "-"], data).decode("utf-8", "replace")
        return _parse_info(out)

    def text(self, data: bytes, max_pages: int | None = None) -> list[str]:
        """The text layer of the first pages, in reading layout; ``""`` for a page without."""
        last = min(max_pages or self.max_pages, self.max_pages)
        cmd = ["pdftotext", "-layout", "-enc", "UTF-8", "-f", "1", "-l", str(last), "-", "-"]
        out = self._run(cmd, data).decode("utf-8", "replace")
        pages = out.split(PAGE_BREAK)
        if pages and not pages[-1].strip():
            pages = pages[:-1]
        return pages[:last]

    def rasterise(
        self, data: bytes, dpi: int | None = None, max_pages: int | None = None
    ) -> list[np.ndarray]:
        """Render the first pages as BGR uint8 images (grey pages are expanded to 3 channels)."""
        import cv2

        last = min(max_pages or self.max_pages, self.max_pages)
        res = min(int(dpi or self.dpi), self.dpi)
        with tempfile.TemporaryDirectory(prefix="llave-pdf-") as tmp:
            prefix = str(Path(tmp) / "page")
            cmd = ["pdftoppm", "-r", str(res), "-f", "1", "-l", str(last), "-png", "-", prefix]
            try:
                self._run(cmd, data)
            except PdfUnreadable:
                if _disk_full(tmp):  # ENOSPC is broken infrastructure, not a bad PDF: retry
                    raise EngineCrashed("pdftoppm: the temporary disk is full") from None
                raise
            images = []
            for path in sorted(Path(tmp).glob("page*.png"))[:last]:
                image = cv2.imread(str(path), cv2.IMREAD_COLOR)
                if image is not None:
                    images.append(image)
        if not images:
            raise PdfUnreadable("pdftoppm rendered no page")
        return images

    def _run(self, cmd: list[str], data: bytes) -> bytes:
        if shutil.which(cmd[0]) is None:
            raise EngineMissing(f"{cmd[0]} is not installed")
        try:
            done = subprocess.run(
                cmd, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineTimeout(f"{cmd[0]} exceeded {self.timeout:.0f} s") from exc
        if done.returncode != 0:
            raise PdfUnreadable(f"{cmd[0]} exited with status {done.returncode}")
        return done.stdout


#: below this much free space on the temporary disk, a failed render is blamed on the disk
MIN_FREE_TMP_BYTES = 64 * 2**20


def _disk_full(folder: str) -> bool:
    """True when the file system holding ``folder`` has almost no space left."""
    try:
        return shutil.disk_usage(folder).free < MIN_FREE_TMP_BYTES
    except OSError:
        return True


_INFO_LINE = re.compile(r"^([A-Za-z ]+):\s*(.*)$")
_PAGE_SIZE = re.compile(r"([\d.]+)\s*x\s*([\d.]+)\s*pts")


def _parse_info(out: str) -> PdfInfo:
    """Parse pdfinfo's output.

    >>> _parse_info("Pages: 2\\nEncrypted: no\\nPage size: 612 x 792 pts (letter)")
    PdfInfo(pages=2, encrypted=False, width_pt=612.0, height_pt=792.0)
    """
    fields: dict[str, str] = {}
    for line in out.splitlines():
        match = _INFO_LINE.match(line.strip())
        if match:
            fields[match.group(1).strip().lower()] = match.group(2).strip()
    try:
        pages = int(fields.get("pages", "0"))
    except ValueError:
        pages = 0
    size = _PAGE_SIZE.search(fields.get("page size", ""))
    width, height = (float(size.group(1)), float(size.group(2))) if size else (0.0, 0.0)
    encrypted = fields.get("encrypted", "no").lower().startswith("yes")
    return PdfInfo(pages=pages, encrypted=encrypted, width_pt=width, height_pt=height)
