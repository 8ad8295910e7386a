from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from photofinder.errors import PhotoError
from photofinder.photos import Preprocess, find_photos, model_input, open_photo

PREP = Preprocess(size=32, resize=36, mean=(0, 0, 0), std=(1, 1, 1))


def test_finds_photos_recursively_once_despite_link_loops(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "a" / "one.JPG")
    Image.new("RGB", (8, 8)).save(tmp_path / "a" / "b" / "two.png")
    (tmp_path / "a" / "notes.txt").write_text("x")
    (tmp_path / ".hidden").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / ".hidden" / "x.png")
    os.symlink(tmp_path / "a", tmp_path / "a" / "b" / "loop")
    found = sorted(p.name for p in find_photos([tmp_path]))
    assert found == ["one.JPG", "two.png"]


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "CMYK", "I;16", "1"])
def test_every_mode_becomes_rgb(tmp_path, mode):
    path = tmp_path / f"x.{'tiff' if mode in ('CMYK', 'I;16') else 'png'}"
    Image.new(mode, (50, 40)).save(path)
    arr = model_input(path, PREP)
    assert arr.shape == (32, 32, 3) and arr.dtype == np.uint8


def test_exif_rotation_is_applied(tmp_path):
    img = Image.new("RGB", (60, 30))
    exif = img.getexif()
    exif[0x0112] = 6  # rotated 90 degrees
    img.save(tmp_path / "r.jpg", exif=exif)
    assert open_photo(tmp_path / "r.jpg").size == (30, 60)


def test_large_jpeg_is_decoded_in_draft_mode(tmp_path):
    Image.new("RGB", (4000, 3000), (200, 10, 10)).save(tmp_path / "big.jpg", quality=90)
    img = open_photo(tmp_path / "big.jpg", min_side=260)
    assert min(img.size) >= 260 and max(img.size) <= 1000  # 1/8 scale: 500x375


@pytest.mark.parametrize("content, reason", [
    (b"", "не изображение"), (b"hello, I am text", "не изображение"),
])
def test_unreadable_files_raise_photo_error(tmp_path, content, reason):
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    with pytest.raises(PhotoError, match=reason):
        model_input(path, PREP)
