"""Nothing lost: a model change, a missing folder, an old format, the GUI adding a
folder. Real photos, the real small tagger, the real CLI."""

from __future__ import annotations

import json
import os
import queue
import shutil
from pathlib import Path

import numpy as np
import pytest

from photofinder import index as index_store
from photofinder.gui.worker import IndexFinished, IndexJob
from photofinder.tagging import EVIDENCE

from .conftest import run_cli, run_here, search_json
from .test_index_store import write_v1_index

FAST = "efficientnet-lite0"  # the fastest real model: these tests are about the index


def _summary(proc) -> str:
    return next(line for line in proc.stdout.splitlines() if line.startswith("индекс "))


@pytest.fixture
def two_folders(sample_photos, tmp_path) -> tuple[Path, Path]:
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    for name in ("chelsea.png", "coffee.png"):
        shutil.copy(sample_photos / name, a / name)
    for name in ("rocket.jpg", "astronaut.png"):
        shutil.copy(sample_photos / name, b / name)
    return a, b


def test_adding_a_folder_keeps_the_index_model_and_its_photos(two_folders, tmp_path):
    a, b = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), "--index", str(ix), "--tagger", FAST, "--no-regions", check=True)
    proc = run_cli("index", str(b), "--index", str(ix), check=True)  # no --tagger: the index's
    assert "4 фото (новых 2" in _summary(proc) and "удалено 0" in _summary(proc)
    idx = index_store.load(ix)
    assert idx.tagger["name"] == FAST and idx.tagger["regions"] == "off"
    assert sorted(Path(p).name for p in idx.paths) == [
        "astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg"]


def test_another_model_is_refused_without_rebuild_and_the_index_is_untouched(two_folders, tmp_path):
    a, b = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), "--index", str(ix), "--tagger", FAST, check=True)
    before = {p.name: p.read_bytes() for p in ix.iterdir() if p.is_file()}
    proc = run_cli("index", str(b), "--index", str(ix), "--tagger", "efficientnet-lite2")
    assert proc.returncode == 2, proc.stderr
    assert "--rebuild" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in ix.iterdir() if p.is_file()} == before

    # --rebuild tags every stored folder again, not only the one given
    proc = run_cli("index", str(b), "--index", str(ix), "--tagger", "efficientnet-lite2",
                   "--rebuild", check=True)
    idx = index_store.load(ix)
    assert idx.tagger["name"] == "efficientnet-lite2" and len(idx) == 4 and not idx.stale.any()
    assert "размечено заново 2" in _summary(proc) and "новых 2" in _summary(proc)


def test_a_missing_folder_keeps_its_photos_and_no_folder_refreshes_all(two_folders, tmp_path):
    a, b = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), str(b), "--index", str(ix), "--tagger", FAST, check=True)
    unplugged = tmp_path / "A-unplugged"
    a.rename(unplugged)                                    # the drive is gone
    shutil.copy(unplugged / "chelsea.png", b / "кошка.png")  # and B got a new photo
    proc = run_cli("index", "--index", str(ix), check=True)  # no folder: every stored one
    assert f"папка недоступна: {a.resolve()}, сохранено 2 фото" in proc.stderr
    assert "5 фото" in _summary(proc) and "удалено 0" in _summary(proc)
    assert "в недоступных папках сохранено 2" in _summary(proc)
    names = [Path(h["path"]).name for h in search_json(ix, "кошка")]
    assert "chelsea.png" in names and "кошка.png" in names  # searchable while unplugged
    unplugged.rename(a)
    proc = run_cli("index", "--index", str(ix), check=True)
    assert "без изменений 5" in _summary(proc)


