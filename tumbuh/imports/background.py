"""Running a stored batch now or in a detached worker process (no task queue needed).

``start(batch)`` runs a small file inline; a larger one in ``python -m tumbuh.cli run_import
<batch id>``, started in its own session so it outlives the request. The batch page polls
the batch's progress. ``TUMBUH_IMPORT_INLINE_BYTES`` sets the limit for inline runs
(tests keep every file inline; ``TUMBUH_IMPORT_INLINE=1`` forces inline runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from .framework import run_stored
from .models import BatchStatus, ImportBatch


def inline_limit() -> int:
    if getattr(settings, "TUMBUH_IMPORT_INLINE", False) or os.environ.get("TUMBUH_IMPORT_INLINE") == "1":
        return 1 << 62
    return int(getattr(settings, "TUMBUH_IMPORT_INLINE_BYTES", 2 * 1024 * 1024))


def start(batch: ImportBatch) -> ImportBatch:
    if batch.status != BatchStatus.QUEUED:
        return batch
    if batch.file_size <= inline_limit():
        return run_stored(batch)
    log_dir = Path(settings.VAR_DIR) / "import-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{batch.pk}.log").open("ab") as log:
        subprocess.Popen(  # our own argv: this Python, our module, the batch's integer id  # nosec B603
            [sys.executable, "-m", "tumbuh.cli", "run_import", str(batch.pk)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True,
            cwd=str(Path(settings.BASE_DIR).parent), env=os.environ.copy(),
        )
    return batch
