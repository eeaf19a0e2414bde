"""Find, straighten, measure and classify a document in a photo or a rendered page.

::

    page = locate(image, shape="card")      # perspective-corrected, canonical size
    page = upright(page, ocr)               # (pipeline.orientation) 90/180° turns fixed by OCR
    page.words, page.record                 # the OCR words and a DocumentImage measurement

Steps: the document's outline is searched on a downscaled copy (edges and Otsu masks ->
largest convex quadrilateral), the perspective is corrected at full resolution and the result
scaled to a canonical size for its shape (ID-1 card, passport data page, letter/A4 page). The
text orientation is chosen by OCR (:mod:`pipeline.orientation`): the turn whose words Tesseract
reads with the highest confidence wins (only tried when the first reading is weak, so an upright
card costs one call). Quality (brightness, contrast, sharpness) is measured on the canonical
image; the document kind comes from keywords of that OCR plus the page shape. Nothing here
decides "unreadable": the measurements go into :class:`~models.documents.DocumentImage` and the
checks apply the policy. Text lines, phrases and :func:`~pipeline.text_lines.fold` are in
:mod:`pipeline.text_lines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from models.documents import DocumentImage, DocumentKind, ImageQuality
from pipeline.text_lines import WordLike, fold, group_lines

Shape = Literal["card", "page"]

#: canonical sizes (width, height) of the straightened document, landscape card / portrait page
CARD_SIZE = (1280, 807)  # ID-1, 85.6 x 54 mm, ~15 px/mm
PASSPORT_ASPECT = 125 / 88
PAGE_WIDTH = 1700  # ~200 dpi for letter/A4 width
#: long side of the copy the outline is searched on
SEARCH_SIDE = 640
#: smallest share of the photo a document outline must cover
MIN_OUTLINE_AREA = 0.05


@dataclass(frozen=True)
class Page:
    """A straightened document image, the OCR words read on it and its measurements."""

    image: np.ndarray = field(repr=False)
    outline_found: bool = False
    rotation: int = 0
    words: tuple[WordLike, ...] = field(default=(), repr=False)
    #: how much ``image`` was enlarged from the canonical size to read small print
    scale: float = 1.0
    #: the scale ``words`` were read at (boxes are in ``image`` pixels whatever it was)
    read_scale: float = 1.0

    @property
    def grey(self) -> np.ndarray:
        """Grey copy of the image."""
        return to_grey(self.image)


def to_grey(image: np.ndarray) -> np.ndarray:
    """Grey uint8 view of a grey or BGR image."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


# --- outline and perspective -------------------------------------------------------------


def locate(image: np.ndarray, shape: Shape, search: OutlineSearch | None = None) -> Page:
    """Find the document in ``image``, correct its perspective and scale it to canonical size.

    When no outline is found the whole image is taken as the document (scans, crops, PDFs).
    ``search`` is the photo's :func:`search_outlines` when the caller already made it.
    """
    quad = find_outline(image, shape, search)
    if quad is None:
        return Page(image=canonical_size(image, shape), outline_found=False)
    warped = warp(image, quad)
    return Page(image=canonical_size(warped, shape), outline_found=True)


#: aspect ratios (long/short side) a document outline is expected to have, by shape
ASPECTS: dict[str, tuple[float, ...]] = {
    "card": (85.6 / 54, PASSPORT_ASPECT),
    "page": (11 / 8.5, 297 / 210),
}


def find_outline(
    image: np.ndarray, shape: Shape = "card", search: OutlineSearch | None = None
) -> np.ndarray | None:
    """Corners (4x2 float32, full-resolution pixels) of the most document-like quadrilateral.

    Candidates from every mask are scored by area x fit of their aspect ratio to the
    expected shape; quads hugging the photo's border (background regions) are penalised.
    """
    quad, score = (search or search_outlines(image)).best(shape)
    return quad if score >= 0.04 else None


def likely_shape(image: np.ndarray | OutlineSearch) -> Shape:
    """Whether a photo shows a card (ID) or a page (bill), from its best outline's shape."""
    search = image if isinstance(image, OutlineSearch) else search_outlines(image)
    card = search.best("card")[1]
    page = search.best("page")[1]
    return "card" if card > page else "page"


