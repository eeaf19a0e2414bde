"""The dlib engine: HOG face detector, 5- and 68-point shape predictors, ResNet face encoder.

Everything native that the face stage calls goes through :class:`FaceModels`, loaded once per
worker process with :meth:`FaceModels.load` (about 1 s, 135 MB), never at import time. dlib
calls are in-process and cannot be interrupted, so their cost is bounded by the caller
(detection always runs on a copy at most ~800 px on its long side; landmarks and encodings on
crops). Failures of the native library are raised as :class:`pipeline.errors.EngineCrashed`;
missing model files as :class:`pipeline.errors.EngineMissing`. Messages name the engine and the
operation only, never image content.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.errors import EngineCrashed, EngineMissing

#: Side of the chip the ResNet encoder was trained on, and dlib's default padding around it.
ENCODER_CHIP_SIZE = 150
ENCODER_CHIP_PADDING = 0.25

Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels of the image passed


@dataclass(frozen=True)
class Detection:
    """One detector hit: box (pixels of the image searched) and HOG score."""

    box: Box
    score: float


def _model_dir() -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # face_recognition_models imports pkg_resources
        import face_recognition_models

    return Path(face_recognition_models.__file__).parent / "models"


@dataclass(frozen=True)
class FaceModels:
    """dlib's models, loaded once. Methods take RGB (or grey) ``uint8`` numpy arrays."""

    detector: Any
    predictor5: Any
    predictor68: Any
    encoder: Any
    dlib_version: str

    @classmethod
    def load(cls, model_dir: Path | None = None) -> FaceModels:
        """Load the detector, both shape predictors and the encoder (about 1 s)."""
        import dlib
        from threadpoolctl import threadpool_limits

        # One BLAS thread per worker process, in every OpenBLAS loaded (numpy's and the one dlib
        # is built against): OpenBLAS threads spin-wait after each call, so a second thread
        # costs CPU (12% per case) and gains no wall time when every core has a worker.
        threadpool_limits(limits=1, user_api="blas")

        folder = model_dir or _model_dir()
        files = {
            "p5": folder / "shape_predictor_5_face_landmarks.dat",
            "p68": folder / "shape_predictor_68_face_landmarks.dat",
            "enc": folder / "dlib_face_recognition_resnet_model_v1.dat",
        }
        missing = [name for name, path in files.items() if not path.is_file()]
        if missing:
            raise EngineMissing(f"dlib: face model files missing ({', '.join(missing)})")
        try:
            return cls(
                detector=dlib.get_frontal_face_detector(),
                predictor5=dlib.shape_predictor(str(files["p5"])),
                predictor68=dlib.shape_predictor(str(files["p68"])),
                encoder=dlib.face_recognition_model_v1(str(files["enc"])),
                dlib_version=str(dlib.__version__),
            )
        except RuntimeError as exc:
            raise EngineMissing("dlib: face models could not be loaded") from exc

    def detect(self, image: np.ndarray, upsample: int = 0) -> list[Detection]:
        """HOG face detections on ``image`` (grey or RGB), best first."""
        try:
            rects, scores, _ = self.detector.run(np.ascontiguousarray(image), upsample, 0.0)
        except RuntimeError as exc:
            raise EngineCrashed("dlib: face detection failed") from exc
        found = [
            Detection((r.left(), r.top(), r.right(), r.bottom()), float(s))
            for r, s in zip(rects, scores, strict=True)
        ]
        return sorted(found, key=lambda d: -d.score)

    def landmarks(self, image: np.ndarray, box: Box, points: int = 68) -> Any:
        """dlib ``full_object_detection`` (5 or 68 points) for the face in ``box``."""
        import dlib

        predictor = self.predictor68 if points == 68 else self.predictor5
        try:
            return predictor(np.ascontiguousarray(image), dlib.rectangle(*box))
        except RuntimeError as exc:
            raise EngineCrashed("dlib: landmark prediction failed") from exc

    def chip(
        self,
        image: np.ndarray,
        shape: Any,
        size: int = ENCODER_CHIP_SIZE,
        padding: float = ENCODER_CHIP_PADDING,
    ) -> np.ndarray:
        """The face aligned on its landmarks into a ``size`` x ``size`` chip."""
        import dlib

        try:
            return np.asarray(dlib.get_face_chip(np.ascontiguousarray(image), shape, size, padding))
        except RuntimeError as exc:
            raise EngineCrashed("dlib: face alignment failed") from exc

    def encode(self, chips: list[np.ndarray]) -> np.ndarray:
        """128-d descriptors (float64, one row per chip) of 150 x 150 RGB face chips."""
        try:
            rows = self.encoder.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
        except RuntimeError as exc:
            raise EngineCrashed("dlib: face encoding failed") from exc
        return np.array([np.asarray(r) for r in rows], dtype=np.float64).reshape(len(chips), 128)


def point_array(shape: Any) -> np.ndarray:
    """Landmarks of a dlib ``full_object_detection`` as an ``(n, 2)`` float array."""
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
