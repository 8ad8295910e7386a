"""Tagging on a Ray cluster (`photofinder index DIR --ray ADDRESS`, the `cluster` extra).

The driver (this process) walks, plans, writes the words, checkpoints and saves as a
local run does (indexer.py); only the tagging moves: Ray actors each load the model
once (a CPU slot each, or a GPU each with --device cuda), batches of photos go out as
paths, and compact rows (tags, features, hashes, date, the keywords in the file) come
back. Imported only for --ray: search, the GUI and a plain `index` never load Ray.

Nothing is lost: an actor whose process dies is restarted by Ray and its batch run
again (max_task_retries); a batch that still fails is split and its photos tried one
by one, so only a photo that kills its worker every time is skipped, with that
reason. The driver killed outright resumes from its last checkpoint like a local run.
Workers must see the photos at the same path (a shared folder): checked up front.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from .errors import ModelUnavailableError, PhotofinderError, UsageError
from .heads import Heads
from .index import Rows
from .model_choice import Model
from .plan import Found
from .tagging import Columns
from .tagsource import LocalSource, Tagged

INSTALL_HINT = "для --ray нужен пакет ray: pip install 'photofinder[cluster]'"
BATCHES_PER_CALL = 4     # model batches per remote call: Ray's ~1 ms per call stays small
CALLS_IN_FLIGHT = 2      # per actor: the next call waits in its queue, no idle gap between
TASK_RETRIES = 2         # Ray runs a dead actor's call again this often, then we split it
SHARED_SAMPLE = 8        # photos each worker checks it can see before any work


def import_ray():
    """ray, or one line naming the package to install (exit 5)."""
    try:
        import ray
    except ImportError:
        raise ModelUnavailableError(INSTALL_HINT) from None
    return ray


def connect(address: str, num_cpus: int | None = None) -> None:
    """Joins (auto, ray://HOST:PORT) or starts (local) a Ray cluster; one line if it fails."""
    # before ray is imported, which reads it: `ray start --head` turns token
    # authentication on when a token exists, but a driver joining it (ray 2.60) does
    # not, and is refused: do what the head did
    if address != "local" and "RAY_AUTH_MODE" not in os.environ and _token_available():
        os.environ["RAY_AUTH_MODE"] = "token"
    ray = import_ray()
    if ray.is_initialized():  # tests and notebooks start their own
        return
    options = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                   configure_logging=True)
    if address == "local":
        # a private Ray: every port on the loopback, nothing reachable from outside
        target = dict(address="local", num_cpus=num_cpus, _node_ip_address="127.0.0.1")
    elif address == "auto" or address.startswith("ray://"):
        target = dict(address=address)
        options.pop("include_dashboard")
    else:
        raise UsageError(f"--ray: ожидается auto, local или ray://ХОСТ:ПОРТ, а не «{address}»")
    # A ray:// head starts a server process for each client, and on a busy head that can
    # miss its deadline ("Initialization failure from server", seen in CI on two cores):
    # a client is let try CLIENT_ATTEMPTS times before it gives up.
    attempts = CLIENT_ATTEMPTS if address.startswith("ray://") else 1
    for attempt in range(1, attempts + 1):
        try:
            ray.init(**target, **options)
            return
        except Exception as exc:  # noqa: BLE001 - Ray raises ConnectionError, RuntimeError, ...
            if attempt < attempts and "Initialization failure" in str(exc):
                time.sleep(CLIENT_RETRY_S)
                continue
            hint = ("запустите его: ray start --head" if address == "auto" else
                    "нужен пакет ray[client] и доступный адрес" if address.startswith("ray://") else "")
            raise PhotofinderError(f"не удалось подключиться к кластеру Ray ({address}): "
                                   f"{_reason(exc)}" + (f"; {hint}" if hint else "")) from None


CLIENT_ATTEMPTS = 3
CLIENT_RETRY_S = 5.0


def _reason(exc: Exception) -> str:
    """One line of a Ray error: its first, and when that only announces the server's
    traceback ("Initialization failure from server:"), the traceback's last line too."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    reason = lines[0] + (f" {lines[-1]}" if lines[0].endswith(":") and len(lines) > 1 else "")
    return reason[:200]


def _token_available() -> bool:
    """A Ray cluster token where Ray looks for one (RAY_AUTH_TOKEN, its path, ~/.ray)."""
    return bool(os.environ.get("RAY_AUTH_TOKEN")) or any(
        Path(p).is_file() for p in (os.environ.get("RAY_AUTH_TOKEN_PATH", ""),
                                    Path.home() / ".ray" / "auth_token") if p)


class _Worker:
    """One Ray actor: the model loaded once, today's local pipeline over each batch."""

    def __init__(self, name: str, weights: str | None, regions: bool, device: str,
                 threads: int, objects: bool = False) -> None:
        from .detector import load_detector
        from .tagger import load_tagger

        tagger = load_tagger(name, Path(weights) if weights else None, device,
                             regions=regions, threads=threads)
        self.source = LocalSource(tagger, decode_workers=threads if device == "cpu" else 4,
                                  detector=load_detector(threads=threads) if objects else None)

    def identity(self) -> tuple[dict[str, str], int]:
        return dict(self.source.identity), self.source.batch_size

    def missing(self, photos: list[tuple[str, int]]) -> tuple[str, list[str]]:
        """This node's name and the photos it cannot see as the driver does (absent, or
        another size: another file at the same path)."""
        gone = []
        for path, size in photos:
            try:
                if os.stat(path).st_size != size:
                    gone.append(path)
            except OSError:
                gone.append(path)
        return socket.gethostname(), gone

    def pid(self) -> int:
        """The actor's process (the tests kill it mid-run)."""
        return os.getpid()

    def tag(self, columns: Columns, heads: Heads | None, photos: list[Found],
            batch_size: int) -> Tagged:
        parts = list(self.source.tag(photos, columns, heads, batch_size, None))
        rows = [p.rows for p in parts if p.rows is not None]
        people = [p.people for p in parts if p.rows is not None]
        return Tagged(Rows.joined(rows) if rows else None,
                      [t for p in parts for t in p.texts], [g for p in parts for g in p.gps],
                      [s for p in parts for s in p.skipped],
                      None if any(b is None for b in people) else [b for p in people for b in p])


