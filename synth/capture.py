"""Phone capture: a flat document image photographed on a surface, then JPEG-encoded."""

from __future__ import annotations

import io
import math
import random

import cv2
import numpy as np
from PIL import Image

from synth.textures import surface

#: EXIF orientation tag -> np.rot90 turns that produce the stored pixels from the upright image.
_STORED_TURNS = {6: 1, 8: -1, 3: 2}


def _quad(
    rng: random.Random, w: float, h: float, frame: tuple[int, int], max_angle: float
) -> np.ndarray:
    """Corners (tl, tr, br, bl) of a ``w`` x ``h`` document rotated, tilted and placed."""
    fw, fh = frame
    angle = math.radians(max(-max_angle, min(max_angle, rng.gauss(0, max_angle / 2.2))))
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    tilt = rng.uniform(0.0, 0.06)
    side = rng.choice([0, 1, 2, 3])
    shrink = np.ones(4)
    shrink[[side, (side + 1) % 4]] = 1 - tilt
    corners = corners * shrink[:, None]
    corners += np.array(
        [[rng.uniform(-1, 1) * w * 0.015, rng.uniform(-1, 1) * h * 0.015] for _ in range(4)]
    )
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    pts = corners @ rot.T
    span = pts.max(0) - pts.min(0)
    scale = min(1.0, 0.97 * fw / span[0], 0.97 * fh / span[1])
    pts *= scale
    room = np.array([fw, fh]) - (pts.max(0) - pts.min(0))
    centre = np.array([fw / 2, fh / 2]) + np.array(
        [rng.uniform(-0.4, 0.4) * room[0], rng.uniform(-0.4, 0.4) * room[1]]
    )
    return (pts + centre).astype(np.float32)


def _rounded_mask(w: int, h: int, radius: int) -> np.ndarray:
    mask = np.full((h, w), 255, np.uint8)
    if radius <= 0:
        return mask
    mask[:radius, :radius] = mask[:radius, -radius:] = 0
    mask[-radius:, :radius] = mask[-radius:, -radius:] = 0
    for cx, cy in (
        (radius, radius),
        (w - radius - 1, radius),
        (radius, h - radius - 1),
        (w - radius - 1, h - radius - 1),
    ):
        cv2.circle(mask, (cx, cy), radius, 255, -1, lineType=cv2.LINE_AA)
    return mask


