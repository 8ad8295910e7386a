"""The index on disk: `index.json`, plus one `.npy` per array per saved generation.

index.json names the format version, the tagger, the word vectors and the vocabulary
the index was made with, the label of every tag column, and the files that hold this
generation's arrays (`sizes-<generation>.npy`, ..., the photo paths among them as one
byte buffer), each with its CRC-32, dtype and shape. Arrays are read with
`np.load(mmap_mode=...)`: mapped, not read, so a search start reads no more than the
posting lists its words reach. Every array file is checked against its CRC before it
is used: the small ones at load, each posting list the first time a search reads it
(a CRC per label), the image features on first use. A flipped bit is IndexFormatError
(exit 4), never a wrong result.

A save writes the new generation's files under new names, then a copy of its
index.json (`index-<generation>.json`), then replaces index.json atomically, then
deletes the generation before the previous one: a reader (or a crash) always sees an
index.json and arrays that belong together, and the previous generation's files are
kept one save longer for readers that opened index.json just before the switch. If
index.json itself is lost, the newest generation whose copy and files are whole is
read instead: the folders, the model and every photo stay (see `load`).

The model in memory is in index_model.py, the sparse tags in sparse.py, the paths in
pathlist.py, the older formats in migrate.py; their names stay importable from here.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import IndexFormatError, IndexMissingError, WriteError
from .facetable import FaceTable
from .index_model import PHOTO_COLUMNS, Index, Rows, check_features_on_first_use
from .migrate import MIGRATIONS, PERSON_LABEL
from .pathlist import PathList, pack_paths
from .sparse import Postings, Tags, TermLists

__all__ = ["FORMAT", "VERSION", "INDEX_FILE", "Index", "Rows", "Tags", "Postings", "PathList",
           "PERSON_LABEL", "MIGRATIONS", "load", "save", "exists", "atomic_write",
           "read_vectors", "read_roots", "generation_files"]

FORMAT = "photofinder-index"
VERSION = 6
INDEX_FILE = "index.json"
REBUILD_HINT = "выполните `photofinder index --rebuild`"
# Readers that opened index.json just before two saves in a row find its arrays gone:
# they read index.json again (a new generation is there by then) this many times.
LOAD_ATTEMPTS = 5
# array: allowed dtype kinds (formats 1-3, read from their .npz)
_ARRAY_KINDS = {
    1: {"sizes": "iu", "mtimes": "iu", "classes": "iu", "probs": "f", "term_vectors": "f"},
    2: {"sizes": "iu", "mtimes": "iu", "hashes": "u", "stale": "b", "tag_ptr": "i",
        "tag_label": "i", "tag_score": "f", "tag_region": "b", "features": "f",
        "dhash": "u", "taken": "i", "word_ptr": "i", "word_label": "i", "term_vectors": "f"},
    3: {"sizes": "iu", "mtimes": "iu", "hashes": "u", "stale": "b", "post_ptr": "i",
        "post_row": "i", "post_score": "f", "post_region": "b", "dhash": "u", "taken": "i",
        "word_ptr": "i", "word_label": "i", "term_vectors": "f", "paths": "u"},
}
# Format 4: every array in its own file, with exactly this dtype (a flipped bit in a
# header's '<f4' can make it '>f4': the same bytes, other numbers).
ARRAY_DTYPES = {
    "sizes": "<i8", "mtimes": "<i8", "hashes": "<u8", "stale": "|b1", "post_ptr": "<i8",
    "post_row": "<i4", "post_score": "<f4", "post_region": "|b1", "post_crc": "<u4",
    "dhash": "<u8", "taken": "<i8", "word_ptr": "<i8", "word_label": "<i4",
    "term_vectors": "<f4", "paths": "|u1", "path_crc": "<u4", "features": "<f2",
    "duration": "<f4", "video": "|b1", "gps": "<f4",
}
# Format 5 adds the faces (facetable.FaceTable.arrays)
FACE_DTYPES = {"face_rows": "<i4", "face_boxes": "<f4", "face_vectors": "<f2",
               "face_groups": "<i4", "face_checked": "<i4"}
V4_ARRAYS = frozenset(ARRAY_DTYPES)
ARRAY_DTYPES.update(FACE_DTYPES)
V5_ARRAYS = frozenset(ARRAY_DTYPES)
# Format 6 adds the broad terms' own posting lists (sparse.TermLists, scoring.term_lists)
TERM_DTYPES = {"term_id": "<i4", "term_ptr": "<i8", "term_row": "<i4", "term_mass": "<f4",
               "term_units": "<f4", "term_crc": "<u4"}
ARRAY_DTYPES.update(TERM_DTYPES)
# checked as a whole at load; the rest on use (posting lists by label, paths by block,
# features at first use). The posting lists and paths carry their own CRCs (post_crc,
# path_crc), so their files get none: a save computes no CRC twice.
_CHECKED_ON_USE = {"post_row", "post_score", "post_region", "paths", "features",
                   "term_row", "term_mass", "term_units"}
_OWN_CRCS = {"post_row", "post_score", "post_region", "paths", "term_row", "term_mass", "term_units"}
_GENERATION = re.compile(r"[0-9a-f]{16}")
# Every file a save makes, and nothing else: only these are ever deleted (format 3's
# too, which a migrated index leaves behind). The generation is time_ns in hex.
_OURS = re.compile("(?:(?:" + "|".join(ARRAY_DTYPES) + r")-(?P<g1>[0-9a-f]{16})\.npy"
                   r"|arrays-(?P<g2>[0-9a-f]{16})\.npz|index-(?P<g3>[0-9a-f]{16})\.json)")
_OURS_TMP = re.compile(r"\.(?:" + _OURS.pattern + "|" + re.escape(INDEX_FILE) + r")\.[a-z0-9_]{8}\.tmp")
_COPY = re.compile(r"index-([0-9a-f]{16})\.json")
_V3_ARRAYS = re.compile(r"arrays-[0-9a-f]{1,32}\.npz")
_V3_FEATURES = re.compile(r"features-[0-9a-f]{1,32}\.npy")


def _generation_of(name: str) -> str | None:
    match = _OURS.fullmatch(name)
    return next((g for g in match.groups() if g), None) if match else None


def _newest_copy(index_dir: Path) -> Path | None:
    """The newest generation's copy of index.json (for an index.json that was lost)."""
    try:
        names = [n for n in os.listdir(index_dir) if _COPY.fullmatch(n)]
    except OSError:
        return None
    return index_dir / max(names) if names else None


