"""Stage 0: turn uploaded bytes into decoded images or PDFs, within hard limits.

Nothing a person uploads gets past this stage undecoded: each role ends as an image (BGR
``uint8``, EXIF orientation applied), a PDF (bytes plus page count), or a :class:`Problem`
that the checks turn into ``FILE_INVALID``. Limits on bytes and pixels are enforced before
any decoding work.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import (  # noqa: F401 - the decoders of the allowed formats, registered before any fork
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from models.uploads import UploadKind, UploadStatus

try:  # HEIC/HEIF from phones
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - declared dependency
    pass

# Decoders and the PDF parser are imported here, not on first use: a worker imports this module
# before it forks, so no job pays for importing them (Image.init() alone imports ~40 plugins).
PDF_MAGIC = b"%PDF-"
#: the JPEG end-of-image marker (a complete file ends with it, give or take zero padding)
JPEG_END = b"\xff\xd9"
#: Image formats a citizen's upload may be in (Pillow format names). Anything else Pillow could
#: parse (PSD, ICO, EPS, TGA, PCX...) is refused before decoding: a small parser surface.
#: (Multi-picture JPEGs from phones open through the JPEG plugin, as ``MPO``.)
ALLOWED_IMAGE_FORMATS = ("JPEG", "PNG", "HEIF", "WEBP", "TIFF", "GIF", "BMP")
#: the largest PDF page accepted, in points (1.5 m a side; an A4 page is 595 x 842)
MAX_PDF_PAGE_PT = 4_250.0
#: EXIF orientations other than "upright" (1): mirrored and turned variants.
_EXIF_TURNS = (2, 3, 4, 5, 6, 7, 8)
#: Roles whose large JPEGs are decoded at a reduced size (libjpeg's scaled IDCT: 1/2, 1/4, 1/8),
#: with the smallest long side (px) the reduction may leave. Only the selfie: the face stage
#: needs a face of ~320 px at most, and a subject's face (>= 0.12 of the shorter side, the
#: quality gate) keeps >= 135 px at 1500 px, above the 128 px its sharpness and exposure are
#: measured at. A 12 MP selfie decodes at 2000 x 1500 in a quarter of the CPU (0.02 s vs 0.08 s).
#: Documents are read by OCR at full size.
REDUCED_DECODE_MIN_SIDE = {"selfie": 1500}
_REDUCED_FLAGS = {
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


@dataclass(frozen=True)
class Limits:
    """Hard limits applied before expensive work."""

    max_bytes: int = 20_000_000
    max_pixels: int = 50_000_000
    max_pdf_pages: int = 5
    pdf_dpi: int = 200


@dataclass(frozen=True)
class Upload:
    """One decoded upload. ``image`` for images, ``pdf`` bytes for PDFs, ``problem`` otherwise."""

    role: str
    kind: UploadKind
    sha256: str
    image: np.ndarray | None = field(default=None, repr=False, compare=False)
    pdf: bytes | None = field(default=None, repr=False, compare=False)
    problem: str = ""
    exif_rotated: bool = False
    source_format: str = ""
    #: file pixels per decoded pixel (1, or 2/4/8 for a large selfie JPEG decoded reduced)
    reduction: int = 1

    @property
    def ok(self) -> bool:
        """True when the upload decoded."""
        return self.kind != "invalid"

    def status(self) -> UploadStatus:
        """The cacheable summary of this upload."""
        height, width = self.image.shape[:2] if self.image is not None else (0, 0)
        height, width = height * self.reduction, width * self.reduction
        return UploadStatus(
            role=self.role,
            kind=self.kind,
            problem=self.problem,
            source_format=self.source_format,
            width=width,
            height=height,
        )


def sha256_of(data: bytes | None) -> str:
    """The hex digest identifying an upload's content (cache keys)."""
    return hashlib.sha256(data or b"").hexdigest()


