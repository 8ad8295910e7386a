"""Decoders, one per kind of file (formats.Kind), behind one small Protocol.

Each decoder keeps the same guarantees: a bomb is refused from its header, memory stays
bounded whatever the file's size, and anything wrong with a file is a PhotoError with a
short Russian reason (the indexer skips the file and goes on). A decoder whose package
is missing raises MissingDecoderError, which names the package to install.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Protocol

from ..formats import Kind
from .common import (
    MAX_PIXELS,
    TOO_BIG,
    MissingDecoderError,
    Photo,
)
from .pillow import PillowDecoder, date_taken, embedded_texts
from .raw import RawDecoder
from .video import VIDEO_FRAMES, VideoDecoder, frames_for

__all__ = ["MAX_PIXELS", "TOO_BIG", "VIDEO_FRAMES", "Decoder", "MissingDecoderError", "Photo",
           "date_taken", "decoder_for", "embedded_texts", "frames_for"]


class Decoder(Protocol):
    def decode(self, f: BinaryIO, path: Path, min_side: int | None) -> Photo:
        """Decodes the open regular file `f` (at `path`), upright, in RGB;
        with `min_side`, at a reduced size whose sides keep at least that many pixels
        where the format allows. Raises PhotoError."""
        ...


_DECODERS: dict[Kind, Decoder] = {
    "image": PillowDecoder(),
    "heic": PillowDecoder(heic=True),
    "raw": RawDecoder(),
    "video": VideoDecoder(),
}


def decoder_for(kind: Kind | None) -> Decoder:
    """The decoder for a kind of file; a file of no known kind is tried as an image
    (Pillow recognises a photo by its content, whatever its name)."""
    return _DECODERS[kind or "image"]
