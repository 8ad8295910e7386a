"""The index on disk: `index.json`, plus one arrays `.npz` and one features `.npy` per
saved generation.

index.json names the format version, the tagger, the word vectors and the vocabulary
the index was made with, the label of every tag column, and the two files that hold
this generation's arrays (the photo paths among them, as one UTF-8 buffer). Every save
writes new files and then replaces index.json atomically, so a reader (or a crash)
always sees index.json and arrays that belong together; the previous generation's files
are kept one save longer for readers that opened index.json just before the switch.

Tags are sparse: a photo keeps every label above a floor (ImageNet classes of the
whole photo and of its regions, scenes, the person score). They are stored label by
label (posting lists, CSC), the layout a search reads: a query touches only the lists
of its labels, and loading needs no re-sorting. The indexer edits them row by row
(CSR); each layout is made from the other on first use. The compact image features
live in their own `.npy`, memory-mapped: a search never reads them.
"""

from __future__ import annotations

import json
import operator
import os
import re
import struct
import tempfile
import time
import tokenize
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import IndexFormatError, IndexMissingError, WriteError

FORMAT = "photofinder-index"
VERSION = 4
INDEX_FILE = "index.json"
REBUILD_HINT = "выполните `photofinder index --rebuild`"
PERSON_LABEL = "person"


