"""Writes training/manifests/children.csv: face photos labelled child / adult, from
public repositories brought onto this machine with git (see training/gather.py).

    python training/children_manifest.py [--mirror /work/.mirror]

Sources (each labelled by its own authors, not by us):
- fairface: thlaiquid-ai/demographic-test-images, 540 FairFace photos (CC BY 4.0),
  30 per age group and gender. Child: age groups 0-2 and 3-9; adult: 20 and over.
  The 10-19 group mixes children and adults and is left out.
- child_identification: MohammedFaisal112/Child_Identification, its test photos
  (`child_N`, `adult_N`; licence unstated): whole photos, not face crops.
- lag_audited: the Large Age-Gap database (Bianco 2017) in loiswjj/Face_Recognition
  (academic, non-commercial; not redistributed: only this list is). Its "young" photos
  mix children and teenagers, so every 16th of them was looked at by eye and only the
  clear children (under about 12) kept (LAG_CHILDREN); adults: every 16th photo of
  its adult folders, as its authors labelled them.
A child is someone a user would call «ребёнок»: under about 12.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))
from gather import HEADER, MIRROR, git_dir  # noqa: E402

MANIFEST = REPO / "training" / "manifests" / "children.csv"
FAIRFACE = "thlaiquid-ai/demographic-test-images"
CHILD_ID = "MohammedFaisal112/Child_Identification"
LAG = "loiswjj/Face_Recognition"
LAG_DIR = "FaceDetection/FaceDetection/data/Pic/"
# positions, among every 16th young photo (from the 5th, in `git ls-tree` order), of
# those that show a clear child, by eye; the others were teenagers or adults
LAG_CHILDREN = {0, 1, 4, 6, 9, 11, 12, 14, 18, 20, 21, 22, 23, 24, 25, 29, 30, 34, 35, 36,
                37, 39, 44, 45, 48, 49, 52, 54, 55, 58, 59, 63, 64, 65, 71, 74, 75, 76, 77,
                79, 81, 82, 85, 91, 94, 95, 96, 97, 98, 100, 101, 102, 104, 110, 113, 114,
                116, 118}
CHILD_AGES = {"0-2", "3-9"}
LEFT_OUT_AGES = {"10-19"}


def git(mirror: Path, repo: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir(mirror, repo)), *args], check=True,
                          capture_output=True, text=True).stdout


def fairface_rows(mirror: Path) -> list[list[str]]:
    commit = git(mirror, FAIRFACE, "rev-parse", "HEAD").strip()
    truth = json.loads(git(mirror, FAIRFACE, "show", f"{commit}:fairface/ground_truth.json"))
    rows = []
    for item in sorted(truth, key=lambda t: t["filename"]):
        if item["age"] in LEFT_OUT_AGES:
            continue
        label = "child" if item["age"] in CHILD_AGES else "adult"
        rows.append([FAIRFACE, commit, f"fairface/{item['filename']}", "CC BY 4.0", "fairface", label])
    return rows


def child_identification_rows(mirror: Path) -> list[list[str]]:
    commit = git(mirror, CHILD_ID, "rev-parse", "HEAD").strip()
    rows = []
    for path in sorted(git(mirror, CHILD_ID, "ls-tree", "-r", "--name-only", commit,
                           "Test_Images").split()):
        name = Path(path).stem
        if name.startswith(("child_", "adult_")) and path.endswith((".jpg", ".webp")):
            rows.append([CHILD_ID, commit, path, "unstated", "child_identification",
                         name.split("_")[0]])
    return rows


def lag_rows(mirror: Path) -> list[list[str]]:
    commit = git(mirror, LAG, "rev-parse", "HEAD").strip()
    photos = [p for p in git(mirror, LAG, "ls-tree", "-r", "--name-only", commit).splitlines()
              if p.startswith(LAG_DIR) and p.lower().endswith((".jpg", ".jpeg", ".png"))]
    young = [p for p in photos if "/y/" in p][4::16]
    adults = [p for p in photos if "/y/" not in p][4::16]
    licence = "academic non-commercial (LAG)"
    return ([[LAG, commit, p, licence, "lag_audited", "child"]
             for i, p in enumerate(young) if i in LAG_CHILDREN]
            + [[LAG, commit, p, licence, "lag_audited", "adult"] for p in adults])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, default=MIRROR)
    args = ap.parse_args()
    rows = (fairface_rows(args.mirror) + child_identification_rows(args.mirror)
            + lag_rows(args.mirror))
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with MANIFEST.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {MANIFEST}: {len(rows)} photos")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
