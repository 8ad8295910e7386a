"""Finding photos on disk and decoding them for a classifier.

Decoding is the expensive half of tagging a camera photo: a full 12-megapixel JPEG
decode costs ~180 ms on a laptop core, while JPEG draft mode lets libjpeg decode at
1/2, 1/4 or 1/8 scale straight away (~30 ms) and still gives more pixels than the
classifier's 224-260 px input needs.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from .decoders import (
    MAX_PIXELS,
    TOO_BIG,
    MissingDecoderError,
    Photo,
    date_taken,
    decoder_for,
    embedded_texts,
)
from .decoders.common import os_reason
from .errors import PhotoError
from .formats import (
    LIVE_PHOTO_VIDEOS,
    PHOTO_EXTENSIONS,
    RAW_EXTENSIONS,
    SIDECAR_EXTENSIONS,
    SUPPORTED_EXTENSIONS,
    TWIN_RENDERINGS,
    VIDEO_EXTENSIONS,
    extension,
    kind_of,
)

__all__ = ["MAX_PIXELS", "PHOTO_EXTENSIONS", "SUPPORTED_EXTENSIONS", "TOO_BIG", "VIDEO_EXTENSIONS",
           "MissingDecoderError", "Photo", "date_taken", "embedded_texts"]

# Longer side over shorter side past which model_input crops before resizing: the
# centre crop never uses more than a square, so nothing it needs is lost.
MAX_ASPECT = 4


@dataclass(frozen=True)
class FileStamp:
    """What tells us a file changed without reading it."""

    size: int
    mtime_ns: int


NOT_REGULAR = "не обычный файл (папка, канал, устройство или сокет)"
_os_reason = os_reason  # the name the rest of the package imported before decoders/


def stamp(path: Path) -> FileStamp:
    """Size and mtime. Raises OSError whose strerror is a short reason in Russian."""
    try:
        st = path.stat()
    except OSError as exc:
        raise OSError(exc.errno, _os_reason(exc)) from None
    return FileStamp(st.st_size, st.st_mtime_ns)


def find_photos(roots: list[Path], videos: bool = True,
                passed_over: Counter[str] | None = None,
                twins: list[Path] | None = None) -> Iterator[Path]:
    """Yields every photo (and, with `videos`, every video) under the roots, recursively,
    each real file once; `passed_over` counts the other files met, by extension ("" for
    none), so a summary can say what was not read (a turned-off video counts there too).

    A RAW with a JPEG or HEIC of the same shot beside it (DSC_0103.NEF + DSC_0103.JPG:
    the same folder and name) is one photo: the JPEG is yielded, the RAW goes to
    `twins`. The JPEG is the camera's own rendering of the shot (its white balance,
    lens corrections, what the photographer saw on the camera) and decodes in draft mode
    in a fraction of a RAW's time; tagging both would cost twice and show the shot twice.
    When the JPEG is deleted, the next run finds the RAW alone and indexes it.

    A Live Photo's video beside its photo (IMG_1234.HEIC and IMG_1234.MOV, as an iPhone
    exports them; its photo is the moment the shutter was pressed, the video the 1.5
    seconds either side) is one photo too: the photo is yielded, the video (a file of at
    most LIVE_PHOTO_BYTES) goes to `twins` as the RAW does. Tagged, its frames were the
    photo again: every Live Photo came twice in search results. A
    larger video that shares a photo's name (a film and its cover) is a video of its own.

    Symlinked folders are followed (people link their phone dumps in), but a folder
    already visited by its real path is not entered again, so a link loop ends.
    Unreadable folders are passed over silently: there is nothing in them to index.
    Hidden files and folders (.thumbnails, .DS_Store, our own index) are not files of
    the roll and are not counted.
    """
    wanted = SUPPORTED_EXTENSIONS if videos else PHOTO_EXTENSIONS
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
            names = sorted(n for n in filenames if not n.startswith("."))
            rendered = {os.path.splitext(n)[0].casefold() for n in names
                        if extension(n) in TWIN_RENDERINGS}
            for name in names:
                ext = extension(name)
                twin = os.path.splitext(name)[0].casefold() in rendered
                if twin and ext in RAW_EXTENSIONS or (
                        twin and ext in LIVE_PHOTO_VIDEOS and ext in wanted
                        and _small(Path(dirpath) / name, LIVE_PHOTO_BYTES)):
                    if twins is not None:
                        twins.append(Path(dirpath) / name)
                elif ext in wanted:
                    yield Path(dirpath) / name
                elif passed_over is not None and ext not in SIDECAR_EXTENSIONS:
                    passed_over[ext] += 1


# A Live Photo's video runs 1.5 seconds either side of the photo: 2-6 MB from an iPhone
# (1440x1080 or 1920x1440, HEVC). Its size, not its length, decides, because the walk
# runs on every `photofinder index` and reading a clip's length took 16 ms here (a library
# of 5,000 Live Photos: a minute more for each refresh, against 1.15 s for 10,000
# unchanged photos); a film of minutes is far larger.
LIVE_PHOTO_BYTES = 12 * 2**20


def _small(path: Path, limit: int) -> bool:
    try:
        return os.stat(path).st_size <= limit
    except OSError:
        return False   # the scan reports a file it cannot stat


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
    """`open_photo` plus what the file's metadata says (date taken); for a video, its
    sampled frames and duration (decoders/video.py)."""
    with _open_checked(path) as f:
        return _decode(f, path, min_side)


def _decode(f: BinaryIO, path: Path, min_side: int | None) -> Photo:
    """The decoder the file's extension names (formats.kind_of) reads it."""
    return decoder_for(kind_of(path)).decode(f, path, min_side)


