"""Sparse photo x label scores, in the two layouts the index uses: row by row (Tags,
what the indexer edits) and label by label (Postings, what is stored and searched).

Tags are sparse: a photo keeps every label above a floor (ImageNet classes of the
whole photo and of its regions, scenes, the person score). They are stored label by
label (posting lists, CSC), the layout a search reads: a query touches only the lists
of its labels, and loading needs no re-sorting. The indexer edits them row by row
(CSR); each layout is made from the other on first use.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from .errors import IndexFormatError


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

    def column_scores(self, column: int) -> np.ndarray:
        """[n] every photo's score for one label column (0 where it has none)."""
        scores = np.zeros(len(self), np.float32)
        mine = self.label == column
        scores[self.rows()[mine]] = self.score[mine]
        return scores

    def with_column(self, column: int, scores: np.ndarray, floor: float) -> Tags:
        """The tags with one label column's scores replaced: every photo's old score for
        it dropped, `scores[i]` added where at least `floor`; each photo stays best first.
        For tags made from other evidence after tagging (the child score from faces,
        the clear sky from other tags)."""
        return self.with_columns({column: scores}, floor)

    def with_columns(self, columns: dict[int, np.ndarray], floor: float) -> Tags:
        """with_column for several columns at once, in one sort: the child, man and
        woman tags from the same faces (a third of the time of three calls)."""
        n = len(self)
        keep = ~np.isin(self.label, np.fromiter(columns, np.int64, len(columns)))
        added = [np.flatnonzero(scores[:n] >= floor) for scores in columns.values()]
        all_rows = np.concatenate([self.rows()[keep], *added])
        labels = np.concatenate([self.label[keep], *[np.full(len(a), column, np.int32)
                                                    for column, a in zip(columns, added)]])
        values = np.concatenate([self.score[keep].astype(np.float32),
                                 *[scores[a].astype(np.float32)
                                   for scores, a in zip(columns.values(), added)]])
        region = np.concatenate([self.region[keep], np.zeros(len(all_rows) - int(keep.sum()), bool)])
        order = np.lexsort((-values, all_rows))
        ptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(all_rows, minlength=n), out=ptr[1:])
        return Tags(ptr, labels[order].astype(np.int32), values[order].astype(np.float16),
                    region[order])


def crc_of(arrays: tuple[np.ndarray, ...]) -> int:
    """CRC-32 of some arrays' bytes, chained in order (a posting list's)."""
    crc = 0
    for array in arrays:
        crc = zlib.crc32(np.ascontiguousarray(array).view(np.uint8), crc)
    return crc


def lists_crc(crcs: np.ndarray) -> str:
    """The label lists as a whole (from their CRCs): what TermLists were made from."""
    return f"{zlib.crc32(np.ascontiguousarray(crcs, np.uint32).tobytes()):08x}"


def _check(expected: int, arrays: tuple[np.ndarray, ...], message: str) -> None:
    if crc_of(arrays) != int(expected):
        raise IndexFormatError(message)


def label_crcs(ptr: np.ndarray, row: np.ndarray, score: np.ndarray,
               region: np.ndarray) -> np.ndarray:
    """CRC-32 of each label's posting list (its rows, scores and region flags as
    stored): what `Postings.segment` checks before a search reads the list."""
    crcs = np.zeros(len(ptr) - 1, np.uint32)
    for j in range(len(crcs)):
        a, b = int(ptr[j]), int(ptr[j + 1])
        crcs[j] = crc_of((row[a:b], score[a:b], region[a:b]))
    return crcs


