"""Find and read the machine-readable zone of a document image (a straightened card or page, or
a raw camera photo).

Steps: find dark text lines with morphology (black-hat, horizontal gradient, closing), group 2-3
parallel lines of similar width into candidate bands (the MRZ is the longest, most regular block,
usually low on the document), deskew and crop each band scaled so characters are ~30 px tall,
with coloured marks (pen, annotations) inpainted. Each band is read first by the OCR-B template
reader (:mod:`pipeline.mrz_ocrb`), then by Tesseract (``eng`` restricted to the MRZ alphabet).
When the check digits fail, a few preprocessing fallbacks are tried (binarised crop, a larger
scale, the whole lower half of the image); the first fully valid read wins, else the one with
most checks holding. ``MrzResult.method`` records which attempt produced it, e.g.
``"band1:ocrb"`` or ``"band2:otsu"``.
"""

from __future__ import annotations

import datetime as dt
import resource
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import cv2
import numpy as np

from models.mrz import MrzResult
from pipeline import mrz_ocrb, ocr_prep
from pipeline.engines.tesseract import MRZ_WHITELIST, OcrEngine
from pipeline.mrz import parse_mrz

#: width the image is scaled to for finding text lines
_WORK_WIDTH = 900
#: how many candidate bands are OCRed at most before giving up
_MAX_BANDS = 3
#: how many bands the OCR-B template reader tries (Tesseract tries all _MAX_BANDS)
_MAX_TEMPLATE_BANDS = 2
#: how many bands (those whose plain read is closest to valid) get the fallback preprocessings
_MAX_FALLBACK_BANDS = 1
#: periodicity above which a lone text line is tried as (part of) an MRZ
_SINGLE_LINE_PERIODICITY = 0.5
#: a reading with fewer check digits holding is noise, not an MRZ
_MIN_CHECKS = 2
#: cap height the MRZ crop is scaled to before OCR
_TARGET_TEXT_PX = 30.0


@dataclass(frozen=True)
class TextLine:
    """A dark text line found by morphology, in original-image pixels."""

    cx: float
    cy: float
    width: float
    height: float
    angle: float  # degrees, counter-clockwise positive as in OpenCV's minAreaRect
    periodicity: float = 0.0  # 0-1: how monospaced the line looks (MRZs are OCR-B, fixed pitch)


@dataclass(frozen=True)
class Band:
    """A group of parallel text lines that may be an MRZ, in original-image pixels."""

    lines: tuple[TextLine, ...]

    @property
    def angle(self) -> float:
        return float(np.median([ln.angle for ln in self.lines]))

    @property
    def pitch(self) -> float:
        """Distance between consecutive line centres (a single line: twice its height)."""
        ys = [ln.cy for ln in self.lines]
        if len(ys) == 1:
            return 2.0 * self.lines[0].height
        return (max(ys) - min(ys)) / (len(ys) - 1)

    @property
    def text_height(self) -> float:
        """Estimated character height: MRZ lines are spaced ~1.8 character heights apart."""
        return self.pitch / 1.8


def ink_grey(image: np.ndarray) -> np.ndarray:
    """Grey image where only dark, unsaturated ink stays dark: the per-pixel maximum of B, G, R.

    MRZs are printed in black; coloured security prints, stamps and pen marks turn light.
    """
    if image.ndim == 2:
        return image
    return cv2.max(cv2.max(image[:, :, 0], image[:, :, 1]), image[:, :, 2])


def find_text_lines(grey: np.ndarray) -> list[TextLine]:
    """Long dark text lines (at least a fifth of the image wide), top to bottom."""
    scale = _WORK_WIDTH / grey.shape[1]
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=interp)
    blackhat = _blackhat(small)
    contours, _ = cv2.findContours(_line_mask(blackhat), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    lines = []
    for contour in contours:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h, angle = h, w, angle + 90
        angle = angle - 180 if angle > 90 else angle
        if w >= 0.2 * _WORK_WIDTH and h > 2 and w / h >= 6 and abs(angle) <= 30:
            period = periodicity(blackhat, (cx, cy), (w, h), angle)
            lines.append(TextLine(cx / scale, cy / scale, w / scale, h / scale, angle, period))
    return sorted(lines, key=lambda ln: ln.cy)


def periodicity(
    blackhat: np.ndarray, centre: tuple[float, float], size: tuple[float, float], angle: float
) -> float:
    """How periodic the column profile of a text line is at a lag of about one character
    (0-1, autocorrelation peak): high for monospaced OCR-B, low for proportional print."""
    w, h = int(size[0]), max(3, int(size[1]))
    rotation = cv2.getRotationMatrix2D(centre, angle, 1.0)
    rotation[0, 2] += w / 2 - centre[0]
    rotation[1, 2] += h / 2 - centre[1]
    strip = cv2.warpAffine(blackhat, rotation, (w, h))
    profile = strip.sum(axis=0).astype(np.float64)
    profile -= profile.mean()
    spectrum = np.fft.rfft(profile, 2 * len(profile))
    auto = np.fft.irfft(spectrum * np.conj(spectrum))[: len(profile)]
    if auto[0] <= 0:
        return 0.0
    lo, hi = max(2, int(0.5 * h)), min(len(auto) - 1, int(2.0 * h) + 1)
    return float(max(0.0, auto[lo:hi].max() / auto[0])) if hi > lo else 0.0


def _blackhat(small: np.ndarray) -> np.ndarray:
    """Dark details smaller than a character box, bright on black."""
    small = cv2.GaussianBlur(small, (3, 3), 0)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 7))
    return cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, kernel)


