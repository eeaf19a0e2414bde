"""Blind family ``passport_blind2``: the Mexican passport data page, drawn from public sources.

Written without reading ``pipeline/`` or the other family modules. One family, two editions in
circulation together (F1): the paper page of the machine-readable booklets (2008-2021) and the
laser-engraved polycarbonate page of the electronic passport (from October 2021).

Facts used (F9 marks what no source settled: the choice made is said there):

- F1 ``../shared/docs/real-documents.md``: TD3 data page with a 2 x 44 MRZ whose sex is ICAO
  (M/F); the page is bilingual (APELLIDOS / SURNAME ...); the 2021 electronic passport changed
  the data-page layout and both layouts are in circulation.
- F2 Wikipedia, *Mexican passport* (https://wiki.riteme.site/wiki/Mexican_passport and
  https://en.academic.ru/dic.nsf/enwiki/6308543): the data page carries, in this order, the
  photo, Type (P), Country code (MEX), Passport No., Surnames (both), Given names, Nationality,
  Observations, Date of birth, Personal ID number (CURP), Sex, Place of birth, Date of issue,
  Authority, Date of expiry; editions 2008, 2012, 2016 (MRP) and October 2021 (electronic).
- F3 printed values transcribed from real pages, BuroIdentidadDigital/pasaporte_Mex
  (https://huggingface.co/datasets/BuroIdentidadDigital/pasaporte_Mex): dates ``DD MM YYYY``
  (``04 11 1961``), nationality ``MEXICANA``, sex ``M``/``F``, place of birth a state name
  (``GUANAJUATO``; ``DISTRITO FEDERAL`` on pages issued 2018-2021 for people born in Mexico
  City), passport numbers ``G`` + 8 digits, the MRZ personal-number field left empty.
- F4 DOF agreement of 23 September 2021 on the electronic passport
  (https://ccmexico.com.mx/establecen-contenido-de-pasaportes-electronicos-mexicanos/,
  https://mexicodailypost.com/2021/09/24/this-is-how-the-new-electronic-passports-will-look-like-in-mexico/):
  a polycarbonate sheet printed in five colour groups with rainbow printing and guilloche
  combined with rainbow, the word MEXICO in micro-text along the upper part, legends in Spanish
  and English; the holder's data on that sheet.
- F5 Keesing, e-passports for Mexicans in the US
  (https://platform.keesingtechnologies.com/mexicans-living-in-us-are-now-being-issued-e-passports/):
  laser-engraved personalisation, a variable laser image, a laser-perforated number, a
  watermark, background printing in offset, rainbow and microprint.
- F6 https://queretanizate.com/asi-es-el-nuevo-pasaporte-electronico-mexicano/: the new art
  shows Teotihuacán and Palenque; MÉXICO is written with its accent.
- F7 http://www.mexicomapxl.com/travel/passport.html: the booklet page shows a hologram
  centre-right, the CURP as personal number, the MRZ at the bottom of the page.
- F8 ICAO Doc 9303 (https://vectree.io/c/mrz-algorithm-standards, https://docs.rs/mrz): the
  TD3 page is 125 x 88 mm; the MRZ is OCR-B at a 2.54 mm character pitch; check digits weigh
  7, 3, 1.
- F9 choices no source settled: (a) a share of pages print dates as ``DD MMM/MMM YYYY``
  (Spanish/English month), as ICAO 9303 allows for the VIZ; (b) the electronic page prints
  a small pale ghost copy of the portrait (F5's variable laser image, read as a secondary
  portrait); the booklet page prints none; (c) label wording varies between ``CURP / Personal
  No.``, ``CURP`` and ``Clave Única de Registro de Población``; Spanish comes first, with a
  slash, glued slash or a line break before the English; (d) the issuing office (not in the
  record) is drawn from a list of SRE offices.

Every value comes from the :class:`synth.ids.IdCard` as given (a case may carry inconsistent
values on purpose); only its printed form varies: the ICAO sex letter (F1, F3), the date format
(F3, F9a), and ``DISTRITO FEDERAL`` for the ``DF`` birth state on part of the pages (F3).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

from synth.curp import STATES
from synth.draw import PT_MM, Page, render_pil, text_width_mm
from synth.families import IdFamily, draw_mrz, rainbow_background, scribble
from synth.fonts import Font
from synth.fonts import family as font_family
from synth.ids import IdCard

SIZE = (125.0, 88.0)  # F8
ASPECT = 0.78  # printed portrait width / height
MRZ_PITCH = 2.54  # mm per OCR-B character (F8)
MRZ_BAND = 66.0  # mm from the top where the clear MRZ band starts
RIGHT = 119.5  # right margin of the printed data (mm), left of the perforation
Color = tuple[int, int, int]

#: (regular, bold, italic) font files, searched under /usr/share/fonts
FACES = (
    ("NotoSansDisplay-Regular.ttf", "NotoSansDisplay-Bold.ttf", "NotoSansDisplay-Italic.ttf"),
    (
        "LiberationSansNarrow-Regular.ttf",
        "LiberationSansNarrow-Bold.ttf",
        "LiberationSansNarrow-Italic.ttf",
    ),
    ("FreeSans.ttf", "FreeSansBold.ttf", "FreeSansOblique.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSansCondensed-Oblique.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"),
)
ENGRAVED = ("LiberationMono-Bold.ttf", "DejaVuSansMono-Bold.ttf")
MONTHS = "ENE/JAN FEB/FEB MAR/MAR ABR/APR MAY/MAY JUN/JUN JUL/JUL AGO/AUG SEP/SEP OCT/OCT NOV/NOV DIC/DEC"
OFFICES = (
    "SRE CDMX",
    "SRE GUADALAJARA",
    "SRE MONTERREY",
    "SRE PUEBLA",
    "SRE TOLUCA",
    "SRE QUERÉTARO",
    "SRE MÉRIDA",
    "SRE TIJUANA",
    "CONS. LOS ÁNGELES",
)
#: field -> wording variants of its (Spanish, English) label (F2, F9c)
LABELS: dict[str, tuple[tuple[str, str], ...]] = {
    "type": (("Tipo", "Type"),),
    "country": (("Código del país", "Country code"), ("Clave del país", "Country code")),
    "number": (("Pasaporte No.", "Passport No."), ("No. de pasaporte", "Passport No.")),
    "surname": (("Apellidos", "Surname"), ("Apellidos", "Surnames")),
    "given": (("Nombres", "Given names"), ("Nombre(s)", "Given name(s)")),
    "nationality": (("Nacionalidad", "Nationality"),),
    "observations": (("Observaciones", "Observations"),),
    "birth": (("Fecha de nacimiento", "Date of birth"),),
    "curp": (
        ("CURP", "Personal No."),
        ("CURP", ""),
        ("Clave Única de Registro de Población", "Personal No."),
    ),
    "sex": (("Sexo", "Sex"),),
    "place": (("Lugar de nacimiento", "Place of birth"),),
    "issue": (("Fecha de expedición", "Date of issue"),),
    "authority": (("Autoridad", "Authority"),),
    "expiry": (
        ("Fecha de caducidad", "Date of expiry"),
        ("Fecha de vencimiento", "Date of expiry"),
    ),
}
#: rows of (column offset in mm, field) right of the portrait, in F2's order
ROWS = (
    ((0.0, "type"), (12.0, "country"), (36.0, "number")),
    ((0.0, "surname"),),
    ((0.0, "given"),),
    ((0.0, "nationality"), (24.0, "birth"), (52.0, "sex")),
    ((0.0, "curp"), (38.0, "place")),
    ((0.0, "issue"), (28.0, "expiry")),
    ((0.0, "authority"), (28.0, "observations")),
)


@dataclasses.dataclass(frozen=True)
class Edition:
    """One printed edition: geometry and inks."""

    name: str
    photo: tuple[float, float, float, float]  # x, y, w, h in mm
    x0: float
    y0: float
    pitch: float
    stops: tuple[Color, ...]  # rainbow print, left to right
    guilloche: Color
    label: Color
    ink: Color


BOOKLET = Edition(
    "libreta",
    (5.5, 16.5, 29.0, 37.2),
    39.5,
    18.0,
    7.0,
    ((226, 238, 222), (244, 232, 214), (236, 226, 230), (222, 236, 226)),
    (150, 186, 160),
    (46, 92, 78),
    (24, 24, 30),
)
ELECTRONIC = Edition(
    "electronico",
    (5.0, 14.8, 32.0, 41.0),
    42.0,
    17.6,
    7.0,
    ((236, 226, 236), (222, 234, 240), (226, 240, 228), (242, 234, 220), (232, 226, 240)),
    (170, 160, 196),
    (52, 62, 96),
    (44, 44, 48),
)


@dataclasses.dataclass
class Style:
    """The per-page draws: fonts, sizes, label style, date format, offsets."""

    regular: str
    bold: str
    italic: str
    value_face: str
    label_pt: float
    value_pt: float
    label_style: str  # slash, glued, caps or stacked
    dates: str  # numeric or months
    wording: dict[str, tuple[str, str]]
    dx: float
    dy: float


@dataclasses.dataclass
class Placed:
    """A field placed on the page: label block and value, in mm."""

    x: float
    y: float
    es: str
    en: str
    value: str
    value_pt: float
    end: float  # right edge of the wider of label and value


def _shade(color: Color, by: int) -> Color:
    """``color`` darker by ``by`` (lighter when negative), clipped to 0-255."""
    r, g, b = (max(0, min(255, c - by)) for c in color)
    return (r, g, b)


@functools.cache
def _font_index() -> dict[str, str]:
    found: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk("/usr/share/fonts"):
        for name in files:
            found[name] = os.path.join(dirpath, name)
    return found


def _face(name: str, bold: bool = False) -> str:
    """The path of font file ``name``, else DejaVu Sans (always available, via matplotlib)."""
    path = _font_index().get(name)
    if path:
        return path
    regular, heavy = font_family("DejaVuSans")
    return heavy if bold else regular


def _style(rng: random.Random, edition: Edition) -> Style:
    regular, bold, italic = rng.choice(FACES)
    value_face = _face(bold, True)
    if edition is ELECTRONIC and rng.random() < 0.35:
        value_face = _face(rng.choice(ENGRAVED), True)
    label_style = rng.choices(["slash", "glued", "caps", "stacked"], [4, 1, 2, 3])[0]
    return Style(
        regular=_face(regular),
        bold=_face(bold, True),
        italic=_face(italic),
        value_face=value_face,
        label_pt=rng.uniform(4.3, 5.0),
        value_pt=rng.uniform(7.4, 8.6),
        label_style=label_style,
        dates="numeric" if rng.random() < 0.7 else "months",
        wording={field: rng.choice(options) for field, options in LABELS.items()},
        dx=rng.uniform(-0.6, 0.6),
        dy=rng.uniform(-0.5, 0.5),
    )


def printed_date(day: dt.date, style: str) -> str:
    """A date as the page prints it: ``DD MM YYYY`` (F3) or ``DD MMM/MMM YYYY`` (F9a).

    >>> printed_date(dt.date(1961, 11, 4), "numeric"), printed_date(dt.date(2021, 1, 9), "months")
    ('04 11 1961', '09 ENE/JAN 2021')
    """
    if style == "numeric":
        return f"{day.day:02d} {day.month:02d} {day.year}"
    return f"{day.day:02d} {MONTHS.split()[day.month - 1]} {day.year}"


def printed_sex(sexo: str) -> str:
    """The page's sex letter: ICAO's (F1, F3); the record's H/M/X mapped, anything else as is.

    >>> printed_sex("H"), printed_sex("M"), printed_sex("X")
    ('M', 'F', 'X')
    """
    return {"H": "M", "M": "F"}.get(sexo, sexo)


def _place(card: IdCard, rng: random.Random) -> str:
    name = STATES.get(card.state, card.state)
    if card.state == "DF" and card.birth.year < 2016 and rng.random() < 0.4:
        return "DISTRITO FEDERAL"  # F3: the birth certificate's name before the 2016 reform
    return name


def _values(card: IdCard, style: Style, rng: random.Random) -> dict[str, str]:
    return {
        "type": "P",
        "country": "MEX",
        "number": card.number,
        "surname": f"{card.primer_apellido} {card.segundo_apellido}".strip(),
        "given": card.nombres,
        "nationality": "MEXICANA",
        "observations": "",
        "birth": printed_date(card.birth, style.dates),
        "curp": card.curp,
        "sex": printed_sex(card.sexo),
        "place": _place(card, rng),
        "issue": printed_date(card.issued, style.dates),
        "authority": rng.choice(OFFICES),
        "expiry": printed_date(card.expiry, style.dates),
    }


def _label_lines(es: str, en: str, style: str) -> list[str]:
    """The label as printed: one line or two (Spanish above English)."""
    if not en:
        return [es.upper() if style in ("caps", "glued") else es]
    if style == "stacked":
        return [es, en]
    if style == "glued":
        return [f"{es}/{en}".upper()]
    if style == "caps":
        return [f"{es} / {en}".upper()]
    return [f"{es} / {en}"]


def _label_width(es: str, en: str, style: Style) -> float:
    font = Font(style.regular, style.label_pt)
    return max(text_width_mm(line, font) for line in _label_lines(es, en, style.label_style))


def _layout(card: IdCard, edition: Edition, style: Style, rng: random.Random) -> list[Placed]:
    """Each field's place: columns pushed right when the previous label or value is wider."""
    values = _values(card, style, rng)
    x0, placed = edition.x0 + style.dx, []
    for i, row in enumerate(ROWS):
        y = edition.y0 + style.dy + i * edition.pitch
        end = x0 - 2.0
        for offset, field in row:
            es, en = style.wording[field]
            value = values[field]
            x = max(x0 + offset, end + 2.0)
            size = style.value_pt
            width = text_width_mm(value, Font(style.value_face, size))
            if value and x + width > RIGHT:  # long names print condensed to fit the page
                size *= (RIGHT - x) / width
                width = RIGHT - x
            end = x + max(width, _label_width(es, en, style))
            placed.append(Placed(x, y, es, en, value, size, end))
    return placed


