"""Face quality measurements: sharpness, exposure, pose and eyes, from pixels and landmarks.

Pure functions of numpy arrays; thresholds are applied by ``face_checks.face_checks`` from the policy.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

#: Side of the grey crop blur and exposure are measured on, so they do not depend on photo size.
QUALITY_SIDE = 128

#: Depth (relative to half the face width) of the jaw landmarks 1 and 15 behind the nose tip, and
#: heights/depths (mm) of the eye line and chin relative to the nose tip, of an average head
#: (eye height set so that a frontal face gives dlib's typical nose share of 0.29).
_JAW_DEPTH_RATIO = 0.476
_EYE_Y, _EYE_Z, _CHIN_Y, _CHIN_Z = 135.0, -135.0, -330.0, -65.0
_LEFT_EYE = list(range(36, 42))
_RIGHT_EYE = list(range(42, 48))


def normalised_grey(image_bgr: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The face box (clipped to the BGR image) as a ``QUALITY_SIDE`` square grey crop.

    The box is read through a view of the image (OpenCV reads the sub-array in place).
    """
    left, top, right, bottom = _clip_box(box, image_bgr.shape[1], image_bgr.shape[0])
    crop = cv2.cvtColor(image_bgr[top:bottom, left:right], cv2.COLOR_BGR2GRAY)
    shrinking = crop.shape[0] > QUALITY_SIDE
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    return cv2.resize(crop, (QUALITY_SIDE, QUALITY_SIDE), interpolation=interpolation)


def blur_variance(grey: np.ndarray) -> float:
    """Variance of the Laplacian (higher = sharper).

    >>> flat = np.full((32, 32), 128, np.uint8)
    >>> blur_variance(flat)
    0.0
    >>> edges = np.tile(np.array([0, 255], np.uint8), (32, 16))
    >>> blur_variance(edges) > 1000
    True
    """
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def exposure(grey: np.ndarray) -> dict[str, float]:
    """Mean, spread and clipped fractions of a grey crop.

    >>> exposure(np.zeros((4, 4), np.uint8))["dark_fraction"]
    1.0
    """
    return {
        "brightness": float(grey.mean()),
        "contrast": float(grey.std()),
        "dark_fraction": float((grey <= 8).mean()),
        "bright_fraction": float((grey >= 247).mean()),
    }


def saturation(image_rgb: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean HSV saturation (0-255) in the face box: ~0 for a grey print."""
    left, top, right, bottom = _clip_box(box, image_rgb.shape[1], image_rgb.shape[0])
    crop = np.ascontiguousarray(image_rgb[top:bottom, left:right])
    return float(cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)[:, :, 1].mean())


def head_pose(points: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from 68 landmarks, about 0 for a frontal upright face.

    Roll is the tilt of the line through the eye centres. In the roll-corrected frame, yaw comes
    from where the nose tip sits between the jaw landmarks 1 and 15, and pitch from where it sits
    between the eye line and the chin, each inverted through an average head's geometry
    (orthographic projection). Approximate (+-10 degrees), but robust: no iterative 3D fit.

    >>> frontal = np.zeros((68, 2))
    >>> frontal[[1, 15, 30, 8]] = [(-100, 0), (100, 0), (0, 0), (0, 330 * 100 / 210)]
    >>> frontal[36:42], frontal[42:48] = (-50, -135 * 100 / 210), (50, -135 * 100 / 210)
    >>> [round(abs(v), 1) for v in head_pose(frontal)]
    [0.0, 0.0, 0.0]
    """
    roll = _roll(points)
    angle = math.radians(-roll)
    turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    upright = (points - points.mean(axis=0)) @ turn.T
    return _yaw(upright), _pitch(upright), roll


def _yaw(upright: np.ndarray) -> float:
    left = upright[30, 0] - upright[1, 0]
    right = upright[15, 0] - upright[30, 0]
    if left + right <= 0:
        return 90.0
    ratio = (left - right) / (left + right)
    return math.degrees(math.atan2(ratio, _JAW_DEPTH_RATIO))


def _pitch(upright: np.ndarray) -> float:
    eye_y = upright[36:48, 1].mean()
    span = upright[8, 1] - eye_y
    if span <= 0:
        return 90.0
    share = (upright[30, 1] - eye_y) / span  # ~0.29 for a frontal face (dlib landmarks)
    top = (_EYE_Y - _CHIN_Y) * share - _EYE_Y
    bottom = (_EYE_Z - _CHIN_Z) * share - _EYE_Z
    return math.degrees(math.atan2(-top, bottom))


def _roll(points: np.ndarray) -> float:
    left = points[_LEFT_EYE].mean(axis=0)
    right = points[_RIGHT_EYE].mean(axis=0)
    return math.degrees(math.atan2(right[1] - left[1], right[0] - left[0]))


def eye_openness(points: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes (68-point landmarks).

    >>> pts = np.zeros((68, 2))
    >>> for start in (36, 42):
    ...     pts[start:start + 6] = [(0, 0), (1, -1), (2, -1), (3, 0), (2, 1), (1, 1)]
    >>> round(eye_openness(pts), 3)
    0.667
    """
    return float(np.mean([_aspect_ratio(points[idx]) for idx in (_LEFT_EYE, _RIGHT_EYE)]))


def _aspect_ratio(eye: np.ndarray) -> float:
    vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
    horizontal = np.linalg.norm(eye[0] - eye[3])
    return float(vertical / (2.0 * horizontal)) if horizontal > 0 else 0.0


def eye_contrast(
    grey_image: np.ndarray, points: np.ndarray, box: tuple[int, int, int, int]
) -> float:
    """Grey-level spread of the eye region over that of the face box (0 = flat, e.g. covered)."""
    eyes = points[_LEFT_EYE + _RIGHT_EYE]
    width = eyes[:, 0].max() - eyes[:, 0].min()
    pad = 0.15 * width
    eye_box = (
        int(eyes[:, 0].min() - pad),
        int(eyes[:, 1].min() - pad),
        int(eyes[:, 0].max() + pad),
        int(eyes[:, 1].max() + pad),
    )
    height, full_width = grey_image.shape[:2]
    el, et, er, eb = _clip_box(eye_box, full_width, height)
    fl, ft, fr, fb = _clip_box(box, full_width, height)
    face_std = float(grey_image[ft:fb, fl:fr].std())
    eye_std = float(grey_image[et:eb, el:er].std())
    return eye_std / face_std if face_std > 0 else 0.0


def _clip_box(box: tuple[int, int, int, int], width: int, height: int) -> tuple[int, int, int, int]:
    """A box clipped to the image, at least one pixel wide and high.

    >>> _clip_box((-5, -5, 500, 20), 100, 50)
    (0, 0, 100, 20)
    """
    left = min(max(box[0], 0), width - 1)
    top = min(max(box[1], 0), height - 1)
    right = max(min(box[2], width), left + 1)
    bottom = max(min(box[3], height), top + 1)
    return left, top, right, bottom
