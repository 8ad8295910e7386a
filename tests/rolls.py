"""Camera-roll files built at test time from real coco-dev photos: HEIC (pillow-heif),
a real DNG from a Bayer mosaic (pidng), an H.264 MP4 (PyAV), and damaged copies.

The roll is what a phone and a camera leave in a folder; nothing of coco-dev is copied
into the repository (it is read from /work/shared/data/coco-dev, skipped where absent).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

COCO_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco-dev"

# one photo per file of the roll, each of one thing a Russian word names
ROLL = {
    "IMG_0101.HEIC": ("000000104455.jpg", "зебра"),
    "IMG_0102.heic": ("000000416256.jpg", "кошка"),
    "DSC_0103.dng": ("000000359937.jpg", "автобус"),
    "VID_0104.mp4": ("000000318080.jpg", "медведь"),
    "IMG_0105.jpg": ("000000208901.jpg", "самолёт"),
}
BROKEN = {"IMG_0106.HEIC": "000000384513.jpg", "VID_0107.mp4": "000000184321.jpg"}


def coco(name: str) -> Image.Image:
    path = COCO_DEV / name
    if not path.is_file():
        pytest.skip(f"no coco-dev photos at {COCO_DEV}")
    with Image.open(path) as img:
        return img.convert("RGB")


def exif_dated(img: Image.Image, when: str) -> Image.Exif:
    exif = img.getexif()
    exif.get_ifd(0x8769)[0x9003] = when  # DateTimeOriginal
    return exif


def write_heic(img: Image.Image, dst: Path, when: str | None = None) -> Path:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    img.save(dst, format="HEIF", quality=80, **({"exif": exif_dated(img, when)} if when else {}))
    return dst


def write_dng(img: Image.Image, dst: Path, when: str | None = None,
              orientation: int = 1) -> Path:
    """A real uncompressed 16-bit RGGB DNG: the photo's pixels, made linear again and
    sampled through a Bayer filter, with linear sRGB as the 'camera' colour space (its
    ColorMatrix1 is XYZ -> linear sRGB), so LibRaw's demosaic gives back the photo."""
    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import CalibrationIlluminant, CFAPattern, DNGVersion, PhotometricInterpretation

    linear = np.power(np.asarray(img, np.float32) / 255.0, 2.2) * 4095
    h, w = linear.shape[0] // 2 * 2, linear.shape[1] // 2 * 2
    linear = linear[:h, :w].astype(np.uint16)
    bayer = np.empty((h, w), np.uint16)
    bayer[0::2, 0::2] = linear[0::2, 0::2, 0]   # R
    bayer[0::2, 1::2] = linear[0::2, 1::2, 1]   # G
    bayer[1::2, 0::2] = linear[1::2, 0::2, 1]   # G
    bayer[1::2, 1::2] = linear[1::2, 1::2, 2]   # B
    xyz_to_srgb = [[32406, 10000], [-15372, 10000], [-4986, 10000],
                   [-9689, 10000], [18758, 10000], [415, 10000],
                   [557, 10000], [-2040, 10000], [10570, 10000]]
    tags = DNGTags()
    for tag, value in [
        (Tag.ImageWidth, w), (Tag.ImageLength, h), (Tag.TileWidth, w), (Tag.TileLength, h),
        (Tag.Orientation, orientation),
        (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
        (Tag.SamplesPerPixel, 1), (Tag.BitsPerSample, 16),
        (Tag.CFARepeatPatternDim, [2, 2]), (Tag.CFAPattern, CFAPattern.RGGB),
        (Tag.BlackLevel, 0), (Tag.WhiteLevel, 4095),
        (Tag.ColorMatrix1, xyz_to_srgb), (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
        (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]),
        (Tag.Make, "photofinder"), (Tag.Model, "test bayer"),
        (Tag.DNGVersion, DNGVersion.V1_4), (Tag.DNGBackwardVersion, DNGVersion.V1_2),
    ]:
        tags.set(tag, value)
    if when:
        tags.set(Tag.DateTime, when)
        tags.set(Tag.DateTimeOriginal, when)
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    writer.convert(bayer, filename=str(dst.with_suffix("")))
    written = dst.with_suffix(".dng")
    if written != dst:
        written.rename(dst)
    return dst


def write_mp4(img: Image.Image, dst: Path, seconds: float = 6.0, fps: int = 10,
              size: tuple[int, int] = (640, 480), gop: int = 10,
              created: str | None = None, rotation: int = 0) -> Path:
    """An H.264 MP4 filming the photo: a slow pan and zoom across it (what a phone video
    of a still scene looks like), a keyframe every `gop` frames."""
    import av

    width, height = size
    frames = int(seconds * fps)
    with av.open(str(dst), "w") as out:
        if created:
            out.metadata["creation_time"] = created
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"g": str(gop), "preset": "ultrafast"}
        if rotation:
            stream.set_display_rotation(rotation)
        for i in range(frames):
            t = i / max(1, frames - 1)
            crop_w, crop_h = img.width * (0.9 - 0.1 * t), img.height * (0.9 - 0.1 * t)
            left = (img.width - crop_w) * t
            top = (img.height - crop_h) * 0.5
            view = img.resize(size, box=(left, top, left + crop_w, top + crop_h))
            for packet in stream.encode(av.VideoFrame.from_image(view)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return dst


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def build_roll(folder: Path) -> Path:
    """The issue's roll: HEIC x2, DNG, MP4, JPEG, a text file, a broken HEIC, a broken MP4."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (source, _) in ROLL.items():
        img, dst = coco(source), folder / name
        suffix = dst.suffix.lower()
        if suffix == ".heic":
            write_heic(img, dst, when="2023:07:01 12:00:00")
        elif suffix == ".dng":
            write_dng(img, dst, when="2023:07:02 12:00:00")
        elif suffix == ".mp4":
            write_mp4(img, dst)
        else:
            img.save(dst, quality=90)
    truncate(write_heic(coco(BROKEN["IMG_0106.HEIC"]), folder / "IMG_0106.HEIC"))
    truncate(write_mp4(coco(BROKEN["VID_0107.mp4"]), folder / "VID_0107.mp4"))
    (folder / "notes.txt").write_text("список покупок", encoding="utf-8")
    return folder
