"""Proofs of address: CFE, Telmex, cable companies, SACMEX water, predial and Naturgy bills.

Each builder draws a letter-size :class:`~synth.draw.Page` and returns it with the issuer code
and the date the recency rule uses (the end of the billing period when the bill prints one,
else the issue date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable

from synth import dates_es as d
from synth.curp import unaccent
from synth.draw import Page, text_width_mm
from synth.fonts import Font, random_sans, random_serif
from synth.people import Domicilio

LETTER = (215.9, 279.4)
Color = tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class Bill:
    """A drawn bill and the truth a reader should extract from it."""

    page: Page
    emisor: str
    codigo_postal: str
    fecha: dt.date
    title: str


@dataclasses.dataclass
class _Ctx:
    page: Page
    reg: str
    bold: str
    rng: random.Random
    dx: float
    dy: float
    bottom: float = 0.0

    def t(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 8.0,
        bold: bool = False,
        color: Color = (25, 25, 25),
        align: str = "l",
    ) -> None:
        font = Font(self.bold if bold else self.reg, size)
        self.page.text(x + self.dx, y + self.dy, s, font, color, align)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        fill: Color | None = None,
        outline: Color | None = None,
    ) -> None:
        self.page.rect(x + self.dx, y + self.dy, w, h, fill=fill, outline=outline)

    def hline(self, x1: float, x2: float, y: float, color: Color = (120, 120, 120)) -> None:
        self.page.line(x1 + self.dx, y + self.dy, x2 + self.dx, y + self.dy, color, 0.25)


def _ctx(rng: random.Random, serif: bool = False) -> _Ctx:
    reg, bold = random_serif(rng) if serif else random_sans(rng)
    return _Ctx(Page(*LETTER), reg, bold, rng, rng.uniform(-3, 3), rng.uniform(-3, 3))


def _holder(
    c: _Ctx, x: float, y: float, name: str, dom: Domicilio, size: float = 8.5, accents: bool = True
) -> None:
    up = (lambda s: s.upper()) if accents else unaccent
    inner = f" INT {dom.numero_interior}" if dom.numero_interior else ""
    lines = [
        up(name),
        up(f"{dom.calle} {dom.numero_exterior}{inner}"),
        up(f"COL. {dom.colonia}"),
        up(f"C.P. {dom.codigo_postal} {dom.municipio}, CDMX"),
    ]
    for i, line in enumerate(lines):
        c.t(x, y + i * size * 0.45, line, size, bold=i == 0)


def _money(rng: random.Random, lo: float, hi: float) -> float:
    return round(rng.uniform(lo, hi), 2)


def _fmt(amount: float) -> str:
    return f"${amount:,.2f}"


def _barcode(c: _Ctx, x: float, y: float, w: float, h: float) -> None:
    pos = x
    while pos < x + w:
        width = c.rng.choice([0.3, 0.3, 0.6, 0.9])
        if c.rng.random() < 0.55:
            c.box(pos, y, width, h, fill=(20, 20, 20))
        pos += width


def _pairs(
    c: _Ctx, x: float, y: float, rows: list[tuple[str, str]], size: float, step: float
) -> float:
    """Bold labels and their values in a column just right of the widest label."""
    font = Font(c.bold, size)
    value_x = x + max(text_width_mm(label, font) for label, _v in rows) + 2.5
    for label, value in rows:
        c.t(x, y, label, size, bold=True)
        c.t(value_x, y, value, size)
        y += step
    return y


def _table(
    c: _Ctx, x: float, y: float, rows: list[tuple[str, str]], width: float, size: float = 7.5
) -> float:
    for label, value in rows:
        c.t(x, y, label, size)
        c.t(x + width, y, value, size, align="r")
        c.hline(x, x + width, y + 1.2, (200, 200, 200))
        y += size * 0.5
    return y


def cfe(person: str, dom: Domicilio, end: dt.date, rng: random.Random) -> Bill:
    """CFE electricity bill, bimonthly: PERIODO FACTURADO ends on the truth date."""
    c = _ctx(rng)
    start = end - dt.timedelta(days=rng.choice([59, 60, 61, 62]))
    due = end + dt.timedelta(days=rng.randint(12, 18))
    green = (0, 120 + rng.randint(-10, 10), 70)
    c.box(12, 10, 28, 14, fill=green)
    c.t(26, 20.5, "CFE", 16, bold=True, color=(255, 255, 255), align="m")
    c.t(44, 15, "Comisión Federal de Electricidad®", 11, bold=True, color=green)
    c.t(44, 20, "CFE SUMINISTRADOR DE SERVICIOS BÁSICOS", 7.5, color=(60, 60, 60))
    c.t(
        44,
        24,
        "RFC: CSS160330CP7  Av. Paseo de la Reforma 164, Col. Juárez, C.P. 06600",
        6.5,
        color=(90, 90, 90),
    )
    _holder(c, 14, 38, person, dom, accents=rng.random() < 0.5)
    total = _money(rng, 180, 2400)
    c.box(128, 32, 76, 30, outline=green)
    c.t(132, 39, "TOTAL A PAGAR:", 9, bold=True)
    c.t(200, 47, _fmt(total), 15, bold=True, align="r")
    c.t(
        132,
        53,
        f"({rng.choice(['CIENTO', 'MIL', 'DOSCIENTOS'])} PESOS {int(total * 100) % 100:02d}/100 M.N.)",
        6,
    )
    c.t(132, 59, f"LÍMITE DE PAGO: {d.short(due)}", 8.5, bold=True)
    service = f"{rng.randint(10**11, 10**12 - 1)}"
    rows = [
        ("NO. DE SERVICIO:", service),
        ("RMU:", f"{rng.randint(10**4, 10**5 - 1)} {rng.randint(10**5, 10**6 - 1)}XX-CFE"),
        ("CUENTA:", f"{rng.randint(10, 99)}DX{rng.randint(10, 99)}A{rng.randint(100000, 999999)}"),
        ("TARIFA:", rng.choice(["1", "01", "DAC"])),
        ("NO. MEDIDOR:", f"{rng.randint(100000, 999999)}"),
        ("MULTIPLICADOR:", "1"),
        ("PERIODO FACTURADO:", f"{d.short(start)} - {d.short(end)}"),
        ("CORTE A PARTIR:", d.short(due + dt.timedelta(days=1))),
    ]
    y = 70
    y = _pairs(c, 14, y, rows, 8, 4.6)
    kwh = rng.randint(120, 650)
    c.t(120, 72, "CONSUMO HISTÓRICO", 8, bold=True, color=green)
    for i in range(6):
        h = rng.uniform(8, 30)
        c.box(122 + i * 13, 106 - h, 8, h, fill=(120, 170, 140))
        c.t(126 + i * 13, 110, d.MES3[(end.month - 1 - 2 * (5 - i)) % 12], 6, align="m")
    c.t(14, 116, "DESGLOSE DEL IMPORTE A PAGAR", 8.5, bold=True, color=green)
    energy = round(total / 1.16, 2)
    y = _table(
        c,
        14,
        123,
        [
            ("Lectura actual", f"{rng.randint(10000, 99999)}"),
            ("Lectura anterior", f"{rng.randint(1000, 9999)}"),
            ("Total período kWh", f"{kwh}"),
            ("Básico", _fmt(energy * 0.4)),
            ("Intermedio", _fmt(energy * 0.35)),
            ("Excedente", _fmt(energy * 0.25)),
            ("Energía", _fmt(energy)),
            ("IVA 16%", _fmt(total - energy)),
            ("Total", _fmt(total)),
        ],
        90,
    )
    _footer(
        c,
        y + 10,
        [
            "Este documento es una representación impresa de un CFDI.",
            "Para cualquier aclaración comuníquese al 071 o en www.cfe.mx",
        ],
    )
    _stub(c, person, "NO. DE SERVICIO", service, total, f"LÍMITE DE PAGO: {d.short(due)}")
    return Bill(c.page, "CFE", dom.codigo_postal, end, "Aviso-recibo CFE")


def telmex(person: str, dom: Domicilio, issued: dt.date, rng: random.Random) -> Bill:
    """Telmex phone bill: FECHA DE EMISIÓN is the truth date."""
    c = _ctx(rng)
    blue = (0, 70 + rng.randint(-15, 15), 160)
    c.t(14, 22, "telmex", 24, bold=True, color=blue)
    c.t(80, 15, "TELÉFONOS DE MÉXICO, S.A.B. DE C.V.", 9, bold=True)
    c.t(80, 20, "Parque Vía 190, Col. Cuauhtémoc, C.P. 06500, Ciudad de México", 6.5)
    c.t(80, 24, "RFC: TME840315-KT6", 6.5)
    _holder(c, 14, 40, person, dom, accents=rng.random() < 0.5)
    due = issued + dt.timedelta(days=rng.randint(10, 20))
    phone = f"55 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    c.box(125, 32, 80, 42, fill=(232, 240, 250))
    rows = [
        ("TELÉFONO:", phone),
        ("FECHA DE EMISIÓN:", d.long(issued)),
        ("MES DE FACTURACIÓN:", f"{d.MESES[issued.month - 1]} {issued.year}"),
        ("PAGAR ANTES DE:", d.numeric(due)),
    ]
    y = 39
    for label, value in rows:
        c.t(128, y, label, 7, bold=True)
        c.t(128, y + 3.6, value, 8)
        y += 8.5
    total = _money(rng, 349, 999)
    c.t(14, 80, "TOTAL A PAGAR", 11, bold=True, color=blue)
    c.t(90, 80, _fmt(total), 14, bold=True, align="r")
    y = _table(
        c,
        14,
        92,
        [
            (
                "Paquete Infinitum " + rng.choice(["80 Mbps", "150 Mbps", "300 Mbps"]),
                _fmt(total * 0.8),
            ),
            ("Llamadas a celulares", _fmt(total * 0.05)),
            ("Servicios adicionales", _fmt(total * 0.01)),
            ("IVA", _fmt(total * 0.14)),
            ("Total", _fmt(total)),
        ],
        120,
    )
    _footer(
        c,
        y + 10,
        [
            "Atención a clientes 800 123 2222  www.telmex.com",
            "Conserve este comprobante. Los pagos se reflejan en 48 horas.",
        ],
    )
    _stub(c, person, "TELÉFONO", phone, total, f"PAGAR ANTES DE: {d.numeric(due)}")
    return Bill(c.page, "TELMEX", dom.codigo_postal, issued, "Estado de cuenta Telmex")


def cable(person: str, dom: Domicilio, end: dt.date, rng: random.Random) -> Bill:
    """A cable/fibre company bill (Totalplay, izzi or Megacable): the service period's end."""
    c = _ctx(rng)
    name, color = rng.choice(
        [("TOTALPLAY", (0, 150, 70)), ("IZZI", (0, 140, 190)), ("MEGACABLE", (0, 60, 150))]
    )
    legal = {
        "TOTALPLAY": "TOTAL PLAY TELECOMUNICACIONES, S.A.P.I. DE C.V.",
        "IZZI": "CABLEMÁS TELECOMUNICACIONES, S.A. DE C.V. (izzi)",
        "MEGACABLE": "MEGA CABLE, S.A. DE C.V.",
    }[name]
    c.t(14, 22, name.lower() if name == "IZZI" else name.title(), 22, bold=True, color=color)
    c.t(110, 15, legal, 7.5, bold=True)
    c.t(110, 20, "ESTADO DE CUENTA", 9, bold=True, color=color)
    start = end - dt.timedelta(days=rng.choice([29, 30]))
    issued = end + dt.timedelta(days=rng.randint(1, 3))
    due = issued + dt.timedelta(days=rng.randint(8, 15))
    _holder(c, 14, 40, person, dom, accents=rng.random() < 0.5)
    rows = [
        ("No. de cuenta:", f"{rng.randint(10**7, 10**8 - 1)}"),
        ("Periodo de servicio:", f"{d.numeric(start)} al {d.numeric(end)}"),
        ("Fecha de emisión:", d.numeric(issued)),
        ("Fecha límite de pago:", d.numeric(due)),
    ]
    y = 38
    y = _pairs(c, 120, y, rows, 7.5, 5)
    total = _money(rng, 389, 1299)
    c.box(14, 66, 190, 12, fill=color)
    c.t(18, 74, "TOTAL A PAGAR", 10, bold=True, color=(255, 255, 255))
    c.t(200, 74, _fmt(total), 12, bold=True, color=(255, 255, 255), align="r")
    y = _table(
        c,
        14,
        88,
        [
            ("Renta mensual", _fmt(total * 0.86)),
            ("IVA", _fmt(total * 0.14)),
            ("Total del periodo", _fmt(total)),
        ],
        120,
    )
    _footer(
        c,
        y + 10,
        [
            "Paga en línea, en tiendas de conveniencia o en bancos.",
            "Servicio sujeto a los términos del contrato de adhesión registrado ante PROFECO.",
        ],
    )
    _stub(c, person, "No. de cuenta", rows[0][1], total, f"Fecha límite de pago: {d.numeric(due)}")
    return Bill(c.page, name, dom.codigo_postal, end, f"Estado de cuenta {name.title()}")