def _draw_fields(page: Page, placed: list[Placed], edition: Edition, style: Style) -> None:
    lab = Font(style.regular, style.label_pt)
    second = Font(style.italic, style.label_pt * 0.92)
    for f in placed:
        lines = _label_lines(f.es, f.en, style.label_style)
        if len(lines) == 2:
            page.text(f.x, f.y - 1.6, lines[0], lab, edition.label)
            page.text(f.x, f.y, lines[1], second, edition.label)
        else:
            page.text(f.x, f.y, lines[0], lab, edition.label)
        if f.value:
            page.text(f.x, f.y + 3.0, f.value, Font(style.value_face, f.value_pt), edition.ink)


def _pil_font(path: str, size_pt: float, k: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(4, round(size_pt * PT_MM * k)))


def _microprint(draw: ImageDraw.ImageDraw, y: float, k: float, color: Color, path: str) -> None:
    """A line of repeated MEXICO micro-text (F4, F5): a thin grey rule to the eye."""
    font = _pil_font(path, 1.3, k)
    word = "MÉXICO·"
    line = word * (int(SIZE[0] * k / max(1.0, font.getlength(word))) + 1)
    draw.text((0, y * k), line, font=font, fill=color, anchor="ls")


def _seal(
    draw: ImageDraw.ImageDraw, centre: tuple[float, float], r: float, k: float, c: Color
) -> None:
    """A pale watermark-like emblem: rings, a ring of beads and radial rays."""
    cx, cy, rk = centre[0] * k, centre[1] * k, r * k
    width = max(1, round(0.18 * k))
    for scale in (1.0, 0.93, 0.62):
        draw.ellipse(
            [cx - rk * scale, cy - rk * scale, cx + rk * scale, cy + rk * scale],
            outline=c,
            width=width,
        )
    for i in range(48):
        a = math.tau * i / 48
        bx, by = cx + 0.78 * rk * math.cos(a), cy + 0.78 * rk * math.sin(a)
        draw.ellipse([bx - 0.25 * k, by - 0.25 * k, bx + 0.25 * k, by + 0.25 * k], fill=c)
    for i in range(24):
        a = math.tau * i / 24
        draw.line(
            [
                cx + 0.15 * rk * math.cos(a),
                cy + 0.15 * rk * math.sin(a),
                cx + 0.55 * rk * math.cos(a),
                cy + 0.55 * rk * math.sin(a),
            ],
            fill=c,
            width=width,
        )


