"""OpenCV preprocessing before OCR: pure functions on numpy uint8 images.

>>> import numpy as np
>>> img = np.full((20, 40, 3), 200, np.uint8)
>>> grey(img).shape
(20, 40)
>>> upscale_to_height(grey(img), 60).shape
(60, 120)
>>> sorted(set(otsu(grey(img)).ravel().tolist())) in ([0], [255], [0, 255])
True
"""

from __future__ import annotations

import cv2
import numpy as np


def grey(image: np.ndarray) -> np.ndarray:
    """Grey uint8 copy of a grey or BGR image."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def upscale_to_height(image: np.ndarray, height: int, max_factor: float = 4.0) -> np.ndarray:
    """Enlarge ``image`` (cubic) so it is ``height`` pixels tall; never shrinks."""
    h = image.shape[0]
    if h <= 0 or h >= height:
        return image
    factor = min(max_factor, height / h)
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def scale_to_text_height(image: np.ndarray, text_height: float, target: float = 32.0) -> np.ndarray:
    """Resize so text ``text_height`` pixels tall becomes ``target`` pixels (Tesseract's best)."""
    if text_height <= 0:
        return image
    factor = max(0.25, min(4.0, target / text_height))
    if abs(factor - 1.0) < 0.1:
        return image
    interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)


def otsu(image: np.ndarray) -> np.ndarray:
    """Global Otsu binarisation (black text on white) of a grey image."""
    _, out = cv2.threshold(grey(image), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out


def adaptive(image: np.ndarray, block: int = 31, c: int = 15) -> np.ndarray:
    """Local (Gaussian adaptive) binarisation, for uneven lighting."""
    block = max(3, block | 1)
    return cv2.adaptiveThreshold(
        grey(image), 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, c
    )


def normalise_contrast(image: np.ndarray) -> np.ndarray:
    """CLAHE contrast equalisation of a grey image (helps faded or shadowed print)."""
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    return clahe.apply(grey(image))


#: the background is estimated on a copy this much smaller, with a median this wide (px of the
#: small copy): ~84 page pixels, several text lines, so print never counts as background
BACKGROUND_SHRINK = 4
BACKGROUND_MEDIAN = 21


def flatten_background(image: np.ndarray, white: int = 235) -> np.ndarray:
    """Divide a grey page by its estimated paper background (a median of a small copy):
    shadows, vignetting and tinted paper become flat white and the print keeps its contrast.

    Read faster and better than local contrast equalisation on photographed bills (which
    also amplifies the paper's texture into specks Tesseract must examine).

    >>> page = np.full((200, 160), 120, np.uint8)
    >>> page[50:60, 20:100] = 30
    >>> flat = flatten_background(page)
    >>> int(flat[10, 10]), int(flat[55, 50]) < 100
    (235, True)
    """
    g = grey(image)
    h, w = g.shape[:2]
    small = cv2.resize(
        g,
        (max(1, w // BACKGROUND_SHRINK), max(1, h // BACKGROUND_SHRINK)),
        interpolation=cv2.INTER_AREA,
    )
    background = cv2.medianBlur(small, BACKGROUND_MEDIAN)
    background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(g, np.maximum(background, 1), scale=white)


def pad(image: np.ndarray, border: int = 10, value: int = 255) -> np.ndarray:
    """Add a white margin (Tesseract reads text touching the edge poorly)."""
    return cv2.copyMakeBorder(
        image, border, border, border, border, cv2.BORDER_CONSTANT, value=value
    )