def read_photo_and_hash(path: Path, min_side: int | None = None) -> tuple[Photo, int]:
    """`read_photo` and the file's `content_hash`. The decoder streams the file (nothing
    holds it whole in memory: a 2 GB file named .jpg that is no image is refused from
    its first bytes); the hash then reads the first and last 64 KB again, from the page
    cache the decode has just filled."""
    with _open_checked(path) as f:
        photo = _decode(f, path, min_side)
        try:
            return photo, _hash_open_file(f)
        except OSError as exc:
            raise PhotoError(os_reason(exc)) from None


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
        return _hash_open_file(f)


def _hash_open_file(f: BinaryIO) -> int:
    """`content_hash` of an open file, by positioned reads (whatever its position)."""
    fd = f.fileno()
    size = os.fstat(fd).st_size
    head = os.pread(fd, HASH_CHUNK, 0)
    if size > 2 * HASH_CHUNK:
        tail = os.pread(fd, HASH_CHUNK, size - HASH_CHUNK)
    else:
        tail = os.pread(fd, max(0, size - HASH_CHUNK), HASH_CHUNK)
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


def upright_size(path: str | Path) -> tuple[int, int] | None:
    """(width, height) of a photo as it is shown (EXIF orientation applied), from its
    header alone, without decoding it; None where Pillow cannot read the header (a video,
    a RAW file, a file gone since it was indexed)."""
    try:
        with Image.open(path) as img:
            width, height = img.size
            turned = img.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    except Exception:  # noqa: BLE001 - any file Pillow cannot read: unknown, not an error
        return None
    return (height, width) if turned else (width, height)


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
        img = img.crop(_middle(width, height))
    img = img.resize((prep.size, prep.size), _RESAMPLE[prep.interpolation], reducing_gap=3.0)
    return np.asarray(img, dtype=np.uint8)


def _middle(width: int, height: int) -> tuple[int, int, int, int]:
    """The part of a photo a model sees (fit_for_model): all of it, or a panorama's
    middle, at most MAX_ASPECT : 1."""
    side = min(width, height)
    keep_w, keep_h = min(width, MAX_ASPECT * side), min(height, MAX_ASPECT * side)
    left, top = (width - keep_w) // 2, (height - keep_h) // 2
    return left, top, left + keep_w, top + keep_h


def box_in_photo(box: tuple[float, float, float, float], width: int, height: int
                 ) -> tuple[float, float, float, float]:
    """A box in fractions of a model's input (fit_for_model of a photo width x height)
    as fractions of the whole photo: a panorama's model saw only its middle."""
    if max(width, height) <= MAX_ASPECT * min(width, height):
        return box
    left, top, right, bottom = _middle(width, height)
    w, h = right - left, bottom - top
    return ((left + box[0] * w) / width, (top + box[1] * h) / height,
            (left + box[2] * w) / width, (top + box[3] * h) / height)


