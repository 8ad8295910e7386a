"""Faces: finding, grouping and naming people, measured on real photos.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/faces.py [--coco]

On ../shared/data/faces-dev (409 LFW photos: 40 people with 6-10 photos each, 80
one-photo strangers; never used to fit anything but GROUP_DISTANCE) it runs the real
face finder on every photo and reports:
- faces found per photo and the time of detection + embedding per photo (CPU named);
- the groups: how many, how many hold two or more photos, and how many mix two people
  (a group holding the labelled faces of two people, or a labelled face and a face of
  someone else in the photo);
- naming: the biggest face of each person's first photo is named (what
  `people name PHOTO NAME` does), then each person's photos are ranked as a search
  for the name ranks them (group members by similarity, then weak matches) and the
  mean average precision over the person's other photos is printed.

With --cli it does the naming as a user does, through the real CLI on a real index of
faces-dev: `photofinder index`, then `people name PHOTO NAME` for one photo of each
person (40 Russian first names), then `search NAME --json`, every other name in the
genitive («Бориса»), and the mean AP over each person's other photos.

With --coco it also times `photofinder index` over ../shared/data/coco-dev with and
without faces (fresh indexes, the default tagger): the cost of faces on everyday photos.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
FACES = DATA / "faces-dev"
COCO = DATA / "coco-dev"

from photofinder.faces import load_face_finder  # noqa: E402
from photofinder.people import UNGROUPED, assign_groups, match_faces  # noqa: E402
from photofinder.photos import open_photo  # noqa: E402


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for rank, name in enumerate(ranked, 1):
        if name in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant) if relevant else 0.0


def find_all(labels: dict[str, str | None]
             ) -> tuple[list[str], np.ndarray, np.ndarray, float, float]:
    """(photo of each face, boxes [N, 4], embeddings [N, 128], wall and CPU seconds
    per photo: on a shared machine the CPU time is the figure that travels)."""
    finder = load_face_finder()
    photos, boxes, vectors = [], [], []
    started, cpu = time.perf_counter(), time.process_time()
    for name in sorted(labels):
        for face in finder.find(open_photo(FACES / "photos" / name)):
            photos.append(name)
            boxes.append(face.box)
            vectors.append(face.embedding)
    seconds = (time.perf_counter() - started) / len(labels)
    cpu = (time.process_time() - cpu) / len(labels)
    return photos, np.array(boxes, np.float32), np.stack(vectors), seconds, cpu


def labelled_faces(photos: list[str], boxes: np.ndarray,
                   labels: dict[str, str | None]) -> list[str]:
    """Who each face is: the face nearest a photo's centre is its labelled person
    (LFW centres the labelled face); every other face is someone unknown."""
    centre = np.hypot((boxes[:, 0] + boxes[:, 2]) / 2 - 0.5, (boxes[:, 1] + boxes[:, 3]) / 2 - 0.5)
    who = [f"?{i}" for i in range(len(photos))]
    for name in set(photos):
        rows = [i for i, p in enumerate(photos) if p == name]
        best = min(rows, key=lambda i: centre[i])
        if labels[name]:
            who[best] = labels[name]
    return who


def mixed_groups(groups: np.ndarray, who: list[str]) -> tuple[int, int]:
    """(groups of two or more faces, groups that hold faces of two people)."""
    several = mixed = 0
    for gid in np.unique(groups):
        members = [who[i] for i in np.flatnonzero(groups == gid)]
        several += len(members) > 1
        known = {m for m in members if not m.startswith("?")}
        unknown = [m for m in members if m.startswith("?")]
        mixed += len(known) > 1 or (len(known) == 1 and len(unknown) > 0)
    return several, mixed


def pairs_together(groups: np.ndarray, who: list[str]) -> float:
    """Of the pairs of labelled faces of one person, the share in one group."""
    known = [i for i, w in enumerate(who) if not w.startswith("?")]
    pairs = [(i, j) for a, i in enumerate(known) for j in known[a + 1:] if who[i] == who[j]]
    return sum(groups[i] == groups[j] for i, j in pairs) / max(len(pairs), 1)


def naming_map(photos: list[str], boxes: np.ndarray, embeddings: np.ndarray,
               groups: np.ndarray, labels: dict[str, str | None]) -> list[float]:
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    people = sorted({p for p in labels.values() if p})
    aps = []
    for person in people:
        own = sorted(n for n, p in labels.items() if p == person)
        named = own[0]
        rows = [i for i, p in enumerate(photos) if p == named]
        if not rows:
            aps.append(0.0)  # no face found in the photo to name
            continue
        face = max(rows, key=lambda i: areas[i])
        similarity, member, near = match_faces(embeddings, groups, int(groups[face]))
        score: dict[str, float] = {}
        for i in np.flatnonzero(member | near):
            strength = float(similarity[i]) + (1.0 if member[i] else 0.0)
            score[photos[i]] = max(score.get(photos[i], -9.0), strength)
        ranked = [p for p in sorted(score, key=lambda p: -score[p]) if p != named]
        aps.append(average_precision(ranked, set(own) - {named}))
    return aps


NAMES = ("Анна Борис Вера Глеб Дарья Егор Жанна Зоя Игорь Кирилл Лариса Максим Нина Олег "
         "Полина Роман Светлана Тимур Ульяна Фёдор Галина Денис Елена Захар Инна Константин "
         "Людмила Михаил Наталья Оксана Павел Раиса Семён Тамара Юрий Яна Аркадий Вадим "
         "Георгий Ирина").split()


def genitive(name: str) -> str:
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="ru")
    parse = next(p for p in morph.parse(name) if "Name" in p.tag.grammemes)
    form = parse.inflect({"gent"}).word
    return form[0].upper() + form[1:]


def cli_naming(labels: dict[str, str | None]) -> None:
    def cli(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "photofinder", *args], check=True,
                              capture_output=True, text=True, cwd=REPO).stdout

    people = sorted({p for p in labels.values() if p})
    with tempfile.TemporaryDirectory() as tmp:
        index = str(Path(tmp) / "index")
        started, before = time.perf_counter(), _children_cpu()
        cli("index", str(FACES / "photos"), "--index", index)
        print(f"faces-dev index with faces: {time.perf_counter() - started:.0f} s wall, "
              f"{_children_cpu() - before:.0f} s CPU")
        aps = []
        for k, (person, name) in enumerate(zip(people, NAMES)):
            own = sorted(n for n, p in labels.items() if p == person)
            cli("people", "--index", index, "name", str(FACES / "photos" / own[0]), name)
            query = genitive(name) if k % 2 else name
            hits = json.loads(cli("search", query, "--index", index, "--json", "--top", "100"))
            ranked = [Path(h["path"]).name for h in hits if Path(h["path"]).name != own[0]]
            aps.append(average_precision(ranked, set(own) - {own[0]}))
        listed = {p["name"] for p in json.loads(cli("people", "--index", index, "--json"))}
        print(f"through the CLI: {len(aps)} people named by one photo each, searched by name "
              f"(half in the genitive): mean AP {np.mean(aps):.3f} (lowest {min(aps):.2f}); "
              f"people --json lists {len(listed & set(NAMES[:len(people)]))} of them")


def coco_cost() -> None:
    """Wall and CPU seconds (the children's user + system: on a shared machine the
    figure that travels) of `index` on coco-dev without and with faces."""
    with tempfile.TemporaryDirectory() as tmp:
        seconds, cpu = {}, {}
        for label, extra in (("without faces", ["--no-faces"]), ("with faces", [])):
            index = Path(tmp) / label.replace(" ", "-")
            started, before = time.perf_counter(), _children_cpu()
            out = subprocess.run([sys.executable, "-m", "photofinder", "index", str(COCO),
                                  "--index", str(index), *extra], check=True, cwd=REPO,
                                 capture_output=True, text=True).stdout
            seconds[label] = time.perf_counter() - started
            cpu[label] = _children_cpu() - before
            print(f"coco-dev index {label}: {seconds[label]:.1f} s wall, {cpu[label]:.1f} s CPU")
            print("  " + out.strip().replace("\n", "\n  "))
        print("speed with faces / without: "
              f"{cpu['without faces'] / cpu['with faces']:.1%} by CPU time, "
              f"{seconds['without faces'] / seconds['with faces']:.1%} by wall time")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coco", action="store_true", help="also time index on coco-dev")
    ap.add_argument("--cli", action="store_true", help="also name and search through the CLI")
    args = ap.parse_args()
    labels = json.loads((FACES / "labels.json").read_text())["photos"]
    photos, boxes, embeddings, seconds, cpu = find_all(labels)
    print(f"CPU: {cpu_name()}")
    print(f"faces-dev: {len(labels)} photos, {len(photos)} faces "
          f"({len(photos) / len(labels):.2f} per photo, photos with none: "
          f"{len(labels) - len(set(photos))}); detection + embedding per photo: "
          f"{cpu * 1000:.0f} ms of CPU, {seconds * 1000:.0f} ms wall")
    who = labelled_faces(photos, boxes, labels)
    groups = assign_groups(embeddings, np.full(len(photos), UNGROUPED))
    several, mixed = mixed_groups(groups, who)
    print(f"groups: {len(np.unique(groups))}, {several} of two or more faces, "
          f"{mixed} mixing two people ({mixed / max(several, 1):.1%}); same-person pairs "
          f"sharing a group: {pairs_together(groups, who):.1%}")
    aps = naming_map(photos, boxes, embeddings, groups, labels)
    print(f"naming one photo of each of {len(aps)} people, then searching the name: "
          f"mean AP {np.mean(aps):.3f} (lowest {min(aps):.2f})")
    if args.cli:
        cli_naming(labels)
    if args.coco:
        coco_cost()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