def test_index_without_a_folder_and_without_an_index_is_one_line(tmp_path):
    proc = run_cli("index", "--index", str(tmp_path / "ix"))
    assert proc.returncode == 2 and "укажите папку" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_an_old_index_is_tagged_again_not_dropped(sample_photos, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("chelsea.png", "coffee.png", "rocket.jpg"):
        shutil.copy(sample_photos / name, photos / name)
    from photofinder.tagger import describe_tagger

    ix = tmp_path / "ix"
    files = [photos / n for n in ("chelsea.png", "coffee.png", "rocket.jpg")]
    classes = np.array([[281, 282, 285, 0, 1, 1000]] * 3)  # tabby ... for all three
    old_tagger = {k: v for k, v in describe_tagger(FAST).items() if k != "regions"}
    write_v1_index(ix, [str(f.resolve()) for f in files], classes,
                   np.array([[0.7, 0.1, 0.1, 0.05, 0.05, 0.0]] * 3),
                   sizes=[f.stat().st_size for f in files],
                   mtimes=[f.stat().st_mtime_ns for f in files], tagger=old_tagger)
    meta = json.loads((ix / "index.json").read_text(encoding="utf-8"))
    meta["roots"] = [str(photos.resolve())]
    (ix / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    # searchable as it was before anything is tagged again
    assert len(search_json(ix, "кошка")) == 3
    proc = run_cli("index", "--index", str(ix), check=True)  # the usual refresh
    assert "3 фото" in _summary(proc) and "размечено заново 3" in _summary(proc)
    assert "удалено 0" in _summary(proc)
    idx = index_store.load(ix)
    assert not idx.stale.any() and idx.features.shape == (3, 256)
    assert [Path(h["path"]).name for h in search_json(ix, "кошка")][0] == "chelsea.png"


def test_new_heads_make_every_photo_stale_and_a_run_tags_them_again(two_folders, tmp_path):
    a, _ = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), "--index", str(ix), "--tagger", FAST, check=True)
    meta = json.loads((ix / "index.json").read_text(encoding="utf-8"))
    meta["tagger"]["heads"] = "older-heads"  # as if made by an older photofinder
    (ix / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    os.utime(a / "chelsea.png", ns=(1, 1))  # the library copied without its file times
    proc = run_cli("index", "--index", str(ix), check=True)
    assert "размечено заново 2" in _summary(proc) and "удалено 0" in _summary(proc)
    assert "изменённых 0" in _summary(proc), _summary(proc)   # nobody edited a photo
    assert index_store.load(ix).tagger["heads"] != "older-heads"


def test_a_model_without_heads_is_not_tagged_again_for_the_sky(tmp_path):
    """ResNet50 has no heads, so no sky tag: an index of it from before the sky evidence
    keeps its tags (a library of 100,000 photos is not re-tagged for nothing)."""
    from photofinder.detector import detector_digest
    from photofinder.index import Index
    from photofinder.indexer import ModelChoice, resolve_model

    weights = tmp_path / "resnet50-11ad3fa6.pth"
    weights.write_bytes(b"not loaded: describe_tagger only names the file")
    # made with today's object detector: only the sky evidence is missing from it
    old = Index(tagger={"name": "resnet50", "weights": weights.name, "regions": "on",
                        "heads": "none", "weights_path": str(weights),
                        "objects": detector_digest()}, vectors="", vocabulary="")
    model, retag_all = resolve_model(ModelChoice(), old, rebuild=False)
    assert model.identity is not None and "evidence" not in model.identity
    assert not retag_all


def test_an_index_from_before_the_sky_evidence_is_tagged_again_not_dropped(two_folders, tmp_path):
    a, _ = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), "--index", str(ix), "--tagger", FAST, check=True)
    meta = json.loads((ix / "index.json").read_text(encoding="utf-8"))
    del meta["tagger"]["evidence"]  # as an index made before the sky came from the pixels
    (ix / "index.json").write_text(json.dumps(meta), encoding="utf-8")
    proc = run_cli("index", "--index", str(ix), check=True)
    assert "размечено заново 2" in _summary(proc) and "удалено 0" in _summary(proc)
    idx = index_store.load(ix)
    assert idx.tagger["evidence"] == EVIDENCE and len(idx) == 2 and not idx.stale.any()