def exists(index_dir: Path) -> bool:
    """An index is there: its index.json, or (index.json lost) a generation's copy of it."""
    return (index_dir / INDEX_FILE).is_file() or _newest_copy(index_dir) is not None


def _meta_path(index_dir: Path) -> Path | None:
    path = index_dir / INDEX_FILE
    return path if path.is_file() else _newest_copy(index_dir)


def load(index_dir: Path) -> Index:
    """Loads an index. Raises IndexMissingError or IndexFormatError with a fix to run.

    Safe against a concurrent save: every generation's files are written before the
    index.json that names them, and if they are removed between our reading index.json
    and opening them, index.json is read again. A lost index.json is replaced by the
    newest generation's copy of it (see the module's docstring).
    """
    for attempt in range(LOAD_ATTEMPTS):
        path = _meta_path(index_dir)
        if path is None:
            raise IndexMissingError(
                f"индекс не найден в {index_dir}: сначала выполните `photofinder index ПАПКА`")
        meta = _load_meta(path)
        try:
            arrays = _load_arrays(index_dir, meta)
        except FileNotFoundError as exc:
            if attempt + 1 < LOAD_ATTEMPTS and _generation_key(_read_meta(index_dir)) != _generation_key(meta):
                continue  # a writer replaced the generation under us: read the new one
            missing = Path(exc.filename).name if exc.filename else "?"
            raise IndexFormatError(
                f"индекс в {index_dir} повреждён (нет файла {missing}): {REBUILD_HINT}") from None
        version = meta["version"]
        try:
            while version < VERSION:
                meta, arrays = MIGRATIONS[version](meta, arrays)
                version += 1
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise IndexFormatError(
                f"индекс в {index_dir} повреждён ({type(exc).__name__}: {str(exc)[:80]}): "
                f"{REBUILD_HINT}") from None
        return _build(index_dir, meta, arrays)
    raise AssertionError("unreachable")  # pragma: no cover


def _generation_key(meta: dict) -> object:
    return meta.get("generation", meta.get("arrays"))


