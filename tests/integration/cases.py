"""Small real cases for the worker tests: LFW photos (fixtures/faces) as the uploads.

The ID is a 250 x 250 portrait (OCR finds no document: ``ID_UNREADABLE``) and, in a *cheap* case,
the proof of address is a text file named ``.jpg`` (``FILE_INVALID`` at decoding, no OCR), so a
case runs the real pipeline (decode, ID OCR, faces, checks) in about a second on an idle core.
Verdicts are ``resubmit``. The registration data is invented (no real person's data).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from models import JobPayload
from workers.client import upload_case
from workers.storage import ObjectStore

REPO = Path(__file__).resolve().parents[2]
FACES = REPO / "fixtures" / "faces"


def face_pairs() -> list[tuple[Path, Path]]:
    """(id photo, selfie) pairs: two photos of the same person."""
    pairs = []
    for person in sorted((FACES / "lfw").iterdir()):
        photos = sorted(person.glob("*.jpg"))
        if len(photos) >= 2:
            pairs.append((photos[0], photos[1]))
    return pairs


def make_case(root: Path, index: int, account_id: str | None = None, cheap: bool = True) -> Path:
    """Write case folder ``root/case-<index>`` and return it."""
    pairs = face_pairs()
    front, selfie = pairs[index % len(pairs)]
    folder = root / f"case-{index:04d}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(front, folder / "id_front.jpg")
    shutil.copyfile(selfie, folder / "selfie.jpg")
    if cheap:
        (folder / "address_proof.jpg").write_bytes(b"this is not an image\n")
    else:
        shutil.copyfile(front, folder / "address_proof.jpg")
    case = {
        "submission_id": f"sub-{index:04d}",
        "account_id": account_id or f"acc-{index:04d}",
        "submitted_at": "2026-11-01T12:00:00-06:00",
        "registration": {
            "nombre": "PRUEBA",
            "primer_apellido": "SINTETICA",
            "segundo_apellido": "UNO",
            "curp": "XEXX010101HDFXXX04",
            "fecha_nacimiento": "2001-01-01",
            "sexo": "H",
            "entidad_nacimiento": "DF",
            "domicilio": {
                "calle": "CALLE FALSA",
                "numero_exterior": "1",
                "colonia": "CENTRO",
                "municipio": "CUAUHTEMOC",
                "entidad": "CIUDAD DE MEXICO",
                "codigo_postal": "06000",
            },
        },
        "documents": {
            "id_type": "ine",
            "id_front": "id_front.jpg",
            "address_proof": "address_proof.jpg",
            "selfie": "selfie.jpg",
        },
    }
    (folder / "case.json").write_text(json.dumps(case, indent=2), encoding="utf-8")
    return folder


def upload_cases(root: Path, count: int, store: ObjectStore, bucket: str) -> list[JobPayload]:
    """Make ``count`` cases and upload them; returns their job payloads."""
    return [upload_case(make_case(root, i), store, bucket) for i in range(count)]
