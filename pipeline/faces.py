"""Stage: the ID portrait against the selfie, and whether the selfie is usable.

``read_faces`` measures (no policy, cached by content hash): per image it detects faces on a
copy about 800 px on its long side (HOG; upsampled when nothing is found; the other upright
rotations tried before giving up; in the selfie, whose faces are counted, a second search half a
pyramid step off the first looks for faces the first missed: see ``_more_faces``), then, on a
crop of the largest face (half a face side of margin, cut from the decoded image in place and
shrunk so the face is at most 320 px), predicts 68 landmarks, aligns a 150 px chip on the
5-point landmarks (dlib's recipe) and encodes the chip and its mirror image with dlib's ResNet,
averaging both descriptors (test-time augmentation) and scaling the mean to unit length.
Distances between unit templates (0 to 2; dlib's raw-descriptor scale, where 0.6 is the usual
tolerance, does not apply) separate people better on LFW: at a false-match rate of 1e-3 the
false non-match rate drops from 7.5 % to 5.7 % (face-bench).
The mirror costs half the stage's CPU but is kept: without it LFW accuracy falls to 98.3 %
(face_recognition: 98.7 %) and the false non-match rate at FMR 1e-3 rises to 7.5 % (ratio 0.88 to
face_recognition's, target <= 0.7); see docs/performance.md, hot spot 4.
Boxes are in pixels of the upload as decoded; aligned 192 px chips are kept as JPEG evidence.

The policy is applied by :mod:`pipeline.face_checks`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import cv2
import numpy as np

from models.faces import FaceBox, FaceMeasurements, FaceReading, ImageFaces
from pipeline import face_quality
from pipeline.engines.dlib_faces import Box, Detection, FaceModels, point_array
from pipeline.uploads import Upload

#: Long side (px) of the copy the detector searches.
DETECT_SIDE = 800
#: The face crop is resampled so the face box is at most this many pixels before landmarks.
CROP_FACE_SIDE = 320
#: Margin (in face-box sides) kept around the box: the encoder's chip needs ~0.15, the
#: evidence chip ~0.3 (0.45 with the head rolled by 15 degrees).
CROP_MARGIN = 0.5
EVIDENCE_CHIP_SIZE = 192
EVIDENCE_CHIP_PADDING = 0.4
ROTATIONS = (0, 90, 270, 180)
TILT = 15.0
#: Detections in a turned or tilted image must be clearly faces (turned searches add false positives).
MIN_SCORE_TURNED = 0.5
#: dlib's HOG detector slides an 80 px window over an image pyramid whose levels shrink by 5/6.
PYRAMID_STEP = 5 / 6
#: The selfie's second search keeps its largest face at least twice this (px): a face half the
#: subject's side (a second person counts from there) stays above the 80 px window.
MORE_FACES_MIN_SIDE = 90
#: A second-search hit overlapping a face already found by this share of the smaller box is that face.
SAME_FACE_OVERLAP = 0.3
METHOD = (
    "hog@800/up0-1,rot, selfie +hog@half-step; lm68+5 on crop<=320 m0.5; chip150 p0.25; "
    "resnet mean(chip,mirror), L2=1"
)


# --------------------------------------------------------------------------- reading


def read_faces(id_front: Upload, selfie: Upload, models: FaceModels) -> FaceReading:
    """Measure the faces of the ID front and the selfie; never raises on bad input."""
    started = time.perf_counter()
    portrait = read_image_faces(id_front, models)
    person = read_image_faces(selfie, models, count=True)
    distance = None
    if portrait.encoding is not None and person.encoding is not None:
        gap = np.asarray(portrait.encoding) - np.asarray(person.encoding)
        distance = float(np.linalg.norm(gap))
    total = (time.perf_counter() - started) * 1000.0
    return FaceReading(
        id_portrait=portrait,
        selfie=person,
        distance=distance,
        method=METHOD,
        timings_ms={"total": round(total, 1)},
    )


def read_image_faces(upload: Upload, models: FaceModels, count: bool = False) -> ImageFaces:
    """Faces of one upload, with measurements, encoding and chip of the largest.

    ``count``: every face matters, not only the largest (the selfie): see :func:`faces_in_image`.
    """
    if upload.kind == "invalid":
        return ImageFaces(status="invalid")
    if upload.kind != "image" or upload.image is None or upload.image.ndim != 3:
        return ImageFaces(status="not_image")
    return in_file_pixels(faces_in_image(upload.image, models, count=count), upload.reduction)


def in_file_pixels(found: ImageFaces, reduction: int) -> ImageFaces:
    """``found`` (measured on an image decoded at 1/``reduction`` size) in the file's pixels.

    Boxes, the image size and ``face_px`` are scaled back, so the quality gates and the
    evidence read the same as for a full-size decode; the other measurements do not depend on
    the pixel size (relative sizes, angles, ratios, and sharpness and exposure measured on the
    face resampled to ``face_quality.QUALITY_SIDE``).
    """
    if reduction == 1:
        return found
    boxes = [
        box.model_copy(
            update={
                "left": box.left * reduction,
                "top": box.top * reduction,
                "right": box.right * reduction,
                "bottom": box.bottom * reduction,
            }
        )
        for box in found.faces
    ]
    measured = found.measurements
    if measured is not None:
        measured = measured.model_copy(update={"face_px": measured.face_px * reduction})
    return found.model_copy(
        update={
            "width": found.width * reduction,
            "height": found.height * reduction,
            "faces": boxes,
            "measurements": measured,
        }
    )


def faces_in_image(
    bgr: np.ndarray, models: FaceModels, pick: str = "largest", count: bool = False
) -> ImageFaces:
    """Faces of a BGR ``uint8`` image (the work of :func:`read_image_faces`).

    The face measured is the largest (the subject of a selfie or the portrait of an ID), or with
    ``pick="central"`` the one nearest the image centre (LFW's convention, for benchmarks).
    With ``count`` the image is searched a second time for faces the first search missed
    (:func:`_more_faces`; ``timings_ms["more_faces"]``).
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    height, width = bgr.shape[:2]
    found = _detect_upright(bgr, models, count)
    timings["detect"] = _ms(clock)
    if found.more_ms is not None:
        timings["more_faces"] = found.more_ms
    if found.detections is None:
        return ImageFaces(
            status="no_face",
            width=width,
            height=height,
            rotations_tried=found.tried,
            timings_ms=timings,
        )
    upright = _turned(bgr, found.rotation)
    boxes = sorted(found.detections, key=lambda d: -_side(d.box))
    chosen = _central(boxes, upright.shape[1], upright.shape[0]) if pick == "central" else 0
    clock = time.perf_counter()
    face = _describe_face(upright, boxes[chosen].box, models)
    timings["encode"] = _ms(clock)
    return ImageFaces(
        status="ok",
        width=width,
        height=height,
        rotation=found.rotation,
        rotations_tried=found.tried,
        upsample=found.upsample,
        faces=[_face_box(d, found.rotation, width, height) for d in boxes],
        chosen=chosen,
        measurements=face.measurements,
        encoding=[round(float(v), 6) for v in face.encoding],
        chip_jpeg=face.chip_jpeg,
        timings_ms=timings,
    )


class _Found:
    """Detections (boxes in the rotated full-resolution frame) and how they were found."""

    def __init__(self) -> None:
        self.detections: list[Detection] | None = None
        self.rotation = 0
        self.upsample = 0
        self.tried: list[int] = []
        self.more_ms: float | None = None


def _detect_upright(bgr: np.ndarray, models: FaceModels, count: bool = False) -> _Found:
    """Search each upright rotation (plain, then upsampled) until faces appear.

    Before turning the image, the plain orientation is also searched tilted by +-15 degrees
    (a card photographed askew: HOG misses faces rolled by more than ~10 degrees). With
    ``count``, faces found without upsampling are followed by :func:`_more_faces`.
    """
    found = _Found()
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    scale = DETECT_SIDE / max(grey.shape)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=interpolation)
    for rotation, tilt, upsample in _attempts():
        if rotation not in found.tried:
            found.tried.append(rotation)
        turned = np.ascontiguousarray(np.rot90(small, k=-rotation // 90))
        hits = _detect_tilted(turned, tilt, upsample, models)
        if rotation or tilt:
            hits = [hit for hit in hits if hit.score >= MIN_SCORE_TURNED]
        if hits:
            if count and not upsample:
                clock = time.perf_counter()
                hits = hits + _more_faces(turned, tilt, hits, models, bool(rotation or tilt))
                found.more_ms = _ms(clock)
            found.detections = [Detection(_rescale(h.box, 1 / scale), h.score) for h in hits]
            found.rotation, found.upsample = rotation, upsample
            break
    return found


def _more_faces(
    image: np.ndarray, tilt: float, hits: list[Detection], models: FaceModels, turned: bool
) -> list[Detection]:
    """Faces in ``image`` that ``hits`` (its first search) missed, from a second search.

    The HOG detector sees a face at the pyramid level whose 80 px window fits it best; a face
    whose size falls between two levels (5/6 apart) scores up to ~1 lower, and a slightly turned
    second face can drop under the threshold. In a generated two-person selfie the turned face
    scored -0.09 at 800 px (missed: the selfie was verified) and 0.53-0.68 half a step off, its
    score cycling with the scale, one period per pyramid step. The second search runs on a copy
    scaled by (5/6)^(k + 1/2), the smallest that keeps the largest face at least
    2 x ``MORE_FACES_MIN_SIDE``, so each face is seen half a step from where the first search
    saw it. Hits overlapping a face already found are that face. Not run after an upsampled
    search (its faces are small; a copy upsampled again would cost 4x).
    """
    largest = max(_side(hit.box) for hit in hits)
    steps = math.log(2 * MORE_FACES_MIN_SIDE / largest) / math.log(PYRAMID_STEP) - 0.5
    factor = PYRAMID_STEP ** (max(0, math.floor(steps)) + 0.5)
    smaller = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    more = [
        Detection(_rescale(hit.box, 1 / factor), hit.score)
        for hit in _detect_tilted(smaller, tilt, 0, models)
        if hit.score >= (MIN_SCORE_TURNED if turned else 0.0)
    ]
    return [hit for hit in more if not any(_same_face(hit.box, h.box) for h in hits)]


def _same_face(a: Box, b: Box) -> bool:
    """Whether two boxes overlap by ``SAME_FACE_OVERLAP`` of the smaller one's area.

    >>> _same_face((0, 0, 100, 100), (40, 10, 140, 110))
    True
    >>> _same_face((0, 0, 100, 100), (80, 0, 180, 100))  # side by side, 20 % overlap
    False
    """
    wide = min(a[2], b[2]) - max(a[0], b[0])
    high = min(a[3], b[3]) - max(a[1], b[1])
    if wide <= 0 or high <= 0:
        return False
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return wide * high >= SAME_FACE_OVERLAP * smaller


def _detect_tilted(
    image: np.ndarray, tilt: float, upsample: int, models: FaceModels
) -> list[Detection]:
    """Detections on ``image`` turned by ``tilt`` degrees, boxes mapped back to ``image``."""
    if not tilt:
        return models.detect(image, upsample)
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), tilt, 1.0)
    turned = cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
    back = cv2.invertAffineTransform(matrix)
    mapped = []
    for hit in models.detect(turned, upsample):
        half = _side(hit.box) / 2
        cx, cy = back @ np.array(
            [(hit.box[0] + hit.box[2]) / 2, (hit.box[1] + hit.box[3]) / 2, 1.0]
        )
        box = (int(cx - half), int(cy - half), int(cx + half), int(cy + half))
        mapped.append(Detection(box, hit.score))
    return mapped


