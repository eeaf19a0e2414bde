"""Synthetic Mexican identities: names, birth data, CURP, CDMX addresses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from synth.curp import STATES, build_curp

MALE_NAMES = """JOSÉ LUIS|JUAN CARLOS|MIGUEL ÁNGEL|JESÚS|ALEJANDRO|FRANCISCO JAVIER|RAÚL|HÉCTOR|
ROBERTO|FERNANDO|RICARDO|EDUARDO|JORGE|ARTURO|SERGIO|ÓSCAR|RAMÓN|JOSÉ ANTONIO|MARTÍN|
DANIEL|GERARDO|ÁNGEL|CÉSAR|JULIO CÉSAR|ANDRÉS|RODRIGO|EMILIANO|SANTIAGO|IÑAKI|RENÉ|
JOAQUÍN|ADRIÁN|VÍCTOR MANUEL|LUIS ENRIQUE|TOMÁS|SALVADOR|ERNESTO|GUILLERMO|ISMAEL|NOÉ""".replace(
    "\n", ""
).split("|")
FEMALE_NAMES = """MARÍA GUADALUPE|MARÍA FERNANDA|GUADALUPE|ANA MARÍA|VERÓNICA|MÓNICA|PATRICIA|
SOFÍA|XIMENA|VALERIA|ROCÍO|LETICIA|MARÍA JOSÉ|ALEJANDRA|ADRIANA|BEATRIZ|CLAUDIA|DIANA|
ELENA|GABRIELA|ITZEL|JIMENA|KARLA|LUCÍA|MARTHA|NOEMÍ|PAOLA|REBECA|SUSANA|TERESA|
YOLANDA|ZOILA|BÁRBARA|INÉS|MARIBEL|ESTEFANÍA|FÁTIMA|IRMA|NORMA|CONCEPCIÓN""".replace(
    "\n", ""
).split("|")
SURNAMES = """GARCÍA|HERNÁNDEZ|MARTÍNEZ|LÓPEZ|GONZÁLEZ|PÉREZ|RODRÍGUEZ|SÁNCHEZ|RAMÍREZ|CRUZ|
FLORES|GÓMEZ|MUÑOZ|NÚÑEZ|IBÁÑEZ|PEÑA|ORDÓÑEZ|DE LA CRUZ|DEL VALLE|DE LA TORRE|DE LOS SANTOS|
MONTAÑO|CASTAÑEDA|VÁZQUEZ|JIMÉNEZ|REYES|MORALES|ORTIZ|GUTIÉRREZ|CHÁVEZ|RAMOS|RUIZ|MENDOZA|
AGUILAR|CASTILLO|ROMERO|ÁLVAREZ|TORRES|DÍAZ|VARGAS|SALAZAR|ESPINOZA|ROJAS|ZÚÑIGA|MÉNDEZ|
CERVANTES|OCHOA|ESCOBEDO|VILLASEÑOR|BRISEÑO|QUIÑONES|YÁÑEZ|ACUÑA|SOLÍS|BECERRA|CAMPOS|
VEGA|LUNA|ARELLANO|DE LEÓN|SAN JUAN|TREVIÑO|OLVERA|GALINDO|XOLALPA|TLATELPA|HUERTA""".replace(
    "\n", ""
).split("|")

#: (colonia, código postal, alcaldía) triples of Mexico City.
COLONIAS = [
    ("ROMA NORTE", "06700", "CUAUHTÉMOC"),
    ("CONDESA", "06140", "CUAUHTÉMOC"),
    ("JUÁREZ", "06600", "CUAUHTÉMOC"),
    ("CENTRO", "06000", "CUAUHTÉMOC"),
    ("DOCTORES", "06720", "CUAUHTÉMOC"),
    ("SANTA MARÍA LA RIBERA", "06400", "CUAUHTÉMOC"),
    ("GUERRERO", "06300", "CUAUHTÉMOC"),
    ("HIPÓDROMO", "06100", "CUAUHTÉMOC"),
    ("ROMA SUR", "06760", "CUAUHTÉMOC"),
    ("OBRERA", "06800", "CUAUHTÉMOC"),
    ("DEL VALLE CENTRO", "03100", "BENITO JUÁREZ"),
    ("NARVARTE PONIENTE", "03020", "BENITO JUÁREZ"),
    ("PORTALES NORTE", "03300", "BENITO JUÁREZ"),
    ("NÁPOLES", "03810", "BENITO JUÁREZ"),
    ("ÁLAMOS", "03400", "BENITO JUÁREZ"),
    ("MIXCOAC", "03910", "BENITO JUÁREZ"),
    ("SANTA CRUZ ATOYAC", "03310", "BENITO JUÁREZ"),
    ("DEL CARMEN", "04100", "COYOACÁN"),
    ("SANTA CATARINA", "04010", "COYOACÁN"),
    ("CIUDAD JARDÍN", "04370", "COYOACÁN"),
    ("PEDREGAL DE SANTO DOMINGO", "04369", "COYOACÁN"),
    ("COUNTRY CLUB", "04220", "COYOACÁN"),
    ("POLANCO V SECCIÓN", "11560", "MIGUEL HIDALGO"),
    ("ANZURES", "11590", "MIGUEL HIDALGO"),
    ("TACUBAYA", "11870", "MIGUEL HIDALGO"),
    ("ESCANDÓN I SECCIÓN", "11800", "MIGUEL HIDALGO"),
    ("GRANADA", "11520", "MIGUEL HIDALGO"),
    ("ANÁHUAC I SECCIÓN", "11320", "MIGUEL HIDALGO"),
    ("SAN LORENZO TEZONCO", "09900", "IZTAPALAPA"),
    ("SANTA CRUZ MEYEHUALCO", "09290", "IZTAPALAPA"),
    ("CONSTITUCIÓN DE 1917", "09260", "IZTAPALAPA"),
    ("LOS REYES CULHUACÁN", "09840", "IZTAPALAPA"),
    ("LINDAVISTA NORTE", "07300", "GUSTAVO A. MADERO"),
    ("INDUSTRIAL", "07800", "GUSTAVO A. MADERO"),
    ("SAN ÁNGEL", "01000", "ÁLVARO OBREGÓN"),
    ("GUADALUPE INN", "01020", "ÁLVARO OBREGÓN"),
    ("FLORIDA", "01030", "ÁLVARO OBREGÓN"),
    ("OLIVAR DE LOS PADRES", "01780", "ÁLVARO OBREGÓN"),
    ("TLALPAN CENTRO", "14000", "TLALPAN"),
    ("ISIDRO FABELA", "14030", "TLALPAN"),
    ("VILLA COAPA", "14390", "TLALPAN"),
    ("CLAVERÍA", "02080", "AZCAPOTZALCO"),
    ("SAN ÁLVARO", "02090", "AZCAPOTZALCO"),
    ("JARDÍN BALBUENA", "15900", "VENUSTIANO CARRANZA"),
    ("MOCTEZUMA 2A SECCIÓN", "15530", "VENUSTIANO CARRANZA"),
    ("ROMERO RUBIO", "15400", "VENUSTIANO CARRANZA"),
    ("AGRÍCOLA ORIENTAL", "08500", "IZTACALCO"),
    ("GRANJAS MÉXICO", "08400", "IZTACALCO"),
    ("BARRIO 18", "16034", "XOCHIMILCO"),
    ("SANTA ÚRSULA XITLA", "14420", "TLALPAN"),
]
STREETS = """AV. INSURGENTES SUR|DURANGO|ORIZABA|TONALÁ|MEDELLÍN|AV. UNIVERSIDAD|
EJE CENTRAL LÁZARO CÁRDENAS|AV. REVOLUCIÓN|CALZ. DE TLALPAN|AV. MÉXICO COYOACÁN|
5 DE MAYO|ÁMSTERDAM|AV. CUAUHTÉMOC|AV. DIVISIÓN DEL NORTE|MIGUEL ÁNGEL DE QUEVEDO|PUEBLA|
COLIMA|PITÁGORAS|GABRIEL MANCERA|AV. PATRIOTISMO|MONTERREY|TLACOTALPAN|AV. SAN FERNANDO|
FRANCISCO SOSA|HIGUERA|ALLENDE|MORELOS|HIDALGO|JUÁREZ|VICENTE GUERRERO|LAGO ZURICH|
HOMERO|EUGENIA|LUZ SAVIÑÓN|ANAXÁGORAS|XOLA|AV. TLÁHUAC|CANAL DE MIRAMONTES|SAN BORJA|
ZAPATA|LIMA|BUEN TONO|DR. VÉRTIZ|CAMPECHE|ALFONSO REYES|TAMAULIPAS|NIÑOS HÉROES""".replace(
    "\n", ""
).split("|")
BIRTH_STATES = ["DF"] * 12 + ["MC"] * 4 + [s for s in STATES if s not in ("DF", "MC", "NE")]


@dataclasses.dataclass(frozen=True)
class Domicilio:
    """A Mexico City address."""

    calle: str
    numero_exterior: str
    numero_interior: str | None
    colonia: str
    municipio: str
    codigo_postal: str
    entidad: str = "CIUDAD DE MÉXICO"

    def street_line(self) -> str:
        """Street, number and interior as bills print them."""
        inner = f" INT {self.numero_interior}" if self.numero_interior else ""
        return f"{self.calle} {self.numero_exterior}{inner}"


@dataclasses.dataclass(frozen=True)
class Person:
    """The true identity printed on a person's documents."""

    nombre: str
    primer_apellido: str
    segundo_apellido: str
    birth: dt.date
    sexo: str
    state: str
    curp: str
    domicilio: Domicilio

    @property
    def apellidos(self) -> str:
        """Both surnames, as printed on passports and bills."""
        return f"{self.primer_apellido} {self.segundo_apellido}".strip()

    @property
    def full_name(self) -> str:
        """Given names then surnames, as bills print the holder."""
        return f"{self.nombre} {self.apellidos}"


