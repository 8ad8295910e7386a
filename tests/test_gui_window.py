"""The real window under Xvfb: typed queries (xdotool), tiles, double click, resize,
indexing a folder from the app, screenshots.

The app runs as a user starts it, `python -m photofinder gui --index ...`, and writes
what it shows to the JSON file named by $PHOTOFINDER_GUI_STATE (tiles with their
screen positions, the status bar, the message shown). Photos "opened" go to
$PHOTOFINDER_OPENER, a stub that records them. The indexing tests run the App
in-process, so they can call add_folder() without the folder dialog and watch the Tk
loop's responsiveness. Screenshots go to $PHOTOFINDER_SCREENSHOT_DIR (else tmp).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageColor, ImageGrab

from photofinder import index as index_store
from photofinder.gui.grid import TOOLTIP_BG
from photofinder.gui.statefile import describe
from photofinder.gui.thumbs import THUMB_DIR, ThumbnailCache
from photofinder.photos import stamp

from .conftest import index_of_tags

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Xvfb runs on Linux only")

TABBY = 281  # ImageNet class "tabby": "полосатая кошка", a synonym and a broader "кошка"


# --- the display -----------------------------------------------------------------------
def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True,
                   timeout=30)


def screenshot(display: str, name: str, tmp_path: Path, window: list[int] | None = None) -> Path:
    folder = Path(os.environ.get("PHOTOFINDER_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    img = ImageGrab.grab(xdisplay=display)
    if window:
        x, y, w, h = window
        img = img.crop((x, y, x + w, y + h))
    path = folder / f"{name}.png"
    img.save(path)
    return path


def difference_inside(shot: Image.Image, tile: dict, image: Image.Image) -> float:
    """The smallest mean difference (0-255) between `image` and the screen at any place
    inside the tile: 0 when the tile shows exactly that image."""
    screen = np.asarray(shot.convert("RGB"), np.int16)[tile["y"]:tile["y"] + tile["h"],
                                                       tile["x"]:tile["x"] + tile["w"]]
    picture = np.asarray(image.convert("RGB"), np.int16)
    ph, pw = picture.shape[:2]
    return min(float(np.abs(screen[dy:dy + ph, dx:dx + pw] - picture).mean())
               for dy in range(screen.shape[0] - ph + 1)
               for dx in range(screen.shape[1] - pw + 1))


def colour_box(shot: Image.Image, colour: tuple[int, int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of the pixels of exactly `colour`."""
    ys, xs = np.nonzero((np.asarray(shot.convert("RGB")) == colour).all(axis=2))
    if len(xs) < 1000:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