def _pyramids(draw: ImageDraw.ImageDraw, rng: random.Random, k: float, c: Color) -> None:
    """Pale stepped-pyramid silhouettes above the MRZ band (the 2021 art, F6)."""
    x = rng.uniform(60.0, 72.0)
    for steps, base in ((5, 30.0), (4, 20.0)):
        h = 2.0
        for s in range(steps):
            inset = s * base / (2 * steps + 1)
            top = MRZ_BAND - 0.8 - (s + 1) * h
            draw.rectangle(
                [(x + inset) * k, top * k, (x + base - inset) * k, (top + h) * k], fill=c
            )
        x += base + rng.uniform(4.0, 9.0)


def _perforation(draw: ImageDraw.ImageDraw, text: str, k: float, path: str) -> None:
    """The laser-perforated document number (F5): dotted glyphs up the right edge."""
    font = ImageFont.truetype(path, 60)
    w, h = round(font.getlength(text)) + 4, 64
    glyphs = Image.new("L", (w, h), 0)
    ImageDraw.Draw(glyphs).text((2, 2), text, font=font, fill=255)
    glyphs = glyphs.rotate(90, expand=True)  # reads bottom to top
    height_mm = min(46.0, 3.6 * w / h)
    cols, rows = 7, max(8, round(height_mm / 0.55))
    grid = np.asarray(glyphs.resize((cols, rows), Image.Resampling.BILINEAR)) > 90
    x0, y0, pitch = 121.0, 14.0, height_mm / rows
    for r, c in zip(*np.nonzero(grid), strict=True):
        px, py = (x0 + c * 0.5) * k, (y0 + r * pitch) * k
        rad = 0.17 * k
        draw.ellipse(
            [px - rad, py - rad, px + rad, py + rad], fill=(214, 210, 204), outline=(150, 146, 140)
        )


