"""Trains the woman score shipped in photofinder/data/gender.npz: the probability that a
face found by the face detector is a woman's, on its 128-d dlib descriptor.

    .venv/bin/python training/gather.py --manifest training/manifests/gender.csv \
        --out ../gathered --max-side 640
    .venv/bin/python training/train_gender.py [--gathered ../gathered] [--seed 0]

As the child score (train_children.py, whose face pass it shares): every photo goes
through exactly what `photofinder index` does, its largest face is the labelled one, a
logistic regression with every (source, label) group weighted equally, Platt-calibrated
on cross-validated scores. Photos: the adult faces of the gathered folders
<source>/man and <source>/woman (training/manifests/gender.csv: each repository's own
labels; TEST_ONLY sources are never trained on), and the named people of ../shared/data/faces-dev, whose gender is public
(FACES_DEV_WOMEN; the 80 unnamed strangers are left out). Prints a leave-one-source-out
figure (trained without a source, tested on it) and the highest and lowest scores of
coco-dev's faces (never trained on), to look at. Descriptors are cached in
build/features/gender-faces.npz. Needs scikit-learn; the package never imports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "training"))
DATA = REPO.parent / "shared" / "data"
CACHE = REPO / "build" / "features" / "gender-faces.npz"

from train_children import cached, group_weights, labelled_faces, probability, save_face_score  # noqa: E402

from photofinder.config import data_path  # noqa: E402
from photofinder.gender import GENDER_FORMAT  # noqa: E402

# Sources that only test, never train: UTKFace's licence is non-commercial research only,
# and the Google Images face crops of gender_gdf come with none. The shipped weights are
# made from FairFace (CC BY 4.0), Pixabay portraits (Pixabay License) and faces-dev.
TEST_ONLY = frozenset({"gender_utkface", "gender_gdf"})
# faces-dev's named people who are women (public figures); the other 35 are men
FACES_DEV_WOMEN = frozenset({"Carmen Electra", "Christine Todd Whitman", "Elsa Zylberstein",
                             "Jelena Dokic", "Sophia Loren"})


def labelled_photos(gathered: Path) -> list[tuple[Path, str, str]]:
    """(photo, source, label) of the gathered man / woman photos and faces-dev's named
    people."""
    out = [(p, p.parent.parent.name, p.parent.name)
           for p in sorted(gathered.glob("*/*/*.jpg")) if p.parent.name in ("man", "woman")]
    faces_dev = DATA / "faces-dev"
    if (faces_dev / "labels.json").is_file():
        photos = json.loads((faces_dev / "labels.json").read_text(encoding="utf-8"))["photos"]
        out += [(faces_dev / "photos" / f, "faces_dev",
                 "woman" if person in FACES_DEV_WOMEN else "man")
                for f, person in sorted(photos.items()) if person]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gathered", type=Path, default=REPO.parent / "gathered")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    ap.add_argument("--out", type=Path, default=data_path("gender.npz"))
    args = ap.parse_args()
    try:
        from sklearn.metrics import average_precision_score, roc_auc_score
    except ImportError:
        print("нужен scikit-learn: .venv/bin/pip install -e '.[train]'", file=sys.stderr)
        return 1
    from train_heads import fit_logistic

    d = cached(labelled_photos(args.gathered), CACHE)
    x, y, sources, groups = labelled_faces(d, "woman")
    p_of = probability

    trainable = ~np.isin(sources, sorted(TEST_ONLY))
    print("\nleave one source out (trained on the other shipped sources, tested on it; "
          "the test-only sources are never trained on):")
    for source in sorted(set(sources.tolist())):
        test = sources == source
        train = trainable & ~test
        if not (0 < y[test].sum() < test.sum()) or len(set(y[train].tolist())) < 2:
            continue
        w, b = fit_logistic(x[train], y[train], group_weights(groups[train]), args.c, args.seed)
        p = p_of(w, b, x[test])
        right = (p >= 0.5) == (y[test] == 1)
        print(f"  {source:26} AP {average_precision_score(y[test], p):.3f} (women), "
              f"{average_precision_score(1 - y[test], 1 - p):.3f} (men)  ROC AUC "
              f"{roc_auc_score(y[test], p):.3f}  right at 0.5: {right.mean():.2f} "
              f"({int(y[test].sum())} women, {int((1 - y[test]).sum())} men)")

    w, b = fit_logistic(x[trainable], y[trainable], group_weights(groups[trainable]),
                        args.c, args.seed)
    if len(d["coco_vectors"]):
        pc = p_of(w, b, d["coco_vectors"])
        print(f"\ncoco-dev (never trained on): {len(pc)} faces in "
              f"{len(set(d['coco_rows'].tolist()))} photos; each face's woman score:")
        per_photo: dict[int, list[float]] = defaultdict(list)
        for row, p in zip(d["coco_rows"].tolist(), pc.tolist()):
            per_photo[row].append(p)
        for row in sorted(per_photo):
            print(f"  {d['coco_files'][row]}  " + " ".join(f"{p:.2f}" for p in per_photo[row]))

    save_face_score(args.out, GENDER_FORMAT, w, b)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
