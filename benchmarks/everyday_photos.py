"""Place, sky and weather words on other people's ordinary photos that no head trained on.

    .venv/bin/python benchmarks/everyday_photos.py [--tagger efficientnet-lite2]

The photos: training/extract.py's EVERYDAY_TEST, free photos of Pexels and Unsplash by
many photographers (landscapes, streets, rooms, people, food), gathered from public
repositories by training/gather.py into ../gathered and judged by eye photo by photo like
the training photos (training/manifests/judged.csv: sky, snow, fog, water, light, grass,
rocks; seen.csv: palms, autumn leaves, a starry sky...). No head ever trains on them, so
this is the closest figure to issue 28's hidden personal photos that this machine can
make: the words searched as a user types them, through a real index (build/eval-everyday-
<tagger>, built by the CLI; PHOTOFINDER_MODELS picks other heads) and the real
SearchEngine. A photo judged unsure for a word is left out of that word's ranking. Prints
AP, the first relevant rank and P@10 per word with at least 5 photos, and MAP / MRR.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from evaluation import REPO, build_index, engine_for, mean, score_queries

sys.path.insert(0, str(REPO / "training"))

from extract import EVERYDAY_TEST, GATHERED  # noqa: E402
from train_heads import judged_labels, seen_labels  # noqa: E402

# word -> (judged.csv column, the code that makes a photo relevant) or ("seen", attribute);
# "?" in the column (or a "?" mark in seen.csv) leaves the photo out of the word's ranking
WORDS = {
    "облака": ("sky", "C"), "ясное небо": ("sky", "K"), "снег": ("snow", "S"),
    "туман": ("fog", "F"), "озеро": ("water", "L"), "река": ("water", "R"),
    "пляж": ("water", "B"), "закат": ("light", "U"), "ночь": ("light", "D"),
    "трава": ("grass", "G"), "камни": ("rocks", "X"), "пальма": ("seen", "palm_trees"),
    "осенние листья": ("seen", "autumn_leaves"), "звёздное небо": ("seen", "starry_sky"),
}
MIN_RELEVANT = 5


def photo_folder() -> Path | None:
    """build/everyday-photos/<source>/: a copy of the judged test photos, one folder the
    CLI can index (made once; None where ../gathered lacks them)."""
    out = REPO / "build" / "everyday-photos"
    found = 0
    for folder in EVERYDAY_TEST:
        source = GATHERED / folder
        if not source.is_dir():
            continue
        target = out / folder.split("/")[0]
        target.mkdir(parents=True, exist_ok=True)
        for photo in source.iterdir():
            found += 1
            if not (target / photo.name).exists():
                shutil.copyfile(photo, target / photo.name)
    return out if found else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", default="efficientnet-lite2")
    args = ap.parse_args()
    photos = photo_folder()
    if photos is None:
        print(f"skipped: no everyday test photos in {GATHERED} (training/gather.py --manifest "
              "training/manifests/scenes.csv --out ../gathered brings them)")
        return 0
    engine = engine_for(build_index(photos, f"everyday-{args.tagger}", ["--tagger", args.tagger]))
    judged, seen = judged_labels(), seen_labels()

    def verdict(word: str, path: str) -> str:
        """"P", "?" or "" for a photo of the index: build/everyday-photos/<source>/<name>."""
        source, name = Path(path).parent.name, Path(path).name
        file = f"gathered/{source}/everyday/{name}"
        column, code = WORDS[word]
        if column == "seen":
            return {"P": "P", "?": "?"}.get(seen.get(code, {}).get(file, ""), "")
        value = judged.get(file, {}).get(column, "?")   # a photo never judged: unknown
        return "P" if code in value else "?" if "?" in value else ""

    queries = [{"query": word, "kind": WORDS[word][0]} for word in WORDS]
    rows = score_queries(engine, queries, lambda q, path: verdict(q["query"], path) == "P",
                         lambda q, path: verdict(q["query"], path) == "?")
    rows = [r for r in rows if r["relevant"] >= MIN_RELEVANT]
    print(f"\nplace, sky and weather words on {len(engine.index)} everyday photos no head trained "
          f"on (judged by eye), tagger {engine.index.tagger.get('name')}")
    print("| word | relevant | AP | first relevant at | P@10 | shown (weak) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['query']} | {r['relevant']} | {r['ap']:.2f} | {r['first'] or '-'} | "
              f"{r['p10']:.1f} | {r['found']} ({r['weak']}) |")
    print(f"\nMAP over {len(rows)} words: {mean(r['ap'] for r in rows):.3f}; "
          f"MRR {mean(r['rr'] for r in rows):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