def _ghost(portrait: Image.Image, size: tuple[int, int], under: Image.Image) -> Image.Image:
    """A pale engraved copy of the portrait blended into the background under it."""
    grey = ImageEnhance.Contrast(portrait.convert("L")).enhance(0.7).convert("RGB")
    return Image.blend(under.convert("RGB"), grey.resize(size, Image.Resampling.LANCZOS), 0.38)


def _ghost_box(placed: list[Placed]) -> tuple[float, float, float, float] | None:
    """The largest box right of the data's lower rows for the ghost portrait (F9b), or None."""
    rows = sorted({p.y for p in placed})
    for first in rows[3:]:
        start = max(p.end for p in placed if p.y >= first) + 2.5
        top = first - 2.8
        h = MRZ_BAND - 1.2 - top
        w = min(18.0, RIGHT - start, h * ASPECT)
        if w >= 11.0:
            return (start, top + (h - w / ASPECT) / 2, w, w / ASPECT)
    return None


def _background(
    edition: Edition,
    rng: random.Random,
    k: float,
    card: IdCard,
    ghost: tuple[tuple[float, float, float, float], Image.Image] | None,
    style: Style,
) -> Image.Image:
    bg = rainbow_background(rng, SIZE, k, list(edition.stops), edition.guilloche)
    draw = ImageDraw.Draw(bg)
    tint = _shade(edition.stops[1], rng.randint(10, 18))
    _seal(draw, (rng.uniform(80, 92), rng.uniform(36, 44)), rng.uniform(15, 19), k, tint)
    micro = _shade(edition.guilloche, 70)
    if edition is ELECTRONIC:
        _microprint(draw, 2.4, k, micro, style.regular)
        _pyramids(draw, rng, k, _shade(edition.stops[1], rng.randint(4, 9)))
        _perforation(draw, card.number, k, style.bold)
    _microprint(draw, MRZ_BAND - 0.35, k, micro, style.regular)
    if ghost is not None:
        (x, y, w, h), portrait = ghost
        box = (round(x * k), round(y * k), round((x + w) * k), round((y + h) * k))
        bg.paste(_ghost(portrait, (box[2] - box[0], box[3] - box[1]), bg.crop(box)), box[:2])
    return bg