@dataclass
class Postings:
    """The same tags label by label (CSC): label j's photos are `row[ptr[j]:ptr[j + 1]]`,
    in ascending order. The index is stored this way, so a search loads the posting
    lists of 1,000,000 photos as they are and reads only the lists its words reach.

    Loaded from disk, they carry each list's CRC-32 (`crc`): a list is checked the first
    time it is read, so a flipped bit on disk is an IndexFormatError, never a wrong
    result, and a search start reads no more of the file than before."""

    ptr: np.ndarray       # int64 [labels + 1]
    row: np.ndarray       # int32 [nnz]
    score: np.ndarray     # float16 [nnz] as tagged, float32 as stored and searched
    region: np.ndarray    # bool [nnz]
    crc: np.ndarray | None = None   # uint32 [labels] as stored; None: made in memory
    where: str = ""                 # the index folder, for the error message
    _checked: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, tags: Tags, n_labels: int) -> Postings:
        order = np.argsort(tags.label, kind="stable")  # stable: rows stay ascending
        ptr = np.zeros(n_labels + 1, np.int64)
        np.cumsum(np.bincount(tags.label, minlength=n_labels), out=ptr[1:])
        return cls(ptr, tags.rows()[order].astype(np.int32), tags.score[order], tags.region[order])

    def segment(self, label: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Label `label`'s photos (ascending), scores and region flags: views of the
        stored lists, checked against their CRC on first use."""
        a, b = int(self.ptr[label]), int(self.ptr[label + 1])
        row, score, region = self.row[a:b], self.score[a:b], self.region[a:b]
        if self.crc is not None:
            if self._checked is None:
                self._checked = np.zeros(len(self.crc), bool)
            if not self._checked[label]:
                _check(self.crc[label], (row, score, region),
                       f"индекс в {self.where} повреждён (контрольная сумма списка меток {label} "
                       "не сходится): выполните `photofinder index --rebuild`")
                self._checked[label] = True
        return row, score, region

    def stored_crcs(self) -> np.ndarray:
        """Each list's CRC-32 as a save stores it (scores as float32)."""
        if self.crc is not None and self.score.dtype == np.float32:
            return self.crc
        return label_crcs(self.ptr, self.row, self.score.astype(np.float32, copy=False), self.region)

    def check_all(self) -> None:
        """Every list checked (before the lists are used as a whole)."""
        for label in range(len(self.ptr) - 1):
            self.segment(label)

    def tags(self, n_rows: int) -> Tags:
        """Row by row again, each photo's tags best first."""
        self.check_all()
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
            segment, score, region = self.segment(int(label))
            at = np.searchsorted(segment, wanted)
            found = at < len(segment)
            found[found] = segment[at[found]] == wanted[found]
            scores[order[found], k] = score[at[found]]
            regions[order[found], k] = region[at[found]]
        return scores, regions


@dataclass
class TermLists:
    """Posting lists of the broad vocabulary terms, made from the label lists when an
    index is saved: term `term[i]`'s photos are `row[ptr[i]:ptr[i + 1]]` (ascending),
    with the weighted mass of their tags in the term's label columns and that mass in
    units of each column's sure level, exactly as a search would add them up
    (scoring.term_lists). A word such as «животное» reaches 400 label columns, 120
    million tags at 10 million photos; its own list holds one entry per photo.

    `key` names what they were made from (the terms' columns and weights, and the label
    lists' CRCs): a search uses them only when it matches its own (scoring.Scorer)."""

    key: str = ""
    term: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))    # ascending
    ptr: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    row: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    mass: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    units: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    crc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    where: str = ""
    _checked: np.ndarray | None = field(default=None, repr=False, compare=False)

    def made_from(self, crcs: np.ndarray) -> bool:
        """Made from these label lists (their CRCs): not stale."""
        return self.key.rpartition(":")[2] == lists_crc(crcs)

    def find(self, term: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """A term's photos, masses and units (views, CRC-checked on first use); None
        when it has no list of its own."""
        i = int(np.searchsorted(self.term, term))
        if i == len(self.term) or self.term[i] != term:
            return None
        a, b = int(self.ptr[i]), int(self.ptr[i + 1])
        found = self.row[a:b], self.mass[a:b], self.units[a:b]
        if self._checked is None:
            self._checked = np.zeros(len(self.term), bool)
        if not self._checked[i]:
            _check(self.crc[i], found,
                   f"индекс в {self.where} повреждён (контрольная сумма списка слова {term} "
                   "не сходится): выполните `photofinder index --rebuild`")
            self._checked[i] = True
        return found