def _load_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexFormatError(f"индекс {path} повреждён ({type(exc).__name__}): {REBUILD_HINT}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(f"{path} — не индекс photofinder: {REBUILD_HINT}")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise IndexFormatError(f"индекс {path} повреждён (нет версии формата): {REBUILD_HINT}")
    if version > VERSION:
        raise IndexFormatError(
            f"индекс {path} сделан более новой версией photofinder (формат {version}, "
            f"эта версия читает до {VERSION}): обновите photofinder")
    if version < VERSION and any(v not in MIGRATIONS for v in range(version, VERSION)):
        raise IndexFormatError(
            f"индекс {path} сделан старой версией photofinder (формат {version}, "
            f"нужен {VERSION}): {REBUILD_HINT}")
    # only files of ours, in the index folder: never a path from elsewhere
    if not (_v4_files_valid(meta, version) if version >= 4 else _v3_files_valid(meta, version)):
        raise IndexFormatError(f"индекс {path} повреждён (имена файлов массивов): {REBUILD_HINT}")
    return meta


def _v3_files_valid(meta: dict, version: int) -> bool:
    return (isinstance(meta.get("arrays"), str) and bool(_V3_ARRAYS.fullmatch(meta["arrays"]))
            and (version < 3 or (isinstance(meta.get("features"), str)
                                 and bool(_V3_FEATURES.fullmatch(meta["features"])))))


def _v4_files_valid(meta: dict, version: int) -> bool:
    generation, files = meta.get("generation"), meta.get("files")
    if not (isinstance(generation, str) and _GENERATION.fullmatch(generation)
            and isinstance(files, dict)
            and set(files) == {4: V4_ARRAYS, 5: V5_ARRAYS}.get(version, set(ARRAY_DTYPES))):
        return False
    for name, entry in files.items():
        if not (isinstance(entry, dict) and entry.get("file") == f"{name}-{generation}.npy"
                and (name in _OWN_CRCS or (type(entry.get("crc32")) is int
                                           and 0 <= entry["crc32"] < 2**32))
                and isinstance(entry.get("shape"), list)
                and all(type(s) is int and s >= 0 for s in entry["shape"])):
            return False
    return True


def generation_files(meta: dict) -> list[str]:
    """The files of the generation an index.json names (for copying an index)."""
    if meta.get("version", 0) >= 4 and isinstance(meta.get("files"), dict):
        return [e["file"] for e in meta["files"].values()]
    return [meta[k] for k in ("arrays", "features") if isinstance(meta.get(k), str)]


def _file_crc(path: Path) -> int:
    """CRC-32 of a file, read through one small buffer: checking a file neither maps it
    nor holds it in memory."""
    crc, buf = 0, bytearray(1 << 20)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            crc = zlib.crc32(view[:n], crc)
    return crc


def _damaged(index_dir: Path, what: str) -> IndexFormatError:
    return IndexFormatError(f"индекс в {index_dir} повреждён ({what}): {REBUILD_HINT}")


def _load_v4(index_dir: Path, meta: dict) -> dict[str, np.ndarray]:
    arrays = {}
    for name, entry in meta["files"].items():
        path = index_dir / entry["file"]
        if name not in _CHECKED_ON_USE and _file_crc(path) != entry["crc32"]:
            raise _damaged(index_dir, f"контрольная сумма {entry['file']} не сходится")
        # mapped, not read. Copy-on-write: the indexer may change rows in memory; the
        # file never changes. The features are only read ("similar", "duplicates").
        array = np.load(path, mmap_mode="r" if name == "features" else "c", allow_pickle=False)
        if array.dtype.str != ARRAY_DTYPES[name] or list(array.shape) != entry["shape"]:
            raise _damaged(index_dir, f"тип или размер {entry['file']}")
        arrays[name] = np.asarray(array)  # a plain ndarray: np.memmap's indexing hooks cost
    return arrays


def _load_arrays(index_dir: Path, meta: dict) -> dict[str, np.ndarray]:
    """The arrays of one generation. FileNotFoundError when it is gone (see load)."""
    try:
        if meta["version"] >= 4:
            return _load_v4(index_dir, meta)
        kinds = _ARRAY_KINDS[meta["version"]]
        # formats 1-3: one .npz, read whole (ZIP checks each member's CRC as it reads);
        # the next save writes format 4
        with np.load(index_dir / meta["arrays"], allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in kinds}
            if meta["version"] == 1 and "hashes" in npz.files:  # optional in format 1
                arrays["hashes"] = npz["hashes"]
        if meta["version"] == 3:
            arrays["features"] = np.load(index_dir / meta["features"], mmap_mode="r",
                                         allow_pickle=False)
            if arrays["features"].dtype != np.float16:
                raise ValueError("features dtype")
    except (FileNotFoundError, IndexFormatError):
        raise
    except (OSError, KeyError, TypeError, ValueError, EOFError, MemoryError,
            zipfile.BadZipFile, zlib.error,
            # a garbled .npy header: NumPy parses it as a Python literal
            SyntaxError, tokenize.TokenError) as exc:
        raise _damaged(index_dir, f"{type(exc).__name__}: {str(exc)[:80]}") from None
    for name, allowed in kinds.items():
        if name in arrays and arrays[name].dtype.kind not in allowed:
            raise _damaged(index_dir, f"тип массива {name}")
    return arrays


def _check_features(index_dir: Path, entry: dict) -> None:
    try:
        crc = _file_crc(index_dir / entry["file"])
    except OSError as exc:
        raise _damaged(index_dir, f"{entry['file']}: {exc.strerror or exc}") from None
    if crc != entry["crc32"]:
        raise _damaged(index_dir, f"контрольная сумма {entry['file']} не сходится")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask_mode() -> int:
    """The mode a plain open() would give a new file: 0666 less the user's umask
    (mkstemp makes 0600, which would hide an index or export from the user's other
    tools and accounts that the umask lets read it)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(target: Path, write, sync_dir: bool = True):
    """Writes via `write(file)` to a temp file in the same folder, fsyncs, os.replace()s;
    returns what `write` returned.

    The file gets the user's usual permissions (umask). Raises WriteError (disk full,
    no permission...); `target` is then as it was before. `sync_dir=False` leaves the
    folder's fsync to a later write in it (a save's many array files, one fsync).
    """
    # the temp name adds 14 bytes: a name near the 255-byte limit gets a cut prefix
    hint = os.fsencode(target.name)[:200].decode("utf-8", "ignore")
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{hint}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"не удалось записать {target}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, _umask_mode())
        with os.fdopen(fd, "wb") as f:
            result = write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"не удалось записать {target}: {exc.strerror or exc}; "
                             "прежний файл не тронут") from None
        raise
    if sync_dir:
        _fsync_dir(target.parent)
    return result


class _CrcWriter:
    """A file that keeps the CRC-32 of what is written to it (np.save writes through it)."""

    def __init__(self, f) -> None:
        self.f, self.crc = f, 0

    def write(self, data) -> int:
        self.crc = zlib.crc32(data, self.crc)
        return self.f.write(data)


def _arrays_of(index: Index) -> tuple[dict[str, np.ndarray], str]:
    post = index.postings
    # float32 on disk: what the search multiplies with, mapped as it is (converting 30
    # million float16 scores took 0.3 s of every search start)
    score = post.score.astype(np.float32, copy=False)
    crc = post.stored_crcs()
    # the broad terms' lists only while they match these tags (an index the indexer
    # changed has stale ones until it makes them again)
    terms = index.term_lists if index.term_lists.made_from(crc) else TermLists()
    paths, path_crc = pack_paths(index.paths)
    return dict(sizes=index.sizes, mtimes=index.mtimes, hashes=index.hashes,
                stale=index.stale, post_ptr=post.ptr, post_row=post.row, post_score=score,
                post_region=post.region, post_crc=crc, dhash=index.dhash,
                taken=index.taken, word_ptr=index.words.ptr, word_label=index.words.label,
                term_vectors=index.term_vectors, paths=paths, path_crc=path_crc,
                features=index.features, **{name: getattr(index, name) for name in PHOTO_COLUMNS},
                **index.faces.arrays(), term_id=terms.term, term_ptr=terms.ptr,
                term_row=terms.row, term_mass=terms.mass, term_units=terms.units,
                term_crc=terms.crc), terms.key


def _json_bytes(meta: dict) -> bytes:
    # A name that is not UTF-8 (a folder `nonutf\xff`) is a lone surrogate here:
    # backslashreplace writes it as the JSON escape \udcff, which json.loads reads back
    # as the same character. Everything else stays readable UTF-8.
    return json.dumps(meta, ensure_ascii=False).encode("utf-8", "backslashreplace")


def save(index: Index, index_dir: Path) -> int:
    """Writes a new generation: its array files, a copy of its index.json, then
    index.json, each atomically; then deletes the generation before the previous one.

    Call it under the indexer's lock (`indexer.index_lock`): it deletes the temp files
    that a killed writer left behind (only names a save makes: never a file of the
    user's in the same folder). Returns the bytes written. Raises WriteError; the
    previous generation stays.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"не удалось создать папку индекса {index_dir}: {exc.strerror or exc}") from None
    index.updated = time.time()
    generation = f"{time.time_ns():016x}"
    files: dict[str, dict] = {}
    written = 0
    arrays, term_key = _arrays_of(index)
    for name, value in arrays.items():
        array = np.ascontiguousarray(value, dtype=np.dtype(ARRAY_DTYPES[name]))
        file = f"{name}-{generation}.npy"
        if name in _OWN_CRCS:
            atomic_write(index_dir / file, lambda f, a=array: np.save(f, a, allow_pickle=False),
                         sync_dir=False)
            files[name] = {"file": file}
        else:
            crc = atomic_write(index_dir / file, lambda f, a=array: _save_npy(f, a), sync_dir=False)
            files[name] = {"file": file, "crc32": crc}
        files[name].update(dtype=array.dtype.str, shape=list(array.shape))
        written += (index_dir / file).stat().st_size
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "generation": generation,
        "files": files,
        "tagger": index.tagger,
        "vectors": index.vectors,
        "vocabulary": index.vocabulary,
        "labels": index.labels,
        "word_labels": index.word_labels,
        "created": index.created,
        "updated": index.updated,
        "roots": index.roots,
        "places": index.places,
        "written": index.written,
        "children": index.children,
        "derived": index.derived,
        "terms": index.terms,
        "term_keys": index.term_keys,
        "faces": index.faces.meta(),
        "term_lists": term_key if len(arrays["term_id"]) else "",
    }
    old_meta = _read_meta(index_dir)
    keep = {generation, _generation_key(old_meta)}
    if isinstance(old_meta.get("arrays"), str):  # format 3: its files have its generation
        keep.add(_generation_of(old_meta["arrays"]))
    payload = _json_bytes(meta)
    # the copy first, and one fsync of the folder for all the new names before index.json
    # names them: if index.json is ever lost, this generation is still whole
    atomic_write(index_dir / f"index-{generation}.json", lambda f: f.write(payload))
    atomic_write(index_dir / INDEX_FILE, lambda f: f.write(payload))
    # Older generations, and temp files of a writer killed mid-save (the indexer's
    # lock means no other writer is alive to own them): only names a save makes.
    for name in os.listdir(index_dir):
        if _OURS_TMP.fullmatch(name) or (_OURS.fullmatch(name) and _generation_of(name) not in keep):
            try:
                (index_dir / name).unlink()
            except OSError:
                pass
    return written + 2 * len(payload)