def _header(page: Page, edition: Edition, style: Style, rng: random.Random) -> None:
    head = Font(style.bold, rng.uniform(9.0, 10.5))
    small = Font(style.regular, rng.uniform(5.6, 6.4))
    color = _shade(edition.label, 10)
    if edition is BOOKLET:
        page.text(70.0 + style.dx, 7.6, "ESTADOS UNIDOS MEXICANOS", head, color, align="m")
        page.text(70.0 + style.dx, 11.4, "UNITED MEXICAN STATES", small, color, align="m")
        page.text(5.5, 11.4, "PASAPORTE   PASSPORT", small, color)
        return
    page.text(5.0, 9.0, "MÉXICO", head.sized(head.size * 1.15), color)
    page.text(RIGHT, 6.8, "PASAPORTE", small, color, align="r")
    page.text(RIGHT, 10.4, "PASSPORT", Font(style.italic, small.size), color, align="r")
    page.text(
        63.0, 8.4, "ESTADOS UNIDOS MEXICANOS", small.sized(small.size * 1.1), color, align="m"
    )
    # the electronic-passport chip symbol left of PASAPORTE (F4 names it for the cover; F9: page)
    page.rect(96.0, 5.0, 6.0, 4.0, outline=color, width=0.25)
    page.rect(98.2, 6.2, 1.6, 1.6, outline=color, width=0.2)


