"""Tagging on a real local Ray cluster (photofinder[cluster]): the same index as a local
run, nothing lost when a worker dies, workers that cannot see the photos named, and Ray
never loaded by search, the GUI or a plain index. Everything stays on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photofinder import index as index_store
from photofinder import indexer
from photofinder.errors import PhotofinderError
from photofinder.index_model import PHOTO_COLUMNS
from photofinder.plan import Found
from photofinder.vectors import load_vectors
from photofinder.vocabulary import load_vocabulary

from .conftest import TAGGER, run_cli, run_here, search_json

COCO_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco-dev"
PHOTOS = 12   # coco-dev photos per test: enough for several batches on two actors


@pytest.fixture(scope="module")
def coco_photos(tmp_path_factory) -> Path:
    if not COCO_DEV.is_dir():
        pytest.skip(f"no coco-dev photos at {COCO_DEV}")
    folder = tmp_path_factory.mktemp("coco")
    for photo in sorted(COCO_DEV.glob("*.jpg"))[:PHOTOS]:
        shutil.copy(photo, folder / photo.name)
    return folder


@pytest.fixture(scope="module")
def ray_cluster():
    """A real Ray in this process: two CPU slots on the loopback, stopped afterwards."""
    ray = pytest.importorskip("ray", reason="ray not installed: pip install -e '.[cluster]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             _node_ip_address="127.0.0.1")
    yield ray
    ray.shutdown()


def top5(idx) -> dict[str, list[str]]:
    return {path: [idx.labels[c] for c in idx.tags.row(i)[0][:5]]
            for i, path in enumerate(idx.paths)}


def test_ray_index_equals_a_local_index(coco_photos, tmp_path):
    pytest.importorskip("ray", reason="ray not installed: pip install -e '.[cluster]'")
    local, remote = tmp_path / "local", tmp_path / "ray"
    run_here("index", str(coco_photos), "--index", str(local), "--tagger", TAGGER, check=True)
    proc = run_cli("index", str(coco_photos), "--index", str(remote), "--tagger", TAGGER,
                   "--ray", "local", check=True)
    assert f"{PHOTOS} фото (новых {PHOTOS}," in proc.stdout, proc.stdout + proc.stderr
    a, b = index_store.load(local), index_store.load(remote)
    assert sorted(a.paths) == sorted(b.paths) and len(b) == PHOTOS
    assert a.tagger == b.tagger
    order = [b.paths.index(p) for p in a.paths]
    top_a, top_b = top5(a), top5(b)
    agree = np.mean([len(set(top_a[p]) & set(top_b[p])) / 5 for p in a.paths])
    assert agree >= 0.98, agree
    for i, j in enumerate(order):   # every tag of every photo, its score within float16 rounding
        la, sa, ra = a.tags.row(i)
        lb, sb, rb = b.tags.row(j)
        tags_a = {a.labels[c]: s for c, s in zip(la, sa)}
        tags_b = {b.labels[c]: s for c, s in zip(lb, sb)}
        for key in tags_a.keys() & tags_b.keys():
            assert abs(tags_a[key] - tags_b[key]) <= 2e-3 + 2e-3 * tags_a[key], (a.paths[i], key)
        # tags near IMAGENET_FLOOR may cross it: only faint ones may differ
        assert all(s < 0.02 for k, s in tags_a.items() if k not in tags_b), a.paths[i]
    np.testing.assert_allclose(a.features.astype(np.float32), b.features[order].astype(np.float32),
                               atol=2e-2, rtol=1e-2)
    for column in ("hashes", "dhash", "taken", "sizes", "mtimes", *PHOTO_COLUMNS):
        mine, theirs = getattr(a, column), getattr(b, column)
        if mine is None or theirs is None:  # a column no photo has (no video: no duration)
            assert mine is None and theirs is None, column
            continue
        assert np.array_equal(mine, theirs[order], equal_nan=mine.dtype.kind == "f"), column
    assert [a.words_of(i) for i in range(len(a))] == [b.words_of(j) for j in order]
    hits = [h["path"] for h in search_json(remote, "собака")]
    assert hits == [h["path"] for h in search_json(local, "собака")]


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime


def test_a_worker_killed_mid_run_loses_no_photo(ray_cluster, coco_photos, tmp_path):
    import threading

    from photofinder.cluster import RaySource

    killed: list[int] = []

    def kill_when_busy(pid: int) -> None:
        # an actor burns CPU only while it tags: 0.3 s of it means a batch is in its
        # hands (two are queued for it, 4 photos each), and this kill loses it
        start = cpu_ticks(pid)
        while cpu_ticks(pid) - start < 0.3 * os.sysconf("SC_CLK_TCK"):
            threading.Event().wait(0.02)
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    def source(model):
        made = RaySource(model, actors=2)   # returns once actor 0 has loaded its model
        pid = ray_cluster.get(made.actors[0].pid.remote())
        threading.Thread(target=kill_when_busy, args=(pid,), daemon=True).start()
        return made

    report = indexer.update_index(
        [coco_photos], tmp_path / "index", load_vocabulary(), lambda: load_vectors("navec"),
        choice=indexer.ModelChoice(TAGGER), tag_source=source, batch_size=1)
    assert killed and report.added == PHOTOS and not report.skipped, report.skipped
    idx = index_store.load(tmp_path / "index")
    assert sorted(idx.paths) == sorted(str(p) for p in coco_photos.glob("*.jpg"))
    assert all(len(idx.tags.row(i)[0]) for i in range(len(idx)))


def test_workers_that_cannot_see_the_photos_are_named_in_one_line(ray_cluster, coco_photos):
    from photofinder.cluster import RaySource
    from photofinder.model_choice import ModelChoice, resolve_model

    source = RaySource(resolve_model(ModelChoice(TAGGER), None, False)[0], actors=1)
    try:
        photo = sorted(coco_photos.glob("*.jpg"))[0]
        size = photo.stat().st_size
        source.check_shared([Found(str(photo), size, 0)])   # seen: no error
        for found in (Found("/nonexistent/shared/a.jpg", size, 0),   # not mounted there
                      Found(str(photo), size + 1, 0)):                # another file there
            with pytest.raises(PhotofinderError, match="не видит фото по тому же пути") as err:
                source.check_shared([Found(str(photo), size, 0), found])
            assert found.path in str(err.value) and "\n" not in str(err.value)
    finally:
        source.close()


def test_without_ray_the_option_is_one_line_naming_the_package(coco_photos, tmp_path):
    hidden = tmp_path / "no-ray"
    (hidden / "ray").mkdir(parents=True)
    (hidden / "ray" / "__init__.py").write_text("raise ImportError('ray hidden by the test')\n")
    path = os.pathsep.join([str(hidden), os.environ.get("PYTHONPATH", "")])
    proc = run_cli("index", str(coco_photos), "--index", str(tmp_path / "ix"), "--ray", "auto",
                   env={"PYTHONPATH": path})
    assert proc.returncode == 5
    assert proc.stderr.strip() == \
        "photofinder: для --ray нужен пакет ray: pip install 'photofinder[cluster]'"
    assert not (tmp_path / "ix").exists()


def test_search_the_gui_and_a_plain_index_never_import_ray(sample_photos, tmp_path):
    code = (
        "import sys\n"
        "from photofinder.cli import main\n"
        "import photofinder.gui.app, photofinder.gui.indexing\n"
        f"assert main(['index', {str(sample_photos)!r}, '--index', {str(tmp_path)!r}, "
        f"'--tagger', {TAGGER!r}]) == 0\n"
        f"assert main(['search', 'кошка', '--index', {str(tmp_path)!r}]) == 0\n"
        "loaded = sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.'))\n"
        "assert not loaded and 'photofinder.cluster' not in sys.modules, loaded\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_the_driver_killed_outright_resumes_from_its_checkpoint(ray_cluster, coco_photos,
                                                                 tmp_path):
    """kill -9 of `index --ray auto` (joining the running cluster) after its first
    checkpoint: the index on disk loads, and a rerun tags only what was not saved."""
    import time

    index_dir = tmp_path / "index"
    # as a user's shell: no RAY_AUTH_MODE (this process's ray.init set it, joining needs it)
    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_MODE"}
    env["RAY_ADDRESS"] = ray_cluster.get_runtime_context().gcs_address
    driver = subprocess.Popen(
        [sys.executable, "-m", "photofinder", "index", str(coco_photos), "--index",
         str(index_dir), "--tagger", TAGGER, "--ray", "auto", "--batch-size", "1",
         "--checkpoint-every", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300   # a safety net, not a timed assertion
        while not index_store.exists(index_dir) and driver.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert driver.poll() is None, driver.communicate()
        driver.send_signal(signal.SIGKILL)
    finally:
        driver.kill()
        driver.communicate()
    saved = len(index_store.load(index_dir))
    assert 2 <= saved < PHOTOS
    proc = subprocess.run([sys.executable, "-m", "photofinder", "index", str(coco_photos),
                           "--index", str(index_dir), "--ray", "auto"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert f"{PHOTOS} фото (новых {PHOTOS - saved}, изменённых 0, без изменений {saved}," \
        in proc.stdout, proc.stdout
    assert sorted(index_store.load(index_dir).paths) == \
        sorted(str(p) for p in coco_photos.glob("*.jpg"))


class _BusyHead:
    """Stands in for the ray module: ray.init fails `failures` times the way a ray:// head
    does when the client's server process misses its deadline, then connects."""

    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def is_initialized(self) -> bool:
        return False

    def init(self, **kwargs) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionAbortedError("Initialization failure from server:\nTraceback (most recent call "
                                         "last):\n  ...\nRuntimeError: Starting Ray client server failed.")


def test_a_busy_ray_head_is_tried_again_and_its_real_reason_said(monkeypatch):
    from photofinder import cluster

    monkeypatch.setattr(cluster, "CLIENT_RETRY_S", 0.0)
    head = _BusyHead(failures=2)
    monkeypatch.setattr(cluster, "import_ray", lambda: head)
    cluster.connect("ray://127.0.0.1:10001")                  # the third try connects
    assert head.calls == 3
    head = _BusyHead(failures=3)
    monkeypatch.setattr(cluster, "import_ray", lambda: head)
    with pytest.raises(PhotofinderError) as failed:
        cluster.connect("ray://127.0.0.1:10001")
    assert head.calls == 3 and "\n" not in str(failed.value)
    # the line says what the server said, not only that it said something
    assert "Initialization failure from server: RuntimeError: Starting Ray client server failed." \
        in str(failed.value)
