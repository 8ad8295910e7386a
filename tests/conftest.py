"""Shared fixtures: real sample photos, real bundled models, a real index on disk."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from photofinder.samples import copy_samples

IMAGENET_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "imagenet-samples"
TAGGER = "efficientnet-lite2"  # the offline default, pinned so a ResNet50 file cannot change results


def far_away(portrait: Path, side: int, scene_size: tuple[int, int] = (1600, 1200)):
    """A faces-dev photo (a head and shoulders, the face about 0.4 of it) shrunk to `side`
    px in a large grey scene: (the scene, where the person is in fractions of it). Its
    face is then too small for a look at the whole photo (faces.DETECT_SIDE)."""
    from PIL import Image

    from photofinder.photos import open_photo

    scene = Image.new("RGB", scene_size, (128, 132, 126))
    left, top = 700, 500
    scene.paste(open_photo(portrait).resize((side, side), Image.Resampling.LANCZOS),
                (left, top))
    return scene, (left / scene_size[0], top / scene_size[1],
                   (left + side) / scene_size[0], (top + side) / scene_size[1])


def run_cli(*args: str, check: bool = False, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs `python -m photofinder ARGS` as a user would, capturing its output."""
    proc = subprocess.run([sys.executable, "-m", "photofinder", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=600)
    return _checked(proc) if check else proc


def _checked(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    if proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def run_here(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """`photofinder ARGS` through cli.main in this process: the same parsing, work and
    output as run_cli, without a new interpreter importing torch and loading the models
    each time (an index run 3-4 s there, under 1 s here; a search 0.4 s, 0.07 s). For
    the indexes tests search and the searches whose answers they check; what only a
    process shows (its exit, its imports, signals, its environment) stays with run_cli."""
    from photofinder.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own errors and --help
            code = exc.code if isinstance(exc.code, int) else 2
    proc = subprocess.CompletedProcess(["photofinder", *args], code, out.getvalue(),
                                       err.getvalue())
    return _checked(proc) if check else proc


def search_json(index_dir: Path, query: str, *extra: str) -> list[dict]:
    proc = run_here("search", query, "--index", str(index_dir), "--json", *extra, check=True)
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def sample_photos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    copy_samples(folder)
    return folder


@pytest.fixture(scope="session")
def sample_index(sample_photos, tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("index")
    run_here("index", str(sample_photos), "--index", str(index_dir), "--tagger", TAGGER, check=True)
    return index_dir


COCO_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco-dev"


def index_of_coco_photos(tmp_path_factory, names: tuple[str, ...], name: str) -> Path:
    """A real index (the real tagger, detector and face models) of some coco-dev photos,
    copied into a folder of their own; skips without the photos or the face models."""
    from photofinder.faces import faces_available

    if not faces_available():
        pytest.skip("dlib-bin / face-recognition-models are not installed")
    if not all((COCO_DEV / photo).is_file() for photo in names):
        pytest.skip(f"no coco-dev photos under {COCO_DEV}")
    root = tmp_path_factory.mktemp(name)
    photos = root / "photos"
    photos.mkdir()
    for photo in names:
        shutil.copy(COCO_DEV / photo, photos)
    run_here("index", str(photos), "--index", str(root / "index"), "--tagger", TAGGER, check=True)
    return root / "index"


@pytest.fixture(scope="session")
def imagenet_samples() -> Path:
    if not (IMAGENET_SAMPLES / "labels.json").is_file():
        pytest.skip(f"no evaluation photos at {IMAGENET_SAMPLES} (only on the developers' machines)")
    return IMAGENET_SAMPLES


def index_of_tags(paths: list[str], classes, probs, *, sizes=None, mtimes=None,
                  tagger: dict | None = None, **fields):
    """An Index whose tags are written directly (vocabulary label ids, dense [N, K]):
    for tests of the window, the search and the store, not of the classifier."""
    import numpy as np

    from photofinder.index import Index, Tags
    from photofinder.vocabulary import load_vocabulary

    n = len(paths)
    return Index(tagger=tagger or {"name": "test-tags", "weights": ""}, vectors="navec",
                 vocabulary="", labels=[c.key for c in load_vocabulary().labels], paths=paths,
                 sizes=np.asarray(sizes if sizes is not None else np.zeros(n), np.int64),
                 mtimes=np.asarray(mtimes if mtimes is not None else np.zeros(n), np.int64),
                 hashes=np.zeros(n, np.uint64), stale=np.zeros(n, bool),
                 tag_rows=Tags.from_dense(np.asarray(classes), np.asarray(probs, np.float32)),
                 features=np.zeros((n, 0), np.float16), dhash=np.zeros(n, np.uint64),
                 taken=np.zeros(n, np.int64), **fields)


# --- the display -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def xdisplay() -> Iterator[str]:
    """A private Xvfb display for the whole session (-displayfd lets Xvfb pick a free
    number). One for all window tests: Tk exits the process when a display it still holds
    a connection to goes away, and an in-process test's closed window can outlive its
    module."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install xvfb xdotool)")
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (Debian: apt-get install xdotool)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    with os.fdopen(read_fd, "rb") as pipe:
        while not number.endswith(b"\n"):
            chunk = pipe.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        pytest.skip("Xvfb did not start")
    display = f":{int(number)}"
    if shutil.which("setxkbmap"):
        # a Russian group in the keymap: xdotool then types Cyrillic with real keys; without
        # it xdotool remaps a spare keycode per letter, and Tk now and then reads a letter
        # after the mapping was already undone, so letters go missing
        subprocess.run(["setxkbmap", "-display", display, "-layout", "us,ru"], check=False,
                       timeout=30, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield display
    proc.terminate()
    proc.wait(10)


# --- in several processes (pytest-xdist: `make test` runs -n 2 --dist loadgroup) --------
# Each test file runs in one process, so its module-scoped index is made once, not in
# each. Ray's two files start Ray clusters of their own: one process runs both, one after
# the other. Without xdist the mark is only a label.
RAY_FILES = {"test_cluster.py", "test_cluster_client.py"}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        group = "ray" if item.path.name in RAY_FILES else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))