def _save_npy(f, array: np.ndarray) -> int:
    writer = _CrcWriter(f)
    np.lib.format.write_array(writer, array, allow_pickle=False)
    return writer.crc


def _read_meta(index_dir: Path) -> dict:
    path = _meta_path(index_dir)
    try:
        meta = json.loads(path.read_bytes()) if path else {}
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def read_vectors(index_dir: Path) -> str | None:
    """The word vectors an index was made with (from index.json alone), None if unknown:
    a re-index keeps them unless told otherwise."""
    vectors = _read_meta(index_dir).get("vectors")
    return vectors if isinstance(vectors, str) and vectors else None


def read_roots(index_dir: Path) -> list[str]:
    """The folders a (possibly damaged) index.json names, for --rebuild; [] if none."""
    roots = _read_meta(index_dir).get("roots")
    return [r for r in roots if isinstance(r, str)] if isinstance(roots, list) else []


def _strings(value: object) -> list[str]:
    # the types of a million paths at C speed: a generator over them took 0.5 s
    if not isinstance(value, list) or not set(map(type, value)) <= {str}:
        raise TypeError("ожидался список строк")
    return value  # json.loads made it: nobody else holds it


def _term_lists(arrays: dict[str, np.ndarray], meta: dict, where: str) -> TermLists:
    """The broad terms' lists as stored (none before format 6, or none made)."""
    key = meta.get("term_lists", "")
    if not isinstance(key, str):
        raise TypeError("term_lists")
    if not all(name in arrays for name in TERM_DTYPES):
        return TermLists()
    lists = TermLists(key, arrays["term_id"], arrays["term_ptr"], arrays["term_row"],
                      arrays["term_mass"], arrays["term_units"], arrays["term_crc"], where)
    if not (lists.ptr.shape == (len(lists.term) + 1,) == (len(lists.crc) + 1,)
            and lists.ptr[0] == 0 and (np.diff(lists.ptr) >= 0).all()
            and lists.ptr[-1] == len(lists.row) == len(lists.mass) == len(lists.units)
            and (np.diff(lists.term) > 0).all()):
        raise ValueError("списки слов")
    return lists


