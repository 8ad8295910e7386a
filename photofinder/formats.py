"""Which files photofinder reads, by extension: the one definition the walk, the index
summary, the CLI and the GUI all use (a list written twice drifts).

Nothing heavy is imported here: the search path imports this module.
"""

from __future__ import annotations

import os
from typing import Literal

Kind = Literal["image", "heic", "raw", "video"]

# what Pillow decodes itself
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
# iPhones since 2017 (iOS 11), many Android phones: pillow-heif (libheif in its wheel)
HEIC_EXTENSIONS = frozenset({".heic", ".heif"})
# camera RAW: rawpy (LibRaw in its wheel). DNG: Adobe, phones, Leica, Pentax; CR2/CR3:
# Canon; NEF: Nikon; ARW: Sony; ORF: Olympus/OM; RW2: Panasonic; RAF: Fujifilm; PEF: Pentax
RAW_EXTENSIONS = frozenset({".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf",
                            ".pef"})
# phone and camera videos: PyAV (FFmpeg in its wheel)
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".mkv", ".avi"})

# what a camera saves beside a RAW of the same shot (RAW + JPEG mode; HEIF on newer ones)
TWIN_RENDERINGS = frozenset({".jpg", ".jpeg", ".heic", ".heif"})
# a Live Photo's video as an iPhone exports it beside its photo (IMG_1234.HEIC and
# IMG_1234.MOV; Google Takeout: .MP4), the same name and folder
LIVE_PHOTO_VIDEOS = frozenset({".mov", ".mp4"})

PHOTO_EXTENSIONS = IMAGE_EXTENSIONS | HEIC_EXTENSIONS | RAW_EXTENSIONS
# files that belong to a photo rather than being another kind of file: XMP sidecars
# (digiKam, darktable, our own export), an iPhone's edit record, a camera's thumbnail.
# The walk neither indexes nor counts them: a sidecar beside every photo is no news.
SIDECAR_EXTENSIONS = frozenset({".xmp", ".aae", ".thm"})
SUPPORTED_EXTENSIONS = PHOTO_EXTENSIONS | VIDEO_EXTENSIONS

_KINDS: dict[str, Kind] = {
    **dict.fromkeys(IMAGE_EXTENSIONS, "image"),
    **dict.fromkeys(HEIC_EXTENSIONS, "heic"),
    **dict.fromkeys(RAW_EXTENSIONS, "raw"),
    **dict.fromkeys(VIDEO_EXTENSIONS, "video"),
}


def extension(path: str | os.PathLike[str]) -> str:
    """The lower-case extension with its dot ("" for none): what the walk compares."""
    return os.path.splitext(os.fspath(path))[1].lower()


def kind_of(path: str | os.PathLike[str]) -> Kind | None:
    """Which decoder reads the file, by its extension; None: not a photo or video."""
    return _KINDS.get(extension(path))


def is_video(path: str | os.PathLike[str]) -> bool:
    return kind_of(path) == "video"


def described(extensions: frozenset[str] = SUPPORTED_EXTENSIONS) -> str:
    """The extensions as a user reads them in a message: "3gp, arw, avi, bmp, ..."."""
    return ", ".join(sorted(e.lstrip(".") for e in extensions))