def _light_field(rng: random.Random, w: int, h: int, dark: bool) -> np.ndarray:
    """Per-pixel gain (float32, h x w): a directional gradient, a vignette, maybe a shadow."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    x /= w
    y /= h
    theta = rng.uniform(0, 2 * math.pi)
    grad = (x - 0.5) * math.cos(theta) + (y - 0.5) * math.sin(theta)
    field = rng.uniform(0.95, 1.1) + rng.uniform(0.1, 0.35) * grad
    field -= rng.uniform(0.05, 0.25) * ((x - 0.5) ** 2 + (y - 0.5) ** 2)
    if rng.random() < 0.35:
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.15, 0.4)
        field -= rng.uniform(0.1, 0.25) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    if dark:
        field *= rng.uniform(0.12, 0.2)
    return field.astype(np.float32)


def _folds(page: np.ndarray, rng: random.Random) -> np.ndarray:
    """Horizontal folds of a letter page folded in three: a crease line and shaded panels."""
    h = page.shape[0]
    gain = np.ones(h, np.float32)
    for third in (1 / 3, 2 / 3):
        y0 = int(h * (third + rng.uniform(-0.02, 0.02)))
        width = max(2, int(h * rng.uniform(0.01, 0.03)))
        start = max(0, y0 - width)
        gain[start:y0] *= np.linspace(1.0, rng.uniform(0.9, 0.96), width)[width - (y0 - start) :]
        gain[y0 : y0 + 2] *= rng.uniform(0.8, 0.9)
    panel = rng.uniform(0.96, 1.0)
    gain[h // 3 : 2 * h // 3] *= panel
    return (page.astype(np.float32) * gain[:, None, None]).clip(0, 255).astype(np.uint8)


def _glare(card: np.ndarray, rng: random.Random) -> np.ndarray:
    """A soft specular highlight on laminated plastic."""
    h, w = card.shape[:2]
    sh, sw = max(8, h // 8), max(8, w // 8)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * sw, rng.uniform(0.2, 0.8) * sh
    rx, ry = rng.uniform(0.1, 0.3) * sw, rng.uniform(0.05, 0.15) * sh
    theta = rng.uniform(0, math.pi)
    u = (x - cx) * math.cos(theta) + (y - cy) * math.sin(theta)
    v = -(x - cx) * math.sin(theta) + (y - cy) * math.cos(theta)
    spot = np.exp(-((u / rx) ** 2 + (v / ry) ** 2)) * rng.uniform(0.2, 0.4)
    alpha = cv2.resize(spot.astype(np.float32), (w, h))[..., None]
    return (card * (1 - alpha) + 255 * alpha).astype(np.uint8)


def _small(img: np.ndarray, factor: int) -> np.ndarray:
    h, w = img.shape[:2]
    return cv2.resize(img, (max(2, w // factor), max(2, h // factor)), interpolation=cv2.INTER_AREA)


def photograph(
    doc: Image.Image, rng: random.Random, long_side: int, kind: str, unreadable: bool = False
) -> np.ndarray:
    """The document photographed with a phone (BGR): background, perspective, light, blur, noise.

    ``kind`` is "card" (ID cards, landscape frame, rounded corners) or "page" (bills).
    ``unreadable`` makes the photo very dark and heavily blurred.
    """
    portrait = kind == "page" or doc.size[1] > doc.size[0] or rng.random() < 0.15
    fw, fh = (
        (round(long_side * 0.75), long_side) if portrait else (long_side, round(long_side * 0.75))
    )
    nprng = np.random.default_rng(rng.getrandbits(32))
    frame = surface(nprng, fw, fh)
    dw, dh = doc.size
    fill = rng.uniform(0.6, 0.88) if kind == "card" else rng.uniform(0.8, 0.95)
    scale = min(fw * fill / dw, fh * fill / dh)
    tw, th = max(8, round(dw * scale)), max(8, round(dh * scale))
    src = cv2.cvtColor(np.asarray(doc.convert("RGB")), cv2.COLOR_RGB2BGR)
    src = cv2.resize(src, (tw, th), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    if kind == "page" and rng.random() < 0.6:
        src = _folds(src, rng)
    if kind == "card" and rng.random() < 0.4:
        src = _glare(src, rng)
    quad = _quad(rng, tw, th, (fw, fh), 15.0)
    matrix = cv2.getPerspectiveTransform(
        np.array([[0, 0], [tw, 0], [tw, th], [0, th]], np.float32), quad
    )
    radius = round(tw * 0.035) if kind == "card" else 0
    warped = cv2.warpPerspective(src, matrix, (fw, fh), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(_rounded_mask(tw, th, radius), matrix, (fw, fh))
    alpha_f = alpha.astype(np.float32) / 255
    frame = cv2.blendLinear(warped, frame, alpha_f, 1 - alpha_f)
    k = 8
    small_alpha = _small(alpha_f, k)
    sh, sw = small_alpha.shape
    off = np.float32(
        [[1, 0, rng.uniform(-1, 1) * sw * 0.01], [0, 1, rng.uniform(0.2, 1) * sh * 0.012]]
    )
    shadow = cv2.GaussianBlur(cv2.warpAffine(small_alpha, off, (sw, sh)), (0, 0), sw * 0.008 + 0.5)
    shadow = np.clip(shadow - small_alpha, 0, 1)
    gain = _light_field(rng, sw, sh, unreadable) * (1 - rng.uniform(0.3, 0.55) * shadow)
    tint = (rng.uniform(0.92, 1.04), rng.uniform(0.97, 1.02), rng.uniform(0.96, 1.08))
    small_gain = cv2.merge([np.clip(gain * (t * 128), 0, 255).astype(np.uint8) for t in tint])
    gain8 = cv2.resize(small_gain, (fw, fh), interpolation=cv2.INTER_LINEAR)
    frame = cv2.multiply(frame, gain8, scale=1 / 128)
    sigma = rng.uniform(0.3, 1.0) * long_side / 2000
    if unreadable:
        sigma = rng.uniform(7, 11) * long_side / 2000
    frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    return add_noise(frame, rng)


def add_noise(img: np.ndarray, rng: random.Random, strength: float = 1.0) -> np.ndarray:
    """Sensor noise as a phone leaves it after denoising: soft grain plus a little fine noise."""
    h, w = img.shape[:2]
    cv2.setRNGSeed(rng.getrandbits(31))
    hh, hw = h // 2 + 1, w // 2 + 1
    coarse = np.empty((hh // 2 + 1, hw // 2 + 1), np.float32)
    cv2.randn(coarse, 0, rng.uniform(1.5, 4) * strength)
    fine = np.empty((hh, hw), np.float32)
    cv2.randn(fine, 0, rng.uniform(0.5, 1.5) * strength)
    grain = (cv2.resize(coarse, (hw, hh), interpolation=cv2.INTER_LINEAR) + fine).astype(np.int16)
    grain3 = cv2.resize(cv2.merge([grain, grain, grain]), (w, h), interpolation=cv2.INTER_NEAREST)
    return cv2.add(img, grain3, dtype=cv2.CV_8U)


def encode_jpeg(
    bgr: np.ndarray, rng: random.Random, quality: int, sideways_prob: float = 0.0
) -> bytes:
    """JPEG bytes; with ``sideways_prob`` the pixels are stored turned, with an EXIF tag that
    tells a viewer how to turn them back upright."""
    rgb = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    exif = Image.Exif()
    exif[0x010F] = rng.choice(["samsung", "Apple", "Xiaomi", "motorola", "HUAWEI", "OPPO"])
    if rng.random() < sideways_prob:
        tag = rng.choice([6, 6, 6, 8, 3])
        rgb = np.ascontiguousarray(np.rot90(rgb, _STORED_TURNS[tag]))
        exif[0x0112] = tag
    else:
        exif[0x0112] = 1
    buf = io.BytesIO()
    Image.fromarray(rgb).save(
        buf, "JPEG", quality=quality, exif=exif.tobytes(), subsampling=2 if quality < 85 else 0
    )
    return buf.getvalue()