def _portrait(page: Page, portrait: Image.Image, edition: Edition, rng: random.Random) -> None:
    x, y, w, h = edition.photo
    if edition is ELECTRONIC:  # laser engraving: greyscale, warm grey, slightly hard
        grey = ImageEnhance.Contrast(portrait.convert("L")).enhance(rng.uniform(1.05, 1.25))
        warm = Image.merge("RGB", [grey.point(lambda v, d=d: max(0, v - d)) for d in (0, 4, 10)])
        page.image(x, y, w, h, warm)
        return
    page.image(x, y, w, h, portrait)
    page.rect(x, y, w, h, outline=(150, 160, 150), width=0.15)


def _signature(page: Page, edition: Edition, style: Style, rng: random.Random) -> None:
    x, y, w, h = edition.photo
    line = y + h + 7.2
    if line > MRZ_BAND - 1.2:
        return
    page.line(x, line, x + w, line, (120, 120, 130), 0.12)
    label = "Firma del titular / Holder's signature"
    page.text(x, line + 1.8, label, Font(style.regular, 3.6), edition.label)
    scribble(page, (x + 2, line - 5.2, w - 6, 4.6), rng, (30, 40, 90), 0.22)


def _hologram(img: Image.Image, rng: random.Random) -> Image.Image:
    """A faint iridescent oval centre-right (F7): the laminate's hologram in a photo."""
    w, h = img.size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * rng.uniform(0.62, 0.75), h * rng.uniform(0.35, 0.5)
    d = ((xx - cx) / (w * 0.16)) ** 2 + ((yy - cy) / (h * 0.24)) ** 2
    alpha = (np.clip(1.0 - d, 0.0, 1.0) ** 0.7 * rng.uniform(0.06, 0.12))[..., None]
    phase = (xx + yy) / (w * 0.05)
    hue = np.stack([np.sin(phase + s) * 0.5 + 0.5 for s in (0.0, 2.1, 4.2)], axis=-1) * 255
    arr = np.asarray(img, np.float32)
    return Image.fromarray((arr * (1 - alpha) + hue * alpha).clip(0, 255).astype(np.uint8))


def _finish(img: Image.Image, edition: Edition, rng: random.Random, k: float) -> Image.Image:
    """Print quality: ink spread or engraving softness, and a slightly faded or crisp print."""
    if edition is BOOKLET:
        img = _hologram(img, rng)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.15, 0.55) * k / 12.0))
    img = ImageEnhance.Contrast(img).enhance(rng.uniform(0.88, 1.04))
    return ImageEnhance.Color(img).enhance(rng.uniform(0.85, 1.1))


def render_page(
    card: IdCard, portrait: Image.Image, rng: random.Random, k: float = 12.0
) -> Image.Image:
    """The data page of ``card`` at ``k`` pixels per mm, in one of the two editions (F1)."""
    edition = ELECTRONIC if rng.random() < 0.5 else BOOKLET
    style = _style(rng, edition)
    placed = _layout(card, edition, style, rng)
    ghost = None
    if edition is ELECTRONIC:
        box = _ghost_box(placed)
        ghost = (box, portrait) if box is not None else None
    page = Page(*SIZE)
    page.image(0, 0, *SIZE, _background(edition, rng, k, card, ghost, style))
    _header(page, edition, style, rng)
    _portrait(page, portrait, edition, rng)
    if edition is ELECTRONIC:
        _signature(page, edition, style, rng)
    _draw_fields(page, placed, edition, style)
    width = MRZ_PITCH * 44
    band = _shade(edition.stops[0], -6)
    x = (SIZE[0] - width) / 2
    draw_mrz(page, list(card.mrz_lines), rng, (MRZ_BAND + 0.4, band), (x, 75.4), 6.4, width)
    return _finish(render_pil(page, k), edition, rng, k)


FAMILY = IdFamily(
    name="passport_blind2",
    kind="passport",
    blind=True,
    render_front=render_page,
    render_back=None,
    portrait_aspect=ASPECT,
    booklet=True,
    description="Blind: booklet (2008-2021) and electronic (2021) data pages, label above value, "
    "bilingual labels in four styles, rainbow guilloche, seal, microprint, ghost portrait.",
)
