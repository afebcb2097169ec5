"""The import queue: stored batches run one after another, in the background, and never vanish.

No task queue is needed. ``start(batch)`` runs a small file at once, in the request, when
nothing else is importing; otherwise the batch waits its turn as *queued* and one worker
process per instance (``python -m tumbuh.cli run_import``, started in its own session so it
outlives the request) runs the queued batches oldest first until none is left.

- **One worker at a time.** A run holds an exclusive lock on ``VAR_DIR/import-worker.lock``
  (``fcntl.flock``, released by the operating system when the process dies, however it dies).
  ``start`` starts a worker only when nobody holds it; a running worker picks the new batch up.
  Whoever releases the lock looks at the queue once more, so a batch queued at that moment is
  never left behind. A batch that crashes is marked failed with the error, and the worker goes
  on to the next one.
- **Heartbeat.** A running batch names its process ("pid@host", ``ImportBatch.worker``) and the
  time it started (``heartbeat_at``), written before its transaction opens; while it runs, its
  progress file (``progress.py``) is rewritten every few seconds with the pid, host and time.
- **Gone workers.** A running batch whose process is gone (on this host and no longer alive,
  or silent for ``TUMBUH_IMPORT_STALE_SECONDS``, default 120) is marked failed with a reason
  (``STALE_REASON``); nothing of it stayed, because a batch is written in one transaction, and
  it can be run again from its stored file (``rerun``). A queued batch with no live worker gets
  one started. The batch pages and the batch list check this (``check``), a worker checks it
  when it starts, and ``tumbuh import_recover`` checks it for operators.

``TUMBUH_IMPORT_INLINE_BYTES`` sets the limit for runs in the request (tests keep every file
inline; ``TUMBUH_IMPORT_INLINE=1`` forces inline runs).
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from tumbuh.core import processes

from .framework import create_batch, run_stored
from .models import BatchStatus, ImportBatch
from .progress import Beat, clear_progress, read_beat, worker_name, write_progress

log = logging.getLogger(__name__)

#: Why a batch whose process vanished failed (stored in the site's language, as batch errors are).
STALE_REASON = gettext_noop(
    "The import stopped before it finished (the server was restarted or the process was stopped). "
    "No data was saved. Run it again."
)
#: How long a newly started worker waits for the lock (held for a moment by a check, or by an
#: import run in a request) before it leaves the queue to the process that holds it.
LOCK_WAIT_SECONDS = 5.0


def inline_limit() -> int:
    if getattr(settings, "TUMBUH_IMPORT_INLINE", False) or os.environ.get("TUMBUH_IMPORT_INLINE") == "1":
        return 1 << 62
    value = getattr(settings, "TUMBUH_IMPORT_INLINE_BYTES", None) or os.environ.get("TUMBUH_IMPORT_INLINE_BYTES")
    return int(value or 2 * 1024 * 1024)


def stale_seconds() -> float:
    """How long a running batch may stay silent before its worker counts as gone."""
    value = getattr(settings, "TUMBUH_IMPORT_STALE_SECONDS", None) or os.environ.get("TUMBUH_IMPORT_STALE_SECONDS")
    return float(value or 120)


# ---------------------------------------------------------------- the rules (pure: given now)


def pid_alive(pid: int) -> bool:
    """Is process ``pid`` of this host alive (a zombie, dead but not yet reaped, is not)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def worker_gone(
    worker: str,
    heartbeat_at: datetime.datetime | None,
    beat: Beat | None,
    now: datetime.datetime,
    *,
    stale_after: float,
    host: str,
    alive: Callable[[int], bool] = pid_alive,
) -> bool:
    """Is the process running a batch gone? ``worker`` ("pid@host") and ``heartbeat_at`` are
    the batch's record, ``beat`` its progress file (counted only when written by that same
    process, so a file left by another run is not taken for a sign of life); ``host`` is
    this host. Gone: a process of this host that is no longer alive, or no sign of life
    (the later of the record and the file) for longer than ``stale_after`` seconds. A batch
    with no worker on record (started before there was one) counts any file."""
    pid, _, where = worker.partition("@")
    if where == host and pid.isdigit() and not alive(int(pid)):
        return True
    signs = [heartbeat_at]
    if beat is not None and (not worker or beat.worker == worker):
        signs.append(beat.at)
    last = max((t for t in signs if t is not None), default=None)
    return last is None or (now - last).total_seconds() > stale_after


def queue_ahead(batch: ImportBatch):
    """The batches that run before ``batch``: any running one and those queued earlier."""
    return ImportBatch.objects.filter(status=BatchStatus.RUNNING).exclude(pk=batch.pk) | ImportBatch.objects.filter(
        status=BatchStatus.QUEUED, pk__lt=batch.pk
    )


