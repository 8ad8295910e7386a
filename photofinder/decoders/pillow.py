"""Photos Pillow decodes: JPEG, PNG, WebP, GIF, BMP, TIFF, and HEIC/HEIF through the
pillow-heif plugin (libheif in its wheel).

A JPEG is decoded in draft mode when the caller needs only `min_side` pixels: libjpeg
scales by 1/2, 1/4 or 1/8 while decoding (a 12 Mpx photo: ~30 ms instead of ~180 ms).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import PhotoError
from ..places import gps_of_image
from ..screenshots import said_by_metadata
from .common import (
    FILE_TOO_BIG,
    MAX_WHOLE_FILE,
    TOO_BIG,
    MissingDecoderError,
    Photo,
    check_pixels,
    os_or_damaged,
    to_rgb,
    wall_clock,
)

_heif_lock = threading.Lock()
_heif_ready = False


def _register_heif() -> None:
    """Teaches Pillow HEIC once, on the first HEIC met (a search never pays the import)."""
    global _heif_ready
    with _heif_lock:
        if _heif_ready:
            return
        try:
            from pillow_heif import register_heif_opener
        except ImportError:
            raise MissingDecoderError("pillow-heif", "фото HEIC/HEIF") from None
        register_heif_opener()
        _heif_ready = True


def gps_in_file(path: Path) -> tuple[float, float] | None:
    """A photo's GPS read from its header alone, no pixel decoded: what an index made
    before places were read learns on its next run (indexer). None for what Pillow
    cannot open, and for a file with no GPS."""
    try:
        if path.suffix.lower() in (".heic", ".heif"):
            _register_heif()
        with Image.open(path) as img:
            return gps_of_image(img)
    except Exception:  # noqa: BLE001 - no GPS is the answer for any unreadable header
        return None


class PillowDecoder:
    """Decoder for what Pillow reads; `heic` first registers pillow-heif."""

    def __init__(self, heic: bool = False) -> None:
        self.heic = heic

    def decode(self, f: BinaryIO, path: Path, min_side: int | None) -> Photo:
        if self.heic:
            _register_heif()
            # libheif is handed the whole file at once: refuse a huge one unread
            if os.fstat(f.fileno()).st_size > MAX_WHOLE_FILE:
                raise PhotoError(FILE_TOO_BIG)
        return decode_image(f, min_side)


def decode_image(f: BinaryIO, min_side: int | None) -> Photo:
    """Decodes an image file Pillow knows. `Image.open` reads only the header: a file
    that is not an image is refused before its body is read, however big it is."""
    try:
        img = Image.open(f)
        # Checked here, from the header, before any pixel is decoded: Pillow's own guard
        # only warns below twice MAX_IMAGE_PIXELS, and turning that warning into an
        # error with warnings.catch_warnings() is not thread-safe (decoding runs on threads).
        check_pixels(*img.size)
        if min_side is not None and img.format == "JPEG":
            img.draft("RGB", (min_side, min_side))
        if getattr(img, "is_animated", False):
            img.seek(0)  # the first frame of a GIF/WebP animation stands for it
        img.load()
        taken, texts, gps = date_taken(img), embedded_texts(img), gps_of_image(img)
        screenshot = is_screenshot(img)
        img = ImageOps.exif_transpose(img) or img
        return Photo(to_rgb(img), taken, texts, gps=gps, screenshot=screenshot)
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(TOO_BIG) from None
    except UnidentifiedImageError:
        raise PhotoError("не изображение или неизвестный формат") from None
    except MemoryError:
        raise PhotoError("не хватило памяти, чтобы открыть изображение") from None
    except Exception as exc:  # noqa: BLE001 - a crafted file can trip any decoder
        raise os_or_damaged(exc) from None


_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 0x9003
_DATE_TIME = 0x0132
_USER_COMMENT = 0x9286


def is_screenshot(img: Image.Image) -> bool:
    """What iOS and macOS write into a screenshot, in EXIF or XMP (screenshots.py)."""
    try:
        comment = img.getexif().get_ifd(_EXIF_IFD).get(_USER_COMMENT)
    except (ValueError, TypeError, OSError, SyntaxError, AttributeError):
        comment = None   # no EXIF, or EXIF that says nothing usable
    return said_by_metadata(comment, img.info.get("xmp") or img.info.get("XML:com.adobe.xmp"))


def date_taken(img: Image.Image) -> int:
    """When the photo was taken, from EXIF (DateTimeOriginal, else DateTime), else from
    XMP (xmp.date_created: an iPhone screenshot of iOS 16 and before has its date there
    alone), as seconds of the camera's wall clock since 1970 (no time zone: a camera has
    none); 0 if unknown. HEIC carries the same EXIF block as a JPEG (pillow-heif hands
    it to Pillow)."""
    try:
        exif = img.getexif()
        text = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
    except (ValueError, TypeError, OSError, SyntaxError, AttributeError):
        text = None  # no EXIF, or EXIF that says nothing usable
    taken = wall_clock(text) if isinstance(text, str) else 0
    if taken:
        return taken
    from ..xmp import date_created

    xmp_text = date_created(img.info.get("xmp") or img.info.get("XML:com.adobe.xmp"))
    if xmp_text and len(xmp_text) == 10:   # a day alone, "2019-04-14": its midnight
        xmp_text += "T00:00:00"
    return wall_clock(xmp_text) if xmp_text else 0


# IPTC datasets people fill in (digiKam, Lightroom, Photoshop): keywords, object name,
# headline, caption
_IPTC_TEXTS = ((2, 25), (2, 5), (2, 105), (2, 120))


def embedded_texts(img: Image.Image) -> tuple[str, ...]:
    """Keywords, titles and captions inside the photo (XMP and IPTC)."""
    from ..xmp import embedded_texts as xmp_texts

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
