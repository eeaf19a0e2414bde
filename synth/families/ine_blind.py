"""INE voter card (credencial para votar), a *blind* family: models E (2014) and G/H (2019).

Drawn without reading the pipeline or the other families, from ``shared/docs/real-documents.md``
(the facts page, authoritative) and public descriptions of the card. Facts used, with sources:

F1  ID-1 card, 85.6 x 54 mm; portrait about 25 x 32 mm, often greyscale or tinted, under the
    security pattern and beside a smaller ghost copy. [facts page, "Faces on cards"]
F2  2014 models (E, F) print ESTADO, MUNICIPIO, LOCALIDAD, EMISIÓN and VIGENCIA as separate boxes;
    2019 models (G, H) print NOMBRE, DOMICILIO, CLAVE DE ELECTOR, CURP, AÑO DE REGISTRO, FECHA DE
    NACIMIENTO, SECCIÓN, VIGENCIA ("2021 - 2031") and SEXO (H/M). [facts page]
F3  Since 2014 the voter may hide the street address on the front. [facts page;
    launion.online/news/nacional/noticias/72673-como-saber-si-tu-credencial-de-elector-esta-vigente.html]
F4  Model E (produced from July 2014): photo on the left, banknote-like high-resolution background,
    fixed elements INE sigla, the word MÉXICO, the national coat of arms and the map of Mexico, a
    quick-read (QR) code and a machine-readable zone on the back, the holder's signature and
    fingerprint printed on the back. [Teotihuacan en línea, "IEEM coadyuva en nuevo diseño de
    credencial de elector del INE"]
F5  Until 2019 the back carried a PDF417 two-dimensional code (the 2019 model replaced it with
    high-density QR codes). [merca20.com/?p=460703] The back also has the executive secretary's
    signature and spaces for marking the vote. [launion.online, as F3]
F6  2019 model, issued from 19 Dec 2019: three QR codes on the back, two of the same size and a
    smaller one (services). [elsoldetlaxcala.com.mx/analisis/espacio-ine-nuevo-modelo-de-
    credencial-para-votar-4707529.html] State, municipality and locality keys removed from the
    front, SECCIÓN highlighted, emission and vigencia in one field, birth date moved to the lower
    part; signature and fingerprint go into the QR codes on the back.
    [elsoldecuernavaca.com.mx/analisis/credenciales-ine-no-vigentes-4603939.html] The holder's
    signature is relocated (to the front) and micro-text boxes frame data.
    [macronews.mx/informacion/se-renueva-el-ine-...; realidad7.com/noticias/ine-actualizara-
    credencial-para-votar; formato7.com/2022/05/24/como-leer-tu-ine-... lists the signature
    among the front's elements and mentions the ghost photograph]
F7  Fine-line patterns in two or more colours, microprinted INSTITUTO NACIONAL ELECTORAL, and the
    background merging into the photo's edge. [es.wikipedia "Credencial para votar", via
    encycloreader.org]
F8  Back MRZ: TD1, 3 lines of 30 characters, printed exactly as given, in OCR-B at the ICAO pitch
    of 10 characters per inch. [facts page; ICAO 9303 TD1]

Assumptions (no source found): colours, positions and type sizes; the layout is chosen from the
issue date (before 19 Dec 2019 model E, from 2021 model G/H, a per-card coin in between) so that
the front and back of one card agree; model F/H's bilingual labels are not drawn (the record has no
country of residence); the vote-marking boxes are labelled with the two-digit years after issue;
a hidden DOMICILIO leaves its block empty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from synth import fonts
from synth.draw import pil_font
from synth.families import IdFamily
from synth.ids import IdCard

W_MM, H_MM = 85.6, 54.0
PT_MM = 25.4 / 72
PHOTO = (3.0, 12.0, 25.0, 32.0)  # x, y, w, h in mm (F1)
MRZ_PITCH_MM = 2.54  # 10 characters per inch (F8)
MRZ_BASELINES_MM = (43.4, 47.6, 51.8)
MODEL_2019_FROM = dt.date(2019, 12, 19)  # F6
Color = tuple[int, int, int]

# Rough outline of the Mexican republic (lon, lat), for the faint background map (F4).
_MAP = (
    (-117.1, 32.5), (-114.7, 32.7), (-111.0, 31.3), (-108.2, 31.3), (-106.5, 31.8),
    (-104.5, 29.6), (-103.0, 29.0), (-101.4, 29.8), (-99.5, 27.5), (-97.4, 25.9),
    (-97.7, 24.0), (-97.2, 21.5), (-96.1, 19.2), (-94.5, 18.2), (-92.0, 18.6), (-90.7, 19.5),
    (-90.4, 21.0), (-87.0, 21.5), (-87.5, 18.5), (-88.3, 18.5), (-89.1, 17.8), (-91.4, 17.2),
    (-90.4, 16.1), (-92.2, 14.5), (-94.0, 16.1), (-96.5, 15.7), (-99.9, 16.8), (-102.2, 17.9),
    (-105.3, 19.9), (-105.7, 22.5), (-108.0, 25.0), (-109.4, 26.5), (-110.9, 27.9),
    (-112.2, 29.9), (-113.0, 31.3), (-114.7, 31.7), (-114.5, 30.0), (-113.5, 29.0),
    (-112.2, 27.0), (-110.3, 24.2), (-109.9, 22.9), (-111.7, 24.6), (-112.3, 26.7),
    (-114.2, 28.0), (-115.8, 30.4), (-116.6, 31.8),
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class _Style:
    """One card's print: typefaces, inks and background colours."""

    regular: str
    bold: str
    label: Color
    value: Color
    accent: Color
    base_a: Color
    base_b: Color
    line_a: Color
    line_b: Color


