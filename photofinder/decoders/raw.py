"""Camera RAW (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF, PEF) through rawpy (LibRaw).

Fast path: the JPEG preview the camera embedded (full size or ~1-2 Mpx on most cameras),
decoded in draft mode like any JPEG. Without a preview big enough for the caller, a
half-size demosaic (each 2x2 Bayer cell becomes one pixel: no interpolation, ~4x less
work than a full one). The sensor size is checked from the header before anything is
unpacked, so a crafted RAW cannot claim gigapixels.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from ..errors import PhotoError
from .common import MissingDecoderError, Photo, check_pixels, damaged, os_or_damaged
from .pillow import decode_image

# LibRaw's flip code (dcraw's) -> the PIL transpose that makes the photo upright
_FLIPS = {
    3: Image.Transpose.ROTATE_180,
    5: Image.Transpose.ROTATE_90,    # 90 degrees counter-clockwise
    6: Image.Transpose.ROTATE_270,   # 90 degrees clockwise
}


def _rawpy() -> Any:
    try:
        import rawpy
    except ImportError:
        raise MissingDecoderError("rawpy", "снимки RAW") from None
    return rawpy


class RawDecoder:
    def decode(self, f: BinaryIO, path: Path, min_side: int | None) -> Photo:
        rawpy = _rawpy()
        raw = rawpy.RawPy()
        try:
            # LibRaw opens the file by its path with its own buffered reader: the file
            # is never read whole into memory. The caller has checked it is a regular file.
            raw.open_file(os.fspath(path))
            sizes = raw.sizes
            check_pixels(sizes.raw_width, sizes.raw_height)
            taken = _taken(raw)
            image = _preview(raw, rawpy, min_side) or _demosaic(raw)
            return Photo(image, taken)
        except PhotoError:
            raise
        except MemoryError:
            raise PhotoError("не хватило памяти, чтобы открыть снимок RAW") from None
        except Exception as exc:  # noqa: BLE001 - LibRaw's errors are all "damaged"
            if isinstance(exc, rawpy.LibRawFileUnsupportedError):
                raise PhotoError("не снимок RAW или эта камера не поддерживается") from None
            raise os_or_damaged(exc) from None
        finally:
            raw.close()


def _taken(raw: Any) -> int:
    """The EXIF date LibRaw read from the RAW. rawpy hands it as a naive datetime of the
    camera's wall clock (LibRaw's mktime, undone in the same time zone)."""
    import calendar

    try:
        stamp = raw.other.timestamp
        if stamp is None or not 1900 < stamp.year <= 2200:
            return 0
        return calendar.timegm(stamp.timetuple())
    except (AttributeError, ValueError, OverflowError, OSError):
        return 0


def _preview(raw: Any, rawpy: Any, min_side: int | None) -> Image.Image | None:
    """The embedded JPEG preview, upright, if it has at least `min_side` pixels a side
    (a 160 px thumbnail is no input for a 260 px model); None otherwise."""
    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    except rawpy.LibRawError:
        return None  # a damaged preview: the sensor data may still be whole
    if thumb.format == rawpy.ThumbFormat.JPEG:
        try:
            image = decode_image(io.BytesIO(thumb.data), min_side).image
        except PhotoError:
            return None
        # decode_image has turned a preview that names its orientation upright; one that
        # does not (most cameras' previews) gets the RAW's own flip
        with Image.open(io.BytesIO(thumb.data)) as probe:
            oriented = probe.getexif().get(0x0112, 1) != 1
    else:
        image = Image.fromarray(thumb.data).convert("RGB")
        oriented = False
    if not oriented and raw.sizes.flip in _FLIPS:
        image = image.transpose(_FLIPS[raw.sizes.flip])
    if min_side is not None and min(image.size) < min_side:
        return None
    return image


def _demosaic(raw: Any) -> Image.Image:
    """A half-size demosaic with the camera's white balance, 8 bits, flip applied."""
    try:
        rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8,
                              no_auto_bright=False)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise damaged(exc) from None
    return Image.fromarray(rgb)  # postprocess has applied the flip itself
