"""face_checks and face_extracted on hand-built readings under a test policy (no models)."""

from __future__ import annotations

import pytest

from models.codes import ReasonCode
from models.faces import FaceBox, FaceMeasurements, FaceReading, ImageFaces
from pipeline.face_checks import face_checks, face_extracted, match_probability, subject_faces
from pipeline.faces import in_file_pixels
from pipeline.policy import parse_policy

TEST_POLICY = parse_policy(
    """
version = "test-faces"
[faces]
match_max_distance = 0.45
mismatch_min_distance = 0.60
id_portrait_min_brightness = 40.0
id_portrait_min_contrast = 12.0
[selfie_quality]
subject_face_ratio = 0.5
min_subject_relative_size = 0.08
min_subject_score = 0.02
min_face_px = 80
min_relative_size = 0.12
min_blur = 12.0
min_brightness = 45.0
max_brightness = 215.0
max_dark_fraction = 0.35
max_bright_fraction = 0.25
min_contrast = 12.0
max_yaw = 40.0
max_pitch = 35.0
max_roll = 30.0
min_eye_openness = 0.12
min_eye_contrast = 0.25
"""
)

GOOD = FaceMeasurements(
    face_px=600,
    relative_size=0.4,
    blur=60.0,
    brightness=120.0,
    contrast=45.0,
    dark_fraction=0.01,
    bright_fraction=0.0,
    yaw=3.0,
    pitch=-2.0,
    roll=1.0,
    eye_openness=0.28,
    eye_contrast=0.8,
    colour_saturation=90.0,
)


def _box(side: int, left: int = 100) -> FaceBox:
    return FaceBox(
        left=left,
        top=100,
        right=left + side,
        bottom=100 + side,
        relative_size=side / 1500,
        score=1.2,
    )


def _image(faces: list[FaceBox], measured: FaceMeasurements | None = GOOD) -> ImageFaces:
    if not faces:
        return ImageFaces(
            status="no_face", width=1500, height=2000, rotations_tried=[0, 90, 270, 180]
        )
    return ImageFaces(
        status="ok",
        width=1500,
        height=2000,
        faces=faces,
        chosen=0,
        measurements=measured,
        encoding=[0.0] * 128,
    )


def _reading(
    distance: float | None, selfie: ImageFaces | None = None, portrait: ImageFaces | None = None
) -> FaceReading:
    return FaceReading(
        id_portrait=portrait or _image([_box(200)]),
        selfie=selfie or _image([_box(600)]),
        distance=distance,
    )


def _by_name(reading: FaceReading):
    return {check.name: check for check in face_checks(reading, TEST_POLICY)}


@pytest.mark.parametrize(
    ("distance", "status", "reasons"),
    [
        (0.30, "pass", []),
        (0.45, "pass", []),
        (0.52, "inconclusive", []),
        (0.60, "fail", [ReasonCode.FACE_MISMATCH]),
        (0.85, "fail", [ReasonCode.FACE_MISMATCH]),
    ],
)
def test_three_zones(distance, status, reasons):
    match = _by_name(_reading(distance))["face_match"]
    assert (match.status, match.reasons) == (status, reasons)
    assert match.score == pytest.approx(match_probability(distance))
    assert match.evidence["distance"] == pytest.approx(distance)
    expected_zone = {"pass": "match", "inconclusive": "grey", "fail": "mismatch"}[status]
    assert match.evidence["zone"] == expected_zone
    assert match.detail  # Spanish, for the reviewer


def test_probability_decreases_with_distance_and_is_extracted():
    probabilities = [match_probability(d) for d in (0.2, 0.4, 0.5, 0.6, 0.8)]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.0 < probabilities[-1] < 0.5 < probabilities[0] < 1.0
    extracted = face_extracted(_reading(0.4), TEST_POLICY)
    assert extracted == {"face.distance": 0.4, "face.similarity": round(match_probability(0.4), 4)}


def test_tiny_background_face_is_ignored_but_a_second_subject_is_not():
    background = _image([_box(600), _box(120, left=900)])
    assert len(subject_faces(background.faces, TEST_POLICY)) == 1
    checks = _by_name(_reading(0.3, selfie=background))
    assert checks["selfie_face"].status == "pass" and checks["face_match"].status == "pass"
    two = _image([_box(600), _box(450, left=900)])
    checks = _by_name(_reading(0.3, selfie=two))
    assert checks["selfie_face"].reasons == [ReasonCode.SELFIE_MULTIPLE_FACES]
    assert checks["face_match"].status == "inconclusive" and not checks["face_match"].reasons


