"""The JSON tag export for other tools (schema: data/export.schema.json)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import WriteError
from .index import Index, atomic_write
from .vocabulary import Vocabulary

EXPORT_FORMAT = "photofinder-tags"
EXPORT_VERSION = 2
EXPORT_SCHEMA = "export.schema.json"


def taken_text(seconds: int) -> str | None:
    """An EXIF date (camera wall-clock seconds) as YYYY-MM-DDTHH:MM:SS, None if unknown."""
    return str(np.datetime64(int(seconds), "s")) if seconds > 0 else None


def tag_records(index: Index, vocabulary: Vocabulary, row: int) -> list[dict]:
    """One photo's tags for other tools, best first (labels this vocabulary lacks are left out)."""
    tags = []
    labels, scores, regions = index.tags.row(row)
    for column, score, region in zip(labels.tolist(), scores.tolist(), regions.tolist()):
        label = vocabulary.index_of_key.get(index.labels[column])
        if label is None:
            continue
        c = vocabulary.labels[label]
        tags.append({"ru": c.ru, "en": c.en, "label": c.key, "kind": c.kind,
                     "class_id": label if c.kind == "imagenet" else None,
                     "wnid": c.wnid or None, "probability": round(float(score), 4),
                     "region": bool(region)})
    return tags


def export_document(index: Index, vocabulary: Vocabulary) -> dict:
    photos = [{"path": path, "size": int(index.sizes[row]), "mtime_ns": int(index.mtimes[row]),
               "taken": taken_text(int(index.taken[row])),
               "tags": tag_records(index, vocabulary, row)}
              for row, path in enumerate(index.paths)]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "models": {"tagger": index.tagger.get("name", ""),
                   "tagger_weights": index.tagger.get("weights", ""),
                   "heads": index.tagger.get("heads", "none"),
                   "vectors": index.vectors, "vocabulary": index.vocabulary},
        "photos": photos,
    }


# A photo's keywords for other tools: tags this sure (a weak guess in a photo
# manager's keyword list is worse than none there: search still finds weak ones)
KEYWORD_MIN = 0.4


def keywords_of(index: Index, vocabulary: Vocabulary, row: int) -> tuple[list[str], list[str]]:
    """(keywords, hierarchical keywords) of one photo: its sure tags' Russian names, and
    their chains of broader words top first, "животное|собака|гончая|бигль"."""
    keywords, tree = [], []
    for tag in tag_records(index, vocabulary, row):
        if tag["probability"] < KEYWORD_MIN:
            continue
        label = vocabulary.labels[vocabulary.index_of_key[tag["label"]]]
        keywords.append(label.ru)
        tree.append("|".join([*reversed(label.broader), label.ru]))
    return list(dict.fromkeys(keywords)), list(dict.fromkeys(tree))


@dataclass
class XmpReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


class RawTwins:
    """The RAW files beside a camera JPEG (same folder, same name): each folder is
    listed once, not stat()ed for every RAW extension of every photo."""

    def __init__(self) -> None:
        self._raws: dict[Path, dict[str, list[Path]]] = {}

    def of(self, photo: Path) -> list[Path]:
        from .formats import RAW_EXTENSIONS, TWIN_RENDERINGS, extension

        if photo.suffix.lower() not in TWIN_RENDERINGS:
            return []
        if photo.parent not in self._raws:
            by_stem: dict[str, list[Path]] = {}
            try:
                with os.scandir(photo.parent) as entries:
                    for entry in entries:
                        if extension(entry.name) in RAW_EXTENSIONS:
                            stem = os.path.splitext(entry.name)[0].casefold()
                            by_stem.setdefault(stem, []).append(Path(entry.path))
            except OSError:
                pass
            self._raws[photo.parent] = by_stem
        return self._raws[photo.parent].get(photo.stem.casefold(), [])


def write_xmp_sidecars(index: Index, vocabulary: Vocabulary, dry_run: bool = False,
                       on_progress=None) -> XmpReport:
    """Merges every photo's keywords into its XMP sidecar (xmp.merge_keywords): a
    sidecar that exists under either common name keeps all its other fields; the
    photos are never touched. `dry_run`: decide and report, write nothing."""
    from collections import Counter

    from .xmp import XmpError, merge_keywords, sidecar_path

    report = XmpReport()
    twins = RawTwins()
    stems = Counter((Path(p).parent, Path(p).stem.lower()) for p in index.paths)
    for row, path in enumerate(index.paths):
        photo = Path(path)
        if on_progress:
            on_progress(row, len(index))
        if not photo.is_file():
            report.skipped.append((path, "фото нет на месте (папка недоступна?)"))
            continue
        keywords, tree = keywords_of(index, vocabulary, row)
        # a JPEG shown for its RAW twin (photos.find_photos) gives the RAW its keywords
        # too, and takes the long name: DSC_0103.xmp is the RAW's in Lightroom
        raws = twins.of(photo)
        shared = stems[(photo.parent, photo.stem.lower())] > 1 or bool(raws)
        for sidecar in [sidecar_path(photo, shared), *(sidecar_path(raw, True) for raw in raws)]:
            try:
                existing = sidecar.read_bytes() if sidecar.is_file() else None
                merged = merge_keywords(existing, keywords, tree)
            except (OSError, XmpError) as exc:
                report.skipped.append((str(sidecar), f"не удалось прочитать: {exc}"))
                continue
            if not merged.changed:
                report.unchanged += 1
                continue
            if existing is None and not keywords:
                report.unchanged += 1  # nothing to say about this photo: no empty sidecar
                continue
            if not dry_run:
                try:
                    atomic_write(sidecar, lambda f, data=merged.data: f.write(data))
                except WriteError as exc:
                    report.skipped.append((str(sidecar), str(exc)))
                    continue
            (report.created if existing is None else report.updated).append(str(sidecar))
    if on_progress:
        on_progress(len(index), len(index))
    return report


def write_export(index: Index, vocabulary: Vocabulary, out: Path) -> int:
    """Writes the export atomically to exactly `out`; returns the number of photos."""
    doc = export_document(index, vocabulary)
    payload = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    atomic_write(out, lambda f: f.write(payload))
    return len(doc["photos"])
