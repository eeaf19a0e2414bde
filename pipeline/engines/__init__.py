"""External engines (tesseract, poppler, dlib), loaded once per worker process.

Nothing here loads at import time: call :meth:`Engines.load` in the worker's parent process,
before it forks, so every job shares the loaded models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.engines.dlib_faces import FaceModels
    from pipeline.engines.poppler import PdfEngine
    from pipeline.engines.tesseract import OcrEngine


@dataclass(frozen=True)
class Engines:
    """The loaded engines a pipeline run needs."""

    ocr: OcrEngine
    pdf: PdfEngine
    faces: FaceModels

    @classmethod
    def load(cls) -> Engines:
        """Check the OCR and PDF tools and load the face models (~1 s, ~150 MB).

        Every native library then runs one thread per worker process (Tesseract's OpenMP,
        every OpenBLAS loaded, numpy's and dlib's, and OpenCV's pool): a worker per core is the
        unit of parallelism, and a second thread inside a busy worker only adds CPU (OpenBLAS
        threads spin-wait after each call: 12% more CPU per case, measured; see
        :meth:`FaceModels.load`).
        """
        import cv2

        from pipeline.engines.dlib_faces import FaceModels
        from pipeline.engines.poppler import PdfEngine
        from pipeline.engines.tesseract import OcrEngine

        ocr = OcrEngine()
        ocr.check()
        pdf = PdfEngine()
        pdf.check()
        cv2.setNumThreads(1)
        return cls(ocr=ocr, pdf=pdf, faces=FaceModels.load())
