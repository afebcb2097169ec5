"""``tumbuh import-posyandu FILE --user USER [--dry-run] [--no-progress]``

``tumbuh import posyandu`` under its own name (see ``tumbuh.imports.command``).
"""

from tumbuh.imports.command import command_for

Command = command_for("posyandu")
