"""Upload decoding: formats, orientation and the limits enforced before decoding."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from pipeline.uploads import Limits, decode_upload


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (60, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to view
    upload = decode_upload("selfie", _encode(img, "JPEG", exif=exif))
    assert upload.kind == "image" and upload.exif_rotated
    assert upload.image.shape[:2] == (60, 20)


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("CMYK", "JPEG"),
        ("RGBA", "PNG"),
        ("LA", "PNG"),
        ("P", "GIF"),
        ("RGB", "TIFF"),
        ("RGB", "WEBP"),
        ("I;16", "PNG"),
        ("L", "PNG"),
    ],
)
def test_modes_and_formats_become_bgr_uint8(mode: str, fmt: str) -> None:
    upload = decode_upload("id_front", _encode(Image.new(mode, (32, 24)), fmt))
    assert upload.kind == "image", upload.problem
    assert upload.image.dtype == np.uint8 and upload.image.shape == (24, 32, 3)


def test_sixteen_bit_values_are_scaled_not_clipped() -> None:
    wide = Image.fromarray(np.array([[65535, 32896]], dtype=np.uint16))
    upload = decode_upload("selfie", _encode(wide, "PNG"))
    assert upload.image[0, :, 0].tolist() == [255, 128]


@pytest.mark.parametrize(
    ("data", "problem"),
    [(None, "missing"), (b"", "empty"), (b"hello, I am text named .jpg", "not_an_image")],
)
def test_bad_bytes_become_problems(data: bytes | None, problem: str) -> None:
    upload = decode_upload("selfie", data)
    assert upload.kind == "invalid" and upload.problem == problem


def test_truncated_jpeg_is_corrupt() -> None:
    data = _encode(Image.new("RGB", (400, 300), (10, 200, 30)), "JPEG")
    assert decode_upload("selfie", data[: len(data) // 3]).problem == "image_corrupt"


def test_pixel_limit_is_checked_from_the_header() -> None:
    data = _encode(Image.new("L", (3000, 3000)), "PNG")
    assert decode_upload("selfie", data, Limits(max_pixels=1_000_000)).problem == "too_many_pixels"


def test_byte_limit() -> None:
    assert decode_upload("selfie", b"x" * 101, Limits(max_bytes=100)).problem == "too_large"


def test_pdf_is_recognised_and_counted() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for _ in range(3):
        pdf.drawString(72, 720, "CFE")
        pdf.showPage()
    pdf.save()
    assert decode_upload("address_proof", buf.getvalue()).kind == "pdf"
    too_long = decode_upload("address_proof", buf.getvalue(), Limits(max_pdf_pages=2))
    assert too_long.problem == "pdf_too_many_pages"


def test_malformed_pdf() -> None:
    assert decode_upload("address_proof", b"%PDF-1.7\n garbage").problem in {
        "pdf_malformed",
        "pdf_empty",
    }
