"""A tiny vector page: drawing operations in millimetres, rendered to Pillow or to PDF.

The same page object gives the clean PDF (reportlab, with a text layer) and the raster that is
then photographed, so both show exactly the same document.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from synth.fonts import Font

PT_MM = 25.4 / 72
Color = tuple[int, int, int]


@functools.lru_cache(maxsize=512)
def pil_font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    """A cached Pillow font."""
    return ImageFont.truetype(path, max(1, size_px))


def text_width_mm(text: str, font: Font) -> float:
    """Width of ``text`` in millimetres."""
    probe = pil_font(font.path, 200)
    return probe.getlength(text) / 200 * font.size * PT_MM


@dataclasses.dataclass
class Page:
    """A page of ``width`` x ``height`` mm and its drawing operations."""

    width: float
    height: float
    background: Color = (255, 255, 255)
    ops: list[tuple[str, dict[str, Any]]] = dataclasses.field(default_factory=list)

    def text(
        self, x: float, y: float, s: str, font: Font, color: Color = (0, 0, 0), align: str = "l"
    ) -> None:
        """Text with its baseline at ``y``; ``align`` l, r or m (centre) around ``x``."""
        self.ops.append(
            ("text", {"x": x, "y": y, "s": s, "font": font, "color": color, "align": align})
        )

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: Color | None = None,
        outline: Color | None = None,
        width: float = 0.3,
    ) -> None:
        """A rectangle, filled and/or outlined."""
        self.ops.append(
            (
                "rect",
                {"x": x, "y": y, "w": w, "h": h, "fill": fill, "outline": outline, "width": width},
            )
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        color: Color = (0, 0, 0),
        width: float = 0.3,
    ) -> None:
        """A straight line."""
        self.ops.append(
            ("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "color": color, "width": width})
        )

    def image(self, x: float, y: float, w: float, h: float, img: Image.Image) -> None:
        """A raster image stretched over the box."""
        self.ops.append(("image", {"x": x, "y": y, "w": w, "h": h, "img": img}))


def render_pil(page: Page, px_per_mm: float) -> Image.Image:
    """The page as an RGB image at ``px_per_mm``."""
    size = (round(page.width * px_per_mm), round(page.height * px_per_mm))
    img = Image.new("RGB", size, page.background)
    draw = ImageDraw.Draw(img)
    k = px_per_mm
    for kind, op in page.ops:
        if kind == "text":
            font = pil_font(op["font"].path, round(op["font"].size * PT_MM * k))
            anchor = {"l": "ls", "r": "rs", "m": "ms"}[op["align"]]
            draw.text(
                (op["x"] * k, op["y"] * k), op["s"], font=font, fill=op["color"], anchor=anchor
            )
        elif kind == "rect":
            box = [op["x"] * k, op["y"] * k, (op["x"] + op["w"]) * k, (op["y"] + op["h"]) * k]
            draw.rectangle(
                box, fill=op["fill"], outline=op["outline"], width=max(1, round(op["width"] * k))
            )
        elif kind == "line":
            draw.line(
                [op["x1"] * k, op["y1"] * k, op["x2"] * k, op["y2"] * k],
                fill=op["color"],
                width=max(1, round(op["width"] * k)),
            )
        elif kind == "image":
            w, h = max(1, round(op["w"] * k)), max(1, round(op["h"] * k))
            img.paste(
                op["img"].convert("RGB").resize((w, h), Image.LANCZOS),
                (round(op["x"] * k), round(op["y"] * k)),
            )
    return img


@functools.lru_cache(maxsize=64)
def _rl_font(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    pdfmetrics.registerFont(TTFont(name, path))
    return name


def render_pdf(page: Page, title: str = "", creator: str = "") -> bytes:
    """The page as a one-page PDF with a real text layer."""
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(page.width * mm, page.height * mm), invariant=1)
    c.setTitle(title)
    c.setCreator(creator)
    c.setAuthor(creator)
    H = page.height

    def rgb(col: Color) -> tuple[float, float, float]:
        return (col[0] / 255, col[1] / 255, col[2] / 255)

    if page.background != (255, 255, 255):
        c.setFillColorRGB(*rgb(page.background))
        c.rect(0, 0, page.width * mm, H * mm, stroke=0, fill=1)
    for kind, op in page.ops:
        if kind == "text":
            c.setFont(_rl_font(op["font"].path), op["font"].size)
            c.setFillColorRGB(*rgb(op["color"]))
            draw = {"l": c.drawString, "r": c.drawRightString, "m": c.drawCentredString}
            draw[op["align"]](op["x"] * mm, (H - op["y"]) * mm, op["s"])
        elif kind == "rect":
            fill, outline = op["fill"], op["outline"]
            if fill:
                c.setFillColorRGB(*rgb(fill))
            if outline:
                c.setStrokeColorRGB(*rgb(outline))
                c.setLineWidth(op["width"] * mm)
            c.rect(
                op["x"] * mm,
                (H - op["y"] - op["h"]) * mm,
                op["w"] * mm,
                op["h"] * mm,
                stroke=1 if outline else 0,
                fill=1 if fill else 0,
            )
        elif kind == "line":
            c.setStrokeColorRGB(*rgb(op["color"]))
            c.setLineWidth(op["width"] * mm)
            c.line(op["x1"] * mm, (H - op["y1"]) * mm, op["x2"] * mm, (H - op["y2"]) * mm)
        elif kind == "image":
            c.drawImage(
                ImageReader(op["img"].convert("RGB")),
                op["x"] * mm,
                (H - op["y"] - op["h"]) * mm,
                op["w"] * mm,
                op["h"] * mm,
            )
    c.showPage()
    c.save()
    return buf.getvalue()
