"""The «Люди» window in the real app under Xvfb: real faces-dev photos, their faces found
by the real dlib finder, named from the window; the name then finds them and shows in a
tile's tooltip. A screenshot of the window is saved ($PHOTOFINDER_SCREENSHOT_DIR)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from photofinder import index as index_store

from .conftest import index_of_tags
from .test_gui_window import app_factory, pump_until, screenshot  # noqa: F401

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Xvfb runs on Linux only")

FACES_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces-dev" / "photos"
PHOTOS = ["Al_Gore__1.jpg", "Al_Gore__2.jpg", "Al_Gore__3.jpg", "Sophia_Loren__1.jpg",
          "Sophia_Loren__2.jpg"]
PERSON = 1000   # the person score's column in the vocabulary's labels (see below)


@pytest.fixture(scope="module")
def faces_index(tmp_path_factory) -> Path:
    from photofinder.faces import faces_available, load_face_finder
    from photofinder.photos import open_photo
    from photofinder.vocabulary import PERSON_KEY, load_vocabulary

    if not faces_available() or not FACES_DEV.is_dir():
        pytest.skip("no face packages or no faces-dev photos")
    paths = [str(FACES_DEV / name) for name in PHOTOS]
    person = [c.key for c in load_vocabulary().labels].index(PERSON_KEY)
    idx = index_of_tags(paths, np.full((len(paths), 1), person), np.full((len(paths), 1), 0.9))
    finder = load_face_finder()
    for row, path in enumerate(paths):
        faces = finder.find(open_photo(Path(path)))
        idx.faces.add(row, np.array([f.box for f in faces]), np.array([f.embedding for f in faces]))
    idx.faces.group()
    folder = tmp_path_factory.mktemp("faces-index")
    index_store.save(idx, folder)
    return folder


def test_people_window_names_a_person_and_the_name_finds_them(app_factory, faces_index,  # noqa: F811
                                                              xdisplay, tmp_path):  # noqa: F811
    app, _ = app_factory(faces_index)
    pump_until(app, lambda: app.info is not None, 60, "the index")
    window = app.show_people()
    pump_until(app, lambda: bool(window.buttons), 60, "the faces")
    assert len(window.cards) >= 2 and all(c.name is None for c in window.cards)
    gore = next(c for c in window.cards if Path(c.sample).name.startswith("Al_Gore"))
    assert gore.photos >= 2 and "Без имени" in window.buttons[gore.id].cget("text")
    window.ask = lambda title, prompt, initial: "Маша"   # what the user types in the dialog
    window.name(gore)
    pump_until(app, lambda: "Маша" in str(window.buttons.get(gore.id, window.status).cget("text"))
               and gore.id in window.buttons, 60, "the new name on the card")
    assert index_store.load(faces_index).faces.names == {gore.id: "Маша"}
    app.root.update()
    shot = screenshot(xdisplay, "people-window", tmp_path)
    assert shot.stat().st_size > 0
    app.search("Маши")
    pump_until(app, lambda: app.searching.view is not None and bool(app.searching.view.tiles),
               60, "the search by name")
    tiles = app.searching.view.tiles
    assert all(Path(t.path).name.startswith("Al_Gore") for t in tiles if not t.weak)
    assert "Люди: Маша" in tiles[0].tooltip
