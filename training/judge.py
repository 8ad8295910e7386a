"""Judging photos by eye for the attribute heads: contact sheets, then one CSV of verdicts.

    .venv/bin/python training/judge.py sheets --folder miniplaces/coast --folder 15scene/mountain \
        --per-folder 24 --out build/judge          # sheet_000.png... + tiles.csv
    .venv/bin/python training/judge.py merge --tiles build/judge/tiles.csv sky.csv water.csv

A folder's label says what a photo was collected for (a coast), not what else it shows
(clouds over it, snow on the hills, a lake): such photos were the attribute heads'
negatives. Judging a sample of every outdoor folder by eye fixes that
(train_heads.JUDGED_CODES says how each verdict counts). Sheets show 30 numbered tiles
(6 x 5) of photos not judged yet, read from the feature caches' file lists; the verdict
files have the columns `sheet,tile` and any of `sky,snow,fog,light,grass,rocks` (one code
each) or `codes` (the water letters, e.g. "LB"). `merge` adds them to training/manifests/judged.csv, a
later verdict on a photo replacing an earlier one. Codes: train_heads.JUDGED.

A verdict file may also have the column `also`: the other attributes a photo shows, by key
("palm_trees rain"; "?monument" when unsure). An everyday photo of a street in the rain or
a beach with palms was otherwise a negative of those heads. `merge` writes these to
training/manifests/seen.csv as P and ? rows. For an everyday folder (extract.EVERYDAY),
whose photos are judged one by one, a photo without such a row is a negative of them.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))

from train_heads import CACHE, JUDGED, JUDGED_COLUMNS, SEEN, judged_labels, scene_labels  # noqa: E402

from photofinder.index import atomic_write  # noqa: E402

ROOTS = {"scenes-train": REPO.parent / "shared" / "data", "people-train": REPO.parent / "shared" / "data",
         "gathered": REPO.parent}
TILE, COLUMNS, ROWS = 200, 6, 5
CODES = {"sky": set("CKN?"), "snow": {"", "S", "?"}, "fog": {"", "F", "?"}, "water": set("LRB?"),
         "light": set("UD?"), "grass": set("G?"), "rocks": set("X?")}


def cached_files(tagger: str) -> list[str]:
    files: list[str] = []
    for name in ("scenes", "gathered", "everyday", "people"):
        path = CACHE / f"{tagger}-{name}.npz"
        if path.is_file():
            with np.load(path, allow_pickle=False) as npz:
                files += npz["files"].astype(str).tolist()
    return files


def make_sheets(args: argparse.Namespace) -> int:
    from PIL import Image, ImageDraw, ImageFont

    judged = judged_labels()
    rng = random.Random(args.seed)
    by_folder: dict[str, list[str]] = {}
    for f in cached_files(args.tagger):
        by_folder.setdefault("/".join(f.split("/")[1:3]), []).append(f)
    chosen = []
    for folder in args.folder:
        # judged already or not: a column added later (`also`) is judged on the judged ones
        todo = sorted(f for f in by_folder.get(folder, []) if (f in judged) == args.judged_only)
        if not todo:
            print(f"{folder}: no photo left to judge (or not in the feature caches)", file=sys.stderr)
        chosen += rng.sample(todo, min(args.per_folder, len(todo)))
    rng.shuffle(chosen)  # folders mixed: the verdict should not follow the folder
    args.out.mkdir(parents=True, exist_ok=True)
    font = ImageFont.load_default(size=22)
    per_sheet = COLUMNS * ROWS
    with (args.out / "tiles.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["sheet", "tile", "file"])
        for start in range(0, len(chosen), per_sheet):
            name = f"sheet_{start // per_sheet:03d}"
            sheet = Image.new("RGB", (COLUMNS * TILE, ROWS * TILE), (128, 128, 128))
            draw = ImageDraw.Draw(sheet)
            for i, f in enumerate(chosen[start:start + per_sheet]):
                with Image.open(ROOTS[f.split("/")[0]] / f) as photo:
                    tile = photo.convert("RGB")
                tile.thumbnail((TILE - 4, TILE - 4))
                x, y = (i % COLUMNS) * TILE, (i // COLUMNS) * TILE
                sheet.paste(tile, (x + (TILE - tile.width) // 2, y + (TILE - tile.height) // 2))
                draw.rectangle([x, y, x + 34, y + 26], fill=(0, 0, 0))
                draw.text((x + 3, y + 1), str(i + 1), fill=(255, 255, 0), font=font)
                writer.writerow([name, i + 1, f])
            sheet.save(args.out / f"{name}.png")
    print(f"{len(chosen)} photos on {-(-len(chosen) // per_sheet)} sheets in {args.out}")
    return 0


def read_seen(path: Path) -> dict[tuple[str, str], str]:
    """(file, attribute) -> code of seen.csv, in its order."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["file"], r["attribute"]): r["code"] for r in csv.DictReader(fh)}