def random_domicilio(rng: random.Random, avoid_cp: str | None = None) -> Domicilio:
    """A plausible Mexico City address (never in ``avoid_cp``)."""
    choices = [c for c in COLONIAS if c[1] != avoid_cp]
    colonia, cp, alcaldia = rng.choice(choices)
    numero = str(rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 3999)]))
    interior = None
    if rng.random() < 0.45:
        interior = rng.choice(
            [
                str(rng.randint(1, 30)),
                f"{rng.randint(1, 9)}0{rng.randint(1, 4)}",
                rng.choice("ABCD"),
                f"DEPTO {rng.randint(1, 12)}",
            ]
        )
    return Domicilio(rng.choice(STREETS), numero, interior, colonia, alcaldia, cp)


def random_person(rng: random.Random, sexo: str, today: dt.date, min_age: int = 18) -> Person:
    """A random adult with a CURP consistent with the data (homonym char 0 or A mostly)."""
    nombre = rng.choice(MALE_NAMES if sexo == "H" else FEMALE_NAMES)
    if rng.random() < 0.25 and " " not in nombre:
        nombre += " " + rng.choice(MALE_NAMES if sexo == "H" else FEMALE_NAMES).split()[0]
    first = rng.choice(SURNAMES)
    second = "" if rng.random() < 0.04 else rng.choice([s for s in SURNAMES if s != first])
    age_days = rng.randint(min_age * 366, 78 * 365)
    birth = today - dt.timedelta(days=age_days)
    state = rng.choice(BIRTH_STATES)
    homonym = None
    if rng.random() < 0.15:
        homonym = str(rng.randint(1, 9)) if birth.year < 2000 else rng.choice("BCDE")
    curp = build_curp(nombre, first, second, birth, sexo, state, homonym)
    return Person(nombre, first, second, birth, sexo, state, curp, random_domicilio(rng))
