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


def _gradient_jpeg(width: int, height: int, orientation: int = 1) -> bytes:
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([x + 0 * y, y + 0 * x, (x + y) / 2], axis=-1).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return _encode(Image.fromarray(rgb), "JPEG", quality=90, exif=exif)


def test_large_selfie_jpeg_is_decoded_reduced_and_reports_file_pixels() -> None:
    data = _gradient_jpeg(3001, 2000)
    selfie = decode_upload("selfie", data)
    full = decode_upload("id_front", data)  # documents are read at full size
    assert (selfie.reduction, selfie.image.shape) == (2, (1000, 1501, 3))
    assert (full.reduction, full.image.shape) == (1, (2000, 3001, 3))
    assert (selfie.status().width, selfie.status().height) == (3002, 2000)
    shrunk = full.image[::2, ::2].astype(np.int16)[:1000, :1501]
    assert np.abs(selfie.image.astype(np.int16) - shrunk).mean() < 3.0  # same picture


def test_reduced_decode_keeps_exif_orientation_and_small_selfies_stay_full() -> None:
    turned = decode_upload("selfie", _gradient_jpeg(3200, 2400, orientation=6))
    assert turned.exif_rotated and turned.reduction == 2 and turned.image.shape == (1600, 1200, 3)
    small = decode_upload("selfie", _gradient_jpeg(2000, 1500))
    assert small.reduction == 1 and small.image.shape == (1500, 2000, 3)