def test_no_selfie_face_and_no_id_portrait():
    checks = _by_name(_reading(None, selfie=_image([])))
    assert checks["selfie_face"].reasons == [ReasonCode.SELFIE_NO_FACE]
    assert checks["face_match"].status == "inconclusive" and not checks["face_match"].reasons
    checks = _by_name(_reading(None, portrait=_image([])))
    assert checks["face_match"].reasons == [ReasonCode.ID_UNREADABLE]


@pytest.mark.parametrize(
    ("change", "gate"),
    [
        ({"blur": 5.0}, "min_blur"),
        ({"brightness": 20.0}, "min_brightness"),
        ({"brightness": 240.0}, "max_brightness"),
        ({"yaw": -55.0}, "max_yaw"),
        ({"roll": 40.0}, "max_roll"),
        ({"eye_openness": 0.05}, "min_eye_openness"),
        ({"eye_contrast": 0.1}, "min_eye_contrast"),
        ({"face_px": 60}, "min_face_px"),
    ],
)
def test_quality_gates(change, gate):
    measured = GOOD.model_copy(update=change)
    checks = _by_name(_reading(0.3, selfie=_image([_box(600)], measured)))
    quality = checks["selfie_quality"]
    assert quality.reasons == [ReasonCode.SELFIE_QUALITY]
    assert [failed["gate"] for failed in quality.evidence["failed"]] == [gate]


def test_good_selfie_passes_quality():
    assert _by_name(_reading(0.3))["selfie_quality"].status == "pass"


def test_invalid_uploads_are_inconclusive_without_reasons():
    reading = FaceReading.empty()
    checks = face_checks(reading, TEST_POLICY)
    assert all(check.status == "inconclusive" and not check.reasons for check in checks)


def test_only_specks_of_faces_is_no_face_and_no_comparison():
    specks = _image([_box(90), _box(60, left=900)])  # 0.06 and 0.04 of the shorter side
    assert subject_faces(specks.faces, TEST_POLICY) == []
    checks = _by_name(_reading(0.9, selfie=specks))
    assert checks["selfie_face"].reasons == [ReasonCode.SELFIE_NO_FACE]
    assert "selfie_quality" not in checks
    assert checks["face_match"].status == "inconclusive" and not checks["face_match"].reasons
    measured = GOOD.model_copy(update={"face_px": 150, "relative_size": 0.1})
    far = _image([_box(150)], measured)  # 0.10: a subject, too far away for the quality gate
    checks = _by_name(_reading(0.3, selfie=far))
    assert checks["selfie_face"].status == "pass"
    assert checks["selfie_quality"].reasons == [ReasonCode.SELFIE_QUALITY]


def test_faces_of_a_reduced_decode_are_reported_in_file_pixels():
    measured = GOOD.model_copy(update={"face_px": 300, "relative_size": 0.4})
    half = _image([_box(300)], measured)
    full = in_file_pixels(half, 2)
    assert (full.width, full.height) == (3000, 4000)
    assert (full.faces[0].left, full.faces[0].right, full.faces[0].side) == (200, 800, 600)
    assert full.faces[0].relative_size == half.faces[0].relative_size
    assert full.measurements.face_px == 600 and full.measurements.blur == GOOD.blur
    assert full.encoding == half.encoding and in_file_pixels(half, 1) is half


def test_dark_or_flat_id_portrait_is_unreadable_not_a_mismatch():
    dark = GOOD.model_copy(update={"brightness": 28.0, "contrast": 8.0})
    checks = _by_name(_reading(0.9, portrait=_image([_box(200)], dark)))
    assert checks["face_match"].status == "fail"
    assert checks["face_match"].reasons == [ReasonCode.ID_UNREADABLE]
    assert checks["face_match"].evidence["id_portrait"] == {"brightness": 28.0, "contrast": 8.0}
    faded = GOOD.model_copy(update={"brightness": 150.0, "contrast": 19.0})  # a faded print
    checks = _by_name(_reading(0.9, portrait=_image([_box(200)], faded)))
    assert checks["face_match"].reasons == [ReasonCode.FACE_MISMATCH]


def test_a_doubtful_detection_is_no_subject():
    doubtful = _box(600).model_copy(update={"score": 0.0003})  # a dog's face, by a hair
    checks = _by_name(_reading(0.6, selfie=_image([doubtful])))
    assert checks["selfie_face"].reasons == [ReasonCode.SELFIE_NO_FACE]
    assert checks["face_match"].status == "inconclusive" and not checks["face_match"].reasons
    clear = _box(600).model_copy(update={"score": 0.05})
    assert _by_name(_reading(0.3, selfie=_image([clear])))["selfie_face"].status == "pass"