class RaySource:
    """A TagSource whose photos are tagged by `actors` Ray actors (default: one per CPU
    of the cluster, or one per GPU with device cuda)."""

    def __init__(self, model: Model, actors: int | None = None, threads: int = 1) -> None:
        ray = import_ray()
        gpu = model.device.startswith("cuda")
        resources = ray.cluster_resources()
        slots = int(resources.get("GPU", 0) if gpu else resources.get("CPU", 0) // threads)
        if gpu and slots == 0:
            raise PhotofinderError("--device cuda: в кластере Ray нет ни одного GPU")
        count = actors or max(1, slots)
        worker = ray.remote(_Worker).options(
            num_cpus=0 if gpu else threads, num_gpus=1 if gpu else 0,
            max_restarts=-1, max_task_retries=TASK_RETRIES)
        weights = str(model.weights) if model.weights else None
        device = "cuda" if gpu else "cpu"  # each actor sees its own GPU as cuda:0
        self.ray = ray
        self.actors = [worker.remote(model.name, weights, model.regions, device, threads,
                                     model.objects)
                       for _ in range(count)]
        try:
            identity, self.batch_size = ray.get(self.actors[0].identity.remote())
        except Exception as exc:  # noqa: BLE001 - the model failed to load on a worker
            self.close()
            raise PhotofinderError(f"модель не загрузилась на узле Ray: {_cause(exc)}") from None
        self.identity, self.name = identity, identity["name"]

    def check_shared(self, photos: list[Found]) -> None:
        """Every worker must see the photos at the driver's paths: one line if one cannot."""
        step = max(1, len(photos) // SHARED_SAMPLE)
        sample = [(f.path, f.size) for f in photos[::step][:SHARED_SAMPLE]]
        if photos and photos[-1].path not in (p for p, _ in sample):
            sample.append((photos[-1].path, photos[-1].size))
        for host, gone in self.ray.get([a.missing.remote(sample) for a in self.actors]):
            if gone:
                raise PhotofinderError(
                    f"узел Ray {host} не видит фото по тому же пути ({gone[0]}): папка с фото "
                    "должна быть общей (NFS, SMB) и смонтирована по одному пути на всех машинах")

    def tag(self, photos: list[Found], columns: Columns, heads: Heads | None, batch_size: int,
            stop: threading.Event | None) -> Iterator[Tagged]:
        ray = self.ray
        self.check_shared(photos)
        columns_ref, heads_ref = ray.put(columns), ray.put(heads)
        per_call = batch_size * BATCHES_PER_CALL
        todo: deque[tuple[list[Found], bool]] = deque(  # (photos, split already)
            (photos[i:i + per_call], False) for i in range(0, len(photos), per_call))
        running: dict = {}   # ObjectRef -> (actor number, photos, split already)

        def submit(actor: int) -> None:
            if todo:
                chunk, split = todo.popleft()
                ref = self.actors[actor].tag.remote(columns_ref, heads_ref, chunk, batch_size)
                running[ref] = (actor, chunk, split)

        for _ in range(CALLS_IN_FLIGHT):
            for actor in range(len(self.actors)):
                submit(actor)
        while running:
            if stop is not None and stop.is_set():
                for ref in running:
                    ray.cancel(ref, force=False)
                return
            ready, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
            for ref in ready:
                actor, chunk, split = running.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - the actor died past its retries
                    if len(chunk) > 1:  # find the photo that kills it: each one alone
                        todo.extendleft(([f], True) for f in reversed(chunk))
                    elif not split:
                        todo.appendleft((chunk, True))
                    else:
                        yield Tagged(skipped=[(chunk[0].path, "обработчик Ray падает на этом "
                                               f"фото ({type(exc).__name__})", "")])
                submit(actor)

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []


def _cause(exc: BaseException) -> str:
    text = str(getattr(exc, "cause", None) or exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__)[:160]


def ray_source(address: str, actors: int | None = None, num_cpus: int | None = None):
    """update_index's tag_source for `--ray ADDRESS`: connects now (one line if it fails),
    starts the actors when the indexer needs the model."""
    connect(address, num_cpus)
    return lambda model: RaySource(model, actors)