def decode_upload(
    role: str, data: bytes | None, limits: Limits = Limits(), digest: str = ""
) -> Upload:
    """Decode one upload; never raises on bad input (the problem is recorded instead)."""
    digest = digest or sha256_of(data)
    if data is None:
        return Upload(role, "invalid", digest, problem="missing")
    if not data:
        return Upload(role, "invalid", digest, problem="empty")
    if len(data) > limits.max_bytes:
        return Upload(role, "invalid", digest, problem="too_large")
    if data.startswith(PDF_MAGIC):
        return _decode_pdf(role, data, digest, limits)
    return _decode_image(role, data, digest, limits, REDUCED_DECODE_MIN_SIDE.get(role, 0))


def _decode_pdf(role: str, data: bytes, digest: str, limits: Limits) -> Upload:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return Upload(role, "invalid", digest, problem="pdf_encrypted")
            if _declared_pages(reader) > limits.max_pdf_pages:  # before walking the page tree
                return Upload(role, "invalid", digest, problem="pdf_too_many_pages")
            pages = len(reader.pages)
            oversized = pages and _pdf_page_too_large(reader.pages[0], limits)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        return Upload(role, "invalid", digest, problem="pdf_malformed")
    if pages == 0:
        return Upload(role, "invalid", digest, problem="pdf_empty")
    if pages > limits.max_pdf_pages:
        return Upload(role, "invalid", digest, problem="pdf_too_many_pages")
    if oversized:
        return Upload(role, "invalid", digest, problem="pdf_page_too_large")
    return Upload(role, "pdf", digest, pdf=data, source_format="PDF")


def _declared_pages(reader) -> int:  # type: ignore[no-untyped-def]
    """The page count the document claims (``/Root/Pages/Count``), read without walking the
    page tree (0 when absent). A PDF that claims fewer pages than it has is still counted in
    full afterwards, and the engines never render past ``max_pdf_pages``."""
    count = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
    return int(count) if isinstance(count, int) else 0


def _pdf_page_too_large(page, limits: Limits) -> bool:  # type: ignore[no-untyped-def]
    """True when the first page is larger than a real document or renders past the pixel cap."""
    width, height = abs(float(page.mediabox.width)), abs(float(page.mediabox.height))
    scale = limits.pdf_dpi / 72.0
    too_big = max(width, height) > MAX_PDF_PAGE_PT
    return too_big or width * scale * height * scale > limits.max_pixels


def _decode_image(role: str, data: bytes, digest: str, limits: Limits, min_side: int) -> Upload:
    formats = [name for name in ALLOWED_IMAGE_FORMATS if name in Image.OPEN]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as img:
                fmt = img.format or ""
                if img.width * img.height > limits.max_pixels:
                    return Upload(role, "invalid", digest, problem="too_many_pixels")
                orientation = img.getexif().get(0x0112, 1)
                reduction = _reduction(img.width, img.height, min_side)
                fast = _decode_jpeg_fast(data, img, orientation, reduction)
                if fast is None:
                    img.load()
                    packed = _bgr_bytes(_upright(img, orientation))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Upload(role, "invalid", digest, problem="too_many_pixels")
    except UnidentifiedImageError:
        return Upload(role, "invalid", digest, problem=_unidentified(data))
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
        return Upload(role, "invalid", digest, problem="image_corrupt")
    return Upload(
        role,
        "image",
        digest,
        image=fast if fast is not None else _writable_array(*packed),
        exif_rotated=orientation not in (1, None),
        source_format=fmt,
        reduction=reduction if fast is not None else 1,
    )


def _reduction(width: int, height: int, min_side: int) -> int:
    """The largest of 1, 2, 4, 8 that keeps the long side >= ``min_side`` (1 when 0).

    >>> _reduction(4000, 3000, 1500), _reduction(3000, 2250, 1500), _reduction(2000, 1500, 1500)
    (2, 2, 1)
    >>> _reduction(8000, 6000, 1500), _reduction(4000, 3000, 0)
    (4, 1)
    """
    factor = 1
    while min_side and factor < 8 and max(width, height) // (2 * factor) >= min_side:
        factor *= 2
    return factor