def difference_hash(img: Image.Image) -> int:
    """A 64-bit difference hash of the photo's pixels (dHash: is each of 8x8 cells
    brighter than its right neighbour): the same for a resized, recompressed or
    re-saved copy, a few bits apart for a burst shot. Never 0 (0 means unknown)."""
    small = np.asarray(img.convert("L").resize((9, 8), Image.Resampling.BILINEAR), np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0]) or 1


SKY_CELLS = 40  # the photo is judged as a 40 x 40 grid of cell colours


@dataclass(frozen=True)
class SkyCells:
    """The photo as a grid of cell colours (SKY_CELLS a side, 0..1), with what the sky
    tests need of each cell."""

    blue: np.ndarray      # bool: blue enough and bright enough to be open sky
    overcast: np.ndarray  # bool: bright grey-white enough to be an overcast sky
    white: np.ndarray     # bool: bright grey-white enough to be a cloud (looser)
    smooth: np.ndarray    # bool: no edge to the cell's neighbours (open sky is smooth)


def sky_cells(pixels: np.ndarray) -> SkyCells:
    """The cells sky_fraction and cloud_fraction judge. pixels: uint8 [H, W, 3]."""
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
    return SkyCells(blue=(blue >= red + 0.03) & (blue >= green - 0.03) & (value > 0.35),
                    overcast=(saturation < 0.12) & (value > 0.6),
                    white=(saturation < CLOUD_SATURATION) & (value > CLOUD_VALUE),
                    smooth=step < 0.035)


def sky_fraction(pixels: np.ndarray, cells: SkyCells | None = None) -> float:
    """The share of the photo that is open sky: cells of smooth blue, or of smooth bright
    grey-white (overcast), that reach down unbroken from the top edge. The scene head
    knows sky only as photos *of* the sky (clouds, sunsets: it is a softmax over places,
    so a street with blue sky above it is "street" and nothing else); on the real
    cluttered photos of coco-dev "небо" found 0.16 AP through it (benchmarks/coco_scenes.py).
    A white wall or ceiling passes these tests too; tagging.sky_probability weighs the
    fraction by how sure the scene head is that the photo is outdoors.
    pixels: uint8 [H, W, 3], the model's input."""
    c = cells or sky_cells(pixels)
    sky_like = c.smooth & (c.blue | c.overcast)
    # sky is above everything else: a cell counts only when every cell above it does
    return float(np.cumprod(sky_like, axis=0).mean())


# A cloud's cell: bright and grey-white, and not smooth (a cloud has edges and shades).
# Looser than sky_fraction's overcast cells (saturation 0.12, value 0.6), which must be
# smooth. Only the top third of the photo is looked at: lower down, grey-white cells
# reached through the sky were as often a pale horizon, snow, white walls or blossom
# (benchmarks/sky_clouds.py: every grey-white cell gave «облака» as much, and took
# «небо» 0.83 -> 0.77 on coco-dev and «ясное небо» 0.60 -> 0.58 on the everyday photos).
CLOUD_SATURATION = 0.15
CLOUD_VALUE = 0.55
CLOUD_ROWS = 1 / 3


def cloud_fraction(pixels: np.ndarray, cells: SkyCells | None = None) -> float:
    """The share of the photo that is clouds in the sky: grey-white cells with edges in
    its top third, reached from the top edge through sky (blue or grey-white cells,
    smooth or not, where sky_fraction's open sky must be smooth). The heads know clouds
    as the subject of a photo and miss them above people, a town or a field
    (tagging.cloudy_probability). pixels: uint8 [H, W, 3], the model's input."""
    c = cells or sky_cells(pixels)
    reached = np.cumprod(c.blue | c.white, axis=0).astype(bool)
    clouds = reached & c.white & ~c.smooth
    top = max(1, round(len(clouds) * CLOUD_ROWS))
    return float(clouds[:top].sum() / clouds.size)
