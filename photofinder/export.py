"""The JSON tag export for other tools (schema: data/export.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path

from .index import Index, atomic_write
from .vocabulary import Vocabulary

EXPORT_FORMAT = "photofinder-tags"
EXPORT_VERSION = 1
EXPORT_SCHEMA = "export.schema.json"


def export_document(index: Index, vocabulary: Vocabulary) -> dict:
    photos = []
    for row, path in enumerate(index.paths):
        tags = []
        for class_index, prob in zip(index.classes[row].tolist(), index.probs[row].tolist()):
            if prob <= 0.0:  # the person column of a photo with no face
                continue
            c = vocabulary.classes[class_index]
            tags.append({"ru": c.ru, "en": c.en, "class_id": int(class_index), "wnid": c.wnid,
                         "probability": round(float(prob), 6)})
        photos.append({"path": path, "size": int(index.sizes[row]),
                       "mtime_ns": int(index.mtimes[row]), "tags": tags})
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "models": {"tagger": index.tagger["name"], "tagger_weights": index.tagger["weights"],
                   "vectors": index.vectors, "vocabulary": index.vocabulary},
        "photos": photos,
    }


def write_export(index: Index, vocabulary: Vocabulary, out: Path) -> int:
    """Writes the export atomically to exactly `out`; returns the number of photos."""
    doc = export_document(index, vocabulary)
    payload = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write(out, lambda f: f.write(payload))
    return len(doc["photos"])
