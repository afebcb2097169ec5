"""``tumbuh import KIND FILE --user USER …``: any registered importer; see ``tumbuh.imports.command``."""

from tumbuh.imports.command import ImportCommand as Command  # noqa: F401