def test_the_gui_adds_a_folder_with_the_index_model_precision_and_mode(two_folders, tmp_path):
    a, b = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), "--index", str(ix), "--tagger", FAST, "--no-regions", check=True)
    out: queue.Queue = queue.Queue()
    job = IndexJob(b, ix, out, "navec")
    job.start()
    assert job.join(600)
    messages = []
    while not out.empty():
        messages.append(out.get())
    finished = [m for m in messages if isinstance(m, IndexFinished)]
    assert finished, messages
    assert finished[0].report.added == 2 and finished[0].report.removed == 0
    idx = index_store.load(ix)
    assert idx.tagger["name"] == FAST and idx.tagger["regions"] == "off" and len(idx) == 4


def test_names_that_are_not_utf8_are_indexed_moved_and_kept(sample_photos, tmp_path):
    """A folder `nonutf\\xff` and a photo renamed to `moved\\xff.png`: saved and found
    again exactly, run after run (the index stays updatable)."""
    photos = tmp_path / "photos"
    odd = os.path.join(os.fsencode(photos), b"nonutf\xff")
    os.makedirs(odd)
    shutil.copy(sample_photos / "chelsea.png", os.fsdecode(os.path.join(odd, b"chelsea.png")))
    shutil.copy(sample_photos / "coffee.png", photos / "coffee.png")
    ix = tmp_path / "ix"
    run_here("index", str(photos), "--index", str(ix), "--tagger", FAST, "--no-regions", check=True)
    root = os.fsencode(photos.resolve())
    stored = sorted(os.fsencode(p) for p in index_store.load(ix).paths)
    assert stored == [os.path.join(root, b"coffee.png"), os.path.join(root, b"nonutf\xff", b"chelsea.png")]
    os.rename(photos / "coffee.png", os.fsdecode(os.path.join(os.fsencode(photos), b"moved\xff.png")))
    proc = run_cli("index", "--index", str(ix), check=True)
    assert "удалено 0" in _summary(proc)
    stored = sorted(os.fsencode(p) for p in index_store.load(ix).paths)
    assert stored == [os.path.join(root, b"moved\xff.png"), os.path.join(root, b"nonutf\xff", b"chelsea.png")]
    proc = run_cli("index", "--index", str(ix), check=True)  # and again: nothing to do
    assert "без изменений 2" in _summary(proc)


def test_a_lost_index_json_forgets_no_folder(two_folders, tmp_path):
    """index.json deleted (a sync tool, a careless hand): the next `index A` still keeps
    B's photos, from the copy of index.json each generation keeps."""
    a, b = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), str(b), "--index", str(ix), "--tagger", FAST, "--no-regions", check=True)
    (ix / "index.json").unlink()
    proc = run_cli("index", str(a), "--index", str(ix), check=True)
    assert "4 фото" in _summary(proc) and "удалено 0" in _summary(proc)
    idx = index_store.load(ix)
    assert len(idx) == 4 and sorted(idx.roots) == sorted([str(a.resolve()), str(b.resolve())])
    assert (ix / "index.json").is_file()


@pytest.mark.parametrize("name", ["post_score", "taken", "paths"])
def test_a_flipped_bit_in_the_arrays_is_exit_4_in_one_line(two_folders, tmp_path, name):
    a, _ = two_folders
    ix = tmp_path / "ix"
    run_here("index", str(a), "--index", str(ix), "--tagger", FAST, check=True)
    meta = json.loads((ix / "index.json").read_bytes())
    path = ix / meta["files"][name]["file"]
    data = bytearray(path.read_bytes())
    for at in range(128, len(data), 5):  # bytes of the data (after NumPy's 128-byte header)
        data[at] ^= 0x40                  # in every posting list
    path.write_bytes(bytes(data))
    out = tmp_path / "tags.json"
    for argv in (["search", "кошка", "--index", str(ix), "--json"],
                 ["export", "--index", str(ix), "--out", str(out)]):
        proc = run_cli(*argv)
        assert proc.returncode == 4, (argv, proc.stdout, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "повреждён" in proc.stderr
        assert "Traceback" not in proc.stderr and not proc.stdout.strip()
    assert not out.exists()
