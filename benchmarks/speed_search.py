"""Search speed and memory on synthetic indexes of 10k, 100k and 1M photos (or --sizes).

    .venv/bin/python benchmarks/speed_search.py [--sizes 10000,100000,1000000] [--repeat 5]
    .venv/bin/python benchmarks/speed_search.py --sizes 10000000 --repeat 1   # a large archive

Writes an index of N photos with generated tags (no images: per photo 28 ImageNet tags,
Zipf-distributed, with probabilities like a classifier's and the 0.01 floor, 8 scene
tags, the person score, two folder words; a region's tag as often as in real indexes:
95 % of the ImageNet tags, 15 % of the scene tags, never the person score) with
`photofinder.index.save` into a temp folder outside the repo (kept between runs), then,
per size, in a fresh process:

- `photofinder search "кошка"` from process start to printed results (the CLI, wall
  clock), and whether it imported torch;
- index load and engine build time, peak memory (ru_maxrss) of that process;
- per-query latency p50 / p95 over the queries of benchmarks/queries.json, after load;
- words for people («человек», «женщина»: their terms add up the person score, which
  every photo has), and a word for a child with no photo counted as adults' and with a
  fifth of them so (adult_faces.py's extra pass: the synthetic index has no faces, so
  the photos are drawn).

Each process searches with glibc's malloc keeping freed blocks, as `photofinder search`
does (photofinder/heap.py); --glibc-default leaves it as glibc sets it, to pair the two.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
WORK = Path(tempfile.gettempdir()) / "photofinder-bench"
QUERIES = REPO / "benchmarks" / "queries.json"
FALLBACK_QUERIES = ["кошка", "собака", "транспорт", "кофе", "животное -собака", "плюшевый мишка",
                    "лыжи", "птица", "еда", "цветок"]


IMAGENET_TAGS, SCENE_TAGS = 28, 8   # per photo: what coco-dev photos get with regions (README)
REGION_SHARE = {"imagenet": 0.95, "scene": 0.15}
CHUNK = 1_000_000                   # photos generated at a time
FEATURES = 256                      # the heads' float16 features per photo (512 bytes)
# Above this size the features are left out (zero-width): 10M photos' would be 5.1 GB more
# to hold while writing, on a 24 GB machine shared with other work; search never reads
# them (similar photos does), and the store maps them from disk without reading them.
FEATURES_UP_TO = 2_000_000


def synthetic_index(n: int) -> Path:
    """An index of n photos with generated tags, written like a real one (index.save)."""
    from photofinder import index as index_store
    from photofinder.index import Index
    from photofinder.query import Lemmatizer
    from photofinder.scoring import term_lists
    from photofinder.tagger import describe_tagger
    from photofinder.term_table import term_table
    from photofinder.terms import Terms
    from photofinder.vectors import load_vectors
    from photofinder.vocabulary import load_vocabulary

    folder = WORK / f"search7-{n}"  # format 6, with the region shares of real indexes
    vocabulary = load_vocabulary()
    if index_store.exists(folder):
        meta = json.loads((folder / index_store.INDEX_FILE).read_bytes())
        if meta.get("vocabulary") == vocabulary.digest and meta.get("version") == index_store.VERSION:
            return folder  # else made with another vocabulary: search would rebuild terms
    vectors = load_vectors("navec")
    terms, keys, table = term_table(vocabulary, vectors, Lemmatizer())
    idx = Index(tagger=describe_tagger("efficientnet-lite2") or {"name": "synthetic", "weights": ""},
                vectors=vectors.spec, vocabulary=vocabulary.digest,
                labels=[c.key for c in vocabulary.labels], terms=terms, term_keys=keys,
                term_vectors=table)
    rng = np.random.default_rng(n)
    # A photo library is not uniform: some classes are common (Zipf over a shuffled order).
    popularity = 1.0 / np.arange(1, 1001) ** 0.8
    popularity = popularity[rng.permutation(1000)]
    popularity /= popularity.sum()
    scene_ids = [i for i, c in enumerate(vocabulary.labels) if c.kind == "scene"]
    for start in range(0, n, CHUNK):  # 10M photos' float64 drafts would not fit in memory
        idx.append(synthetic_rows(rng, start, min(n, start + CHUNK), popularity, scene_ids,
                                  FEATURES if n <= FEATURES_UP_TO else 0))
    # as `photofinder index` does before its last save: the broad words' own lists
    idx.term_lists = term_lists(idx, Terms(idx, vocabulary, lambda: vectors, Lemmatizer))
    index_store.save(idx, folder)
    return folder


def synthetic_rows(rng, start: int, end: int, popularity: np.ndarray, scene_ids: list[int],
                   dims: int):
    """Photos start..end-1 of a synthetic index (see synthetic_index)."""
    from photofinder.index import Rows, Tags

    n = end - start
    # the best tag by popularity; the runners-up near it in ImageNet's order, as a
    # classifier's are (neighbouring classes are related: dog breeds, cars...)
    first = rng.choice(1000, size=n, p=popularity)
    steps = np.cumsum(rng.integers(1, 12, (n, IMAGENET_TAGS - 1)), axis=1)
    classes = np.concatenate([first[:, None], (first[:, None] + steps) % 1000], axis=1)
    probs = -np.sort(-rng.dirichlet(np.full(IMAGENET_TAGS, 0.3), n), axis=1)
    probs = np.maximum(probs, 0.01)  # the floor a stored tag has
    scenes = np.array(scene_ids)[rng.integers(0, len(scene_ids), (n, SCENE_TAGS))]
    scene_p = -np.sort(-rng.dirichlet(np.full(SCENE_TAGS, 0.5), n), axis=1)
    person = rng.uniform(0.02, 1.0, (n, 1))  # the people head scores every photo
    labels = np.concatenate([classes, scenes, np.full((n, 1), 1000)], axis=1).astype(np.int32)
    scores = np.concatenate([probs, np.maximum(scene_p, 0.02), person], axis=1)
    k = labels.shape[1]
    # which tags a region gave, at the shares of real indexes (coco-dev and the everyday
    # photos: 92-99 % of ImageNet tags, 6-23 % of scene tags, never the person score,
    # which the people head gives for the whole photo)
    region = np.concatenate([rng.random((n, IMAGENET_TAGS)) < REGION_SHARE["imagenet"],
                             rng.random((n, SCENE_TAGS)) < REGION_SHARE["scene"],
                             np.zeros((n, 1), bool)], axis=1)
    tags = Tags(np.arange(0, n * k + 1, k, dtype=np.int64), labels.ravel(),
                scores.ravel().astype(np.float16), region.ravel())
    places = ["отпуск", "дача", "сочи", "свадьба", "день рождения", "новый год", "прага", "море"]
    rows = range(start, end)
    return Rows(
        paths=[f"/home/user/Pictures/{2000 + i % 25}/{places[i // 1000 % len(places)]} {i // 1000:04d}/"
               f"IMG_{i:07d}.jpg" for i in rows],
        sizes=rng.integers(2_000_000, 6_000_000, n), mtimes=rng.integers(10**18, 2 * 10**18, n),
        hashes=rng.integers(1, 2**63, n).astype(np.uint64), tags=tags,
        features=rng.standard_normal((n, dims), np.float32).astype(np.float16),
        dhash=rng.integers(1, 2**63, n).astype(np.uint64), taken=np.zeros(n, np.int64),
        words=[[f"folder:{w}" for w in places[i // 1000 % len(places)].split()] for i in rows])


def queries(count: int = 0) -> list[str]:
    """The queries of queries.json, or `count` of them spread over it (0: all)."""
    try:
        found = [q["query"] for q in json.loads(QUERIES.read_text(encoding="utf-8"))]
    except (OSError, ValueError, KeyError, TypeError):
        found = FALLBACK_QUERIES
    return found[::max(1, len(found) // count)][:count] if count else found


def one_size(folder: Path, repeat: int, count: int = 0, keep_heap: bool = True) -> dict:
    """Runs in its own process: load, build, time queries, report peak memory.
    keep_heap: glibc's malloc told to keep freed blocks, as `photofinder search` does
    (photofinder/heap.py)."""
    from photofinder import index as index_store
    from photofinder.errors import QueryError
    from photofinder.heap import keep_freed_memory
    from photofinder.search import SearchEngine
    from photofinder.vectors import load_vectors
    from photofinder.vocabulary import load_vocabulary

    kept = keep_freed_memory() if keep_heap else False
    started = time.perf_counter()
    idx = index_store.load(folder)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    engine = SearchEngine(idx, load_vocabulary(), lambda: load_vectors(idx.vectors))
    build_s = time.perf_counter() - started
    qs = queries(count)
    for q in qs:  # warm-up: word vectors, lemmas, lazy tables
        try:
            engine.search(q, top=10)
        except QueryError:
            pass
    times = []
    for _ in range(repeat):
        for q in qs:
            started = time.perf_counter()
            try:
                engine.search(q, top=10)
            except QueryError:
                continue
            times.append(time.perf_counter() - started)
    people = {"people_ms": median_ms(engine, PEOPLE_QUERIES, repeat)}
    children = children_ms(engine, repeat)
    return {"n": len(idx), "load_s": load_s, "build_s": build_s, "queries": len(times),
            **people, **children, "heap_kept": kept,
            "p50_ms": 1000 * float(np.percentile(times, 50)),
            "p95_ms": 1000 * float(np.percentile(times, 95)),
            "max_ms": 1000 * float(np.max(times)),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "torch": "torch" in sys.modules}


# a word for a child, alone and with a place: on the photos whose faces all look like
# adults' its fallback to every person is lowered (adult_faces.py)
CHILD_QUERIES = ("дети", "ребёнок на пляже")
ADULTS_SHARE = 0.2   # of the photos: a family archive where faces are found in many


# words for people: every photo has the person score, so each of their terms adds up a
# list as long as the index (heap.py)
PEOPLE_QUERIES = ("человек", "женщина")


def median_ms(engine, words: tuple[str, ...], repeat: int) -> float:
    """The median ms of some queries, each searched max(repeat, 3) times."""
    times = []
    for _ in range(max(repeat, 3)):
        for q in words:
            started = time.perf_counter()
            engine.search(q, top=10)
            times.append(time.perf_counter() - started)
    return 1000 * float(np.median(times))


def children_ms(engine, repeat: int) -> dict:
    """Median ms of CHILD_QUERIES with no photo counted as adults' and with ADULTS_SHARE
    of them so (the synthetic index has no faces: the photos are drawn at random and
    handed to the rule as its adults' photos, which only the faces found decide)."""
    n = len(engine.index)
    adults = np.sort(np.random.default_rng(0).choice(n, int(n * ADULTS_SHARE), replace=False))
    out = {}
    for name, rows in (("whole", np.zeros(0, np.int64)), ("adults", adults.astype(np.int64))):
        engine.adult_faces.set_rows(rows)
        out[f"children_{name}_ms"] = median_ms(engine, CHILD_QUERIES, repeat)
    return out


def cli_search(folder: Path, query: str = "кошка") -> tuple[float, bool, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "photofinder", "search", query,
                           "--index", str(folder), "--top", "5"],
                          capture_output=True, text=True, cwd=REPO, check=True)
    seconds = time.perf_counter() - started
    torch = any(line.rstrip().endswith("| torch") for line in proc.stderr.splitlines())
    return seconds, torch, proc.stdout.splitlines()[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=5, help="passes over the query list")
    ap.add_argument("--queries", type=int, default=0,
                    help="only this many of the queries, spread over the list (0: all)")
    ap.add_argument("--glibc-default", action="store_true",
                    help="leave glibc's malloc as it is (search before photofinder/heap.py)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: one size, JSON out
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.repeat, args.queries, not args.glibc_default)))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"{len(queries(args.queries))} queries x {args.repeat} passes per size; p50/p95 after load\n")
    print("photos    | CLI start→results | torch | load s | build s | p50 ms | p95 ms | max ms | peak MB")
    for n in sizes:
        started = time.perf_counter()
        folder = synthetic_index(n)
        made = time.perf_counter() - started
        if made > 1:
            print(f"(wrote the {n:,} photo index in {made:.0f} s: {folder})", flush=True)
        cli_s, torch, first = cli_search(folder)
        proc = subprocess.run([sys.executable, __file__, "--one", str(folder), "--repeat", str(args.repeat),
                               "--queries", str(args.queries)]
                              + (["--glibc-default"] if args.glibc_default else []),
                              capture_output=True, text=True, check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{n:9,} | {cli_s:15.2f} s | {'yes' if torch or r['torch'] else 'no':5} | "
              f"{r['load_s']:6.2f} | {r['build_s']:7.2f} | {r['p50_ms']:6.1f} | {r['p95_ms']:6.1f} | "
              f"{r['max_ms']:6.1f} | {r['peak_mb']:7.0f}", flush=True)
        print(f"{'':9} | «{'», «'.join(PEOPLE_QUERIES)}»: median {r['people_ms']:.1f} ms; "
              f"«{'», «'.join(CHILD_QUERIES)}»: {r['children_whole_ms']:.1f} ms, "
              f"{r['children_adults_ms']:.1f} ms with {ADULTS_SHARE:.0%} of the photos the "
              f"adults' (adult_faces.py)", flush=True)
    if sizes:
        print(f"\nglibc's malloc keeping freed blocks (photofinder/heap.py): "
              f"{'yes' if r['heap_kept'] else 'no'}")
    print("targets: CLI start to results <= 1.5 s; 1M photos: p95 <= 100 ms, memory < 1 GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
