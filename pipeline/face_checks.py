"""Checks of the face stage: the policy applied to :func:`pipeline.faces.read_faces`'s
measurements.

``face_checks`` applies ``policy.toml``: selfie gates (``SELFIE_NO_FACE``,
``SELFIE_MULTIPLE_FACES``, ``SELFIE_QUALITY``) and the match in three zones of the encoding
distance: match (pass), grey zone (inconclusive, no reason: a reviewer decides) and non-match
(``FACE_MISMATCH``). A missing ID portrait is ``ID_UNREADABLE``.

``face.similarity`` (in ``face_extracted`` and every check's ``score``) is the *calibrated
probability that both faces are the same person*: a logistic fit of distance -> P(same) on
balanced LFW pairs (``pipeline/data/face_calibration.json``, written by
``llave-verify face-bench --write-calibration``), i.e. a probability at 50 % prior.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

from models.codes import ReasonCode
from models.faces import FaceBox, FaceMeasurements, FaceReading, ImageFaces
from models.verdict import Check
from pipeline.policy import Policy

CALIBRATION_PATH = Path(__file__).with_name("data") / "face_calibration.json"


# --------------------------------------------------------------------------- calibration


@functools.cache
def load_calibration(path: Path = CALIBRATION_PATH) -> dict[str, Any]:
    """The distance -> probability calibration (versioned JSON with its provenance)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def match_probability(distance: float, calibration: dict[str, Any] | None = None) -> float:
    """Calibrated P(same person) for an encoding distance: ``1 / (1 + exp(a + b * distance))``.

    >>> cal = {"logistic": {"a": -30.0, "b": 60.0}}
    >>> round(match_probability(0.5, cal), 3)
    0.5
    >>> match_probability(0.3, cal) > 0.99 > 0.01 > match_probability(0.7, cal)
    True
    """
    fit = (calibration or load_calibration())["logistic"]
    z = float(fit["a"]) + float(fit["b"]) * distance
    return 1.0 / (1.0 + math.exp(min(z, 700.0)))


# --------------------------------------------------------------------------- checks


def face_checks(reading: FaceReading, policy: Policy) -> list[Check]:
    """Selfie gates and the portrait-selfie match under ``policy``."""
    checks = [selfie_face_check(reading.selfie, policy)]
    quality = selfie_quality_check(reading.selfie, policy)
    if quality is not None:
        checks.append(quality)
    checks.append(face_match_check(reading, policy))
    return checks


def face_extracted(reading: FaceReading, policy: Policy) -> dict[str, object]:
    """``face.distance`` and ``face.similarity`` (the calibrated match probability)."""
    if reading.distance is None:
        return {"face.distance": None, "face.similarity": None}
    return {
        "face.distance": round(reading.distance, 4),
        "face.similarity": round(match_probability(reading.distance), 4),
    }


def subject_faces(faces: list[FaceBox], policy: Policy) -> list[FaceBox]:
    """Faces big enough to be a subject: tiny background faces are not counted.

    A face counts when its side is at least ``selfie_quality.subject_face_ratio`` of the
    largest face's side and at least ``selfie_quality.min_subject_relative_size`` of the
    image's shorter side: a selfie whose only "face" is a speck in a corner (a face in a
    poster behind a pet, a detector false positive) shows no subject at all. Nor does one whose
    largest detection (the face the stage measured) scores below
    ``selfie_quality.min_subject_score`` (the detector's own threshold is 0: a dog's face can
    pass it by a hair).
    """
    if not faces or max(faces, key=lambda face: face.side).score < policy.number(
        "selfie_quality.min_subject_score"
    ):
        return []
    smallest = policy.number("selfie_quality.min_subject_relative_size")
    sized = [face for face in faces if face.relative_size >= smallest]
    if not sized:
        return []
    ratio = policy.number("selfie_quality.subject_face_ratio")
    largest = max(face.side for face in sized)
    return [face for face in sized if face.side >= ratio * largest]