# --- the app in a subprocess --------------------------------------------------------
class Gui:
    """`python -m photofinder gui` on the test display, seen through its state file."""

    def __init__(self, display: str, index_dir: Path, tmp_path: Path) -> None:
        self.display = display
        self.state_file = tmp_path / "state.json"
        self.opened = tmp_path / "opened.txt"
        opener = tmp_path / "opener.py"
        opener.write_text("import sys\nwith open(sys.argv[1], 'a', encoding='utf-8') as f:\n"
                          "    f.write(sys.argv[2] + '\\n')\n", encoding="utf-8")
        env = {**os.environ, "DISPLAY": display, "PHOTOFINDER_GUI_STATE": str(self.state_file),
               "PHOTOFINDER_OPENER": f"{sys.executable} {opener} {self.opened}"}
        self.proc = subprocess.Popen([sys.executable, "-m", "photofinder", "gui", "--index",
                                      str(index_dir)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def wait(self, what: str, ok: Callable[[dict], bool], timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state()
            if state and ok(state):
                return state
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited ({self.proc.returncode}): {self.proc.stderr.read()}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; last state: {self.state()}")

    def xdotool(self, *args: str) -> None:
        xdotool(self.display, *args)

    def type_query(self, text: str) -> None:
        """Types like a person: Cyrillic through xdotool's keysym remapping, then Return."""
        for _ in range(3):  # a lost keystroke (see xdisplay) gets a second try
            self.xdotool("type", "--delay", "40", text)
            try:
                self.wait(f"«{text}» in the field", lambda s: s.get("query") == text, 5)
                break
            except AssertionError:
                self.xdotool("key", "Escape")  # Esc clears the field
        else:
            raise AssertionError(f"xdotool could not type «{text}»: {self.state().get('query')!r}")
        self.xdotool("key", "Return")

    def close(self) -> tuple[str, str]:
        if self.proc.poll() is None:
            self.proc.terminate()
        out, err = self.proc.communicate(timeout=20)
        return out, err


@pytest.fixture
def gui_factory(xdisplay, tmp_path) -> Iterator[Callable[[Path], Gui]]:
    started: list[Gui] = []

    def start(index_dir: Path) -> Gui:
        gui = Gui(xdisplay, index_dir, tmp_path)
        started.append(gui)
        gui.wait("the index to load", lambda s: s.get("loaded"))
        return gui

    yield start
    for gui in started:
        _, err = gui.close()
        assert "Traceback" not in err, err  # errors go to the window, never the terminal


def tiles_with_thumbs(n: int) -> Callable[[dict], bool]:
    return lambda s: len(s.get("tiles", [])) >= n and s.get("thumbs_pending") == 0


# --- a synthetic index of many cats: paging and reflow need more than 8 sample photos --
@pytest.fixture(scope="module")
def many_cats(tmp_path_factory) -> Path:
    """60 generated photos, all tagged "tabby" with falling confidence, and their index.
    The tags are written directly: this tests the window, not the classifier."""
    folder = tmp_path_factory.mktemp("cats")
    index_dir = tmp_path_factory.mktemp("cats_index")
    rng = np.random.default_rng(0)
    paths, sizes, mtimes = [], [], []
    for i in range(60):
        path = folder / f"cat_{i:03d}.jpg"
        color = tuple(int(c) for c in rng.integers(40, 220, 3))
        Image.new("RGB", (320 + i, 240), color).save(path, "JPEG")
        st = stamp(path)
        paths.append(str(path))
        sizes.append(st.size)
        mtimes.append(st.mtime_ns)
    classes = np.array([[TABBY, 0, 1, 2, 3]] * 60, np.int16)
    probs = np.array([[0.95 - i * 0.01, 0.01, 0.01, 0.01, 0.01] for i in range(60)], np.float32)
    idx = index_of_tags(paths, classes, probs, sizes=sizes, mtimes=mtimes)
    index_store.save(idx, index_dir)  # vocabulary "": the engine computes the term table
    return index_dir


# --- tests ---------------------------------------------------------------------------
def test_typing_a_query_shows_the_cat_and_double_click_opens_it(gui_factory, sample_index,
                                                                xdisplay, tmp_path):
    gui = gui_factory(sample_index)
    state = gui.state()
    assert "8 фото в индексе" in state["status"] and "efficientnet-lite2 + navec" in state["status"]
    assert state["message"]["kind"] == "ready"

    gui.type_query("кошка")
    state = gui.wait("the cat's tile", tiles_with_thumbs(1))
    first = state["tiles"][0]
    assert Path(first["path"]).name == "chelsea.png"
    assert first["caption"].startswith(f"{first['score']:.2f}") and first["thumb"]
    assert state["note"].startswith("Найдено")
    assert "поиск «кошка»" in state["status"]
    # the photo itself is on the screen inside its tile, not the grey placeholder
    gui.xdotool("mousemove", "1279", "799")  # off the window: no tooltip over the tile
    time.sleep(0.3)
    shot = Image.open(screenshot(xdisplay, "gui_search_cat_grid", tmp_path))
    st = os.stat(first["path"])
    thumb = ThumbnailCache(sample_index / THUMB_DIR).get(first["path"], st.st_size, st.st_mtime_ns)
    assert difference_inside(shot, first, thumb) < 8

    x, y = first["x"] + first["w"] // 2, first["y"] + first["h"] // 2
    gui.xdotool("mousemove", str(x), str(y))
    gui.xdotool("click", "--repeat", "2", "--delay", "80", "1")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not gui.opened.exists():
        time.sleep(0.05)
    time.sleep(0.2)
    assert gui.opened.read_text(encoding="utf-8").split() == [first["path"]]
    # the tooltip (its background colour; 0.4 s delay) is up, right below the mouse, big
    # enough for the tags: looked for until 10 s have passed (a busy machine draws late)
    deadline = time.monotonic() + 10
    box = None
    while box is None and time.monotonic() < deadline:
        time.sleep(0.3)
        shot = Image.open(screenshot(xdisplay, "gui_search_cat", tmp_path))
        box = colour_box(shot, ImageColor.getrgb(TOOLTIP_BG))
    assert box is not None, "no tooltip on the screen"
    left, top, right, bottom = box
    assert 0 <= left - x <= 40 and 0 <= top - y <= 40, (box, (x, y))
    assert right - left > 300 and bottom - top > 100, box


def test_weak_matches_are_drawn_under_the_divider(gui_factory, sample_index, xdisplay,
                                                  tmp_path):
    """«транспорт»: the scooter first of two strong matches; the weak ones come on their own
    rows under «Возможно — слабые совпадения», greyed."""
    gui = gui_factory(sample_index)
    gui.type_query("транспорт")
    state = gui.wait("strong and weak tiles", lambda s: tiles_with_thumbs(2)(s)
                     and any(t["weak"] for t in s["tiles"]))
    strong = [t for t in state["tiles"] if not t["weak"]]
    weak = [t for t in state["tiles"] if t["weak"]]
    assert Path(strong[0]["path"]).name == "motorcycle_left.png"
    assert state["weak_divider"]
    assert min(t["y"] for t in weak) > max(t["y"] + t["h"] for t in strong) + 20  # the divider row
    assert len({t["y"] for t in weak}) == 1 and min(t["x"] for t in weak) == strong[0]["x"]
    assert "возможно ещё" in state["note"]
    screenshot(xdisplay, "gui_weak", tmp_path, state["window"])


def test_nothing_found_suggests_words_and_escape_clears(gui_factory, sample_index, xdisplay,
                                                        tmp_path):
    gui = gui_factory(sample_index)
    gui.type_query("слон")  # a vocabulary word that none of the sample photos shows
    state = gui.wait("nothing found", lambda s: (s.get("message") or {}).get("kind") == "empty")
    assert state["message"]["title"] == "Ничего не найдено"
    assert state["message"]["suggestions"] and state["tiles"] == []
    screenshot(xdisplay, "gui_nothing_found", tmp_path, state["window"])
    gui.xdotool("key", "Escape")
    state = gui.wait("a cleared field", lambda s: s.get("query") == ""
                     and s["message"]["kind"] == "ready")


def test_similar_photos_from_the_context_menu(gui_factory, sample_index, xdisplay, tmp_path):
    """Right click on a photo, «Похожие фото»: the grid shows the other photos ranked by
    how alike they look, best first, without the photo itself."""
    gui = gui_factory(sample_index)
    gui.type_query("кошка")
    first = gui.wait("the cat's tile", tiles_with_thumbs(1))["tiles"][0]
    gui.xdotool("mousemove", str(first["x"] + first["w"] // 2), str(first["y"] + first["h"] // 2))
    gui.xdotool("click", "3")
    menu = gui.wait("the context menu", lambda s: "Похожие фото" in s.get("menu", {}))["menu"]
    assert list(menu) == ["Открыть", "Копировать путь", "Показать в папке", "Похожие фото"]
    screenshot(xdisplay, "gui_menu", tmp_path)
    x, y = menu["Похожие фото"]
    gui.xdotool("mousemove", str(x), str(y))
    time.sleep(0.2)
    gui.xdotool("click", "1")
    state = gui.wait("similar photos", lambda s: "похожие на chelsea.png" in s.get("note", "")
                     and s.get("thumbs_pending") == 0 and len(s.get("tiles", [])) > 1)
    paths = [Path(t["path"]).name for t in state["tiles"]]
    assert "chelsea.png" not in paths and len(paths) == 7  # the other sample photos
    scores = [t["score"] for t in state["tiles"]]
    assert scores == sorted(scores, reverse=True)
    screenshot(xdisplay, "gui_similar", tmp_path, state["window"])


def test_first_run_without_an_index_shows_the_welcome(gui_factory, tmp_path, xdisplay):
    gui = gui_factory(tmp_path / "no-index-yet")
    state = gui.state()
    assert state["message"]["kind"] == "welcome"
    assert "Добавить папку" in state["message"]["text"]
    assert state["status"] == "индекса нет"
    screenshot(xdisplay, "gui_welcome", tmp_path, state["window"])


def test_a_damaged_index_is_shown_in_the_window(gui_factory, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "index.json").write_text("{oops", encoding="utf-8")
    gui = gui_factory(damaged)
    state = gui.state()
    assert state["message"]["kind"] == "error" and "повреждён" in state["message"]["text"]
    _, err = gui.close()
    assert err == ""  # not a word in the terminal


def test_pages_scrolling_and_reflow_on_resize(gui_factory, many_cats, xdisplay, tmp_path):
    gui = gui_factory(many_cats)
    gui.type_query("кошка")
    state = gui.wait("the first page", tiles_with_thumbs(40))
    assert len(state["tiles"]) == 40 and state["results"] == 60  # one page drawn of 60
    scores = [t["score"] for t in state["tiles"]]
    assert scores == sorted(scores, reverse=True)
    wide = len({t["x"] for t in state["tiles"]})

    win = gui.state()["window"]
    gui.xdotool("search", "--sync", "--classname", "photofinder", "windowsize", "%@", "600", "700")
    state = gui.wait("fewer columns", lambda s: s["window"][2] <= 620
                     and 0 < len({t["x"] for t in s["tiles"]}) < wide)
    narrow = len({t["x"] for t in state["tiles"]})
    assert narrow < wide and win[2] > 620

    # the wheel at the bottom loads the next page
    tile = state["tiles"][0]
    gui.xdotool("mousemove", str(tile["x"] + 20), str(tile["y"] + 20))
    for _ in range(10):
        gui.xdotool("click", "--repeat", "10", "--delay", "10", "5")
        if len(gui.state()["tiles"]) == 60:
            break
    state = gui.wait("the second page", tiles_with_thumbs(60))
    screenshot(xdisplay, "gui_narrow", tmp_path, state["window"])


# --- indexing from the app (in-process: no folder dialog, and the loop is watched) ---
class Heartbeat:
    """Measures the longest gap between Tk loop turns: a frozen window shows as a gap."""

    def __init__(self, root) -> None:
        self.root, self.last, self.worst = root, time.perf_counter(), 0.0
        self._beat()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now
        self.root.after(20, self._beat)


@pytest.fixture
def app_factory(xdisplay, tmp_path):
    import tkinter as tk

    from photofinder.gui.app import App

    made = []

    def make(index_dir: Path):
        root = tk.Tk(screenName=xdisplay, className="photofinder")
        opened: list[str] = []
        app = App(root, index_dir, opener=opened.append)
        made.append(app)
        return app, opened

    yield make
    for app in made:
        if not app.closing:
            app.close()
    made.clear()
    # a closed App is a reference cycle: collect it here, on the Tk thread, or the cyclic
    # GC may free its images on a daemon thread later ("main thread is not in main loop")
    gc.collect()


def pump_until(app, ok: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.root.update()
        if ok():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}: {describe(app)}")


def test_adding_a_folder_indexes_it_with_a_progress_bar_and_stays_responsive(
        app_factory, sample_photos, tmp_path, xdisplay):
    app, opened = app_factory(tmp_path / "new-index")
    pump_until(app, lambda: app.message is not None and app.message.kind == "welcome", 60,
               "the welcome")
    beat = Heartbeat(app.root)
    app.add_folder(sample_photos)
    assert app.indexing.frame.winfo_manager() == "grid"  # the progress bar is shown
    saw_progress = []

    def indexed() -> bool:
        if app.indexing.job is not None and str(app.indexing.label.cget("text")).startswith("разметка"):
            saw_progress.append(app.indexing.label.cget("text"))
        return app.indexing.job is None and app.info is not None

    pump_until(app, indexed, 300, "indexing to finish")
    assert "разметка закончена" in app.note
    assert saw_progress and "из 8" in saw_progress[-1]
    print(f"longest Tk loop gap while indexing: {beat.worst:.3f} s")  # pytest -rP shows it
    assert beat.worst < 1.5, f"the window froze for {beat.worst:.2f} s"
    app.search("кошка")
    pump_until(app, lambda: bool(app.grid.tiles) and not app.grid.pending_thumbs, 60, "the cat")
    assert Path(app.grid.tiles[0][0].path).name == "chelsea.png"
    app.grid.open_tile(0)
    assert opened == [app.grid.tiles[0][0].path]


def test_cancel_stops_indexing_and_searching_works_meanwhile(app_factory, sample_index,
                                                             tmp_path):
    # a copy of the sample index, so the session's index stays as it was
    index_dir = tmp_path / "index"
    shutil.copytree(sample_index, index_dir)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(400):
        Image.new("RGB", (300, 200), (i % 256, 80, 160)).save(folder / f"p{i:03d}.jpg")
    app, _ = app_factory(index_dir)
    pump_until(app, lambda: app.info is not None, 60, "the index")
    app.add_folder(folder)
    pump_until(app, lambda: app.indexing.job is not None and app.indexing.progress["value"] >= 16, 300,
               "the first photos tagged")
    # the old index still answers while the new folder is tagged
    app.search("кошка")
    pump_until(app, lambda: bool(app.grid.tiles), 60, "a search during indexing")
    assert Path(app.grid.tiles[0][0].path).name == "chelsea.png"
    app.indexing.cancel()
    pump_until(app, lambda: app.indexing.job is None, 120, "the cancel")
    assert "разметка отменена" in app.note
    pump_until(app, lambda: app.info is not None and app.info.photos > 8, 60, "the reload")
    assert app.info.photos < 8 + 400
