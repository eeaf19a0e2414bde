"""The case contract: what a submission carries (``case.json``) and the job payload.

A case is a folder holding ``case.json`` and the files it names. A job payload is the same
case whose documents are object keys in a bucket instead of file names.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _no_control_chars(value: str) -> str:
    """Refuse control and format characters (no place in a name or an address; bidi overrides
    such as U+202E could disguise text in the reviewers' console).

    >>> _no_control_chars("JOSÉ MARÍA")
    'JOSÉ MARÍA'
    >>> _no_control_chars("A\\x00B")
    Traceback (most recent call last):
    ...
    ValueError: control characters are not allowed
    >>> _no_control_chars("ANA\\u202eZEREP")
    Traceback (most recent call last):
    ...
    ValueError: control characters are not allowed
    """
    if _CONTROL.search(value) or any(unicodedata.category(c) == "Cf" for c in value):
        raise ValueError("control characters are not allowed")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("submitted_at needs a UTC offset (ISO 8601)")
    return value


#: A human-typed text field: bounded, no control characters.
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=120), AfterValidator(_no_control_chars)
]
OptionalText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=120), AfterValidator(_no_control_chars)
]


def _plain_file_name(value: str) -> str:
    """A file name inside the case folder: no separators, not hidden, no control characters.

    >>> _plain_file_name("selfie.jpg")
    'selfie.jpg'
    >>> _plain_file_name("../etc/passwd")
    Traceback (most recent call last):
    ...
    ValueError: a document must be a plain file name inside the case folder
    """
    if value.startswith(".") or "/" in value or "\\" in value or _CONTROL.search(value):
        raise ValueError("a document must be a plain file name inside the case folder")
    return value


def _safe_object_key(value: str) -> str:
    """An object key: relative, without ``.``/``..`` segments or control characters.

    >>> _safe_object_key("uploads/s-1/selfie.jpg")
    'uploads/s-1/selfie.jpg'
    >>> _safe_object_key("uploads/../secrets")
    Traceback (most recent call last):
    ...
    ValueError: object keys must be relative, without '..' segments
    """
    segments = value.split("/")
    if value.startswith("/") or "\\" in value or _CONTROL.search(value):
        raise ValueError("object keys must be relative, without '..' segments")
    if any(seg in ("", ".", "..") for seg in segments):
        raise ValueError("object keys must be relative, without '..' segments")
    return value


#: A file name inside a case folder: no path separators, no parent references.
FileName = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_plain_file_name)
]
#: An object key in a bucket: relative, no ``..`` segment, no leading slash.
ObjectKey = Annotated[
    str, StringConstraints(min_length=1, max_length=512), AfterValidator(_safe_object_key)
]
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Address(_Record):
    """A postal address as the person typed it at registration."""

    calle: Text
    numero_exterior: Text
    numero_interior: OptionalText | None = None
    colonia: Text
    municipio: Text
    entidad: Text
    codigo_postal: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)]


class Registration(_Record):
    """The personal data typed when the Llave CDMX account was created."""

    nombre: Text
    primer_apellido: Text
    segundo_apellido: OptionalText = ""
    curp: Annotated[str, StringConstraints(strip_whitespace=True, max_length=24)]
    fecha_nacimiento: dt.date
    sexo: Literal["H", "M", "X"]
    entidad_nacimiento: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    domicilio: Address


#: The document roles of a case, in the contract's order.
ROLES = ("id_front", "id_back", "address_proof", "selfie")


class _Roles:
    """Mixin: ``roles()`` for the document records."""

    def roles(self) -> dict[str, str]:
        """Role name -> file name (or object key), for the documents present."""
        named = {role: getattr(self, role) for role in ROLES}
        return {role: name for role, name in named.items() if name}


class Documents(_Roles, _Record):
    """The uploads of a case folder, by file name."""

    id_type: Literal["ine", "passport"]
    id_front: FileName
    id_back: FileName | None = None
    address_proof: FileName
    selfie: FileName


class Case(_Record):
    """One submission as written in ``case.json``."""

    submission_id: Identifier
    account_id: Identifier
    submitted_at: Annotated[dt.datetime, AfterValidator(_aware)]
    registration: Registration
    documents: Documents


class ObjectDocuments(_Roles, _Record):
    """The uploads of a job payload, as object keys in ``bucket``."""

    id_type: Literal["ine", "passport"]
    id_front: ObjectKey
    id_back: ObjectKey | None = None
    address_proof: ObjectKey
    selfie: ObjectKey


class JobPayload(_Record):
    """What the backend enqueues: a case whose documents live in object storage."""

    submission_id: Identifier
    account_id: Identifier
    submitted_at: Annotated[dt.datetime, AfterValidator(_aware)]
    registration: Registration
    bucket: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    documents: ObjectDocuments = Field(description="object keys in `bucket`")

    def as_case(self, file_names: dict[str, str]) -> Case:
        """The equivalent case once the objects are fetched under ``file_names`` (role -> name)."""
        docs = Documents(id_type=self.documents.id_type, **file_names)
        return Case(
            submission_id=self.submission_id,
            account_id=self.account_id,
            submitted_at=self.submitted_at,
            registration=self.registration,
            documents=docs,
        )
