"""JSON Schema of the records that cross a boundary, as committed under ``models/schema/``."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from models.case import Address, Case, Documents, JobPayload, Registration
from models.verdict import Check, Verdict


def boundary_models() -> dict[str, type[BaseModel]]:
    """Schema file stem -> model, for every record other tools read or write."""
    found: dict[str, type[BaseModel]] = {
        "case": Case,
        "registration": Registration,
        "address": Address,
        "documents": Documents,
        "job_payload": JobPayload,
        "verdict": Verdict,
        "check": Check,
    }
    found.update(_stage_models())
    return found


def _stage_models() -> dict[str, type[BaseModel]]:
    """The stage result records (documents, MRZ, faces) once their modules exist."""
    import importlib

    wanted = {
        "id_reading": ("models.documents", "IdReading"),
        "address_reading": ("models.documents", "AddressReading"),
        "mrz_result": ("models.mrz", "MrzResult"),
        "face_reading": ("models.faces", "FaceReading"),
    }
    found = {}
    for stem, (module, name) in wanted.items():
        found[stem] = getattr(importlib.import_module(module), name)
    return found


def schema_of(model: type[BaseModel]) -> dict:
    """The JSON Schema of ``model`` with the contract's (dotted, by-alias) field names."""
    return model.model_json_schema(by_alias=True, mode="validation")


def write_schemas(out: Path) -> list[Path]:
    """Write ``<stem>.schema.json`` for every boundary model; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, model in boundary_models().items():
        path = out / f"{stem}.schema.json"
        path.write_text(json.dumps(schema_of(model), indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written