@dataclass
class Tags:
    """Sparse photo x label scores, row by row (CSR): photo i has the labels
    `label[ptr[i]:ptr[i + 1]]` with their scores; `region` marks a tag that a region of
    the photo gave more strongly than the whole photo ("бутылка (фрагмент)")."""

    ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    label: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    score: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float16))
    region: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.ptr) - 1

    @property
    def nnz(self) -> int:
        return int(self.ptr[-1])

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Labels, scores (float32) and region flags of photo i, best first."""
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        return self.label[a:b], self.score[a:b].astype(np.float32), self.region[a:b]

    def rows(self) -> np.ndarray:
        """The photo of every stored tag (expands ptr)."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.ptr))

    @classmethod
    def from_rows(cls, rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Tags:
        """From (labels, scores, region) per photo; each row is sorted best first."""
        counts = [len(r[0]) for r in rows]
        ptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(counts, out=ptr[1:])
        if not rows:
            return cls()
        labels = np.concatenate([np.asarray(r[0], np.int32) for r in rows])
        scores = np.concatenate([np.asarray(r[1], np.float32) for r in rows])
        region = np.concatenate([np.asarray(r[2], bool) for r in rows])
        for i, count in enumerate(counts):  # best first within each photo
            a = ptr[i]
            order = np.argsort(-scores[a:a + count], kind="stable")
            labels[a:a + count] = labels[a:a + count][order]
            scores[a:a + count] = scores[a:a + count][order]
            region[a:a + count] = region[a:a + count][order]
        return cls(ptr, labels, scores.astype(np.float16), region)

    @classmethod
    def from_dense(cls, labels: np.ndarray, scores: np.ndarray,
                   region: np.ndarray | None = None) -> Tags:
        """From fixed-width [N, K] arrays; scores <= 0 are padding and are dropped."""
        region = np.zeros(labels.shape, bool) if region is None else region
        return cls.from_rows([(labels[i][scores[i] > 0], scores[i][scores[i] > 0],
                               region[i][scores[i] > 0]) for i in range(len(labels))])

    def select(self, rows: np.ndarray) -> Tags:
        rows = np.asarray(rows, np.int64)
        counts = self.ptr[rows + 1] - self.ptr[rows]
        ptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum(counts, out=ptr[1:])
        take = (np.repeat(self.ptr[rows] - ptr[:-1], counts)
                + np.arange(int(ptr[-1]), dtype=np.int64))
        return Tags(ptr, self.label[take], self.score[take], self.region[take])

    def concat(self, other: Tags) -> Tags:
        return Tags(np.concatenate([self.ptr, other.ptr[1:] + self.ptr[-1]]),
                    np.concatenate([self.label, other.label]),
                    np.concatenate([self.score, other.score]),
                    np.concatenate([self.region, other.region]))


@dataclass
class Postings:
    """The same tags label by label (CSC): label j's photos are `row[ptr[j]:ptr[j + 1]]`,
    in ascending order. The index is stored this way, so a search loads the posting
    lists of 1,000,000 photos as they are and reads only the lists its words reach."""

    ptr: np.ndarray       # int64 [labels + 1]
    row: np.ndarray       # int32 [nnz]
    score: np.ndarray     # float16 [nnz] as tagged, float32 as stored and searched
    region: np.ndarray    # bool [nnz]

    @classmethod
    def of(cls, tags: Tags, n_labels: int) -> Postings:
        order = np.argsort(tags.label, kind="stable")  # stable: rows stay ascending
        ptr = np.zeros(n_labels + 1, np.int64)
        np.cumsum(np.bincount(tags.label, minlength=n_labels), out=ptr[1:])
        return cls(ptr, tags.rows()[order].astype(np.int32), tags.score[order], tags.region[order])

    def tags(self, n_rows: int) -> Tags:
        """Row by row again, each photo's tags best first."""
        label = np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int32), np.diff(self.ptr))
        order = np.lexsort((-self.score.astype(np.float32), self.row))
        ptr = np.zeros(n_rows + 1, np.int64)
        np.cumsum(np.bincount(self.row, minlength=n_rows), out=ptr[1:])
        return Tags(ptr, label[order], self.score[order], self.region[order])

    def lookup(self, rows: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The scores (0 where absent) and region flags of some photos for some labels,
        [rows, labels]: one binary search per label for all the photos (the hits a
        search explains), not one per photo and label."""
        rows = np.asarray(rows, np.int64)
        order = np.argsort(rows, kind="stable")
        wanted = rows[order]
        scores = np.zeros((len(rows), len(labels)), np.float32)
        regions = np.zeros((len(rows), len(labels)), bool)
        for k, label in enumerate(np.asarray(labels, np.int64)):
            segment = self.row[int(self.ptr[label]):int(self.ptr[label + 1])]
            at = np.searchsorted(segment, wanted)
            found = at < len(segment)
            found[found] = segment[at[found]] == wanted[found]
            where = int(self.ptr[label]) + at[found]
            scores[order[found], k] = self.score[where]
            regions[order[found], k] = self.region[where]
        return scores, regions


class PathList(MutableSequence[str]):
    """The photo paths of a loaded index, decoded one at a time as they are asked for.

    A search shows twenty photos of a million: decoding and splitting all their paths
    took 0.45 s of its start. Paths are validated as a count at load (the other columns
    must agree); a byte the index's writer could not have produced (it skips names that
    are not UTF-8) shows as U+FFFD, not as a crash. The first change (the indexer's)
    turns it into a plain list; iterating decodes them all at once."""

    def __init__(self, packed: np.ndarray, n: int) -> None:
        ends = np.flatnonzero(packed == 0)   # the NUL between two paths
        if (len(ends) != n - 1) if n else packed.size:
            raise ValueError(f"размеры не сходятся: путей {len(ends) + 1 if packed.size else 0}, фото {n}")
        self._packed = packed
        # path i is packed[bounds[i] + 1 : bounds[i + 1]]
        self._bounds = np.concatenate([[-1], ends, [len(packed)]]) if n else np.full(1, -1)
        self._list: list[str] | None = None

    @property
    def packed(self) -> np.ndarray | None:
        """The UTF-8 buffer as loaded, while nothing has changed (saving reuses it)."""
        return self._packed if self._list is None else None

    def _all(self) -> list[str]:
        if self._list is None:
            text = self._packed.tobytes().decode("utf-8", "replace")
            # the buffer stays: a reader on another thread (the desktop app's) may be
            # between its check of _list and its use of the buffer
            self._list = text.split("\0") if len(self._bounds) > 1 else []
        return self._list

    def __len__(self) -> int:
        return len(self._bounds) - 1 if self._list is None else len(self._list)

    def __getitem__(self, i):  # type: ignore[override]
        if self._list is not None:
            return self._list[i]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("номер фото вне индекса")
        return self._packed[self._bounds[i] + 1:self._bounds[i + 1]].tobytes().decode("utf-8", "replace")

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __setitem__(self, i, value) -> None:  # type: ignore[override]
        self._all()[i] = value

    def __delitem__(self, i) -> None:  # type: ignore[override]
        del self._all()[i]

    def insert(self, i: int, value: str) -> None:
        self._all().insert(i, value)

    def append(self, value: str) -> None:
        self._all().append(value)

    def extend(self, values: Iterable[str]) -> None:
        self._all().extend(values)

    def index(self, value, *args) -> int:  # type: ignore[override]
        return self._all().index(value, *args)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, PathList)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"PathList({len(self)} paths)"


@dataclass
class Rows:
    """Photos to add to an index, each with everything the index stores about it."""

    paths: list[str]
    sizes: np.ndarray
    mtimes: np.ndarray
    hashes: np.ndarray
    tags: Tags
    features: np.ndarray          # float16 [n, D]
    dhash: np.ndarray             # uint64 [n]: difference hash of the pixels, for duplicates
    taken: np.ndarray             # int64 [n]: when taken (EXIF, seconds, local time), 0 = unknown
    words: list[list[str]] | None = None   # words.py keys per photo ("folder:свадьба")
    duration: np.ndarray | None = None     # float32 [n]: a video's seconds (None: all 0)
    video: np.ndarray | None = None        # bool [n]: a video (tagged by its frames)

    def column(self, name: str) -> np.ndarray:
        """`duration` or `video`, zeros where not given (rows of photos only)."""
        value = getattr(self, name)
        if value is not None:
            return value
        return np.zeros(len(self.paths), np.float32 if name == "duration" else bool)

    @staticmethod
    def joined(parts: list[Rows]) -> Rows:
        """Several batches' rows as one: Index.append copies the index's arrays, so the
        indexer appends a few model batches at a time, not each small batch."""
        if len(parts) == 1:
            return parts[0]
        tags = parts[0].tags
        for part in parts[1:]:
            tags = tags.concat(part.tags)
        words = (None if any(p.words is None for p in parts)
                 else [w for p in parts for w in p.words])  # type: ignore[union-attr]
        return Rows(paths=[path for p in parts for path in p.paths],
                    sizes=np.concatenate([p.sizes for p in parts]),
                    mtimes=np.concatenate([p.mtimes for p in parts]),
                    hashes=np.concatenate([p.hashes for p in parts]),
                    tags=tags, features=np.concatenate([p.features for p in parts]),
                    dhash=np.concatenate([p.dhash for p in parts]),
                    taken=np.concatenate([p.taken for p in parts]), words=words,
                    duration=np.concatenate([p.column("duration") for p in parts]),
                    video=np.concatenate([p.column("video") for p in parts]))


@dataclass
class Index:
    """Everything known about the indexed photos, as columns (row i is photo i)."""

    tagger: dict[str, str]                  # what made the tags: tagger.tagger_identity + heads
    vectors: str                            # "navec" or "fasttext:/path/model.bin"
    vocabulary: str                         # digest of the vocabulary the terms came from
    labels: list[str] = field(default_factory=list)  # what each tag column means (its key)
    # a list, or a PathList when loaded (decoded one path at a time)
    paths: MutableSequence[str] = field(default_factory=list)
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    mtimes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # content hash per photo (indexer.content_hash), 0 = unknown: recognises a moved or
    # renamed photo without tagging it again
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    # tagged by an older pipeline (another model, or before scenes and regions existed):
    # kept and searchable, tagged again as soon as its file can be read
    stale: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # the tags, row by row (what the indexer edits) or label by label (what is stored and
    # searched); each is made from the other on first use (see `tags`, `postings`)
    tag_rows: Tags | None = None
    tag_postings: Postings | None = None
    # compact image features (heads.Heads.project), float16 [N, D]; memory-mapped from
    # their own file when loaded, so a search never reads them
    features: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float16))
    dhash: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    taken: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # videos (format 4): the length in seconds, and which rows are videos
    duration: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    video: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    # words people wrote (folder and file names, keywords in the file): a second sparse
    # matrix over `word_labels`, kept apart from the model's tags because a moved photo
    # keeps its tags but not its folder's words
    word_labels: list[str] = field(default_factory=list)
    words: Tags = field(default_factory=Tags)
    roots: list[str] = field(default_factory=list)
    # word vectors of the vocabulary's terms, computed once per index
    terms: list[str] = field(default_factory=list)
    term_keys: list[str] = field(default_factory=list)   # lemmas joined by spaces
    term_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if len(self.words) != len(self.paths) and self.words.nnz == 0:
            self.words = Tags(np.zeros(len(self.paths) + 1, np.int64))  # nobody wrote any
        if self.tag_rows is None and self.tag_postings is None:
            self.tag_rows = Tags(np.zeros(len(self.paths) + 1, np.int64))
        if len(self.video) != len(self.paths) and not len(self.video):  # made of photos only
            self.duration = np.zeros(len(self.paths), np.float32)
            self.video = np.zeros(len(self.paths), bool)

    @property
    def tags(self) -> Tags:
        if self.tag_rows is None:
            self.tag_rows = self.tag_postings.tags(len(self.paths))
        return self.tag_rows

    @tags.setter
    def tags(self, value: Tags) -> None:
        self.tag_rows, self.tag_postings = value, None

    @property
    def postings(self) -> Postings:
        if self.tag_postings is None or len(self.tag_postings.ptr) != len(self.labels) + 1:
            self.tag_postings = Postings.of(self.tags, len(self.labels))
        return self.tag_postings

    def __len__(self) -> int:
        return len(self.paths)

    def label_column(self, key: str) -> int:
        """The column of a label, added at the end if the index has none yet."""
        try:
            return self.labels.index(key)
        except ValueError:
            self.labels.append(key)
            return len(self.labels) - 1

    def select(self, rows: np.ndarray | list[int]) -> None:
        """Keeps only the given rows, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        self.tags = self.tags.select(rows)  # first: stored postings know rows by len(paths)
        paths = list(self.paths)  # one decode of them all, not one per row
        self.paths = [paths[i] for i in rows]
        for name in ("sizes", "mtimes", "hashes", "stale", "dhash", "taken", "duration", "video",
                     "features"):
            setattr(self, name, getattr(self, name)[rows])
        self.words = self.words.select(rows)

    def word_rows(self, keys: list[list[str]]) -> Tags:
        """Word keys per photo as rows over `word_labels` (new keys are added)."""
        column = {k: i for i, k in enumerate(self.word_labels)}
        rows = []
        for photo_keys in keys:
            ids = []
            for key in photo_keys:
                if key not in column:
                    column[key] = len(self.word_labels)
                    self.word_labels.append(key)
                ids.append(column[key])
            rows.append((np.array(ids, np.int32), np.ones(len(ids), np.float32),
                         np.zeros(len(ids), bool)))
        return Tags.from_rows(rows)

    def words_of(self, row: int) -> list[str]:
        return [self.word_labels[i] for i in self.words.row(row)[0]]

    def set_words(self, replacements: dict[int, list[str]]) -> None:
        """Replaces some photos' words (a moved photo is in another folder now)."""
        if not replacements:
            return
        keys = [replacements[i] if i in replacements else self.words_of(i)
                for i in range(len(self))]
        self.words = self.word_rows(keys)

    def append(self, rows: Rows) -> None:
        if not rows.paths:
            return
        self.tags = self.tags.concat(rows.tags)  # first: stored postings know rows by len(paths)
        self.paths.extend(rows.paths)
        self.sizes = np.concatenate([self.sizes, np.asarray(rows.sizes, np.int64)])
        self.mtimes = np.concatenate([self.mtimes, np.asarray(rows.mtimes, np.int64)])
        self.hashes = np.concatenate([self.hashes, np.asarray(rows.hashes, np.uint64)])
        self.stale = np.concatenate([self.stale, np.zeros(len(rows.paths), bool)])
        self.dhash = np.concatenate([self.dhash, np.asarray(rows.dhash, np.uint64)])
        self.taken = np.concatenate([self.taken, np.asarray(rows.taken, np.int64)])
        self.duration = np.concatenate([self.duration, rows.column("duration")])
        self.video = np.concatenate([self.video, rows.column("video")])
        features = np.asarray(rows.features, np.float16)
        if self.features.shape[1] == 0 and features.shape[1]:
            # the first rows with features (an index of an older format, or of a model
            # without heads): the rows before them have none, zeros
            self.features = np.zeros((len(self.features), features.shape[1]), np.float16)
        if features.shape[1] != self.features.shape[1]:  # rows without features
            features = np.zeros((len(rows.paths), self.features.shape[1]), np.float16)
        self.features = np.concatenate([self.features, features])
        self.words = self.words.concat(self.word_rows(rows.words or [[] for _ in rows.paths]))

    def take_rows(self, rows: np.ndarray, paths: list[str], sizes: list[int],
                  mtimes: list[int], words: list[list[str]]) -> Rows:
        """Copies of stored rows under new paths (a copy keeps its tags, with the words
        of its new place)."""
        rows = np.asarray(rows, np.int64)
        return Rows(paths=paths, sizes=np.asarray(sizes, np.int64),
                    mtimes=np.asarray(mtimes, np.int64), hashes=self.hashes[rows],
                    tags=self.tags.select(rows), features=self.features[rows],
                    dhash=self.dhash[rows], taken=self.taken[rows], words=words,
                    duration=self.duration[rows], video=self.video[rows])


def exists(index_dir: Path) -> bool:
    return (index_dir / INDEX_FILE).is_file()


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


def atomic_write(target: Path, write) -> None:
    """Writes via `write(file)` to a temp file in the same folder, fsyncs, os.replace()s.

    The file gets the user's usual permissions (umask). Raises WriteError (disk full,
    no permission...); `target` is then as it was before.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"не удалось записать {target}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, _umask_mode())
        with os.fdopen(fd, "wb") as f:
            write(f)
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
    _fsync_dir(target.parent)


def _arrays_of(index: Index) -> dict[str, np.ndarray]:
    post = index.postings
    return dict(sizes=index.sizes, mtimes=index.mtimes, hashes=index.hashes,
                stale=index.stale, post_ptr=post.ptr, post_row=post.row,
                # float32 on disk: what the search multiplies with, mapped as it is
                # (converting 30 million float16 scores took 0.3 s of every search start)
                post_score=post.score.astype(np.float32, copy=False),
                post_region=post.region, dhash=index.dhash,
                taken=index.taken, duration=index.duration, video=index.video,
                word_ptr=index.words.ptr, word_label=index.words.label,
                term_vectors=index.term_vectors, paths=_pack_paths(index.paths))


def _pack_paths(paths: MutableSequence[str]) -> np.ndarray:
    """The photo paths as one UTF-8 buffer, NUL-separated (no path holds a NUL): index.json
    stays small (the desktop app and every search read it first), and a search decodes
    only the paths it shows (PathList)."""
    if isinstance(paths, PathList) and paths.packed is not None:
        return paths.packed
    return np.frombuffer("\0".join(paths).encode("utf-8"), np.uint8)


def save(index: Index, index_dir: Path) -> int:
    """Writes a new generation: its arrays file, then index.json, each atomically.

    Call it under the indexer's lock (`indexer.index_lock`): it deletes the temp files
    that a killed writer left behind. Returns the bytes written. Raises WriteError;
    the previous generation stays.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"не удалось создать папку индекса {index_dir}: {exc.strerror or exc}") from None
    index.updated = time.time()
    generation = f"{time.time_ns():x}"
    arrays_name, features_name = f"arrays-{generation}.npz", f"features-{generation}.npy"
    arrays = _arrays_of(index)
    features = np.ascontiguousarray(index.features, dtype=np.float16)
    atomic_write(index_dir / features_name, lambda f: np.save(f, features, allow_pickle=False))
    atomic_write(index_dir / arrays_name, lambda f: np.savez(f, **arrays))
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "arrays": arrays_name,
        "features": features_name,
        "tagger": index.tagger,
        "vectors": index.vectors,
        "vocabulary": index.vocabulary,
        "labels": index.labels,
        "word_labels": index.word_labels,
        "created": index.created,
        "updated": index.updated,
        "roots": index.roots,
        "terms": index.terms,
        "term_keys": index.term_keys,
    }
    old_meta = _read_meta(index_dir) if exists(index_dir) else {}
    keep = {arrays_name, features_name, old_meta.get("arrays"), old_meta.get("features")}
    payload = json.dumps(meta, ensure_ascii=False).encode("utf-8")
    atomic_write(index_dir / INDEX_FILE, lambda f: f.write(payload))
    # Older generations, and temp files of a writer killed mid-save (the indexer's
    # lock means no other writer is alive to own them).
    stale = [p for pattern in ("arrays-*.npz", "features-*.npy") for p in index_dir.glob(pattern)
             if p.name not in keep]
    stale += index_dir.glob(f".{INDEX_FILE}.*.tmp")
    stale += index_dir.glob(".arrays-*.npz.*.tmp")
    stale += index_dir.glob(".features-*.npy.*.tmp")
    for old in stale:
        try:
            old.unlink()
        except OSError:
            pass
    return (len(payload) + (index_dir / arrays_name).stat().st_size
            + (index_dir / features_name).stat().st_size)


