"""Objects ImageNet has no class for (a giraffe, a cake, a kite, a suitcase, a fork):
COCO's 80 categories, found with their boxes by a small detector behind one Protocol.

The shipped detector is the MobileNetV3 CenterNet of the npm package @vladmandic/human
(MIT), converted once to ONNX by training/convert_centernet.py and run in onnxruntime:
`data/detector/centernet.onnx`, 7.8 MB. Only `photofinder index` (and the tests and
benchmarks) import this module and onnxruntime; the search path never does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import data_path, models_dir
from .errors import ModelUnavailableError
from .photos import Preprocess

DETECTOR_FILE = "centernet.onnx"
# COCO's 80 categories in the model's class order (human's src/object/labels.ts); the
# vocabulary names each as `object:<name>` (objects.json).
COCO_CLASSES = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
    "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
    "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
    "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
    "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
    "couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
    "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
    "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
    "toothbrush")
# The model's input: the whole photo stretched to 512 x 512 (no letterbox: human's
# centernet.ts resizes the same way), RGB 0..255 as float; mean 0 and std 1/255 say
# "no normalisation" in photos.Preprocess terms. Bilinear, as tf.image.resizeBilinear.
DETECTOR_PREPROCESS = Preprocess(size=512, mean=(0.0, 0.0, 0.0), std=(1 / 255,) * 3,
                                 interpolation="bilinear")
# Detections kept: on 80 coco-dev photos a score above 0.3 was right 88 % of the time
# (OFFLINE_MODELS.md); weaker ones still rank a photo above one without any, as the
# ImageNet classes' faint tags do, and scoring.SURE["object"] decides what is a match.
DETECTION_FLOOR = 0.1


@dataclass(frozen=True)
class Detection:
    """One object: its COCO class (0..79), score 0..1 and box as fractions of the
    model's input (x0, y0, x1, y1), i.e. of the photo as tagged."""

    cls: int
    score: float
    box: tuple[float, float, float, float]

    @property
    def name(self) -> str:
        return COCO_CLASSES[self.cls]

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)


class Detector(Protocol):
    """Finds COCO objects in photos."""

    name: str
    digest: str              # what the index records: detections of another file do not mix
    preprocess: Preprocess

    def detect(self, batch: np.ndarray) -> list[list[Detection]]:
        """uint8 [B, S, S, 3] (S = preprocess.size) -> each photo's detections, best first."""
        ...


class OnnxDetector:
    """The converted CenterNet in onnxruntime, one photo per run (the graph's batch is 1)."""

    name = "centernet"
    preprocess = DETECTOR_PREPROCESS

    def __init__(self, path: Path, raw: bytes, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3   # its warnings are no business of a user's
        try:
            self._session = ort.InferenceSession(raw, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own kinds
            raise ModelUnavailableError(
                f"файл детектора объектов {path} повреждён ({type(exc).__name__}): "
                "переустановите photofinder или индексируйте с --no-objects") from None
        self._input = self._session.get_inputs()[0].name
        self.digest = hashlib.sha256(raw).hexdigest()[:12]

    def detect(self, batch: np.ndarray) -> list[list[Detection]]:
        side = float(self.preprocess.size)
        out = []
        for image in batch:
            raw = self._session.run(None, {self._input: image[None].astype(np.float32)})[0][0]
            out.append(detections_of(raw, side))
        return out


def detections_of(raw: np.ndarray, side: float, floor: float = DETECTION_FLOOR) -> list[Detection]:
    """The model's [N, 6] rows (x1, y1, x2, y2 in input pixels, score, class) above
    `floor`, best first, boxes as fractions of the input clipped to it."""
    keep = raw[(raw[:, 4] >= floor) & np.isfinite(raw).all(axis=1)]
    keep = keep[np.argsort(-keep[:, 4], kind="stable")]
    boxes = np.clip(keep[:, :4] / side, 0.0, 1.0)
    return [Detection(int(c), float(s), tuple(float(v) for v in b))
            for b, s, c in zip(boxes, keep[:, 4], keep[:, 5]) if 0 <= int(c) < len(COCO_CLASSES)]


def detector_file() -> Path:
    """A detector a user put in models/detector/ comes before the one shipped."""
    own = models_dir() / "detector" / DETECTOR_FILE
    return own if own.is_file() else data_path("detector") / DETECTOR_FILE


def detector_digest(path: Path | None = None) -> str:
    """What an index records of the detector without loading it ("missing" without
    its file: load_detector then says what is wrong)."""
    path = path or detector_file()
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return _digest(path, stat.st_mtime_ns, stat.st_size)


@cache
def _digest(path: Path, version: int, size: int) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


def load_detector(path: Path | None = None, threads: int | None = None) -> OnnxDetector:
    """The shipped detector (or another file in its format). ModelUnavailableError
    (exit 5) in one line when the file is missing or damaged: tagging on without the
    objects would be a silent loss; --no-objects is the way to go without them."""
    path = path or detector_file()
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = 0
    return _load(path, version, threads)


@cache
def _load(path: Path, version: int, threads: int | None) -> OnnxDetector:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelUnavailableError(
            f"нет файла детектора объектов {path}: переустановите photofinder "
            "или индексируйте с --no-objects") from None
    except OSError as exc:
        raise ModelUnavailableError(f"не удалось прочитать {path}: {exc.strerror}") from None
    try:
        import onnxruntime  # noqa: F401 - a dependency; named in one line when missing
    except ImportError:
        raise ModelUnavailableError(
            "не установлен onnxruntime (детектор объектов): `pip install onnxruntime` "
            "или индексируйте с --no-objects") from None
    return OnnxDetector(path, raw, threads)