def selfie_face_check(selfie: ImageFaces, policy: Policy) -> Check:
    """Exactly one subject face in the selfie."""
    name = "selfie_face"
    if selfie.status in ("invalid", "not_image"):
        return Check(
            name=name,
            status="inconclusive",
            score=None,
            detail="La selfie no es una imagen legible.",
        )
    evidence: dict[str, Any] = {
        "faces_found": len(selfie.faces),
        "rotations_tried": selfie.rotations_tried,
        "boxes": [face.model_dump() for face in selfie.faces[:10]],
    }
    subjects = subject_faces(selfie.faces, policy)
    evidence["subject_faces"] = len(subjects)
    if selfie.status == "no_face" or not subjects:
        return Check(
            name=name,
            status="fail",
            score=0.0,
            reasons=[ReasonCode.SELFIE_NO_FACE],
            detail=_no_face_detail(selfie),
            evidence=evidence,
        )
    if len(subjects) > 1:
        return Check(
            name=name,
            status="fail",
            score=0.0,
            reasons=[ReasonCode.SELFIE_MULTIPLE_FACES],
            detail=f"La selfie muestra {len(subjects)} rostros de tamaño comparable; debe "
            "aparecer solo la persona titular.",
            evidence=evidence,
        )
    ignored = len(selfie.faces) - len(subjects)
    note = f" ({ignored} rostro(s) pequeño(s) al fondo ignorado(s))" if ignored else ""
    return Check(
        name=name,
        status="pass",
        score=1.0,
        detail=f"Un solo rostro en la selfie{note}.",
        evidence=evidence,
    )


def _no_face_detail(selfie: ImageFaces) -> str:
    if selfie.faces:
        return (
            "No se encontró con claridad el rostro de la persona en la selfie (solo formas "
            "dudosas o rostros diminutos al fondo); tome la foto de frente y de cerca."
        )
    return "No se encontró ningún rostro en la selfie (se probaron las cuatro orientaciones)."


#: (measurement, policy key, "min" or "max", Spanish description) of each quality gate.
_QUALITY_GATES: list[tuple[str, str, str, str]] = [
    ("face_px", "min_face_px", "min", "rostro demasiado pequeño (píxeles)"),
    ("relative_size", "min_relative_size", "min", "rostro demasiado lejos de la cámara"),
    ("blur", "min_blur", "min", "imagen desenfocada o movida"),
    ("brightness", "min_brightness", "min", "rostro demasiado oscuro"),
    ("brightness", "max_brightness", "max", "rostro sobreexpuesto"),
    ("dark_fraction", "max_dark_fraction", "max", "sombras saturadas en el rostro"),
    ("bright_fraction", "max_bright_fraction", "max", "zonas quemadas en el rostro"),
    ("contrast", "min_contrast", "min", "rostro sin contraste"),
    ("yaw_abs", "max_yaw", "max", "rostro girado hacia un lado (no de frente)"),
    ("pitch_abs", "max_pitch", "max", "rostro inclinado hacia arriba o abajo"),
    ("roll_abs", "max_roll", "max", "cabeza ladeada"),
    ("eye_openness", "min_eye_openness", "min", "ojos cerrados o no visibles"),
    ("eye_contrast", "min_eye_contrast", "min", "ojos cubiertos (lentes oscuros u objeto)"),
]


def quality_values(measured: FaceMeasurements) -> dict[str, float]:
    """The measurements the quality gates compare (pose as absolute angles)."""
    values = measured.model_dump()
    for angle in ("yaw", "pitch", "roll"):
        values[f"{angle}_abs"] = abs(values[angle])
    return {key: float(value) for key, value in values.items()}


def selfie_quality_check(selfie: ImageFaces, policy: Policy) -> Check | None:
    """Size, sharpness, exposure, frontal pose and visible eyes of the selfie's face.

    None when there is no single measured face (the face-count check already says why).
    """
    measured = selfie.measurements
    if selfie.status != "ok" or measured is None:
        return None
    if len(subject_faces(selfie.faces, policy)) != 1:
        return None
    values = quality_values(measured)
    failed = []
    for field, key, kind, text in _QUALITY_GATES:
        limit = policy.number(f"selfie_quality.{key}")
        if (values[field] < limit) if kind == "min" else (values[field] > limit):
            failed.append(
                {"gate": key, "value": round(values[field], 3), "limit": limit, "text": text}
            )
    evidence: dict[str, Any] = {"measurements": measured.model_dump(), "failed": failed}
    if failed:
        problems = "; ".join(sorted({str(f["text"]) for f in failed}))
        return Check(
            name="selfie_quality",
            status="fail",
            score=0.0,
            reasons=[ReasonCode.SELFIE_QUALITY],
            detail=f"La selfie no cumple la calidad requerida: {problems}.",
            evidence=evidence,
        )
    return Check(
        name="selfie_quality",
        status="pass",
        score=1.0,
        detail="Selfie nítida, bien expuesta, de frente y con los ojos visibles.",
        evidence=evidence,
    )


