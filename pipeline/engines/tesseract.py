"""The Tesseract OCR engine: one wrapper, a timeout on every call, failures as typed errors.

Modelled on OCRmyPDF's ``_exec/tesseract.py``::

    engine = OcrEngine()            # cheap; call engine.check() once per worker, before the fork
    engine.check()                  # EngineMissing if tesseract or spa/eng are not installed
    read = engine.text(grey, lang="spa", psm=6)
    read.text, read.confidence      # text and mean word confidence (0-1)
    words = engine.data(grey).words # every word with its box and confidence

Tesseract runs in this process through its C++ API (``tesserocr``, compiled against the
system's libtesseract): the language models load once per worker, in :meth:`OcrEngine.check`,
before the fork; each call has a time limit (Tesseract's own deadline, and a Python signal such
as RQ's job timeout cancels it too). ``OcrEngine(tesseract_cmd=...)`` runs the executable
instead, one process per call, as the fault-injection tests do. Either way ``OMP_THREAD_LIMIT=1``
(2-4x faster when workers run in parallel on few cores); a timeout raises
:class:`~pipeline.errors.EngineTimeout`, a failure :class:`~pipeline.errors.EngineCrashed`,
a missing engine or language :class:`~pipeline.errors.EngineMissing`. Messages never contain
the image or the text read.

Images are numpy ``uint8`` arrays, grey (H, W) or BGR (H, W, 3) as OpenCV gives them.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

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
    """Tesseract with a time limit per call and typed failures.

    By default Tesseract runs in this process through its C++ API (``tesserocr``, built
    against the system's libtesseract): :meth:`check` loads the language models once, before
    the worker forks, instead of every call starting a ``tesseract`` process that loads them
    again (~0.1 s of CPU a call, plus the image written to and read from a file). With
    ``tesseract_cmd`` (or ``LLAVE_TESSERACT=cli``) every call runs that executable through
    pytesseract instead, as the fault-injection tests need. Both give the same words, boxes
    and confidences: the same library reads the same pixels with the same settings.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, tesseract_cmd: str | None = None):
        self.timeout = timeout
        self.tesseract_cmd = tesseract_cmd
        #: On a job's last attempt, a call that keeps timing out is the input's doing (tesseract
        #: can spin for minutes on noise): it then reads as blank, so the case still gets a
        #: verdict (unreadable) instead of failing. Earlier attempts raise EngineTimeout to retry.
        self.timeouts_read_as_blank = False
        # One OpenMP thread per process (read by libgomp when tesseract is first loaded, and by
        # the tesseract processes pytesseract spawns with os.environ).
        os.environ["OMP_THREAD_LIMIT"] = "1"
        in_process = tesseract_cmd is None and os.environ.get("LLAVE_TESSERACT") != "cli"
        self._reader: _ApiReader | _CliReader = (
            _ApiReader() if in_process else _CliReader(tesseract_cmd or "tesseract")
        )

    def check(self) -> str:
        """Verify tesseract is installed, recent enough and has spa + eng; return its version.

        In-process, this also loads the language models (call it before the worker forks).
        Raises :class:`EngineMissing` otherwise.
        """
        version = self._reader.load(REQUIRED_LANGS)
        if _release(version) < MIN_VERSION:
            raise EngineMissing(f"tesseract {version} is older than {MIN_VERSION}")
        return version

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
        pixels = _pixels_of(image)
        limit = timeout if timeout is not None else self.timeout
        try:
            tsv = self._reader.tsv(pixels, lang, int(psm), whitelist, limit)
        except EngineTimeout:
            if not self.timeouts_read_as_blank:
                raise
            log.warning("tesseract timed out on the last attempt: the call reads as blank")
            return OcrText(words=())
        return OcrText(words=tuple(words_of_tsv(tsv)))


class _ApiReader:
    """Tesseract's C++ API in this process: one loaded model per language, reused."""

    def __init__(self) -> None:
        self._apis: dict[str, Any] = {}

    def load(self, langs: tuple[str, ...]) -> str:
        tesserocr = _tesserocr()
        for lang in langs:
            self._api(lang)
        return tesserocr.tesseract_version().split()[1]

    def tsv(
        self, pixels: np.ndarray, lang: str, psm: int, whitelist: str | None, timeout: float
    ) -> str:
        api = self._api(lang)
        api.SetPageSegMode(psm)
        api.SetVariable("tessedit_char_whitelist", whitelist or "")
        depth = 1 if pixels.ndim == 2 else 3
        height, width = pixels.shape[:2]
        api.SetImageBytes(pixels.tobytes(), width, height, depth, width * depth)
        started = time.monotonic()
        try:
            if not api.Recognize(timeout=max(1, round(timeout * 1000))):
                if time.monotonic() - started >= 0.9 * timeout:
                    raise EngineTimeout("tesseract exceeded its time limit")
                raise EngineCrashed("tesseract could not read the image")
            return _TSV_HEADER + api.GetTSVText(0)
        finally:
            api.Clear()

    def _api(self, lang: str) -> Any:
        if lang not in self._apis:
            tesserocr = _tesserocr()
            _quiet_leptonica()
            try:
                self._apis[lang] = tesserocr.PyTessBaseAPI(lang=lang, oem=tesserocr.OEM.LSTM_ONLY)
            except RuntimeError as exc:
                raise EngineMissing(f"tesseract language data missing: {lang}") from exc
        return self._apis[lang]


