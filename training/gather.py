"""Rebuilds labelled photo folders from a manifest of public git repositories.

    python training/gather.py --manifest training/manifests/children.csv --out DIR [--mirror DIR]

A manifest is a CSV with the header `repo,commit,path,licence,source,label`: every row
one photo, read from the repository's git objects at that commit (the `fetch` tool, or
`git clone --bare`, puts each repository at <mirror>/<owner>+<name>/repo). The photo is
written to <out>/<source>/<label>/<file name>, its longer side at most 256 px (enough
for the tagger's heads and the face detector, and no full-size copy kept). Nothing is
downloaded; a repository missing from the mirror is one line and the run goes on.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

from PIL import Image

LONGEST_SIDE = 256
# where the `fetch` tool (or `git clone --bare` by hand) puts repositories: ../.mirror
MIRROR = Path(__file__).resolve().parents[2] / ".mirror"
HEADER = ["repo", "commit", "path", "licence", "source", "label"]


def git_dir(mirror: Path, repo: str) -> Path:
    return mirror / repo.replace("/", "+") / "repo"


def read_blob(mirror: Path, repo: str, commit: str, path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(git_dir(mirror, repo)), "show",
                           f"{commit}:{path}"], check=True, capture_output=True).stdout


def small_jpeg(raw: bytes) -> bytes:
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def gather(manifest: Path, out: Path, mirror: Path) -> tuple[int, int]:
    """(photos written or already there, rows that could not be read)."""
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    done = failed = 0
    missing: set[str] = set()
    for row in rows:
        target = out / row["source"] / row["label"] / (Path(row["path"]).stem + ".jpg")
        if target.is_file():
            done += 1
            continue
        if not git_dir(mirror, row["repo"]).is_dir():
            if row["repo"] not in missing:
                print(f"нет копии {row['repo']} в {mirror}: её фото пропущены", file=sys.stderr)
            missing.add(row["repo"])
            failed += 1
            continue
        try:
            data = small_jpeg(read_blob(mirror, row["repo"], row["commit"], row["path"]))
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"пропущено {row['repo']}:{row['path']}: {exc}", file=sys.stderr)
            failed += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        done += 1
    return done, failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--mirror", type=Path, default=MIRROR)
    args = ap.parse_args()
    done, failed = gather(args.manifest, args.out, args.mirror)
    print(f"{done} photos in {args.out}" + (f", {failed} not read" if failed else ""))
    return 0 if done else 1


if __name__ == "__main__":
    raise SystemExit(main())