def face_match_check(reading: FaceReading, policy: Policy) -> Check:
    """The ID portrait against the selfie, in three zones of the encoding distance."""
    name = "face_match"
    portrait, selfie = reading.id_portrait, reading.selfie
    if portrait.status in ("invalid", "not_image") or selfie.status in ("invalid", "not_image"):
        return Check(
            name=name,
            status="inconclusive",
            score=None,
            detail="No se pudo comparar: una de las imágenes no es legible.",
        )
    if portrait.status == "no_face":
        return Check(
            name=name,
            status="fail",
            score=None,
            reasons=[ReasonCode.ID_UNREADABLE],
            detail="No se encontró la fotografía del titular en la identificación.",
            evidence={"rotations_tried": portrait.rotations_tried},
        )
    too_dark_or_flat = illegible_portrait(portrait, policy)
    if too_dark_or_flat:
        return Check(
            name=name,
            status="fail",
            score=None,
            reasons=[ReasonCode.ID_UNREADABLE],
            detail="La fotografía del titular en la identificación está demasiado oscura o sin "
            "contraste para compararla con la selfie.",
            evidence={"id_portrait": too_dark_or_flat, "distance": reading.distance},
        )
    if reading.distance is None or len(subject_faces(selfie.faces, policy)) != 1:
        return Check(
            name=name,
            status="inconclusive",
            score=None,
            detail="No se comparó el rostro: la selfie no muestra exactamente un rostro.",
        )
    return _zone_check(reading, reading.distance, policy)


def illegible_portrait(portrait: ImageFaces, policy: Policy) -> dict[str, float]:
    """The ID portrait's brightness and contrast when either is below the policy's floor, else {}.

    A portrait photographed in the dark (mean grey ~30, spread ~8 on the 128 px face crop)
    gives distances that say nothing about the person; it is an unreadable ID, not a mismatch.
    """
    measured = portrait.measurements
    if measured is None:
        return {}
    dark = measured.brightness < policy.number("faces.id_portrait_min_brightness")
    flat = measured.contrast < policy.number("faces.id_portrait_min_contrast")
    if not (dark or flat):
        return {}
    return {"brightness": round(measured.brightness, 2), "contrast": round(measured.contrast, 2)}


def _zone_check(reading: FaceReading, distance: float, policy: Policy) -> Check:
    match_max = policy.number("faces.match_max_distance")
    mismatch_min = policy.number("faces.mismatch_min_distance")
    probability = match_probability(distance)
    calibration = load_calibration()
    evidence = {
        "distance": round(distance, 4),
        "similarity": round(probability, 4),
        "match_max_distance": match_max,
        "mismatch_min_distance": mismatch_min,
        "calibration_version": calibration.get("version", ""),
        "id_face_px": _face_px(reading.id_portrait),
        "selfie_face_px": _face_px(reading.selfie),
    }
    evidence["zone"] = zone(distance, policy)
    shown = f"distancia {distance:.3f}, probabilidad de misma persona {probability:.0%}"
    if distance <= match_max:
        return Check(
            name="face_match",
            status="pass",
            score=probability,
            evidence=evidence,
            detail=f"El rostro de la selfie coincide con la foto de la identificación ({shown}).",
        )
    if distance >= mismatch_min:
        return Check(
            name="face_match",
            status="fail",
            score=probability,
            evidence=evidence,
            reasons=[ReasonCode.FACE_MISMATCH],
            detail=f"El rostro de la selfie no coincide con la foto de la identificación ({shown}).",
        )
    return Check(
        name="face_match",
        status="inconclusive",
        score=probability,
        evidence=evidence,
        detail=f"Parecido dudoso entre la selfie y la foto de la identificación ({shown}); "
        "requiere revisión humana.",
    )


def zone(distance: float, policy: Policy) -> str:
    """``"match"``, ``"grey"`` or ``"mismatch"``: where a distance falls in the policy's zones."""
    if distance <= policy.number("faces.match_max_distance"):
        return "match"
    if distance >= policy.number("faces.mismatch_min_distance"):
        return "mismatch"
    return "grey"


def _face_px(faces: ImageFaces) -> int | None:
    return faces.measurements.face_px if faces.measurements else None
