"""The case contract records: validation, JSON round trips, committed schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from models import Case, Extracted, JobPayload
from models.schema_export import boundary_models, schema_of

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "models" / "schema"
FIXTURE_CASES = ROOT / "fixtures" / "cases"

CASE = {
    "submission_id": "sub-0001",
    "account_id": "acc-0001",
    "submitted_at": "2026-11-02T10:15:00-06:00",
    "registration": {
        "nombre": "María José",
        "primer_apellido": "Núñez",
        "segundo_apellido": "de la Cruz",
        "curp": "NUCM900101MDFXRR05",
        "fecha_nacimiento": "1990-01-01",
        "sexo": "M",
        "entidad_nacimiento": "DF",
        "domicilio": {
            "calle": "Av. Insurgentes Sur",
            "numero_exterior": "1234",
            "colonia": "Del Valle",
            "municipio": "Benito Juárez",
            "entidad": "CDMX",
            "codigo_postal": "03100",
        },
    },
    "documents": {
        "id_type": "ine",
        "id_front": "id_front.jpg",
        "id_back": "id_back.jpg",
        "address_proof": "address.pdf",
        "selfie": "selfie.jpg",
    },
}


def test_case_round_trip() -> None:
    case = Case.model_validate(CASE)
    assert Case.model_validate_json(case.model_dump_json()) == case
    assert case.documents.roles()["address_proof"] == "address.pdf"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("submitted_at",), "2026-11-02T10:15:00"),  # no offset
        (("registration", "sexo"), "F"),
        (("registration", "nombre"), "A" * 5000),  # absurd length
        (("registration", "nombre"), "Ana\x07"),  # control character
        (("documents", "selfie"), "../../etc/passwd"),
        (("documents", "id_type"), "licencia"),
        (("registration", "fecha_nacimiento"), "31/12/1990"),
    ],
)
def test_case_rejects_malformed_fields(path: tuple[str, ...], value: str) -> None:
    data = json.loads(json.dumps(CASE))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValidationError):
        Case.model_validate(data)


@pytest.mark.parametrize("key", ["../x.jpg", "/abs/x.jpg", "a/./b.jpg", "a//b.jpg", "a\\b.jpg"])
def test_job_payload_refuses_unsafe_object_keys(key: str) -> None:
    data = {k: v for k, v in CASE.items() if k != "documents"}
    data["bucket"] = "llave-uploads"
    data["documents"] = {**CASE["documents"], "selfie": key}
    with pytest.raises(ValidationError):
        JobPayload.model_validate(data)


def test_extracted_uses_dotted_keys() -> None:
    dumped = json.loads(Extracted(id_curp="X").model_dump_json())
    assert dumped["id.curp"] == "X"
    assert Extracted.model_validate(dumped).id_curp == "X"


@pytest.mark.parametrize("stem", sorted(boundary_models()))
def test_committed_schema_is_current(stem: str) -> None:
    committed = json.loads((SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))
    assert committed == schema_of(boundary_models()[stem]), "run `llave-verify schema`"


def test_every_fixture_case_validates_against_the_committed_schema() -> None:
    schema = json.loads((SCHEMA_DIR / "case.schema.json").read_text(encoding="utf-8"))
    folders = sorted(p for p in FIXTURE_CASES.iterdir() if (p / "case.json").is_file())
    assert len(folders) >= 60
    for folder in folders:
        data = json.loads((folder / "case.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        Case.model_validate(data)
