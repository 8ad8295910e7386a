"""The index in memory: every photo's path, file facts, tags, words and features, as
columns (row i is photo i), and the rows the indexer adds."""

from __future__ import annotations

import time
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass, field

import numpy as np

from .facetable import FaceTable
from .sparse import Postings, Tags, TermLists

# Per-photo columns beyond the core ones, which older indexes and most code paths do not
# fill: name -> (dtype, shape of one photo's value, the value of a photo that has none).
PHOTO_COLUMNS: dict[str, tuple[type, tuple[int, ...], object]] = {
    "duration": (np.float32, (), 0.0),   # a video's seconds
    "video": (np.bool_, (), False),      # a video, tagged by its frames
    "gps": (np.float32, (2,), np.nan),   # latitude, longitude where taken (NaN: unknown)
}


def empty_column(name: str, n: int) -> np.ndarray:
    dtype, shape, fill = PHOTO_COLUMNS[name]
    return np.full((n, *shape), fill, dtype)


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
    duration: np.ndarray | None = None     # PHOTO_COLUMNS; None: no photo has one
    video: np.ndarray | None = None
    gps: np.ndarray | None = None

    def column(self, name: str) -> np.ndarray:
        """A PHOTO_COLUMNS column, filled with its "none" value where not given."""
        value = getattr(self, name)
        dtype = PHOTO_COLUMNS[name][0]
        return empty_column(name, len(self.paths)) if value is None else np.asarray(value, dtype)

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
                    **{name: np.concatenate([p.column(name) for p in parts])
                       for name in PHOTO_COLUMNS})


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
    duration: np.ndarray = field(default_factory=lambda: empty_column("duration", 0))
    video: np.ndarray = field(default_factory=lambda: empty_column("video", 0))
    gps: np.ndarray = field(default_factory=lambda: empty_column("gps", 0))
    # words people wrote (folder and file names, keywords in the file): a second sparse
    # matrix over `word_labels`, kept apart from the model's tags because a moved photo
    # keeps its tags but not its folder's words
    word_labels: list[str] = field(default_factory=list)
    words: Tags = field(default_factory=Tags)
    roots: list[str] = field(default_factory=list)
    # places.PLACES_STAMP when every photo's GPS was read and its place words made with
    # that place table; "" in an index made before places (the next run reads them)
    places: str = ""
    # words.WRITTEN_STAMP when every photo's folder and file words were made by those rules
    # (their phrases); "" in an index made before them (the next run makes them again)
    written: str = ""
    # "<child score>+<woman score>" (their FaceScore.stamp) when every photo's child,
    # man and woman tags were made from its faces with them; "" or the child score's
    # alone in an index made before them (the next run makes them again, from the faces)
    children: str = ""
    # derived.DERIVED_STAMP when every photo's derived tags (the clear sky) were made
    # from its other tags by that rule; "" in an index made before them
    derived: str = ""
    # word vectors of the vocabulary's terms, computed once per index
    terms: list[str] = field(default_factory=list)
    term_keys: list[str] = field(default_factory=list)   # lemmas joined by spaces
    term_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    # the faces found in the photos, their people and names (facetable.FaceTable);
    # the vectors never leave the index (no export writes them)
    faces: FaceTable = field(default_factory=FaceTable)
    # broad terms' own posting lists (sparse.TermLists), made from the tags at a save;
    # stale (and not stored again) once the tags change
    term_lists: TermLists = field(default_factory=TermLists)

    def __post_init__(self) -> None:
        if len(self.words) != len(self.paths) and self.words.nnz == 0:
            self.words = Tags(np.zeros(len(self.paths) + 1, np.int64))  # nobody wrote any
        if self.tag_rows is None and self.tag_postings is None:
            self.tag_rows = Tags(np.zeros(len(self.paths) + 1, np.int64))
        for name in PHOTO_COLUMNS:  # not given: no photo has one
            if len(getattr(self, name)) != len(self.paths) and not len(getattr(self, name)):
                setattr(self, name, empty_column(name, len(self.paths)))

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
        self.faces.select_photos(rows, len(self.paths))
        self.tags = self.tags.select(rows)  # first: stored postings know rows by len(paths)
        paths = list(self.paths)  # one decode of them all, not one per row
        self.paths = [paths[i] for i in rows]
        for name in ("sizes", "mtimes", "hashes", "stale", "dhash", "taken", "features",
                     *PHOTO_COLUMNS):
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
        for name in PHOTO_COLUMNS:
            setattr(self, name, np.concatenate([getattr(self, name), rows.column(name)]))
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
                    **{name: getattr(self, name)[rows] for name in PHOTO_COLUMNS})


def _get_features(self: Index) -> np.ndarray:
    check = self.__dict__.get("_features_check")
    if check is not None:
        check()  # raises IndexFormatError when the file is damaged; stays until it passes
        self.__dict__.pop("_features_check", None)
    return self.__dict__["_features"]


def _set_features(self: Index, value: np.ndarray) -> None:
    self.__dict__.pop("_features_check", None)
    self.__dict__["_features"] = value


# The features (512 MB for a million photos) are checked against their stored CRC on
# first use, not at load: a search never reads them. A property set after the
# dataclass is made, so `features` stays an ordinary field of __init__.
Index.features = property(_get_features, _set_features)  # type: ignore[assignment]


def check_features_on_first_use(index: Index, check: Callable[[], None]) -> None:
    index.__dict__["_features_check"] = check