def model_of(card: IdCard) -> str:
    """The card's layout, ``"2014"`` (models E/F) or ``"2019"`` (models G/H).

    Fixed by the card itself so that its front and back (drawn with different generator states)
    agree: issued before 19 Dec 2019 -> 2014, from 2021 -> 2019, in between a per-card coin.

    >>> import dataclasses, datetime as dt
    >>> c = IdCard("ine", "A", "B", "C", dt.date(1990, 1, 1), "H", "", "DF", dt.date(2027, 12, 31),
    ...            "123456789", dt.date(2017, 3, 1), None, "0001", "2008 01", "2017 - 2027",
    ...            ("", "", ""), "", [], "09", "001", "0001", "2017", True)
    >>> model_of(c), model_of(dataclasses.replace(c, issued=dt.date(2023, 5, 2)))
    ('2014', '2019')
    """
    if card.issued < MODEL_2019_FROM:
        return "2014"
    if card.issued.year >= 2021:
        return "2019"
    digest = hashlib.sha256(f"{card.number}|{card.curp}".encode()).digest()
    return "2019" if digest[0] % 2 else "2014"


def _style(rng: random.Random, model: str) -> _Style:
    regular, bold = fonts.random_sans(rng)

    def jitter(c: Color, d: int = 6) -> Color:
        r, g, b = (max(0, min(255, v + rng.randint(-d, d))) for v in c)
        return (r, g, b)

    label = rng.choice([(96, 92, 104), (118, 52, 92), (64, 84, 108), (110, 70, 70)])
    if model == "2014":
        base_a, base_b, line_a, line_b = (
            (250, 239, 236),
            (228, 242, 238),
            (222, 150, 180),
            (120, 190, 190),
        )
        accent: Color = (176, 36, 98)
    else:
        base_a, base_b, line_a, line_b = (
            (247, 236, 243),
            (232, 234, 249),
            (205, 140, 200),
            (150, 160, 220),
        )
        accent = (150, 30, 110)
    return _Style(
        regular, bold, jitter(label, 12), jitter((22, 20, 26), 10), jitter(accent, 14),
        jitter(base_a), jitter(base_b), jitter(line_a, 14), jitter(line_b, 14),
    )  # fmt: skip


