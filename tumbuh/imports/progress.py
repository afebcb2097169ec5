"""Progress of a running batch, readable while its transaction is still open.

A batch writes its rows in one transaction, so its ``rows_done`` column is invisible to other
connections until the end. The worker therefore also writes a tiny JSON file per batch
(atomically replaced), which the batch page reads while it polls.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings


def _path(batch_id: int) -> Path:
    return Path(settings.VAR_DIR) / "import-progress" / f"{batch_id}.json"


def write_progress(batch_id: int | None, done: int, total: int) -> None:
    if batch_id is None:
        return
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}))
    os.replace(tmp, path)


def read_progress(batch_id: int) -> tuple[int, int] | None:
    try:
        data = json.loads(_path(batch_id).read_text())
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError):
        return None


def clear_progress(batch_id: int | None) -> None:
    if batch_id is not None:
        _path(batch_id).unlink(missing_ok=True)
