"""Photo IDs: the INE voter card (front and back, TD1 MRZ) and the passport data page (TD3)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import numpy as np
from PIL import Image, ImageDraw

from synth import mrz
from synth.curp import STATES, plain, unaccent
from synth.draw import Page, render_pil, text_width_mm
from synth.fonts import Font, mrz_font_path, random_sans
from synth.people import Person

INE_MM = (85.6, 54.0)
PASSPORT_MM = (125.0, 88.0)
STATE_NUMBER = {code: f"{i + 1:02d}" for i, code in enumerate(c for c in STATES if c != "NE")}
MONTHS_BI = [
    "ENE/JAN",
    "FEB/FEB",
    "MAR/MAR",
    "ABR/APR",
    "MAY/MAY",
    "JUN/JUN",
    "JUL/JUL",
    "AGO/AUG",
    "SEP/SEP",
    "OCT/OCT",
    "NOV/NOV",
    "DIC/DEC",
]


@dataclasses.dataclass
class IdCard:
    """What an ID prints: the front's fields and the MRZ lines (which may be made inconsistent)."""

    kind: str  # "ine" or "passport"
    primer_apellido: str
    segundo_apellido: str
    nombres: str
    birth: dt.date
    sexo: str
    curp: str
    state: str
    expiry: dt.date
    number: str  # INE CIC or passport number
    issued: dt.date
    clave_elector: str | None = None
    seccion: str = ""
    registro: str = ""
    vigencia: str = ""
    address_lines: tuple[str, ...] = ()
    ocr_number: str = ""
    mrz_lines: list[str] = dataclasses.field(default_factory=list)
    # INE 2014 models (E/F) print these as separate boxes; 2019 models (G/H) do not.
    estado: str = ""  # two-digit number of the state of residence (09 = Ciudad de México)
    municipio: str = ""  # three-digit municipality number
    localidad: str = ""  # four-digit locality number
    emision: str = ""  # year of issue, four digits
    domicilio_visible: bool = True  # since 2014 the voter may hide the street address


def _consonant_pair(word: str) -> str:
    letters = plain(word).replace(" ", "").replace("Ñ", "X") or "X"
    nxt = next((c for c in letters[1:] if c not in "AEIOU"), "X")
    return letters[0] + nxt


def clave_elector(p: Person, rng: random.Random) -> str:
    """The 18-character clave de elector (6 letters, YYMMDD, state number, H/M, 3 characters)."""
    letters = _consonant_pair(p.primer_apellido) + _consonant_pair(p.segundo_apellido or "X")
    letters += _consonant_pair(p.nombre)
    state = STATE_NUMBER.get(p.state, "87")
    return letters + p.birth.strftime("%y%m%d") + state + p.sexo + f"{rng.randint(100, 999)}"


def ine_card(p: Person, rng: random.Random, today: dt.date, expired: bool = False) -> IdCard:
    """An INE card for ``p``, valid at ``today`` unless ``expired`` (then ``p`` must be 29+)."""
    adult = p.birth.year + 18
    if expired:
        end = rng.randint(max(adult + 10, today.year - 6), today.year - 1)
    else:
        end = rng.randint(max(adult + 10, today.year + 1), today.year + 10)
    start = end - 10
    registro_year = rng.randint(min(adult, start), start)
    d = p.domicilio
    inner = f" INT {unaccent(d.numero_interior)}" if d.numero_interior else ""
    lines = (
        f"C {unaccent(d.calle)} {d.numero_exterior}{inner}",
        f"COL {unaccent(d.colonia)} {d.codigo_postal}",
        f"{unaccent(d.municipio)}, CDMX.",
    )
    card = IdCard(
        kind="ine",
        primer_apellido=plain(p.primer_apellido),
        segundo_apellido=plain(p.segundo_apellido),
        nombres=plain(p.nombre),
        birth=p.birth,
        sexo=p.sexo,
        curp=p.curp,
        state=p.state,
        expiry=dt.date(end, 12, 31),
        number=f"{rng.randint(10**8, 10**9 - 1)}",
        issued=dt.date(start, rng.randint(1, 12), rng.randint(1, 28)),
        clave_elector=clave_elector(p, rng),
        seccion=f"{rng.randint(1, 5999):04d}",
        registro=f"{registro_year} {rng.randint(0, 3):02d}",
        vigencia=f"{start} - {end}",
        address_lines=lines,
        estado="09",
        municipio=f"{rng.randint(2, 17):03d}",
        localidad=f"{rng.randint(1, 999):04d}",
        emision=str(start),
        domicilio_visible=rng.random() < 0.8,
    )
    card.ocr_number = card.seccion + f"{rng.randint(10**8, 10**9 - 1)}"
    card.mrz_lines = mrz.td1_ine(
        card.number,
        card.ocr_number,
        card.birth,
        card.sexo,
        card.expiry,
        card.primer_apellido,
        card.segundo_apellido,
        card.nombres,
    )
    return card


