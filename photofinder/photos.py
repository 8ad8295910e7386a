"""Finding photos on disk and decoding them for a classifier.

Decoding is the expensive half of tagging a camera photo: a full 12-megapixel JPEG
decode costs ~180 ms on a laptop core, while JPEG draft mode lets libjpeg decode at
1/2, 1/4 or 1/8 scale straight away (~30 ms) and still gives more pixels than the
classifier's 224-260 px input needs.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
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

    size: the whole photo is scaled to `size` x `size` (not centre-cropped: an object
    at the edge of a photo is still in it; the classifiers tolerate the squeeze of a
    4:3 photo, measured on coco-dev in benchmarks/regions.py).
    mean, std: per-channel normalisation of pixel values scaled to 0..1.
    """

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bilinear"  # or "bicubic"


_RESAMPLE = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


@dataclass(frozen=True)
class Photo:
    """A decoded photo and what its file says about it."""

    image: Image.Image   # upright (EXIF orientation applied), RGB
    taken: int = 0       # date_taken(): camera wall-clock seconds, 0 if unknown
    texts: tuple[str, ...] = ()  # embedded_texts(): keywords and titles people wrote


def open_photo(path: Path, min_side: int | None = None) -> Image.Image:
    """Opens a photo, upright (EXIF orientation applied), in RGB.

    With `min_side`, JPEGs are decoded in draft mode at the smallest scale that keeps
    both sides at least `min_side` pixels. Raises PhotoError with a short reason for
    anything that is not a whole, decodable image of a sane size: a truncated file is
    refused (Pillow's default, `LOAD_TRUNCATED_IMAGES = False`), not half-decoded, so a
    photo still being copied is skipped now and tagged whole on the next run.
    """
    return read_photo(path, min_side).image


def read_photo(path: Path, min_side: int | None = None) -> Photo:
    """`open_photo` plus what the file's metadata says (date taken)."""
    with _open_checked(path) as f:
        return _decode(f, min_side)


def read_photo_and_hash(path: Path, min_side: int | None = None) -> tuple[Photo, int]:
    """`read_photo` and the file's `content_hash`, from one read of the file: a JPEG is
    read whole to be decoded even in draft mode, so hashing it costs no extra I/O."""
    with _open_checked(path) as f:
        try:
            data = f.read()
        except OSError as exc:
            raise PhotoError(_os_reason(exc)) from None
    return _decode(io.BytesIO(data), min_side), hash_bytes(data)


def _open_checked(path: Path) -> BinaryIO:
    # A name that is not UTF-8 is indexed like any other: the index stores the file
    # system's bytes (pathlist.py), and what prints a path escapes them.
    try:
        return open_regular_file(path)
    except OSError as exc:
        raise PhotoError(_os_reason(exc)) from None


HASH_CHUNK = 64 * 1024


def hash_bytes(data: bytes) -> int:
    """`content_hash` of a file already read."""
    return _fingerprint(len(data), data[:HASH_CHUNK],
                        data[-HASH_CHUNK:] if len(data) > 2 * HASH_CHUNK else data[HASH_CHUNK:])


def _fingerprint(size: int, head: bytes, tail: bytes) -> int:
    h = hashlib.blake2b(size.to_bytes(8, "little"), digest_size=8)
    h.update(head)
    h.update(tail)
    return int.from_bytes(h.digest(), "little") or 1


def content_hash(path: Path) -> int:
    """A fast fingerprint of a file's content: the size plus its first and last 64 KB
    (blake2b, 64 bits; never 0). Reads at most 128 KB however big the photo; a JPEG's
    first 64 KB hold its EXIF (time, camera) and the start of the image itself."""
    with open_regular_file(path) as f:  # a FIFO named .jpg must not block the run
        size = os.fstat(f.fileno()).st_size
        head = f.read(HASH_CHUNK)
        if size > 2 * HASH_CHUNK:
            f.seek(size - HASH_CHUNK)
            tail = f.read(HASH_CHUNK)
        else:
            tail = f.read()
    return _fingerprint(size, head, tail)


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


TOO_BIG = f"слишком большое изображение (больше {MAX_PIXELS // 1_000_000} Мпикс)"


def _decode(f: BinaryIO, min_side: int | None) -> Photo:
    try:
        img = Image.open(f)
        # Checked here, from the header, before any pixel is decoded: Pillow's own guard
        # only warns below twice MAX_IMAGE_PIXELS, and turning that warning into an
        # error with warnings.catch_warnings() is not thread-safe (decoding runs on threads).
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise PhotoError(TOO_BIG)
        if min_side is not None and img.format == "JPEG":
            img.draft("RGB", (min_side, min_side))
        if getattr(img, "is_animated", False):
            img.seek(0)  # the first frame of a GIF/WebP animation stands for it
        img.load()
        taken, texts = date_taken(img), embedded_texts(img)
        img = ImageOps.exif_transpose(img) or img
        return Photo(_to_rgb(img), taken, texts)
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(TOO_BIG) from None
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
    """Decodes a photo into the uint8 SxSx3 array a model wants (not normalised yet):
    the upright RGB photo scaled to prep.size x prep.size, decoded at reduced scale
    (JPEG draft mode) where the file allows."""
    return fit_for_model(open_photo(path, min_side=prep.size), prep)


