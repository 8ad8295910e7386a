"""Finding photos on disk and decoding them for a classifier.

Decoding is the expensive half of tagging a camera photo: a full 12-megapixel JPEG
decode costs ~180 ms on a laptop core, while JPEG draft mode lets libjpeg decode at
1/2, 1/4 or 1/8 scale straight away (~30 ms) and still gives more pixels than the
classifier's 224-260 px input needs.
"""

from __future__ import annotations

import errno
import os
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import PhotoError

PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
HEIC_EXTENSIONS = frozenset({".heic", ".heif"})

# Pillow's own default is ~89 Mpx with a warning and an error at twice that. A phone
# panorama can reach ~100 Mpx, a "decompression bomb" billions: refuse past this.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Longer side over shorter side past which model_input crops before resizing: the
# centre crop never uses more than a square, so nothing it needs is lost.
MAX_ASPECT = 4

try:  # HEIC/HEIF photos from iPhones, where the optional pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    SUPPORTED_EXTENSIONS = PHOTO_EXTENSIONS | HEIC_EXTENSIONS
except ImportError:
    SUPPORTED_EXTENSIONS = PHOTO_EXTENSIONS


@dataclass(frozen=True)
class FileStamp:
    """What tells us a file changed without reading it."""

    size: int
    mtime_ns: int


_OS_REASONS = {
    errno.ENOENT: "файл исчез во время работы или ссылка ведёт в никуда",
    errno.ELOOP: "петля символических ссылок",
    errno.EACCES: "нет прав на чтение",
    errno.EPERM: "нет прав на чтение",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
}
NOT_REGULAR = "не обычный файл (папка, канал, устройство или сокет)"


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def stamp(path: Path) -> FileStamp:
    """Size and mtime. Raises OSError whose strerror is a short reason in Russian."""
    try:
        st = path.stat()
    except OSError as exc:
        raise OSError(exc.errno, _os_reason(exc)) from None
    return FileStamp(st.st_size, st.st_mtime_ns)


def find_photos(roots: list[Path]) -> Iterator[Path]:
    """Yields every photo under the roots, recursively, each real file once.

    Symlinked folders are followed (people link their phone dumps in), but a folder
    already visited by its real path is not entered again, so a link loop ends.
    Unreadable folders are passed over silently: there is nothing in them to index.
    """
    seen_dirs: set[tuple[int, int]] = set()
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
            try:
                st = os.stat(dirpath)
            except OSError:
                dirnames.clear()
                continue
            key = (st.st_dev, st.st_ino)
            if key in seen_dirs:
                dirnames.clear()
                continue
            seen_dirs.add(key)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                if os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS:
                    yield Path(dirpath) / name


@dataclass(frozen=True)
class Preprocess:
    """How a model wants its input: it travels with the model's weights.

    resize: the shorter side is scaled to this, then the centre `size` x `size` is cut.
    mean, std: per-channel normalisation of pixel values scaled to 0..1.
    """

    size: int
    resize: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bilinear"  # or "bicubic"


_RESAMPLE = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


def open_photo(path: Path, min_side: int | None = None) -> Image.Image:
    """Opens a photo, upright (EXIF orientation applied), in RGB.

    With `min_side`, JPEGs are decoded in draft mode at the smallest scale that keeps
    both sides at least `min_side` pixels. Raises PhotoError with a short reason for
    anything that is not a whole, decodable image of a sane size: a truncated file is
    refused (Pillow's default, `LOAD_TRUNCATED_IMAGES = False`), not half-decoded, so a
    photo still being copied is skipped now and tagged whole on the next run.
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        # Such a path could not be written to the UTF-8 index nor printed by a search.
        raise PhotoError("имя файла не в кодировке UTF-8: переименуйте файл") from None
    try:
        f = open_regular_file(path)
    except OSError as exc:
        raise PhotoError(_os_reason(exc)) from None
    with f:
        return _decode(f, min_side)


def open_regular_file(path: Path) -> BinaryIO:
    """Opens a regular file for reading; OSError for a folder, FIFO, device or socket.

    O_NONBLOCK: a FIFO named like a photo must not hang the run on open(); the check
    is fstat on the open descriptor, so nothing can be swapped in between.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, NOT_REGULAR)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _decode(f: BinaryIO, min_side: int | None) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(f)
            if min_side is not None and img.format == "JPEG":
                img.draft("RGB", (min_side, min_side))
            if getattr(img, "is_animated", False):
                img.seek(0)  # the first frame of a GIF/WebP animation stands for it
            img.load()
            img = ImageOps.exif_transpose(img) or img
            return _to_rgb(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(f"слишком большое изображение (больше {MAX_PIXELS // 1_000_000} Мпикс)") from None
    except UnidentifiedImageError:
        raise PhotoError("не изображение или неизвестный формат") from None
    except MemoryError:
        raise PhotoError("не хватило памяти, чтобы открыть изображение") from None
    except OSError as exc:
        if exc.errno in _OS_REASONS:
            raise PhotoError(_os_reason(exc)) from None
        raise PhotoError(f"файл повреждён: {_first_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a crafted file can trip any decoder
        raise PhotoError(f"файл повреждён: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit scans: scale to 8 bits instead of clipping everything to white
        arr = np.asarray(img, dtype=np.float32)
        top = float(arr.max()) or 1.0
        img = Image.fromarray((arr * (255.0 / top)).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        # transparent pixels become white, as a viewer shows them, not black
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def model_input(path: Path, prep: Preprocess) -> np.ndarray:
    """Decodes a photo into the uint8 HxWx3 array a model wants (not normalised yet).

    The pipeline is torchvision's `Resize(prep.resize)` + `CenterCrop(prep.size)` on
    the upright RGB photo, with the decode itself done at reduced scale for JPEGs.
    """
    return crop_for_model(open_photo(path, min_side=prep.resize), prep)


def crop_for_model(img: Image.Image, prep: Preprocess) -> np.ndarray:
    """`model_input` on a photo already opened (so one decode can serve two uses)."""
    width, height = img.size
    if max(width, height) > MAX_ASPECT * min(width, height):
        # A 2 x 60000 strip would be resized to 256 x 7.7M pixels (8 GB) before the
        # crop: cut the part the centre crop keeps first (same pixels, bounded memory).
        side = min(width, height)
        keep_w, keep_h = min(width, MAX_ASPECT * side), min(height, MAX_ASPECT * side)
        left, top = (width - keep_w) // 2, (height - keep_h) // 2
        img = img.crop((left, top, left + keep_w, top + keep_h))
        width, height = img.size
    scale = prep.resize / min(width, height)
    new_size = (max(prep.size, round(width * scale)), max(prep.size, round(height * scale)))
    img = img.resize(new_size, _RESAMPLE[prep.interpolation], reducing_gap=3.0)
    left = (new_size[0] - prep.size) // 2
    top = (new_size[1] - prep.size) // 2
    img = img.crop((left, top, left + prep.size, top + prep.size))
    return np.asarray(img, dtype=np.uint8)
