"""``llave-verify face-match IMAGE_A IMAGE_B``: compare the faces of two images, print JSON.

IMAGE_A plays the ID portrait and IMAGE_B the selfie: the output lists the faces found in each
(boxes in the image's own pixels, detector score, rotation tried), the chosen faces'
measurements, the encoding distance, the calibrated similarity and the policy zone
(``match``, ``grey`` or ``mismatch``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the command."""
    parser.add_argument("image_a", type=Path, help="first image (e.g. the ID front)")
    parser.add_argument("image_b", type=Path, help="second image (e.g. the selfie)")
    parser.add_argument("--policy", type=Path, default=None, help="policy TOML (default: bundled)")


def run(args: argparse.Namespace) -> int:
    """Compare and print; exit 2 when an image cannot be read."""
    import os

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from pipeline.engines.dlib_faces import FaceModels
    from pipeline.face_checks import face_extracted, zone
    from pipeline.faces import read_faces
    from pipeline.policy import load_policy
    from pipeline.uploads import decode_upload

    policy = load_policy(args.policy)
    uploads = []
    for role, path in (("id_front", args.image_a), ("selfie", args.image_b)):
        data = path.read_bytes() if path.is_file() else None
        uploads.append(decode_upload(role, data))
    reading = read_faces(uploads[0], uploads[1], FaceModels.load())
    extracted = face_extracted(reading, policy)
    report: dict[str, Any] = {
        "image_a": _image_report(reading.id_portrait, uploads[0].problem),
        "image_b": _image_report(reading.selfie, uploads[1].problem),
        "distance": extracted["face.distance"],
        "similarity": extracted["face.similarity"],
        "zone": None if reading.distance is None else zone(reading.distance, policy),
        "policy_version": policy.version,
        "method": reading.method,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if all(upload.ok for upload in uploads) else 2


def _image_report(faces: Any, problem: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "status": faces.status,
        "faces_found": len(faces.faces),
        "faces": [face.model_dump() for face in faces.faces],
        "chosen": faces.chosen,
        "rotation": faces.rotation,
        "measurements": faces.measurements.model_dump() if faces.measurements else None,
        "timings_ms": faces.timings_ms,
    }
    if problem:
        found["problem"] = problem
    return found
