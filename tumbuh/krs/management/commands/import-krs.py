"""``tumbuh import-krs FILE --user USER --year YEAR [--dry-run] [--no-progress]``

``tumbuh import krs`` under its own name (see ``tumbuh.imports.command``).
"""

from tumbuh.imports.command import command_for

Command = command_for("krs")
