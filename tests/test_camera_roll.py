"""The issue's camera roll, indexed as a user would: HEIC x2, a DNG, an MP4, a JPEG, a
text file, a broken HEIC and a broken MP4, built from coco-dev photos (tests/rolls.py),
tagged by the real default model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from photofinder import index as index_store
from tests.conftest import TAGGER, run_cli, run_here, search_json
from tests.rolls import BROKEN, ROLL, build_roll


@pytest.fixture(scope="module")
def roll(tmp_path_factory):
    folder = build_roll(tmp_path_factory.mktemp("roll") / "phone")
    index_dir = tmp_path_factory.mktemp("index")
    proc = run_here("index", str(folder), "--index", str(index_dir), "--tagger", TAGGER)
    return folder, index_dir, proc


def test_the_roll_is_understood_and_nothing_is_ignored_silently(roll):
    folder, index_dir, proc = roll
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    for name in BROKEN:  # each damaged file is named, with a reason
        line = next((li for li in out.splitlines() if name in li), "")
        assert line.startswith("пропущено") and "повреж" in line, (name, out)
    assert "пропущено 2" in proc.stdout and "других файлов: 1 (.txt)" in proc.stdout, proc.stdout
    assert "новых 5" in proc.stdout, proc.stdout


@pytest.mark.parametrize("name", list(ROLL))
def test_each_photo_and_the_video_is_found_by_a_word_for_what_it_shows(roll, name):
    folder, index_dir, _ = roll
    word = ROLL[name][1]
    hits = [h["path"] for h in search_json(index_dir, word)]
    assert str(folder / name) in hits[:2], (word, hits[:3])


def test_the_video_is_stored_as_a_video_with_its_duration(roll):
    folder, index_dir, _ = roll
    idx = index_store.load(index_dir)
    row = list(idx.paths).index(str(folder / "VID_0104.mp4"))
    assert idx.video.tolist().count(True) == 1 and idx.video[row]
    assert idx.duration[row] == pytest.approx(6.0, abs=0.2)
    assert idx.features.shape[1] and np.abs(idx.features[row]).sum() > 0
    proc = run_cli("similar", str(folder / "VID_0104.mp4"), "--index", str(index_dir), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)  # its frames' pooled features find neighbours


def test_no_videos_passes_them_over_and_counts_them(roll, tmp_path):
    folder, _, _ = roll
    proc = run_cli("index", str(folder), "--index", str(tmp_path / "i"), "--tagger", TAGGER,
                   "--no-videos")
    assert proc.returncode == 0, proc.stderr
    assert "новых 4" in proc.stdout and "пропущено 1" in proc.stdout, proc.stdout
    assert "других файлов: 3 (.mp4 ×2, .txt)" in proc.stdout, proc.stdout


def test_a_raw_and_its_jpeg_are_one_photo_and_both_get_sidecars(tmp_path):
    """DSC_0103.dng + DSC_0103.JPG from one shot: one result (the JPEG); `export --xmp`
    writes DSC_0103.JPG.xmp and DSC_0103.dng.xmp (the names digiKam and darktable read),
    never DSC_0103.xmp, which Lightroom keeps for the RAW."""
    from tests.rolls import coco, write_dng

    shots = tmp_path / "camera"
    shots.mkdir()
    src = coco(ROLL["DSC_0103.dng"][0])
    write_dng(src, shots / "DSC_0103.dng")
    src.save(shots / "DSC_0103.JPG", quality=90)
    index_dir = tmp_path / "index"
    proc = run_cli("index", str(shots), "--index", str(index_dir), "--tagger", TAGGER)
    assert proc.returncode == 0, proc.stderr
    assert "1 фото" in proc.stdout and "RAW рядом со своим JPEG (показан JPEG): 1" in proc.stdout
    assert [h["path"] for h in search_json(index_dir, "автобус")] == [str(shots / "DSC_0103.JPG")]
    proc = run_cli("export", "--xmp", "--index", str(index_dir))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in shots.glob("*.xmp")) == ["DSC_0103.JPG.xmp", "DSC_0103.dng.xmp"]
    raw_sidecar = (shots / "DSC_0103.dng.xmp").read_text(encoding="utf-8")
    assert "автобус" in raw_sidecar


def test_a_live_photo_is_one_photo_in_search_and_no_duplicate(tmp_path):
    """IMG_0200.HEIC + IMG_0200.MOV, an iPhone's Live Photo as exported: before, its video
    was tagged too, so «медведь» listed the bear twice (the MOV first). `duplicates` did
    not pair them (the clip pans), and still does not."""
    from tests.rolls import coco, write_heic, write_mp4

    roll = tmp_path / "iPhone"
    roll.mkdir()
    bear = coco(ROLL["VID_0104.mp4"][0])
    write_heic(bear, roll / "IMG_0200.HEIC", when="2023:07:01 12:00:00")
    write_mp4(bear, roll / "IMG_0200.MOV", seconds=3)
    coco(ROLL["IMG_0101.HEIC"][0]).save(roll / "IMG_0201.JPG", quality=90)
    index_dir = tmp_path / "index"
    proc = run_cli("index", str(roll), "--index", str(index_dir), "--tagger", TAGGER)
    assert proc.returncode == 0, proc.stderr
    assert "2 фото" in proc.stdout, proc.stdout
    assert "видео Live Photo рядом со своим фото (показано фото): 1" in proc.stdout, proc.stdout
    hits = [h["path"] for h in search_json(index_dir, "медведь") if not h.get("weak")]
    assert hits == [str(roll / "IMG_0200.HEIC")], hits
    proc = run_cli("duplicates", "--index", str(index_dir), "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout) == [], proc.stdout


def test_a_raw_alone_gets_the_long_sidecar_name_and_lightrooms_file_is_left_alone(tmp_path):
    from photofinder.xmp import sidecar_path

    raw, jpeg = tmp_path / "DSC_0200.NEF", tmp_path / "IMG_1.jpg"
    assert sidecar_path(raw, shared_stem=False) == tmp_path / "DSC_0200.NEF.xmp"
    (tmp_path / "DSC_0200.xmp").write_text("<lightroom develop settings/>")
    assert sidecar_path(raw, shared_stem=False) == tmp_path / "DSC_0200.NEF.xmp"
    assert sidecar_path(jpeg, shared_stem=False) == tmp_path / "IMG_1.xmp"  # photos as before
