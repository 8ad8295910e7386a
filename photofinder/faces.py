"""Faces: finding them in a photo and embedding each one, behind a small Protocol.

The default backend is dlib (the `dlib-bin` wheel) with the models the
`face-recognition-models` wheel ships: the HOG frontal-face detector, the 5-point
landmark model that aligns a face, and the ResNet that maps an aligned 150x150 face
chip to a 128-d vector (99.38 % on LFW); two faces of one person lie closer than
about 0.6 in Euclidean distance. Nothing is downloaded at run time.

Boxes are stored as fractions of the upright photo (left, top, right, bottom in
0..1) so they do not depend on the scale a photo happened to be decoded at, and so
an XMP face region (which MWG writes as fractions too) follows directly.

The whole photo is looked at at DETECT_SIDE px, where a face smaller than 1/8 of it is
missed: people in a landscape, at a table, in a group. So the head of every person the
object detector found (face_pass gives their boxes) is looked at again, scaled so that
the person is PERSON_SIDE px wide, where a face is about 100 px. On 404 everyday photos
as published (500-1080 px) this found 32 faces where the whole photo gave 19, and the
people words' MAP went 0.63 -> 0.70; on coco-dev the children and gender words stayed
where they were (benchmarks/everyday_kinds.py, children.py, gender.py).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
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
# A person's box is scaled to this width for its head to be looked at: a standing
# person is about 2.5 faces wide, so a face comes out at 100 px or more, where HOG is
# surer than at its 80 px least.
PERSON_SIDE = 500
# ...but the photo's pixels are enlarged at most this much,
MAX_PERSON_ZOOM = 4.0
# and a face found there must be at least this many pixels of the photo as given: a
# smaller one, enlarged, is a smooth blur that the child score takes for a child's
# (coco-dev's children words fell 0.76 -> 0.49 without this floor; with it, 0.76).
MIN_PERSON_FACE = 45
# The part of a person's box a head is in: its top, at most this many box widths tall
# (a standing person's head and shoulders; a close-up's box is about as tall as wide).
HEAD_HEIGHT = 1.0
# ...with this much of the box's width on either side (a head turned or leaning out;
# 0.05, with a head 0.8 box widths tall, lost a child's face on the everyday photos)
SIDE_MARGIN = 0.15
# A person is looked at only when enlarged this much more than the whole photo was
# (1.67 and 2 lost faces of the everyday photos)
ZOOM_OVER_WHOLE = 1.25
MAX_PEOPLE = 4   # the most confident people looked at again (8 found no more faces)

PACKAGE = "face-recognition-models"
MISSING = ("лица не ищутся: не установлен пакет dlib-bin или face-recognition-models "
           "(pip install dlib-bin face-recognition-models)")


Box = tuple[float, float, float, float]   # left, top, right, bottom: fractions of the photo


@dataclass(frozen=True)
class Face:
    """One face in a photo."""

    box: Box
    embedding: np.ndarray                   # float32 [EMBEDDING_SIZE]
    score: float                            # the detector's confidence

    @property
    def area(self) -> float:
        left, top, right, bottom = self.box
        return (right - left) * (bottom - top)


class FaceFinder(Protocol):
    """Finds the faces in one upright RGB photo and embeds each. `people`: boxes of the
    people the object detector found in it, best first, where faces too small for a
    look at the whole photo may be."""

    name: str

    def find(self, image: Image.Image, people: Sequence[Box] = ()) -> list[Face]:
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

    def find(self, image: Image.Image, people: Sequence[Box] = ()) -> list[Face]:
        width, height = image.size
        if min(width, height) < 16:
            return []
        faces = self._in_whole(image)
        for person in people[:MAX_PEOPLE]:
            if any(_centre_in(face.box, person) for face in faces):
                continue  # this person's face is found already
            faces += [f for f in self._in_person(image, person)
                      if not any(_same_face(f.box, g.box) for g in faces)]
        return faces

    def _in_whole(self, image: Image.Image) -> list[Face]:
        width, height = image.size
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
            left, top, right, bottom = _clipped(rect, pixels.shape)
            if min(right - left, bottom - top) < MIN_FACE_FRACTION * shorter:
                continue
            box = dlib.rectangle(round(rect.left() * ratio), round(rect.top() * ratio),
                                 round(rect.right() * ratio), round(rect.bottom() * ratio))
            faces.append(Face(
                (left / pixels.shape[1], top / pixels.shape[0],
                 right / pixels.shape[1], bottom / pixels.shape[0]),
                self._embedding(embed_pixels, box), float(score)))
        return faces

    def _in_person(self, image: Image.Image, person: Box) -> list[Face]:
        """The faces in the head of one person's box, looked at enlarged (PERSON_SIDE)."""
        width, height = image.size
        x0, y0, x1, y1 = (person[0] * width, person[1] * height,
                          person[2] * width, person[3] * height)
        box_width = x1 - x0
        zoom = min(PERSON_SIDE / max(box_width, 1.0), MAX_PERSON_ZOOM)
        # a person narrower than two faces of MIN_PERSON_FACE has none to find; a look that
        # enlarges the photo no more than the whole photo's finds nothing new
        whole = self.detect_side / max(width, height)
        if box_width < 2 * MIN_PERSON_FACE or zoom <= ZOOM_OVER_WHOLE * whole:
            return []
        head = min(y1 - y0, HEAD_HEIGHT * box_width)
        crop = (max(0, round(x0 - SIDE_MARGIN * box_width)), max(0, round(y0 - 0.1 * head)),
                min(width, round(x1 + SIDE_MARGIN * box_width)), min(height, round(y0 + head)))
        if crop[2] - crop[0] < 8 or crop[3] - crop[1] < 8:
            return []
        part = image.crop(crop)
        part = part.resize((round(part.width * zoom), round(part.height * zoom)),
                           Image.Resampling.BILINEAR)
        pixels = np.asarray(part, dtype=np.uint8)
        rects, scores, _ = self._detector.run(pixels, 0, MIN_DETECTION_SCORE)
        faces = []
        for rect, score in zip(rects, scores):
            left, top, right, bottom = _clipped(rect, pixels.shape)
            if min(right - left, bottom - top) < MIN_PERSON_FACE * zoom:
                continue
            faces.append(Face(
                ((crop[0] + left / zoom) / width, (crop[1] + top / zoom) / height,
                 (crop[0] + right / zoom) / width, (crop[1] + bottom / zoom) / height),
                self._embedding(pixels, rect), float(score)))
        return faces

    def _embedding(self, pixels: np.ndarray, rect) -> np.ndarray:
        shape = self._shapes(pixels, rect)
        return np.asarray(self._net.compute_face_descriptor(pixels, shape), dtype=np.float32)


def _clipped(rect, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A dlib detection's box (it may reach past the edge) clipped to its array's."""
    return (max(0, rect.left()), max(0, rect.top()),
            min(shape[1], rect.right()), min(shape[0], rect.bottom()))


def _centre_in(inner: Box, outer: Box) -> bool:
    x, y = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]


def _same_face(a: Box, b: Box) -> bool:
    """Whether two boxes are one face found twice: either one's centre is in the other."""
    return _centre_in(a, b) or _centre_in(b, a)


def default_finder_name() -> str:
    """The name of what load_face_finder loads, without loading it."""
    return DlibFaceFinder.name


def load_face_finder() -> FaceFinder:
    """The default face finder; raises ModelUnavailableError (MISSING) without it."""
    return DlibFaceFinder()
