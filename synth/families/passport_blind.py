"""Blind family of the Mexican passport data page (ICAO TD3, 125 x 88 mm).

Drawn from ``../shared/docs/real-documents.md`` and public sources only, without reading the
document reader or the other renderers. Two layouts are in circulation and both are drawn:

* ``libreta``: the paper data page of the G-series booklet (2008 - 2021);
* ``electronico``: the polycarbonate data page of the electronic passport (from October 2021).

Facts used, and where they come from
------------------------------------
F1. Data page is ICAO TD3, 125 x 88 mm, MRZ of 2 lines x 44 OCR-B characters at the bottom; check
    digits weight 7-3-1 with 0-9 -> 0-9, A-Z -> 10-35, ``<`` -> 0.
    (real-documents.md; idepass.com/about-mrz; docs.rs/mrz)
F2. Printed page is bilingual Spanish / English; the electronic booklet "contiene leyendas en
    español e inglés". (real-documents.md; DOF acuerdo of 23 Sep 2021 as quoted by
    ccmexico.com.mx "Establecen contenido de pasaportes electrónicos mexicanos")
F3. Fields on the data page: photo, type (P), country code (MEX), passport No., surnames (both),
    given names, nationality, observations, date of birth, personal ID number (CURP), sex, place of
    birth, date of issue, date of expiry, authority. (en.academic.ru/dic.nsf/enwiki/6308543 and
    piglix.com/piglix/Mexican_passport, copies of the Wikipedia article "Mexican passport";
    mexicomapxl.com/travel/passport.html)
F4. The document number is printed top right; the date of birth in the middle of the page; sex
    is printed M / F on the page, as in the MRZ. (trustdochub.com/en/verify-mexican-passport)
F5. Printed values seen on real pages: nationality ``MEXICANA``; dates ``DD MM YYYY`` with spaces
    (``04 11 1961``, ``25 01 1991``, ``01 10 2021``); place of birth as the state's name in
    capitals (``GUANAJUATO``; ``DISTRITO FEDERAL`` on pages issued in 2015, 2018 and 2021), once
    as ``CORDOBA, VER. ,MEX``; observations empty; number a letter + 8 digits (``G15997557``).
    (huggingface.co/datasets/BuroIdentidadDigital/pasaporte_Mex, its data/key/034.json, 044.json
    and the dataset viewer)
F6. In those same real MRZs the personal-number field (line 2, positions 29-42) is empty,
    ``<<<<<<<<<<<<<<`` with check digit ``0``, even when the page prints a CURP. (same dataset)
F7. "Holographic photo in the center to right corner" of the page: a ghost image right of the
    data. (ynyoo.com/travel-preparation/travel-paperwork/19628.html)
F8. The G-series booklet has the data page and a separate signature page (Wikipedia copies, F3).
    The electronic passport prints a digitised signature of the holder on the data page, is a
    polycarbonate sheet personalised by laser engraving, with rainbow printing, guilloche
    patterns, "MEXICO" in micro-text in the upper part, a laser-perforated number and a ghost
    image. (DOF acuerdo 2021 as quoted by oncenoticias.digital and mexicodailypost.com
    2021/09/24; keesingtechnologies.com "Mexicans living in US are now being issued e-passports")
    The first e-passports were issued on 5 October 2021 and every office issued them from
    January 2022, so the page's layout follows its date of issue. (alianzaspanishnews.com/?p=6911;
    peninsulainformativa.com/?p=3802; politica.expansion.mx 2021/07/09)
F9. The covers are dark green (ordinary passport), with "ESTADOS UNIDOS MEXICANOS".
    (wiki.riteme.site/wiki/Mexican_passport; mexicodailypost.com 2021/09/24)
F10. The issuer is the Secretaría de Relaciones Exteriores (SRE).
    (consulmex.sre.gob.mx/montreal pasaportes page; DOF Reglamento de Pasaportes 05/08/2011)
F11. CURP state codes and state names: es.wikipedia.org "Anexo:Catálogo de claves de entidades
    federativas" (cited by the KfAccountNumbers MxCurpStateCodes source); ``NE`` = born abroad.

Assumptions (not confirmed by a source; change them here if a source disagrees)
-------------------------------------------------------------------------------
A1. The bilingual month form ``12 MAY/MAY 1985`` is used on a minority of electronic pages
    (weight :data:`BILINGUAL_MONTH_SHARE`). Every real page I found prints ``DD MM YYYY``; the
    month form comes from the task brief only.
A2. The authority prints as ``SRE`` or ``SECRETARÍA DE RELACIONES EXTERIORES``.
A3. A Mexico City birth prints ``DISTRITO FEDERAL`` on the booklet page and, on the electronic
    page, either that or ``CIUDAD DE MÉXICO``; ``MC`` prints ``MÉXICO`` or ``ESTADO DE MÉXICO``;
    ``NE`` prints ``EXTRANJERO`` (the real page would name the foreign place, which the card
    record does not carry). State names keep their accents on about half of the pages.
A4. Tints (pale green paper for the booklet, pastel rainbow for the polycarbonate page), label
    inks, fonts, sizes and positions are my own choice; positions follow ICAO zones (portrait
    left, data right of it, MRZ at the bottom).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

from synth import fonts, textures
from synth.draw import PT_MM, Color, Page, pil_font, render_pil, text_width_mm
from synth.families import IdFamily
from synth.fonts import Font
from synth.ids import IdCard

W_MM, H_MM = 125.0, 88.0
#: ICAO portrait 35 x 45 mm
PORTRAIT_ASPECT = 35 / 45
#: OCR-B character pitch of the MRZ (10 characters per inch)
MRZ_PITCH_MM = 2.54
#: left edge of the MRZ's first character: the 44 characters centred on the page
MRZ_LEFT_MM = (W_MM - 44 * MRZ_PITCH_MM) / 2
#: baselines of the two MRZ lines, from the top edge
MRZ_BASELINES_MM = (H_MM - 10.6, H_MM - 4.6)
#: cap height of the MRZ characters
MRZ_CAP_MM = 2.35
#: first issue of the electronic passport, and the date every office issued it (F8)
E_PASSPORT_FROM = dt.date(2021, 10, 5)
E_PASSPORT_EVERYWHERE = dt.date(2022, 1, 1)
#: share of electronic pages printing dates as ``DD MMM/MMM YYYY`` (assumption A1)
BILINGUAL_MONTH_SHARE = 0.3

MONTHS_ES = ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC")
MONTHS_EN = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

#: CURP state code -> state name as printed (F11)
STATE_NAMES = {
    "AS": "AGUASCALIENTES",
    "BC": "BAJA CALIFORNIA",
    "BS": "BAJA CALIFORNIA SUR",
    "CC": "CAMPECHE",
    "CL": "COAHUILA",
    "CM": "COLIMA",
    "CS": "CHIAPAS",
    "CH": "CHIHUAHUA",
    "DF": "DISTRITO FEDERAL",
    "DG": "DURANGO",
    "GT": "GUANAJUATO",
    "GR": "GUERRERO",
    "HG": "HIDALGO",
    "JC": "JALISCO",
    "MC": "MÉXICO",
    "MN": "MICHOACÁN",
    "MS": "MORELOS",
    "NT": "NAYARIT",
    "NL": "NUEVO LEÓN",
    "OC": "OAXACA",
    "PL": "PUEBLA",
    "QT": "QUERÉTARO",
    "QR": "QUINTANA ROO",
    "SP": "SAN LUIS POTOSÍ",
    "SL": "SINALOA",
    "SR": "SONORA",
    "TC": "TABASCO",
    "TS": "TAMAULIPAS",
    "TL": "TLAXCALA",
    "VZ": "VERACRUZ",
    "YN": "YUCATÁN",
    "ZS": "ZACATECAS",
    "NE": "EXTRANJERO",
}

#: (Spanish, English) labels of this family's own wording (F2, F3)
LABELS = {
    "type": ("Tipo", "Type"),
    "code": ("Clave del país", "Country code"),
    "number": ("Pasaporte No.", "Passport No."),
    "surnames": ("Apellidos", "Surnames"),
    "names": ("Nombres", "Given names"),
    "nationality": ("Nacionalidad", "Nationality"),
    "observations": ("Observaciones", "Observations"),
    "birth": ("Fecha de nacimiento", "Date of birth"),
    "curp": ("CURP", "Personal No."),
    "sex": ("Sexo", "Sex"),
    "place": ("Lugar de nacimiento", "Place of birth"),
    "issued": ("Fecha de expedición", "Date of issue"),
    "expiry": ("Fecha de caducidad", "Date of expiry"),
    "authority": ("Autoridad", "Authority"),
    "signature": ("Firma del titular", "Holder's signature"),
}


def strip_accents(s: str) -> str:
    """``s`` without diacritics.

    >>> strip_accents("NUEVO LEÓN")
    'NUEVO LEON'
    """
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def format_date(d: dt.date, style: str) -> str:
    """A date as printed on the page: ``numeric`` (F5) or ``bilingual`` month (assumption A1).

    >>> format_date(dt.date(1985, 5, 12), "numeric")
    '12 05 1985'
    >>> format_date(dt.date(1985, 8, 2), "bilingual")
    '02 AGO/AUG 1985'
    >>> format_date(dt.date(1985, 5, 12), "bilingual")
    '12 MAY 1985'
    """
    if style == "numeric":
        return f"{d.day:02d} {d.month:02d} {d.year}"
    es, en = MONTHS_ES[d.month - 1], MONTHS_EN[d.month - 1]
    month = es if es == en else f"{es}/{en}"
    return f"{d.day:02d} {month} {d.year}"


def place_of_birth(state: str, layout: str, rng: random.Random) -> str:
    """The state of birth as printed (F5, F11, assumption A3).

    >>> place_of_birth("JC", "libreta", random.Random(1)) in ("JALISCO",)
    True
    >>> place_of_birth("DF", "libreta", random.Random(1))
    'DISTRITO FEDERAL'
    """
    name = STATE_NAMES.get(state, "EXTRANJERO")
    if state == "DF" and layout == "electronico" and rng.random() < 0.5:
        name = "CIUDAD DE MÉXICO"
    elif state == "MC" and rng.random() < 0.5:
        name = "ESTADO DE MÉXICO"
    return name if rng.random() < 0.5 else strip_accents(name)


@dataclasses.dataclass(frozen=True)
class _Style:
    """Everything drawn at random once per page."""

    layout: str  # "libreta" or "electronico"
    label_font: Font
    value_font: Font
    head_font: Font
    label_ink: Color
    value_ink: Color
    base: Color
    pattern_ink: Color
    date_style: str
    authority: str
    jitter: tuple[float, float]  # print registration offset of the variable data, mm


def layout_for(issued: dt.date, rng: random.Random | None) -> str:
    """The data page a passport issued on ``issued`` has (F8: e-passports from October 2021,
    every office by January 2022).

    >>> layout_for(dt.date(2019, 3, 1), random.Random(0)), layout_for(dt.date(2023, 3, 1), None)
    ('libreta', 'electronico')
    """
    if issued < E_PASSPORT_FROM:
        return "libreta"
    if issued >= E_PASSPORT_EVERYWHERE:
        return "electronico"
    return (rng or random.Random()).choice(["libreta", "electronico"])


def _style(rng: random.Random, issued: dt.date) -> _Style:
    layout = layout_for(issued, rng)
    regular, bold = fonts.random_sans(rng)
    label_regular, _ = fonts.random_sans(rng)
    dark = rng.randint(8, 45)
    if layout == "libreta":
        base = (rng.randint(226, 238), rng.randint(234, 244), rng.randint(220, 232))
        pattern_ink = (rng.randint(120, 160), rng.randint(170, 200), rng.randint(130, 165))
        label_ink = (rng.randint(20, 50), rng.randint(80, 110), rng.randint(50, 80))
        value_ink = (dark, dark, dark + rng.randint(0, 25))
        date_style = "numeric"
        value_font = Font(bold if rng.random() < 0.6 else regular, rng.uniform(8.6, 9.6))
    else:
        base = (rng.randint(236, 246), rng.randint(234, 244), rng.randint(236, 248))
        pattern_ink = (rng.randint(190, 225), rng.randint(150, 190), rng.randint(185, 215))
        label_ink = (rng.randint(60, 100), rng.randint(40, 70), rng.randint(90, 120))
        value_ink = (dark, dark, dark)
        date_style = "bilingual" if rng.random() < BILINGUAL_MONTH_SHARE else "numeric"
        value_font = Font(regular if rng.random() < 0.6 else bold, rng.uniform(8.4, 9.4))
    return _Style(
        layout=layout,
        label_font=Font(label_regular, rng.uniform(5.0, 5.6)),
        value_font=value_font,
        head_font=Font(bold, rng.uniform(8.0, 9.0)),
        label_ink=label_ink,
        value_ink=value_ink,
        base=base,
        pattern_ink=pattern_ink,
        date_style=date_style,
        authority=rng.choice(["SRE", "SECRETARÍA DE RELACIONES EXTERIORES"]),
        jitter=(rng.uniform(-0.4, 0.4), rng.uniform(-0.3, 0.3)),
    )


# --- background --------------------------------------------------------------------------------


def _rainbow(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A pastel colour ramp across the page (rainbow printing, F8)."""
    stops = np.array(
        [[246, 222, 232], [248, 240, 214], [222, 242, 226], [218, 232, 246], [238, 224, 244]],
        np.float32,
    )
    stops = np.roll(stops, int(rng.integers(len(stops))), axis=0)
    x = np.linspace(0, len(stops) - 1, w, dtype=np.float32)
    i = np.clip(x.astype(int), 0, len(stops) - 2)
    t = (x - i)[:, None]
    row = stops[i] * (1 - t) + stops[i + 1] * t
    return np.broadcast_to(row[None, :, :], (h, w, 3)).copy()