def _build(index_dir: Path, meta: dict, arrays: dict[str, np.ndarray]) -> Index:
    def damaged(what: str) -> IndexFormatError:
        return _damaged(index_dir, what)

    try:
        tagger = meta["tagger"]
        if not isinstance(tagger, dict) or not all(isinstance(v, str) for v in tagger.values()) \
                or not all(isinstance(tagger.get(k), str) for k in ("name", "weights")):
            raise TypeError("tagger")
        post = Postings(arrays["post_ptr"].astype(np.int64, copy=False),
                        arrays["post_row"].astype(np.int32, copy=False),
                        arrays["post_score"],  # float32 as stored (float16 if migrated)
                        arrays["post_region"].astype(bool, copy=False),
                        crc=arrays.get("post_crc"), where=str(index_dir))
        word_label = arrays["word_label"].astype(np.int32, copy=False)
        words = Tags(arrays["word_ptr"].astype(np.int64, copy=False), word_label,
                     np.ones(len(word_label), np.float16), np.zeros(len(word_label), bool))
        index = Index(
            tagger=dict(tagger), vectors=str(meta["vectors"]),
            vocabulary=str(meta["vocabulary"]), labels=_strings(meta["labels"]),
            word_labels=_strings(meta["word_labels"]), words=words,
            paths=(_strings(meta["paths"]) if "paths" in meta  # before format 3: in the JSON
                   else PathList(arrays["paths"], len(arrays["sizes"]), arrays.get("path_crc"),
                                 str(index_dir))),
            roots=_strings(meta.get("roots", [])),
            places=str(meta.get("places", "")),
            written=str(meta.get("written", "")),
            children=str(meta.get("children", "")),
            derived=str(meta.get("derived", "")),
            terms=_strings(meta["terms"]), term_keys=_strings(meta["term_keys"]),
            created=float(meta["created"]), updated=float(meta["updated"]),
            sizes=arrays["sizes"].astype(np.int64, copy=False),
            mtimes=arrays["mtimes"].astype(np.int64, copy=False),
            hashes=arrays["hashes"].astype(np.uint64, copy=False),
            stale=arrays["stale"].astype(bool, copy=False), tag_postings=post,
            features=arrays["features"],
            dhash=arrays["dhash"].astype(np.uint64, copy=False),
            taken=arrays["taken"].astype(np.int64, copy=False),
            term_vectors=arrays["term_vectors"],
            **{name: arrays[name].astype(PHOTO_COLUMNS[name][0], copy=False)
               for name in PHOTO_COLUMNS})
        index.term_lists = _term_lists(arrays, meta, str(index_dir))
        index.faces = FaceTable.stored({k: arrays[k] for k in FACE_DTYPES if k in arrays},
                                       meta.get("faces"), len(index.paths))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise damaged(f"{type(exc).__name__}: {str(exc)[:80]}") from None
    n = len(index.paths)
    if not (all(getattr(index, a).shape == (n,) for a in
                ("sizes", "mtimes", "hashes", "stale", "dhash", "taken"))
            and all(getattr(index, a).shape == (n, *shape)
                    for a, (_, shape, _) in PHOTO_COLUMNS.items())
            and index.features.ndim == 2 and index.features.shape[0] == n
            and index.term_vectors.ndim == 2
            and index.term_vectors.shape[:1] == (len(index.terms),) == (len(index.term_keys),)
            and post.ptr.shape == (len(index.labels) + 1,) and post.row.ndim == 1
            and post.row.shape == post.score.shape == post.region.shape
            and (post.crc is None or post.crc.shape == (len(index.labels),))):
        raise damaged("размеры не сходятся")
    if not (post.ptr[0] == 0 and (np.diff(post.ptr) >= 0).all()
            and post.ptr[-1] == len(post.row)):
        raise damaged("списки меток")
    if post.row.size and not (0 <= int(post.row.min()) and int(post.row.max()) < n):
        raise damaged("номера фото")
    if not (words.ptr.shape == (n + 1,) and words.label.ndim == 1 and words.ptr[0] == 0
            and (np.diff(words.ptr) >= 0).all() and words.ptr[-1] == len(words.label)):
        raise damaged("строки слов")
    if words.label.size and not (0 <= int(words.label.min())
                                 and int(words.label.max()) < len(index.word_labels)):
        raise damaged("номера слов")
    if "files" in meta:  # format 4: the features' file is checked when first read
        check_features_on_first_use(index, lambda: _check_features(index_dir, meta["files"]["features"]))
    return index
