"""One odd file never stops an index, an unplugged drive never empties it, a read-only
index folder is one line (issue 27). Real photos, the real model, real mounts."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from photofinder import index as index_store

from .conftest import TAGGER, run_cli, search_json

YEAR_2300_NS = 10_413_792_000 * 10**9     # 2300-01-01: past int64 nanoseconds (2262)
YEAR_1901_NS = -2_177_452_800 * 10**9     # before 1970: a negative mtime


def _summary(proc) -> str:
    return next(line for line in proc.stdout.splitlines() if line.startswith("индекс "))


def _index(*args: str, check: bool = True):
    return run_cli("index", *args, "--tagger", TAGGER, check=check)


def _exif_jpeg(source: Path, target: Path, date: str) -> None:
    with Image.open(source) as img:
        exif = img.getexif()
        exif.get_ifd(0x8769)[0x9003] = date        # DateTimeOriginal
        exif[0x0132] = date                         # DateTime
        img.convert("RGB").save(target, "JPEG", exif=exif.tobytes())


def test_a_photo_dated_out_of_range_is_indexed_like_any_other(sample_photos, tmp_path):
    """mtime after 2262 / before 1970, EXIF dates no calendar has: the photo is
    indexed, a re-run sees it unchanged, a dated search shows its date."""
    photos = tmp_path / "photos"
    photos.mkdir()
    with Image.open(sample_photos / "chelsea.png") as cat:   # without its XMP date
        cat.save(photos / "future.png")
    shutil.copy(sample_photos / "coffee.png", photos / "old.png")
    _exif_jpeg(sample_photos / "astronaut.png", photos / "exif9999.jpg", "9999:12:31 23:59:59")
    _exif_jpeg(sample_photos / "rocket.jpg", photos / "exif0000.jpg", "0000:00:00 00:00:00")
    try:
        os.utime(photos / "future.png", ns=(YEAR_2300_NS, YEAR_2300_NS))
    except (OSError, OverflowError) as exc:
        pytest.skip(f"this file system cannot date a file 2300-01-01: {exc}")
    os.utime(photos / "old.png", ns=(YEAR_1901_NS, YEAR_1901_NS))
    index_dir = tmp_path / "ix"
    proc = _index(str(photos), "--index", str(index_dir))
    assert "новых 4" in _summary(proc) and "пропущено 0" in _summary(proc), proc.stdout
    assert "Traceback" not in proc.stderr
    again = _index("--index", str(index_dir))
    assert "без изменений 4" in _summary(again), again.stdout   # a stable, clamped stamp
    idx = index_store.load(index_dir)
    assert set(Path(p).name for p in idx.paths) == {"future.png", "old.png", "exif9999.jpg",
                                                     "exif0000.jpg"}
    assert idx.taken.tolist() == [0, 0, 0, 0]       # no usable EXIF date
    hits = {Path(h["path"]).name: h for h in search_json(index_dir, "кошка апрель")}
    assert "11.04.2262" in hits["future.png"]["why"]  # the last day an int64 stamp holds


@contextlib.contextmanager
def _tmpfs(where: Path):
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): "
                    f"{proc.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


def _umount(where: Path) -> None:
    subprocess.run(["umount", str(where)], check=True)


def _copy(sample_photos: Path, names: list[str], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(sample_photos / name, folder / name)


def test_an_unplugged_drive_keeps_its_photos(sample_photos, tmp_path):
    """A stored folder that is an empty mount point now, and a drive mounted inside a
    walked folder: their photos are kept, marked unavailable, never removed."""
    drive, home = tmp_path / "usb", tmp_path / "home"
    _copy(sample_photos, ["chelsea.png"], home)
    with _tmpfs(drive), _tmpfs(home / "nas"):
        _copy(sample_photos, ["coffee.png", "rocket.jpg"], drive / "2019")
        _copy(sample_photos, ["camera.png", "coins.png"], home / "nas")
        index_dir = tmp_path / "ix"
        _index(str(drive), str(home), "--index", str(index_dir))
        assert len(index_store.load(index_dir)) == 5
        _umount(drive)
        _umount(home / "nas")
        proc = _index("--index", str(index_dir))
    summary = _summary(proc)
    assert "удалено 0" in summary and "в недоступных папках сохранено 4" in summary, summary
    assert f"папка {drive} пуста или недоступна, сохранено 2 фото" in proc.stderr, proc.stderr
    assert f"папка {home / 'nas'} пуста или недоступна, сохранено 2 фото" in proc.stderr
    assert len(index_store.load(index_dir)) == 5
    # given by name, the empty mount point is no different
    summary = _summary(_index(str(drive), "--index", str(index_dir)))
    assert "удалено 0" in summary and len(index_store.load(index_dir)) == 5, summary


def test_deletions_in_a_readable_folder_are_seen_and_a_dead_link_keeps_its_photos(
        sample_photos, tmp_path):
    """Only a readable folder that holds photos shows deletions; a link to a drive
    that is away, or a folder emptied of photos, keeps them until --forget-missing."""
    home, phone = tmp_path / "home", tmp_path / "phone"
    _copy(sample_photos, ["chelsea.png", "coffee.png"], home / "trip")
    _copy(sample_photos, ["camera.png"], home / "emptied")
    _copy(sample_photos, ["rocket.jpg", "coins.png"], phone)
    (home / "phone").symlink_to(phone)
    index_dir = tmp_path / "ix"
    _index(str(home), "--index", str(index_dir))
    assert len(index_store.load(index_dir)) == 5
    (home / "trip" / "coffee.png").unlink()       # deleted by the user
    (home / "emptied" / "camera.png").unlink()    # the folder's only photo
    phone.rename(tmp_path / "phone-away")         # the link now leads nowhere
    proc = _index("--index", str(index_dir))
    summary = _summary(proc)
    assert "удалено 1" in summary and "в недоступных папках сохранено 3" in summary, summary
    names = {Path(p).name for p in index_store.load(index_dir).paths}
    assert names == {"chelsea.png", "camera.png", "rocket.jpg", "coins.png"}
    assert "--forget-missing" in proc.stderr
    proc = _index("--index", str(index_dir), "--forget-missing")
    summary = _summary(proc)
    assert "удалено 3" in summary and "сохранено" not in summary, summary
    assert [Path(p).name for p in index_store.load(index_dir).paths] == ["chelsea.png"]


def test_a_read_only_index_folder_is_one_line(sample_photos, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    bind = subprocess.run(["mount", "--bind", str(ro), str(ro)], capture_output=True, text=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount a folder read-only here: {bind.stderr.strip()}")
    try:
        remount = subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)],
                                 capture_output=True, text=True)
        if remount.returncode != 0:
            pytest.skip(f"cannot remount a bind mount read-only: {remount.stderr.strip()}")
        proc = _index(str(sample_photos), "--index", str(ro / "ix"), check=False)
        proc_root = _index(str(sample_photos), "--index", str(ro), check=False)
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True)
    assert proc.returncode == 1 and proc_root.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"photofinder: не удалось записать {ro / 'ix' / '.lock'}: диск только для чтения; "
        "индекс не тронут"], proc.stderr
    assert proc_root.stderr.strip().splitlines() == [
        f"photofinder: не удалось записать {ro / '.lock'}: диск только для чтения; "
        "индекс не тронут"], proc_root.stderr