def scored_outline(image: np.ndarray, shape: Shape) -> tuple[np.ndarray | None, float]:
    """The best quadrilateral for ``shape`` and its score (0 when none)."""
    return search_outlines(image).best(shape)


@dataclass(frozen=True)
class OutlineSearch:
    """The candidate quadrilaterals of one photo, found once on a small copy (the costly
    part: grey conversion, resizing and masks of a 12 MP photo) and scored per shape."""

    quads: tuple[tuple[np.ndarray, float], ...] = field(repr=False)
    #: (height, width) of the small copy, and its scale from the photo
    small_shape: tuple[int, int]
    scale: float

    def best(self, shape: Shape) -> tuple[np.ndarray | None, float]:
        """The best quadrilateral for ``shape`` (full-resolution corners) and its score."""
        total = float(self.small_shape[0] * self.small_shape[1])
        best, best_score = None, 0.0
        for quad, area in self.quads:
            if area < MIN_OUTLINE_AREA * total:
                continue
            fit = aspect_fit(quad, shape) * _border_penalty(quad, self.small_shape)
            score = area / total * fit
            if score > best_score:
                best, best_score = quad, score
        if best is None:
            return None, 0.0
        return (best / self.scale).astype(np.float32), best_score


def search_outlines(image: np.ndarray) -> OutlineSearch:
    """Every candidate document outline of ``image``, for :func:`find_outline` and
    :func:`likely_shape` (make it once per photo when both are needed)."""
    grey = to_grey(image)
    scale = SEARCH_SIDE / max(grey.shape[:2])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    quads = tuple(found for mask in _outline_masks(small) for found in _quads(mask))
    return OutlineSearch(quads, (small.shape[0], small.shape[1]), scale)


def aspect_fit(quad: np.ndarray, shape: Shape) -> float:
    """How well a quad's side ratio matches the expected documents (1 = exactly, -> 0).

    >>> round(aspect_fit(np.array([[0, 0], [856, 0], [856, 540], [0, 540]], np.float32), "card"), 2)
    1.0
    """
    tl, tr, br, bl = order_corners(quad)
    top, bottom = np.linalg.norm(tr - tl), np.linalg.norm(br - bl)
    left, right = np.linalg.norm(bl - tl), np.linalg.norm(br - tr)
    width, height = (top + bottom) / 2, (left + right) / 2
    if min(top, bottom, left, right) < 1:
        return 0.0
    ratio = max(width, height) / min(width, height)
    fit = max(float(np.exp(-(((ratio - e) / 0.15) ** 2))) for e in ASPECTS[shape])
    # a photographed rectangle keeps opposite sides of similar length; shadows do not
    parallel = min(top, bottom) / max(top, bottom) * min(left, right) / max(left, right)
    return fit * float(parallel) ** 2


def _border_penalty(quad: np.ndarray, shape: tuple[int, ...]) -> float:
    """Quads with two corners on the photo's border are mostly background; with three or
    four they are the photo's frame itself (no outline)."""
    h, w = shape[:2]
    margin = 4
    on_border = sum(
        1 for x, y in quad if x < margin or y < margin or x > w - 1 - margin or y > h - 1 - margin
    )
    return (1.0, 1.0, 0.35, 0.0, 0.0)[on_border]


def _outline_masks(small: np.ndarray) -> list[np.ndarray]:
    edges = cv2.Canny(small, 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8), iterations=2)
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = np.ones((7, 7), np.uint8)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
    return [edges, bright, cv2.bitwise_not(bright)]


def _quads(mask: np.ndarray) -> list[tuple[np.ndarray, float]]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        perimeter = cv2.arcLength(hull, True)
        for eps in (0.02, 0.04, 0.06):
            approx = cv2.approxPolyDP(hull, eps * perimeter, True)
            if len(approx) == 4:
                quad = approx.reshape(4, 2).astype(np.float32)
                found.append((quad, float(cv2.contourArea(quad))))
                break
    return found


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left.

    >>> order_corners(np.array([[10, 0], [0, 0], [0, 5], [10, 5]], np.float32)).tolist()
    [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    """
    pts = quad.reshape(4, 2).astype(np.float32)
    total = pts.sum(axis=1)
    diff = np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]],
        np.float32,
    )


def warp(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct the quadrilateral ``quad`` into an upright rectangle."""
    tl, tr, br, bl = order_corners(quad)
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    width, height = max(width, 8), max(height, 8)
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl]), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC)


