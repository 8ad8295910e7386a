"""`photofinder index --ray ray://HOST:PORT`: a Ray cluster reached through its client
port, as a user on a laptop reaches a head on another machine. Here the head is a real
`ray start --head` on the loopback (never another host), stopped afterwards; this file
runs after test_cluster.py, whose in-process Ray would otherwise join this head."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from photofinder import index as index_store

from .conftest import TAGGER, run_cli

COCO_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "coco-dev"
PHOTOS = 4


def free_ports(n: int) -> list[int]:
    """n different ports free now: each socket stays bound until all are picked, so the
    system cannot hand one port out twice."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")
def ray_head():
    """`ray start --head` with a client server port; yields the ray:// address."""
    pytest.importorskip("ray", reason="ray not installed: pip install -e '.[cluster]'")
    ray_cli = Path(sys.executable).with_name("ray")
    if not ray_cli.is_file():
        pytest.skip(f"no ray command next to {sys.executable}")
    # The head starts a server process for each client and gives it 30 s to answer; on
    # two busy cores that once ran out ("Initialization failure from server", empty
    # message, in a CI run while another indexing job shared the machine): 120 s.
    env = {**os.environ, "RAY_CLIENT_SERVER_CHECK_CHANNEL_TIMEOUT_S": "120"}
    # free_ports() only finds ports that were free a moment ago: another process may take
    # one before the head binds it. A start that fails is stopped and tried once more on
    # new ports; a second failure errors with what `ray start` said, not a bare exit code.
    for attempt in (1, 2):
        gcs_port, client_port = free_ports(2)
        start = subprocess.run(
            [str(ray_cli), "start", "--head", "--num-cpus", "2", "--node-ip-address", "127.0.0.1",
             "--include-dashboard=false", "--port", str(gcs_port),
             "--ray-client-server-port", str(client_port)],
            capture_output=True, text=True, timeout=180, env=env)
        if start.returncode == 0:
            break
        subprocess.run([str(ray_cli), "stop", "--force"], capture_output=True, timeout=120)
        if attempt == 2:
            pytest.fail(f"ray start --head failed twice (exit {start.returncode}):\n"
                        f"{start.stdout[-2000:]}\n{start.stderr[-2000:]}")
    try:
        yield f"ray://127.0.0.1:{client_port}"
    finally:
        subprocess.run([str(ray_cli), "stop", "--force"], capture_output=True, timeout=120)


def test_a_ray_client_address_indexes_every_photo_with_the_local_tags(ray_head, tmp_path):
    if not COCO_DEV.is_dir():
        pytest.skip(f"no coco-dev photos at {COCO_DEV}")
    photos = tmp_path / "photos"
    photos.mkdir()
    for photo in sorted(COCO_DEV.glob("*.jpg"))[:PHOTOS]:
        shutil.copy(photo, photos / photo.name)
    common = ["--tagger", TAGGER, "--no-faces"]
    run_cli("index", str(photos), "--index", str(tmp_path / "local"), *common, check=True)
    proc = run_cli("index", str(photos), "--index", str(tmp_path / "client"), *common,
                   "--ray", ray_head, check=True)
    assert "Traceback" not in proc.stderr
    local = index_store.load(tmp_path / "local")
    client = index_store.load(tmp_path / "client")
    assert sorted(client.paths) == sorted(local.paths) and len(client.paths) == PHOTOS
    # the same model on the same photos: the same best tags (float16 rounding aside)
    for i, path in enumerate(local.paths):
        j = client.paths.index(path)
        assert [local.labels[c] for c in local.tags.row(i)[0][:5]] \
            == [client.labels[c] for c in client.tags.row(j)[0][:5]], path