def sacmex(person: str, dom: Domicilio, end: dt.date, rng: random.Random) -> Bill:
    """SACMEX water boleta: the bimestre (e.g. SEP-OCT 2026) ends on the truth date."""
    c = _ctx(rng, serif=rng.random() < 0.4)
    blue = (20, 90, 150)
    c.t(14, 16, "SISTEMA DE AGUAS DE LA CIUDAD DE MÉXICO", 11, bold=True, color=blue)
    c.t(14, 21, "GOBIERNO DE LA CIUDAD DE MÉXICO · SECRETARÍA DE ADMINISTRACIÓN Y FINANZAS", 6.5)
    c.t(14, 27, "BOLETA DE DERECHOS POR EL SUMINISTRO DE AGUA", 9, bold=True)
    _holder(c, 14, 40, person, dom, accents=rng.random() < 0.5)
    bim = (end.month + 1) // 2
    due = end + dt.timedelta(days=rng.randint(20, 30))
    rows = [
        (
            "CUENTA:",
            f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(0, 9)}",
        ),
        ("BIMESTRE:", f"{bim}/{end.year}  ({d.bimester(end)})"),
        ("FECHA LÍMITE DE PAGO:", d.numeric(due)),
        ("TIPO DE USO:", "DOMÉSTICO"),
        ("CONSUMO (m³):", f"{rng.randint(8, 60)}"),
    ]
    y = 40
    y = _pairs(c, 115, y, rows, 7.5, 5)
    total = _money(rng, 90, 900)
    c.box(14, 72, 190, 11, outline=blue)
    c.t(18, 79.5, "IMPORTE A PAGAR", 10, bold=True, color=blue)
    c.t(200, 79.5, _fmt(total), 12, bold=True, align="r")
    _table(
        c,
        14,
        92,
        [
            ("Derechos por suministro", _fmt(total * 0.9)),
            ("Drenaje", _fmt(total * 0.1)),
            ("Total", _fmt(total)),
        ],
        120,
    )
    _stub(c, person, "CUENTA", rows[0][1], total, f"FECHA LÍMITE DE PAGO: {d.numeric(due)}")
    return Bill(c.page, "SACMEX", dom.codigo_postal, end, "Boleta SACMEX")


