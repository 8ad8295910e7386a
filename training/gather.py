"""Rebuilds labelled training photos from a manifest of public git repositories.

    .venv/bin/python training/gather.py --manifest training/manifests/scenes.csv \
        --out ../gathered [--mirror /work/.mirror] [--max-side 256] [--only SOURCE ...]

A manifest is a CSV with the header `repo,commit,path,licence,source,label`: one row a
photo, `repo` as owner/name on GitHub, `path` the file inside the repository at
`commit`. Each photo is written to OUT/<source>/<label>/<name>.jpg (`a.jpg` and `a.png`
of one folder both: the later one as `a_png.jpg`), its longest side at most --max-side
pixels (the heads never see more; the folder stays small). Photos are read with git from
an existing copy of the repository when --mirror holds one (MIRROR/<owner>+<name>/repo,
bare or with a .git folder), otherwise the repository is cloned at the commit into a
temporary folder; a repository that can be neither is one line and the run goes on.
Never run by the package: photos are training data, kept outside the repository (only
their manifest is committed). Used for training/manifests/scenes.csv and children.csv
alike.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HEADER = ["repo", "commit", "path", "licence", "source", "label"]
# where the `fetch` tool (or `git clone --bare` by hand) puts repositories: ../.mirror
MIRROR = Path(__file__).resolve().parents[2] / ".mirror"


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != HEADER:
            raise SystemExit(f"{path}: the header must be {','.join(HEADER)}")
        return list(reader)


def git_dir(mirror: Path | None, repo: str) -> Path | None:
    """An existing copy of owner/name under the mirror folder, bare or not."""
    if mirror is None:
        return None
    root = mirror / repo.replace("/", "+") / "repo"
    for candidate in (root / ".git", root):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def clone(repo: str, commit: str, into: Path) -> Path | None:
    """A blob-less clone of the repository that holds the commit; None without network."""
    done = subprocess.run(["git", "clone", "--quiet", "--no-checkout", "--filter=blob:none",
                           f"https://github.com/{repo}.git", str(into)], capture_output=True)
    if done.returncode != 0:
        return None
    subprocess.run(["git", "-C", str(into), "fetch", "--quiet", "origin", commit], check=False)
    return into / ".git"


def blob(git: Path, commit: str, path: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={git}", "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout


def out_name(path: str) -> str:
    """A flat, stable file name for a path inside a repository."""
    stem = path.rsplit(".", 1)[0]
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem.replace("/", "__")) + ".jpg"


def out_names(rows: list[dict[str, str]]) -> list[str]:
    """out_name of each row, unique within its source and label folder: a later row whose
    name is taken (`a.png` beside `a.jpg`, both written as JPEG) keeps its extension in
    its name (`a_png.jpg`), and then its repository's owner (a pooled `*_blogs` folder
    holds many people's `images/snowman.jpg`), rather than overwrite a photo already
    written. The first row of a name keeps it, so names already in feature caches stay."""
    taken: set[tuple[str, str, str]] = set()
    names = []
    for row in rows:
        name = out_name(row["path"])
        folder = (row["source"], row["label"])
        if (*folder, name) in taken:
            ext = row["path"].rsplit(".", 1)[-1] if "." in row["path"] else "noext"
            name = f"{name[:-len('.jpg')]}_{out_name(ext)[:-len('.jpg')]}.jpg"
        if (*folder, name) in taken:
            owner = out_name(row["repo"].split("/")[0])[:-len(".jpg")]
            name = f"{name[:-len('.jpg')]}__{owner}.jpg"
        stem, n = name[:-len(".jpg")], 2
        while (*folder, name) in taken:   # the same owner twice: a counter
            name, n = f"{stem}_{n}.jpg", n + 1
        taken.add((*folder, name))
        names.append(name)
    return names


def save_small(data: bytes, target: Path, max_side: int) -> None:
    """The photo upright, its longest side at most max_side, as a JPEG without metadata.
    Upright first: the copy keeps no EXIF, so a phone photo stored sideways with an
    orientation tag (91 of the manifest's, 87 of them trained on, a campus's phone walk
    among them) was written sideways, and the heads trained on it so."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        img.thumbnail((max_side, max_side))
        target.parent.mkdir(parents=True, exist_ok=True)
        img.save(target, "JPEG", quality=90)


def gather(rows: list[dict[str, str]], out: Path, mirror: Path | None, max_side: int) -> int:
    """Writes every row's photo under out; returns how many were written. A repository
    neither in the mirror nor reachable, or a photo git cannot read, is said and skipped."""
    by_repo: dict[tuple[str, str], list[tuple[dict[str, str], str]]] = defaultdict(list)
    for row, name in zip(rows, out_names(rows)):
        by_repo[(row["repo"], row["commit"])].append((row, name))
    written = 0
    with tempfile.TemporaryDirectory() as tmp:
        for (repo, commit), group in sorted(by_repo.items()):
            git = git_dir(mirror, repo) or clone(repo, commit, Path(tmp) / repo.replace("/", "+"))
            if git is None:
                print(f"нет копии {repo} в {mirror} и нет сети: её {len(group)} фото пропущены",
                      file=sys.stderr)
                continue
            for row, name in group:
                target = out / row["source"] / row["label"] / name
                if target.is_file():
                    continue
                try:
                    save_small(blob(git, commit, row["path"]), target, max_side)
                except (subprocess.CalledProcessError, OSError) as exc:
                    print(f"пропущено {repo}:{row['path']}: {exc}", file=sys.stderr)
                    continue
                written += 1
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--mirror", type=Path, default=MIRROR,
                    help="folder of existing copies: <owner>+<name>/repo (default ../.mirror)")
    ap.add_argument("--max-side", type=int, default=256)
    ap.add_argument("--only", action="append", metavar="SOURCE",
                    help="only the photos of this source (repeatable); default: every source")
    args = ap.parse_args()
    rows = read_manifest(args.manifest)
    if args.only:
        rows = [row for row in rows if row["source"] in args.only]
    written = gather(rows, args.out, args.mirror, args.max_side)
    print(f"{len(rows)} photos in the manifest, {written} written under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
