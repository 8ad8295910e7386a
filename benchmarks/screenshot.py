"""Remakes the README's screenshot: the real desktop app on real photos, a query typed.

    .venv/bin/python benchmarks/screenshot.py [--photos coco-dev|samples|DIR] [--query Q]
                                              [--out docs/screenshot.png]      (make screenshot)

Indexes the photos with the real CLI (`photofinder index`; coco-dev from ../shared/data
where it is there, else the scikit-image samples that `photofinder samples` copies; a re-run
only checks them), opens the real window (`python -m photofinder gui`) on a private Xvfb
display, types the query with xdotool, waits until the first page's thumbnails are drawn
(the app's state file, $PHOTOFINDER_GUI_STATE), and saves the window as a PNG. So the
picture stays what the window shows after the window changes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageGrab

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gui_startup import read_state, start_xvfb, type_query, wait  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
COCO = REPO.parent / "shared" / "data" / "coco-dev"
# what to type: on coco-dev a query with strong and weak hits on the first page
QUERIES = {"coco-dev": "собака", "samples": "люди"}
SETTLE_S = 1.0  # a tooltip the pointer left closes, and Tk paints the last thumbnails


def photos_folder(choice: str, work: Path) -> tuple[str, Path]:
    """(what the photos are, their folder): coco-dev where present, else the samples."""
    if choice in ("auto", "coco-dev") and (COCO / "labels.json").is_file():
        return "coco-dev", COCO
    if choice == "coco-dev":
        sys.exit(f"нет фото coco-dev в {COCO}")
    if choice in ("auto", "samples"):
        folder = work / "samples"
        subprocess.run([sys.executable, "-m", "photofinder", "samples", str(folder)],
                       check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        return "samples", folder
    folder = Path(choice)
    if not folder.is_dir():
        sys.exit(f"нет папки {folder}")
    return folder.name, folder


def first_page_drawn(state: dict) -> bool:
    """Every tile on screen has its thumbnail, and none is still being made."""
    tiles = [t for t in state.get("tiles", []) if t.get("y") is not None]
    return bool(tiles) and state.get("thumbs_pending") == 0 and all(t["thumb"] for t in tiles)


def shoot(index_dir: Path, query: str, out: Path) -> dict:
    """Opens the app on `index_dir` under Xvfb, searches `query`, saves the window to `out`."""
    xvfb, display = start_xvfb()
    with tempfile.TemporaryDirectory(prefix="photofinder-shot-") as tmp:
        state_file = Path(tmp) / "state.json"
        env = {**os.environ, "DISPLAY": display, "PHOTOFINDER_GUI_STATE": str(state_file)}
        app = subprocess.Popen([sys.executable, "-m", "photofinder", "gui", "--index",
                                str(index_dir)], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        try:
            wait(state_file, lambda s: s.get("loaded") and s.get("engine_ready"), 120)
            type_query(display, query, state_file)
            wait(state_file, lambda s: s.get("query") == query and s.get("results") is not None
                 and first_page_drawn(s), 120)
            x, y, w, h = read_state(state_file)["window"]
            # the pointer on the status bar: Xvfb starts it mid-screen, over a tile, whose
            # tooltip would hide a row of the grid
            subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h - 4)], env=env,
                           check=True)
            time.sleep(SETTLE_S)
            state = read_state(state_file)
            x, y, w, h = state["window"]
            image = ImageGrab.grab(xdisplay=display).crop((x, y, x + w, y + h))
        finally:
            app.terminate()
            _, err = app.communicate(timeout=30)
            if xvfb is not None:
                xvfb.terminate()
                xvfb.wait(10)
        if "Traceback" in err:
            sys.exit(f"the app failed:\n{err}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".tmp.png")
    image.save(tmp_out, optimize=True)
    os.replace(tmp_out, out)  # a half-written picture never replaces the old one
    return state


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", default="auto",
                    help="coco-dev, samples or a folder (default: coco-dev where present)")
    ap.add_argument("--query", help="what to type (default: «люди на улице» on coco-dev, "
                    "«люди» on the samples)")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    ap.add_argument("--work", type=Path, default=REPO / "build" / "screenshot",
                    help="where the index (and the samples) go; a re-run reuses it")
    args = ap.parse_args()
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            sys.exit(f"нужен {tool}: apt-get install xvfb xdotool x11-xkb-utils")
    source, folder = photos_folder(args.photos, args.work)
    query = args.query or QUERIES.get(source, "кошка")
    index_dir = args.work / f"index-{source}"
    subprocess.run([sys.executable, "-m", "photofinder", "index", str(folder), "--index",
                    str(index_dir)], check=True, cwd=REPO)
    state = shoot(index_dir, query, args.out)
    print(f"{args.out}: «{query}» on {source} ({folder}): {state['results']} results, "
          f"{len(state['tiles'])} tiles on the first page, window {state['window'][2]}×{state['window'][3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
