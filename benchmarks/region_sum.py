"""How a broad word adds up the tags that regions gave: the rules tried in round twenty-nine.

    .venv/bin/python benchmarks/region_sum.py                      # every rule, three sets
    .venv/bin/python benchmarks/region_sum.py --rule sum coco.py   # one benchmark, one rule

A broad word («животное», «еда») reaches many ImageNet classes. Each class's tag is the
larger of the whole photo's probability and the best of 13 windows (a noisy-OR), so the
region tags of different classes come from different windows. The search adds the whole
photo's tags up and counts the region tags by their best one (scoring.term_mass). This
runs a benchmark of this folder with Scorer.scores replaced by a plain dense version of it
whose rule for the region tags is one of RULES, on the same real indexes and the real
SearchEngine otherwise; "best" must give the shipped code's figures (it is checked).
Without a benchmark argument it runs everyday_kinds.py --full (skipped where the everyday
photos are not gathered), coco.py and quality.py under every rule and prints their MAP /
MRR side by side.
"""

from __future__ import annotations

import argparse
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "training"))

from photofinder import scoring  # noqa: E402
from photofinder.scoring import Capped, Scored  # noqa: E402

# rule: how a photo's region tags under one term count (the whole photo's always add up)
RULES = {
    "sum": "every region tag adds up too (before round twenty-nine)",
    "best": "the best region tag (shipped)",
    "top2": "the best two region tags",
    "top3": "the best three region tags",
    "from0.1": "the best region tag and every other from 0.1",
    "sum-best-ties": "every tag adds up; photos the cap makes equal ordered by their best tag",
    "best-best-ties": "the best region tag; photos the cap makes equal ordered by their best tag",
}
BENCHMARKS = (["everyday_kinds.py", "--full"], ["coco.py"], ["quality.py"])


def _column(scorer, column: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, probs, region = scorer._column(int(column))
    if probs is None:  # a word people wrote: there or not, never a region
        return rows, np.ones(len(rows)), np.zeros(len(rows), bool)
    return rows, probs.astype(np.float64), np.asarray(region, bool)


def _region_part(rows: np.ndarray, masses: np.ndarray, units: np.ndarray, n: int,
                 rule: str) -> tuple[np.ndarray, np.ndarray]:
    """Per photo, what its region tags add under `rule`, in mass and in units (rows,
    masses, units: all of them; the rule picks tags by their mass)."""
    out, out_units = np.zeros(n), np.zeros(n)
    if not len(rows):
        return out, out_units
    order = np.lexsort((-masses, rows))
    rows, masses, units = rows[order], masses[order], units[order]
    first = np.r_[True, rows[1:] != rows[:-1]]
    rank = np.arange(len(rows)) - np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
    keep = {"sum": rank >= 0, "sum-best-ties": rank >= 0, "best": rank < 1, "best-best-ties": rank < 1, "top2": rank < 2,
            "top3": rank < 3, "from0.1": (rank < 1) | (masses >= 0.1)}[rule]
    np.add.at(out, rows[keep], masses[keep])
    np.add.at(out_units, rows[keep], units[keep])
    return out, out_units


def dense_scores(rule: str):
    """Scorer.scores over every photo, with `rule` for the region tags."""

    def scores(self, terms, sims, every=False, weights=None):
        n = len(self.index)
        if len(terms) == 0 or n == 0:
            return scoring.spread(Scored.nothing(), n)
        table = self.terms.weights if weights is None else weights
        mass, units, best_tag = (np.zeros((len(terms), n)) for _ in range(3))
        for j, term in enumerate(terms):
            columns, column_weights = table.row(int(term))
            summed, summed_units = np.zeros(n), np.zeros(n)
            alone, alone_units = np.zeros(n), np.zeros(n)
            region_rows, region_mass, region_units = [], [], []
            for column, weight in zip(columns, column_weights):
                rows, probs, region = _column(self, column)
                m = probs * float(weight)
                u = m / float(self.column_sure[column])
                np.maximum.at(best_tag[j], rows, m)
                if self.column_alone[column]:  # the detector's objects: the best one
                    np.maximum.at(alone, rows, m)
                    np.maximum.at(alone_units, rows, u)
                    continue
                np.add.at(summed, rows[~region], m[~region])
                np.add.at(summed_units, rows[~region], u[~region])
                region_rows.append(rows[region])
                region_mass.append(m[region])
                region_units.append(u[region])
            region_part, region_part_units = _region_part(
                np.concatenate(region_rows), np.concatenate(region_mass),
                np.concatenate(region_units), n, rule) if region_rows else (0.0, 0.0)
            mass[j] = summed + region_part + alone
            units[j] = summed_units + region_part_units + alone_units
        sims = sims[:, None].astype(np.float64)
        sure = (units * sims >= 1.0 - 1e-9).any(axis=0)
        weighted = mass * sims
        over = np.flatnonzero((weighted > sims).any(axis=0))
        capped = np.minimum(weighted, sims)
        top = capped.argmax(axis=0)
        best = np.take_along_axis(capped, top[None], axis=0)[0].astype(np.float32)
        if rule.endswith("-best-ties"):  # among the capped, the best single tag orders them
            key = np.where(weighted[:, over] > sims, best_tag[:, over] * sims, 0).max(axis=0)
            before = best[over] * (1.0 + 1e-3 * key / (key.max() + 1e-9)) if len(over) else key
        else:
            before = weighted[:, over].max(axis=0)
        return Scored(np.arange(n), best, top, sure, Capped(over, before.astype(np.float32)))

    return scores


def run_one(rule: str, benchmark: list[str]) -> None:
    scoring.Scorer.scores = dense_scores(rule)
    sys.argv = [str(HERE / benchmark[0]), *benchmark[1:]]
    runpy.run_path(sys.argv[0], run_name="__main__")


def figures(args: list[str]) -> tuple[str, str] | None:
    """MAP and MRR of a benchmark's last «**all**» row (None: it printed none, skipped)."""
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    rows = re.findall(r"\| \*\*all\*\* \|[^|]*\| \*\*([\d.]+)\*\* \| \*\*([\d.]+)\*\*", done.stdout)
    return rows[-1] if rows else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rule", choices=sorted(RULES))
    ap.add_argument("benchmark", nargs=argparse.REMAINDER,
                    help="a benchmark of this folder and its arguments (with --rule)")
    args = ap.parse_args()
    if args.benchmark:
        run_one(args.rule or "best", args.benchmark)
        return 0
    names = [" ".join(b) for b in BENCHMARKS]
    shipped = [figures([str(HERE / b[0]), *b[1:]]) for b in BENCHMARKS]
    print("MAP / MRR of each benchmark's queries, every rule on the same indexes\n")
    print("| rule | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for rule, what in RULES.items():
        row = [figures([__file__, "--rule", rule, *b]) for b in BENCHMARKS]
        cells = ["skipped" if f is None else f"{f[0]} / {f[1]}" for f in row]
        print(f"| {rule}: {what} | " + " | ".join(cells) + " |", flush=True)
        if rule == "best" and row != shipped:
            print(f"the dense 'best' rule differs from the shipped search: {row} against {shipped}")
            return 1
    print("\nthe shipped search: " + ", ".join(
        f"{n} {'skipped' if f is None else f[0] + ' / ' + f[1]}" for n, f in zip(names, shipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
