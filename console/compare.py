"""The registration next to what the documents say, field by field, with disagreements marked."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from models import Extracted, Registration

#: (label, extracted attribute, registration getter)
_COMPARED = (
    ("CURP", "id_curp", lambda r: r.curp),
    ("Nombre(s)", "id_nombre", lambda r: r.nombre),
    ("Primer apellido", "id_primer_apellido", lambda r: r.primer_apellido),
    ("Segundo apellido", "id_segundo_apellido", lambda r: r.segundo_apellido),
    ("Fecha de nacimiento", "id_fecha_nacimiento", lambda r: r.fecha_nacimiento.isoformat()),
    ("Sexo", "id_sexo", lambda r: r.sexo),
    ("Código postal", "address_codigo_postal", lambda r: r.domicilio.codigo_postal),
)
_INFO = (
    ("Vigencia de la identificación", "id_vigencia_hasta"),
    ("Clave de elector", "id_clave_elector"),
    ("Número de documento", "id_numero_documento"),
    ("Emisor del comprobante", "address_emisor"),
    ("Fecha del comprobante", "address_fecha"),
)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y%m%d", "%d%m%Y")


@dataclass(frozen=True)
class FieldRow:
    """One line of the comparison table; ``state`` is match, mismatch, unread or info."""

    label: str
    registered: str
    read: str
    state: str


def normalise(value: str) -> str:
    """Uppercase, without accents, punctuation or repeated spaces.

    >>> normalise("  José  María-Pérez ")
    'JOSE MARIA PEREZ'
    """
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return " ".join(re.sub(r"[^A-Z0-9Ñ]+", " ", text).split())


def normalise_date(value: str) -> str:
    """A date in any usual Mexican format as ISO, else the normalised text.

    >>> normalise_date("07/03/1990"), normalise_date("1990-03-07"), normalise_date("?")
    ('1990-03-07', '1990-03-07', '')
    """
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return normalise(value)


def compare(extracted: Extracted, registration: Registration | None) -> list[FieldRow]:
    """The comparison table: compared fields first, then document-only fields."""
    rows = []
    for label, attribute, getter in _COMPARED:
        read = getattr(extracted, attribute)
        registered = getter(registration) if registration else None
        rows.append(_row(label, attribute, registered, read))
    for label, attribute in _INFO:
        read = getattr(extracted, attribute)
        rows.append(FieldRow(label, "", "" if read is None else str(read), "info"))
    return rows


def _row(label: str, attribute: str, registered: str | None, read: object) -> FieldRow:
    shown = "" if read is None else str(read)
    if read is None or shown == "":
        return FieldRow(label, registered or "", "", "unread")
    if registered is None:
        return FieldRow(label, "", shown, "info")
    same = _key(attribute, shown) == _key(attribute, registered)
    return FieldRow(label, registered, shown, "match" if same else "mismatch")


def _key(attribute: str, value: str) -> str:
    return normalise_date(value) if "fecha" in attribute else normalise(value)
