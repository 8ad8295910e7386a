"""Other inputs and shapes for the scene head, on the same held-out photos.

    .venv/bin/python training/compare_heads.py [--tagger efficientnet-lite2] [--seed 0]

The shipped scene head is a softmax logistic regression on the 256-dim PCA of the
whole photo's pooled features (training/train_heads.py). This tries, on the cached
features (build/features/, made by training/extract.py) and the same fifth of every
label held out: the full 1280 pooled dimensions, the 2x2 regions' pooled features
beside the whole photo's, the ImageNet probabilities beside the PCA, a one-layer MLP,
and where their caches exist (`extract.py --set scenes --blocks`, `--flip`) the pooled
outputs of intermediate blocks beside the PCA and mirrored copies of the training
photos. It prints the held-out macro AP over the scene labels of each (the figure
train_heads.py prints as "macro"; no temperature, which does not change a label's
ranking much), and for the block features also train_heads.py's leave-one-source-out
figure, shipped input against blocks added: a gain within the sources that does not
carry over to another camera is no gain for a user's photos. Needs scikit-learn.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_heads import (  # noqa: E402
    CACHE,
    features,
    holdout_mask,
    labels_shared_with_others,
    scene_labels,
    scene_targets,
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.neural_network import MLPClassifier

    cache = features(args.tagger, "scenes")
    labels = scene_labels()
    folders = np.array(["/".join(f.split("/")[1:3]) for f in cache["files"]])
    held = holdout_mask(folders, args.seed)
    train = ~held
    y, _ = scene_targets(folders, labels)
    present = np.unique(y[train])
    target = np.searchsorted(present, y[train])
    whole = cache["features"].astype(np.float32)
    regions = cache["region_features"].astype(np.float32)
    imagenet = cache["whole"].astype(np.float32)

    def macro_ap(p: np.ndarray) -> float:
        aps = []
        for j, row in enumerate(labels):
            truth = np.isin(folders[held], row["sources"]).astype(int)
            if truth.any():
                aps.append(average_precision_score(truth, p[:, np.searchsorted(present, j)]))
        return float(np.mean(aps))

    def standardized(x: np.ndarray) -> np.ndarray:
        return (x - x[train].mean(0)) / (x[train].std(0) + 1e-6)

    pca = PCA(256, random_state=args.seed).fit(whole[train])
    z = pca.transform(whole)
    variants = [
        ("PCA 256 (shipped)", z, 0.03),
        ("whole pooled, 1280 dims", standardized(whole), 0.003),
        ("whole + regions' mean and max, 3840 dims",
         standardized(np.concatenate([whole, regions.mean(1), regions.max(1)], 1)), 0.003),
        ("PCA 256 + regions' PCA max", np.concatenate(
            [z, pca.transform(regions.reshape(-1, whole.shape[1])).reshape(len(z), -1, 256).max(1)], 1), 0.03),
        ("PCA 256 + log ImageNet probabilities", np.concatenate([z, np.log(imagenet + 1e-4)], 1), 0.01),
    ]
    print(f"{args.tagger}: {int(train.sum())} training photos, {int(held.sum())} held out, "
          f"{len(labels)} scene labels")
    for name, x, c in variants:
        started = time.perf_counter()
        model = LogisticRegression(C=c, max_iter=3000).fit(x[train], target)
        print(f"  {name:44} C={c:<6} macro AP {macro_ap(model.predict_proba(x[held])):.3f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    started = time.perf_counter()
    scaled = z / z[train].std()
    mlp = MLPClassifier((512,), alpha=0.01, max_iter=300, early_stopping=True,
                        random_state=args.seed).fit(scaled[train], target)
    print(f"  {'PCA 256 -> MLP 512 -> softmax':44} {'':8} macro AP {macro_ap(mlp.predict_proba(scaled[held])):.3f} "
          f"({time.perf_counter() - started:.0f} s)")

    flipped = CACHE / f"{args.tagger}-scenes-flip.npz"
    if flipped.is_file():
        with np.load(flipped, allow_pickle=False) as npz:
            assert (npz["files"] == cache["files"]).all()
            zf = pca.transform(npz["features"].astype(np.float32))
        model = LogisticRegression(C=0.03, max_iter=3000).fit(
            np.concatenate([z[train], zf[train]]), np.concatenate([target, target]))
        print(f"  {'PCA 256, mirrored copies trained on too':44} C=0.03   macro AP "
              f"{macro_ap(model.predict_proba(z[held])):.3f}")
    else:
        print(f"  (no {flipped.name}: `training/extract.py --set scenes --flip` makes it)")
    blocks = CACHE / f"{args.tagger}-scenes-blocks.npz"
    if not blocks.is_file():
        print(f"  (no {blocks.name}: `training/extract.py --set scenes --blocks` makes it)")
        return 0
    with np.load(blocks, allow_pickle=False) as npz:
        assert (npz["files"] == cache["files"]).all()
        block = npz["block_features"].astype(np.float32)
    edges = np.cumsum([0, 48, 88, 120, 208, 352]) if block.shape[1] == 816 else None
    parts = [("all five blocks (48-352 channels)", slice(None))]
    if edges is not None:  # Lite2's blocks, see extract.BLOCKS
        parts += [("the 48, 88, 120-channel blocks", slice(0, edges[3])),
                  ("the 208, 352-channel blocks", slice(edges[3], None))]

    def with_blocks(rows: np.ndarray, cols: slice) -> np.ndarray:
        """The PCA beside a 128-dim PCA of the standardized block means, scaled alike."""
        part = block[:, cols]
        part = (part - part[rows].mean(0)) / (part[rows].std(0) + 1e-6)
        reduced = PCA(128, random_state=args.seed).fit(part[rows]).transform(part)
        base = PCA(256, random_state=args.seed).fit(whole[rows]).transform(whole)
        return np.concatenate([base, reduced * base[rows].std() / reduced[rows].std()], 1)

    for name, cols in parts:
        x = with_blocks(train, cols)
        model = LogisticRegression(C=0.03, max_iter=3000).fit(x[train], target)
        print(f"  {'PCA 256 + ' + name:44} C=0.03   macro AP {macro_ap(model.predict_proba(x[held])):.3f}",
              flush=True)

    print("leave one source out (train_heads.py's figure), shipped input vs + the early blocks:")
    sources = np.array([f.split("/")[0] for f in folders])
    y_all, _ = scene_targets(folders, labels)
    for source in sorted(set(sources.tolist())):
        test = sources == source
        shared = labels_shared_with_others(source, labels)
        if not shared:
            continue
        figures = []
        for x in (PCA(256, random_state=args.seed).fit(whole[~test]).transform(whole),
                  with_blocks(~test, parts[1][1] if len(parts) > 1 else parts[0][1])):
            seen = np.unique(y_all[~test])
            model = LogisticRegression(C=0.03, max_iter=3000).fit(x[~test], np.searchsorted(seen, y_all[~test]))
            p = model.predict_proba(x[test])
            figures.append(np.mean([average_precision_score(
                np.isin(folders[test], labels[j]["sources"]).astype(int), p[:, np.searchsorted(seen, j)])
                for j in shared if j in seen]))
        print(f"  {source:16} {figures[0]:.3f} -> {figures[1]:.3f} over {len(shared)} labels", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
