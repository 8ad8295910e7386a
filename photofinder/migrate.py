"""Older index formats, lifted one version at a time to today's: nothing is dropped.

MIGRATIONS[v] turns a version-v index (index.json as a dict, and its arrays) into
version v + 1. A version with no way forward is rebuilt. The next save writes the
new layout; until then every load lifts the old one again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .sparse import Postings, Tags

PERSON_LABEL = "person"


def v1_to_v2(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Version 1 (top-5 ImageNet classes + the face detector's column, fixed width)
    to 2 (sparse labelled tags, scenes, features, dates). Nothing is dropped: every photo
    keeps its object tags and stays searchable; all are marked stale, so the next
    `photofinder index` tags them again with regions, scenes and people."""
    from .vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    classes, probs = arrays.pop("classes"), arrays.pop("probs")
    if classes.ndim != 2 or classes.shape != probs.shape:
        raise ValueError("classes/probs")
    labels = [c.key for c in vocabulary.labels[:1000]] + [PERSON_LABEL]
    if classes.size and not (0 <= int(classes.min()) and int(classes.max()) < len(labels)):
        raise ValueError("номера классов")
    tags = Tags.from_dense(classes.astype(np.int32), probs.astype(np.float32))
    n = len(classes)
    arrays.update(stale=np.ones(n, bool), tag_ptr=tags.ptr, tag_label=tags.label,
                  tag_score=tags.score, tag_region=tags.region,
                  features=np.zeros((n, 0), np.float16), dhash=np.zeros(n, np.uint64),
                  taken=np.zeros(n, np.int64), word_ptr=np.zeros(n + 1, np.int64),
                  word_label=np.zeros(0, np.int32))
    if "hashes" not in arrays or len(arrays["hashes"]) != n:
        arrays["hashes"] = np.zeros(n, np.uint64)
    tagger = meta.get("tagger")
    if isinstance(tagger, dict):
        # int8 tags and the face-only person column are gone: every row is stale anyway
        meta["tagger"] = {"name": str(tagger.get("name", "")),
                          "weights": str(tagger.get("weights", "")), "regions": "on"}
    meta["labels"] = labels
    meta["word_labels"] = []
    return meta, arrays


def v2_to_v3(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Version 2 (tags row by row, features inside the arrays file) to 3 (tags label by
    label, features in their own memory-mapped file). The same tags, only laid out for
    search: nothing is tagged again. The next save writes the new layout."""
    n = len(arrays["sizes"])
    tags = Tags(arrays.pop("tag_ptr").astype(np.int64), arrays.pop("tag_label").astype(np.int32),
                arrays.pop("tag_score").astype(np.float16), arrays.pop("tag_region").astype(bool))
    labels = meta.get("labels")
    if not isinstance(labels, list) or tags.ptr.shape != (n + 1,) or tags.ptr[0] != 0 \
            or tags.ptr[-1] != len(tags.label) or (np.diff(tags.ptr) < 0).any() \
            or not (tags.label.shape == tags.score.shape == tags.region.shape) \
            or (tags.label.size and not (0 <= int(tags.label.min())
                                          and int(tags.label.max()) < len(labels))):
        raise ValueError("строки тегов")
    post = Postings.of(tags, len(labels))
    arrays.update(post_ptr=post.ptr, post_row=post.row, post_score=post.score,
                  post_region=post.region)
    arrays["features"] = arrays["features"].astype(np.float16, copy=False)
    return meta, arrays


def v3_to_v4(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Version 3 (the arrays in one .npz, read by a hand-written ZIP reader, with no
    checksum of its own) to 4 (one .npy per array, each with its CRC-32 in index.json,
    the posting lists with one CRC per label). The arrays are the same; only the files
    change, and the next save writes them. The paths buffer is unchanged: format 3
    wrote only UTF-8 names, which format 4's surrogateescape reads as they were.
    Format 4 also has columns no older photo has a value in (videos, GPS): their "none"."""
    from .index_model import PHOTO_COLUMNS, empty_column

    n = len(arrays["sizes"])
    for name in PHOTO_COLUMNS:
        arrays.setdefault(name, empty_column(name, n))
    return meta, arrays


def v4_to_v5(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Version 5 adds the faces (facetable.FaceTable: five arrays, names in index.json).
    An older index has none yet: every photo is looked at on the next `index` run
    (face_pass), none dropped."""
    return {**meta, "faces": {}}, arrays


def v5_to_v6(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Version 6 adds the broad terms' own posting lists (sparse.TermLists), made from
    the label lists at a save. An older index has none yet: a search adds up the label
    lists as before (the same results, slower on a large archive) until the next
    `photofinder index` stores them."""
    return {**meta, "term_lists": ""}, arrays


MIGRATIONS: dict[int, Callable[[dict, dict], tuple[dict, dict]]] = {
    1: v1_to_v2, 2: v2_to_v3, 3: v3_to_v4, 4: v4_to_v5, 5: v5_to_v6}