def _line_mask(blackhat: np.ndarray) -> np.ndarray:
    """Binary mask where characters of a text line merge into one blob per line."""
    grad = np.abs(cv2.Sobel(blackhat, cv2.CV_32F, 1, 0, ksize=-1))
    grad = cv2.normalize(grad, np.empty_like(grad), 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    grad = cv2.morphologyEx(
        grad, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (21, 3))
    )
    _, mask = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(
        mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (17, 3))
    )
    return cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=1)


def _compatible(a: TextLine, b: TextLine) -> bool:
    """b (below a) could be the next line of the same MRZ."""
    height = max(a.height, b.height)
    gap = b.cy - a.cy
    overlap = min(a.cx + a.width / 2, b.cx + b.width / 2) - max(
        a.cx - a.width / 2, b.cx - b.width / 2
    )
    return (
        abs(a.angle - b.angle) <= 4
        and 0.6 * height <= gap <= 4.0 * height
        and overlap >= 0.5 * min(a.width, b.width)
        and max(a.height, b.height) <= 2.5 * min(a.height, b.height)
    )


def find_bands(lines: list[TextLine]) -> list[Band]:
    """Runs of 2-3 compatible consecutive lines (or one strongly monospaced line, whose
    neighbour the line finder may have merged or missed), most MRZ-like first. A run of three
    whose first two lines alone look more MRZ-like is also offered as those two lines."""
    bands = []
    for i, first in enumerate(lines):
        run = [first]
        for nxt in lines[i + 1 :]:
            if len(run) == 3:
                break
            if _compatible(run[-1], nxt):
                run.append(nxt)
        if len(run) >= 2 or first.periodicity >= _SINGLE_LINE_PERIODICITY:
            bands.append(Band(tuple(run)))
        if len(run) == 3 and _band_rank(Band(tuple(run[:2]))) > _band_rank(bands[-1]):
            bands.append(Band(tuple(run[:2])))  # a 2-line MRZ followed by other text
    bands.sort(key=_band_rank, reverse=True)
    return bands


def _band_rank(band: Band) -> float:
    """Monospaced (periodic) lines first, then similar widths, then groups over lone lines."""
    widths = [ln.width for ln in band.lines]
    period = min(ln.periodicity for ln in band.lines)
    regularity = min(widths) / max(widths)
    three_mrz_lines = len(band.lines) == 3 and period >= 0.45  # a TD1 (INE back)
    return 2.0 * period + 0.5 * regularity + 0.5 * (len(band.lines) > 1) + 0.1 * three_mrz_lines


