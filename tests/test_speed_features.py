"""Speed features that a user sees: no re-tagging of moved photos, a fast re-run,
search over a large synthetic index. Behaviour only: timings live in benchmarks/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from photofinder import index as index_store
from photofinder.vocabulary import load_vocabulary

from .conftest import TAGGER, index_of_tags, run_cli, run_here, search_json


def _summary(proc) -> str:
    return next(line for line in proc.stdout.splitlines() if line.startswith("индекс "))


def test_moved_and_renamed_photos_keep_their_tags(sample_photos, tmp_path):
    photos = tmp_path / "photos"
    shutil.copytree(sample_photos, photos)
    index_dir = tmp_path / "ix"
    run_here("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
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
    run_here("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    before = _tags(index_dir)
    os.utime(photos / "chelsea.png", ns=(1, 1))  # copied without its mtime: same content
    # the photo is restamped, not tagged: the model is not even loaded (no torch import)
    proc = run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER,
                   env={"PYTHONPROFILEIMPORTTIME": "1"}, check=True)
    # the same photo, said so: a library copied without its file times is no change
    summary = _summary(proc)
    assert "изменённых 0" in summary and "без изменений 8, из них с новой датой файла 1" in summary, summary
    assert not _imported_torch(proc)
    idx = index_store.load(index_dir)
    assert int(idx.mtimes[idx.paths.index(str(photos / "chelsea.png"))]) == 1
    assert _tags(index_dir) == before
    # an unchanged re-run does not load the model either
    proc = run_cli("index", str(photos), "--index", str(index_dir), "--tagger", TAGGER,
                   env={"PYTHONPROFILEIMPORTTIME": "1"}, check=True)
    assert "без изменений 8" in _summary(proc)
    assert not _imported_torch(proc)


def _imported_torch(proc) -> bool:
    return any(line.rstrip().endswith("| torch") for line in proc.stderr.splitlines())


def _tags(index_dir: Path) -> tuple[list[str], list[list[int]]]:
    idx = index_store.load(index_dir)
    return idx.paths, [idx.tags.row(i)[0].tolist() for i in range(len(idx))]


def test_search_works_on_a_10k_synthetic_index(sample_index, tmp_path):
    """10,000 photos with generated tags: the search answers and explains."""
    real = index_store.load(sample_index)
    n, k = 10_000, 5
    rng = np.random.default_rng(0)
    classes = np.stack([rng.choice(1000, k, replace=False) for _ in range(n)])
    probs = np.sort(rng.dirichlet(np.ones(k) * 0.3, n).astype(np.float32), axis=1)[:, ::-1]
    cat = load_vocabulary().labels
    tabby = next(i for i, c in enumerate(cat) if c.en == "tabby")
    classes[1234] = [tabby, 1, 2, 3, 4]
    probs[1234] = [0.99, 0.004, 0.003, 0.002, 0.001]
    synthetic = index_of_tags([f"/photos/{i:05d}.jpg" for i in range(n)], classes,
                              np.ascontiguousarray(probs), tagger=real.tagger,
                              sizes=np.full(n, 1000), terms=real.terms, term_keys=real.term_keys,
                              term_vectors=real.term_vectors)
    synthetic.vocabulary = real.vocabulary
    index_dir = tmp_path / "big"
    index_store.save(synthetic, index_dir)
    hits = search_json(index_dir, "кошка", "--top", "20")
    assert len(hits) == 20 and hits[0]["path"] == "/photos/01234.jpg"
    assert all("кошка" in h["why"] for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def _record_decode_starts(monkeypatch) -> list[str]:
    """The real decode, noting the name of each photo as its decode begins."""
    import threading

    from photofinder import decoding

    started: list[str] = []
    lock = threading.Lock()
    real_decode = decoding.decode

    def recording_decode(path, prep, sky=True, detector=None):
        with lock:
            started.append(path.name)
        return real_decode(path, prep, sky, detector)

    monkeypatch.setattr(decoding, "decode", recording_decode)
    return started


def test_on_a_cpu_the_next_batch_is_decoded_only_after_the_last_one_is_taken(
        sample_photos, monkeypatch):
    """Decoding waits while the model runs its pass on the same cores (real photos,
    the real decode; the recorder only notes when each decode starts)."""
    import itertools

    from photofinder import decoding
    from photofinder.photos import Preprocess

    started = _record_decode_starts(monkeypatch)
    paths = sorted(p for p in sample_photos.iterdir() if p.is_file())[:7]
    prep = Preprocess(size=64, interpolation="bilinear", mean=(0.5,) * 3, std=(0.5,) * 3)
    photos = decoding.decoded_in_chunks(paths, prep, 2, itertools.chain([2], itertools.repeat(3)),
                                       ahead=False)
    taken = [next(photos) for _ in range(2)]          # the first chunk: two photos
    # both decoded (in either order on the two threads), the next chunk not started
    assert [p for p, _ in taken] == paths[:2] and sorted(started) == sorted(p.name for p in paths[:2])
    assert all(d.pixels.shape == (64, 64, 3) for _, d in taken)
    rest = list(photos)                               # then chunks of three, in order
    assert [p for p, _ in rest] == paths[2:] and sorted(started) == sorted(p.name for p in paths)


def test_for_a_gpu_the_next_batch_decodes_while_this_one_is_taken(sample_photos, monkeypatch):
    import itertools
    import time

    from photofinder import decoding
    from photofinder.photos import Preprocess

    started = _record_decode_starts(monkeypatch)
    paths = sorted(p for p in sample_photos.iterdir() if p.is_file())[:7]
    prep = Preprocess(size=64, interpolation="bilinear", mean=(0.5,) * 3, std=(0.5,) * 3)
    photos = decoding.decoded_in_chunks(paths, prep, 2, itertools.chain([2], itertools.repeat(3)),
                                       ahead=True)
    got = [next(photos)]                  # the first photo of the first chunk of two
    # the next chunk of three was handed to the threads before it: its decodes begin
    # without another next() (a correctness wait, generous for a slow machine)
    deadline = time.monotonic() + 30
    while len(started) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(started) == sorted(p.name for p in paths[:5])
    got += list(photos)
    assert [p for p, _ in got] == paths   # in order, every photo once
    assert all(d.pixels.shape == (64, 64, 3) for _, d in got)


def test_numpy_blas_runs_on_one_thread_only_while_photos_are_tagged(sample_photos, tmp_path):
    """OpenBLAS's idle worker spins on a core after every small product of the heads,
    the core the decode threads and the next pass need (benchmarks/speed_index.py
    measures the cost); during tagging BLAS gets one thread, and its own count after."""
    from threadpoolctl import threadpool_info

    from photofinder import indexer
    from photofinder.tagger import load_tagger
    from photofinder.vectors import load_vectors

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    tagger, during = load_tagger(TAGGER), []

    class Recording:
        name, weights, preprocess, regions = tagger.name, tagger.weights, tagger.preprocess, tagger.regions
        identity, batch_size, on_cpu = tagger.identity, tagger.batch_size, tagger.on_cpu

        def analyze(self, batch):
            during.append(blas_threads())
            return tagger.analyze(batch)

    before = blas_threads()
    assert before, "numpy without a BLAS threadpoolctl can see"
    report = indexer.update_index([sample_photos], tmp_path / "index", load_vocabulary(),
                                  lambda: load_vectors("navec"), choice=indexer.ModelChoice(TAGGER),
                                  load_tagger=lambda model: Recording())
    assert report.added == 8 and during
    assert all(threads == [1] * len(before) for threads in during), during
    assert blas_threads() == before
