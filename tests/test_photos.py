from __future__ import annotations

import os

import numpy as np
import pytest
from PIL import Image

from photofinder.errors import PhotoError
from photofinder.photos import (
    Preprocess,
    cloud_fraction,
    date_taken,
    difference_hash,
    find_photos,
    model_input,
    open_photo,
    read_photo,
    sky_fraction,
)

PREP = Preprocess(size=32, mean=(0, 0, 0), std=(1, 1, 1))


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


def test_the_whole_photo_is_squeezed_not_cropped(tmp_path):
    """An object at the edge of a 2:1 photo is still in the model's input."""
    img = Image.new("RGB", (200, 100), (0, 0, 0))
    img.paste((255, 0, 0), (0, 0, 20, 100))       # a red stripe at the left edge
    img.save(tmp_path / "wide.png")
    arr = model_input(tmp_path / "wide.png", PREP)
    assert arr[:, 0, 0].mean() > 200 and arr[:, -1, 0].mean() < 50


def test_date_taken_from_exif_and_none_without(tmp_path):
    img = Image.new("RGB", (20, 20))
    exif = img.getexif()
    exif.get_ifd(0x8769)[0x9003] = "2019:07:14 18:30:00"  # DateTimeOriginal
    img.save(tmp_path / "dated.jpg", exif=exif)
    img.save(tmp_path / "plain.jpg")
    assert read_photo(tmp_path / "dated.jpg").taken == 1563129000  # 2019-07-14 18:30 (camera clock)
    assert read_photo(tmp_path / "plain.jpg").taken == 0
    with Image.open(tmp_path / "plain.jpg") as plain:
        assert date_taken(plain) == 0


def test_difference_hash_survives_resizing_and_recompression(tmp_path):
    rng = np.random.default_rng(1)
    base = Image.fromarray(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)).resize((800, 600))
    base.save(tmp_path / "a.jpg", quality=95)
    base.resize((400, 300)).save(tmp_path / "b.jpg", quality=60)
    other = Image.fromarray(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)).resize((800, 600))
    a, b = (difference_hash(open_photo(tmp_path / n)) for n in ("a.jpg", "b.jpg"))
    c = difference_hash(other)
    assert bin(a ^ b).count("1") <= 4 < bin(a ^ c).count("1")


def _textured(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)  # leaves, walls, crowds


def test_sky_fraction_is_the_smooth_sky_that_reaches_down_from_the_top():
    rng = np.random.default_rng(0)
    photo = _textured(rng, 320, 320)
    photo[:128] = (110, 160, 225)            # blue sky over the top 40 %
    assert sky_fraction(photo) == pytest.approx(0.4, abs=0.03)
    photo[:128] = (200, 200, 204)            # overcast: bright grey-white
    assert sky_fraction(photo) == pytest.approx(0.4, abs=0.03)
    lake = _textured(rng, 320, 320)
    lake[192:] = (110, 160, 225)             # blue below the texture: water, not sky
    assert sky_fraction(lake) < 0.01         # (a random cell may pass by chance)
    dusk = _textured(rng, 320, 320)
    dusk[:128] = (40, 50, 70)                # too dark for a day sky
    assert sky_fraction(dusk) < 0.01
    assert sky_fraction(_textured(rng, 320, 320)) < 0.01


def _clouds(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Blue sky with bright grey-white clouds in it: small blobs of several greys, so
    that most cells of a cloud have an edge (a cell inside one flat blob is as smooth as
    open sky, and a real cloud's shading is not flat)."""
    sky = np.empty((height, width, 3), np.uint8)
    sky[:] = (110, 160, 225)
    for _ in range(height * width // 1000):
        y, x = rng.integers(0, height), rng.integers(0, width)
        h, w = rng.integers(6, 20), rng.integers(10, 40)
        sky[y:y + h, x:x + w] = rng.integers(205, 250)
    return sky


def test_cloud_fraction_is_the_clouds_in_the_top_third_reached_through_the_sky():
    rng = np.random.default_rng(0)
    photo = _textured(rng, 320, 320)
    photo[:128] = _clouds(rng, 128, 320)     # clouds over a town: a quarter of the top 40 %
    cloudy = cloud_fraction(photo)
    assert 0.03 < cloudy < 0.1
    clear = photo.copy()
    clear[:128] = (110, 160, 225)            # the same sky without a cloud
    assert cloud_fraction(clear) == 0.0
    assert sky_fraction(clear) == pytest.approx(0.4, abs=0.03)
    walled = _textured(rng, 320, 320)
    walled[200:] = 230                       # a white wall in the lower part: no sky reaches it
    walled[:40] = _clouds(rng, 40, 320)
    assert cloud_fraction(walled) < cloudy / 2
    hidden = photo.copy()
    hidden[:24] = _textured(rng, 24, 320)    # branches across the top: the clouds are not reached
    assert cloud_fraction(hidden) < 0.01