def passport(p: Person, rng: random.Random, today: dt.date, expired: bool = False) -> IdCard:
    """A Mexican passport for ``p``, valid at ``today`` unless ``expired``."""
    years = rng.choice([3, 6, 10, 10])
    if expired:
        expiry = today - dt.timedelta(days=rng.randint(30, 900))
    else:
        expiry = today + dt.timedelta(days=rng.randint(120, 365 * years - 30))
    issued = dt.date(expiry.year - years, expiry.month, min(expiry.day, 28))
    number = rng.choice("GNEP") + f"{rng.randint(10**7, 10**8 - 1)}"
    card = IdCard(
        kind="passport",
        primer_apellido=p.primer_apellido.upper(),
        segundo_apellido=p.segundo_apellido.upper(),
        nombres=p.nombre.upper(),
        birth=p.birth,
        sexo=p.sexo,
        curp=p.curp,
        state=p.state,
        expiry=expiry,
        number=number,
        issued=issued,
    )
    # real Mexican passports leave the MRZ's personal-number field empty (14 fillers, check
    # digit 0) even when the page prints the CURP (docs/families.md, passport facts)
    card.mrz_lines = mrz.td3_passport(number, p.birth, p.sexo, expiry, p.apellidos, p.nombre, "")
    return card


def _background(
    rng: random.Random,
    size_mm: tuple[float, float],
    k: float,
    base: tuple[int, int, int],
    ink: tuple[int, int, int],
) -> Image.Image:
    w, h = round(size_mm[0] * k), round(size_mm[1] * k)
    from synth.textures import guilloche

    return guilloche(np.random.default_rng(rng.getrandbits(32)), w, h, base, ink)


def _jitter(rng: random.Random, amount: float = 0.7) -> float:
    return rng.uniform(-amount, amount)


def render_ine_front(
    card: IdCard, portrait: Image.Image, rng: random.Random, k: float = 12.0
) -> Image.Image:
    """The front of an INE card as an image (``k`` pixels per mm)."""
    reg, bold = random_sans(rng)
    page = Page(*INE_MM)
    base = (rng.randint(238, 248), rng.randint(222, 234), rng.randint(214, 226))
    page.image(0, 0, *INE_MM, _background(rng, INE_MM, k, base, (214, 160, 170)))
    label_c = (rng.randint(120, 160), rng.randint(60, 90), rng.randint(80, 110))
    ink = (rng.randint(10, 40),) * 3
    dx, dy = _jitter(rng), _jitter(rng)
    page.rect(3.5, 3.0, 8, 6, fill=(0, 104, 71))
    page.rect(3.5 + 8 / 3, 3.0, 8 / 3, 6, fill=(235, 235, 230))
    page.rect(3.5 + 16 / 3, 3.0, 8 / 3, 6, fill=(200, 16, 46))
    page.text(3.5, 12.0, "MÉXICO", Font(bold, 6.0), (60, 40, 40))
    page.text(16 + dx, 6.2, "INSTITUTO NACIONAL ELECTORAL", Font(bold, 8.2), (90, 30, 60))
    page.text(16 + dx, 10.0, "CREDENCIAL PARA VOTAR", Font(reg, 6.6), (60, 40, 40))
    page.image(3.5, 14.5 + dy / 2, 23.0, 30.0, portrait)
    x0 = 29.5 + dx
    lab, val = Font(reg, rng.uniform(4.2, 4.6)), Font(bold, rng.uniform(5.6, 6.1))
    step = 2.65
    y = 15.8 + dy
    page.text(x0, y, "NOMBRE", lab, label_c)
    names = [card.primer_apellido, card.segundo_apellido, card.nombres]
    for i, line in enumerate(names):
        page.text(x0, y + step * (i + 1), line, val, ink)
    page.text(70 + dx, y, "SEXO", lab, label_c)
    page.text(76.5 + dx, y, card.sexo, val, ink)
    y += 4 * step + 0.6
    if card.domicilio_visible:  # the voter may have it hidden: the space then stays blank
        page.text(x0, y, "DOMICILIO", lab, label_c)
        for i, line in enumerate(card.address_lines):
            page.text(x0, y + step * (i + 1), line, val.sized(val.size - 0.3), ink)
    y += 4 * step + 0.8
    rows = [
        ("CLAVE DE ELECTOR", card.clave_elector or ""),
        ("CURP", card.curp),
        ("AÑO DE REGISTRO", card.registro),
    ]
    for label, value in rows:
        page.text(x0, y, label, lab, label_c)
        page.text(x0 + text_width_mm(label, lab) + 1.2, y, value, val, ink)
        y += step + 0.2
    y += 0.6
    bottom = [
        ("FECHA DE NACIMIENTO", card.birth.strftime("%d/%m/%Y")),
        ("SECCIÓN", card.seccion),
        ("VIGENCIA", card.vigencia),
    ]
    x = x0
    for label, value in bottom:
        page.text(x, y, label, lab, label_c)
        page.text(x, y + step, value, val, ink)
        x += max(text_width_mm(label, lab), text_width_mm(value, val)) + 3.0
    return render_pil(page, k)