def predial(person: str, dom: Domicilio, end: dt.date, rng: random.Random) -> Bill:
    """Predial (property tax) boleta of the Tesorería CDMX: the bimestre's end."""
    c = _ctx(rng, serif=rng.random() < 0.5)
    wine = (120, 30, 60)
    c.t(14, 16, "GOBIERNO DE LA CIUDAD DE MÉXICO", 10, bold=True, color=wine)
    c.t(14, 21, "SECRETARÍA DE ADMINISTRACIÓN Y FINANZAS · TESORERÍA", 7.5)
    c.t(14, 28, "BOLETA DEL IMPUESTO PREDIAL", 11, bold=True)
    c.t(14, 38, "PROPIETARIO O POSEEDOR:", 7, bold=True, color=(90, 90, 90))
    _holder(c, 14, 43, person, dom, accents=rng.random() < 0.5)
    due = end - dt.timedelta(days=rng.randint(5, 25))
    rows = [
        (
            "CUENTA PREDIAL:",
            f"{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(0, 9)}",
        ),
        ("PERIODO:", f"BIMESTRE {(end.month + 1) // 2} ({d.bimester(end)})"),
        ("FECHA LÍMITE DE PAGO:", d.long(due)),
        ("VALOR CATASTRAL:", _fmt(_money(rng, 400000, 4000000))),
    ]
    y = 42
    y = _pairs(c, 112, y, rows, 7.5, 5)
    total = _money(rng, 150, 3000)
    c.box(14, 76, 190, 11, fill=(245, 235, 238))
    c.t(18, 83.5, "TOTAL A PAGAR", 10, bold=True, color=wine)
    c.t(200, 83.5, _fmt(total), 12, bold=True, align="r")
    _footer(
        c,
        100,
        [
            "Línea de captura válida hasta la fecha límite de pago.",
            "Puede pagar en bancos, tiendas de autoservicio o en finanzas.cdmx.gob.mx",
        ],
    )
    _stub(c, person, "CUENTA PREDIAL", rows[0][1], total, f"FECHA LÍMITE DE PAGO: {d.long(due)}")
    return Bill(c.page, "PREDIAL", dom.codigo_postal, end, "Boleta predial")


