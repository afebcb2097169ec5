"""``tumbuh export-parquet``: the spelling the issue uses; see ``export_parquet``."""

from .export_parquet import Command  # noqa: F401
