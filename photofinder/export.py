"""The JSON tag export for other tools (schema: data/export.schema.json)."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UsageError, WriteError
from .index import Index, atomic_write
from .vocabulary import COLOUR_PREFIX, MONOCHROME, SCENE_PREFIX, Vocabulary, is_colour

EXPORT_FORMAT = "photofinder-tags"
EXPORT_VERSION = 2
EXPORT_SCHEMA = "export.schema.json"


def taken_text(seconds: int) -> str | None:
    """An EXIF date (camera wall-clock seconds) as YYYY-MM-DDTHH:MM:SS, None if unknown."""
    return str(np.datetime64(int(seconds), "s")) if seconds > 0 else None


def tag_records(index: Index, vocabulary: Vocabulary, row: int) -> list[dict]:
    """One photo's tags for other tools, best first, its colours after the things in it
    (labels this vocabulary lacks are left out)."""
    tags = []
    labels, scores, regions = index.tags.row(row)
    rows = sorted(zip(labels.tolist(), scores.tolist(), regions.tolist()),
                  key=lambda tag: is_colour(index.labels[tag[0]]))   # stable: best first stays
    for column, score, region in rows:
        label = vocabulary.index_of_key.get(index.labels[column])
        if label is None:
            continue
        c = vocabulary.labels[label]
        tags.append({"ru": c.ru, "en": c.en, "label": c.key, "kind": c.kind,
                     "class_id": label if c.kind == "imagenet" else None,
                     "wnid": c.wnid or None, "probability": round(float(score), 4),
                     "region": bool(region)})
    return tags


def location_of(index: Index, row: int) -> dict:
    """Where a photo was taken: its GPS and the place's Russian name (all None without)."""
    from .places import place_at

    latitude, longitude = (float(v) for v in index.gps[row])
    if np.isnan(latitude):
        return {"latitude": None, "longitude": None, "place": None}
    place = place_at(latitude, longitude)
    return {"latitude": round(latitude, 6), "longitude": round(longitude, 6),
            "place": place.describe() if place is not None else None}


def face_records(index: Index) -> dict[int, list[dict]]:
    """Each photo's faces for other tools: box and person (id, name), biggest first.
    Their vectors are left out on purpose: they never leave the index."""
    table = index.faces
    records: dict[int, list[dict]] = {}
    order = np.argsort(-table.areas(), kind="stable")
    for face in order.tolist():
        person = int(table.groups[face])
        records.setdefault(int(table.rows[face]), []).append({
            "box": [round(float(v), 4) for v in table.boxes[face]],
            "person": person if person >= 0 else None,
            "name": table.names.get(person)})
    return records


def named_faces(index: Index) -> dict[int, list[tuple[str, tuple[float, float, float, float]]]]:
    """Each photo's named faces, (name, box), for its XMP sidecar."""
    table = index.faces
    named: dict[int, list] = {}
    for face in np.flatnonzero(np.isin(table.groups, list(table.names))).tolist():
        box = tuple(float(v) for v in table.boxes[face])
        named.setdefault(int(table.rows[face]), []).append(
            (table.names[int(table.groups[face])], box))
    return named


