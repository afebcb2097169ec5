"""``tumbuh import-measurements FILE --user USER [--kabupaten CODE] [--dry-run] [--no-progress]``

An e-PPGBM export (or Tumbuh's measurement template): ``tumbuh import eppgbm`` under its own
name (see ``tumbuh.imports.command``); the findings it prints are
``EppgbmImporter.finding_lines``.
"""

from tumbuh.imports.command import command_for
from tumbuh.imports.framework import importing_kabupaten  # noqa: F401 (imported from here before)

Command = command_for("eppgbm")
