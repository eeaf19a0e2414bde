"""The verdict: one decision a backend can act on and a reviewer can follow."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.codes import Decision, ReasonCode

CheckStatus = Literal["pass", "fail", "inconclusive"]


class Check(BaseModel):
    """One test the pipeline ran, with its outcome and the evidence behind it."""

    model_config = ConfigDict(frozen=True)

    name: str
    status: CheckStatus
    score: float | None = Field(None, description="strength of the evidence, 0 to 1, when scored")
    detail: str = Field("", description="reviewer-facing explanation, in Spanish")
    reasons: list[ReasonCode] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict, description="values compared")


class Extracted(BaseModel):
    """The fields read from the documents (null when not read), flat dotted keys in JSON."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    id_curp: str | None = Field(None, alias="id.curp")
    id_nombre: str | None = Field(None, alias="id.nombre")
    id_primer_apellido: str | None = Field(None, alias="id.primer_apellido")
    id_segundo_apellido: str | None = Field(None, alias="id.segundo_apellido")
    id_fecha_nacimiento: str | None = Field(None, alias="id.fecha_nacimiento")
    id_sexo: str | None = Field(None, alias="id.sexo")
    id_vigencia_hasta: str | None = Field(None, alias="id.vigencia_hasta")
    id_clave_elector: str | None = Field(None, alias="id.clave_elector")
    id_numero_documento: str | None = Field(None, alias="id.numero_documento")
    id_mrz_valid: bool | None = Field(None, alias="id.mrz_valid")
    address_emisor: str | None = Field(None, alias="address.emisor")
    address_codigo_postal: str | None = Field(None, alias="address.codigo_postal")
    address_fecha: str | None = Field(None, alias="address.fecha")
    face_distance: float | None = Field(None, alias="face.distance")
    face_similarity: float | None = Field(None, alias="face.similarity")


class Explanation(BaseModel):
    """What a reason means, for the citizen (Spanish) and for the reviewer."""

    model_config = ConfigDict(frozen=True)

    reason: ReasonCode
    citizen: str
    reviewer: str


class Verdict(BaseModel):
    """The outcome of one submission; JSON in and out."""

    model_config = ConfigDict(frozen=True)

    submission_id: str
    account_id: str
    decision: Decision
    confidence: float = Field(ge=0.0, le=1.0)
    reasons: list[ReasonCode]
    checks: list[Check]
    extracted: Extracted
    explanations: list[Explanation] = Field(default_factory=list)
    pipeline_version: str
    policy_version: str
    timings_ms: dict[str, float]
    decided_at: dt.datetime
    artefacts: dict[str, str] = Field(
        default_factory=dict, description="artefact name -> file name or object key"
    )

    def to_json(self) -> str:
        """Serialise with the contract's dotted ``extracted`` keys."""
        return self.model_dump_json(indent=2, by_alias=True)