class _CliReader:
    """The ``tesseract`` executable through pytesseract: one process per call."""

    def __init__(self, command: str) -> None:
        self.command = command

    def load(self, langs: tuple[str, ...]) -> str:
        pytesseract = self._module()
        try:
            version = pytesseract.get_tesseract_version()
            installed = set(pytesseract.get_languages())
        except (pytesseract.TesseractNotFoundError, OSError, SystemExit) as exc:
            raise EngineMissing("tesseract is not installed or not runnable") from exc
        missing = [lang for lang in langs if lang not in installed]
        if missing:
            raise EngineMissing(f"tesseract language data missing: {', '.join(missing)}")
        return str(version)

    def tsv(
        self, pixels: np.ndarray, lang: str, psm: int, whitelist: str | None, timeout: float
    ) -> str:
        pytesseract = self._module()
        image = _ppm_of(pixels)
        config = _config(psm, whitelist)
        try:
            return str(pytesseract.image_to_data(image, lang=lang, config=config, timeout=timeout))
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

    def _module(self) -> Any:
        import pytesseract

        pytesseract.pytesseract.tesseract_cmd = self.command
        return pytesseract


def _tesserocr() -> Any:
    """The tesserocr module (imported on first use, after OMP_THREAD_LIMIT is set)."""
    try:
        import tesserocr
    except ImportError as exc:
        raise EngineMissing("tesserocr (Tesseract's API) is not installed") from exc
    return tesserocr


def _quiet_leptonica() -> None:
    """Silence Leptonica's messages on stderr ("Error in pixScanForForeground: invalid box"),
    which Tesseract's layout analysis triggers on harmless empty regions; the executable's went
    to a pipe nobody read. Best effort: without the library nothing changes."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("lept") or "liblept.so.5"
    try:
        ctypes.CDLL(name).setMsgSeverity(_LEPTONICA_SEVERITY_NONE)
    except (OSError, AttributeError):
        log.debug("leptonica messages stay on")


#: ``L_SEVERITY_NONE`` of Leptonica's ``environ.h``
_LEPTONICA_SEVERITY_NONE = 6


def _release(version: str) -> tuple[int, ...]:
    """The leading numbers of a version string.

    >>> _release("5.3.0"), _release("4.1.1-rc2"), _release("garbage")
    ((5, 3), (4, 1), (0,))
    """
    numbers = []
    for part in version.split(".")[:2]:
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers) or (0,)


def _config(psm: int, whitelist: str | None) -> str:
    parts = [f"--psm {int(psm)}", "--oem 1"]
    if whitelist:
        parts.append(f"-c tessedit_char_whitelist={whitelist}")
    return " ".join(parts)


def _pixels_of(image: np.ndarray) -> np.ndarray:
    """numpy grey/BGR uint8 -> contiguous grey or RGB pixels; ValueError for a non-image.

    >>> _pixels_of(np.zeros((2, 3, 3), np.uint8)).shape
    (2, 3, 3)
    >>> _pixels_of(np.zeros((2, 3), np.float32))
    Traceback (most recent call last):
    ValueError: OCR input must be a non-empty uint8 image
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.size == 0:
        raise ValueError("OCR input must be a non-empty uint8 image")
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    if image.ndim == 3 and image.shape[2] == 3:
        return np.ascontiguousarray(image[:, :, ::-1])
    if image.ndim == 3 and image.shape[2] == 1:
        return np.ascontiguousarray(image[:, :, 0])
    raise ValueError("OCR input must be grey (H, W) or BGR (H, W, 3)")


def _ppm_of(pixels: np.ndarray):  # type: ignore[no-untyped-def]
    """Grey/RGB pixels -> a PIL image tagged PPM, so pytesseract writes its temporary file
    uncompressed (netpbm): PNG compression cost more than the OCR itself on large pages."""
    from PIL import Image

    pil = Image.fromarray(pixels)
    pil.format = "PPM"  # PIL writes P5 (grey) or P6 (RGB) netpbm
    return pil


#: the header row Tesseract's API leaves out of ``GetTSVText`` (the executable writes it)
_TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"

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
