"""Videos (MP4, MOV, M4V, 3GP, MKV, AVI) through PyAV (FFmpeg in its wheel).

A video is tagged by a few frames spread over the clip (frames_for), not by decoding it all: for each
frame the demuxer seeks to the keyframe at or before its moment and only that keyframe is
decoded (on a 1080p H.264 clip ~10-20 ms each), whatever the clip's length. Memory holds
the container's index and one decoded frame at a time.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image

from ..errors import PhotoError
from .common import MissingDecoderError, Photo, check_pixels, os_or_damaged, wall_clock

# How many frames stand for a clip. Each is tagged like a photo, so they are most of a
# video's cost: the model's pass per frame, plus a 1080p keyframe's decode (~8x a 12 Mpx
# JPEG's draft decode). The target is a 1-minute 1080p clip within 3 photos' time:
# measured (benchmarks/formats.py, 2 shared cores) 3 frames cost 3.21 photos, 2 frames
# 2.09. So 2 frames, at 1/4 and 3/4 of a clip (most phone clips are under a minute and
# one scene); a clip past LONG_CLIP_SECONDS holds more scenes and gets 3.
VIDEO_FRAMES = 2
LONG_CLIP_SECONDS = 120.0
LONG_CLIP_FRAMES = 3
# A clip shorter than this is one moment: its middle frame says it all.
SHORT_CLIP_SECONDS = 2.0
TRUNCATED = "видео обрывается: файл повреждён или ещё копируется"


def _av() -> Any:
    try:
        import av
    except ImportError:
        raise MissingDecoderError("av", "видео") from None
    return av


class VideoDecoder:
    def decode(self, f: BinaryIO, path: Path, min_side: int | None) -> Photo:
        av = _av()
        try:
            # FFmpeg opens the file by its path (its own buffered reader); the caller has
            # checked it is a regular file, so a FIFO named .mp4 cannot hang here
            container = av.open(os.fspath(path), metadata_errors="ignore")
        except av.FFmpegError as exc:
            raise PhotoError(f"видео не читается: {_reason(av, exc)}") from None
        except Exception as exc:  # noqa: BLE001
            raise os_or_damaged(exc) from None
        try:
            return _sample(container, min_side)
        except PhotoError:
            raise
        except MemoryError:
            raise PhotoError("не хватило памяти, чтобы открыть видео") from None
        except av.FFmpegError as exc:
            raise PhotoError(f"видео повреждено: {_reason(av, exc)}") from None
        except Exception as exc:  # noqa: BLE001 - a crafted file can trip any decoder
            raise os_or_damaged(exc) from None
        finally:
            container.close()


def _reason(av: Any, exc: BaseException) -> str:
    """A Russian reason, with FFmpeg's own words after it: they are the most exact
    there is ("moov atom not found"), and it has none in Russian."""
    words = str(getattr(exc, "strerror", None) or exc).strip()
    words = words.splitlines()[0][:120] if words else type(exc).__name__
    if isinstance(exc, av.InvalidDataError):
        return f"файл повреждён или оборван ({words})"
    if isinstance(exc, (av.DecoderNotFoundError, av.PatchWelcomeError)):
        return f"кодек не поддерживается ({words})"
    return words


def _sample(container: Any, min_side: int | None) -> Photo:
    if not container.streams.video:
        raise PhotoError("в файле нет видеодорожки")
    stream = container.streams.video[0]
    check_pixels(stream.codec_context.width, stream.codec_context.height)
    stream.thread_type = "SLICE"  # one frame at a time: frame threads would only add lag
    duration = _duration(container, stream)
    count = frames_for(duration)
    moments = [duration * (i + 0.5) / count for i in range(count)]
    frames: dict[float, Image.Image] = {}
    for moment in moments:
        frame = _frame_at(container, stream, moment)
        if frame is None:
            raise PhotoError(TRUNCATED)
        at = float(frame.time) if frame.time is not None else moment
        if at not in frames:  # keyframes far apart: two moments may fall on the same one
            frames[at] = _upright(frame, min_side)
    images = tuple(frames.values())
    return Photo(images[len(images) // 2], _created(container), frames=images,
                 duration=duration, frame_times=tuple(frames), gps=_location(container))


def frames_for(duration: float) -> int:
    """How many frames a clip of `duration` seconds is tagged by (0: unknown length)."""
    if duration < SHORT_CLIP_SECONDS:
        return 1
    return LONG_CLIP_FRAMES if duration > LONG_CLIP_SECONDS else VIDEO_FRAMES


def _duration(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return 0.0


def _frame_at(container: Any, stream: Any, seconds: float) -> Any:
    """The first frame decoded from the keyframe at or before `seconds`; None if the
    stream ends (or breaks off) before a frame comes out."""
    if seconds > 0 and stream.time_base:
        start = stream.start_time or 0
        container.seek(start + int(Fraction(seconds).limit_denominator(1000) / stream.time_base),
                       stream=stream, backward=True, any_frame=False)
    for packet in container.demux(stream):
        for frame in packet.decode():
            return frame
    return None


def _upright(frame: Any, min_side: int | None) -> Image.Image:
    """The frame in RGB, scaled (by swscale, with the colour conversion) so that its
    shorter side is `min_side` where it is bigger, then turned as the phone held it."""
    width, height = frame.width, frame.height
    if min_side is not None and min(width, height) > min_side:
        scale = min_side / min(width, height)
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
    image = frame.reformat(width=width, height=height, format="rgb24").to_image()
    rotation = getattr(frame, "rotation", 0) or 0  # the display matrix: a portrait clip
    if rotation % 360:
        image = image.rotate(rotation, expand=True)
    return image


_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")


def _location(container: Any) -> tuple[float, float] | None:
    """Where a phone filmed the clip: ISO 6709 ("+55.7558+037.6173+150.0/"), as iPhones
    (com.apple.quicktime.location.ISO6709) and Android (location) write it."""
    from ..places import valid_coordinates

    meta = container.metadata or {}
    for key in ("com.apple.quicktime.location.ISO6709", "location", "location-eng"):
        match = _ISO6709.match(str(meta.get(key) or "").strip())
        if match:
            latitude, longitude = float(match.group(1)), float(match.group(2))
            if valid_coordinates(latitude, longitude):
                return latitude, longitude
    return None


def _created(container: Any) -> int:
    """When the clip was filmed: Apple's creationdate is the phone's wall clock; the
    generic creation_time is UTC (no better clock in the file)."""
    meta = container.metadata or {}
    for key in ("com.apple.quicktime.creationdate", "creation_time", "date"):
        value = meta.get(key)
        if value and (taken := wall_clock(str(value))):
            return taken
    return 0