def _attempts() -> Iterator[tuple[int, float, int]]:
    """(clockwise rotation, tilt in degrees, upsampling) in the order they are tried."""
    for rotation in ROTATIONS:
        tilts = (0.0, TILT, -TILT) if rotation == 0 else (0.0,)
        for tilt in tilts:
            yield rotation, tilt, 0
            yield rotation, tilt, 1


class _Described:
    def __init__(self, measurements: FaceMeasurements, encoding: np.ndarray, chip_jpeg: bytes):
        self.measurements = measurements
        self.encoding = encoding
        self.chip_jpeg = chip_jpeg


def _turned(bgr: np.ndarray, rotation: int) -> np.ndarray:
    """``bgr`` turned clockwise by ``rotation`` degrees (the array itself when upright)."""
    if rotation == 0:
        return bgr
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(bgr, codes[rotation])


def _describe_face(bgr: np.ndarray, box: Box, models: FaceModels) -> _Described:
    """Landmarks, measurements, encoding and evidence chip of the face in ``box``.

    ``bgr`` is the upright BGR image; the crop around the face is converted to RGB (dlib's
    order) only after it has been shrunk.
    """
    crop, crop_box = _face_crop(bgr, box)
    shape68 = models.landmarks(crop, crop_box, 68)
    shape5 = models.landmarks(crop, crop_box, 5)
    chip = models.chip(crop, shape5)
    descriptors = models.encode([chip, np.ascontiguousarray(chip[:, ::-1])])
    evidence = models.chip(crop, shape5, EVIDENCE_CHIP_SIZE, EVIDENCE_CHIP_PADDING)
    measured = _measure(bgr, box, crop, crop_box, point_array(shape68))
    return _Described(measured, unit_template(descriptors.mean(axis=0)), _jpeg(evidence))


