"""``tumbuh import-measurements``: the spelling the issue uses; see ``import_measurements``."""

from .import_measurements import Command  # noqa: F401
