"""Speed features that a user sees: int8 tags, no re-tagging of moved photos, a fast
re-run, search over a large synthetic index. Behaviour only: timings live in benchmarks/."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from photofinder import index as index_store
from photofinder.index import TOP_K, Index
from photofinder.photos import model_input
from photofinder.vocabulary import load_vocabulary

from .conftest import TAGGER, run_cli, search_json

CAT_CLASSES = {"tabby", "tiger cat", "Egyptian cat"}


def _summary(proc) -> str:
    return next(line for line in proc.stdout.splitlines() if line.startswith("индекс "))


def test_int8_tags_agree_with_fp32_on_real_photos(sample_photos):
    from photofinder.tagger import load_tagger

    fp32 = load_tagger("efficientnet-lite0")
    int8 = load_tagger("efficientnet-lite0", precision="int8")
    assert int8.identity["precision"] == "int8" and "precision" not in fp32.identity
    names = ["chelsea.png", "coffee.png", "rocket.jpg"]
    batch = np.stack([model_input(sample_photos / n, fp32.preprocess) for n in names])
    p32, p8 = fp32.predict(batch), int8.predict(batch)
    assert p8.shape == (3, 1000) and np.allclose(p8.sum(axis=1), 1.0, atol=1e-3)
    classes = load_vocabulary().classes
    assert classes[int(p32[0].argmax())].en in CAT_CLASSES
    assert classes[int(p8[0].argmax())].en in CAT_CLASSES  # chelsea is a cat in both
    for a, b in zip(p32, p8):  # each int8 top-1 is among fp32's top 5
        assert int(b.argmax()) in set(np.argsort(-a)[:5].tolist())


def test_int8_is_refused_on_a_gpu():
    from photofinder.errors import UsageError
    from photofinder.tagger import load_tagger

    with pytest.raises(UsageError):
        load_tagger("efficientnet-lite0", device="cuda", precision="int8")


def test_moved_and_renamed_photos_keep_their_tags(sample_photos, tmp_path):
    photos = tmp_path / "photos"
    shutil.copytree(sample_photos, photos)
    index_dir = tmp_path / "ix"
    run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    before = {Path(p).name: c for p, c in zip(*_tags(index_dir))}

    (photos / "cats").mkdir()
    (photos / "chelsea.png").rename(photos / "cats" / "кошка.png")   # moved and renamed
    (photos / "coffee.png").rename(photos / "утро.png")              # renamed
    proc = run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    summary = _summary(proc)
    assert "перемещено без повторной разметки 2" in summary, summary
    assert "новых 0" in summary and "удалено 0" in summary, summary
    after = {Path(p).name: c for p, c in zip(*_tags(index_dir))}
    assert after["кошка.png"] == before["chelsea.png"] and after["утро.png"] == before["coffee.png"]
    assert "chelsea.png" not in after
    assert Path(search_json(index_dir, "кошка")[0]["path"]).name == "кошка.png"


def test_touched_photo_is_not_tagged_again(sample_photos, tmp_path):
    photos = tmp_path / "photos"
    shutil.copytree(sample_photos, photos)
    index_dir = tmp_path / "ix"
    run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    os.utime(photos / "chelsea.png", ns=(1, 1))  # copied without its mtime: same content
    proc = run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    assert "изменённых 1" in _summary(proc)
    # an unchanged re-run does not even load the model (no torch import)
    proc = run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER,
                   env={"PYTHONPROFILEIMPORTTIME": "1"}, check=True)
    assert "без изменений 8" in _summary(proc)
    assert not any(line.rstrip().endswith("| torch") for line in proc.stderr.splitlines())


def test_an_index_without_hashes_still_loads_and_gets_them(sample_index, tmp_path):
    index_dir = tmp_path / "old"
    shutil.copytree(sample_index, index_dir)
    idx = index_store.load(index_dir)
    idx.hashes = np.zeros(0, np.uint64)  # as written before hashes existed
    arrays = json.loads((index_dir / "index.json").read_text(encoding="utf-8"))["arrays"]
    with np.load(index_dir / arrays) as npz:
        old = {k: npz[k] for k in npz.files if k != "hashes"}
    np.savez(index_dir / arrays, **old)
    loaded = index_store.load(index_dir)
    assert len(loaded.aligned_hashes()) == len(loaded) and not loaded.aligned_hashes().any()


def _tags(index_dir: Path) -> tuple[list[str], list[list[int]]]:
    idx = index_store.load(index_dir)
    return idx.paths, idx.classes.tolist()


def test_search_works_on_a_10k_synthetic_index(sample_index, tmp_path):
    """10,000 photos with generated tags: the search answers and explains."""
    real = index_store.load(sample_index)
    n = 10_000
    rng = np.random.default_rng(0)
    classes = np.stack([rng.choice(1000, TOP_K, replace=False) for _ in range(n)]).astype(np.int16)
    probs = np.sort(rng.dirichlet(np.ones(TOP_K) * 0.3, n).astype(np.float32), axis=1)[:, ::-1]
    cat = load_vocabulary().classes
    tabby = next(i for i, c in enumerate(cat) if c.en == "tabby")
    classes[1234] = [tabby, 1, 2, 3, 4]
    probs[1234] = [0.99, 0.004, 0.003, 0.002, 0.001]
    synthetic = Index(tagger=real.tagger, vectors=real.vectors, vocabulary=real.vocabulary,
                      paths=[f"/photos/{i:05d}.jpg" for i in range(n)],
                      sizes=np.full(n, 1000, np.int64), mtimes=np.zeros(n, np.int64),
                      classes=classes, probs=np.ascontiguousarray(probs), terms=real.terms,
                      term_keys=real.term_keys, term_vectors=real.term_vectors)
    index_dir = tmp_path / "big"
    index_store.save(synthetic, index_dir)
    hits = search_json(index_dir, "кошка", "--top", "20")
    assert len(hits) == 20 and "/photos/01234.jpg" in [h["path"] for h in hits]
    assert all("кошка" in h["why"] for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

