"""Places read on the regions too: the rules tried in round forty (tagging.REGION_PLACES).

    .venv/bin/python benchmarks/region_places.py [--held-out]

The scene heads read the whole photo. In people's own albums the people, a town or a
beach in front take that reading, and the hills behind them are lost: «горы» found the
8 mountain photos of the 135 photos of people's own albums (extract.EVERYDAY_FRESH)
with AP 0.26, six of them hills behind people or a town. The tagger pools its feature
map over 13 regions too (tagger.REGION_WINDOWS), and the ImageNet classes are read on
them (a noisy-OR in which a region's vote counts REGION_WEIGHT). This reads the heads'
places on the same regions: for each candidate place alone, its column becomes the
larger of the whole photo's probability and the regions' noisy-OR, and every word is
searched through the real SearchEngine on the everyday photos (the 543 tuned on and the
135 of people's own albums, as published, both taggers), with how many photos the
place is a sure tag of before and after (scoring.SURE["scene"]). The region
probabilities come from tagging the photos again (cached in build/region-scenes-*.npz);
the whole photo's from the compact features the index stores (place_rules.put). The shipped rule must give the
shipped index's figures. --held-out: the same on scenes-train's held-out fifth, whose
truth is its folders (a town in front of mountains counts as no mountain there), after
tagging its 4,081 photos again (about 10 minutes here).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from everyday_kinds import TRUTH
from everyday_photos import everyday_engine
from place_rules import figures, held_out_table, rule_table, with_regions

from photofinder.heads import load_heads
from photofinder.scoring import SURE
from photofinder.tagging import REGION_PLACES

# each candidate place and the words it could move: its own and those above it
CANDIDATES = {
    "mountain": ("горы",), "forest": ("лес",), "open_country": ("поле",),
    "street": ("улица", "город", "дорога"), "coast": ("море", "пляж"), "river": ("река",),
    "waterfall": ("водопад", "река"), "bridge": ("мост",), "desert": ("пустыня",),
    "highway": ("дорога",),
}
WORDS = tuple(dict.fromkeys(w for words in CANDIDATES.values() for w in words))
SETS = (("the 543 everyday photos, Lite2", "efficientnet-lite2", False),
        ("people's own albums (135), Lite2", "efficientnet-lite2", True),
        ("the 543 everyday photos, Lite0", "efficientnet-lite0", False),
        ("people's own albums (135), Lite0", "efficientnet-lite0", True))


def read_on_regions(places: tuple[str, ...]):
    """A rule: `places` the larger of the whole photo's probability and the regions'
    noisy-OR (tagging.combine_tags), every other place of REGION_PLACES and CANDIDATES the
    whole photo's alone."""
    def rule(engine, tagger: str) -> dict[str, np.ndarray]:
        heads = load_heads(tagger)
        keys = list(heads.tag_keys)
        whole = heads.scenes(np.asarray(engine.index.features, np.float32))
        columns = {k: whole[:, keys.index(k)] for k in (*REGION_PLACES, *CANDIDATES)}
        return with_regions(engine, tagger, columns, places)
    return rule


SHIPPED = f"shipped: {', '.join(REGION_PLACES)}"
RULES = {"the whole photo alone (before)": read_on_regions(()),
         **{f"+ {k} on the regions": read_on_regions((k,)) for k in CANDIDATES},
         SHIPPED: read_on_regions(REGION_PLACES)}


def everyday_table(name: str, tagger: str, fresh: bool, truth: dict) -> int:
    engine = everyday_engine(tagger, True, fresh)
    if engine is None:  # not gathered here: said
        return 0
    before = read_on_regions(())(engine, tagger)

    def sure(rule: str, columns: dict[str, np.ndarray]) -> str:
        place = rule.removeprefix("+ ").removesuffix(" on the regions")
        return (f"{int((before[place] >= SURE['scene']).sum())} → "
                f"{int((columns[place] >= SURE['scene']).sum())}" if place in CANDIDATES else "-")

    return rule_table(f"{name}: AP; how many photos the place is a sure tag of, before → "
                      "read so", engine, tagger, RULES, SHIPPED, WORDS,
                      lambda e: figures(e, truth), ("sure", sure))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--held-out", action="store_true",
                    help="also scenes-train's held-out fifth (tags its 4,081 photos again)")
    args = ap.parse_args()
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    for name, tagger, fresh in SETS:
        if everyday_table(name, tagger, fresh, truth):
            return 1
    if args.held_out:
        held_out_table("rule", RULES, WORDS, regions=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
