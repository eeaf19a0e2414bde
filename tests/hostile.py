"""Builders of hostile uploads for the reliability tests (``tests/test_hostile_inputs.py``).

Every builder returns bytes made here, in memory, from nothing but Pillow, pillow-heif, pypdf
and reportlab: no file of a real person. Decompression bombs are small on the wire (a few KB)
and only huge once decoded, which is the point.
"""

from __future__ import annotations

import copy
import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

#: A registration with invented data (no real person).
REGISTRATION = {
    "nombre": "PRUEBA",
    "primer_apellido": "HOSTIL",
    "segundo_apellido": "UNO",
    "curp": "XEXX010101HDFXXX04",
    "fecha_nacimiento": "2001-01-01",
    "sexo": "H",
    "entidad_nacimiento": "DF",
    "domicilio": {
        "calle": "CALLE INVENTADA",
        "numero_exterior": "1",
        "colonia": "CENTRO",
        "municipio": "CUAUHTEMOC",
        "entidad": "CIUDAD DE MEXICO",
        "codigo_postal": "06000",
    },
}


def case_dict(sid: str = "sub-hostile", names: dict[str, str] | None = None) -> dict:
    """A ``case.json`` document naming one file per role (an INE case)."""
    documents = names or {
        "id_front": "id_front.jpg",
        "id_back": "id_back.jpg",
        "address_proof": "address_proof.jpg",
        "selfie": "selfie.jpg",
    }
    return {
        "submission_id": sid,
        "account_id": "acc-hostile",
        "submitted_at": "2026-11-01T12:00:00-06:00",
        "registration": copy.deepcopy(REGISTRATION),
        "documents": {"id_type": "ine", **documents},
    }


def payload_dict(sid: str = "sub-hostile", keys: dict[str, str] | None = None) -> dict:
    """A job payload (``models.JobPayload``) for the same invented registration."""
    documents = keys or {
        "id_front": f"{sid}/id_front.jpg",
        "id_back": f"{sid}/id_back.jpg",
        "address_proof": f"{sid}/address_proof.jpg",
        "selfie": f"{sid}/selfie.jpg",
    }
    return {
        "submission_id": sid,
        "account_id": "acc-hostile",
        "submitted_at": "2026-11-01T12:00:00-06:00",
        "registration": copy.deepcopy(REGISTRATION),
        "bucket": "llave-uploads",
        "documents": {"id_type": "ine", **documents},
    }


# --------------------------------------------------------------------------- images


def encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    """``img`` saved in ``fmt`` into bytes."""
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 160, height: int = 120) -> Image.Image:
    """A small RGB test picture (smooth colours, so every codec keeps it recognisable)."""
    x = np.linspace(0, 255, width, dtype=np.float32)
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    rgb = np.stack([np.broadcast_to(x, (height, width)), np.broadcast_to(y, (height, width))], -1)
    blue = np.full((height, width, 1), 128, dtype=np.float32)
    return Image.fromarray(np.concatenate([rgb, blue], -1).astype(np.uint8), "RGB")


def jpeg() -> bytes:
    """A plain small JPEG."""
    return encode(gradient(), "JPEG", quality=90)


def png() -> bytes:
    """A plain small PNG."""
    return encode(gradient(), "PNG")


