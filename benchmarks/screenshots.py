"""Screenshots found, and photos taken for one: the «скриншот» tag on real files.

    .venv/bin/python benchmarks/screenshots.py

Real screenshots: benchmarks/screenshots_manifest.csv lists iPhone and iPad screenshots
that app developers committed to public repositories as they came off the device
(IMG_0001.PNG…), read with git from the copies the `fetch` tool or `git clone --bare`
put in ../.mirror (training/gather.py's layout); a repository that is not there is
skipped, said. Photos that are no screenshot: every photo of ../shared/data (coco-dev,
imagenet-samples, scenes-train, people-train, faces-dev) and the everyday test photos
of ../gathered-full, where present. Each file goes through the real decoder
(photofinder.decoders) and name rule, as `photofinder index` does. Prints, per source,
how many files were tagged, what the file said (EXIF, XMP, the name), and the time the
check adds per photo.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from evaluation import REPO, SHARED

sys.path.insert(0, str(REPO / "training"))

from gather import MIRROR, git_dir  # noqa: E402
from PIL import Image  # noqa: E402

from photofinder.decoders.pillow import decode_image, is_screenshot  # noqa: E402
from photofinder.photos import find_photos  # noqa: E402
from photofinder.screenshots import said_by_name  # noqa: E402

MANIFEST = REPO / "benchmarks" / "screenshots_manifest.csv"
NOT_SCREENSHOTS = [SHARED / name for name in
                   ("coco-dev", "imagenet-samples", "scenes-train", "people-train", "faces-dev")]
EVERYDAY = REPO.parent / "gathered-full"


def what_it_says(data: bytes) -> str:
    """Which of the two places holds «Screenshot»: EXIF, XMP, both."""
    with Image.open(io.BytesIO(data)) as img:
        xmp = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp") or b""
        xmp = xmp.encode() if isinstance(xmp, str) else xmp
        comment = img.getexif().get_ifd(0x8769).get(0x9286)
        parts = (["EXIF"] if isinstance(comment, bytes) and b"Screenshot" in comment else []) \
            + (["XMP"] if b"Screenshot" in xmp else [])
        return " and ".join(parts) or "nothing"


def real_screenshots() -> None:
    rows = list(csv.DictReader(MANIFEST.open(encoding="utf-8")))
    print(f"\nreal screenshots ({MANIFEST.name}: {len(rows)} files of "
          f"{len({r['repo'] for r in rows})} repositories)")
    print("| repository | files read | tagged | what the file says | size |")
    print("| --- | --- | --- | --- | --- |")
    for repo in dict.fromkeys(r["repo"] for r in rows):
        git = git_dir(MIRROR, repo)
        if git is None:
            print(f"| {repo} | skipped: not in {MIRROR} | | | |")
            continue
        read = tagged = 0
        said: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        for r in (r for r in rows if r["repo"] == repo):
            blob = subprocess.run(["git", "--git-dir", str(git), "show", f"{r['commit']}:{r['path']}"],
                                  capture_output=True)
            if blob.returncode != 0 or not blob.stdout:
                continue   # a file the copy lacks (a blob left out of the snapshot)
            read += 1
            photo = decode_image(io.BytesIO(blob.stdout), None)
            tagged += photo.screenshot or said_by_name(Path(r["path"]))
            said[what_it_says(blob.stdout)] += 1
            sizes["×".join(map(str, photo.image.size))] += 1
        print(f"| {repo} | {read} | {tagged} | "
              f"{', '.join(f'{k} {v}' for k, v in said.items())} | {', '.join(sizes)} |")


def photos_that_are_not() -> None:
    print("\nphotos that are no screenshot")
    print("| set | photos | tagged | the check per photo |")
    print("| --- | --- | --- | --- |")
    for folder in [*NOT_SCREENSHOTS, EVERYDAY]:
        if not folder.is_dir():
            print(f"| {folder.name} | skipped: not here | | |")
            continue
        paths = list(find_photos([folder], videos=False))
        tagged, spent = [], 0.0
        for path in paths:
            with Image.open(path) as img:
                started = time.perf_counter()
                if is_screenshot(img) or said_by_name(path):
                    tagged.append(path.name)
                spent += time.perf_counter() - started
        print(f"| {folder.name} | {len(paths)} | {len(tagged)}{': ' + ', '.join(tagged[:3]) if tagged else ''} "
              f"| {1000 * spent / max(1, len(paths)):.3f} ms |")


def main() -> int:
    real_screenshots()
    photos_that_are_not()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