def _unidentified(data: bytes) -> str:
    """``unsupported_format`` for an image of a refused format, else ``not_an_image``.

    Only the header is parsed (``Image.open`` is lazy); nothing of a refused format is decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)):
                return "unsupported_format"
    except Exception:  # noqa: BLE001 - any parser failure means "not an image we know"
        return "not_an_image"


def _decode_jpeg_fast(
    data: bytes, img: Image.Image, orientation: object, reduction: int = 1
) -> np.ndarray | None:
    """A complete RGB JPEG decoded by OpenCV straight to BGR and turned upright; else None.

    With ``reduction`` 2, 4 or 8 libjpeg decodes at that fraction of the size (each side
    rounded up), scaling in the DCT domain: far less work than decoding in full and shrinking.

    OpenCV and Pillow both decode with libjpeg-turbo (same pixels), but OpenCV writes BGR into
    one array in one pass: about 3x less CPU than Pillow's decode plus packing at 12 MP. Only
    for files Pillow has already identified as RGB JPEG from the header, and only when the data
    ends with the end-of-image marker: a truncated file goes to Pillow, which reports it.
    CMYK, grey and unusual JPEGs take the Pillow path too.
    """
    if img.format not in ("JPEG", "MPO") or img.mode != "RGB":
        return None
    if not data[-64:].rstrip(b"\0").endswith(JPEG_END):
        return None
    flags = _REDUCED_FLAGS.get(reduction, cv2.IMREAD_COLOR) | cv2.IMREAD_IGNORE_ORIENTATION
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    expected = (-(-img.height // reduction), -(-img.width // reduction), 3)
    if bgr is None or bgr.shape != expected:
        return None
    return _turn(bgr, orientation)


def _turn(bgr: np.ndarray, orientation: object) -> np.ndarray:
    """``bgr`` turned as EXIF ``orientation`` says (as Pillow's ``exif_transpose``)."""
    if orientation == 2:
        return cv2.flip(bgr, 1)
    if orientation == 3:
        return cv2.rotate(bgr, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(bgr, 0)
    if orientation == 5:
        return cv2.transpose(bgr)
    if orientation == 6:
        return cv2.rotate(bgr, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.flip(cv2.transpose(bgr), -1)
    if orientation == 8:
        return cv2.rotate(bgr, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return bgr


def _upright(img: Image.Image, orientation: object) -> Image.Image:
    """The image turned as its EXIF orientation says (the image itself, not a copy, when upright)."""
    if orientation in _EXIF_TURNS:
        return ImageOps.exif_transpose(img) or img
    return img


def _bgr_bytes(img: Image.Image) -> tuple[bytes, int, int]:
    """Any PIL mode (CMYK, 16-bit, palette, alpha) as packed BGR bytes, with width and height.

    Pillow packs BGR itself (``tobytes("raw", "BGR")``): one pass over the pixels, instead of an
    RGB array, a strided channel flip and a contiguous copy (about 3x faster at 12 MP).
    """
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(img, dtype=np.float64)
        scale = 255.0 / 65535.0 if wide.max() > 255 else 1.0  # 16-bit samples to 8-bit
        img = Image.fromarray(np.clip(np.rint(wide * scale), 0, 255).astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(backdrop, rgba)
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    return rgb.tobytes("raw", "BGR"), rgb.width, rgb.height


def _writable_array(data: bytes, width: int, height: int) -> np.ndarray:
    """``height x width x 3`` contiguous, writable ``uint8`` array holding ``data``.

    Made after the decoder's image is released, so a 12 MP photo never holds more than the
    packed bytes and this array at once.
    """
    array = np.empty((height, width, 3), dtype=np.uint8)
    array.reshape(-1)[:] = np.frombuffer(data, dtype=np.uint8)
    return array