def truncated(data: bytes, keep: float = 0.4) -> bytes:
    """The first ``keep`` share of ``data``: an interrupted upload."""
    return data[: max(1, int(len(data) * keep))]


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.lru_cache(maxsize=2)
def png_bomb(side: int = 30_000) -> bytes:
    """A grey ``side`` x ``side`` PNG of zeros: ~900 MP once decoded, ~1 MB on the wire."""
    rows = bytes((side + 1) * 250)  # filter byte + one byte per pixel, 250 rows at a time
    packer = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    chunks = [packer.compress(rows) for _ in range(side // 250)]
    chunks.append(packer.compress(bytes((side + 1) * (side % 250))))
    stream = b"".join(chunks) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", stream)
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int = 65_000, height: int = 65_000) -> bytes:
    """A small JPEG whose frame header (SOF0) claims ``width`` x ``height`` pixels."""
    data = bytearray(jpeg())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_claiming(side: int = 65_535) -> bytes:
    """A GIF whose logical screen and image descriptor claim ``side`` x ``side`` pixels."""
    data = bytearray(encode(Image.new("P", (8, 8)), "GIF"))
    data[6:10] = struct.pack("<HH", side, side)
    descriptor = data.find(b"\x2c")
    data[descriptor + 5 : descriptor + 9] = struct.pack("<HH", side, side)
    return bytes(data)


def tiff_claiming(side: int = 60_000) -> bytes:
    """A TIFF whose width/length tags claim ``side`` x ``side`` pixels (strip data is tiny)."""
    data = bytearray(encode(Image.new("L", (16, 16)), "TIFF"))
    for tag in (256, 257):  # ImageWidth, ImageLength
        entry = data.find(struct.pack("<HH", tag, 3))
        if entry < 0:
            entry = data.find(struct.pack("<HH", tag, 4))
            data[entry + 8 : entry + 12] = struct.pack("<I", side)
        else:
            data[entry + 8 : entry + 10] = struct.pack("<H", side)
    return bytes(data)


def cmyk_jpeg() -> bytes:
    """A CMYK JPEG (what print workflows and some scanners produce)."""
    return encode(gradient().convert("CMYK"), "JPEG")


def png16() -> bytes:
    """A 16-bit grey PNG."""
    wide = (np.asarray(gradient().convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    return encode(Image.fromarray(wide), "PNG")


def tiff16() -> bytes:
    """A 16-bit grey TIFF (scanner output)."""
    wide = (np.asarray(gradient().convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
    return encode(Image.fromarray(wide), "TIFF")


def rgba_png() -> bytes:
    """An RGBA PNG whose left half is fully transparent."""
    img = gradient().convert("RGBA")
    alpha = np.full((img.height, img.width), 255, dtype=np.uint8)
    alpha[:, : img.width // 2] = 0
    img.putalpha(Image.fromarray(alpha))
    return encode(img, "PNG")


def palette_transparent_png() -> bytes:
    """A palette PNG with a transparent colour (``tRNS``)."""
    img = gradient().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return encode(img, "PNG", transparency=0)


def heic() -> bytes:
    """A HEIC file as phones write it (pillow-heif's encoder)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    return encode(gradient(), "HEIF", quality=80)


def animated_gif() -> bytes:
    """A three-frame animated GIF."""
    frames = [gradient().rotate(angle).convert("P") for angle in (0, 90, 180)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def multipage_tiff() -> bytes:
    """A three-page TIFF."""
    pages = [gradient(), gradient().rotate(180), gradient().convert("L").convert("RGB")]
    return encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def webp() -> bytes:
    """A lossy WEBP."""
    return encode(gradient(), "WEBP", quality=80)


def bmp() -> bytes:
    """A Windows bitmap (accepted: old scanners write it)."""
    return encode(gradient(), "BMP")


def psd() -> bytes:
    """A minimal Photoshop document (8-bit RGB, one composite image, raw data)."""
    width, height = 8, 8
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    sections = struct.pack(">I", 0) * 3  # colour mode data, image resources, layers
    return header + sections + struct.pack(">H", 0) + bytes(3 * width * height)


def ico() -> bytes:
    """A Windows icon."""
    return encode(gradient(64, 64), "ICO")


def text_as_jpg() -> bytes:
    """A text file that a person renamed to ``.jpg``."""
    return b"Hola, soy un archivo de texto con nombre de foto.\n" * 20


def html_as_jpg() -> bytes:
    """An HTML page with a script, named ``.jpg``."""
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_as_jpg() -> bytes:
    """An SVG with a script (a classic stored-XSS vector), named ``.jpg``."""
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b'<script>alert(1)</script><rect width="100" height="100"/></svg>'
    )


def zip_as_jpg() -> bytes:
    """A ZIP archive holding a JPEG, named ``.jpg``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("foto.jpg", jpeg())
    return buffer.getvalue()


def exe_as_jpg() -> bytes:
    """The start of a Windows executable (MZ header, PE signature), named ``.jpg``."""
    stub = bytearray(256)
    stub[0:2] = b"MZ"
    stub[0x3C:0x40] = struct.pack("<I", 0x80)
    stub[0x80:0x84] = b"PE\0\0"
    return bytes(stub)


def elf_as_jpg() -> bytes:
    """The header of a Linux executable, named ``.jpg``."""
    return b"\x7fELF\x02\x01\x01" + bytes(57)


def jpeg_with_zip_tail() -> bytes:
    """A valid JPEG with a ZIP archive appended (a polyglot): decodes as the JPEG only."""
    return jpeg() + zip_as_jpg()


# --------------------------------------------------------------------------- PDFs


def pdf_pages(count: int = 1, text: str = "", size: tuple[float, float] = (612, 792)) -> bytes:
    """A PDF of ``count`` pages of ``size`` points, with ``text`` on each (none if empty)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size)
    for _ in range(count):
        if text:
            pdf.drawString(72, size[1] - 72, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def pdf_encrypted() -> bytes:
    """A one-page PDF encrypted with a user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_pages(1, "RECIBO"))))
    writer.encrypt(user_password="secreto", owner_password="otro")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_malformed() -> bytes:
    """A PDF header followed by garbage: no xref, no objects."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage\n"


def pdf_with_script(marker: str) -> bytes:
    """A one-page PDF with an OpenAction JavaScript and a Launch action that would create
    ``marker`` if any tool executed them."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_pages(1, "AVISO DE PAGO"))))
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(f"app.launchURL('file://{marker}');"),
        }
    )
    launch = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject(f"/usr/bin/touch {marker}"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    page_actions = DictionaryObject({NameObject("/O"): writer._add_object(launch)})
    writer.pages[0][NameObject("/AA")] = page_actions
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_huge_page() -> bytes:
    """A one-page PDF without text whose page is 14400 x 14400 pt (5 m a side, PDF's maximum):
    rendered at 200 dpi it would be 40000 x 40000 pixels."""
    return pdf_pages(1, "", size=(14_400, 14_400))


def pdf_nested() -> bytes:
    """A PDF whose page tree is a chain of 5000 nested arrays (parser recursion)."""
    deep = b"[" * 5000 + b"]" * 5000
    body = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids " + deep + b" /Count 1 >> endobj\n"
    )
    xref_at = len(body)
    return (
        body
        + b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
        + b"trailer << /Root 1 0 R /Size 3 >>\nstartxref\n"
        + str(xref_at).encode()
        + b"\n%%EOF\n"
    )


#: name -> builder of the upload bytes that are not a usable file (FILE_INVALID expected),
#: with the problem code expected (a set when more than one is an honest description).
INVALID: dict[str, tuple[Callable[[], bytes], set[str]]] = {
    "zero_bytes": (lambda: b"", {"empty"}),
    "truncated_jpeg": (lambda: truncated(jpeg()), {"image_corrupt"}),
    "truncated_png": (lambda: truncated(png()), {"image_corrupt"}),
    "truncated_pdf": (lambda: truncated(pdf_pages(1, "RECIBO"), 0.5), {"pdf_malformed"}),
    "text_named_jpg": (text_as_jpg, {"not_an_image"}),
    "html_named_jpg": (html_as_jpg, {"not_an_image"}),
    "svg_named_jpg": (svg_as_jpg, {"not_an_image"}),
    "zip_named_jpg": (zip_as_jpg, {"not_an_image"}),
    "exe_named_jpg": (exe_as_jpg, {"not_an_image"}),
    "elf_named_jpg": (elf_as_jpg, {"not_an_image"}),
    "psd": (psd, {"unsupported_format"}),
    "ico": (ico, {"unsupported_format"}),
    "png_bomb_30000": (png_bomb, {"too_many_pixels"}),
    "jpeg_claiming_65000": (jpeg_claiming, {"too_many_pixels"}),
    "gif_claiming_65535": (gif_claiming, {"too_many_pixels"}),
    "tiff_claiming_60000": (tiff_claiming, {"too_many_pixels"}),
    "pdf_encrypted": (pdf_encrypted, {"pdf_encrypted"}),
    "pdf_malformed": (pdf_malformed, {"pdf_malformed", "pdf_empty"}),
    "pdf_300_pages": (lambda: pdf_pages(300, "PAGINA"), {"pdf_too_many_pages"}),
    "pdf_huge_page": (pdf_huge_page, {"pdf_page_too_large"}),
    "pdf_nested_5000": (pdf_nested, {"pdf_malformed", "pdf_empty"}),
}

#: name -> (builder, Pillow format name): unusual but legitimate images, decoded and processed.
DECODABLE: dict[str, tuple[Callable[[], bytes], str]] = {
    "cmyk_jpeg": (cmyk_jpeg, "JPEG"),
    "png_16bit": (png16, "PNG"),
    "tiff_16bit": (tiff16, "TIFF"),
    "rgba_png": (rgba_png, "PNG"),
    "palette_transparency_png": (palette_transparent_png, "PNG"),
    "heic_phone": (heic, "HEIF"),
    "animated_gif": (animated_gif, "GIF"),
    "multipage_tiff": (multipage_tiff, "TIFF"),
    "webp": (webp, "WEBP"),
    "bmp": (bmp, "BMP"),
    "jpeg_with_zip_tail": (jpeg_with_zip_tail, "JPEG"),
}
