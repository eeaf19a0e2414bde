"""The electronic passport's data page (issued from October 2021).

The data page is a polycarbonate sheet personalised by laser engraving: the portrait and the data
come out in greys, over a rainbow-printed guilloche; a second, smaller laser image of the holder
sits at the right. Legends are in Spanish and English (``Apellidos / Surnames``); the page
prints the type, the issuing country code, the passport number, the names, nationality, birth
date and place, sex (ICAO ``M``/``F``), the CURP, issue and expiry dates, the authority and the
holder's digitised signature, a Datamatrix and the sheet's serial number, then the TD3 MRZ.
Dates are printed ``DD/MM/YYYY`` (an assumption: ``docs/families.md``).
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from synth.curp import STATES
from synth.draw import Page, render_pil, text_width_mm
from synth.families import IdFamily, draw_mrz, rainbow_background, scribble
from synth.fonts import Font, family
from synth.ids import PASSPORT_MM, IdCard

ICAO_SEX = {"H": "M", "M": "F"}
AUTHORITIES = ("SRE CDMX", "SRE COYOACÁN", "SRE CUAUHTÉMOC", "SRE IZTAPALAPA", "SRE TLALPAN")


def _fonts(rng: random.Random) -> tuple[str, str]:
    """(regular, bold) of the engraving: a plain humanist sans."""
    return family(rng.choice(["NotoSans", "FreeSans"]))


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _laser(portrait: Image.Image, rng: random.Random) -> Image.Image:
    """The portrait as laser engraving renders it: grey, contrasty, a little grainy."""
    grey = ImageEnhance.Contrast(portrait.convert("L")).enhance(rng.uniform(1.15, 1.4))
    arr = np.asarray(grey, np.float32)
    arr += np.random.default_rng(rng.getrandbits(32)).normal(0, 6, arr.shape)
    warm = np.stack([arr * 0.97, arr * 0.96, arr * 0.93], axis=-1)
    return Image.fromarray(warm.clip(0, 255).astype(np.uint8))


def _secondary(portrait: Image.Image) -> Image.Image:
    """The second laser image: small and faded, engraved as fine horizontal lines."""
    grey = np.asarray(ImageEnhance.Contrast(portrait.convert("L")).enhance(1.8), np.float32)
    rows = (np.arange(grey.shape[0]) % 3 != 2)[:, None]
    arr = 236 - rows * (236 - grey) * 0.45
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8)).convert("RGB")


def _datamatrix(rng: random.Random, cells: int = 18) -> Image.Image:
    """A Datamatrix-looking square: solid L border, clocked top and right edges."""
    grid = np.random.default_rng(rng.getrandbits(32)).random((cells, cells)) < 0.5
    grid[:, 0] = True
    grid[-1, :] = True
    grid[0, :] = np.arange(cells) % 2 == 0
    grid[:, -1] = np.arange(cells) % 2 == 1
    img = Image.fromarray(np.where(grid, 40, 236).astype(np.uint8)).convert("RGB")
    return img.resize((cells * 6, cells * 6), Image.Resampling.NEAREST)


def _fields(card: IdCard, authority: str) -> list[tuple[float, float, str, str]]:
    """(x, y, label, value) of the data page, in mm."""
    return [
        (42.0, 16.0, "Tipo / Type", "P"),
        (57.0, 16.0, "Código de país / Country code", "MEX"),
        (95.0, 16.0, "Pasaporte No. / Passport No.", card.number),
        (42.0, 23.5, "Apellidos / Surnames", f"{card.primer_apellido} {card.segundo_apellido}"),
        (42.0, 31.0, "Nombres / Given names", card.nombres),
        (42.0, 38.5, "Nacionalidad / Nationality", "MEXICANA"),
        (76.0, 38.5, "CURP / Personal No.", card.curp),
        (42.0, 46.0, "Fecha de nacimiento / Date of birth", _date(card.birth)),
        (82.0, 46.0, "Sexo / Sex", ICAO_SEX[card.sexo]),
        (42.0, 53.5, "Lugar de nacimiento / Place of birth", STATES.get(card.state, "")),
        (42.0, 61.0, "Fecha de expedición / Date of issue", _date(card.issued)),
        (82.0, 61.0, "Fecha de caducidad / Date of expiry", _date(card.expiry)),
        (42.0, 68.5, "Autoridad / Authority", authority),
    ]


def render_front(
    card: IdCard, portrait: Image.Image, rng: random.Random, k: float = 9.0
) -> Image.Image:
    """The data page (polycarbonate sheet) of a 2021 electronic passport with its TD3 MRZ."""
    reg, bold = _fonts(rng)
    page = Page(*PASSPORT_MM)
    stops = [(236, 242, 236), (242, 236, 244), (246, 240, 228), (232, 240, 246)]
    page.image(0, 0, *PASSPORT_MM, rainbow_background(rng, PASSPORT_MM, k, stops, (150, 175, 170)))
    label_c = (rng.randint(60, 90), rng.randint(80, 105), rng.randint(95, 120))
    ink = (rng.randint(15, 40),) * 3
    dx, dy = rng.uniform(-0.8, 0.8), rng.uniform(-0.6, 0.6)
    title = Font(bold, 8.6)
    page.text(5.0 + dx, 8.0, "ESTADOS UNIDOS MEXICANOS", title, label_c)
    page.text(5.0 + dx, 11.6, "UNITED MEXICAN STATES", Font(reg, 6.0), label_c)
    page.text(120.0 + dx, 8.0, "PASAPORTE", title, label_c, align="r")
    page.text(120.0 + dx, 11.6, "PASSPORT", Font(reg, 6.0), label_c, align="r")
    page.image(4.5 + dx, 15.0 + dy, 33.0, 44.0, _laser(portrait, rng))
    page.image(107.0 + dx, 44.0 + dy, 11.0, 14.7, _secondary(portrait))
    page.image(108.0 + dx, 22.0 + dy, 10.0, 10.0, _datamatrix(rng))
    page.text(
        5.0 + dx, 63.5 + dy, "Firma del titular / Holder's signature", Font(reg, 4.2), label_c
    )
    scribble(page, (6.0 + dx, 65.0 + dy, 28.0, 6.5), rng, (35, 35, 45), 0.3)
    lab, val = Font(reg, rng.uniform(4.3, 4.7)), Font(bold, rng.uniform(6.6, 7.2))
    for x, y, label, value in _fields(card, rng.choice(AUTHORITIES)):
        page.text(x + dx, y + dy, label, lab, label_c)
        room = (120.0 if x > 60 or y < 20 else 101.0) - x
        wide = text_width_mm(value, val)
        font = val if wide <= room else val.sized(val.size * room / wide)
        page.text(x + dx, y + dy + 3.2, value, font, ink)
    serial = f"{rng.randint(10**9, 10**10 - 1)}"
    page.text(120.0 + dx, 72.0, serial, Font(reg, 4.6), (150, 60, 60), align="r")
    draw_mrz(page, card.mrz_lines, rng, (74.0, (244, 246, 244)), (6.0, 79.6), 5.4, 113.0)
    img = render_pil(page, k)
    return img.filter(ImageFilter.GaussianBlur(0.04 * k))


FAMILY = IdFamily(
    name="passport_2021",
    kind="passport",
    blind=False,
    render_front=render_front,
    render_back=None,
    portrait_aspect=3 / 4,
    base_k=9.0,
    booklet=True,
    description="electronic passport (from 2021): laser-engraved polycarbonate data page, "
    "grey portrait and a second laser image, DD/MM/YYYY dates, ICAO sex",
)
