"""ine_blind2: a second blind drawing of the INE voter card (credencial para votar), front and back.

Written without reading ``pipeline/`` or the other family modules, from the facts below. Each
card is drawn as a 2014 model (E/F) or a 2019 model (G/H), chosen from the year the record says
the card was issued (F6). Fonts are condensed sans (Liberation Sans Narrow or DejaVu Sans
Condensed; the real typeface is not public: assumed), values in bold caps, labels smaller.

Facts used (the facts doc is ``/work/shared/docs/real-documents.md``):

- F1 (facts doc) The 2014 models print ESTADO, MUNICIPIO, LOCALIDAD, EMISIÓN and VIGENCIA as
  separate boxes; the 2019 models print NOMBRE, DOMICILIO, CLAVE DE ELECTOR, CURP, AÑO DE
  REGISTRO, FECHA DE NACIMIENTO, SECCIÓN, VIGENCIA ("2021 - 2031") and SEXO (H or M).
- F2 (facts doc; https://launion.online/news/nacional/noticias/72673-como-saber-si-tu-credencial-de-elector-esta-vigente.html)
  Since January 2014 the voter may hide the street address: DOMICILIO may be absent.
- F3 (facts doc) The back carries a TD1 MRZ, 3 lines of 30 characters, printed as given.
- F4 (facts doc) The portrait is about 25 x 32 mm, greyish or tinted, under the security print;
  the card also prints a smaller ghost copy of it.
- F5 (facts doc; https://www.elsoldecuernavaca.com.mx/analisis/credenciales-ine-no-vigentes-4603939.html)
  The 2019 model drops the state, municipality and locality codes, makes the SECCIÓN prominent,
  joins EMISIÓN and VIGENCIA in one field and moves the birth date to the bottom; on its back
  the signature and fingerprint sit with two QR codes, and a "services" QR code is kept.
- F6 (https://www.elsoldecuernavaca.com.mx/analisis/credenciales-ine-no-vigentes-4603939.html,
  facts doc) The 2019 model was issued from December 2019: a card issued in 2020 or later is
  drawn as a G/H, an earlier one as an E/F.
- F7 (IEEM note on the 2014 model, "Teotihuacan en línea", pages corpus, no address stored)
  The photo sits on the left; a high-resolution background like a banknote's; fixed data INE,
  MÉXICO and the national coat of arms on the front; the holder's signature and fingerprint
  printed on the back; a machine-readable zone.
- F8 (https://encycloreader.org/r/wikipedia_es.php?q=Credencial_para_votar) The security
  background merges with the photo's border; fine-line figures; the legend INSTITUTO NACIONAL
  ELECTORAL as microtext; line patterns in two or more colours.
- F9 (http://internacionales.pri.org.mx/SabiasQue/Sabias.aspx?y=5042;
  https://www.24-horas.mx/mexico/ine-propone-aumentar-seguridad-de-la-credencial-de-elector)
  Guilloche background, microtext, ghost photo with variable data, rainbow printing.
- F10 (https://launion.online/news/nacional/noticias/72673-como-saber-si-tu-credencial-de-elector-esta-vigente.html;
  https://www.informador.mx/mexico/Asi-puedes-identificar-un-INE-falso-20250902-0154.html)
  The back holds the signature, spaces to mark the vote (with microtext), the index fingerprint,
  the Secretario Ejecutivo's signature and a two-dimensional code.
- F11 (a public OCR dump of a 2014-model front, GitHub code corpus) Reading order NOMBRE, three
  name lines (first surname, second surname, given names), DOMICILIO over three lines, then
  labels left of their values on one line ("CLAVE DE ELECTOR ...", "CURP ...", "ESTADO 30",
  "SECCIÓN ...", "EMISIÓN ... VIGENCIA ..."), FECHA DE NACIMIENTO with its value below it, "SEXO H".
- F12 (ISO/IEC 7810 ID-1, https://gitlab.com/inkscape/inkscape/-/merge_requests/3367) The card
  is ID-1, 85.6 x 54 mm.

Assumptions (not found in public sources): exact positions and sizes; the tints (pink, violet or
beige rainbow); the numbers in the vote-marking boxes; the ghost's variable data (the birth year
in microtext). Every value comes from the :class:`synth.ids.IdCard` as it is (the vigencia is
printed as the record gives it on both models; a hidden DOMICILIO leaves its space blank or
closes up).
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from synth.draw import Page, render_pil, text_width_mm
from synth.families import IdFamily, draw_mrz, rainbow_background, scribble
from synth.fonts import Font, family
from synth.ids import IdCard

CARD_MM = (85.6, 54.0)  # F12
PHOTO_MM = (24.6, 31.5)  # F4
MICRO = "INSTITUTONACIONALELECTORAL "  # F8
Color = tuple[int, int, int]
RIGHT = 83.2  # right margin of the printed data (mm)
TINTS: dict[str, tuple[list[Color], Color]] = {  # rainbow stops left to right, guilloche ink
    "pink": ([(246, 218, 228), (238, 216, 236), (246, 232, 220)], (204, 140, 168)),
    "violet": ([(232, 222, 244), (244, 220, 236), (236, 232, 246)], (164, 140, 198)),
    "beige": ([(246, 234, 216), (244, 224, 224), (234, 228, 242)], (198, 160, 144)),
}


@dataclasses.dataclass(frozen=True)
class Style:
    """How one card is printed: model, fonts, colours, spacing and print quality."""

    model: str  # "2014" (E/F) or "2019" (G/H)
    reg: str
    bold: str
    label: Font
    value: Font
    label_c: Color
    ink: Color
    pitch: float
    dx: float
    dy: float
    tint: str
    blur: float
    keep_gap: bool  # a hidden DOMICILIO leaves its space blank (else the rows close up)
    sexo_inline: bool


def model_of(card: IdCard) -> str:
    """The card model drawn for ``card``: "2019" (G/H) if issued in 2020 or later, else "2014".

    >>> import datetime as dt
    >>> card = IdCard("ine", "A", "B", "C", dt.date(1990, 1, 1), "H", "", "DF",
    ...               dt.date(2031, 12, 31), "1", dt.date(2021, 3, 4))
    >>> model_of(card)
    '2019'
    >>> model_of(dataclasses.replace(card, issued=dt.date(2016, 5, 2)))
    '2014'
    """
    return "2019" if card.issued.year >= 2020 else "2014"  # F6


def _style(card: IdCard, rng: random.Random) -> Style:
    reg, bold = family(rng.choice(["LiberationSansNarrow", "DejaVuSansCondensed"]))
    narrow = "Narrow" in reg
    grey = rng.randint(8, 58)
    return Style(
        model=model_of(card),
        reg=reg,
        bold=bold,
        label=Font(reg, rng.uniform(4.3, 4.9) if narrow else rng.uniform(3.9, 4.4)),
        value=Font(bold, rng.uniform(6.2, 6.9) if narrow else rng.uniform(5.5, 6.1)),
        label_c=rng.choice([(150, 70, 110), (120, 80, 130), (105, 95, 100), (160, 90, 100)]),
        ink=(grey, grey, grey + rng.randint(0, 10)),
        pitch=rng.uniform(2.45, 2.75),
        dx=rng.uniform(-0.6, 0.6),
        dy=rng.uniform(-0.5, 0.5),
        tint=rng.choice(sorted(TINTS)),
        blur=rng.uniform(0.0, 0.7),
        keep_gap=rng.random() < 0.6,
        sexo_inline=rng.random() < 0.5,
    )


def _fit(text: str, font: Font, width: float) -> Font:
    """``font``, made smaller if ``text`` would be wider than ``width`` mm (the text stays).

    >>> from synth.fonts import family
    >>> f = Font(family("DejaVuSans")[0], 10.0)
    >>> _fit("AB", f, 100.0) == f
    True
    >>> text_width_mm("ABCDEFGHIJ" * 3, _fit("ABCDEFGHIJ" * 3, f, 20.0)) <= 20.0
    True
    """
    w = text_width_mm(text, font)
    return font if w <= width else font.sized(font.size * width / w * 0.98)


# --- the printed background: rainbow guilloche, ghost image, portrait merged into it ----------


def _background(st: Style, rng: random.Random, k: float, fade: float) -> Image.Image:
    stops, ink = TINTS[st.tint]
    stops = [_shade(s, rng.randint(-5, 4)) for s in stops]
    img = rainbow_background(rng, CARD_MM, k, stops, ink)  # F8, F9
    if fade:
        arr = np.asarray(img, np.float32)
        img = Image.fromarray((arr + (255 - arr) * fade).astype(np.uint8))
    return img


def _shade(c: Color, d: int) -> Color:
    """``c`` made lighter (``d`` > 0) or darker, clipped to 0-255."""
    return (min(255, max(0, c[0] + d)), min(255, max(0, c[1] + d)), min(255, max(0, c[2] + d)))


def _box_px(box: tuple[float, float, float, float], k: float) -> tuple[int, int, int, int]:
    x, y, w, h = box
    return round(x * k), round(y * k), max(1, round(w * k)), max(1, round(h * k))


def _feather(w: int, h: int, edge: float, oval: bool) -> np.ndarray:
    """An alpha mask (h, w) in [0, 1] that fades out over ``edge`` pixels at the border."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    if oval:
        r = np.hypot((xs - w / 2) / (w / 2), (ys - h / 2) / (h / 2))
        return np.clip((1.0 - r) * max(w, h) / (2 * max(edge, 1.0)), 0, 1)
    d = np.minimum.reduce([xs, ys, w - 1 - xs, h - 1 - ys])
    return np.clip(d / max(edge, 1.0), 0, 1)


