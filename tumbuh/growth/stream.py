"""Streaming CSV/Parquet reading and writing in record batches.

Memory stays flat whatever the file size: a file is never loaded whole. The format is
chosen by file extension (``.csv``, ``.tsv``, ``.csv.gz``, ``.parquet``/``.pq``).

``iter_batches(path, columns=None, batch_size=...)`` is shared by the whole growth engine
(z-scores, prevalence, data quality); keep its signature stable.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DEFAULT_BATCH_SIZE = 65_536

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv", ".tsv.gz", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def file_format(path: str | os.PathLike[str]) -> str:
    """Return ``"csv"`` or ``"parquet"`` from the file name; raise ValueError otherwise."""
    name = os.fspath(path).lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    raise ValueError(f"cannot tell the format of {os.fspath(path)!r}: use a .csv, .tsv or .parquet file")


def _delimiter(path: str) -> str:
    return "\t" if ".tsv" in path.lower() else ","


def iter_batches(
    path: str | os.PathLike[str],
    columns: Sequence[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    *,
    column_types: dict[str, pa.DataType] | None = None,
    strings: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Yield ``pyarrow.RecordBatch`` objects of at most about ``batch_size`` rows.

    ``columns``: keep only these columns (in this order); a name missing from the file
    raises KeyError. ``column_types`` forces Arrow types for some CSV columns (ignored for
    Parquet). ``strings=True`` reads every CSV column as text, so that a stray ``"9,5"`` or
    ``"abc"`` never aborts the batch: the caller converts at the door.

    CSV batch sizes are approximate (Arrow cuts CSV by bytes); the rows are never split.
    """
    path = os.fspath(path)
    if batch_size <= 0:
        raise ValueError("batch_size must be positive")
    fmt = file_format(path)
    if fmt == "parquet":
        yield from _iter_parquet(path, columns, batch_size)
    else:
        yield from _iter_csv(path, columns, batch_size, column_types, strings)


def _iter_parquet(path: str, columns: Sequence[str] | None, batch_size: int) -> Iterator[pa.RecordBatch]:
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise KeyError(f"columns not in {path}: {', '.join(missing)}")
    for batch in pf.iter_batches(batch_size=batch_size, columns=list(columns) if columns else None):
        if columns is not None:
            batch = batch.select(list(columns))
        yield batch


def csv_column_names(path: str | os.PathLike[str]) -> list[str]:
    """The header of a CSV file, read without loading the data."""
    path = os.fspath(path)
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 16),
        parse_options=pacsv.ParseOptions(delimiter=_delimiter(path)),
        convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=True, auto_dict_encode=False),
    )
    return reader.schema.names


def column_names(path: str | os.PathLike[str]) -> list[str]:
    """Column names of a CSV or Parquet file, without reading the data."""
    path = os.fspath(path)
    if file_format(path) == "parquet":
        return pq.ParquetFile(path).schema_arrow.names
    return csv_column_names(path)


def _iter_csv(
    path: str,
    columns: Sequence[str] | None,
    batch_size: int,
    column_types: dict[str, pa.DataType] | None,
    strings: bool,
) -> Iterator[pa.RecordBatch]:
    # Arrow's CSV reader cuts by bytes; guess ~64 bytes per row, bounded to [64 KiB, 64 MiB].
    block = int(min(max(batch_size * 64, 1 << 16), 1 << 26))
    names = csv_column_names(path)
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise KeyError(f"columns not in {path}: {', '.join(missing)}")
    types: dict[str, pa.DataType] = {}
    if strings:
        types = {n: pa.string() for n in names}
    if column_types:
        types.update(column_types)
    convert = pacsv.ConvertOptions(
        column_types=types,
        include_columns=list(columns) if columns is not None else None,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=block),
        parse_options=pacsv.ParseOptions(delimiter=_delimiter(path)),
        convert_options=convert,
    )
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in reader:
        # Re-slice to at most batch_size rows so that callers get what they asked for.
        offset = 0
        while offset < batch.num_rows:
            take = min(batch_size - pending_rows, batch.num_rows - offset)
            pending.append(batch.slice(offset, take))
            pending_rows += take
            offset += take
            if pending_rows >= batch_size:
                yield _concat(pending)
                pending, pending_rows = [], 0
    if pending:
        yield _concat(pending)


def _concat(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).combine_chunks().to_batches()[0]


class BatchWriter:
    """Write record batches to ``.csv``/``.tsv`` or ``.parquet``, chosen by extension.

    The schema is taken from the first batch; later batches are cast to it. Use as a
    context manager.
    """

    def __init__(self, path: str | os.PathLike[str], *, compression: str = "snappy"):
        self.path = os.fspath(path)
        self.format = file_format(self.path)
        self.compression = compression
        self._writer: Any = None
        self._schema: pa.Schema | None = None
        self.rows = 0

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        if self._writer is None:
            self._schema = batch.schema
            if self.format == "parquet":
                # Dictionary-encode text columns only: trying it on high-cardinality floats
                # (z-scores) costs more than twice the write time for nothing.
                text = [
                    f.name
                    for f in self._schema
                    if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)
                ]
                self._writer = pq.ParquetWriter(
                    self.path, self._schema, compression=self.compression, use_dictionary=text
                )
            else:
                self._writer = pacsv.CSVWriter(
                    self.path,
                    self._schema,
                    write_options=pacsv.WriteOptions(delimiter=_delimiter(self.path)),
                )
        elif batch.schema != self._schema:
            if isinstance(batch, pa.RecordBatch):
                batch = pa.Table.from_batches([batch])
            batch = batch.cast(self._schema)
        if isinstance(batch, pa.Table):
            self._writer.write_table(batch)
        else:
            self._writer.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_batches(path: str | os.PathLike[str], batches: Iterable[pa.RecordBatch | pa.Table]) -> int:
    """Write all batches to ``path`` (format by extension); return the row count."""
    with BatchWriter(path) as w:
        for b in batches:
            w.write(b)
        return w.rows
