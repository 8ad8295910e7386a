"""HEIC, camera RAW and video decoders on real files built from coco-dev photos
(tests/rolls.py): what each gives back, the date, the guarantees a JPEG has (bombs
refused, bounded memory, a damaged file is a PhotoError with a reason)."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from photofinder.decoders import common, raw
from photofinder.errors import PhotoError
from photofinder.photos import find_photos, open_photo, read_photo
from tests.rolls import coco, truncate, write_dng, write_heic, write_mp4

ZEBRA, BUS, BEAR = "000000104455.jpg", "000000359937.jpg", "000000318080.jpg"


def similarity(a: Image.Image, b: Image.Image) -> float:
    """Correlation of two photos' 32x32 grey thumbnails: ~1 the same picture, ~0 unrelated."""
    x, y = (np.asarray(i.convert("L").resize((32, 32)), np.float32).ravel() for i in (a, b))
    return float(np.corrcoef(x, y)[0, 1])


def test_heic_decodes_upright_with_its_exif_date(tmp_path):
    src = coco(ZEBRA)
    photo = read_photo(write_heic(src, tmp_path / "IMG_0101.HEIC", when="2023:07:01 12:00:00"))
    assert photo.image.size == src.size and photo.image.mode == "RGB"
    assert similarity(photo.image, src) > 0.95
    assert photo.taken == 1688212800  # 2023-07-01 12:00, the camera's clock
    assert not photo.video