def _paste_portrait(
    bg: Image.Image, portrait: Image.Image, box: tuple, k: float, edge: float
) -> None:
    """The portrait printed into the background, its border merging with the pattern (F8)."""
    x, y, w, h = _box_px(box, k)
    face = np.asarray(portrait.convert("RGB").resize((w, h), Image.Resampling.LANCZOS), np.float32)
    alpha = _feather(w, h, edge * k, oval=False)[..., None]
    arr = np.asarray(bg, np.float32).copy()
    region = arr[y : y + h, x : x + w]
    arr[y : y + h, x : x + w] = face * alpha + region * (1 - alpha)
    bg.paste(Image.fromarray(arr.clip(0, 255).astype(np.uint8)))


def _paste_ghost(
    bg: Image.Image, portrait: Image.Image, box: tuple, k: float, tint: Color, strength: float
) -> None:
    """The smaller ghost copy of the portrait: its darks printed faintly in ``tint`` (F4, F9)."""
    x, y, w, h = _box_px(box, k)
    grey = (
        np.asarray(portrait.convert("L").resize((w, h), Image.Resampling.LANCZOS), np.float32)
        / 255.0
    )
    lo, hi = np.percentile(grey, 2), np.percentile(grey, 98)
    dark = (1.0 - np.clip((grey - lo) / max(hi - lo, 1e-3), 0, 1)) * strength
    dark = (dark * _feather(w, h, 0.22 * min(w, h), oval=True))[..., None]
    arr = np.asarray(bg, np.float32).copy()
    region = arr[y : y + h, x : x + w]
    arr[y : y + h, x : x + w] = region * (1 - dark) + np.array(tint, np.float32) * dark
    bg.paste(Image.fromarray(arr.clip(0, 255).astype(np.uint8)))


