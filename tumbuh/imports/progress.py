"""Progress and heartbeat of a running batch, readable while its transaction is still open.

A batch writes its rows in a transaction, so its ``rows_done`` column is invisible to other
connections until the end, and a worker must not write to the database while that transaction
is open just to say it is alive. The process running a batch therefore writes a tiny JSON file
per batch (atomically replaced): rows done, rows expected, its pid and host, and the time. The
batch page reads it while it polls, and ``background.py`` reads it to tell a live batch from
one whose process is gone: a thread of the running process rewrites the file every
``BEAT_SECONDS`` as long as the batch is registered here (from its first ``write_progress`` to
``clear_progress``), even while the batch is busy in one long step.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

#: How often a running batch's process says it is alive (the stale limit is far longer).
BEAT_SECONDS = 5.0

_lock = threading.Lock()
#: The batches this process runs: id -> (done, total) last reported.
_running: dict[int, tuple[int, int]] = {}
_beating: threading.Thread | None = None


def worker_name() -> str:
    """This process as a batch's worker: "pid@host"."""
    return f"{os.getpid()}@{socket.gethostname()}"


@dataclass(frozen=True)
class Beat:
    """What a batch's progress file says: rows done of about ``total``, by which process, when."""

    done: int
    total: int
    pid: int | None
    host: str
    at: datetime.datetime | None

    @property
    def worker(self) -> str:
        return f"{self.pid}@{self.host}" if self.pid else ""


def _path(batch_id: int) -> Path:
    return Path(settings.VAR_DIR) / "import-progress" / f"{batch_id}.json"


def _write(batch_id: int, done: int, total: int) -> None:
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(
        json.dumps({"done": done, "total": total, "pid": os.getpid(), "host": socket.gethostname(), "at": time.time()})
    )
    os.replace(tmp, path)


def _beat_forever() -> None:
    """Rewrite the file of every batch this process runs, until none is left."""
    global _beating
    while True:
        time.sleep(BEAT_SECONDS)
        with _lock:
            if not _running:
                _beating = None
                return
            for batch_id, (done, total) in _running.items():
                try:
                    _write(batch_id, done, total)
                except OSError:  # a full disk must not kill the import; the page shows it as stale later
                    pass


def _forget_after_fork() -> None:
    """A forked child has no heartbeat thread and runs none of its parent's batches."""
    global _lock, _beating
    _lock, _beating = threading.Lock(), None
    _running.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def write_progress(batch_id: int | None, done: int, total: int) -> None:
    global _beating
    if batch_id is None:
        return
    with _lock:
        _running[batch_id] = (done, total)
        _write(batch_id, done, total)
        if _beating is None:
            _beating = threading.Thread(target=_beat_forever, name="tumbuh-import-heartbeat", daemon=True)
            _beating.start()


def read_beat(batch_id: int) -> Beat | None:
    try:
        data = json.loads(_path(batch_id).read_text())
        at = data.get("at")
        return Beat(
            int(data["done"]),
            int(data["total"]),
            int(data["pid"]) if data.get("pid") else None,
            str(data.get("host", "")),
            datetime.datetime.fromtimestamp(float(at), tz=datetime.UTC) if at is not None else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_progress(batch_id: int) -> tuple[int, int] | None:
    beat = read_beat(batch_id)
    return (beat.done, beat.total) if beat else None


def clear_progress(batch_id: int | None) -> None:
    if batch_id is not None:
        with _lock:
            _running.pop(batch_id, None)
            _path(batch_id).unlink(missing_ok=True)
