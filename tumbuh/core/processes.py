"""Background processes of Tumbuh's own commands (the import worker, the dashboards' refresh),
started detached from the web request that asks for them.

Batch work yields to people: ``tumbuh`` runs its batch commands at a lower CPU priority
(``TUMBUH_BATCH_NICE``, default 10; see ``tumbuh/cli.py``), so pages stay quick on a small
server while an import or a recomputation runs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)


def can_spawn() -> bool:
    """False for an in-memory SQLite database, which another process cannot see (tests)."""
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def spawn(args: list[str], log_name: str) -> subprocess.Popen | None:
    """Start ``tumbuh <args>`` detached, its output appended to ``VAR_DIR/import-logs/<log_name>``;
    None when it cannot run (:func:`can_spawn`)."""
    if not can_spawn():
        log.warning("no background process for an in-memory database: %s", " ".join(args))
        return None
    log_dir = Path(settings.VAR_DIR) / "import-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / log_name).open("ab") as out:
        process = subprocess.Popen(  # nosec B603 - our own argv: this Python, our module, no user input
            [sys.executable, "-m", "tumbuh.cli", *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,
            close_fds=True,
            cwd=str(Path(settings.BASE_DIR).parent),
            env=os.environ.copy(),
        )
    # Reap it when it ends, so a finished process is not a zombie that looks alive.
    threading.Thread(target=process.wait, name=f"tumbuh-reaper-{args[0]}", daemon=True).start()
    return process
