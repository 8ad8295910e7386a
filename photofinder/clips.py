"""A video as one row of the index: what its sampled frames show, together.

Each frame is tagged like a photo (tagging.photo_tags); the video keeps the strongest
evidence per label (the max over its frames: a bear seen clearly in one frame is a bear
video, however the other frames look) and the mean of its frames' compact features
(what `similar` and duplicates compare: the clip's look as a whole). NumPy only.
"""

from __future__ import annotations

import numpy as np

TagRow = tuple[np.ndarray, np.ndarray, np.ndarray]   # label columns, scores, region flags


def strongest(frames: list[TagRow]) -> TagRow:
    """One tag row from several frames' rows: per label, the highest score, marked as
    a region's when the frame that gave it found it in a region. Ordered by label."""
    if len(frames) == 1:
        return frames[0]
    labels = np.concatenate([f[0] for f in frames])
    scores = np.concatenate([f[1] for f in frames])
    region = np.concatenate([f[2] for f in frames])
    # highest score first within each label, then keep each label's first
    order = np.lexsort((-scores, labels))
    labels, scores, region = labels[order], scores[order], region[order]
    first = np.ones(len(labels), bool)
    first[1:] = labels[1:] != labels[:-1]
    return labels[first], scores[first], region[first]


def pooled(features: np.ndarray, counts: list[int]) -> np.ndarray:
    """features [sum(counts), D] of consecutive groups -> [len(counts), D], each group's
    mean (a photo is a group of one, unchanged)."""
    if all(c == 1 for c in counts):
        return features
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    sums = np.add.reduceat(features.astype(np.float32), starts, axis=0)
    return (sums / np.asarray(counts, np.float32)[:, None]).astype(features.dtype)