def _qr_block(rng: random.Random, cells: int = 29) -> Image.Image:
    grid = np.random.default_rng(rng.getrandbits(32)).random((cells, cells)) < 0.5
    for r, c in ((0, 0), (0, cells - 7), (cells - 7, 0)):
        grid[r : r + 7, c : c + 7] = True
        grid[r + 1 : r + 6, c + 1 : c + 6] = False
        grid[r + 2 : r + 5, c + 2 : c + 5] = True
    img = Image.fromarray(np.where(grid, 20, 250).astype(np.uint8)).convert("RGB")
    return img.resize((cells * 8, cells * 8), Image.NEAREST)


def _mrz_font(chars: int, width_mm: float) -> Font:
    probe = Font(mrz_font_path(), 10.0)
    return probe.sized(10.0 * width_mm / text_width_mm("<" * chars, probe))


def render_ine_back(card: IdCard, rng: random.Random, k: float = 12.0) -> Image.Image:
    """The back of an INE card: QR codes, legends and the 3-line MRZ."""
    reg, bold = random_sans(rng)
    page = Page(*INE_MM)
    base = (rng.randint(240, 250), rng.randint(230, 240), rng.randint(224, 234))
    page.image(0, 0, *INE_MM, _background(rng, INE_MM, k, base, (220, 180, 185)))
    dx = _jitter(rng, 0.8)
    page.image(4 + dx, 4, 19, 19, _qr_block(rng))
    page.image(25 + dx, 4, 13, 13, _qr_block(rng, 25))
    small = Font(reg, 4.0)
    legends = [
        "ESTE DOCUMENTO ES INTRANSFERIBLE. NO ES VÁLIDO SI PRESENTA",
        "TACHADURAS O ENMENDADURAS. EL TITULAR ESTÁ OBLIGADO A NOTIFICAR",
        "EL CAMBIO DE DOMICILIO EN LOS 30 DÍAS SIGUIENTES A QUE ÉSTE OCURRA.",
    ]
    for i, text in enumerate(legends):
        page.text(40 + dx, 6 + 2.2 * i, text, small.sized(3.2), (70, 60, 60))
    page.rect(62 + dx, 14, 19, 17, fill=(235, 225, 222), outline=(160, 140, 140), width=0.2)
    page.text(71.5 + dx, 33.5, "HUELLA", small, (90, 80, 80), align="m")
    page.line(40 + dx, 28, 58 + dx, 28, (60, 60, 60), 0.2)
    page.text(49 + dx, 30.5, "FIRMA", small, (90, 80, 80), align="m")
    page.text(4 + dx, 27, "SECRETARIO EJECUTIVO DEL", small, (70, 60, 60))
    page.text(4 + dx, 29, "INSTITUTO NACIONAL ELECTORAL", Font(bold, 4.0), (70, 60, 60))
    page.rect(0, 36.5, INE_MM[0], INE_MM[1] - 36.5, fill=(250, 248, 246))
    font = _mrz_font(30, 77.0)
    for i, line in enumerate(card.mrz_lines):
        page.text(4.3 + _jitter(rng, 0.3), 41.5 + 4.6 * i, line, font, (25, 25, 30))
    return render_pil(page, k)


def _passport_date(day: dt.date, style: str) -> str:
    if style == "numeric":
        return day.strftime("%d %m %Y")
    return f"{day.day:02d} {MONTHS_BI[day.month - 1]} {day.year}"