def naturgy(person: str, dom: Domicilio, end: dt.date, rng: random.Random) -> Bill:
    """Naturgy natural gas bill: PERIODO DE CONSUMO ends on the truth date."""
    c = _ctx(rng)
    orange = (230, 110, 20)
    c.t(14, 22, "naturgy", 22, bold=True, color=(0, 80, 120))
    c.t(110, 15, "NATURGY MÉXICO, S.A. DE C.V.", 8, bold=True)
    c.t(110, 20, "FACTURA DE GAS NATURAL", 8, color=orange)
    start = end - dt.timedelta(days=rng.choice([59, 60, 61]))
    issued = end + dt.timedelta(days=rng.randint(2, 6))
    due = issued + dt.timedelta(days=rng.randint(10, 18))
    _holder(c, 14, 40, person, dom, accents=rng.random() < 0.5)
    rows = [
        ("No. de contrato:", f"{rng.randint(10**8, 10**9 - 1)}"),
        ("Periodo de consumo:", f"{d.numeric(start)} AL {d.numeric(end)}"),
        ("Fecha de emisión:", d.numeric(issued)),
        ("Fecha límite de pago:", d.numeric(due)),
    ]
    y = 38
    y = _pairs(c, 112, y, rows, 7.5, 5)
    total = _money(rng, 150, 900)
    c.box(14, 66, 190, 12, fill=orange)
    c.t(18, 74, "TOTAL A PAGAR", 10, bold=True, color=(255, 255, 255))
    c.t(200, 74, _fmt(total), 12, bold=True, color=(255, 255, 255), align="r")
    _table(
        c,
        14,
        88,
        [
            ("Consumo m³", f"{rng.randint(10, 80)}"),
            ("Cargo por consumo", _fmt(total * 0.8)),
            ("IVA", _fmt(total * 0.14)),
            ("Total", _fmt(total)),
        ],
        120,
    )
    _stub(
        c, person, "No. de contrato", rows[0][1], total, f"Fecha límite de pago: {d.numeric(due)}"
    )
    return Bill(c.page, "NATURGY", dom.codigo_postal, end, "Factura Naturgy")


