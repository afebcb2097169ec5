"""What keeps an import from locking the site, and two imports from colliding.

- ``reads_only``: while a batch reads and checks its rows (and during the whole of a dry run)
  the database connection refuses any write, and on SQLite any ``BEGIN IMMEDIATE``: that part
  holds no write lock, so page views and logins go on, and a crash in it leaves nothing behind.
- ``one_import_at_a_time``: batches of one kind into one regency run one after another (a
  PostgreSQL advisory lock, or a file lock under ``VAR_DIR``), from the first row read to the
  commit, so a batch checks its rows against what the one before it wrote: the same file sent
  twice at once cannot add a child twice. Both locks go with the process that holds them.
"""

from __future__ import annotations

import fcntl
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

#: Statements a reading phase must not run (``BEGIN IMMEDIATE``: SQLite's write lock).
_WRITES = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
    "COPY",
    "BEGIN IMMEDIATE",
    "BEGIN EXCLUSIVE",
)

#: How long a batch waits for the one before it, at most: under gunicorn's request timeout
#: (docs/deployment.md), since a small upload runs inside its request.
LOCK_WAIT_SECONDS = 90
#: How often a waiting batch says it is alive (``heartbeat``).
HEARTBEAT_SECONDS = 5


class WriteRefused(RuntimeError):
    """A reading phase of an import tried to write: a bug in the importer, never the file's fault."""


class ImportBusy(Exception):
    """Another batch of the same kind into the same regency did not finish in time."""


@contextmanager
def reads_only(phase: str) -> Iterator[None]:
    """Refuse every write on the default connection while the block runs (``phase`` names it
    in the error)."""

    def refuse(execute, sql, params, many, context):
        if sql.lstrip()[:16].upper().startswith(_WRITES):
            raise WriteRefused(f"{phase} must not write to the database: {sql[:120]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def _key(kind: str, kabupaten_id: str) -> int:
    return zlib.crc32(f"tumbuh-import:{kind}:{kabupaten_id}".encode())


@contextmanager
def one_import_at_a_time(
    kind: str, kabupaten_id: str, heartbeat: Callable[[], None] | None = None, wait: float | None = None
) -> Iterator[None]:
    """Hold the lock of (``kind``, ``kabupaten_id``) while the block runs; wait up to ``wait``
    seconds (``LOCK_WAIT_SECONDS``) for it, calling ``heartbeat`` every few seconds meanwhile,
    else ``ImportBusy``."""
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    if connection.vendor == "postgresql":
        # On a connection of its own: its session holds the lock whatever the batch's
        # transaction does, and closing it gives the lock back.
        lock_connection = connections.create_connection(DEFAULT_DB_ALIAS)
        key = _key(kind, kabupaten_id)

        def take() -> bool:
            with lock_connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                return bool(cursor.fetchone()[0])

        try:
            with _held(take, lambda: None, heartbeat, wait):
                yield
        finally:
            lock_connection.close()
        return
    folder = Path(settings.VAR_DIR) / "import-locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{kind}-{kabupaten_id}.lock").open("a+b") as handle:

        def take_file() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        with _held(take_file, lambda: fcntl.flock(handle, fcntl.LOCK_UN), heartbeat, wait):
            yield


@contextmanager
def _held(take: Callable[[], bool], give_back: Callable[[], None], heartbeat, wait: float) -> Iterator[None]:
    start = last_beat = time.monotonic()
    while not take():
        now = time.monotonic()
        if now - start >= wait:
            raise ImportBusy
        if heartbeat is not None and now - last_beat >= HEARTBEAT_SECONDS:
            heartbeat()
            last_beat = now
        time.sleep(0.25)
    try:
        yield
    finally:
        give_back()