def _smooth(nrng: np.random.Generator, w: int, h: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [0, 1], shape (h, w)."""
    small = (nrng.random((cells, max(2, cells * w // max(1, h)))) * 255).astype(np.uint8)
    big = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(big, np.float32) / 255.0


def _lines(field: np.ndarray, half_width: float) -> np.ndarray:
    """Antialiased lines where ``field`` crosses an integer (``half_width`` in field units)."""
    d = np.abs(field - np.round(field))
    return np.clip(1.0 - d / half_width, 0.0, 1.0)


def _background(nrng: np.random.Generator, w: int, h: int, k: float, st: _Style) -> np.ndarray:
    """Tinted card stock with a two-colour rosette and wave line pattern (F7), float RGB."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32) / k
    t = (x / W_MM * 0.7 + y / H_MM * 0.3)[..., None]
    img = np.array(st.base_a, np.float32) * (1 - t) + np.array(st.base_b, np.float32) * t
    img *= (0.97 + 0.05 * _smooth(nrng, w, h, 5))[..., None]
    cx, cy = nrng.uniform(45, 75), nrng.uniform(15, 40)
    r, th = np.hypot(x - cx, y - cy), np.arctan2(y - cy, x - cx)
    petals, pitch = int(nrng.integers(7, 15)), nrng.uniform(0.9, 1.5)
    rosette = _lines(r / pitch + nrng.uniform(1.0, 2.2) * np.sin(petals * th + r / 6.0), 0.08)
    wave = _lines(
        y / nrng.uniform(0.8, 1.3) + 1.4 * np.sin(x / nrng.uniform(3.5, 7.0) + nrng.uniform(0, 6)),
        0.07,
    )
    for mask, ink, alpha in ((rosette, st.line_a, 0.55), (wave, st.line_b, 0.35)):
        a = (mask * alpha * nrng.uniform(0.7, 1.0))[..., None]
        img = img * (1 - a) + np.array(ink, np.float32) * a
    return img


class _Sheet:
    """One side being drawn: the background, an ink overlay, and drawing in millimetres."""

    def __init__(self, background: np.ndarray, k: float, st: _Style) -> None:
        self.k, self.st = k, st
        self.base = Image.fromarray(background.clip(0, 255).astype(np.uint8), "RGB")
        self.ink = Image.new("RGBA", self.base.size, (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.ink)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        pt: float,
        color: Color,
        bold: bool = False,
        max_w: float | None = None,
        align: str = "l",
        alpha: int = 255,
    ) -> float:
        """Text with its baseline at ``y`` mm, shrunk to ``max_w`` mm; returns its right edge."""
        path = self.st.bold if bold else self.st.regular
        size = pt * PT_MM * self.k
        width = pil_font(path, max(1, round(size))).getlength(s)
        if max_w is not None and width > max_w * self.k:
            size *= max_w * self.k / width
        font = pil_font(path, max(1, round(size)))
        anchor = {"l": "ls", "r": "rs", "m": "ms"}[align]
        self.draw.text((x * self.k, y * self.k), s, font=font, fill=(*color, alpha), anchor=anchor)
        return x + font.getlength(s) / self.k

    def width(self, s: str, pt: float, bold: bool = False) -> float:
        """Width of ``s`` in mm at ``pt`` points."""
        path = self.st.bold if bold else self.st.regular
        return pil_font(path, max(1, round(pt * PT_MM * self.k))).getlength(s) / self.k

    def label_value(
        self, x: float, y: float, label: str, value: str, vpt: float, max_w: float
    ) -> float:
        """``LABEL value`` on one baseline, the value bold; returns the right edge."""
        end = self.text(x, y, label, 4.8, self.st.label, max_w=max_w * 0.45)
        return self.text(end + 1.0, y, value, vpt, self.st.value, True, max_w=x + max_w - end - 1.0)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        outline: Color | None,
        fill: tuple[int, ...] | None,
    ) -> None:
        """A rounded rectangle in mm."""
        k = self.k
        self.draw.rounded_rectangle(
            [x * k, y * k, (x + w) * k, (y + h) * k],
            radius=0.8 * k,
            fill=fill,
            outline=(*outline, 200) if outline else None,
            width=max(1, round(0.14 * k)),
        )

    def paste(self, img: Image.Image, x: float, y: float) -> None:
        """An RGBA image onto the background at (x, y) mm."""
        self.base.paste(
            img.convert("RGB"), (round(x * self.k), round(y * self.k)), img.getchannel("A")
        )

    def finish(self, rng: random.Random, nrng: np.random.Generator) -> Image.Image:
        """Ink laid with uneven density, then the print's softness (moderate, per card)."""
        ink = np.asarray(self.ink, np.float32).copy()
        fade = rng.uniform(0.05, 0.25)
        ink[..., 3] *= 1.0 - fade * _smooth(nrng, ink.shape[1], ink.shape[0], 6)
        layer = Image.fromarray(ink.clip(0, 255).astype(np.uint8), "RGBA")
        out = Image.alpha_composite(self.base.convert("RGBA"), layer).convert("RGB")
        blur = rng.uniform(0.1, 0.5) * self.k / 12
        return out.filter(ImageFilter.GaussianBlur(blur))