def canonical_size(image: np.ndarray, shape: Shape) -> np.ndarray:
    """Scale to the canonical size: cards landscape ``CARD_SIZE`` wide, pages ``PAGE_WIDTH``.

    Cards keep their aspect (an ID-1 card and a passport page differ); portrait cards are
    scaled on their long side and turned later by :func:`~pipeline.orientation.upright`.
    """
    h, w = image.shape[:2]
    target_long = CARD_SIZE[0] if shape == "card" else int(PAGE_WIDTH * 1.3)
    if shape == "page":
        factor = PAGE_WIDTH / min(w, h) if min(w, h) else 1.0
        factor = min(factor, target_long * 1.6 / max(w, h))
    else:
        factor = target_long / max(w, h)
    if abs(factor - 1.0) < 0.02:
        return image
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by a multiple of 90 degrees."""
    turns = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    code = turns.get(degrees % 360)
    return image if code is None else cv2.rotate(image, code)


# --- quality -----------------------------------------------------------------------------


def measure_quality(image: np.ndarray) -> ImageQuality:
    """Brightness, contrast, sharpness and clipped fractions of a canonical-size image."""
    grey = to_grey(image)
    h, w = grey.shape[:2]
    # cv2.meanStdDev: the same population mean/std as numpy, a tenth of the CPU on a page
    mean, std = (float(v[0][0]) for v in cv2.meanStdDev(grey))
    # CV_16S holds a 3x3 Laplacian of uint8 exactly (|value| <= 1020), at a fraction of the
    # CPU of CV_64F on a page; the statistics are computed in double precision either way
    lap_std = float(cv2.meanStdDev(cv2.Laplacian(grey, cv2.CV_16S))[1][0][0])
    return ImageQuality(
        width=int(w),
        height=int(h),
        brightness=round(mean, 2),
        contrast=round(std, 2),
        sharpness=round(lap_std**2, 2),
        dark_fraction=round(float((grey < 25).mean()), 4),
        bright_fraction=round(float((grey > 245).mean()), 4),
    )


def ocr_confidence(words: tuple[WordLike, ...]) -> float:
    """Mean confidence of the words of 2+ characters (0 when none)."""
    real = [w.confidence for w in words if len(w.text) >= 2]
    return round(sum(real) / len(real), 4) if real else 0.0


# --- classification ----------------------------------------------------------------------

#: keyword (folded, upper case) -> weight, per document kind
KEYWORDS: dict[str, dict[str, float]] = {
    "ine_front": {
        "INSTITUTO NACIONAL ELECTORAL": 3,
        "CREDENCIAL PARA VOTAR": 3,
        "CLAVE DE ELECTOR": 3,
        "ANO DE REGISTRO": 2,
        "FECHA DE NACIMIENTO": 1,
        "DOMICILIO": 1,
        "SECCION": 1.5,
        "VIGENCIA": 1.5,
        "NOMBRE": 1,
        "SEXO": 1,
        "CURP": 1,
        "ELECTORAL": 1,
    },
    "ine_back": {
        "IDMEX": 4,
        "INSTITUTO NACIONAL ELECTORAL": 1,
        "CREDENCIAL": 0.5,
        "FIRMA": 0.5,
    },
    "passport": {
        "PASAPORTE": 3,
        "PASSPORT": 3,
        "P<MEX": 4,
        "ESTADOS UNIDOS MEXICANOS": 1.5,
        "NACIONALIDAD": 1,
        "NATIONALITY": 1.5,
        "SURNAME": 1.5,
        "GIVEN NAMES": 1.5,
        "DATE OF BIRTH": 1.5,
        "DATE OF EXPIRY": 1.5,
        "LUGAR DE NACIMIENTO": 1,
        "AUTORIDAD": 0.5,
    },
    "bill": {
        "TOTAL A PAGAR": 3,
        "PERIODO": 1.5,
        "FACTURADO": 1.5,
        "LIMITE DE PAGO": 2.5,
        "PAGAR ANTES": 2,
        "FECHA DE VENCIMIENTO": 1.5,
        "FECHA DE EMISION": 1.5,
        "RECIBO": 1.5,
        "FACTURA": 1.5,
        "ESTADO DE CUENTA": 1.5,
        "NO. DE SERVICIO": 2,
        "NUMERO DE SERVICIO": 2,
        "CONSUMO": 1.5,
        "KWH": 2,
        "MEDIDOR": 1.5,
        "TARIFA": 1,
        "IMPORTE": 1,
        "SALDO": 1,
        "CFE": 2,
        "TELMEX": 2,
        "COMISION FEDERAL DE ELECTRICIDAD": 3,
        "SACMEX": 2,
        "PREDIAL": 2,
        "SUMINISTRO": 1,
        "R.F.C": 0.5,
        "RFC": 0.5,
    },
}


def keyword_scores(text: str) -> dict[str, tuple[float, list[str]]]:
    """Weighted keyword hits per document kind, with the keywords found."""
    folded = fold(text)
    squashed = re.sub(r"\s+", " ", folded)
    scores: dict[str, tuple[float, list[str]]] = {}
    for kind, table in KEYWORDS.items():
        hits = [kw for kw in table if _contains(squashed, kw)]
        scores[kind] = (sum(table[kw] for kw in hits), hits)
    return scores


def _contains(text: str, keyword: str) -> bool:
    if len(keyword) <= 5:
        return re.search(rf"(?<![A-Z]){re.escape(keyword)}(?![A-Z])", text) is not None
    return keyword in text


def classify(text: str, width: int, height: int) -> tuple[DocumentKind, float, list[str]]:
    """Tell what a document is from its OCR text and its shape.

    Returns the kind, a 0-1 score (share of the winning evidence) and the keywords found.

    >>> classify("INSTITUTO NACIONAL ELECTORAL CREDENCIAL PARA VOTAR CLAVE DE ELECTOR", 856, 540)[0]
    'ine_front'
    >>> classify("CFE Total a pagar Periodo facturado", 1700, 2200)[0]
    'bill'
    >>> classify("", 100, 100)[0]
    'unknown'
    """
    scores = keyword_scores(text)
    weights = {kind: score for kind, (score, _) in scores.items()}
    _shape_prior(weights, width, height)
    kind = max(weights, key=lambda k: weights[k])
    if weights[kind] < 2.0:
        return ("unknown" if not text.strip() else "other"), 0.0, []
    total = sum(weights.values()) or 1.0
    return kind, round(weights[kind] / total, 3), scores[kind][1]  # type: ignore[return-value]


def _shape_prior(weights: dict[str, float], width: int, height: int) -> None:
    """A little evidence from the aspect ratio (only ever a tie-breaker)."""
    if not width or not height:
        return
    long, short = max(width, height), min(width, height)
    aspect = long / short
    card_like = abs(aspect - 85.6 / 54) < 0.12
    if card_like and any(weights[k] for k in ("ine_front", "ine_back")):
        weights["ine_front"] += 0.5 if weights["ine_front"] else 0
        weights["ine_back"] += 0.5 if weights["ine_back"] else 0
    if abs(aspect - PASSPORT_ASPECT) < 0.06 and weights["passport"]:
        weights["passport"] += 0.5
    if height > width and aspect > 1.2 and weights["bill"]:
        weights["bill"] += 0.5


def describe(page: Page, text: str | None = None) -> DocumentImage:
    """The measurement record of a straightened page: quality, OCR confidence and kind."""
    words = page.words
    body = text if text is not None else " ".join(w.text for w in _in_reading_order(words))
    h, w = page.image.shape[:2]
    kind, score, keywords = classify(body, w, h)
    return DocumentImage(
        kind=kind,
        kind_score=score,
        keywords=keywords,
        outline_found=page.outline_found,
        rotation=page.rotation,
        quality=measure_quality(at_canonical_size(page)),
        ocr_confidence=ocr_confidence(words),
        words=sum(1 for w in words if len(w.text) >= 2),
    )


def at_canonical_size(page: Page) -> np.ndarray:
    """The page's image at the canonical size: small print read enlarged (``page.scale``)
    is measured as it was photographed (enlarging blurs the Laplacian the sharpness is)."""
    if page.scale == 1.0:
        return page.image
    factor = 1.0 / page.scale
    return cv2.resize(page.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _in_reading_order(words: tuple[WordLike, ...]) -> list[WordLike]:
    return [word for line in group_lines(words) for word in line]