NOTICES = [
    "Evite la suspensión del servicio: pague antes de la fecha límite.",
    "Conserve este documento; es válido como comprobante de domicilio.",
    "Puede consultar y pagar su recibo en línea, en bancos y tiendas de conveniencia.",
    "Si su pago ya fue realizado, haga caso omiso de este aviso.",
    "Los datos personales se tratan conforme al aviso de privacidad disponible en nuestro sitio.",
    "Domicilie su pago y reciba su recibo digital por correo electrónico.",
    "Para aclaraciones presente este documento en cualquier centro de atención.",
    "Este documento no es válido si presenta alteraciones o enmendaduras.",
]


def _stub(c: _Ctx, person: str, ref_label: str, ref: str, total: float, due: str) -> None:
    """Notices, a cut line and the payment stub (talón) at the foot of the page."""
    y = max(178 + c.rng.uniform(-8, 8), c.bottom + 8)
    c.t(14, y, "AVISOS IMPORTANTES", 7.5, bold=True)
    for i, notice in enumerate(c.rng.sample(NOTICES, 4)):
        c.t(14, y + 4.5 + i * 3.6, notice, 6.8, color=(70, 70, 70))
    x = 14.0
    while x < 202:
        c.hline(x, x + 2.0, 226, (140, 140, 140))
        x += 3.5
    c.t(14, 224, "TALÓN DE PAGO", 6, color=(120, 120, 120))
    c.t(14, 234, person.upper(), 8, bold=True)
    c.t(14, 239, f"{ref_label}: {ref}", 7.5)
    c.t(14, 244, due, 7.5, bold=True)
    c.t(200, 236, "TOTAL A PAGAR", 7.5, bold=True, align="r")
    c.t(200, 243, _fmt(total), 12, bold=True, align="r")
    _barcode(c, 14, 250, 110, 13)
    digits = "".join(str(c.rng.randint(0, 9)) for _ in range(30))
    c.t(14, 268, " ".join(digits[i : i + 5] for i in range(0, 30, 5)), 7)


