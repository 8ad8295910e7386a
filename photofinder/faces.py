"""Faces: finding them in a photo and embedding each one, behind a small Protocol.

The default backend is dlib (the `dlib-bin` wheel) with the models the
`face-recognition-models` wheel ships: the HOG frontal-face detector, the 5-point
landmark model that aligns a face, and the ResNet that maps an aligned 150x150 face
chip to a 128-d vector (99.38 % on LFW); two faces of one person lie closer than
about 0.6 in Euclidean distance. Nothing is downloaded at run time.

Boxes are stored as fractions of the upright photo (left, top, right, bottom in
0..1) so they do not depend on the scale a photo happened to be decoded at, and so
an XMP face region (which MWG writes as fractions too) follows directly.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from .errors import ModelUnavailableError

EMBEDDING_SIZE = 128

# The detector sees the photo scaled so its longer side is DETECT_SIDE pixels (up or
# down). HOG finds faces from about 80 px, so a face as small as 1/8 of the longer
# side is found; the cost grows with the pixel count (measured in benchmarks/faces.py).
DETECT_SIDE = 640
# A face chip is cut from the photo at no more than this longer side: enough for the
# 150 px chip of any face the detector found, without aligning on a 12 Mpx array.
EMBED_SIDE = 1280
# dlib's HOG score of a detection; below 0 most detections are not faces.
MIN_DETECTION_SCORE = 0.0
# Faces smaller than this fraction of the photo's shorter side are background people
# whose embedding is too blurred to name reliably.
MIN_FACE_FRACTION = 0.04

PACKAGE = "face-recognition-models"
MISSING = ("лица не ищутся: не установлен пакет dlib-bin или face-recognition-models "
           "(pip install dlib-bin face-recognition-models)")


@dataclass(frozen=True)
class Face:
    """One face in a photo."""

    box: tuple[float, float, float, float]  # left, top, right, bottom: fractions of the photo
    embedding: np.ndarray                   # float32 [EMBEDDING_SIZE]
    score: float                            # the detector's confidence

    @property
    def area(self) -> float:
        left, top, right, bottom = self.box
        return (right - left) * (bottom - top)


class FaceFinder(Protocol):
    """Finds the faces in one upright RGB photo and embeds each."""

    name: str

    def find(self, image: Image.Image) -> list[Face]:
        ...


def faces_available() -> bool:
    """Whether the default backend's packages are installed (without importing them)."""
    return (importlib.util.find_spec("dlib") is not None
            and importlib.util.find_spec("face_recognition_models") is not None)


def _models_dir() -> Path:
    # The package's own __init__ imports pkg_resources, which recent setuptools no
    # longer ship; only its data files are needed, so find them without importing it.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(MISSING)
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _scaled(image: Image.Image, side: int, upscale: bool) -> tuple[np.ndarray, float]:
    width, height = image.size
    scale = side / max(width, height)
    if scale > 1 and not upscale:
        scale = 1.0
    if scale != 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    return np.asarray(image, dtype=np.uint8), scale


class DlibFaceFinder:
    """dlib's HOG detector + 5-point alignment + ResNet embedding, on the CPU."""

    name = "dlib-hog-resnet-v1"

    def __init__(self, detect_side: int = DETECT_SIDE) -> None:
        try:
            import dlib
        except ImportError:
            raise ModelUnavailableError(MISSING) from None
        models = _models_dir()
        try:
            self._detector = dlib.get_frontal_face_detector()
            self._shapes = dlib.shape_predictor(
                str(models / "shape_predictor_5_face_landmarks.dat"))
            self._net = dlib.face_recognition_model_v1(
                str(models / "dlib_face_recognition_resnet_model_v1.dat"))
        except RuntimeError as exc:  # a missing or damaged model file
            raise ModelUnavailableError(f"модель лиц не загрузилась: {exc}") from None
        self._dlib = dlib
        self.detect_side = detect_side

    def find(self, image: Image.Image) -> list[Face]:
        width, height = image.size
        if min(width, height) < 16:
            return []
        pixels, scale = _scaled(image, self.detect_side, upscale=True)
        rects, scores, _ = self._detector.run(pixels, 0, MIN_DETECTION_SCORE)
        if not rects:
            return []
        embed_pixels, embed_scale = _scaled(image, EMBED_SIDE, upscale=False)
        if embed_scale >= scale:  # the detection array is at least as sharp: reuse it
            embed_pixels, embed_scale = pixels, scale
        ratio = embed_scale / scale
        dlib = self._dlib
        faces = []
        shorter = min(width, height) * scale
        for rect, score in zip(rects, scores):
            left, top = max(0, rect.left()), max(0, rect.top())
            right = min(pixels.shape[1], rect.right())
            bottom = min(pixels.shape[0], rect.bottom())
            if min(right - left, bottom - top) < MIN_FACE_FRACTION * shorter:
                continue
            box = dlib.rectangle(round(rect.left() * ratio), round(rect.top() * ratio),
                                 round(rect.right() * ratio), round(rect.bottom() * ratio))
            shape = self._shapes(embed_pixels, box)
            vector = np.asarray(self._net.compute_face_descriptor(embed_pixels, shape),
                                dtype=np.float32)
            faces.append(Face(
                (left / pixels.shape[1], top / pixels.shape[0],
                 right / pixels.shape[1], bottom / pixels.shape[0]),
                vector, float(score)))
        return faces


def default_finder_name() -> str:
    """The name of what load_face_finder loads, without loading it."""
    return DlibFaceFinder.name


def load_face_finder() -> FaceFinder:
    """The default face finder; raises ModelUnavailableError (MISSING) without it."""
    return DlibFaceFinder()
