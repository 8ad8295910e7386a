"""Search at scale: the path that looks only at the photos a query reaches, and the broad
terms' own posting lists (format 6), give exactly what scoring every photo gives: the
same hits in the same order, the same scores, explanations and counts. On a real index
(the samples, tagged by the real model) and on a synthetic one with many ties."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from photofinder import index as index_store
from photofinder.errors import IndexFormatError, QueryError
from photofinder.scoring import term_lists
from photofinder.search import SearchEngine
from photofinder.terms import Terms
from photofinder.vectors import load_vectors
from photofinder.vocabulary import load_vocabulary

from .conftest import run_cli

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import speed_search  # noqa: E402  (the benchmark's queries and synthetic photos)

# beyond the benchmark's: several words, dates, a date alone, -words with dates
EXTRA = ["собака пляж", "кошка 2019", "животное 2003 -собака", "2005", "собака кошка -терьер",
         "птица море", "сочи", "кошка 2010 -2011", "транспорт январь", "2019 -собака",
         "человек", "гора снег", "еда посуда -фрукт", "люди без детей", "животное -люди",
         "кошка утром", "утро", "собака кроме утра"]


def _engine(index_dir: Path, exhaustive: bool) -> SearchEngine:
    idx = index_store.load(index_dir)
    engine = SearchEngine(idx, load_vocabulary(), lambda: load_vectors(idx.vectors))
    engine.exhaustive = exhaustive
    return engine


def _answers(engine: SearchEngine, top: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for query in speed_search.queries() + EXTRA:
        try:
            result = engine.search(query, top=top)
        except QueryError as exc:
            out[query] = str(exc)
            continue
        out[query] = {"hits": [(h.row, h.path, h.score, h.weak, h.date, h.describe(), h.to_json())
                               for h in result.hits],
                      "counts": (result.strong_total, result.weak_total, result.excluded),
                      "words": (result.unknown, result.unmatched, result.related)}
    return out


def _assert_same(fast: dict, exhaustive: dict) -> None:
    differ = [q for q in exhaustive if fast[q] != exhaustive[q]]
    assert not differ, f"the fast path differs on {differ[:5]}"


def test_a_real_index_answers_the_same_as_scoring_every_photo(sample_index):
    fast = _engine(sample_index, exhaustive=False)
    assert fast.scorer.term_lists is not None  # `photofinder index` stored the broad terms' lists
    animal = fast.terms.rows_of("животное")[0]
    assert fast.scorer.term_lists.find(animal) is not None
    answers = _answers(fast, top=30)
    assert sum(1 for a in answers.values() if isinstance(a, dict) and a["hits"]) > 100
    _assert_same(answers, _answers(_engine(sample_index, exhaustive=True), top=30))


@pytest.fixture(scope="module")
def tied_index(tmp_path_factory) -> Path:
    """3,000 synthetic photos (the benchmark's generator), probabilities rounded to 0.05:
    many photos score the same, so the order among equals is tested too."""
    from photofinder.index import Index
    from photofinder.query import Lemmatizer
    from photofinder.term_table import term_table

    vocabulary = load_vocabulary()
    vectors = load_vectors("navec")
    terms, keys, table = term_table(vocabulary, vectors, Lemmatizer())
    idx = Index(tagger={"name": "synthetic", "weights": ""}, vectors=vectors.spec,
                vocabulary=vocabulary.digest, labels=[c.key for c in vocabulary.labels],
                terms=terms, term_keys=keys, term_vectors=table)
    rng = np.random.default_rng(7)
    popularity = np.full(1000, 1 / 1000)
    scenes = [i for i, c in enumerate(vocabulary.labels) if c.kind == "scene"]
    rows = speed_search.synthetic_rows(rng, 0, 3000, popularity, scenes, 0)
    rows.tags.score[:] = np.maximum(np.round(rows.tags.score.astype(np.float32) * 20) / 20, 0.01)
    rows.taken = rng.integers(946_684_800, 1_700_000_000, 3000)  # dates for "кошка 2019"
    idx.append(rows)
    idx.term_lists = term_lists(idx, Terms(idx, vocabulary, lambda: vectors, Lemmatizer))
    folder = tmp_path_factory.mktemp("tied")
    index_store.save(idx, folder)
    return folder


def test_a_synthetic_index_with_ties_answers_the_same(tied_index):
    fast = _engine(tied_index, exhaustive=False)
    assert fast.scorer.term_lists is not None
    answers = _answers(fast, top=60)
    ties = [q for q, a in answers.items() if isinstance(a, dict)
            and len({h[2] for h in a["hits"]}) < len(a["hits"])]
    assert len(ties) > 20  # equal scores at the cut and in the page
    _assert_same(answers, _answers(_engine(tied_index, exhaustive=True), top=60))


def _as_format_5(index_dir: Path) -> None:
    """Rewrites index.json as format 5 wrote it: no term lists."""
    meta = json.loads((index_dir / "index.json").read_text())
    for name in index_store.TERM_DTYPES:
        (index_dir / meta["files"].pop(name)["file"]).unlink()
    del meta["term_lists"]
    meta["version"] = 5
    (index_dir / "index.json").write_text(json.dumps(meta, ensure_ascii=False))


def test_format_5_is_searched_the_same_and_the_next_index_run_stores_the_lists(sample_index, tmp_path):
    index_dir = tmp_path / "ix"
    shutil.copytree(sample_index, index_dir)
    before = _answers(_engine(index_dir, exhaustive=False), top=10)
    _as_format_5(index_dir)
    old = _engine(index_dir, exhaustive=False)
    assert old.scorer.term_lists is None and len(old.index) == len(index_store.load(sample_index))
    _assert_same(_answers(old, top=10), before)
    proc = run_cli("index", "--index", str(index_dir), check=True)
    assert "без изменений" in proc.stdout
    meta = json.loads((index_dir / "index.json").read_text())
    assert meta["version"] == 6 and meta["term_lists"]
    assert _engine(index_dir, exhaustive=False).scorer.term_lists is not None


def test_lists_added_up_with_other_weights_are_made_again_with_no_photo_changed(sample_index,
                                                                              tmp_path):
    """A new vocabulary or weighting rule (round twenty-three's person words) changes what
    broad words' lists add up, not the photos: the search leaves such lists unused, and
    before, an `index` run kept them, since no label list had changed."""
    index_dir = tmp_path / "ix"
    shutil.copytree(sample_index, index_dir)
    meta = json.loads((index_dir / "index.json").read_text())
    version, _, lists = meta["term_lists"].split(":")
    meta["term_lists"] = f"{version}:00000000:{lists}"   # added up with other weights
    (index_dir / "index.json").write_text(json.dumps(meta, ensure_ascii=False))
    assert _engine(index_dir, exhaustive=False).scorer.term_lists is None
    proc = run_cli("index", "--index", str(index_dir), check=True)
    assert "без изменений" in proc.stdout and "новых 0" in proc.stdout
    assert _engine(index_dir, exhaustive=False).scorer.term_lists is not None


def test_stale_term_lists_are_neither_used_nor_stored(tied_index, tmp_path):
    idx = index_store.load(tied_index)
    assert len(idx.term_lists.term)
    scenes = [i for i, c in enumerate(load_vocabulary().labels) if c.kind == "scene"]
    idx.append(speed_search.synthetic_rows(np.random.default_rng(1), 3000, 3010,
                                           np.full(1000, 1 / 1000), scenes, 0))
    index_store.save(idx, tmp_path / "ix")
    meta = json.loads((tmp_path / "ix" / "index.json").read_text())
    assert meta["term_lists"] == "" and meta["files"]["term_id"]["shape"] == [0]
    assert _engine(tmp_path / "ix", exhaustive=False).scorer.term_lists is None


def test_a_flipped_bit_in_a_term_list_is_a_damaged_index(tied_index, tmp_path):
    index_dir = tmp_path / "ix"
    shutil.copytree(tied_index, index_dir)
    engine = _engine(index_dir, exhaustive=False)
    lists = engine.scorer.term_lists
    animal = int(np.searchsorted(lists.term, engine.terms.rows_of("животное")[0]))
    meta = json.loads((index_dir / "index.json").read_text())
    path = index_dir / meta["files"]["term_mass"]["file"]
    data = bytearray(path.read_bytes())
    header = len(data) - 4 * len(lists.mass)
    data[header + 4 * int(lists.ptr[animal]) + 1] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(IndexFormatError, match="повреждён"):
        _engine(index_dir, exhaustive=False).search("животное")
    proc = run_cli("search", "животное", "--index", str(index_dir))
    assert proc.returncode == 4 and "повреждён" in proc.stderr and "Traceback" not in proc.stderr


def test_every_concept_scores_the_same_photo_by_photo(tied_index):
    """Below the page: each concept's scores, best terms, sure flags and capped photos
    over every photo, the fast path's against the reference's."""
    from photofinder.query import parse_query
    from photofinder.scoring import spread

    engine = _engine(tied_index, exhaustive=False)
    n, checked = len(engine.index), 0
    for query in speed_search.queries():
        parsed = parse_query(query, engine.lemmatizer, engine.terms.phrases)
        for concept in [*parsed.include, *parsed.exclude]:
            found = engine.scorer.similarities(concept)
            if found is None or not len(found[0]):
                continue
            fast = spread(engine.scorer.scores(found[0], found[1]), n)
            reference = engine.scorer.scores(found[0], found[1], every=True)
            for name in ("scores", "best", "sure"):
                np.testing.assert_array_equal(getattr(fast, name), getattr(reference, name),
                                              err_msg=f"{query}: {name}")
            np.testing.assert_array_equal(fast.capped.rows, reference.capped.rows)
            np.testing.assert_array_equal(fast.capped.mass, reference.capped.mass)
            checked += 1
    assert checked > 240
