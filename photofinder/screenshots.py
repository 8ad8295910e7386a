"""Whether a file is a screenshot: what the file says, or what the system named it.

A phone's camera roll is full of screenshots (a ticket, a chat, a map), and people look
for them by that word: «скриншот», «снимок экрана», or leave them out, «море
-скриншоты». Nothing in the pixels says so surely, but the file does:

- iOS and macOS write «Screenshot» into a screenshot's EXIF UserComment or its XMP
  (exif:UserComment), whatever the file is named (an iPhone's are IMG_1234.PNG);
- Android, Windows and macOS name the file or its folder so: Screenshot_20190101-120000.png,
  Screen Shot 2020-01-01 at 10.00.00.png, «Снимок экрана 2023-05-01 в 12.00.00.png»,
  Pictures/Screenshots, «Снимки экрана».

A copy keeps both (a messenger's re-encoded copy keeps neither, and is not found). The
name checked is the file's and its own folder's: the folders above say what an archive
holds, not what one photo is. No image library here: the decoder hands over what the
file's metadata holds.
"""

from __future__ import annotations

import re
from pathlib import Path

# the names systems give screenshots and their folders, in the languages a Russian user's
# phone and computer speak; a name only has to contain one
NAME = re.compile(r"screen[ _-]?shots?(?![a-z])|screen[ _-]?capture|скриншот|сним(?:ок|ки) экрана",
                  re.IGNORECASE)
# what iOS and macOS write into a screenshot's EXIF UserComment (after its 8-byte
# character code) and XMP exif:UserComment
SAID = b"Screenshot"
_XMP_COMMENT = re.compile(rb"UserComment\b[^>]*>\s*(?:<[^>]+>\s*)*Screenshot\s*<", re.DOTALL)


def said_by_metadata(user_comment: object, xmp: bytes | str | None) -> bool:
    """The EXIF UserComment (bytes: an 8-byte character code, then the text; or text)
    or the XMP packet says the screen was captured."""
    if isinstance(user_comment, bytes) and user_comment[8:].strip(b"\x00 ") == SAID:
        return True
    if isinstance(user_comment, str) and user_comment.strip("\x00 ").encode() == SAID:
        return True
    if xmp:
        data = xmp.encode("utf-8", "replace") if isinstance(xmp, str) else xmp
        return bool(_XMP_COMMENT.search(data))
    return False


def said_by_name(path: Path) -> bool:
    """The file's name, or its folder's, is a screenshot's name."""
    return any(NAME.search(part) for part in (path.stem, path.parent.name))