def render_passport(
    card: IdCard, portrait: Image.Image, rng: random.Random, k: float = 10.0
) -> Image.Image:
    """The data page of a Mexican passport with its TD3 MRZ."""
    reg, bold = random_sans(rng)
    page = Page(*PASSPORT_MM)
    base = (rng.randint(228, 240), rng.randint(236, 246), rng.randint(230, 242))
    page.image(0, 0, *PASSPORT_MM, _background(rng, PASSPORT_MM, k, base, (150, 190, 185)))
    dx, dy = _jitter(rng), _jitter(rng)
    header = (40, 70, 80)
    page.text(62.5 + dx, 7.5, "ESTADOS UNIDOS MEXICANOS", Font(bold, 10.5), header, align="m")
    page.text(62.5 + dx, 12.5, "PASAPORTE / PASSPORT", Font(reg, 7.5), header, align="m")
    page.image(5, 17 + dy, 31, 40, portrait)
    style = rng.choice(["numeric", "months"])
    lab, val = Font(reg, 5.0), Font(bold, rng.uniform(7.4, 8.2))
    label_c, ink = (80, 90, 100), (20, 20, 25)
    fields = [
        (41, 19, "Tipo / Type", "P"),
        (56, 19, "Clave del país / Country code", "MEX"),
        (92, 19, "Pasaporte No. / Passport No.", card.number),
        (41, 26, "Apellidos / Surname", f"{card.primer_apellido} {card.segundo_apellido}".strip()),
        (41, 33, "Nombres / Given names", card.nombres),
        (41, 40, "Nacionalidad / Nationality", "MEXICANA"),
        (80, 40, "Fecha de nacimiento / Date of birth", _passport_date(card.birth, style)),
        (41, 47, "CURP", card.curp),
        (96, 47, "Sexo / Sex", {"H": "M", "M": "F"}[card.sexo]),
        (41, 54, "Lugar de nacimiento / Place of birth", STATES[card.state]),
        (41, 61, "Fecha de expedición / Date of issue", _passport_date(card.issued, style)),
        (80, 61, "Fecha de caducidad / Date of expiry", _passport_date(card.expiry, style)),
        (41, 68, "Autoridad / Authority", "SRE CIUDAD DE MÉXICO"),
    ]
    for x, y, label, value in fields:
        page.text(x + dx, y + dy, label, lab, label_c)
        page.text(x + dx, y + dy + 3.4, value, val, ink)
    font = _mrz_font(44, 114.0)
    page.rect(0, 75.0, PASSPORT_MM[0], PASSPORT_MM[1] - 75.0, fill=(246, 248, 246))
    for i, line in enumerate(card.mrz_lines):
        page.text(5.5 + _jitter(rng, 0.3), 80.3 + 5.2 * i, line, font, (20, 20, 25))
    img = render_pil(page, k)
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, img.size[0] - 1, img.size[1] - 1], outline=(200, 205, 200), width=2)
    return img


def passport_booklet(page: Image.Image, rng: random.Random) -> Image.Image:
    """The open booklet: the facing (observations) page above the data page, inside the cover."""
    w, h = page.size
    border, gutter = round(w * 0.025), round(h * 0.02)
    cover = (rng.randint(20, 35), rng.randint(50, 70), rng.randint(35, 50))
    out = Image.new("RGB", (w + 2 * border, 2 * h + 2 * border + gutter), cover)
    k = w / PASSPORT_MM[0]
    top = Page(*PASSPORT_MM)
    base = (rng.randint(232, 244), rng.randint(236, 246), rng.randint(228, 240))
    top.image(0, 0, *PASSPORT_MM, _background(rng, PASSPORT_MM, k, base, (190, 170, 190)))
    reg, bold = random_sans(rng)
    top.text(62.5, 20, "OBSERVACIONES / OBSERVATIONS", Font(bold, 8), (90, 90, 100), align="m")
    for i in range(4):
        top.line(15, 34 + 10 * i, 110, 34 + 10 * i, (190, 190, 200), 0.2)
    top.text(62.5, 83, f"{rng.randint(2, 3)}", Font(reg, 7), (120, 120, 130), align="m")
    out.paste(render_pil(top, k).resize((w, h)), (border, border))
    out.paste(page, (border, border + h + gutter))
    seam = np.asarray(out, np.float32).copy()
    y0 = border + h + gutter // 2
    span = round(h * 0.06)
    ramp = 1 - 0.35 * np.exp(-(((np.arange(seam.shape[0]) - y0) / span) ** 2))
    seam[:, border : border + w] *= ramp[:, None, None]
    return Image.fromarray(seam.clip(0, 255).astype(np.uint8))
