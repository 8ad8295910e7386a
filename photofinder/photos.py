"""Finding photos on disk and decoding them for a classifier.

Decoding is the expensive half of tagging a camera photo: a full 12-megapixel JPEG
decode costs ~180 ms on a laptop core, while JPEG draft mode lets libjpeg decode at
1/2, 1/4 or 1/8 scale straight away (~30 ms) and still gives more pixels than the
classifier's 224-260 px input needs.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import PhotoError

PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
HEIC_EXTENSIONS = frozenset({".heic", ".heif"})

# Pillow's own default is ~89 Mpx with a warning and an error at twice that. A phone
# panorama can reach ~100 Mpx, a "decompression bomb" billions: refuse past this.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

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


def stamp(path: Path) -> FileStamp:
    st = path.stat()
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
    both sides at least `min_side` pixels. Raises PhotoError with a short reason.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
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
    except FileNotFoundError:
        raise PhotoError("файл исчез во время работы") from None
    except PermissionError:
        raise PhotoError("нет прав на чтение") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PhotoError(f"файл повреждён: {reason}") from None


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
    img = open_photo(path, min_side=prep.resize)
    width, height = img.size
    scale = prep.resize / min(width, height)
    new_size = (max(prep.size, round(width * scale)), max(prep.size, round(height * scale)))
    img = img.resize(new_size, _RESAMPLE[prep.interpolation], reducing_gap=3.0)
    left = (new_size[0] - prep.size) // 2
    top = (new_size[1] - prep.size) // 2
    img = img.crop((left, top, left + prep.size, top + prep.size))
    return np.asarray(img, dtype=np.uint8)
