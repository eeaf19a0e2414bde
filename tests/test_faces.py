"""The face stage on real photos: detection, rotation/EXIF, no face, several faces, matching."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from models.codes import ReasonCode
from models.faces import FaceReading
from pipeline.face_checks import face_checks, face_extracted
from pipeline.faces import faces_in_image, read_faces, shrink
from pipeline.uploads import decode_upload

DATA = Path("/work/shared/data/faces")
LFW = DATA / "lfw"
OBAMA = DATA / "portraits/face_recognition/examples/obama.jpg"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared face data not mounted")


@pytest.fixture(scope="session")
def face_models(engines):
    """dlib's models, loaded once with the session's engines."""
    return engines.faces


def _upload(role: str, path: Path):
    return decode_upload(role, path.read_bytes())


def _jpeg(rgb: np.ndarray, exif_orientation: int | None = None) -> bytes:
    image = Image.fromarray(rgb)
    buffer = io.BytesIO()
    if exif_orientation is None:
        image.save(buffer, "JPEG", quality=92)
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def _kinds(checks) -> dict[str, tuple[str, list[ReasonCode]]]:
    return {check.name: (check.status, list(check.reasons)) for check in checks}


def test_same_person_matches_and_different_person_does_not(face_models, policy):
    same = read_faces(
        _upload("id_front", LFW / "Abel_Pacheco/Abel_Pacheco_0001.jpg"),
        _upload("selfie", LFW / "Abel_Pacheco/Abel_Pacheco_0004.jpg"),
        face_models,
    )
    other = read_faces(
        _upload("id_front", LFW / "Abel_Pacheco/Abel_Pacheco_0001.jpg"),
        _upload("selfie", LFW / "Angela_Bassett/Angela_Bassett_0002.jpg"),
        face_models,
    )
    assert same.distance is not None and same.distance < policy.number("faces.match_max_distance")
    assert other.distance is not None
    assert other.distance > policy.number("faces.mismatch_min_distance")
    assert _kinds(face_checks(same, policy))["face_match"] == ("pass", [])
    assert _kinds(face_checks(other, policy))["face_match"] == ("fail", [ReasonCode.FACE_MISMATCH])
    extracted = face_extracted(same, policy)
    assert (
        extracted["face.similarity"] > 0.9 > 0.1 > face_extracted(other, policy)["face.similarity"]
    )


def test_reading_is_measurements_only_and_round_trips_json(face_models):
    reading = read_faces(_upload("id_front", OBAMA), _upload("selfie", OBAMA), face_models)
    assert reading.distance is not None and reading.distance < 0.05
    selfie = reading.selfie
    assert selfie.status == "ok" and len(selfie.encoding or []) == 128
    assert selfie.chip_jpeg is not None and selfie.chip_jpeg[:2] == b"\xff\xd8"
    chip = cv2.imdecode(np.frombuffer(selfie.chip_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert 150 <= chip.shape[0] <= 200
    box = selfie.faces[0]
    assert 0 <= box.left < box.right <= selfie.width and 0 <= box.top < box.bottom <= selfie.height
    again = FaceReading.model_validate_json(reading.model_dump_json())
    assert again == reading


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_turned_photo_is_found_by_trying_rotations(face_models, turns):
    upright = cv2.imread(str(OBAMA))
    found_upright = faces_in_image(upright, face_models)
    turned = np.ascontiguousarray(np.rot90(upright, turns))
    found = faces_in_image(turned, face_models)
    assert found.status == "ok"
    assert found.rotation == (90 * turns) % 360
    gap = np.asarray(found.encoding) - np.asarray(found_upright.encoding)
    assert float(np.linalg.norm(gap)) < 0.15
    box = found.faces[0]  # in the turned image's own pixels
    centre = turned[(box.top + box.bottom) // 2, (box.left + box.right) // 2]
    assert 0 <= box.left < box.right <= turned.shape[1]
    assert 0 <= box.top < box.bottom <= turned.shape[0]
    assert centre is not None


def test_exif_orientation_is_applied_before_detection(face_models):
    rgb = cv2.imread(str(OBAMA))[:, :, ::-1]
    stored = np.ascontiguousarray(np.rot90(rgb, 1))  # stored turned; EXIF 6 says "rotate 90 CW"
    upload = decode_upload("selfie", _jpeg(stored, exif_orientation=6))
    assert upload.exif_rotated
    reading = read_faces(upload, upload, face_models)
    assert reading.selfie.status == "ok" and reading.selfie.rotation == 0


def test_no_face_in_dogs_photo(face_models, policy):
    selfie = _upload("selfie", DATA / "scenes/dogs.jpg")
    reading = read_faces(_upload("id_front", OBAMA), selfie, face_models)
    assert reading.selfie.status == "no_face"
    assert sorted(reading.selfie.rotations_tried) == [0, 90, 180, 270]
    kinds = _kinds(face_checks(reading, policy))
    assert kinds["selfie_face"] == ("fail", [ReasonCode.SELFIE_NO_FACE])
    assert kinds["face_match"] == ("inconclusive", [])
    assert face_extracted(reading, policy) == {"face.distance": None, "face.similarity": None}


def test_group_photo_is_multiple_faces(face_models, policy):
    reading = read_faces(
        _upload("id_front", OBAMA), _upload("selfie", DATA / "scenes/bbt1.jpg"), face_models
    )
    assert len(reading.selfie.faces) >= 2
    kinds = _kinds(face_checks(reading, policy))
    assert kinds["selfie_face"] == ("fail", [ReasonCode.SELFIE_MULTIPLE_FACES])
    assert "selfie_quality" not in kinds


def test_id_without_portrait_is_unreadable_not_mismatch(face_models, policy):
    reading = read_faces(
        _upload("id_front", DATA / "scenes/dogs.jpg"), _upload("selfie", OBAMA), face_models
    )
    assert _kinds(face_checks(reading, policy))["face_match"] == (
        "fail",
        [ReasonCode.ID_UNREADABLE],
    )


def test_invalid_upload_gives_empty_reading_and_no_reason(face_models, policy):
    reading = read_faces(
        decode_upload("id_front", b"not an image"), _upload("selfie", OBAMA), face_models
    )
    assert reading.id_portrait.status == "invalid" and reading.distance is None
    checks = face_checks(reading, policy)
    assert _kinds(checks)["face_match"] == ("inconclusive", [])
    both_bad = read_faces(
        decode_upload("id_front", None), decode_upload("selfie", b""), face_models
    )
    assert all(not check.reasons for check in face_checks(both_bad, policy))


def test_quality_measurements_follow_the_image(face_models, policy):
    sharp = cv2.imread(str(OBAMA))
    blurred = cv2.GaussianBlur(sharp, (0, 0), 6)
    dark = (sharp * 0.18).astype(np.uint8)
    m_sharp = faces_in_image(sharp, face_models).measurements
    m_blur = faces_in_image(blurred, face_models).measurements
    m_dark = faces_in_image(dark, face_models).measurements
    assert m_sharp is not None and m_blur is not None and m_dark is not None
    assert m_blur.blur < policy.number("selfie_quality.min_blur") < m_sharp.blur
    assert m_dark.brightness < policy.number("selfie_quality.min_brightness") < m_sharp.brightness
    assert abs(m_sharp.yaw) < 15 and abs(m_sharp.roll) < 10
    assert m_sharp.eye_openness > policy.number("selfie_quality.min_eye_openness")
    reading = read_faces(
        _upload("id_front", OBAMA), decode_upload("selfie", _jpeg(blurred[:, :, ::-1])), face_models
    )
    kinds = _kinds(face_checks(reading, policy))
    assert kinds["selfie_quality"] == ("fail", [ReasonCode.SELFIE_QUALITY])
    good = read_faces(_upload("id_front", OBAMA), _upload("selfie", OBAMA), face_models)
    assert _kinds(face_checks(good, policy))["selfie_quality"] == ("pass", [])


def test_twelve_megapixel_selfie_reads_like_the_photo_it_was_made_from(face_models):
    """The large-image path (crop shrunk in place, in two steps) keeps encoding and measures."""
    photo = cv2.imread(str(OBAMA))
    big = cv2.resize(photo, None, fx=3.5, fy=3.5, interpolation=cv2.INTER_CUBIC)  # ~12.7 MP
    small_read, big_read = faces_in_image(photo, face_models), faces_in_image(big, face_models)
    assert small_read.status == big_read.status == "ok"
    gap = np.asarray(big_read.encoding) - np.asarray(small_read.encoding)
    assert float(np.linalg.norm(gap)) < 0.08
    small_m, big_m = small_read.measurements, big_read.measurements
    assert small_m is not None and big_m is not None
    assert abs(big_m.yaw - small_m.yaw) < 5 and abs(big_m.roll - small_m.roll) < 3
    assert abs(big_m.brightness - small_m.brightness) < 5
    assert abs(big_m.relative_size - small_m.relative_size) < 0.05


def test_shrink_matches_one_area_resize():
    photo = cv2.imread(str(OBAMA))
    camera = cv2.resize(photo, None, fx=3.5, fy=3.5, interpolation=cv2.INTER_CUBIC)
    for factor in (0.45, 0.23, 0.12, 0.08):
        one_step = cv2.resize(camera, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        shrunk = shrink(camera, factor)
        height, width = (
            min(shrunk.shape[0], one_step.shape[0]),
            min(shrunk.shape[1], one_step.shape[1]),
        )
        assert abs(shrunk.shape[0] - one_step.shape[0]) <= 1 >= abs(shrunk.shape[1] - width)
        gap = shrunk[:height, :width].astype(int) - one_step[:height, :width]
        assert float(np.abs(gap).mean()) < 0.6