def test_dng_is_demosaiced_at_half_size_with_its_date(tmp_path):
    src = coco(BUS)
    photo = read_photo(write_dng(src, tmp_path / "DSC_0103.dng", when="2023:07:02 12:00:00"))
    assert photo.image.size == (src.width // 2, src.height // 2)
    assert similarity(photo.image, src) > 0.9
    assert photo.taken == 1688299200


def test_raw_orientation_is_applied(tmp_path):
    src = coco(BUS)
    photo = read_photo(write_dng(src, tmp_path / "portrait.dng", orientation=6))
    assert photo.image.size == (src.height // 2, src.width // 2)


class _FakeRaw:
    """A rawpy.RawPy whose embedded preview is given (unit test of the preview choice)."""

    def __init__(self, preview: Image.Image, flip: int) -> None:
        buf = io.BytesIO()
        preview.save(buf, "JPEG")
        self.thumb = SimpleNamespace(format="jpeg", data=buf.getvalue())
        self.sizes = SimpleNamespace(flip=flip)

    def extract_thumb(self):
        return self.thumb


def test_raw_embedded_preview_is_used_turned_by_the_raws_flip():
    rawpy = SimpleNamespace(ThumbFormat=SimpleNamespace(JPEG="jpeg"), LibRawError=OSError,
                            LibRawNoThumbnailError=OSError,
                            LibRawUnsupportedThumbnailError=OSError)
    src = coco(BUS)
    image = raw._preview(_FakeRaw(src, flip=6), rawpy, min_side=260)
    assert image is not None and image.size == (src.height, src.width)
    assert similarity(image, src.transpose(Image.Transpose.ROTATE_270)) > 0.95
    # a thumbnail too small for the model: the sensor data is demosaiced instead
    assert raw._preview(_FakeRaw(src.resize((160, 120)), 0), rawpy, min_side=260) is None


def test_video_frames_are_spread_over_the_clip_by_seeking(tmp_path):
    src = coco(BEAR)
    clip = write_mp4(src, tmp_path / "VID.mp4", seconds=30, fps=10, gop=10,
                     created="2022-05-04T10:11:12.000000Z")
    photo = read_photo(clip, min_side=260)
    assert photo.video and photo.duration == pytest.approx(30, abs=0.2)
    # keyframes every second: each frame is the keyframe at or before 1/4 and 3/4
    assert photo.frame_times == pytest.approx((7.0, 22.0), abs=1.01)
    assert [min(f.size) for f in photo.frames] == [260, 260]
    assert photo.image is photo.frames[1]
    assert all(similarity(f, src) > 0.6 for f in photo.frames)
    assert photo.taken == 1651659072  # 2022-05-04 10:11:12


def test_a_long_clip_gets_three_frames(tmp_path):
    clip = write_mp4(coco(BEAR), tmp_path / "long.mp4", seconds=150, fps=2, gop=2,
                     size=(320, 240))
    photo = read_photo(clip)
    assert photo.frame_times == pytest.approx((25.0, 75.0, 125.0), abs=1.01)


def test_a_short_clip_is_its_middle_frame_and_a_portrait_clip_stands_up(tmp_path):
    clip = write_mp4(coco(BEAR), tmp_path / "short.mp4", seconds=1, rotation=-90)
    photo = read_photo(clip)
    assert len(photo.frames) == 1
    assert photo.image.size == (480, 640)  # filmed 640x480 with the phone held upright


@pytest.mark.parametrize("make, reason", [
    (lambda d: truncate(write_heic(coco(ZEBRA), d / "x.heic")), "файл повреждён"),
    (lambda d: truncate(write_mp4(coco(BEAR), d / "x.mp4")), "видео не читается: файл повреждён"),
    (lambda d: truncate(write_dng(coco(BUS), d / "x.dng"), 0.3), "файл повреждён"),
    (lambda d: _write(d / "x.mp4", b"\0\0\0\x18ftypmp42" + b"\0" * 5000), "видео не читается"),
    (lambda d: _write(d / "x.nef", b"not a raw at all" * 100), "не снимок RAW"),
])
def test_damaged_files_are_photo_errors_with_a_russian_reason(tmp_path, make, reason):
    with pytest.raises(PhotoError, match=reason):
        read_photo(make(tmp_path))


def test_a_video_cut_off_after_its_index_is_refused_not_half_read(tmp_path):
    """moov first (as phones write it): the file opens, but its later frames are missing."""
    import av

    clip = write_mp4(coco(BEAR), tmp_path / "full.mp4", seconds=10)
    fast = tmp_path / "fast.mp4"
    with av.open(str(clip)) as src, av.open(str(fast), "w",
                                             options={"movflags": "faststart"}) as out:
        stream = out.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    assert read_photo(fast).video
    with pytest.raises(PhotoError, match="видео обрывается|повреждено"):
        read_photo(truncate(fast, 0.4))


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", ["heic", "dng", "mp4"])
def test_every_decoder_refuses_a_bomb_from_its_header(tmp_path, monkeypatch, kind):
    src = coco(ZEBRA)
    path = {"heic": lambda: write_heic(src, tmp_path / "x.heic"),
            "dng": lambda: write_dng(src, tmp_path / "x.dng"),
            "mp4": lambda: write_mp4(src, tmp_path / "x.mp4", seconds=1)}[kind]()
    monkeypatch.setattr(common, "MAX_PIXELS", src.width * src.height - 1)
    with pytest.raises(PhotoError, match="слишком большое изображение"):
        read_photo(path)


@pytest.mark.parametrize("module, package, name", [
    ("rawpy", "rawpy", "x.dng"), ("av", "av", "x.mp4"), ("pillow_heif", "pillow-heif", "x.heic"),
])
def test_a_missing_decoder_package_is_named(tmp_path, monkeypatch, module, package, name):
    from photofinder.decoders import pillow
    from photofinder.photos import MissingDecoderError

    (tmp_path / name).write_bytes(b"\0" * 100)
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    monkeypatch.setattr(pillow, "_heif_ready", False)
    with pytest.raises(MissingDecoderError, match=f"pip install {package}"):
        read_photo(tmp_path / name)


def test_a_2_gb_file_that_is_no_photo_is_refused_from_its_header(tmp_path):
    """Sparse 2 GB files named like photos and videos: refused, never read whole."""
    files = []
    for name, head in [("big.jpg", b"this is no jpeg"), ("big.heic", b"\0\0\0\x18ftypheic"),
                       ("big.dng", b"II*\0\x08\0\0\0"), ("big.mp4", b"\0\0\0\x18ftypmp42")]:
        path = tmp_path / name
        with open(path, "wb") as f:
            f.write(head)
            f.truncate(2 * 1024**3)  # sparse: takes no disk space
        files.append(str(path))
    code = (
        "import sys; from pathlib import Path\n"
        "from photofinder.errors import PhotoError\n"
        "from photofinder.photos import read_photo_and_hash\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        read_photo_and_hash(Path(name), min_side=260); print('decoded', name)\n"
        "    except PhotoError as e:\n"
        "        print('refused', e)\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "print(hwm.split()[1])\n")
    proc = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    *lines, peak_kb = proc.stdout.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("refused") for line in lines), lines
    assert int(peak_kb) < 400_000, peak_kb  # was 2.8 GB for the .jpg alone


def test_the_walk_finds_every_kind_and_counts_what_it_passes_over(tmp_path):
    for name in ["IMG_1.HEIC", "DSC_2.NEF", "d.dng", "v.MOV", "c.mp4", "a.jpg", "notes.txt",
                 "b.txt", "Makefile", "s.pdf"]:
        (tmp_path / name).write_bytes(b"x")
    other: Counter[str] = Counter()
    found = sorted(p.name for p in find_photos([tmp_path], passed_over=other))
    assert found == ["DSC_2.NEF", "IMG_1.HEIC", "a.jpg", "c.mp4", "d.dng", "v.MOV"]
    assert other == {".txt": 2, "": 1, ".pdf": 1}
    other.clear()
    assert "v.MOV" not in [p.name for p in find_photos([tmp_path], videos=False,
                                                       passed_over=other)]
    assert other[".mov"] == 1 and other[".mp4"] == 1


def test_thumbnails_of_every_kind_open(tmp_path):
    """What the GUI's thumbnailer calls: a video gives its middle frame."""
    src = coco(BEAR)
    for path in [write_heic(src, tmp_path / "a.heic"), write_dng(src, tmp_path / "b.dng"),
                 write_mp4(src, tmp_path / "c.mp4", seconds=3)]:
        img = open_photo(path, min_side=128)
        assert img.mode == "RGB" and min(img.size) >= 128


def test_a_raw_beside_its_jpeg_is_one_photo_the_jpeg(tmp_path):
    for name in ["DSC_0103.NEF", "DSC_0103.JPG", "DSC_0104.nef", "dsc_0105.ARW", "DSC_0105.jpg",
                 "IMG_7.dng", "IMG_7.png"]:
        (tmp_path / name).write_bytes(b"x")
    twins: list = []
    found = sorted(p.name for p in find_photos([tmp_path], twins=twins))
    assert found == ["DSC_0103.JPG", "DSC_0104.nef", "DSC_0105.jpg", "IMG_7.dng", "IMG_7.png"]
    assert sorted(p.name for p in twins) == ["DSC_0103.NEF", "dsc_0105.ARW"]


def test_a_live_photos_video_beside_its_photo_is_one_photo_the_photo(tmp_path, monkeypatch):
    """An iPhone exports a Live Photo as IMG_0200.HEIC and IMG_0200.MOV (Google Takeout:
    .MP4): one photo. A larger video with a photo's name is a video of its own (the
    limit set here between the small clips and the large one)."""
    from photofinder import photos

    src = coco(BEAR)
    write_heic(src, tmp_path / "IMG_0200.HEIC")
    write_mp4(src, tmp_path / "IMG_0200.MOV", seconds=3)
    src.save(tmp_path / "IMG_0300.JPG")
    write_mp4(src, tmp_path / "IMG_0300.MP4", seconds=2)
    src.save(tmp_path / "holiday.jpg")
    write_mp4(src, tmp_path / "holiday.mp4", seconds=6)
    write_mp4(src, tmp_path / "VID_0400.mp4", seconds=3)
    small = max((tmp_path / n).stat().st_size for n in ("IMG_0200.MOV", "IMG_0300.MP4"))
    assert (tmp_path / "holiday.mp4").stat().st_size > small
    monkeypatch.setattr(photos, "LIVE_PHOTO_BYTES", small)
    twins: list = []
    found = sorted(p.name for p in find_photos([tmp_path], twins=twins))
    assert found == ["IMG_0200.HEIC", "IMG_0300.JPG", "VID_0400.mp4", "holiday.jpg", "holiday.mp4"]
    assert sorted(p.name for p in twins) == ["IMG_0200.MOV", "IMG_0300.MP4"]
    # --no-videos: the videos are passed over and counted, twins or not
    other: Counter = Counter()
    assert "IMG_0200.MOV" not in [p.name for p in find_photos([tmp_path], videos=False,
                                                           passed_over=other)]
    assert other[".mov"] == 1 and other[".mp4"] == 3


def test_a_video_thumbnail_is_a_frame_with_a_play_mark(tmp_path):
    from photofinder.gui.thumbs import ThumbnailCache

    src = coco(BEAR)
    clip = write_mp4(src, tmp_path / "c.mp4", seconds=3)
    still = tmp_path / "c.jpg"
    src.save(still)
    cache = ThumbnailCache(tmp_path / "thumbs")
    video, photo = cache.make(clip), cache.make(still)
    assert max(video.size) == 160 and similarity(video, src) > 0.6
    corner = (slice(video.height - 40, video.height), slice(0, 40))
    v, p = (np.asarray(i.convert("L"), np.int16)[corner] for i in (video, photo))
    assert (v > 230).mean() > 0.1 and np.abs(v - p).mean() > 20  # the white triangle
