"""The Tesseract OCR engine: one wrapper, a timeout on every call, failures as typed errors.

Modelled on OCRmyPDF's ``_exec/tesseract.py``::

    engine = OcrEngine()            # cheap; call engine.check() once per worker, before the fork
    engine.check()                  # EngineMissing if tesseract or spa/eng are not installed
    read = engine.text(grey, lang="spa", psm=6)
    read.text, read.confidence      # text and mean word confidence (0-1)
    words = engine.data(grey).words # every word with its box and confidence

Every call runs one ``tesseract`` subprocess with ``OMP_THREAD_LIMIT=1`` (2-4x faster when
workers run in parallel on few cores) and a time limit; a timeout raises
:class:`~pipeline.errors.EngineTimeout`, an abnormal exit :class:`~pipeline.errors.EngineCrashed`,
a missing binary :class:`~pipeline.errors.EngineMissing`. Messages never contain the image or
the text read.

Images are numpy ``uint8`` arrays, grey (H, W) or BGR (H, W, 3) as OpenCV gives them.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import numpy as np

from pipeline.errors import EngineCrashed, EngineMissing, EngineTimeout

log = logging.getLogger("llave.ocr")

#: languages the pipeline needs: Spanish for printed text, English (+ whitelist) for MRZ lines
REQUIRED_LANGS = ("spa", "eng")
#: oldest supported Tesseract (LSTM engine, TSV output)
MIN_VERSION = (4, 1)
#: default time limit of one call, seconds (an ID card OCRs in ~0.2 s, an A4 page in ~2.5 s)
DEFAULT_TIMEOUT = 20.0
#: the character set of machine-readable zones
MRZ_WHITELIST = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


@dataclass(frozen=True)
class OcrWord:
    """One word of Tesseract's TSV output: text, confidence 0-1, box and its line key."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int]  # (block, paragraph, line) numbers

    @property
    def right(self) -> int:
        """x of the box's right edge (exclusive)."""
        return self.left + self.width

    @property
    def bottom(self) -> int:
        """y of the box's bottom edge (exclusive)."""
        return self.top + self.height


@dataclass(frozen=True)
class OcrText:
    """The result of one OCR call: the words, the text by lines and the mean word confidence."""

    words: tuple[OcrWord, ...] = field(default_factory=tuple)

    @property
    def lines(self) -> list[str]:
        """Text lines in reading order, words joined by one space."""
        grouped: dict[tuple[int, int, int], list[str]] = {}
        for word in self.words:
            grouped.setdefault(word.line, []).append(word.text)
        return [" ".join(parts) for parts in grouped.values()]

    @property
    def text(self) -> str:
        """The whole text, one line per text line."""
        return "\n".join(self.lines)

    @property
    def confidence(self) -> float:
        """Mean word confidence, 0-1 (0 when nothing was read)."""
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)