def _emblem(bg: Image.Image, centre: tuple[float, float], r_mm: float, k: float) -> None:
    """A round emblem standing for the national coat of arms (F7): rings and a stylised bird."""
    draw = ImageDraw.Draw(bg)
    cx, cy, r = centre[0] * k, centre[1] * k, r_mm * k
    for i, col in enumerate([(120, 96, 60), (150, 128, 84), (120, 96, 60)]):
        rr = r * (1 - 0.14 * i)
        draw.ellipse(
            [cx - rr, cy - rr, cx + rr, cy + rr], outline=col, width=max(1, round(0.18 * k))
        )
    wing = [(cx - r * 0.5, cy), (cx, cy - r * 0.45), (cx + r * 0.5, cy), (cx, cy + r * 0.35)]
    draw.polygon(wing, fill=(110, 88, 56))


def _microtext(
    page: Page, st: Style, rng: random.Random, rows: list[float], x0: float = 0.6
) -> None:
    """Lines of microtext INSTITUTO NACIONAL ELECTORAL, too small to read by eye (F8)."""
    font = Font(st.reg, rng.uniform(1.1, 1.5))
    color = _shade(TINTS[st.tint][1], -40)
    line = MICRO * (int(CARD_MM[0] / max(text_width_mm(MICRO, font), 1.0)) + 1)
    for y in rows:
        page.text(x0 + rng.uniform(-0.4, 0.0), y, line, font, color)


