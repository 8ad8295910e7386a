"""Thumbnails: made once, cached on disk next to the index, loaded off the Tk thread.

A thumbnail is named after the sha1 of the photo's path, size and mtime (all three
are in the index, so finding it costs no stat() of the photo), so a changed photo
gets a new thumbnail and a stale one is never shown. Decoding uses JPEG draft mode
(libjpeg scales while decoding) and EXIF orientation, through photos.open_photo.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..errors import PhotoError
from ..formats import is_video
from ..photos import open_photo

THUMB_SIZE = 160        # px, the longer side; tiles are laid out for this
THUMB_QUALITY = 85
THUMB_DIR = "thumbs"
LOADER_THREADS = 2      # Pillow releases the GIL while decoding: two cores, two threads


@dataclass(frozen=True)
class ThumbRequest:
    generation: int     # which search asked: answers to an older search are dropped
    token: int          # which tile
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ThumbReady:
    generation: int
    token: int
    image: Image.Image | None   # None when the photo could not be read
    error: str = ""


class ThumbnailCache:
    """INDEX_DIR/thumbs/<sha1>.jpg, at most THUMB_SIZE px on the longer side."""

    def __init__(self, folder: Path, size: int = THUMB_SIZE) -> None:
        self.folder = folder
        self.size = size

    def file_for(self, path: str, size: int, mtime_ns: int) -> Path:
        key = hashlib.sha1(f"{path}\0{size}\0{mtime_ns}\0{self.size}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.jpg"  # 256 subfolders: big libraries stay listable

    def get(self, path: str, size: int, mtime_ns: int) -> Image.Image:
        """The thumbnail, from the cache or made now. Raises PhotoError."""
        cached = self.file_for(path, size, mtime_ns)
        try:
            with Image.open(cached) as img:
                img.load()
                return img
        except (OSError, ValueError, SyntaxError):
            pass  # missing or truncated: make it again
        img = self.make(Path(path))
        self._store(cached, img)
        return img

    def make(self, path: Path) -> Image.Image:
        # draft mode + EXIF rotation; a video gives one of its sampled frames
        img = open_photo(path, min_side=self.size)
        img.thumbnail((self.size, self.size), Image.Resampling.LANCZOS, reducing_gap=2.0)
        if is_video(path):
            mark_video(img)
        return img

    def _store(self, target: Path, img: Image.Image) -> None:
        """Temp file + os.replace, so two windows never read half a JPEG. No fsync, unlike
        index.atomic_write: a thumbnail lost in a crash is simply made again. A read-only
        index folder means no cache, not an error."""
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            img.save(tmp, "JPEG", quality=THUMB_QUALITY)
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)


def mark_video(img: Image.Image) -> None:
    """A white play triangle on a dark disc in the thumbnail's corner: this tile is a
    video (double-click plays it in the system player)."""
    from PIL import ImageDraw

    r = max(8, min(img.size) // 7)
    x, y = r + 4, img.height - r - 4
    draw = ImageDraw.Draw(img, "RGBA")
    draw.ellipse((x - r, y - r, x + r, y + r), fill=(0, 0, 0, 150))
    third = r // 2
    draw.polygon([(x - third + 2, y - r + 5), (x - third + 2, y + r - 5), (x + r - 4, y)],
                 fill=(255, 255, 255, 235))


class ThumbnailLoader:
    """Daemon threads that turn ThumbRequests into ThumbReady messages on `out`.

    Newest search first: `generation` rises with every search, and requests of an
    older one are dropped unread, so typing a new query never waits for the old
    query's thumbnails.
    """

    def __init__(self, cache: ThumbnailCache, out: queue.Queue,
                 threads: int = LOADER_THREADS) -> None:
        self.cache, self.out = cache, out
        self.generation = 0
        self._requests: queue.Queue = queue.Queue()
        self._threads = [threading.Thread(target=self._run, name=f"photofinder-thumbs-{i}",
                                          daemon=True) for i in range(threads)]
        for t in self._threads:
            t.start()

    def request(self, req: ThumbRequest) -> None:
        self._requests.put(req)

    def close(self) -> None:
        for _ in self._threads:
            self._requests.put(None)

    def _run(self) -> None:
        while (req := self._requests.get()) is not None:
            if req.generation != self.generation:
                continue
            try:
                image = self.cache.get(req.path, req.size, req.mtime_ns)
            except PhotoError as exc:
                self.out.put(ThumbReady(req.generation, req.token, None, str(exc)))
            except Exception as exc:  # noqa: BLE001 - one odd file gets a grey tile, not a crash
                self.out.put(ThumbReady(req.generation, req.token, None, f"{type(exc).__name__}: {exc}"))
            else:
                self.out.put(ThumbReady(req.generation, req.token, image))