def unit_template(descriptor: np.ndarray) -> np.ndarray:
    """A descriptor scaled to unit length (distances then depend on angle only).

    >>> unit_template(np.array([3.0, 4.0])).tolist()
    [0.6, 0.8]
    """
    norm = float(np.linalg.norm(descriptor))
    return descriptor / norm if norm > 0 else descriptor


def _face_crop(bgr: np.ndarray, box: Box) -> tuple[np.ndarray, Box]:
    """An RGB crop around ``box`` (``CROP_MARGIN`` of margin), shrunk so the face is <= CROP_FACE_SIDE.

    The crop is a view of ``bgr`` until it is resampled (no full-resolution copy).
    """
    side = _side(box)
    margin = int(round(CROP_MARGIN * side))
    height, width = bgr.shape[:2]
    left, top = max(box[0] - margin, 0), max(box[1] - margin, 0)
    right, bottom = min(box[2] + margin, width), min(box[3] + margin, height)
    crop = bgr[top:bottom, left:right]
    inner = (box[0] - left, box[1] - top, box[2] - left, box[3] - top)
    factor = CROP_FACE_SIDE / side
    if factor >= 1.0:
        return cv2.cvtColor(crop, cv2.COLOR_BGR2RGB), inner
    return cv2.cvtColor(shrink(crop, factor), cv2.COLOR_BGR2RGB), _rescale(inner, factor)


