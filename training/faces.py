"""OpenCV's frontal-face detector, kept as evidence to measure (benchmarks/people.py),
not used by photofinder: the people head on the tagger's features finds people seen
from the side, far away or from behind, and adding the detector to it gained nothing
on coco-dev while costing ~50 ms of a core per photo.

OpenCV's frontal-face Haar cascade ships inside the opencv-python-headless wheel, so it
works offline. It fires on dog muzzles, dolls and masks too; how often it is right was
measured by eye on the 1000 imagenet-samples photos (benchmarks/people.py): of the
photos where its strongest face had >= 15 neighbouring detections, 90% show a person
(95% at >= 20). Below 15 the precision falls to 65-80%, so those are not tagged, and
the tag's confidence is that measured precision.
"""

from __future__ import annotations

import threading

import numpy as np
from PIL import Image

PERSON_CLASS = 1000      # the tag's id, after the 1000 ImageNet classes
DETECT_SIDE = 640        # faces are looked for on the photo scaled to this longer side
MIN_NEIGHBOURS = 15      # weaker detections are mostly not people (measured)


class FaceDetector:
    """Safe to call from the decode threads: each thread loads its own cascade
    (~50 ms, once), as OpenCV does not promise that one can be shared."""

    def __init__(self) -> None:
        import cv2

        self._cv2 = cv2
        self._path = cv2.data.haarcascades + "haarcascade_frontalface_alt2.xml"
        self._local = threading.local()
        self._load()  # fail here, not in a worker thread

    def _load(self):
        cascade = getattr(self._local, "cascade", None)
        if cascade is None:
            cascade = self._cv2.CascadeClassifier(self._path)
            if cascade.empty():
                raise RuntimeError(f"no face cascade at {self._path}")
            self._local.cascade = cascade
        return cascade

    def strongest_face(self, img: Image.Image) -> int:
        """Neighbour count of the strongest face found (0 if none)."""
        cv2 = self._cv2
        small = img.copy()
        small.thumbnail((DETECT_SIDE, DETECT_SIDE))
        gray = cv2.equalizeHist(cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2GRAY))
        side = min(gray.shape)
        _, neighbours = self._load().detectMultiScale2(
            gray, scaleFactor=1.1, minNeighbors=5, minSize=(max(20, side // 12),) * 2)
        return int(max(neighbours)) if len(neighbours) else 0

    def confidence(self, img: Image.Image) -> float:
        """How sure we are that the photo shows a person: the detector's measured
        precision at this strength, or 0."""
        return confidence_from_neighbours(self.strongest_face(img))


def confidence_from_neighbours(neighbours: int) -> float:
    if neighbours < MIN_NEIGHBOURS:
        return 0.0
    return min(0.95, 0.90 + 0.01 * (neighbours - MIN_NEIGHBOURS))