def _footer(c: _Ctx, y: float, lines: list[str]) -> None:
    for i, line in enumerate(lines):
        c.t(14, y + i * 3.6, line, 6.5, color=(100, 100, 100))
    c.bottom = max(c.bottom, y + len(lines) * 3.6)


#: issuer kind -> (builder, whether its truth date is a month end, weight)
BUILDERS: dict[str, tuple[Callable[[str, Domicilio, dt.date, random.Random], Bill], bool, int]] = {
    "cfe": (cfe, False, 5),
    "telmex": (telmex, False, 3),
    "cable": (cable, False, 2),
    "sacmex": (sacmex, True, 2),
    "predial": (predial, True, 1),
    "naturgy": (naturgy, False, 1),
}


def truth_date(
    rng: random.Random, submitted: dt.date, lo_days: int, hi_days: int, month_end: bool
) -> dt.date | None:
    """A date ``lo_days``..``hi_days`` before ``submitted``; with ``month_end``, the end of an
    even month (a bimestre) in that window, or None when there is none."""
    if not month_end:
        return submitted - dt.timedelta(days=rng.randint(lo_days, hi_days))
    ends = []
    day = submitted - dt.timedelta(days=lo_days)
    while (submitted - day).days <= hi_days:
        end = d.month_end(day.year, day.month)
        if lo_days <= (submitted - end).days <= hi_days and end.month % 2 == 0:
            ends.append(end)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return rng.choice(ends) if ends else None


def make_bill(
    person: str, dom: Domicilio, submitted: dt.date, rng: random.Random, stale: bool = False
) -> Bill:
    """A bill of a random issuer, recent (3-60 days) or ``stale`` (5-14 months)."""
    kinds = list(BUILDERS)
    lo, hi = (152, 425) if stale else (3, 60)
    while True:
        kind = rng.choices(kinds, weights=[BUILDERS[k][2] for k in kinds])[0]
        builder, month_end, _w = BUILDERS[kind]
        fecha = truth_date(rng, submitted, lo, hi, month_end)
        if fecha is not None:
            return builder(person, dom, fecha, rng)
