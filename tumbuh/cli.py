"""The ``tumbuh`` command.

Growth-engine commands (``zscore``, ``prevalence``, ``quality``) run without Django, so they
work on any CSV or Parquet file. Every other sub-command is a Django management command
(``tumbuh migrate``, ``tumbuh load_regions``, ``tumbuh runserver`` ...).
"""

from __future__ import annotations

import os
import sys

GROWTH_COMMANDS = {"zscore", "prevalence", "quality"}
#: Batch work, run at a lower CPU priority (``TUMBUH_BATCH_NICE``, default 10; 0 keeps the
#: priority) so that pages stay quick on a small server while it runs.
BATCH_COMMANDS = {"import", "run_import", "refresh_aggregates", "import_measurements", "import-measurements"}


def lower_priority(command: str) -> None:
    if command not in BATCH_COMMANDS:
        return
    try:
        step = int(os.environ.get("TUMBUH_BATCH_NICE", "10"))
        if step > 0:
            os.nice(step)
    except (ValueError, OSError):
        pass  # a bad value or a platform without nice: the normal priority


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in GROWTH_COMMANDS:
        from tumbuh.growth.cli import main as growth_main

        return growth_main(argv)
    if argv:
        lower_priority(argv[0])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tumbuh", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