def also_marks(text: str, attributes: set[str]) -> dict[str, str] | str:
    """"palm_trees ?rain" -> {"palm_trees": "P", "rain": "?"}, or the unknown key."""
    marks = {}
    for word in text.replace(",", " ").split():
        key, code = (word[1:], "?") if word.startswith("?") else (word, "P")
        if key not in attributes:
            return key
        marks[key] = code
    return marks


def write_atomically(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """The CSV through the index's own atomic write (a temp file, fsync, rename)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write(path, lambda fh: fh.write(text.getvalue().encode("utf-8")))


def merge(args: argparse.Namespace) -> int:
    with args.tiles.open(encoding="utf-8", newline="") as fh:
        tiles = {(r["sheet"], int(r["tile"])): r["file"] for r in csv.DictReader(fh)}
    judged = judged_labels(args.judged)
    seen = read_seen(args.seen)
    attributes = {row["key"] for row in scene_labels() if row.get("attribute")}
    marked = False   # seen.csv is rewritten only when a verdict file has the `also` column
    for path in args.verdicts:
        with path.open(encoding="utf-8", newline="") as fh:
            for n, r in enumerate(csv.DictReader(fh), 2):
                tile = (r.get("tile") or "").strip()
                file = tiles.get(((r.get("sheet") or "").strip(), int(tile) if tile.isdigit() else -1))
                if file is None:
                    print(f"{path}:{n}: no such tile {r['sheet']} {r['tile']}", file=sys.stderr)
                    return 1
                verdict = judged.setdefault(file, dict.fromkeys(JUDGED_COLUMNS, ""))
                if "codes" in r:
                    r = {**r, "water": "".join(sorted(set((r["codes"] or "").strip().upper())))}
                for column in JUDGED_COLUMNS:
                    if column in r:
                        code = (r[column] or "").strip().upper()
                        if not set(code) <= CODES[column] or (column != "water" and len(code) > 1):
                            print(f"{path}:{n}: bad {column} code {code!r}", file=sys.stderr)
                            return 1
                        verdict[column] = code
                if "also" in r:
                    marked = True
                    marks = also_marks(r["also"] or "", attributes)
                    if isinstance(marks, str):
                        print(f"{path}:{n}: no attribute {marks!r}", file=sys.stderr)
                        return 1
                    # a later look replaces the photo's earlier marks; an N (a score-ranked
                    # negative looked at, train_heads.SEEN_BY_SCORE) stays unless re-marked
                    seen = {k: v for k, v in seen.items() if k[0] != file or v == "N"}
                    seen.update({(file, key): code for key, code in marks.items()})
    # judged.csv first: a seen row must name a judged photo (tests/test_training.py)
    write_atomically(args.judged, ["file", *JUDGED_COLUMNS],
                     [[file, *(judged[file][c] for c in JUDGED_COLUMNS)] for file in sorted(judged)])
    if marked:
        write_atomically(args.seen, ["file", "attribute", "code"],
                         [[file, key, code] for (file, key), code in seen.items()])
    print(f"{len(judged)} photos judged in {args.judged}"
          + (f"; {len(seen)} rows in {args.seen}" if marked else ""))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sheets = sub.add_parser("sheets", help="contact sheets of photos not judged yet")
    sheets.add_argument("--folder", action="append", required=True, help="<source>/<label>")
    sheets.add_argument("--per-folder", type=int, default=24)
    sheets.add_argument("--judged-only", action="store_true",
                        help="only photos judged already (to judge a column they were not judged for)")
    sheets.add_argument("--seed", type=int, default=7)
    sheets.add_argument("--tagger", default="efficientnet-lite2", help="whose feature caches list the photos")
    sheets.add_argument("--out", type=Path, default=REPO / "build" / "judge")
    merged = sub.add_parser("merge", help="add verdicts on the sheets' tiles to judged.csv")
    merged.add_argument("--tiles", type=Path, required=True)
    merged.add_argument("--judged", type=Path, default=JUDGED)
    merged.add_argument("--seen", type=Path, default=SEEN, help="where the `also` column's marks go")
    merged.add_argument("verdicts", type=Path, nargs="+")
    args = ap.parse_args()
    return make_sheets(args) if args.command == "sheets" else merge(args)


if __name__ == "__main__":
    raise SystemExit(main())
