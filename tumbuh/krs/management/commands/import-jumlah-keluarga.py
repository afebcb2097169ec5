"""``tumbuh import-jumlah-keluarga FILE --user USER [--dry-run] [--no-progress]``

``tumbuh import jumlah-keluarga`` under its own name (see ``tumbuh.imports.command``).
"""

from tumbuh.imports.command import command_for

Command = command_for("jumlah-keluarga")