def queue_state(batch: ImportBatch) -> dict:
    """For the batch page: how many imports run before a queued ``batch`` (``ahead``), and the
    progress of the one running now (``running``: rows done, rows expected), if any."""
    if batch.status != BatchStatus.QUEUED:
        return {"ahead": 0, "running": None}
    running = ImportBatch.objects.filter(status=BatchStatus.RUNNING).order_by("pk").first()
    live = read_beat(running.pk) if running else None
    progress = None
    if running is not None:
        done, total = (live.done, live.total) if live else (running.rows_done, running.rows_total)
        progress = {"done": done, "total": max(done, total), "percent": min(99, 100 * done // total) if total else 0}
    return {"ahead": queue_ahead(batch).count(), "running": progress}


# ---------------------------------------------------------------- the lock


def _lock_path() -> Path:
    return Path(settings.VAR_DIR) / "import-worker.lock"


@contextlib.contextmanager
def worker_lock(wait: float = 0.0) -> Iterator[bool]:
    """Hold the instance's import lock, trying for up to ``wait`` seconds; yields whether it is held."""
    path = _lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def worker_running() -> bool:
    """Does a process of this instance hold the import lock (a worker, or a run in a request)?"""
    with worker_lock() as mine:
        return not mine


# ---------------------------------------------------------------- running


def _site_text(msgid: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid)


def run_batch(batch: ImportBatch) -> ImportBatch:
    """Claim a queued batch for this process and run it; a crash fails it with the error."""
    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING, worker=worker_name(), heartbeat_at=now
    )
    batch.refresh_from_db()
    if not claimed:  # run or failed meanwhile
        return batch
    write_progress(batch.pk, 0, batch.rows_total)
    try:
        return run_stored(batch)
    except Exception as exc:  # not caught by the framework (e.g. the stored file is missing)
        log.exception("import batch %s (%s) failed", batch.pk, batch.file_name)
        ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
            status=BatchStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        batch.refresh_from_db()
        return batch
    finally:
        clear_progress(batch.pk)


def drain(
    wait: float = LOCK_WAIT_SECONDS, on_done: Callable[[ImportBatch], None] | None = None
) -> list[ImportBatch] | None:
    """The worker: take the lock, fail the batches whose worker is gone, run the queued batches
    oldest first until none is left, and return them; ``None`` when another process holds the
    lock from the start (that one drains the queue)."""
    ran: list[ImportBatch] = []
    tried: set[int] = set()
    while True:
        with worker_lock(wait) as mine:
            if not mine:
                return ran if tried else None
            fail_stale(timezone.now())
            while True:
                if not connection.in_atomic_block:  # a long worker outlives a database restart between batches
                    close_old_connections()
                batch = _next_queued(tried)
                if batch is None:
                    break
                tried.add(batch.pk)
                ran.append(run_batch(batch))
                if on_done is not None:
                    on_done(ran[-1])
        if _next_queued(tried) is None:  # nothing queued while the lock was being released
            return ran
        wait = LOCK_WAIT_SECONDS


def _next_queued(tried: set[int]) -> ImportBatch | None:
    queued = ImportBatch.objects.filter(status=BatchStatus.QUEUED).exclude(pk__in=tried).order_by("pk")
    return queued.select_related("created_by", "kabupaten").first()


def spawn_worker() -> None:
    """Start a detached worker process (``tumbuh run_import``) for this instance."""
    processes.spawn(["run_import"], "worker.log")


def wake() -> None:
    """Start a worker if batches are queued and no process holds the lock (one that does drains them)."""
    if ImportBatch.objects.filter(status=BatchStatus.QUEUED).exists() and not worker_running():
        spawn_worker()


def start(batch: ImportBatch) -> ImportBatch:
    """Run a stored, queued ``batch``: at once if it is small and nothing else is importing,
    else in its turn by the worker (started if none runs)."""
    if batch.status != BatchStatus.QUEUED:
        return batch
    fail_stale(timezone.now())
    if batch.file_size <= inline_limit() and not queue_ahead(batch).exists():
        with worker_lock() as mine:
            if mine:
                batch = run_batch(batch)
        if mine:
            wake()  # what was queued while this one ran
            return batch
    wake()
    return batch


# ---------------------------------------------------------------- gone workers and re-runs


def fail_stale(now: datetime.datetime) -> list[ImportBatch]:
    """Mark failed every running batch whose worker is gone (``worker_gone``); return them."""
    failed = []
    host, limit = socket.gethostname(), stale_seconds()
    running = ImportBatch.objects.filter(status=BatchStatus.RUNNING)
    for batch in running.only("pk", "worker", "heartbeat_at", "created_at", "file_name"):
        since = batch.heartbeat_at or batch.created_at
        if not worker_gone(batch.worker, since, read_beat(batch.pk), now, stale_after=limit, host=host):
            continue
        try:
            marked = ImportBatch.objects.filter(
                pk=batch.pk, status=BatchStatus.RUNNING, worker=batch.worker, heartbeat_at=batch.heartbeat_at
            ).update(status=BatchStatus.FAILED, error=_site_text(STALE_REASON), finished_at=now, rows_done=0)
        except DatabaseError:  # e.g. SQLite busy with another import's write: the next check does it
            log.warning("import batch %s: could not mark it failed yet", batch.pk, exc_info=True)
            continue
        if marked:
            log.warning("import batch %s (%s): worker %s gone, marked failed", batch.pk, batch.file_name, batch.worker)
            clear_progress(batch.pk)
            failed.append(batch)
    return failed


def check(now: datetime.datetime | None = None) -> list[ImportBatch]:
    """What the batch pages and ``import_recover`` run: fail the batches whose worker is gone,
    and start a worker for queued batches that have none. Returns the batches failed."""
    failed = fail_stale(now or timezone.now())
    try:
        wake()
    except (DatabaseError, OSError):
        log.warning("import queue: could not start a worker", exc_info=True)
    return failed


def rerun(batch: ImportBatch, user) -> ImportBatch:
    """Run a failed ``batch`` again from its stored file, as a new batch of ``user``, who then
    stands for its rows in the audit log as the uploader does. The caller asks the policy (the
    upload's: ``Importer.may_import`` for the batch's district)."""
    if batch.status != BatchStatus.FAILED or not batch.source:
        raise ValueError("only a failed batch with its stored file can be run again")
    new = create_batch(
        batch.kind,
        user=user,
        kabupaten=batch.kabupaten,
        file_name=batch.file_name,
        status=BatchStatus.QUEUED,
        options=batch.options,
    )
    new.file_sha256, new.file_size, new.source.name = batch.file_sha256, batch.file_size, batch.source.name
    new.rows_total, new.retry_of = batch.rows_total, batch
    new.save()
    return start(new)
