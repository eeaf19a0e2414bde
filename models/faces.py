"""What the face stage measured on the ID portrait and the selfie (``read_faces``'s output).

Measurements only, no policy: the record depends on the image bytes and the pipeline version
alone, so it is cached by content hash and re-decided under any policy. Face chips are JPEG
bytes, base64 in JSON.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ImageStatus = Literal["ok", "no_face", "not_image", "invalid"]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")


class FaceBox(_Record):
    """One detected face. Pixels of the upload as decoded (EXIF applied, before any rotation)."""

    left: int
    top: int
    right: int
    bottom: int
    relative_size: float = Field(description="box side / shorter side of the image")
    score: float = Field(description="HOG detector score (higher = more face-like)")

    @property
    def side(self) -> int:
        """Box side in pixels (boxes are square)."""
        return max(self.right - self.left, self.bottom - self.top)


class FaceMeasurements(_Record):
    """Quality measurements of the chosen face.

    ``blur`` is the variance of the Laplacian of the face box resampled to 128 x 128 grey (so it
    is relative to the face's size, not the photo's); exposure values are on that crop (0-255);
    pose angles in degrees from the 68 landmarks (yaw: left/right turn, pitch: up/down, roll: tilt);
    ``eye_openness`` is the mean eye aspect ratio (open eyes ~0.25-0.35, closed < 0.15);
    ``eye_contrast`` is the grey-level spread around the eyes over that of the whole face
    (dark glasses or a covered face make it small).
    """

    face_px: int
    relative_size: float
    blur: float
    brightness: float
    contrast: float
    dark_fraction: float
    bright_fraction: float
    yaw: float
    pitch: float
    roll: float
    eye_openness: float
    eye_contrast: float
    colour_saturation: float = Field(description="mean HSV saturation of the face (0-255)")


class ImageFaces(_Record):
    """Faces found in one image and, for the chosen (largest) face, its measurements."""

    status: ImageStatus
    width: int = 0
    height: int = 0
    rotation: int = Field(
        default=0, description="clockwise degrees the image was turned to find faces"
    )
    rotations_tried: list[int] = Field(default_factory=list)
    upsample: int = Field(default=0, description="detector upsampling that found the faces")
    faces: list[FaceBox] = Field(default_factory=list, description="largest first")
    chosen: int | None = Field(default=None, description="index in faces of the face measured")
    measurements: FaceMeasurements | None = None
    encoding: list[float] | None = Field(default=None, description="128-d dlib descriptor")
    chip_jpeg: bytes | None = Field(
        default=None, description="aligned face chip, JPEG (reviewer evidence)"
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)


class FaceReading(_Record):
    """``read_faces`` output: the ID portrait, the selfie, and the distance between them."""

    id_portrait: ImageFaces
    selfie: ImageFaces
    distance: float | None = Field(
        default=None, description="Euclidean distance of the two encodings"
    )
    method: str = Field(
        default="", description="detector/aligner/encoder settings that produced this"
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)

    @classmethod
    def empty(cls, status: ImageStatus = "invalid") -> FaceReading:
        """A reading with nothing measured (invalid uploads)."""
        return cls(id_portrait=ImageFaces(status=status), selfie=ImageFaces(status=status))
