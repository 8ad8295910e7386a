"""Place, sky and weather words on other people's ordinary photos that no head trained on.

    .venv/bin/python benchmarks/everyday_photos.py [--tagger efficientnet-lite2] [--full] [--fresh]

The photos: training/extract.py's EVERYDAY_TEST, free photos of Pexels and Unsplash by
many photographers (landscapes, streets, rooms, people, food), gathered from public
repositories by training/gather.py into ../gathered and judged by eye photo by photo like
the training photos (training/manifests/judged.csv: sky, snow, fog, water, light, grass,
rocks; seen.csv: palms, autumn leaves, a starry sky...). No head ever trains on them, so
this is the closest figure to issue 28's hidden personal photos that this machine can
make: the words searched as a user types them, through a real index of their folders
(build/eval-everyday-<tagger>, built by the CLI; PHOTOFINDER_MODELS picks other heads) and
the real SearchEngine, each word's truth the training's own (train_heads.attribute_targets
on the verdicts). A photo judged unsure for a word is left out of that word's ranking.
--fresh: extract.EVERYDAY_FRESH instead, people's own albums judged the same way but never
looked at while the rules and heads were tuned (build/eval-everyday-fresh-<tagger>).
Prints AP, the first relevant rank and P@10 per word with at least 5 photos, and MAP / MRR.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from evaluation import REPO, build_index, engine_for, mean, score_queries

sys.path.insert(0, str(REPO / "training"))

from extract import EVERYDAY_FRESH, EVERYDAY_TEST, GATHERED  # noqa: E402
from train_heads import JUDGED_CODES, attribute_targets, folder_of, judged_labels, seen_labels  # noqa: E402

# the judged columns' attributes, and two words the verdicts also answer: the river
# (a place of the softmax, judged as water "R") and a clear sky (the sky tag; sky "K")
CODES = {**JUDGED_CODES, "river": ("water", "R", None), "clear_sky": ("sky", "K", ("C", "N"))}
# word -> the attribute whose verdicts are its truth (judged.csv's columns through CODES;
# the others, palms or autumn leaves, through seen.csv's marks)
WORDS = {
    "облака": "clouds", "ясное небо": "clear_sky", "снег": "snow", "туман": "fog",
    "озеро": "lake", "река": "river", "пляж": "beach", "закат": "sunset", "ночь": "night",
    "трава": "grass", "камни": "rocks", "пальма": "palm_trees",
    "осенние листья": "autumn_leaves", "звёздное небо": "starry_sky",
}
MIN_RELEVANT = 5


# The same photos at the size their sources publish them (500-1080 px a side) rather than
# the 256 px the heads train at: a face there is as large as in a user's own photo, so the
# face detector (the child and woman scores) sees what it would. Gathered by
#   training/gather.py --manifest training/manifests/scenes.csv --out ../gathered-full \
#       --max-side 100000 --only everyday_jayeshsaita --only everyday_berigny \
#       --only everyday_addonayosoro --only everyday_sites --only everyday_beauwoods
GATHERED_FULL = GATHERED.parent / "gathered-full"


def engine_from_command_line(description: str):
    """everyday_engine with the everyday benchmarks' options: which tagger, which size."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--tagger", default="efficientnet-lite2")
    ap.add_argument("--full", action="store_true",
                    help="the photos at their published size (../gathered-full), not 256 px")
    ap.add_argument("--fresh", action="store_true",
                    help="extract.EVERYDAY_FRESH: albums never looked at while tuning")
    args = ap.parse_args()
    return everyday_engine(args.tagger, args.full, args.fresh)


def everyday_engine(tagger: str, full: bool = False, fresh: bool = False):
    """The real engine over the everyday test photos' index (built by the CLI; a re-run
    only checks it), or None where the photos are not gathered here (said). full: the
    photos at their published size (GATHERED_FULL), else at 256 px; fresh: the folders of
    extract.EVERYDAY_FRESH instead of EVERYDAY_TEST."""
    root = GATHERED_FULL if full else GATHERED
    wanted = EVERYDAY_FRESH if fresh else EVERYDAY_TEST
    folders = [root / folder for folder in wanted if (root / folder).is_dir()]
    if not folders:
        print(f"skipped: no everyday test photos in {root} (training/gather.py --manifest "
              f"training/manifests/scenes.csv --out {root} brings them)")
        return None
    name = "everyday" + ("-fresh" if fresh else "") + ("-full" if full else "") + f"-{tagger}"
    return engine_for(build_index(folders, name, ["--tagger", tagger]))


def judged_name(path: str) -> str:
    """An index path as judged.csv names it: gathered/<source>/everyday/<file>."""
    return "/".join(("gathered", *Path(path).parts[-3:]))


def scene_word_rows(engine) -> list[dict]:
    """score_queries' rows of WORDS with MIN_RELEVANT photos or more."""
    files = np.array([judged_name(p) for p in engine.index.paths])
    hand, seen = judged_labels(), seen_labels()
    truth = {word: attribute_targets(files, folder_of(files), {"key": key, "sources": []}, hand,
                                     codes=CODES, seen=seen)   # an unjudged photo: unknown
             for word, key in WORDS.items()}
    row_of = {p: i for i, p in enumerate(engine.index.paths)}
    queries = [{"query": word, "kind": key} for word, key in WORDS.items()]
    rows = score_queries(engine, queries, lambda q, path: truth[q["query"]][row_of[path]] == 1,
                         lambda q, path: truth[q["query"]][row_of[path]] == -1)
    return [r for r in rows if r["relevant"] >= MIN_RELEVANT]


def main() -> int:
    engine = engine_from_command_line(__doc__.splitlines()[0])
    if engine is None:  # the photos are not here: said
        return 0
    rows = scene_word_rows(engine)
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