def _finish(img: Image.Image, st: Style, k: float) -> Image.Image:
    """Print quality: a little ink spread (blur) on some cards (the photo is capture's job)."""
    radius = st.blur * k / 12.0
    return img.filter(ImageFilter.GaussianBlur(radius)) if radius > 0.15 else img


# --- front ---------------------------------------------------------------------------------


def _header(page: Page, st: Style, rng: random.Random) -> None:
    """MÉXICO at the top left by the emblem, the issuer and document title at the right (F7)."""
    dark = (48, 36, 40)
    page.text(12.6, 8.0, "MÉXICO", Font(st.bold, rng.uniform(8.6, 9.6)), dark)
    title = Font(st.bold, rng.uniform(6.4, 7.0))
    sub = Font(st.reg, rng.uniform(5.8, 6.4))
    if st.model == "2019" or rng.random() < 0.5:
        page.text(RIGHT, 5.6, "INSTITUTO NACIONAL ELECTORAL", title, (120, 40, 80), align="r")
        page.text(RIGHT, 9.4, "CREDENCIAL PARA VOTAR", sub, dark, align="r")
    else:
        page.text(37.0, 5.6, "INSTITUTO NACIONAL ELECTORAL", title, (120, 40, 80))
        page.text(37.0, 9.4, "CREDENCIAL PARA VOTAR", sub, dark)


def _label(page: Page, x: float, y: float, text: str, st: Style) -> float:
    page.text(x, y, text, st.label, st.label_c)
    return x + text_width_mm(text, st.label)


def _inline(
    page: Page, x: float, y: float, label: str, value: str, st: Style, room: float
) -> float:
    """Label then value on one baseline (F11); returns where the value ends."""
    end = _label(page, x, y, label, st) + 1.1
    font = _fit(value, st.value, max(room - (end - x), 4.0))
    page.text(end, y, value, font, st.ink)
    return end + text_width_mm(value, font)


def _stacked(
    page: Page, x: float, y: float, label: str, value: str, st: Style, pitch: float
) -> float:
    """Label with the value below it; returns the right end of the wider of the two."""
    _label(page, x, y, label, st)
    page.text(x, y + pitch, value, st.value, st.ink)
    return x + max(text_width_mm(label, st.label), text_width_mm(value, st.value))


def _name_block(page: Page, card: IdCard, st: Style, x0: float, y: float, room: float) -> float:
    """NOMBRE and the three name lines (F1, F11); returns the y after the block."""
    _label(page, x0, y, "NOMBRE", st)
    names = [card.primer_apellido, card.segundo_apellido, card.nombres]
    for i, line in enumerate(names):
        page.text(x0, y + st.pitch * (i + 1), line, _fit(line, st.value, room), st.ink)
    return y + 4 * st.pitch + 0.9


def _address_block(page: Page, card: IdCard, st: Style, x0: float, y: float) -> float:
    """DOMICILIO over its lines, or its space blank or closed up when hidden (F2)."""
    n = max(3, len(card.address_lines))
    if not card.domicilio_visible:
        return y + (n + 1) * st.pitch + 0.9 if st.keep_gap else y
    _label(page, x0, y, "DOMICILIO", st)
    font = st.value.sized(st.value.size - 0.4)
    for i, line in enumerate(card.address_lines):
        page.text(x0, y + st.pitch * (i + 1), line, _fit(line, font, RIGHT - x0), st.ink)
    return y + (n + 1) * st.pitch + 0.9


def _sexo(page: Page, card: IdCard, st: Style, x: float, y: float) -> None:
    if st.sexo_inline:
        _inline(page, x, y, "SEXO", card.sexo, st, 12.0)
    else:
        _stacked(page, x, y, "SEXO", card.sexo, st, st.pitch)


def _curp_row(page: Page, card: IdCard, st: Style, x0: float, y: float) -> float:
    """CURP and AÑO DE REGISTRO, side by side when they fit, else on two rows."""
    end = _inline(page, x0, y, "CURP", card.curp, st, RIGHT - x0)
    need = text_width_mm("AÑO DE REGISTRO", st.label) + 1.1 + text_width_mm(card.registro, st.value)
    if end + 1.8 + need <= RIGHT:
        _inline(page, RIGHT - need, y, "AÑO DE REGISTRO", card.registro, st, need + 0.5)
        return y + st.pitch + 0.35
    y += st.pitch + 0.35
    _inline(page, x0, y, "AÑO DE REGISTRO", card.registro, st, RIGHT - x0)
    return y + st.pitch + 0.35