def shrink(image: np.ndarray, factor: float) -> np.ndarray:
    """``image`` scaled by ``factor`` < 1 with pixel-area averaging (``INTER_AREA``).

    Reductions below a quarter first average whole blocks of k x k pixels (OpenCV's fast integer
    path; k leaves between a half and a third to go), then scale the rest of the way: a 12 MP
    selfie's face crop shrunk by 0.24 costs about half of one fractional ``INTER_AREA`` over the
    full crop. Pixel coordinates map as in one
    ``cv2.resize(image, None, fx=factor, fy=factor)`` (the size may differ by one pixel); on phone
    photos the pixels differ from that by under half a grey level on average.

    >>> shrink(np.full((1000, 900, 3), 7, np.uint8), 0.3).shape
    (300, 270, 3)
    """
    block = int(0.5 / factor)
    if block >= 2:
        height, width = image.shape[:2]
        image = cv2.resize(
            image[: height - height % block, : width - width % block],
            (width // block, height // block),
            interpolation=cv2.INTER_AREA,
        )
        factor *= block
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def _measure(
    bgr: np.ndarray, box: Box, crop: np.ndarray, crop_box: Box, points: np.ndarray
) -> FaceMeasurements:
    grey = face_quality.normalised_grey(bgr, box)
    yaw, pitch, roll = face_quality.head_pose(points)
    crop_grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return FaceMeasurements(
        face_px=_side(box),
        relative_size=round(_side(box) / min(bgr.shape[:2]), 4),
        blur=round(face_quality.blur_variance(grey), 2),
        **{k: round(v, 4) for k, v in face_quality.exposure(grey).items()},
        yaw=round(yaw, 2),
        pitch=round(pitch, 2),
        roll=round(roll, 2),
        eye_openness=round(face_quality.eye_openness(points), 4),
        eye_contrast=round(face_quality.eye_contrast(crop_grey, points, crop_box), 4),
        colour_saturation=round(face_quality.saturation(crop, crop_box), 2),
    )


def _central(hits: list[Detection], width: int, height: int) -> int:
    """Index of the detection whose centre is nearest the image centre."""
    gaps = [
        ((h.box[0] + h.box[2]) / 2 - width / 2) ** 2 + ((h.box[1] + h.box[3]) / 2 - height / 2) ** 2
        for h in hits
    ]
    return int(np.argmin(gaps))


def _face_box(hit: Detection, rotation: int, width: int, height: int) -> FaceBox:
    """A detection in the rotated frame mapped back to the upload's own pixels."""
    left, top, right, bottom = _unrotate(hit.box, rotation, width, height)
    side = max(right - left, bottom - top)
    return FaceBox(
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        relative_size=round(side / min(width, height), 4),
        score=round(hit.score, 4),
    )


def _unrotate(box: Box, rotation: int, width: int, height: int) -> Box:
    """Map a box found after turning a ``width`` x ``height`` image clockwise by ``rotation``.

    >>> _unrotate((10, 20, 30, 40), 0, 100, 50)
    (10, 20, 30, 40)
    >>> _unrotate((10, 20, 30, 40), 90, 100, 50)
    (20, 20, 40, 40)
    >>> _unrotate((10, 20, 30, 40), 180, 100, 50)
    (70, 10, 90, 30)
    """
    x0, y0, x1, y1 = box
    if rotation == 90:  # rotated (x, y) <- original (y, H - x)
        return y0, height - x1, y1, height - x0
    if rotation == 180:
        return width - x1, height - y1, width - x0, height - y0
    if rotation == 270:
        return width - y1, x0, width - y0, x1
    return box


def _rescale(box: Box, factor: float) -> Box:
    return (
        int(round(box[0] * factor)),
        int(round(box[1] * factor)),
        int(round(box[2] * factor)),
        int(round(box[3] * factor)),
    )


def _side(box: Box) -> int:
    return max(box[2] - box[0], box[3] - box[1])


def _jpeg(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(
        ".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 90]
    )
    return bytes(data) if ok else b""


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000.0, 1)
