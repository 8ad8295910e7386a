"""How fast the desktop app opens and shows a query's first page of thumbnails.

    .venv/bin/python benchmarks/gui_startup.py --index INDEX_DIR [--query собака] [--runs 3]

Runs `python -m photofinder gui` on a private Xvfb display (or $DISPLAY without Xvfb)
and reads the app's state file ($PHOTOFINDER_GUI_STATE):

- open: process start -> the first idle loop with the status bar filled (index loaded);
- vectors loaded: process start -> the search engine warm (navec, pymorphy3 loaded on
  a worker thread after the window opened); the query is typed after this;
- first page: Return pressed -> every thumbnail of the first page drawn, measured inside
  the app; "cold" with an empty thumbnail cache, "warm" with the thumbnails cached on disk.

The index is copied to a temporary folder (its files only: not the thumbnails, not the photos)
so the cold runs start with no thumbnails and the real index's cache is left alone.
Targets from issue 4: open < 3 s, first page < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_xvfb() -> tuple[subprocess.Popen | None, str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        if "DISPLAY" not in os.environ:
            sys.exit("нужен Xvfb (apt-get install xvfb xdotool) или переменная DISPLAY")
        return None, os.environ["DISPLAY"]
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        number = pipe.readline().strip()
    display = f":{int(number)}"
    if shutil.which("setxkbmap"):  # real Cyrillic keys for xdotool (see tests/test_gui_window.py)
        subprocess.run(["setxkbmap", "-display", display, "-layout", "us,ru"], check=False)
    return proc, display


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def wait(path: Path, ok, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(path)
        if state and ok(state):
            return state
        time.sleep(0.01)
    raise SystemExit(f"timed out; last state: {read_state(path)}")


def type_query(display: str, query: str, state_file: Path) -> None:
    """Types `query` into the search field with xdotool, as a person would, and presses Return."""
    xdo_env = {**os.environ, "DISPLAY": display}
    for _ in range(5):  # under load xdotool now and then loses a Cyrillic letter: retype
        subprocess.run(["xdotool", "type", "--delay", "50", query], env=xdo_env, check=True)
        time.sleep(0.3)
        if read_state(state_file).get("query") == query:
            break
        subprocess.run(["xdotool", "key", "Escape"], env=xdo_env, check=True)
    wait(state_file, lambda s: s.get("query") == query, 10)
    subprocess.run(["xdotool", "key", "Return"], env=xdo_env, check=True)


def one_run(index_dir: Path, display: str, query: str, state_file: Path) -> dict[str, float]:
    state_file.unlink(missing_ok=True)
    env = {**os.environ, "DISPLAY": display, "PHOTOFINDER_GUI_STATE": str(state_file)}
    started = time.time()
    proc = subprocess.Popen([sys.executable, "-m", "photofinder", "gui", "--index",
                             str(index_dir)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        state = wait(state_file, lambda s: s.get("loaded") and "фото в индексе" in s["status"])
        opened = state["time"] - started
        photos = int(state["status"].split(" фото в индексе")[0].rsplit(" ", 1)[-1])
        state = wait(state_file, lambda s: s.get("engine_ready"))
        ready = state["time"] - started
        type_query(display, query, state_file)
        state = wait(state_file, lambda s: "first_page_s" in s.get("timings", {}))
        return {"open_s": opened, "ready_s": ready, "search_s": state["timings"]["search_s"],
                "first_page_s": state["timings"]["first_page_s"],
                "tiles": len(state["tiles"]), "results": state["results"] or 0,
                "photos": photos}
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
        if "Traceback" in err:
            print(err, file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, required=True, metavar="INDEX_DIR")
    ap.add_argument("--query", default="собака")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    xvfb, display = start_xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="photofinder-bench-") as tmp:
            copy = Path(tmp) / "index"
            copy.mkdir()
            for item in args.index.iterdir():  # index.json and its array files, whatever the format
                if item.is_file() and not item.name.startswith("."):
                    shutil.copy2(item, copy)
            state_file = Path(tmp) / "state.json"
            rows: dict[str, list[dict]] = {"cold": [], "warm": []}
            for _ in range(args.runs):
                shutil.rmtree(copy / "thumbs", ignore_errors=True)
                rows["cold"].append(one_run(copy, display, args.query, state_file))
                rows["warm"].append(one_run(copy, display, args.query, state_file))
    finally:
        if xvfb is not None:
            xvfb.terminate()
    first = rows["cold"][0]
    print(f"index: {first['photos']} photos ({args.index}), query «{args.query}»: "
          f"{first['results']} results, first page {first['tiles']} thumbnails, "
          f"{args.runs} runs, median (max)")
    print(f"{'':24} {'cold thumbnails':>18} {'warm thumbnails':>18}")
    for key, label in (("open_s", "window open, s"), ("ready_s", "word vectors loaded, s"),
                       ("search_s", "search, s"),
                       ("first_page_s", "first page shown, s")):
        cells = []
        for kind in ("cold", "warm"):
            values = [r[key] for r in rows[kind]]
            cells.append(f"{statistics.median(values):.3f} ({max(values):.3f})")
        print(f"{label:24} {cells[0]:>18} {cells[1]:>18}")
    print("targets: window open < 3 s, first page < 1 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