def _read_meta(index_dir: Path) -> dict:
    try:
        meta = json.loads((index_dir / INDEX_FILE).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return meta if isinstance(meta, dict) else {}


def read_vectors(index_dir: Path) -> str | None:
    """The word vectors an index was made with (from index.json alone), None if unknown:
    a re-index keeps them unless told otherwise."""
    vectors = _read_meta(index_dir).get("vectors") if exists(index_dir) else None
    return vectors if isinstance(vectors, str) and vectors else None


def read_roots(index_dir: Path) -> list[str]:
    """The folders a (possibly damaged) index.json names, for --rebuild; [] if none."""
    roots = _read_meta(index_dir).get("roots")
    return [r for r in roots if isinstance(r, str)] if isinstance(roots, list) else []


# --- older formats ---------------------------------------------------------------------
def _v1_to_v2(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
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


def _v2_to_v3(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
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


def _v3_to_v4(meta: dict, arrays: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """Version 3 to 4 (videos): every row of an older index is a photo."""
    n = len(arrays["sizes"])
    arrays.update(duration=np.zeros(n, np.float32), video=np.zeros(n, bool))
    return meta, arrays


# MIGRATIONS[v] turns a version-v index (index.json as a dict, and its arrays) into
# version v + 1. A version with no way forward is rebuilt.
MIGRATIONS: dict[int, Callable[[dict, dict], tuple[dict, dict]]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
# Readers that opened index.json just before two saves in a row find its arrays gone:
# they read index.json again (a new generation is there by then) this many times.
LOAD_ATTEMPTS = 5
_ARRAYS_NAME = re.compile(r"arrays-[0-9a-f]{1,32}\.npz")
_FEATURES_NAME = re.compile(r"features-[0-9a-f]{1,32}\.npy")
# array: allowed dtype kinds, and whether a format-1 index has it
_ARRAY_KINDS = {
    1: {"sizes": "iu", "mtimes": "iu", "classes": "iu", "probs": "f", "term_vectors": "f"},
    2: {"sizes": "iu", "mtimes": "iu", "hashes": "u", "stale": "b", "tag_ptr": "i",
        "tag_label": "i", "tag_score": "f", "tag_region": "b", "features": "f",
        "dhash": "u", "taken": "i", "word_ptr": "i", "word_label": "i", "term_vectors": "f"},
    3: {"sizes": "iu", "mtimes": "iu", "hashes": "u", "stale": "b", "post_ptr": "i",
        "post_row": "i", "post_score": "f", "post_region": "b", "dhash": "u", "taken": "i",
        "word_ptr": "i", "word_label": "i", "term_vectors": "f", "paths": "u"},
}
_ARRAY_KINDS[4] = {**_ARRAY_KINDS[3], "duration": "f", "video": "b"}


def load(index_dir: Path) -> Index:
    """Loads an index. Raises IndexMissingError or IndexFormatError with a fix to run.

    Safe against a concurrent save: every generation's arrays file is written before
    the index.json that names it, and if it is removed between our reading index.json
    and opening the arrays, index.json is read again.
    """
    path = index_dir / INDEX_FILE
    for attempt in range(LOAD_ATTEMPTS):
        if not path.is_file():
            raise IndexMissingError(
                f"индекс не найден в {index_dir}: сначала выполните `photofinder index ПАПКА`")
        meta = _load_meta(path)
        try:
            arrays = _load_arrays(index_dir, meta)
        except FileNotFoundError:
            if attempt + 1 < LOAD_ATTEMPTS and _read_meta(index_dir).get("arrays") != meta["arrays"]:
                continue  # a writer replaced the generation under us: read the new one
            raise IndexFormatError(
                f"индекс в {index_dir} повреждён (нет файла {meta['arrays']}): {REBUILD_HINT}") from None
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
    if not isinstance(meta.get("arrays"), str) or not _ARRAYS_NAME.fullmatch(meta["arrays"]) \
            or (version >= 3 and not (isinstance(meta.get("features"), str)
                                      and _FEATURES_NAME.fullmatch(meta["features"]))):
        # only files of ours, in the index folder: never a path from elsewhere
        raise IndexFormatError(f"индекс {path} повреждён (имя файла массивов): {REBUILD_HINT}")
    return meta


def _map_npz(path: Path, names) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed .npz (what `save` writes), memory-mapped in place
    instead of read: loading a million photos' posting lists (300 MB) takes
    milliseconds, and a query pages in only the lists it reads. Copy-on-write: the
    indexer may change rows in memory; the file never changes. Like np.load with
    allow_pickle=False, an object array is refused."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as f:
        for name in names:
            info = archive.getinfo(f"{name}.npy")
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{name}: сжатый массив")
            f.seek(info.header_offset)
            local = f.read(30)
            if len(local) != 30 or local[:4] != b"PK\x03\x04":
                raise ValueError(f"{name}: заголовок zip")
            name_len, extra_len = struct.unpack("<HH", local[26:30])
            start = info.header_offset + 30 + name_len + extra_len
            f.seek(start)
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(f)
            if dtype.hasobject:
                raise ValueError(f"{name}: массив объектов")
            offset = f.tell()
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if offset - start + nbytes > info.file_size:
                raise ValueError(f"{name}: размер")
            if nbytes == 0:
                arrays[name] = np.zeros(shape, dtype)
            else:
                # a plain ndarray view of the mapping: np.memmap's Python-level
                # indexing hooks cost more than the lookups themselves
                arrays[name] = np.asarray(np.memmap(path, dtype=dtype, mode="c", offset=offset,
                                                    shape=shape, order="F" if fortran else "C"))
    return arrays


def _load_arrays(index_dir: Path, meta: dict) -> dict[str, np.ndarray]:
    """The arrays of one generation. FileNotFoundError when it is gone (see load)."""
    kinds = _ARRAY_KINDS[meta["version"]]
    try:
        if meta["version"] >= 3:
            arrays = _map_npz(index_dir / meta["arrays"], kinds)
        else:
            with np.load(index_dir / meta["arrays"], allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in kinds}
                if meta["version"] == 1 and "hashes" in npz.files:  # optional in format 1
                    arrays["hashes"] = npz["hashes"]
        if meta["version"] >= 3:
            # mapped, not read: only "similar" and "duplicates" touch the features
            arrays["features"] = np.load(index_dir / meta["features"], mmap_mode="r",
                                         allow_pickle=False)
            if arrays["features"].dtype != np.float16:
                raise ValueError("features dtype")
    except FileNotFoundError:
        raise
    except (OSError, KeyError, TypeError, ValueError, EOFError, MemoryError,
            zipfile.BadZipFile, zlib.error,
            # a garbled .npy header: NumPy parses it as a Python literal
            SyntaxError, tokenize.TokenError) as exc:
        raise IndexFormatError(
            f"индекс в {index_dir} повреждён ({type(exc).__name__}: {str(exc)[:80]}): {REBUILD_HINT}") from None
    for name, allowed in kinds.items():
        if name in arrays and arrays[name].dtype.kind not in allowed:
            raise IndexFormatError(
                f"индекс в {index_dir} повреждён (тип массива {name}): {REBUILD_HINT}")
    return arrays


def _strings(value: object) -> list[str]:
    # the types of a million paths at C speed: a generator over them took 0.5 s
    if not isinstance(value, list) or not set(map(type, value)) <= {str}:
        raise TypeError("ожидался список строк")
    return value  # json.loads made it: nobody else holds it


def _build(index_dir: Path, meta: dict, arrays: dict[str, np.ndarray]) -> Index:
    def damaged(what: str) -> IndexFormatError:
        return IndexFormatError(f"индекс в {index_dir} повреждён ({what}): {REBUILD_HINT}")

    try:
        tagger = meta["tagger"]
        if not isinstance(tagger, dict) or not all(isinstance(v, str) for v in tagger.values()) \
                or not all(isinstance(tagger.get(k), str) for k in ("name", "weights")):
            raise TypeError("tagger")
        post = Postings(arrays["post_ptr"].astype(np.int64, copy=False),
                        arrays["post_row"].astype(np.int32, copy=False),
                        arrays["post_score"],  # float32 as stored (float16 if migrated)
                        arrays["post_region"].astype(bool, copy=False))
        word_label = arrays["word_label"].astype(np.int32, copy=False)
        words = Tags(arrays["word_ptr"].astype(np.int64, copy=False), word_label,
                     np.ones(len(word_label), np.float16), np.zeros(len(word_label), bool))
        index = Index(
            tagger=dict(tagger), vectors=str(meta["vectors"]),
            vocabulary=str(meta["vocabulary"]), labels=_strings(meta["labels"]),
            word_labels=_strings(meta["word_labels"]), words=words,
            paths=(_strings(meta["paths"]) if "paths" in meta  # before format 3: in the JSON
                   else PathList(arrays["paths"], len(arrays["sizes"]))),
            roots=_strings(meta.get("roots", [])),
            terms=_strings(meta["terms"]), term_keys=_strings(meta["term_keys"]),
            created=float(meta["created"]), updated=float(meta["updated"]),
            sizes=arrays["sizes"].astype(np.int64, copy=False),
            mtimes=arrays["mtimes"].astype(np.int64, copy=False),
            hashes=arrays["hashes"].astype(np.uint64, copy=False),
            stale=arrays["stale"].astype(bool, copy=False), tag_postings=post,
            features=arrays["features"],
            dhash=arrays["dhash"].astype(np.uint64, copy=False),
            taken=arrays["taken"].astype(np.int64, copy=False),
            duration=arrays["duration"].astype(np.float32, copy=False),
            video=arrays["video"].astype(bool, copy=False),
            term_vectors=arrays["term_vectors"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise damaged(f"{type(exc).__name__}: {str(exc)[:80]}") from None
    n = len(index.paths)
    if not (all(getattr(index, a).shape == (n,) for a in
                ("sizes", "mtimes", "hashes", "stale", "dhash", "taken", "duration", "video"))
            and index.features.ndim == 2 and index.features.shape[0] == n
            and index.term_vectors.ndim == 2
            and index.term_vectors.shape[:1] == (len(index.terms),) == (len(index.term_keys),)
            and post.ptr.shape == (len(index.labels) + 1,) and post.row.ndim == 1
            and post.row.shape == post.score.shape == post.region.shape):
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
    return index
