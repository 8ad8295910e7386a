"""Trains the child score shipped in photofinder/data/children.npz: the probability that
a face found by the face detector is a child's, on its 128-d dlib descriptor.

    .venv/bin/python training/gather.py --manifest training/manifests/children.csv --out ../gathered
    .venv/bin/python training/train_children.py [--gathered ../gathered] [--seed 0]

Faces, not whole photos: the labelled photos gathered so far are face photos, and a
descriptor of an aligned face carries age across cameras and sizes far better than the
tagger's whole-photo features do (a child is usually a small part of the frame).
Every photo goes through exactly what `photofinder index` does (photos.open_photo at
face_pass.DECODE_SIDE, faces.DlibFaceFinder); its largest face is the labelled one.
Adults also come from ../shared/data/faces-dev (LFW: adults only). Descriptors are
cached in build/features/children-faces.npz.

A logistic regression, every (source, label) group weighted equally, Platt-calibrated
on cross-validated scores (train_heads.fit_logistic). Prints the cross-validated AP
on each source and a leave-one-source-out figure: trained without a source, tested on
it; and the child probabilities of the faces of coco-dev (never trained on).
Needs scikit-learn; the package itself never imports it.
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
CACHE = REPO / "build" / "features" / "children-faces.npz"

from photofinder.children import CHILDREN_FORMAT  # noqa: E402
from photofinder.config import data_path  # noqa: E402


def labelled_photos(gathered: Path) -> list[tuple[Path, str, str]]:
    """(photo, source, label) of the gathered child / adult photos and faces-dev."""
    out = [(p, p.parent.parent.name, p.parent.name)
           for p in sorted(gathered.glob("*/*/*.jpg")) if p.parent.name in ("child", "adult")]
    faces_dev = DATA / "faces-dev"
    if (faces_dev / "labels.json").is_file():
        photos = json.loads((faces_dev / "labels.json").read_text(encoding="utf-8"))["photos"]
        out += [(faces_dev / "photos" / f, "faces_dev", "adult") for f in sorted(photos)]
    return out


def descriptors(photos: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """The largest face's descriptor of each photo [N, 128] and whether one was found."""
    from photofinder.face_pass import DECODE_SIDE
    from photofinder.faces import DlibFaceFinder
    from photofinder.photos import open_photo

    finder = DlibFaceFinder()
    vectors = np.zeros((len(photos), 128), np.float32)
    found = np.zeros(len(photos), bool)
    for i, path in enumerate(photos):
        faces = finder.find(open_photo(path, min_side=DECODE_SIDE))
        if faces:
            vectors[i] = max(faces, key=lambda f: f.area).embedding
            found[i] = True
    return vectors, found


def all_faces(photos: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """Every face of every photo: (descriptors [F, 128], photo row of each face [F])."""
    from photofinder.face_pass import DECODE_SIDE
    from photofinder.faces import DlibFaceFinder
    from photofinder.photos import open_photo

    finder = DlibFaceFinder()
    vectors, rows = [], []
    for i, path in enumerate(photos):
        for face in finder.find(open_photo(path, min_side=DECODE_SIDE)):
            vectors.append(face.embedding)
            rows.append(i)
    return np.array(vectors, np.float32).reshape(-1, 128), np.array(rows, np.int64)


def cached(photos: list[tuple[Path, str, str]], cache: Path = CACHE) -> dict[str, np.ndarray]:
    """Each labelled photo's largest face descriptor, and every coco-dev face's, cached in
    `cache` until the list of photos changes (the woman score's script shares it)."""
    names = np.array([str(p) for p, _, _ in photos])
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as npz:
            if np.array_equal(npz["files"], names):
                return {k: npz[k] for k in npz.files}
    vectors, found = descriptors([p for p, _, _ in photos])
    coco_root = DATA / "coco-dev"
    coco = sorted(json.loads((coco_root / "labels.json").read_text(encoding="utf-8"))) \
        if (coco_root / "labels.json").is_file() else []
    coco_vectors, coco_rows = all_faces([coco_root / f for f in coco])
    out = {"files": names, "sources": np.array([s for _, s, _ in photos]),
           "labels": np.array([lab for _, _, lab in photos]), "vectors": vectors,
           "found": found, "coco_files": np.array(coco, dtype=str),
           "coco_vectors": coco_vectors, "coco_rows": coco_rows}
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **out)
    return out