def _fields_2019(page: Page, card: IdCard, st: Style, x0: float, y: float) -> None:
    """The G/H front (F1, F5): birth date, sección and vigencia along the bottom."""
    _sexo(page, card, st, 73.5 + st.dx, y)
    y = _name_block(page, card, st, x0, y, 73.0 - x0)
    y = _address_block(page, card, st, x0, y)
    _inline(page, x0, y, "CLAVE DE ELECTOR", card.clave_elector or "", st, RIGHT - x0)
    y = _curp_row(page, card, st, x0, y + st.pitch + 0.35) + 0.3
    x = x0
    bottom = [
        ("FECHA DE NACIMIENTO", card.birth.strftime("%d/%m/%Y")),
        ("SECCIÓN", card.seccion),
        ("VIGENCIA", card.vigencia),
    ]
    for label, value in bottom:
        x = _stacked(page, x, y, label, value, st, st.pitch) + 2.6


def _fields_2014(page: Page, card: IdCard, st: Style, x0: float, y: float) -> None:
    """The E/F front (F1, F11): birth date and sex at the right, geo-electoral codes in rows."""
    right = 64.5 + st.dx
    _stacked(page, right, y, "FECHA DE NACIMIENTO", card.birth.strftime("%d/%m/%Y"), st, st.pitch)
    _sexo(page, card, st, right, y + 2 * st.pitch + 0.5)
    y = _name_block(page, card, st, x0, y, right - 1.0 - x0)
    y = _address_block(page, card, st, x0, y)
    _inline(page, x0, y, "CLAVE DE ELECTOR", card.clave_elector or "", st, RIGHT - x0)
    y = _curp_row(page, card, st, x0, y + st.pitch + 0.35)
    rows = [
        [("ESTADO", card.estado), ("MUNICIPIO", card.municipio), ("SECCIÓN", card.seccion)],
        [("LOCALIDAD", card.localidad), ("EMISIÓN", card.emision), ("VIGENCIA", card.vigencia)],
    ]
    for row in rows:
        x = x0
        for label, value in row:
            x = _inline(page, x, y, label, value, st, RIGHT - x) + 2.4
        y += st.pitch + 0.35


def render_front(
    card: IdCard, portrait: Image.Image, rng: random.Random, k: float = 12.0
) -> Image.Image:
    """The front of the card (``k`` pixels per mm): portrait left, data right, ghost image."""
    st = _style(card, rng)
    bg = _background(st, rng, k, 0.0)
    photo = (3.0 + st.dx * 0.5, 12.6 + st.dy, *PHOTO_MM)
    ghost_w = rng.uniform(11.0, 13.0)
    ghost = (
        RIGHT - ghost_w - rng.uniform(0.0, 1.5),
        rng.uniform(30.0, 34.0),
        ghost_w,
        ghost_w / 0.78,
    )
    ghost = (ghost[0], min(ghost[1], CARD_MM[1] - ghost[3] - 1.0), ghost[2], ghost[3])
    tint = _shade(TINTS[st.tint][1], -70)
    _paste_ghost(bg, portrait, ghost, k, tint, rng.uniform(0.22, 0.4))
    _paste_portrait(bg, portrait, photo, k, rng.uniform(0.5, 1.2))
    _emblem(bg, (7.2, 6.4), 3.6, k)
    page = Page(*CARD_MM)
    page.image(0, 0, *CARD_MM, bg)
    _microtext(page, st, rng, [11.6, 50.2, 52.4])
    if st.model == "2019":  # the ghost's variable data (F9; which datum: assumed)
        gx, gy = ghost[0] + ghost[2] / 2, ghost[1] + ghost[3] + 0.2
        page.text(gx, gy, f"{card.birth.year}", Font(st.reg, 2.2), tint, align="m")
    _header(page, st, rng)
    x0, y0 = 30.2 + st.dx, rng.uniform(14.6, 15.4) + st.dy
    if st.model == "2019":
        _fields_2019(page, card, st, x0, y0)
    else:
        _fields_2014(page, card, st, x0, y0)
    return _finish(render_pil(page, k), st, k)


