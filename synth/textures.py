"""Procedural textures: security guilloche for cards, surfaces for the photo backgrounds."""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Low-frequency noise in [0, 1] of shape (h, w)."""
    import cv2

    small = rng.random((max(2, cells * h // max(h, w)), max(2, cells * w // max(h, w))))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


@functools.lru_cache(maxsize=16)
def _guilloche_mask(variant: int, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Line mask and tint field of one security-print variant (shared by every card of it)."""
    rng = np.random.default_rng(1000 + variant)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    scale = w / 1000.0
    cx, cy = w * rng.uniform(0.55, 0.85), h * rng.uniform(0.3, 0.7)
    r = np.hypot(x - cx, y - cy) / scale
    theta = np.arctan2(y - cy, x - cx)
    k = int(rng.integers(9, 17))
    field = (
        r / 6 + 3.0 * np.sin(k * theta + r / 60.0) + 2.0 * np.sin(x / scale / 37 + y / scale / 53)
    )
    lines = np.abs(np.sin(field * np.pi)) < 0.12
    wave = y / scale / 9 + 4 * np.sin(x / scale / rng.uniform(25, 45))
    lines |= np.abs(np.sin(wave * np.pi)) < 0.07
    tint = _smooth_noise(rng, h, w, 4)[..., None] * 0.06
    return lines[..., None].astype(np.float32), tint.astype(np.float32)


def guilloche(
    rng: np.random.Generator,
    w: int,
    h: int,
    base: tuple[int, int, int],
    ink: tuple[int, int, int],
    variants: int = 4,
) -> Image.Image:
    """A pale security background: interfering rosettes and waves of thin lines."""
    lines, tint = _guilloche_mask(int(rng.integers(variants)), w, h)
    img = np.array(base, np.float32) * (1 - tint) + 255 * tint
    alpha = lines * rng.uniform(0.35, 0.6)
    img = img * (1 - alpha) + np.array(ink, np.float32) * alpha
    return Image.fromarray(img.clip(0, 255).astype(np.uint8))


def surface(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A table, fabric, paper or stone surface (BGR uint8, h x w)."""
    kind = rng.choice(["wood", "fabric", "paper", "stone", "laminate"])
    import cv2

    sw, sh = max(64, w // 4), max(64, h // 4)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    n = _smooth_noise(rng, sh, sw, 12)
    if kind == "wood":
        base = np.array(
            rng.choice([[40, 80, 130], [60, 105, 150], [30, 55, 90], [90, 140, 185]]), np.float32
        )
        streak = cv2.resize(rng.random((sh, 8)).astype(np.float32), (sw, sh))
        grain = np.sin((y / sh * rng.uniform(40, 90) + 1.2 * n) * np.pi) * 0.5 + 0.5
        tex = base * (0.8 + 0.14 * grain[..., None] + 0.12 * streak[..., None])
    elif kind == "fabric":
        base = rng.uniform(50, 200, 3).astype(np.float32)
        weave = (np.sin(x * rng.uniform(1.2, 2.0)) * np.sin(y * rng.uniform(1.2, 2.0))) * 0.5 + 0.5
        tex = base * (0.85 + 0.15 * weave[..., None] + 0.1 * n[..., None])
    elif kind == "paper":
        base = rng.uniform(170, 235, 3).astype(np.float32)
        tex = base * (0.92 + 0.1 * n[..., None])
    elif kind == "stone":
        base = rng.uniform(90, 200, 3).astype(np.float32)
        fine = rng.random((sh, sw)).astype(np.float32)
        tex = base * (0.8 + 0.15 * n[..., None] + 0.12 * fine[..., None])
    else:
        base = rng.uniform(140, 230, 3).astype(np.float32)
        tex = base * (0.95 + 0.05 * n[..., None])

    tex = cv2.resize(tex.clip(0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
    return tex