def labelled_faces(d: dict[str, np.ndarray], positive: str
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(descriptors, 1 for the `positive` label, sources, "source/label" groups) of the
    photos whose face was found; prints how many each group kept."""
    keep = d["found"]
    x, sources, labels = d["vectors"][keep], d["sources"][keep], d["labels"][keep]
    groups = np.array([f"{s}/{lab}" for s, lab in zip(sources, labels)])
    print(f"faces found in {int(keep.sum())} of {len(keep)} labelled photos:")
    for g in sorted(set(groups.tolist())):
        total = int(sum(1 for s, lab in zip(d["sources"], d["labels"]) if f"{s}/{lab}" == g))
        print(f"  {g:30} {int((groups == g).sum()):4} of {total}")
    return x, (labels == positive).astype(int), sources, groups


def probability(w: np.ndarray, b: float, v: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(v @ w + b)))


def save_face_score(out: Path, version: int, w: np.ndarray, b: float) -> None:
    """The .npz face_scores.load_face_score reads: format, weight [128], bias."""
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, format=np.array(version), weight=w.astype(np.float32),
             bias=np.array(b, np.float32))
    print(f"\nwrote {out} ({out.stat().st_size} bytes)")


def group_weights(groups: np.ndarray) -> np.ndarray:
    counts: dict[str, int] = defaultdict(int)
    for g in groups:
        counts[g] += 1
    w = np.array([1.0 / counts[g] for g in groups])
    return w * len(w) / w.sum()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gathered", type=Path, default=REPO.parent / "gathered")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation")
    ap.add_argument("--out", type=Path, default=data_path("children.npz"))
    args = ap.parse_args()
    try:
        from sklearn.metrics import average_precision_score, roc_auc_score
        from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: F401
    except ImportError:
        print("нужен scikit-learn: .venv/bin/pip install -e '.[train]'", file=sys.stderr)
        return 1
    from train_heads import fit_logistic

    d = cached(labelled_photos(args.gathered))
    x, y, sources, groups = labelled_faces(d, "child")
    p_of = probability

    print("\nleave one source out (trained without it, tested on it):")
    for source in sorted(set(sources.tolist())):
        test = sources == source
        if not (0 < y[test].sum() < test.sum()) or len(set(y[~test].tolist())) < 2:
            continue
        w, b = fit_logistic(x[~test], y[~test], group_weights(groups[~test]), args.c, args.seed)
        p = p_of(w, b, x[test])
        pred = p >= 0.5
        print(f"  {source:22} AP {average_precision_score(y[test], p):.3f}  ROC AUC "
              f"{roc_auc_score(y[test], p):.3f}  precision {y[test][pred].mean() if pred.any() else 0:.2f}"
              f" recall {pred[y[test] == 1].mean():.2f} at 0.5 ({int(y[test].sum())} children, "
              f"{int((1 - y[test]).sum())} adults)")

    from sklearn.linear_model import LogisticRegression

    folds = StratifiedKFold(5, shuffle=True, random_state=args.seed)
    cv = cross_val_predict(LogisticRegression(C=args.c, max_iter=5000), x, y, cv=folds,
                           method="decision_function",
                           params={"sample_weight": group_weights(groups)})
    print(f"\n5-fold cross-validated, all sources: AP {average_precision_score(y, cv):.3f}")
    w, b = fit_logistic(x, y, group_weights(groups), args.c, args.seed)
    adults = p_of(w, b, x[(y == 0) & (sources == "faces_dev")])
    print(f"faces-dev adults (trained on): {int((adults >= 0.5).sum())} of {len(adults)} at >= 0.5")

    if len(d["coco_vectors"]):
        pc = p_of(w, b, d["coco_vectors"])
        best: dict[int, float] = defaultdict(float)
        for row, p in zip(d["coco_rows"].tolist(), pc.tolist()):
            best[row] = max(best[row], p)
        ranked = sorted(best.items(), key=lambda t: -t[1])
        print(f"\ncoco-dev (never trained on): {len(pc)} faces in {len(best)} photos; "
              "highest child scores:")
        for row, p in ranked[:12]:
            print(f"  {d['coco_files'][row]}  {p:.2f}")

    save_face_score(args.out, CHILDREN_FORMAT, w, b)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