class OcrEngine:
    """Tesseract through pytesseract, with a time limit per call and typed failures."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, tesseract_cmd: str | None = None):
        self.timeout = timeout
        self.tesseract_cmd = tesseract_cmd
        #: On a job's last attempt, a call that keeps timing out is the input's doing (tesseract
        #: can spin for minutes on noise): it then reads as blank, so the case still gets a
        #: verdict (unreadable) instead of failing. Earlier attempts raise EngineTimeout to retry.
        self.timeouts_read_as_blank = False
        # pytesseract spawns tesseract with os.environ: one OpenMP thread per process.
        os.environ["OMP_THREAD_LIMIT"] = "1"

    def check(self) -> str:
        """Verify tesseract is installed, recent enough and has spa + eng; return its version.

        Raises :class:`EngineMissing` otherwise.
        """
        pytesseract = self._module()
        try:
            version = pytesseract.get_tesseract_version()
            langs = set(pytesseract.get_languages())
        except (pytesseract.TesseractNotFoundError, OSError, SystemExit) as exc:
            raise EngineMissing("tesseract is not installed or not runnable") from exc
        if tuple(version.release[:2]) < MIN_VERSION:
            raise EngineMissing(f"tesseract {version} is older than {MIN_VERSION}")
        missing = [lang for lang in REQUIRED_LANGS if lang not in langs]
        if missing:
            raise EngineMissing(f"tesseract language data missing: {', '.join(missing)}")
        return str(version)

    def text(
        self,
        image: np.ndarray,
        lang: str = "spa",
        psm: int = 6,
        whitelist: str | None = None,
        timeout: float | None = None,
    ) -> OcrText:
        """OCR ``image``: the text by lines and the mean word confidence (one tesseract call)."""
        return self.data(image, lang=lang, psm=psm, whitelist=whitelist, timeout=timeout)

    def data(
        self,
        image: np.ndarray,
        lang: str = "spa",
        psm: int = 6,
        whitelist: str | None = None,
        timeout: float | None = None,
    ) -> OcrText:
        """OCR ``image`` into words with boxes and confidences (Tesseract's TSV output)."""
        pytesseract = self._module()
        pil = _to_pil(image)
        try:
            tsv = self._call(
                lambda: pytesseract.image_to_data(
                    pil,
                    lang=lang,
                    config=_config(psm, whitelist),
                    output_type=pytesseract.Output.STRING,
                    timeout=timeout if timeout is not None else self.timeout,
                )
            )
        except EngineTimeout:
            if not self.timeouts_read_as_blank:
                raise
            log.warning("tesseract timed out on the last attempt: the call reads as blank")
            return OcrText(words=())
        return OcrText(words=tuple(words_of_tsv(tsv)))

    def _module(self):  # type: ignore[no-untyped-def]
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = self.tesseract_cmd or "tesseract"
        return pytesseract

    def _call(self, fn):  # type: ignore[no-untyped-def]
        pytesseract = self._module()
        try:
            return fn()
        except pytesseract.TesseractNotFoundError as exc:
            raise EngineMissing("tesseract is not installed") from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise EngineTimeout("tesseract exceeded its time limit") from exc
            raise EngineCrashed("tesseract failed") from exc
        except pytesseract.TesseractError as exc:
            raise EngineCrashed(f"tesseract exited with status {exc.status}") from exc
        except (OSError, ValueError) as exc:
            raise EngineCrashed(f"tesseract call failed: {type(exc).__name__}") from exc


def _config(psm: int, whitelist: str | None) -> str:
    parts = [f"--psm {int(psm)}", "--oem 1"]
    if whitelist:
        parts.append(f"-c tessedit_char_whitelist={whitelist}")
    return " ".join(parts)


def _to_pil(image: np.ndarray):  # type: ignore[no-untyped-def]
    """numpy grey/BGR uint8 -> PIL image (RGB order); ValueError for a non-image (a caller bug).

    The image is tagged PPM so pytesseract writes its temporary file uncompressed (netpbm):
    PNG compression cost more than the OCR itself on large pages, with identical output.
    """
    pil = _pil_of(image)
    pil.format = "PPM"  # PIL writes P5 (grey) or P6 (RGB) netpbm
    return pil


def _pil_of(image: np.ndarray):  # type: ignore[no-untyped-def]
    from PIL import Image

    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        raise ValueError("OCR input must be a non-empty uint8 image")
    if image.ndim == 2:
        return Image.fromarray(image)
    if image.ndim == 3 and image.shape[2] == 3:
        return Image.fromarray(np.ascontiguousarray(image[:, :, ::-1]))
    if image.ndim == 3 and image.shape[2] == 1:
        return Image.fromarray(image[:, :, 0])
    raise ValueError("OCR input must be grey (H, W) or BGR (H, W, 3)")


#: columns of Tesseract's TSV output (``level page_num block_num par_num line_num word_num
#: left top width height conf text``)
_TSV_COLUMNS = 12


def words_of_tsv(tsv: str) -> list[OcrWord]:
    r"""The words of Tesseract's TSV output (rows with text and a confidence >= 0).

    Parsed directly (a third of the CPU of pytesseract's dict conversion on a page); the
    confidence is truncated to a whole percent, as pytesseract's ``Output.DICT`` gives it.

    >>> head = "level page_num block_num par_num line_num word_num left top width height conf text"
    >>> rows = [head, "5 1 2 1 3 1 10 20 30 12 96.53 CFE", "4 1 2 1 3 0 10 20 80 12 -1 "]
    >>> tsv = "\n".join(row.replace(" ", "\t") for row in rows)
    >>> [(w.text, w.confidence, w.left, w.height, w.line) for w in words_of_tsv(tsv)]
    [('CFE', 0.96, 10, 12, (2, 1, 3))]
    >>> words_of_tsv("")
    []
    """
    words = []
    for row in tsv.split("\n")[1:]:
        cells = row.split("\t")
        if len(cells) < _TSV_COLUMNS:
            continue
        text = cells[11].strip()
        if not text:
            continue
        try:
            conf = int(float(cells[10]))
            left, top, width, height = (int(v) for v in cells[6:10])
            line = (int(cells[2]), int(cells[3]), int(cells[4]))
        except ValueError:
            continue
        if conf < 0:
            continue
        words.append(
            OcrWord(
                text=text,
                confidence=max(0.0, min(1.0, conf / 100.0)),
                left=left,
                top=top,
                width=width,
                height=height,
                line=line,
            )
        )
    return words
