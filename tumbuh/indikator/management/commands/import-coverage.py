"""``tumbuh import-coverage FILE --user USER [--dry-run] [--no-progress]``

``tumbuh import cakupan`` under its own name (see ``tumbuh.imports.command``).
"""

from tumbuh.imports.command import command_for

Command = command_for("cakupan")