# --- back ----------------------------------------------------------------------------------


def _qr(rng: random.Random, cells: int) -> Image.Image:
    """A QR-like square: random modules and the three finder patterns (payload unknown, F5)."""
    grid = np.random.default_rng(rng.getrandbits(32)).random((cells, cells)) < 0.48
    for r, c in ((0, 0), (0, cells - 7), (cells - 7, 0)):
        grid[max(r - 1, 0) : r + 8, max(c - 1, 0) : c + 8] = False  # the separator
        grid[r : r + 7, c : c + 7] = True
        grid[r + 1 : r + 6, c + 1 : c + 6] = False
        grid[r + 2 : r + 5, c + 2 : c + 5] = True
    quiet = np.zeros((cells + 4, cells + 4), bool)
    quiet[2:-2, 2:-2] = grid
    img = Image.fromarray(np.where(quiet, 24, 252).astype(np.uint8)).convert("RGB")
    return img.resize(((cells + 4) * 6, (cells + 4) * 6), Image.Resampling.NEAREST)


def _fingerprint(rng: random.Random, px: int = 180) -> Image.Image:
    """An index-finger print: warped whorl ridges inside an oval, grey ink on the card (F10)."""
    g = np.random.default_rng(rng.getrandbits(32))
    h, w = int(px * 1.25), px
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w * g.uniform(0.4, 0.6), h * g.uniform(0.38, 0.55)
    r = np.hypot(xs - cx, (ys - cy) / g.uniform(1.15, 1.4))
    theta = np.arctan2(ys - cy, xs - cx)
    coarse = g.random((6, 5)).astype(np.float32)
    warp = np.asarray(Image.fromarray(coarse).resize((w, h), Image.Resampling.BICUBIC))
    phase = 2 * np.pi * r / g.uniform(5.0, 6.5) + 1.3 * np.sin(theta + g.uniform(0, 6)) + 4 * warp
    oval = np.hypot((xs - w / 2) / (w * 0.46), (ys - h / 2) / (h * 0.47)) < 1
    ink = (np.sin(phase) > 0.1) & oval & (g.random((h, w)) > 0.15)
    return Image.fromarray(np.where(ink, 92, 246).astype(np.uint8)).convert("RGB")


def _signature_box(
    page: Page, rng: random.Random, box: tuple[float, float, float, float], small: Font
) -> None:
    """The holder's signature, printed digitally (F7): a scribble over a line, FIRMA below."""
    x, y, w, h = box
    scribble(page, (x + 1.0, y + 0.6, w - 2.0, h - 2.2), rng, (30, 30, 70), rng.uniform(0.18, 0.3))
    page.line(x, y + h - 1.2, x + w, y + h - 1.2, (90, 80, 90), 0.15)
    page.text(x + w / 2, y + h + 0.6, "FIRMA", small, (90, 80, 90), align="m")


def _secretary(page: Page, rng: random.Random, x: float, y: float, st: Style) -> None:
    """The Secretario Ejecutivo's printed signature and title (F10); no name is printed."""
    scribble(page, (x, y, 20.0, 5.0), rng, (40, 40, 60), 0.2)
    small = Font(st.reg, 3.6)
    page.text(x, y + 7.2, "SECRETARIO EJECUTIVO DEL", small, (70, 60, 70))
    page.text(x, y + 8.9, "INSTITUTO NACIONAL ELECTORAL", Font(st.bold, 3.6), (70, 60, 70))


def _vote_boxes(page: Page, rng: random.Random, st: Style, x: float, y: float) -> None:
    """Spaces to mark the vote (F10), headed by the election kinds, with microtext inside."""
    small, tiny = Font(st.bold, 3.0), Font(st.reg, 1.2)
    line_c = (150, 110, 130)
    page.text(x, y, "ELECCIONES FEDERALES", small, (90, 60, 80))
    page.text(x, y + 7.4, "LOCALES Y EXTRAORDINARIAS", small, (90, 60, 80))
    first = rng.choice([15, 18, 21])
    for row in range(2):
        for col in range(7):
            bx, by = x + col * 5.4, y + 0.9 + row * 7.4
            page.rect(bx, by, 5.0, 4.2, outline=line_c, width=0.12)
            page.text(bx + 0.5, by + 1.6, MICRO[:14], tiny, line_c)
            if row == 0:
                page.text(
                    bx + 2.5, by + 3.6, f"{first + 3 * col:02d}", small, (110, 80, 100), align="m"
                )


