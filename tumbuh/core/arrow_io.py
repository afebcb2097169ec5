"""A queryset's rows as Arrow columns, streamed from PostgreSQL (``COPY (query) TO STDOUT``).

A general database helper of the foundation layer: a province's year is millions of rows, and
row by row through Django and Python objects they took most of a recompute (issue 18). The
dashboards' recompute (``dashboards.aggregates``, ``dashboards.quality``) reads through it.

    from tumbuh.core import arrow_io

    table = arrow_io.rows_as_arrow(qs, {"child_id": pa.int64(), "zlen": pa.float64()})
    if table is None:  # not PostgreSQL: iterate the queryset instead
        ...
    zlen = arrow_io.arrow_numbers(table, "zlen")  # numpy, nulls as NaN

Numbers, booleans, text and dates only: PostgreSQL writes a float8 in its shortest exact form,
so Arrow reads back the very same double.
"""

from __future__ import annotations

import numpy as np

__all__ = ["arrow_numbers", "rows_as_arrow"]

#: Bytes of CSV Arrow parses at a time: the query's whole output is never held at once.
BLOCK_SIZE = 16 << 20


def rows_as_arrow(qs, types: dict, *, batches: bool = False):
    """The rows of ``qs.values_list(*types)`` (in its order) as an Arrow table with the column
    types ``types`` ({name: pyarrow type}), streamed from PostgreSQL as CSV and parsed by Arrow
    block by block; None on another database (the caller iterates the queryset).

    ``batches``: an iterator of tables of a block's rows each (about :data:`BLOCK_SIZE` bytes
    of CSV; none without rows) instead, so that a caller that folds them one at a time never
    holds the query's whole result. Consume it to the end (the query's cursor stays open
    meanwhile)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    if batches:
        return _tables(qs, types)
    import pyarrow as pa

    tables = list(_tables(qs, types))
    if not tables:
        return pa.table({name: pa.array([], type=t) for name, t in types.items()})
    return pa.concat_tables(tables)


def _tables(qs, types: dict):
    import pyarrow as pa
    from django.db import connection
    from pyarrow import csv

    read = csv.ReadOptions(column_names=list(types))
    convert = csv.ConvertOptions(column_types=types, true_values=["t"], false_values=["f"], strings_can_be_null=False)
    sql, params = qs.values_list(*types).query.sql_with_params()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        buffer = bytearray()
        for row in copy:  # PostgreSQL sends a row at a time: a block ends at a row's end
            buffer += row
            if len(buffer) >= BLOCK_SIZE:
                yield csv.read_csv(pa.py_buffer(bytes(buffer)), read_options=read, convert_options=convert)
                buffer.clear()
        if buffer:  # (no rows: no table, Arrow reads no column from an empty file)
            yield csv.read_csv(pa.py_buffer(bytes(buffer)), read_options=read, convert_options=convert)


def arrow_numbers(table, name: str, *, null=np.nan, dtype=float) -> np.ndarray:
    """A numeric or boolean column of :func:`rows_as_arrow`'s table as numpy, nulls as ``null``."""
    import pyarrow.compute as pc

    col = table.column(name)
    if col.null_count:
        col = pc.fill_null(col, null)
    return col.to_numpy().astype(dtype, copy=False)