def crop_band(
    image: np.ndarray, band: Band, text_px: float = _TARGET_TEXT_PX, widen: float = 0.2
) -> np.ndarray:
    """Deskew ``image`` around the band and cut it out with a margin, scaled so characters are
    about ``text_px`` pixels tall (same channels as ``image``)."""
    ys = [ln.cy for ln in band.lines]
    cx, cy = float(np.mean([ln.cx for ln in band.lines])), float(np.mean(ys))
    scale = float(np.clip(text_px / max(band.text_height, 1.0), 0.2, 4.0))
    width = max(ln.width for ln in band.lines) * (1 + 2 * widen) * scale
    extra = 1.4 if len(band.lines) > 1 else 3.2  # a lone line: room for a neighbour each side
    height = ((max(ys) - min(ys)) + extra * band.pitch) * scale
    rotation = cv2.getRotationMatrix2D((cx, cy), band.angle, scale)
    rotation[0, 2] += width / 2 - cx
    rotation[1, 2] += height / 2 - cy
    size = (max(1, int(width)), max(1, int(height)))
    channels = image.shape[2] if image.ndim == 3 else 1
    sample = image[:: max(1, image.shape[0] // 64), :: max(1, image.shape[1] // 64)]
    background = tuple(int(v) for v in np.median(sample.reshape(-1, channels), axis=0))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.warpAffine(
        image, rotation, size, flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=background
    )


def _prepared(crop: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """Preprocessing variants of a band crop (text already ~30 px), usually best first."""
    yield "grey", crop
    yield "otsu", ocr_prep.otsu(ocr_prep.normalise_contrast(crop))
    yield "large", cv2.resize(crop, None, fx=1.4, fy=1.4, interpolation=cv2.INTER_CUBIC)


def remove_colour_marks(crop: np.ndarray) -> np.ndarray:
    """Ink grey of a BGR crop with strongly coloured strokes (pen, annotations) inpainted."""
    if crop.ndim == 2:
        return crop
    hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
    coloured = ((hsv[:, :, 1] > 120) & (hsv[:, :, 2] > 60)).astype(np.uint8) * 255
    if not coloured.any():
        return ink_grey(crop)
    mask = cv2.dilate(coloured, np.ones((3, 3), np.uint8), iterations=1)
    return cv2.inpaint(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), mask, 3, cv2.INPAINT_TELEA)


def _bands(image: np.ndarray) -> list[tuple[Band, np.ndarray]]:
    """The top candidate bands with their cleaned grey crops."""
    bands = find_bands(find_text_lines(ink_grey(image)))[:_MAX_BANDS]
    return [(band, remove_colour_marks(crop_band(image, band))) for band in bands]


def _limit_width(image: np.ndarray, width: int) -> np.ndarray:
    if image.shape[1] <= width:
        return image
    scale = width / image.shape[1]
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def read_mrz(
    image: np.ndarray,
    ocr: OcrEngine,
    today: dt.date | None = None,
    budget_s: float = 4.0,
) -> MrzResult | None:
    """Locate and read the MRZ of ``image`` (BGR or grey uint8); None if none was read.

    First each candidate band with the OCR-B template reader and with Tesseract on the plain
    crop; then, for the bands where an MRZ-like text was found but not every check holds, the
    fallback preprocessings; as a last resort the lower half of the image. Stops at the first
    read whose check digits all hold, else returns the read with the most checks holding (at
    least two). No new attempt starts after ``budget_s`` seconds of CPU (this process and
    the tesseract runs it waited for: the same work whatever the machine's load). Raises only
    ``pipeline.errors.EngineError``.
    """
    if not isinstance(image, np.ndarray) or image.size == 0 or image.ndim not in (2, 3):
        return None
    deadline = cpu_seconds() + budget_s
    best: MrzResult | None = None
    for attempt in _attempts(image, ocr, today):
        best = _best(best, attempt())
        if (best is not None and best.valid) or cpu_seconds() > deadline:
            break
    return best if best is not None and _digit_checks(best) >= _MIN_CHECKS else None


def tesseract_readings(
    image: np.ndarray, ocr: OcrEngine, today: dt.date | None = None, bands: int = 1
) -> list[MrzResult]:
    """Tesseract's plain reading of the ``bands`` most MRZ-like bands of ``image``: a second,
    independent reading for a caller that doubts what :func:`read_mrz` returned where no
    check digit guards it (the names). One OCR call per band."""
    found = (_read(crop, ocr, today, f"band{n}:grey") for n, (_, crop) in
             enumerate(_bands(image)[:bands], start=1))  # fmt: skip
    return [result for result in found if result is not None]


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _attempts(
    image: np.ndarray, ocr: OcrEngine, today: dt.date | None
) -> Iterator[Callable[[], MrzResult | None]]:
    """The reading attempts in order, each a thunk (nothing runs until called). The fallback
    preprocessings run on the band whose plain Tesseract read had the most checks holding."""
    promising: list[tuple[int, int, np.ndarray]] = []
    for n, (_, crop) in enumerate(_bands(image), start=1):
        if n <= _MAX_TEMPLATE_BANDS:
            yield partial(_template_read, crop, today, f"band{n}:ocrb")
        grey = _read(crop, ocr, today, f"band{n}:grey")
        yield partial(_same, grey)
        if grey is not None:
            promising.append((_digit_checks(grey), n, crop))
    for _, n, crop in sorted(promising, key=lambda p: p[0], reverse=True)[:_MAX_FALLBACK_BANDS]:
        for name, variant in list(_prepared(crop))[1:]:
            yield partial(_read, variant, ocr, today, f"band{n}:{name}")
    if not promising:
        lower = _limit_width(ink_grey(image)[image.shape[0] // 2 :, :], 1800)
        yield partial(_read, lower, ocr, today, "lower-half")


def _same(result: MrzResult | None) -> MrzResult | None:
    return result


def _template_read(crop: np.ndarray, today: dt.date | None, method: str) -> MrzResult | None:
    best: MrzResult | None = None
    for lines in mrz_ocrb.iter_readings(crop):
        best = _best(best, parse_mrz(lines, today=today, method=method))
        if best is not None and best.valid:
            break
    return best


def _digit_checks(result: MrzResult) -> int:
    return sum(ok for name, ok in result.checks.items() if name != "structure")


def _best(a: MrzResult | None, b: MrzResult | None) -> MrzResult | None:
    if a is None or (b is not None and _better(b, a)):
        return b
    return a


def _read(
    image: np.ndarray, ocr: OcrEngine, today: dt.date | None, method: str
) -> MrzResult | None:
    read = ocr.text(ocr_prep.pad(image), lang="eng", psm=6, whitelist=MRZ_WHITELIST)
    return parse_mrz(read.lines, today=today, ocr_confidence=read.confidence, method=method)


def _better(a: MrzResult, b: MrzResult) -> bool:
    """Valid first, then the larger share of checks holding, then fewer repairs."""

    def key(r: MrzResult) -> tuple[bool, float, int]:
        return r.valid, sum(r.checks.values()) / max(1, len(r.checks)), -len(r.repairs)

    return key(a) > key(b)