def export_document(index: Index, vocabulary: Vocabulary) -> dict:
    faces = face_records(index)
    photos = [{"path": path, "size": int(index.sizes[row]), "mtime_ns": int(index.mtimes[row]),
               "taken": taken_text(int(index.taken[row])),
               **location_of(index, row),
               "tags": tag_records(index, vocabulary, row), "faces": faces.get(row, [])}
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
# The colour tags say the photo's colours, not a thing's, and «серый», «черный» fit the
# background of most photos: a keyword list of them would be noise. Black and white is a
# fact of the photo, and a keyword people look for.
KEYWORD_ANYWAY = SCENE_PREFIX + COLOUR_PREFIX + MONOCHROME


def keywords_of(index: Index, vocabulary: Vocabulary, row: int) -> tuple[list[str], list[str]]:
    """(keywords, hierarchical keywords) of one photo: its sure tags' Russian names, and
    their chains of broader words top first, "животное|собака|гончая|бигль" (a label in
    two chains is in both: "город|улица" and "дорога|улица", Vocabulary.chains)."""
    keywords, tree = [], []
    for tag in tag_records(index, vocabulary, row):
        if tag["probability"] < KEYWORD_MIN or (
                is_colour(tag["label"]) and tag["label"] != KEYWORD_ANYWAY):
            continue
        label = vocabulary.labels[vocabulary.index_of_key[tag["label"]]]
        keywords.append(label.ru)
        tree.extend("|".join(chain) for chain in vocabulary.chains(label.index))
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


def xmp_location(index: Index, row: int) -> dict[str, str] | None:
    """City, region, country and its code in Russian for the sidecar: only for a photo
    with GPS (xmp.merge_keywords writes only fields that are empty)."""
    from .places import place_at

    latitude, longitude = (float(v) for v in index.gps[row])
    place = None if np.isnan(latitude) else place_at(latitude, longitude)
    if place is None:
        return None
    return {"city": place.city or place.area or "", "region": place.region or "",
            "country": place.country or "", "country_code": place.country_code or ""}


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
    named = named_faces(index)
    for row, path in enumerate(index.paths):
        photo = Path(path)
        if on_progress:
            on_progress(row, len(index))
        if not photo.is_file():
            report.skipped.append((path, "фото нет на месте (папка недоступна?)"))
            continue
        keywords, tree = keywords_of(index, vocabulary, row)
        location = xmp_location(index, row)
        people = named.get(row, [])
        # a JPEG shown for its RAW twin (photos.find_photos) gives the RAW its keywords
        # too, and takes the long name: DSC_0103.xmp is the RAW's in Lightroom
        raws = twins.of(photo)
        shared = stems[(photo.parent, photo.stem.lower())] > 1 or bool(raws)
        for sidecar in [sidecar_path(photo, shared), *(sidecar_path(raw, True) for raw in raws)]:
            try:
                existing = sidecar.read_bytes() if sidecar.is_file() else None
                merged = merge_keywords(existing, keywords, tree, location, people)
            except (OSError, XmpError) as exc:
                report.skipped.append((str(sidecar), f"не удалось прочитать: {exc}"))
                continue
            if not merged.changed:
                report.unchanged += 1
                continue
            if existing is None and not keywords and not people:
                report.unchanged += 1  # nothing to say about this photo: no empty sidecar
                continue
            if not dry_run:
                try:
                    # a symlinked sidecar (kept in a synced folder, say) stays a link:
                    # its target gets the keywords
                    target = sidecar.resolve() if sidecar.is_symlink() else sidecar
                    atomic_write(target, lambda f, data=merged.data: f.write(data))
                except WriteError as exc:
                    report.skipped.append((str(sidecar), str(exc)))
                    continue
            (report.created if existing is None else report.updated).append(str(sidecar))
    if on_progress:
        on_progress(len(index), len(index))
    return report


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value, **kwargs) -> str:
    """json.dumps with readable Russian that stays valid UTF-8 JSON when a path is not
    UTF-8: Python keeps such a name's bytes as surrogate escapes, written here as
    \\udcff, which json.loads turns back into the same str (os.fsencode of it is the
    file's real name)."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def export_payload(index: Index, vocabulary: Vocabulary) -> tuple[bytes, int]:
    """The export as UTF-8 JSON, and the number of photos in it."""
    doc = export_document(index, vocabulary)
    return json_text(doc, indent=1).encode("utf-8"), len(doc["photos"])


def export_target(out: Path, index_dir: Path) -> Path:
    """The file `export --out OUT` may replace, or UsageError: never a device, a FIFO or
    a socket (root would turn /dev/null into a regular file), nothing in the index's own
    folder, no photo or sidecar, and no existing file that is not an earlier export.
    A symlink is written through: the link stays, its target gets the export."""
    from .formats import SUPPORTED_EXTENSIONS

    if out.is_dir():
        raise UsageError(f"{out} — папка; укажите имя файла, например {out / 'tags.json'}")
    target = out.resolve()
    if not target.parent.is_dir():
        raise UsageError(f"нет папки {out.parent}")
    if target.is_relative_to(index_dir.resolve()):
        raise UsageError(f"{out} — в папке индекса {index_dir}: там только файлы индекса, "
                         "выберите файл вне её")
    if target.suffix.lower() in SUPPORTED_EXTENSIONS | {".xmp"}:
        raise UsageError(f"{out}: выгрузка — это JSON, а имя как у фото или XMP; "
                         "укажите файл .json")
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise UsageError(f"{out}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise UsageError(f"{out} — не обычный файл (устройство, канал или сокет); "
                         "укажите файл .json или «-» для вывода на экран")
    if not _is_export(target):
        raise UsageError(f"{out} уже есть, и это не выгрузка photofinder: выберите другое "
                         "имя или удалите файл сами")
    return target


def _is_export(path: Path) -> bool:
    """Whether an existing file is an earlier export (replacing it is what --out is for)."""
    try:
        with open(path, "rb") as f:
            head = f.read(200)
    except OSError:
        return False
    return not head.strip() or re.match(
        rb'\s*\{\s*"format":\s*"' + EXPORT_FORMAT.encode() + rb'"', head) is not None


def write_export(index: Index, vocabulary: Vocabulary, out: Path) -> int:
    """Writes the export atomically to `out` (checked with export_target first); returns
    the number of photos."""
    payload, count = export_payload(index, vocabulary)
    atomic_write(out, lambda f: f.write(payload))
    return count