def _back_2019(page: Page, rng: random.Random, st: Style, dx: float) -> None:
    """G/H back (F5): two QR codes with the fingerprint and signature, the services QR."""
    small = Font(st.reg, 3.4)
    page.image(3.6 + dx, 3.2, 21.5, 21.5, _qr(rng, 33))
    page.image(26.4 + dx, 3.6, 13.4, 16.8, _fingerprint(rng))
    page.rect(26.4 + dx, 3.6, 13.4, 16.8, outline=(170, 150, 160), width=0.12)
    page.text(33.1 + dx, 22.6, "HUELLA", small, (90, 80, 90), align="m")
    page.image(42.0 + dx, 3.2, 17.0, 17.0, _qr(rng, 29))
    page.image(70.2 + dx, 3.2, 12.0, 12.0, _qr(rng, 21))
    _signature_box(page, rng, (42.0 + dx, 21.0, 22.0, 8.0), small)
    _secretary(page, rng, 4.0 + dx, 25.2, st)
    for i, text in enumerate(
        ["VERIFICA LA AUTENTICIDAD", "DE ESTA CREDENCIAL CON", "EL CÓDIGO QR"]
    ):
        page.text(68.0 + dx, 19.0 + 1.7 * i, text, Font(st.reg, 2.8), (80, 70, 80))


def _back_2014(page: Page, rng: random.Random, st: Style, dx: float) -> None:
    """E/F back (F7, F10): vote-marking spaces, QR code, fingerprint, signatures."""
    small = Font(st.reg, 3.4)
    _vote_boxes(page, rng, st, 3.8 + dx, 4.0)
    page.image(44.6 + dx, 2.8, 16.0, 16.0, _qr(rng, 29))
    page.image(64.6 + dx, 3.0, 15.0, 18.8, _fingerprint(rng))
    page.rect(64.6 + dx, 3.0, 15.0, 18.8, outline=(170, 150, 160), width=0.12)
    page.text(72.1 + dx, 24.0, "HUELLA", small, (90, 80, 90), align="m")
    _signature_box(page, rng, (44.0 + dx, 21.0, 17.5, 7.0), small)
    _secretary(page, rng, 4.6 + dx, 21.6, st)


def render_back(card: IdCard, rng: random.Random, k: float = 12.0) -> Image.Image:
    """The back (``k`` pixels per mm): the model's codes and signatures over the TD1 MRZ (F3)."""
    st = _style(card, rng)
    page = Page(*CARD_MM)
    page.image(0, 0, *CARD_MM, _background(st, rng, k, rng.uniform(0.25, 0.45)))
    dx = rng.uniform(-0.5, 0.5)
    _microtext(page, st, rng, [1.4, 35.2])
    if st.model == "2019":
        _back_2019(page, rng, st, dx)
    else:
        _back_2014(page, rng, st, dx)
    band = rng.uniform(36.6, 37.6)
    width = rng.uniform(75.0, 77.0)
    pitch = rng.uniform(4.1, 4.45)
    first = ((CARD_MM[0] - width) / 2 + rng.uniform(-0.4, 0.4), band + rng.uniform(4.6, 5.2))
    shade = rng.randint(246, 253)
    draw_mrz(
        page, list(card.mrz_lines), rng, (band, (shade, shade, shade - 2)), first, pitch, width
    )
    return _finish(render_pil(page, k), st, k)


FAMILY = IdFamily(
    name="ine_blind2",
    kind="ine",
    blind=True,
    render_front=render_front,
    render_back=render_back,
    portrait_aspect=PHOTO_MM[0] / PHOTO_MM[1],
    base_k=12.0,
    description=(
        "INE voter card drawn blind a second time: 2014 (E/F) or 2019 (G/H) front by issue year, "
        "condensed sans, pink/violet/beige rainbow guilloche, microtext, ghost portrait, "
        "DOMICILIO hidden on some cards; back with QR codes, fingerprint, signatures, TD1 MRZ"
    ),
)