def _rosette(w: int, h: int, cx: float, cy: float, r: float) -> np.ndarray:
    """A mask of concentric scalloped rings (a seal-like emblem), values in [0, 1]."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rr = np.hypot(x - cx, y - cy)
    th = np.arctan2(y - cy, x - cx)
    rings = np.abs(np.sin((rr / (r / 14) + 0.6 * np.sin(24 * th)) * np.pi)) < 0.18
    return (rings & (rr < r)).astype(np.float32)


def _background(style: _Style, w: int, h: int, k: float, nrng: np.random.Generator) -> np.ndarray:
    """The printed security background of the page, float RGB array (h, w, 3)."""
    g: np.ndarray = np.asarray(
        textures.guilloche(nrng, w, h, style.base, style.pattern_ink), np.float32
    )
    if style.layout == "electronico":
        g = g * 0.55 + _rainbow(w, h, nrng) * 0.45
    seal = _rosette(w, h, w * nrng.uniform(0.55, 0.7), h * nrng.uniform(0.4, 0.5), 22 * k)
    ink = np.array(style.pattern_ink, np.float32)
    g = g * (1 - 0.35 * seal[..., None]) + ink * 0.35 * seal[..., None]
    mrz_top = round((H_MM - 16.5) * k)
    g[mrz_top:] = g[mrz_top:] * 0.45 + np.array(style.base, np.float32) * 0.55  # quieter MRZ band
    return g


def _ghost(bg: np.ndarray, portrait: Image.Image, box: tuple[float, ...], k: float, a: float):
    """Blend a pale, one-colour copy of the portrait into ``bg`` (F7)."""
    x, y, bw, bh = (round(v * k) for v in box)
    face = ImageOps.autocontrast(portrait.convert("L").resize((bw, bh), Image.Resampling.LANCZOS))
    lum = np.asarray(face, np.float32)[..., None] / 255.0
    region = bg[y : y + bh, x : x + bw]
    tinted = region * (0.55 + 0.45 * lum)
    bg[y : y + bh, x : x + bw] = region * (1 - a) + tinted * a


def _signature(draw: ImageDraw.ImageDraw, box: tuple[float, ...], k: float, rng: random.Random):
    """A scribbled signature inside ``box`` (x, y, w, h mm) (F8)."""
    x, y, bw, bh = box
    pts = []
    n = rng.randint(18, 30)
    for i in range(n):
        t = i / (n - 1)
        px = x + bw * (0.05 + 0.9 * t) + rng.uniform(-1.2, 1.2)
        py = y + bh * (0.55 + 0.35 * np.sin(t * rng.uniform(9, 16))) + rng.uniform(-0.8, 0.8)
        pts.append((px * k, py * k))
    ink = (rng.randint(10, 50), rng.randint(10, 40), rng.randint(40, 90))
    draw.line(pts, fill=ink, width=max(1, round(0.28 * k)), joint="curve")


def _perforation(draw: ImageDraw.ImageDraw, number: str, k: float, rng: random.Random):
    """The laser-perforated passport number, vertical along the right edge (F8)."""
    cell = 0.42 * k
    probe = pil_font(fonts.family("DejaVuSans")[1], 10)
    mask = Image.new("L", (round(probe.getlength(number)) + 2, 12), 0)
    ImageDraw.Draw(mask).text((1, 0), number, font=probe, fill=255)
    mask = mask.rotate(90, expand=True)
    m = np.asarray(mask) > 100
    x0, y0 = (W_MM - 6.0) * k, rng.uniform(22, 30) * k
    shade = rng.randint(150, 190)
    for r, c in zip(*np.nonzero(m), strict=True):
        cx, cy = x0 + c * cell, y0 + r * cell
        rad = cell * 0.32
        draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=(shade, shade, shade))


# --- text ---------------------------------------------------------------------------------------


def _fit(s: str, font: Font, max_w: float) -> Font:
    """``font`` shrunk (to 55% at most) so that ``s`` fits in ``max_w`` mm."""
    w = text_width_mm(s, font)
    return font if w <= max_w else font.sized(max(font.size * 0.55, font.size * max_w / w))


def _label(page: Page, x: float, y: float, key: str, style: _Style) -> float:
    """Draw one bilingual label with its top line's baseline at ``y``; the value's baseline."""
    es, en = LABELS[key]
    if style.layout == "libreta":
        page.text(x, y, f"{es} / {en}", style.label_font, style.label_ink)
        return y + style.value_font.size * 0.40
    small = style.label_font.sized(style.label_font.size * 0.85)
    page.text(x, y, es, small, style.label_ink)
    page.text(x, y + 1.65, en, small.sized(small.size * 0.95), style.label_ink)
    return y + 1.65 + style.value_font.size * 0.38


def _field(page: Page, x: float, y: float, key: str, value: str, style: _Style, max_w: float):
    """A label and its value, the value shrunk to ``max_w`` mm."""
    vy = _label(page, x, y, key, style)
    if value:
        dx, dy = style.jitter
        font = _fit(value, style.value_font, max_w)
        page.text(x + dx, vy + dy, value, font, style.value_ink)


def _values(card: IdCard, style: _Style, rng: random.Random) -> dict[str, str]:
    """Every printed value of the page by label key."""
    surnames = " ".join(p for p in (card.primer_apellido, card.segundo_apellido) if p)
    return {
        "type": "P",
        "code": "MEX",
        "number": card.number,
        "surnames": surnames,
        "names": card.nombres,
        "nationality": "MEXICANA",
        "observations": "",
        "birth": format_date(card.birth, style.date_style),
        "curp": card.curp,
        "sex": {"H": "M", "M": "F"}.get(card.sexo, "X"),
        "place": place_of_birth(card.state, style.layout, rng),
        "issued": format_date(card.issued, style.date_style),
        "expiry": format_date(card.expiry, style.date_style),
        "authority": style.authority,
    }


#: per layout: (x0 of the data column, first label baseline, row pitch) in mm
_GRID = {"libreta": (41.5, 16.5, 6.9), "electronico": (44.0, 15.6, 7.15)}
#: rows of (key, column offset mm, width mm); the number is right-aligned separately
_ROWS = (
    (("type", 0.0, 12.0), ("code", 13.0, 24.0)),
    (("surnames", 0.0, 75.0),),
    (("names", 0.0, 75.0),),
    (("nationality", 0.0, 30.0), ("curp", 34.0, 39.5)),
    (("birth", 0.0, 30.0), ("sex", 34.0, 10.0), ("place", 46.0, 27.5)),
    (("issued", 0.0, 30.0), ("authority", 34.0, 39.5)),
    (("expiry", 0.0, 30.0), ("observations", 34.0, 39.5)),
)


def _draw_fields(page: Page, values: dict[str, str], style: _Style) -> None:
    x0, y0, pitch = _GRID[style.layout]
    for r, row in enumerate(_ROWS):
        for key, dx, width in row:
            _field(page, x0 + dx, y0 + r * pitch, key, values[key], style, width)
    # the passport number, top right (F4), a little larger
    right = W_MM - 5.0
    es, en = LABELS["number"]
    label = f"{es} / {en}"
    page.text(right, y0, label, style.label_font, style.label_ink, align="r")
    big = style.value_font.sized(style.value_font.size * 1.12)
    page.text(right + style.jitter[0], y0 + 4.3, values["number"], big, style.value_ink, align="r")


def _header(page: Page, style: _Style) -> None:
    """The issuing State and the document name at the top (F2, F8, F9)."""
    ink = (20, 70, 45) if style.layout == "libreta" else (70, 40, 95)
    if style.layout == "libreta":
        page.text(W_MM / 2, 6.2, "ESTADOS UNIDOS MEXICANOS", style.head_font, ink, align="m")
        small = style.head_font.sized(style.head_font.size * 0.75)
        page.text(W_MM / 2, 10.4, "PASAPORTE / PASSPORT", small, ink, align="m")
        return
    micro = style.label_font.sized(3.0)
    page.text(1.5, 2.4, "MEXICO " * 40, micro, style.pattern_ink)
    page.text(44.0, 8.6, "ESTADOS UNIDOS MEXICANOS", style.head_font, ink)
    small = style.head_font.sized(style.head_font.size * 0.8)
    page.text(5.5, 8.6, "PASAPORTE", small, ink)
    page.text(5.5, 12.0, "PASSPORT", small.sized(small.size * 0.8), ink)


def mrz_font() -> Font:
    """OCR-B sized so that its capitals are :data:`MRZ_CAP_MM` tall."""
    path = fonts.mrz_font_path()
    cap_em = -pil_font(path, 400).getbbox("H", anchor="ls")[1] / 400
    return Font(path, MRZ_CAP_MM / cap_em / PT_MM)


def _mrz(page: Page, lines: list[str]) -> None:
    """The MRZ in OCR-B at the ICAO pitch, one character at a time (F1)."""
    font = mrz_font()
    for line, base in zip(lines, MRZ_BASELINES_MM, strict=False):
        for i, ch in enumerate(line):
            page.text(MRZ_LEFT_MM + i * MRZ_PITCH_MM, base, ch, font, (15, 15, 20))


# --- the page -----------------------------------------------------------------------------------


def _portrait(portrait: Image.Image, style: _Style, rng: random.Random) -> Image.Image:
    """The printed portrait: inkjet-soft colour (booklet) or laser-engraved grey (electronic)."""
    img = portrait.convert("RGB")
    if style.layout == "electronico":
        grey = ImageOps.autocontrast(img.convert("L"), cutoff=1)
        img = ImageOps.colorize(grey, (18, 16, 22), (236, 232, 226))
        img = ImageEnhance.Contrast(img).enhance(rng.uniform(1.0, 1.25))
    else:
        img = ImageEnhance.Color(img).enhance(rng.uniform(0.55, 0.9))
        img = ImageEnhance.Contrast(img).enhance(rng.uniform(0.8, 1.0))
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 0.6)))


def _portrait_box(style: _Style) -> tuple[float, float, float, float]:
    h = 41.0 if style.layout == "libreta" else 39.5
    y = 16.0 if style.layout == "libreta" else 14.5
    return (5.5, y, h * PORTRAIT_ASPECT, h)


def _finish(img: Image.Image, rng: random.Random, k: float) -> Image.Image:
    """Moderate print-quality variation: softness, contrast and grain."""
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.0, 0.045) * k))
    img = ImageEnhance.Contrast(img).enhance(rng.uniform(0.88, 1.05))
    arr: np.ndarray = np.asarray(img, np.float32)
    nrng = np.random.default_rng(rng.getrandbits(32))
    arr = arr + nrng.normal(0, rng.uniform(1.0, 4.0), arr.shape[:2])[..., None]
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def render_front(card: IdCard, portrait: Image.Image, rng: random.Random, k: float) -> Image.Image:
    """The data page of ``card`` at ``k`` pixels per mm (125 x 88 mm, ICAO TD3)."""
    style = _style(rng, card.issued)
    w, h = round(W_MM * k), round(H_MM * k)
    nrng = np.random.default_rng(rng.getrandbits(32))
    bg = _background(style, w, h, k, nrng)
    face = _portrait(portrait, style, rng)
    ghost_box = (W_MM - 22.0, 40.0, 15.0, 15.0 / PORTRAIT_ASPECT)
    _ghost(bg, face, ghost_box, k, rng.uniform(0.35, 0.6))
    base = Image.fromarray(bg.clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(base)
    px, py, pw, ph = _portrait_box(style)
    if style.layout == "electronico":
        _signature(draw, (px + 1.0, py + ph + 0.4, pw - 2.0, 5.5), k, rng)
        _perforation(draw, card.number, k, rng)

    page = Page(W_MM, H_MM)
    page.image(0, 0, W_MM, H_MM, base)
    page.image(px, py, pw, ph, face)
    _header(page, style)
    if style.layout == "electronico":
        es, en = LABELS["signature"]
        page.text(px, py + ph + 8.0, f"{es} / {en}", style.label_font.sized(4.2), style.label_ink)
    _draw_fields(page, _values(card, style, rng), style)
    _mrz(page, card.mrz_lines)
    return _finish(render_pil(page, k), rng, k)


FAMILY = IdFamily(
    name="passport_blind",
    kind="passport",
    blind=True,
    render_front=render_front,
    render_back=None,
    portrait_aspect=PORTRAIT_ASPECT,
    base_k=10.0,
    booklet=True,
    description=(
        "Mexican passport data page drawn blind from public sources: the G-series paper page "
        "and the 2021 polycarbonate e-passport page, bilingual labels, DD MM YYYY dates."
    ),
)