def _map_and_seal(sheet: _Sheet, rng: random.Random) -> None:
    """The faint map of Mexico and a coat-of-arms seal in the background (F4)."""
    k, st = sheet.k, sheet.st
    layer = Image.new("RGBA", sheet.base.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    ox, oy, s = rng.uniform(34, 40), rng.uniform(12, 16), rng.uniform(1.35, 1.55)
    pts = [((ox + (lon + 117.1) * s) * k, (oy + (32.7 - lat) * s) * k) for lon, lat in _MAP]
    d.polygon(pts, fill=(*st.line_b, 38), outline=(*st.line_b, 90))
    cx, cy, r = rng.uniform(60, 70), rng.uniform(30, 38), rng.uniform(6, 8)
    for rr in (r, r * 0.82):
        d.ellipse(
            [(cx - rr) * k, (cy - rr) * k, (cx + rr) * k, (cy + rr) * k],
            outline=(*st.accent, 45),
            width=max(1, round(0.2 * k)),
        )
    for i in range(12):
        a = i * math.pi / 6
        d.line([(cx + r * 0.3 * math.cos(a)) * k, (cy + r * 0.3 * math.sin(a)) * k,
                (cx + r * 0.7 * math.cos(a)) * k, (cy + r * 0.7 * math.sin(a)) * k],
               fill=(*st.accent, 35), width=max(1, round(0.25 * k)))  # fmt: skip
    base = sheet.base.convert("RGBA")
    sheet.base = Image.alpha_composite(base, layer).convert("RGB")


def _microtext(sheet: _Sheet, x: float, y: float, w: float) -> None:
    """A microprinted INSTITUTO NACIONAL ELECTORAL band (F7): texture, not meant to be read."""
    text = "INSTITUTO NACIONAL ELECTORAL " * 8
    sheet.text(x, y, text, 2.0, sheet.st.line_a, max_w=w, alpha=150)


def _header(sheet: _Sheet, model: str, rng: random.Random) -> None:
    """MÉXICO, the institute's name, CREDENCIAL PARA VOTAR and the INE sigla (F4)."""
    st = sheet.st
    sheet.text(3.0, 8.0, "MÉXICO", rng.uniform(12.5, 14.0), st.accent, True)
    x = 31.0 if model == "2014" else 30.0
    sheet.text(x, 5.3, "INSTITUTO NACIONAL ELECTORAL", 6.2, st.value, True, max_w=40)
    sheet.text(x, 8.9, "CREDENCIAL PARA VOTAR", 6.2, st.value, model == "2019", max_w=40)
    sheet.box(73.2, 2.4, 10.2, 6.6, None, (*st.accent, 235))
    sheet.text(78.3, 7.6, "INE", 11.0, (255, 255, 255), True, align="m")
    _microtext(sheet, 30.0, 10.6, 53.0)


def _portrait(
    portrait: Image.Image, rng: random.Random, w: int, h: int, ghost: bool
) -> Image.Image:
    """The printed photo: grey or tinted, edges melting into the background (F1, F7)."""
    img = portrait.convert("RGB").resize((w, h), Image.Resampling.LANCZOS)
    grey = ImageOps.grayscale(img)
    if ghost:
        out = ImageOps.colorize(ImageOps.autocontrast(grey), (90, 80, 100), (245, 240, 245))
    elif (mode := rng.random()) < 0.45:
        out = ImageOps.colorize(grey, (20, 18, 24), (250, 248, 246))
    elif mode < 0.75:
        out = ImageOps.colorize(grey, (35, 22, 30), (252, 238, 230))
    else:
        out = Image.blend(img, grey.convert("RGB"), rng.uniform(0.3, 0.6))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    edge = np.minimum.reduce([xx, yy, w - 1 - xx, h - 1 - yy]) / (0.08 * min(w, h))
    alpha = np.clip(edge, 0, 1) * (rng.uniform(0.22, 0.32) if ghost else rng.uniform(0.88, 0.97))
    if ghost:
        ell = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
        alpha *= np.clip((1.0 - ell) * 3, 0, 1)
    out = out.convert("RGBA")
    out.putalpha(Image.fromarray((alpha * 255).astype(np.uint8), "L"))
    return out


def _photos(
    sheet: _Sheet, portrait: Image.Image, rng: random.Random, ghost_at: tuple[float, float]
) -> None:
    """The portrait on the left (F4) and its small ghost copy (F1)."""
    k = sheet.k
    x, y, w, h = PHOTO
    sheet.paste(_portrait(portrait, rng, round(w * k), round(h * k), False), x, y)
    gw = rng.uniform(9.5, 11.0)
    ghost = _portrait(portrait, rng, round(gw * k), round(gw * 1.28 * k), True)
    sheet.paste(ghost, *ghost_at)


def _signature(sheet: _Sheet, rng: random.Random, x: float, y: float, w: float, h: float) -> None:
    """A handwritten-looking signature: cursive loops of random heights, maybe an underline."""
    k = sheet.k
    color = rng.choice([(25, 25, 40), (20, 30, 90), (40, 30, 35)])
    loops = rng.randint(5, 9)
    heights = [rng.uniform(0.15, 0.45) * h for _ in range(loops + 1)]
    slant, base = rng.uniform(0.1, 0.35), y + h * rng.uniform(0.6, 0.72)
    pts = []
    for i in range(loops * 24 + 1):
        t = i / 24
        lift = heights[int(t)] * (1 - math.cos(2 * math.pi * t)) / 2
        px = (
            x + w * 0.05 + w * 0.8 * t / loops - 0.06 * w * math.sin(2 * math.pi * t) + slant * lift
        )
        pts.append((px * k, (base - lift + 0.04 * h * math.sin(t * 1.7)) * k))
    width = max(1, round(rng.uniform(0.16, 0.26) * k))
    sheet.draw.line(pts, fill=(*color, 235), width=width, joint="curve")
    if rng.random() < 0.6:
        y1, y2 = base + h * rng.uniform(0.05, 0.2), base + h * rng.uniform(0.0, 0.25)
        sheet.draw.line(
            [(x + w * 0.1) * k, y1 * k, (x + w * 0.95) * k, y2 * k], fill=(*color, 220), width=width
        )


def _names(card: IdCard) -> list[str]:
    return [s for s in (card.primer_apellido, card.segundo_apellido, card.nombres) if s]


def _front_2014(sheet: _Sheet, card: IdCard) -> None:
    """Model E: birth date and sex in a right column, the geo-electoral keys as boxes (F2, F4)."""
    st, x0 = sheet.st, 31.0
    sheet.text(x0, 13.8, "NOMBRE", 4.8, st.label)
    for i, line in enumerate(_names(card)):
        sheet.text(x0, 16.8 + 2.9 * i, line, 7.2, st.value, True, max_w=32.5)
    sheet.text(64.8, 13.8, "FECHA DE NACIMIENTO", 4.8, st.label, max_w=19.0)
    sheet.text(64.8, 16.8, card.birth.strftime("%d/%m/%Y"), 6.8, st.value, True, max_w=18.5)
    sheet.label_value(64.8, 21.0, "SEXO", card.sexo, 7.2, 12.0)
    if card.domicilio_visible:
        sheet.text(x0, 25.8, "DOMICILIO", 4.8, st.label)
        for i, line in enumerate(card.address_lines):
            sheet.text(x0, 28.6 + 2.7 * i, line, 6.4, st.value, True, max_w=41.5)
    sheet.label_value(x0, 37.4, "CLAVE DE ELECTOR", card.clave_elector or "", 6.6, 42.0)
    sheet.label_value(x0, 40.5, "CURP", card.curp, 6.6, 42.0)
    sheet.label_value(x0, 43.6, "AÑO DE REGISTRO", card.registro, 6.6, 30.0)
    rows = (
        (("ESTADO", card.estado), ("MUNICIPIO", card.municipio), ("SECCIÓN", card.seccion)),
        (
            ("LOCALIDAD", card.localidad),
            ("EMISIÓN", card.emision),
            ("VIGENCIA", str(card.expiry.year)),
        ),
    )
    for r, row in enumerate(rows):
        x, top = x0 - 0.6, 45.0 + 4.3 * r
        for label, value in row:
            width = sheet.width(label, 4.8) + sheet.width(value, 6.6, True) + 3.2
            sheet.box(x, top, width, 3.8, st.label, (255, 255, 255, 70))
            sheet.label_value(x + 0.8, top + 2.9, label, value, 6.6, width)
            x += width + 1.0


def _front_2019(sheet: _Sheet, card: IdCard, rng: random.Random) -> None:
    """Models G/H: SEXO top right, birth date, SECCIÓN and VIGENCIA on the bottom row (F2, F6)."""
    st, x0 = sheet.st, 31.0
    sheet.text(x0, 13.8, "NOMBRE", 4.8, st.label)
    for i, line in enumerate(_names(card)):
        sheet.text(x0, 16.7 + 2.8 * i, line, 7.2, st.value, True, max_w=37.0)
    sheet.text(70.5, 13.8, "SEXO", 4.8, st.label)
    sheet.text(70.5, 17.4, card.sexo, 8.5, st.value, True)
    if card.domicilio_visible:
        sheet.text(x0, 25.2, "DOMICILIO", 4.8, st.label)
        for i, line in enumerate(card.address_lines):
            sheet.text(x0, 27.9 + 2.6 * i, line, 6.4, st.value, True, max_w=40.5)
    sheet.label_value(x0, 36.4, "CLAVE DE ELECTOR", card.clave_elector or "", 6.6, 42.0)
    sheet.label_value(x0, 39.4, "CURP", card.curp, 6.6, 42.0)
    sheet.label_value(x0, 42.4, "AÑO DE REGISTRO", card.registro, 6.6, 30.0)
    cols = (
        (x0, "FECHA DE NACIMIENTO", card.birth.strftime("%d/%m/%Y"), 6.8, 20.5),
        (53.0, "SECCIÓN", card.seccion, 8.2, 10.0),
        (64.5, "VIGENCIA", card.vigencia, 7.0, 18.5),
    )
    for x, label, value, pt, w in cols:
        if label != "FECHA DE NACIMIENTO":  # micro-text framed boxes (F6)
            sheet.box(x - 0.8, 43.6, w + 0.8, 7.2, st.label, (255, 255, 255, 60))
            _microtext(sheet, x - 0.3, 44.5, w - 0.2)
        sheet.text(x, 46.2, label, 4.8, st.label, max_w=w)
        sheet.text(x, 49.7, value, pt, st.value, True, max_w=w - 0.4)
    _signature(sheet, rng, PHOTO[0] + 1.0, 45.0, PHOTO[2] - 2.0, 7.5)  # F6: signature on front


def render_front(card: IdCard, portrait: Image.Image, rng: random.Random, k: float) -> Image.Image:
    """The front of the card at ``k`` pixels per mm."""
    model = model_of(card)
    st = _style(rng, model)
    nrng = np.random.default_rng(rng.getrandbits(32))
    w, h = round(W_MM * k), round(H_MM * k)
    sheet = _Sheet(_background(nrng, w, h, k, st), k, st)
    _map_and_seal(sheet, rng)
    ghost_at = (73.0, 25.0) if model == "2014" else (72.5, 21.0)
    _photos(sheet, portrait, rng, ghost_at)
    _header(sheet, model, rng)
    if model == "2014":
        _front_2014(sheet, card)
    else:
        _front_2019(sheet, card, rng)
    return sheet.finish(rng, nrng)


def _qr_matrix(rng: random.Random, n: int) -> list[list[bool]]:
    """A QR-looking module matrix: finder and timing patterns, random data (payload not public)."""
    m = [[rng.random() < 0.5 for _ in range(n)] for _ in range(n)]
    for i in range(n):
        m[6][i] = m[i][6] = i % 2 == 0
    for ox, oy in ((0, 0), (n - 7, 0), (0, n - 7)):
        for dy in range(-1, 8):
            for dx in range(-1, 8):
                x, y = ox + dx, oy + dy
                if 0 <= x < n and 0 <= y < n:
                    ring = max(abs(dx - 3), abs(dy - 3))
                    m[y][x] = ring in (0, 1, 3) and 0 <= dx < 7 and 0 <= dy < 7
    return m


def _qr(sheet: _Sheet, rng: random.Random, x: float, y: float, size: float, n: int) -> None:
    """A QR code of ``n`` modules with a white quiet zone, ``size`` mm square."""
    k, mod = sheet.k, size / (n + 4)
    sheet.draw.rectangle([x * k, y * k, (x + size) * k, (y + size) * k], fill=(255, 255, 255, 235))
    for r, row in enumerate(_qr_matrix(rng, n)):
        for c, dark in enumerate(row):
            if dark:
                x0, y0 = x + (c + 2) * mod, y + (r + 2) * mod
                sheet.draw.rectangle(
                    [x0 * k, y0 * k, (x0 + mod) * k - 1, (y0 + mod) * k - 1], fill=(15, 15, 20, 255)
                )


def _pdf417(sheet: _Sheet, rng: random.Random, x: float, y: float, w: float, h: float) -> None:
    """A PDF417-looking stacked barcode (F5): start and stop patterns around random codewords."""
    k, cols, rows = sheet.k, 5, 12
    start, stop = [8, 1, 1, 1, 1, 1, 1, 3], [7, 1, 1, 3, 1, 1, 1, 2, 1]
    mod = w / (17 * (cols + 3) + 18)
    for r in range(rows):
        widths = list(start)
        for _ in range(cols + 2):  # left indicator, data, right indicator
            cw = [1] * 8
            for _ in range(9):
                cw[rng.randrange(8)] += 1
            widths += cw
        widths += stop
        cx, top, bottom = x, y + h * r / rows, y + h * (r + 1) / rows
        for i, wd in enumerate(widths):
            if i % 2 == 0:  # bars and spaces alternate, every group starting with a bar
                sheet.draw.rectangle(
                    [cx * k, top * k, (cx + wd * mod) * k, bottom * k], fill=(20, 20, 25, 255)
                )
            cx += wd * mod


def _fingerprint(
    sheet: _Sheet, nrng: np.random.Generator, x: float, y: float, w: float, h: float
) -> None:
    """A grey fingerprint: warped elliptic ridges in an oval (F4, back of model E)."""
    pw, ph = round(w * sheet.k), round(h * sheet.k)
    yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    u, v = (xx / pw - 0.5) * 2, (yy / ph - 0.45) * 2
    r, th = np.hypot(u * 1.1, v), np.arctan2(v, u)
    warp = r + 0.06 * np.sin(3 * th + nrng.uniform(0, 6)) + 0.1 * _smooth(nrng, pw, ph, 4)
    ridges = 0.5 + 0.5 * np.cos(warp * nrng.uniform(28, 36) * math.pi)
    oval = np.clip((1.0 - ((xx / pw - 0.5) / 0.48) ** 2 - ((yy / ph - 0.5) / 0.5) ** 2) * 4, 0, 1)
    alpha = (ridges**1.5 * oval * 200).astype(np.uint8)
    img = Image.new("RGBA", (pw, ph), (45, 40, 50, 0))
    img.putalpha(Image.fromarray(alpha, "L"))
    sheet.ink.alpha_composite(img, (round(x * sheet.k), round(y * sheet.k)))


def _secretary(sheet: _Sheet, rng: random.Random, cx: float, y: float) -> None:
    """The executive secretary's signature over its legend (F5)."""
    _signature(sheet, rng, cx - 11, y, 22, 6.5)
    sheet.text(cx, y + 8.6, "SECRETARIO EJECUTIVO DEL", 4.2, sheet.st.label, align="m")
    sheet.text(cx, y + 10.4, "INSTITUTO NACIONAL ELECTORAL", 4.2, sheet.st.label, align="m")


def _vote_boxes(sheet: _Sheet, card: IdCard, x: float, y: float, n: int, cols: int) -> None:
    """Spaces for marking the vote (F5), labelled with the two-digit years after issue."""
    first = int(card.emision[-4:]) + 1 if card.emision[-4:].isdigit() else card.issued.year + 1
    for i in range(n):
        bx, by = x + (i % cols) * 5.2, y + (i // cols) * 4.6
        sheet.box(bx, by, 4.6, 4.0, sheet.st.label, None)
        sheet.text(bx + 2.3, by + 2.9, f"{(first + i) % 100:02d}", 4.6, sheet.st.label, align="m")


def mrz_font_px(k: float) -> int:
    """The OCR-B size in px whose advance is the ICAO pitch of 2.54 mm at ``k`` px/mm (F8)."""
    probe = pil_font(fonts.mrz_font_path(), 100).getlength("<" * 30) / 30
    return max(1, round(100 * MRZ_PITCH_MM * k / probe))


def mrz_boxes(k: float) -> list[tuple[int, int, int, int]]:
    """Pixel boxes (left, top, right, bottom) the three MRZ lines are printed in."""
    x0 = (W_MM - 30 * MRZ_PITCH_MM) / 2
    return [
        (
            round(x0 * k),
            round((b - 3.2) * k),
            round((x0 + 30 * MRZ_PITCH_MM) * k),
            round((b + 0.6) * k),
        )
        for b in MRZ_BASELINES_MM
    ]


def _mrz(sheet: _Sheet, lines: list[str]) -> None:
    """The three TD1 lines exactly as given, in OCR-B (F8)."""
    font = pil_font(fonts.mrz_font_path(), mrz_font_px(sheet.k))
    x0 = (W_MM - 30 * MRZ_PITCH_MM) / 2 * sheet.k
    for line, base in zip(lines, MRZ_BASELINES_MM, strict=False):
        sheet.draw.text((x0, base * sheet.k), line, font=font, fill=(12, 12, 16, 255), anchor="ls")


def render_back(card: IdCard, rng: random.Random, k: float) -> Image.Image:
    """The back of the card at ``k`` pixels per mm: codes, signatures, vote boxes, MRZ."""
    model = model_of(card)
    st = _style(rng, model)
    st = dataclasses.replace(st, base_a=st.base_b, base_b=(244, 244, 240))
    nrng = np.random.default_rng(rng.getrandbits(32))
    w, h = round(W_MM * k), round(H_MM * k)
    sheet = _Sheet(_background(nrng, w, h, k, st), k, st)
    sheet.box(2.0, 38.6, W_MM - 4.0, 14.6, None, (255, 255, 255, 120))  # calm MRZ band
    if model == "2014":
        _qr(sheet, rng, 3.0, 3.0, 12.0, 25)
        _pdf417(sheet, rng, 17.5, 3.5, 46.0, 13.0)
        _fingerprint(sheet, nrng, 68.0, 2.5, 14.5, 18.0)
        _signature(sheet, rng, 4.0, 20.0, 30.0, 9.0)  # holder's, on the back (F4)
        _secretary(sheet, rng, 50.0, 19.5)
        _vote_boxes(sheet, card, 66.5, 22.5, 6, 3)
    else:
        _qr(sheet, rng, 3.0, 3.0, 17.5, 37)
        _qr(sheet, rng, 22.0, 3.0, 17.5, 37)
        _qr(sheet, rng, 41.5, 3.0, 10.5, 21)
        _secretary(sheet, rng, 69.0, 4.0)
        _vote_boxes(sheet, card, 41.5, 24.0, 8, 8)
        _microtext(sheet, 3.0, 23.5, 36.0)
    _mrz(sheet, card.mrz_lines)
    return sheet.finish(rng, nrng)


FAMILY = IdFamily(
    name="ine_blind",
    kind="ine",
    blind=True,
    render_front=render_front,
    render_back=render_back,
    portrait_aspect=PHOTO[2] / PHOTO[3],
    base_k=12.0,
    description="INE models E (2014) and G/H (2019), drawn blind from public descriptions",
)
