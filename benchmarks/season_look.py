"""Winter and autumn with words, «горы зимой», «лес осенью», on photos with no date taken.

    .venv/bin/python benchmarks/season_look.py [--tagger efficientnet-lite2] [--full]

A season typed with words is the months of the EXIF date; a photo with none stays among
the weak results whatever month its file was copied in (dates.PhotoDates). Among those,
«зимой» and «осенью» also have a look (when.SEASON_LOOKS): the snow, the autumn leaves,
a concept beside the others, so «горы зимой» puts the snowy mountains first. Before round
thirty-two those photos were ordered by the other words alone (and were strong matches
where the folder had been copied in the season, weak ones otherwise): what the word
alone gives.

On the everyday photos (extract.EVERYDAY_TEST, no head trained on them, none with an
EXIF date), a photo is relevant to «X зимой» when it was judged to show X
(benchmarks/everyday_truth.json) and snow (judged.csv), to «X осенью» X and autumn leaves
(seen.csv); unsure for either: left out. Prints each pair with 5 relevant photos or more
and the AP of «X» and «X зимой» / «X осенью», through the real index and SearchEngine
(everyday_photos.py's).
"""

from __future__ import annotations

import json
import sys

import numpy as np
from evaluation import REPO, average_precision, mean
from everyday_kinds import TRUTH
from everyday_photos import CODES, engine_from_command_line, judged_name

sys.path.insert(0, str(REPO / "training"))

from train_heads import attribute_targets, folder_of, judged_labels, seen_labels  # noqa: E402

WORDS = ("горы", "лес", "человек", "дорога", "здание", "поле")
# the season word as typed, and the attribute whose verdicts are its look's truth
SEASONS = (("зимой", "snow"), ("осенью", "autumn_leaves"))
MIN_RELEVANT = 5


def main() -> int:
    engine = engine_from_command_line(__doc__.splitlines()[0])
    if engine is None:  # the photos are not here: said
        return 0
    paths = engine.index.paths
    files = np.array([judged_name(p) for p in paths])
    photos = json.loads(TRUTH.read_text(encoding="utf-8"))["photos"]
    dated = int((engine.index.taken > 0).sum())
    print(f"\n{len(paths)} everyday photos, {dated} with an EXIF date; "
          f"tagger {engine.index.tagger.get('name')}")
    print("| query | relevant (the word and the look) | AP «word» (before) | AP «word season» |")
    print("| --- | --- | --- | --- |")
    before, after = [], []
    for season, look in SEASONS:
        seen = attribute_targets(files, folder_of(files), {"key": look, "sources": []},
                                 judged_labels(), codes=CODES, seen=seen_labels())
        for word in WORDS:
            shows = np.array([word in photos[f]["yes"] for f in files])
            unsure = np.array([word in photos[f]["unsure"] for f in files]) | (seen == -1)
            relevant = shows & (seen == 1)
            n = int(relevant[~unsure].sum())
            if n < MIN_RELEVANT:
                continue
            ap = []
            for query in (word, f"{word} {season}"):
                hits = engine.search(query, top=len(paths)).hits
                ap.append(average_precision([bool(relevant[h.row]) for h in hits
                                             if not unsure[h.row]], n))
            before.append(ap[0])
            after.append(ap[1])
            print(f"| {word} {season} | {n} | {ap[0]:.3f} | {ap[1]:.3f} |")
    print(f"\nMAP over {len(before)} queries: {mean(before):.3f} -> {mean(after):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