def fit_for_model(img: Image.Image, prep: Preprocess) -> np.ndarray:
    """`model_input` on a photo already opened (so one decode serves every use)."""
    width, height = img.size
    if max(width, height) > MAX_ASPECT * min(width, height):
        # A panorama or a 2 x 60000 strip squeezed into a square shows nothing
        # recognisable: keep its middle part, at most MAX_ASPECT : 1.
        side = min(width, height)
        keep_w, keep_h = min(width, MAX_ASPECT * side), min(height, MAX_ASPECT * side)
        left, top = (width - keep_w) // 2, (height - keep_h) // 2
        img = img.crop((left, top, left + keep_w, top + keep_h))
    img = img.resize((prep.size, prep.size), _RESAMPLE[prep.interpolation], reducing_gap=3.0)
    return np.asarray(img, dtype=np.uint8)


def difference_hash(img: Image.Image) -> int:
    """A 64-bit difference hash of the photo's pixels (dHash: is each of 8x8 cells
    brighter than its right neighbour): the same for a resized, recompressed or
    re-saved copy, a few bits apart for a burst shot. Never 0 (0 means unknown)."""
    small = np.asarray(img.convert("L").resize((9, 8), Image.Resampling.BILINEAR), np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0]) or 1


SKY_CELLS = 40  # the photo is judged as a 40 x 40 grid of cell colours


def sky_fraction(pixels: np.ndarray) -> float:
    """The share of the photo that is open sky: cells of smooth blue, or of smooth bright
    grey-white (overcast), that reach down unbroken from the top edge. The scene head
    knows sky only as photos *of* the sky (clouds, sunsets: it is a softmax over places,
    so a street with blue sky above it is "street" and nothing else); on the real
    cluttered photos of coco-dev "небо" found 0.16 AP through it (benchmarks/coco_scenes.py).
    A white wall or ceiling passes these tests too; tagging.sky_probability weighs the
    fraction by how sure the scene head is that the photo is outdoors.
    pixels: uint8 [H, W, 3], the model's input."""
    cells = min(SKY_CELLS, pixels.shape[0], pixels.shape[1])
    ch, cw = pixels.shape[0] // cells, pixels.shape[1] // cells
    # each cell's mean colour by Pillow's box filter: the function takes ~1.2 ms a photo
    # here, 5 ms with NumPy's mean over a reshaped array
    whole_cells = Image.fromarray(np.ascontiguousarray(pixels[:ch * cells, :cw * cells]))
    cell = np.asarray(whole_cells.resize((cells, cells), Image.Resampling.BOX), np.float32) / 255.0
    red, green, blue = cell[..., 0], cell[..., 1], cell[..., 2]
    value = cell.max(axis=-1)
    saturation = (value - cell.min(axis=-1)) / np.maximum(value, 1e-3)
    grey = cell.mean(axis=-1)
    step = (np.abs(np.diff(grey, axis=1, append=grey[:, -1:]))
            + np.abs(np.diff(grey, axis=0, append=grey[-1:])))
    blue_sky = (blue >= red + 0.03) & (blue >= green - 0.03) & (value > 0.35)
    overcast = (saturation < 0.12) & (value > 0.6)
    sky_like = (step < 0.035) & (blue_sky | overcast)
    # sky is above everything else: a cell counts only when every cell above it does
    return float(np.cumprod(sky_like, axis=0).mean())


_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 0x9003
_DATE_TIME = 0x0132


def date_taken(img: Image.Image) -> int:
    """When the photo was taken, from EXIF (DateTimeOriginal, else DateTime), as seconds
    of the camera's wall clock since 1970 (no time zone: a camera has none); 0 if unknown."""
    import calendar
    import time as _time

    try:
        exif = img.getexif()
        text = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
        if not isinstance(text, str):
            return 0
        parsed = _time.strptime(text.strip()[:19], "%Y:%m:%d %H:%M:%S")
        if not 1900 <= parsed.tm_year <= 2200:
            return 0
        return calendar.timegm(parsed)
    except (ValueError, TypeError, OSError, SyntaxError, AttributeError):
        return 0  # no EXIF, or EXIF that says nothing usable


# IPTC datasets people fill in (digiKam, Lightroom, Photoshop): keywords, object name,
# headline, caption
_IPTC_TEXTS = ((2, 25), (2, 5), (2, 105), (2, 120))


def embedded_texts(img: Image.Image) -> tuple[str, ...]:
    """Keywords, titles and captions inside the photo (XMP and IPTC)."""
    from .xmp import embedded_texts as xmp_texts

    texts = list(xmp_texts(img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")))
    try:
        from PIL import IptcImagePlugin

        iptc = IptcImagePlugin.getiptcinfo(img) or {}
    except Exception:  # noqa: BLE001 - broken IPTC says nothing, it is not an error
        iptc = {}
    for key in _IPTC_TEXTS:
        values = iptc.get(key) or []
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, bytes):
                try:
                    value = value.decode("utf-8")
                except UnicodeDecodeError:
                    value = value.decode("cp1251", errors="replace")
            if isinstance(value, str) and value.strip():
                texts.append(value.strip())
    return tuple(dict.fromkeys(texts))
