"""``tumbuh import-parquet``: the dashed spelling; see ``import_parquet``."""

from .import_parquet import Command  # noqa: F401
