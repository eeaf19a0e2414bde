"""INE voter card, 2014 models (E from July 2014, F issued abroad from 2016).

The front prints the residence codes as separate boxes (ESTADO, MUNICIPIO, SECCIÓN on one row,
LOCALIDAD, EMISIÓN, VIGENCIA on the next), each label followed by its value on the same line;
FECHA DE NACIMIENTO and SEXO sit top right, beside the name, not along the bottom as on the 2019
models; VIGENCIA is the end year alone. The back carries a small QR code (INE services), a
PDF417 code (replaced by QR codes in 2019), the fingerprint, the executive secretary's
signature and the TD1 MRZ. Sources and assumptions: ``docs/families.md``.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageFilter

from synth.draw import Page, render_pil, text_width_mm
from synth.families import Color, IdFamily, draw_mrz, rainbow_background, scribble
from synth.fonts import Font, family
from synth.ids import INE_MM, IdCard


def _fonts(rng: random.Random) -> tuple[str, str]:
    """(regular, bold): the 2014 cards print in a narrow sans."""
    return family(rng.choice(["LiberationSansNarrow", "DejaVuSansCondensed"]))


def _tint(rng: random.Random, lo: int, hi: int) -> Color:
    return (rng.randint(lo, hi), rng.randint(lo, hi), rng.randint(lo, hi))


def _fit(text: str, font: Font, width_mm: float) -> Font:
    """``font``, smaller when ``text`` would run wider than ``width_mm``."""
    wide = text_width_mm(text, font)
    return font if wide <= width_mm else font.sized(font.size * width_mm / wide)


def _ghost(portrait: Image.Image, tint: Color) -> Image.Image:
    """The small ghost copy of the portrait: faded, one colour."""
    grey = np.asarray(portrait.convert("L"), np.float32) / 255.0
    fade = 0.55 + 0.45 * grey[..., None]
    arr = 255 - (255 - np.array(tint, np.float32)) * (1 - fade) * 1.6
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))


def _inline(
    page: Page,
    x: float,
    y: float,
    pairs: list[tuple[str, str]],
    fonts: tuple[Font, Font],
    colors: tuple[Color, Color],
    gap: float = 2.0,
) -> None:
    """Label-value pairs along one line: ``LABEL value   LABEL value``."""
    lab, val = fonts
    for label, value in pairs:
        page.text(x, y, label, lab, colors[0])
        x += text_width_mm(label, lab) + 0.9
        page.text(x, y, value, val, colors[1])
        x += text_width_mm(value, val) + gap


def render_front(
    card: IdCard, portrait: Image.Image, rng: random.Random, k: float = 11.0
) -> Image.Image:
    """The front of a 2014-model INE card (``k`` pixels per mm)."""
    reg, bold = _fonts(rng)
    page = Page(*INE_MM)
    stops = [_tint(rng, 238, 250), (246, 230, 236), (232, 244, 234), _tint(rng, 232, 246)]
    page.image(0, 0, *INE_MM, rainbow_background(rng, INE_MM, k, stops, (150, 160, 175)))
    head = (rng.randint(110, 140), rng.randint(20, 45), rng.randint(70, 100))
    label_c = (rng.randint(85, 115), rng.randint(95, 120), rng.randint(110, 135))
    ink = _tint(rng, 5, 30)
    dx, dy = rng.uniform(-0.6, 0.6), rng.uniform(-0.5, 0.5)
    page.text(3.6 + dx, 7.0, "MÉXICO", Font(bold, 9.5), head)
    page.text(30 + dx, 5.6, "INSTITUTO NACIONAL ELECTORAL", Font(bold, 7.4), head)
    page.text(30 + dx, 8.9, "CREDENCIAL PARA VOTAR", Font(reg, 5.8), label_c)
    page.image(3.4, 11.2 + dy / 2, 24.0, 31.0, portrait)
    page.image(73.5 + dx, 23.0 + dy, 9.0, 11.6, _ghost(portrait, head))
    scribble(page, (4.5, 44.0, 21.0, 6.5), rng, (35, 35, 70))
    lab, val = Font(reg, rng.uniform(3.9, 4.3)), Font(bold, rng.uniform(5.5, 5.9))
    x0, xr, step = 29.8 + dx, 61.5 + dx, 2.5
    y = 14.0 + dy
    page.text(x0, y, "NOMBRE", lab, label_c)
    for i, part in enumerate([card.primer_apellido, card.segundo_apellido, card.nombres]):
        page.text(x0, y + step * (i + 1), part, _fit(part, val, xr - x0 - 1.5), ink)
    page.text(xr, y, "FECHA DE NACIMIENTO", lab, label_c)
    page.text(xr, y + step, card.birth.strftime("%d/%m/%Y"), val, ink)
    _inline(page, xr, y + 2 * step + 0.5, [("SEXO", card.sexo)], (lab, val), (label_c, ink))
    y += 4 * step + 0.4
    if card.domicilio_visible:
        page.text(x0, y, "DOMICILIO", lab, label_c)
        small = val.sized(val.size - 0.4)
        for i, line in enumerate(card.address_lines):
            page.text(x0, y + step * (i + 1), line, _fit(line, small, 72.5 - x0), ink)
    y += 4 * step + 0.5
    rows = [
        [("CLAVE DE ELECTOR", card.clave_elector or "")],
        [("CURP", card.curp), ("AÑO DE REGISTRO", card.registro)],
        [("ESTADO", card.estado), ("MUNICIPIO", card.municipio), ("SECCIÓN", card.seccion)],
        [
            ("LOCALIDAD", card.localidad),
            ("EMISIÓN", card.emision),
            ("VIGENCIA", str(card.expiry.year)),
        ],
    ]
    for pairs in rows:
        _inline(page, x0, y, pairs, (lab, val), (label_c, ink))
        y += step + 0.45
    img = render_pil(page, k)
    return img.filter(ImageFilter.GaussianBlur(0.03 * k))


def _qr(rng: random.Random, cells: int = 25) -> Image.Image:
    """A QR-looking block: finder squares, an alignment square, random modules, quiet zone."""
    grid = np.random.default_rng(rng.getrandbits(32)).random((cells, cells)) < 0.45
    for r, c in ((0, 0), (0, cells - 7), (cells - 7, 0)):
        grid[r : r + 7, c : c + 7] = True
        grid[r + 1 : r + 6, c + 1 : c + 6] = False
        grid[r + 2 : r + 5, c + 2 : c + 5] = True
    a = cells - 9
    grid[a : a + 5, a : a + 5] = True
    grid[a + 1 : a + 4, a + 1 : a + 4] = False
    grid[a + 2, a + 2] = True
    framed = np.pad(grid, 2, constant_values=False)
    img = Image.fromarray(np.where(framed, 25, 248).astype(np.uint8)).convert("RGB")
    return img.resize((framed.shape[1] * 6, framed.shape[0] * 6), Image.Resampling.NEAREST)


def _pdf417(rng: random.Random, rows: int = 14, columns: int = 6) -> Image.Image:
    """A PDF417-looking stacked barcode: start and stop patterns around rows of bar codewords."""
    rnd = np.random.default_rng(rng.getrandbits(32))
    start = [1] * 8 + [0, 1] * 3 + [0] * 3
    stop = [1] * 7 + [0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1]
    body = []
    for _ in range(rows):
        row: list[int] = []
        for _ in range(columns + 2):  # data codewords and the two row indicators
            widths = rnd.integers(1, 5, 8)
            for j, width in enumerate(widths):
                row += [1 - j % 2] * int(width)
        body.append(start + row[: 17 * (columns + 2)] + stop)
    wide = max(len(r) for r in body)
    arr = np.array([r + [0] * (wide - len(r)) for r in body], dtype=bool)
    arr = np.repeat(arr, 3, axis=0)
    img = Image.fromarray(np.where(arr, 30, 246).astype(np.uint8)).convert("RGB")
    return img.resize((wide * 3, arr.shape[0] * 3), Image.Resampling.NEAREST)


def _fingerprint(rng: random.Random, side: int = 160) -> Image.Image:
    """Ridges of a printed fingerprint: wavy ellipses inside an oval."""
    rnd = np.random.default_rng(rng.getrandbits(32))
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side - 0.5
    r = np.hypot(x * 1.25, y + 0.08)
    theta = np.arctan2(y, x)
    swirl = 0.03 * np.sin(2 * theta + rnd.uniform(0, 6)) + 0.02 * np.sin(theta + 6 * r)
    ridges = np.sin((r + swirl) * rnd.uniform(75, 95)) > 0.0
    inside = np.hypot(x * 1.45, y * 1.05) < 0.48
    arr = np.where(ridges & inside, 70, 240).astype(np.uint8)
    return Image.fromarray(arr).convert("RGB")


def render_back(card: IdCard, rng: random.Random, k: float = 11.0) -> Image.Image:
    """The back of a 2014-model INE card: services QR, PDF417, fingerprint, signature, MRZ."""
    reg, bold = _fonts(rng)
    page = Page(*INE_MM)
    stops = [(240, 240, 232), _tint(rng, 236, 248), (244, 234, 238)]
    page.image(0, 0, *INE_MM, rainbow_background(rng, INE_MM, k, stops, (170, 165, 180)))
    dx = rng.uniform(-0.7, 0.7)
    grey = (70, 70, 80)
    page.image(3.8 + dx, 3.5, 12.5, 12.5, _qr(rng))
    page.image(3.8 + dx, 18.0, 38.0, 11.0, _pdf417(rng))
    small = Font(reg, 3.1)
    legends = [
        "ESTA CREDENCIAL ES INTRANSFERIBLE. NO ES VÁLIDA SI",
        "PRESENTA TACHADURAS O ENMENDADURAS. EL TITULAR ESTÁ",
        "OBLIGADO A NOTIFICAR SU CAMBIO DE DOMICILIO.",
    ]
    for i, text in enumerate(legends):
        page.text(18.5 + dx, 6.0 + 2.0 * i, text, small, grey)
    for i, year in enumerate(("15", "18", "21", "24")):
        page.rect(18.5 + dx + 5.2 * i, 11.6, 4.6, 4.0, outline=(120, 110, 130), width=0.15)
        page.text(20.8 + dx + 5.2 * i, 14.7, year, small, grey, align="m")
    page.image(64.0 + dx, 3.5, 17.0, 19.0, _fingerprint(rng))
    scribble(page, (46.0 + dx, 23.5, 17.0, 5.0), rng, (30, 30, 60))
    page.text(54.5 + dx, 31.3, "SECRETARIO EJECUTIVO DEL", small, grey, align="m")
    page.text(54.5 + dx, 33.2, "INSTITUTO NACIONAL ELECTORAL", Font(bold, 3.1), grey, align="m")
    draw_mrz(page, card.mrz_lines, rng, (36.0, (248, 248, 244)), (4.8, 41.2), 4.5, 76.0)
    img = render_pil(page, k)
    return img.filter(ImageFilter.GaussianBlur(0.03 * k))


FAMILY = IdFamily(
    name="ine_2014",
    kind="ine",
    blind=False,
    render_front=render_front,
    render_back=render_back,
    portrait_aspect=24 / 31,
    base_k=11.0,
    description="INE models E/F (2014): separate ESTADO/MUNICIPIO/LOCALIDAD/EMISIÓN/VIGENCIA "
    "boxes, birth date and sex top right; PDF417 and services QR on the back",
)
