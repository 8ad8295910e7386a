"""What every decoder shares: the decoded result, the size limits, the reasons."""

from __future__ import annotations

import calendar
import errno
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import PhotoError

# Pillow's own default is ~89 Mpx with a warning and an error at twice that. A phone
# panorama can reach ~100 Mpx, a "decompression bomb" billions: refuse past this.
MAX_PIXELS = 200_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
TOO_BIG = f"слишком большое изображение (больше {MAX_PIXELS // 1_000_000} Мпикс)"

# A decoder that must hold the whole file in memory (libheif) refuses a file past this
# before reading it: an iPhone's 48 Mpx HEIC is ~10 MB, so 512 MB is no real photo.
MAX_WHOLE_FILE = 512 * 1024 * 1024
FILE_TOO_BIG = f"слишком большой файл для фото (больше {MAX_WHOLE_FILE // 2**20} МБ)"


@dataclass(frozen=True)
class Photo:
    """A decoded photo (or a video's sampled frames) and what its file says about it."""

    image: Image.Image   # upright (EXIF orientation applied), RGB; a video: frames[len // 2]
    taken: int = 0       # camera wall-clock seconds since 1970, 0 if unknown
    texts: tuple[str, ...] = ()  # keywords and titles people wrote into the file
    frames: tuple[Image.Image, ...] = ()  # a video's frames spread over the clip, in order
    duration: float = 0.0  # a video's length in seconds (0: a photo, or unknown)
    frame_times: tuple[float, ...] = ()  # where in the clip each frame is, in seconds
    gps: tuple[float, float] | None = None  # latitude, longitude (places.gps_of_image)
    screenshot: bool = False  # the file says the screen was captured (screenshots.py)

    @property
    def video(self) -> bool:
        return bool(self.frames)


class MissingDecoderError(PhotoError):
    """The package that reads this kind of file is not installed. One message per run
    names it (the indexer groups these), not one skip per file."""

    def __init__(self, package: str, what: str) -> None:
        super().__init__(f"{what} не прочитать: не установлен пакет {package} "
                         f"(pip install {package})")
        self.package = package


OS_REASONS = {
    errno.ENOENT: "файл исчез во время работы или ссылка ведёт в никуда",
    errno.ELOOP: "петля символических ссылок",
    errno.EACCES: "нет прав на чтение",
    errno.EPERM: "нет прав на чтение",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
}


def os_reason(exc: OSError) -> str:
    return OS_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def os_or_damaged(exc: BaseException) -> PhotoError:
    """An OS error while reading (the disk, a vanished file) in its own words, anything
    else as a damaged file."""
    if isinstance(exc, OSError) and exc.errno in OS_REASONS:
        return PhotoError(os_reason(exc))
    return damaged(exc)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def damaged(exc: BaseException) -> PhotoError:
    return PhotoError(f"файл повреждён: {first_line(exc)}")


def check_pixels(width: int, height: int) -> None:
    """Refuses a bomb from its header, before any pixel is decoded."""
    if width <= 0 or height <= 0:
        raise PhotoError("файл повреждён: нулевой размер изображения")
    if width * height > MAX_PIXELS:
        raise PhotoError(TOO_BIG)


def wall_clock(text: str) -> int:
    """"2019:07:14 18:30:00" (EXIF) or "2019-07-14T18:30:00" as seconds since 1970 of
    that wall clock (no time zone: a camera has none); 0 if it says nothing usable."""
    try:
        cleaned = text.strip()[:19].replace("-", ":").replace("T", " ")
        parsed = time.strptime(cleaned, "%Y:%m:%d %H:%M:%S")
    except (ValueError, TypeError, AttributeError):
        return 0
    if not 1900 <= parsed.tm_year <= 2200:
        return 0
    return calendar.timegm(parsed)


def to_rgb(img: Image.Image) -> Image.Image:
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
