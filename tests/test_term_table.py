"""The term table kept between runs (photofinder/term_table.py): the same table as made
afresh, read back without pymorphy3 or navec, and made again whenever the file is not
one to trust. Real vocabulary, real navec."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from photofinder import index as index_store
from photofinder.query import Lemmatizer
from photofinder.term_table import KEEP, cached_term_table, term_table
from photofinder.vectors import NavecVectors
from photofinder.vocabulary import load_vocabulary

from .conftest import TAGGER, run_cli


def _no_lemmatizer() -> Lemmatizer:
    raise AssertionError("the table was made again instead of read")


@pytest.fixture(scope="module")
def made() -> tuple[list[str], list[str], np.ndarray]:
    return term_table(load_vocabulary(), NavecVectors(), Lemmatizer())


def _same(a, b) -> None:
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])


def test_a_kept_table_is_the_one_made_and_is_read_without_pymorphy_or_navec(made, tmp_path):
    vocabulary = load_vocabulary()
    first = cached_term_table(vocabulary, NavecVectors(), Lemmatizer, tmp_path)
    _same(first, made)
    assert len(list(tmp_path.glob("terms-*.npz"))) == 1 and not list(tmp_path.glob(".*.tmp"))
    vectors = NavecVectors()
    again = cached_term_table(vocabulary, vectors, _no_lemmatizer, tmp_path)
    _same(again, made)
    assert vectors._loaded is None  # navec was never read


def test_a_damaged_or_foreign_file_is_made_again_and_replaced(made, tmp_path):
    vocabulary = load_vocabulary()
    cached_term_table(vocabulary, NavecVectors(), Lemmatizer, tmp_path)
    (kept,) = tmp_path.glob("terms-*.npz")
    good = kept.read_bytes()
    for damage in (good[: len(good) // 2], b"not a zip", b""):
        kept.write_bytes(damage)
        _same(cached_term_table(vocabulary, NavecVectors(), Lemmatizer, tmp_path), made)
        assert kept.read_bytes() == good  # written again, whole
    # the right name, another vocabulary's terms inside (a collision, a hand-copied file)
    terms, keys, vectors = made
    np.savez(kept, terms=np.array(terms[:-1] + ["чужое"]), keys=np.array(keys),
             vectors=vectors)
    _same(cached_term_table(vocabulary, NavecVectors(), Lemmatizer, tmp_path), made)


def test_a_cache_that_cannot_be_written_changes_nothing(made, tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    _same(cached_term_table(load_vocabulary(), NavecVectors(), Lemmatizer, blocked), made)
    assert blocked.read_text() == "a file where the folder should be"


def test_only_the_tables_used_last_are_kept(made, tmp_path):
    terms, keys, vectors = made
    for i in range(KEEP + 2):  # older releases' tables
        old = tmp_path / f"terms-old{i}.npz"
        np.savez(old, terms=np.array(["x"]), keys=np.array(["x"]), vectors=np.zeros((1, 1)))
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    cached_term_table(load_vocabulary(), NavecVectors(), Lemmatizer, tmp_path)
    kept = sorted(p.name for p in tmp_path.glob("terms-*.npz"))
    assert len(kept) == KEEP
    assert {f"terms-old{i}.npz" for i in range(KEEP + 2 - (KEEP - 1), KEEP + 2)} < set(kept)


def test_an_index_made_with_a_kept_table_is_the_same_and_searches_the_same(
        sample_photos, tmp_path):
    """Two new indexes of the same photos, one making the table, one reading it: the
    stored tables are equal, and so are the results of a search."""
    photos = tmp_path / "photos"
    shutil.copytree(sample_photos, photos)
    models = tmp_path / "models"  # where the table is kept: models/terms/
    env = {"PHOTOFINDER_MODELS": str(models)}
    results = []
    for name in ("made", "read"):
        index_dir = tmp_path / name
        run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER,
                "--no-faces", check=True, env=env)
        results.append(run_cli("search", "кошка", "--index", str(index_dir), "--json",
                               check=True, env=env).stdout)
    made_idx, read_idx = (index_store.load(tmp_path / name) for name in ("made", "read"))
    _same((made_idx.terms, made_idx.term_keys, made_idx.term_vectors),
          (read_idx.terms, read_idx.term_keys, read_idx.term_vectors))
    assert results[0] == results[1] and "chelsea" in results[0]
    assert len(list((models / "terms").glob("terms-*.npz"))) == 1
