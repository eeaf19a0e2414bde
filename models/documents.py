"""What the document stages read: image quality, document kind, ID and address fields.

These records are *measurements*: they depend only on the uploaded bytes and the pipeline
version, so they can be cached by content hash and re-decided under any policy. No threshold
or verdict lives here; :mod:`pipeline.document_checks` compares them with ``policy.toml``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.mrz import MrzResult
from models.results import Reading

#: What a page or photo shows, as told by :func:`pipeline.document.classify`.
DocumentKind = Literal["ine_front", "ine_back", "passport", "bill", "other", "unknown"]

#: Where the text of an address proof came from.
TextSource = Literal["image-ocr", "pdf-text", "pdf-raster", "none"]


#: a share or probability, 0-1
Unit = Annotated[float, Field(ge=0.0, le=1.0)]

#: an unread field (readings are frozen, so one shared instance is safe)
NOT_READ: Reading[str] = Reading[str](value=None, confidence=0.0)
NOT_READ_DATE: Reading[dt.date] = Reading[dt.date](value=None, confidence=0.0)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ImageQuality(_Frozen):
    """Measured quality of a (straightened, canonical-size) document image.

    ``brightness`` is the mean grey level (0-255); ``contrast`` the grey-level standard
    deviation; ``sharpness`` the variance of the Laplacian at the canonical size (higher is
    sharper); ``dark_fraction``/``bright_fraction`` the share of nearly black / blown-out pixels.
    """

    width: int = 0
    height: int = 0
    brightness: float = 0.0
    contrast: float = 0.0
    sharpness: float = 0.0
    dark_fraction: float = 0.0
    bright_fraction: float = 0.0


class DocumentImage(_Frozen):
    """How one upload was located, straightened and classified, with its measured readability.

    ``outline_found`` says a document quadrilateral was found and the perspective corrected;
    ``rotation`` is the clockwise turn (0/90/180/270) applied to make the text upright;
    ``ocr_confidence`` the mean Tesseract word confidence (0-1) over the words read and
    ``words`` how many words with letters or digits were read.
    """

    kind: DocumentKind = "unknown"
    kind_score: Unit = 0.0
    keywords: list[str] = Field(default_factory=list)
    outline_found: bool = False
    rotation: int = 0
    quality: ImageQuality = Field(default_factory=ImageQuality)
    ocr_confidence: Unit = 0.0
    words: int = 0


class SecondLook(_Frozen):
    """One second look the ID scheduler started, or did not (``pipeline.id.scheduler``):
    ``look`` its name, ``field`` the reading it may change, ``why`` it was due (``missing``,
    ``contradicted``, ``weak``), ``outcome``: ``changed``, ``kept`` (nothing it read was
    accepted) or ``budget`` (not started: the case's CPU budget was spent)."""

    look: str
    field: str
    why: Literal["missing", "contradicted", "weak"]
    outcome: Literal["changed", "kept", "budget"]


class IdReading(_Frozen):
    """The fields of an INE (front + back) or a Mexican passport data page.

    Every field is a :class:`Reading`: an absent value means "not read", never "wrong".
    ``numero_documento`` is the passport number or the INE's CIC (from the back's MRZ).
    """

    id_type: str = ""
    front: DocumentImage | None = None
    back: DocumentImage | None = None
    primer_apellido: Reading[str] = NOT_READ
    segundo_apellido: Reading[str] = NOT_READ
    nombre: Reading[str] = NOT_READ
    domicilio: Reading[str] = NOT_READ
    codigo_postal: Reading[str] = NOT_READ
    clave_elector: Reading[str] = NOT_READ
    curp: Reading[str] = NOT_READ
    fecha_nacimiento: Reading[dt.date] = NOT_READ_DATE
    sexo: Reading[str] = NOT_READ
    anio_registro: Reading[str] = NOT_READ
    seccion: Reading[str] = NOT_READ
    vigencia: Reading[str] = NOT_READ
    vigencia_hasta: Reading[dt.date] = NOT_READ_DATE
    numero_documento: Reading[str] = NOT_READ
    mrz: MrzResult | None = None
    second_looks: list[SecondLook] = []
    problem: str = ""

    def field_readings(self) -> dict[str, Reading[str] | Reading[dt.date]]:
        """The personal fields by name (for evidence and the readability measure)."""
        return {
            "primer_apellido": self.primer_apellido,
            "segundo_apellido": self.segundo_apellido,
            "nombre": self.nombre,
            "curp": self.curp,
            "fecha_nacimiento": self.fecha_nacimiento,
            "sexo": self.sexo,
            "vigencia_hasta": self.vigencia_hasta,
            "clave_elector": self.clave_elector,
            "numero_documento": self.numero_documento,
        }


class AddressReading(_Frozen):
    """What a proof of address says: who issued it, to whom, where, and when.

    ``fecha`` is the recency date: the END of the billing period when one is printed, else the
    issue (billing) date; ``fecha_basis`` names which (``"period_end"``, ``"issue_date"``,
    ``"due_date"``). ``kind`` is what the upload looks like (a bill, or e.g. ``"ine_front"``).
    """

    kind: DocumentKind = "unknown"
    kind_score: Unit = 0.0
    source: TextSource = "none"
    pages: int = 0
    document: DocumentImage | None = None
    text_chars: int = 0
    ocr_confidence: Unit = 0.0
    emisor: Reading[str] = NOT_READ
    servicio: Reading[str] = NOT_READ
    titular: Reading[str] = NOT_READ
    domicilio: Reading[str] = NOT_READ
    codigo_postal: Reading[str] = NOT_READ
    periodo_inicio: Reading[dt.date] = NOT_READ_DATE
    periodo_fin: Reading[dt.date] = NOT_READ_DATE
    fecha_emision: Reading[dt.date] = NOT_READ_DATE
    fecha_limite_pago: Reading[dt.date] = NOT_READ_DATE
    fecha: Reading[dt.date] = NOT_READ_DATE
    fecha_basis: str = ""
    problem: str = ""
