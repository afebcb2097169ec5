"""Streaming CSV/Parquet reading and writing in record batches.

Memory stays flat whatever the file size: a file is never loaded whole. The format is
chosen by file extension (``.csv``, ``.tsv``, ``.csv.gz``, ``.parquet``/``.pq``).

A **directory** is a Parquet dataset: every ``*.parquet``/``*.pq`` file under it, read in
path order, hive-partitioned (``provinsi=73/kabupaten=73.24/round=2025-08/part-0.parquet``):
the partition keys come back as ordinary text columns (``"73.24"`` stays text, never the
number 73.24). Written to a directory, batches become a dataset partitioned the same way
(:func:`write_dataset`, :class:`DatasetWriter`).

``iter_batches(path, columns=None, batch_size=...)`` is shared by the whole growth engine
(z-scores, prevalence, data quality); keep its signature stable.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DEFAULT_BATCH_SIZE = 65_536

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv", ".tsv.gz", ".txt")
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def is_dataset(path: str | os.PathLike[str]) -> bool:
    """Is ``path`` a directory (a Parquet dataset) rather than one file?"""
    return os.path.isdir(os.fspath(path))


def output_is_dataset(path: str | os.PathLike[str]) -> bool:
    """Should output go to a directory (a Parquet dataset)? Yes for an existing directory, a
    path ending with ``/``, or a name without any extension (``out``, ``scored/2025``)."""
    path = os.fspath(path)
    if os.path.isdir(path) or path.endswith(("/", os.sep)):
        return True
    return "." not in os.path.basename(path)


def file_format(path: str | os.PathLike[str]) -> str:
    """Return ``"csv"`` or ``"parquet"`` from the file name; raise ValueError otherwise.
    A directory (see :func:`is_dataset`) is ``"parquet"``."""
    if is_dataset(path):
        return "parquet"
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
    if is_dataset(path):
        yield from _iter_dataset(path, columns, batch_size)
    elif fmt == "parquet":
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


def dataset_files(path: str | os.PathLike[str]) -> list[str]:
    """The Parquet files of a dataset directory, sorted (so rows come in a stable order).
    Other files (a manifest, ``_SUCCESS``, hidden files) are ignored."""
    path = os.fspath(path)
    files = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        files += [os.path.join(root, n) for n in names if n.lower().endswith(_PARQUET_SUFFIXES) and n[0] not in "._"]
    return sorted(files)


def partition_names(path: str | os.PathLike[str]) -> list[str]:
    """The hive partition keys of a dataset directory, outermost first (``[]`` for a file
    or an unpartitioned directory). Read from the directory names of the first file."""
    path = os.fspath(path)
    if not is_dataset(path):
        return []
    files = dataset_files(path)
    if not files:
        return []
    rel = os.path.relpath(os.path.dirname(files[0]), path)
    parts = [] if rel == "." else rel.split(os.sep)
    return [p.split("=", 1)[0] for p in parts if "=" in p]


def open_dataset(path: str | os.PathLike[str]) -> Any:
    """A ``pyarrow.dataset.Dataset`` over the Parquet files of a directory, hive partition
    keys as text columns (``pa.string()``)."""
    import pyarrow.dataset as ds

    path = os.fspath(path)
    files = dataset_files(path)
    if not files:
        raise ValueError(f"no Parquet files in the directory {path!r}")
    names = partition_names(path)
    partitioning = ds.partitioning(pa.schema([(n, pa.string()) for n in names]), flavor="hive") if names else None
    return ds.dataset(files, format="parquet", partitioning=partitioning, partition_base_dir=path)


def _iter_dataset(path: str, columns: Sequence[str] | None, batch_size: int) -> Iterator[pa.RecordBatch]:
    dataset = open_dataset(path)
    names = dataset.schema.names
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise KeyError(f"columns not in {path}: {', '.join(missing)}")
    # Fragment by fragment (files in path order), each in batches: the rows come in a stable
    # order, and a batch never mixes two partitions.
    for fragment in dataset.get_fragments():
        for batch in fragment.to_batches(
            schema=dataset.schema, columns=list(columns) if columns is not None else None, batch_size=batch_size
        ):
            if batch.num_rows:
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
    if is_dataset(path):
        return open_dataset(path).schema.names
    if file_format(path) == "parquet":
        return pq.ParquetFile(path).schema_arrow.names
    return csv_column_names(path)


def count_rows(path: str | os.PathLike[str]) -> int | None:
    """Rows of a Parquet file or dataset from its metadata (no data read); None for CSV."""
    path = os.fspath(path)
    if is_dataset(path):
        return sum(pq.ParquetFile(f).metadata.num_rows for f in dataset_files(path))
    if file_format(path) == "parquet":
        return pq.ParquetFile(path).metadata.num_rows
    return None


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


def _text_columns(schema: pa.Schema) -> list[str]:
    return [
        f.name
        for f in schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)
    ]


def _parquet_writer(path: str, schema: pa.Schema, compression: str) -> pq.ParquetWriter:
    # Dictionary-encode text columns only: trying it on high-cardinality floats (z-scores)
    # costs more than twice the write time for nothing.
    return pq.ParquetWriter(path, schema, compression=compression, use_dictionary=_text_columns(schema))


class BatchWriter:
    """Write record batches to ``.csv``/``.tsv`` or ``.parquet``, chosen by extension.

    The schema is taken from the first batch; later batches are cast to it. Use as a
    context manager. For a directory, see :class:`DatasetWriter` and :func:`open_writer`.
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
                self._writer = _parquet_writer(self.path, self._schema, self.compression)
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


HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # pyarrow's (and Hive's, Spark's) name for a null key


class DatasetWriter:
    """Write record batches as a Parquet dataset under the directory ``path``.

    ``partitioning``: column names to partition by, hive style
    (``kabupaten=73.24/round=2025-08/part-0.parquet``); their values go in the directory
    names (URI-escaped; a null as ``__HIVE_DEFAULT_PARTITION__``) and leave the files, as
    ``pyarrow.dataset.write_dataset`` and Spark write them, so :func:`iter_batches` (or
    DuckDB's ``hive_partitioning``, Spark's reader) gives them back as columns. Without
    partitioning: one ``part-0.parquet``. The directory must be empty or absent: a dataset
    is never mixed with an older one. Files are Parquet with the same options as
    :class:`BatchWriter` (snappy, dictionary for text). At most ``max_open`` files are open
    at once; a partition met again after its file was closed gets a new ``part-<k>``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        partitioning: Sequence[str] = (),
        *,
        compression: str = "snappy",
        max_open: int = 64,
    ):
        self.path = os.fspath(path)
        if os.path.isdir(self.path) and os.listdir(self.path):
            raise ValueError(f"the output directory {self.path!r} is not empty")
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise ValueError(f"{self.path!r} is a file, not a directory")
        self.partitioning = list(partitioning)
        self.compression = compression
        self.max_open = max_open
        self._schema: pa.Schema | None = None
        self._file_schema: pa.Schema | None = None
        self._open: dict[tuple, pq.ParquetWriter] = {}
        self._parts: dict[tuple, int] = {}
        self.rows = 0
        self.files: list[str] = []
        os.makedirs(self.path, exist_ok=True)

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if self._schema is None:
            missing = [c for c in self.partitioning if c not in table.column_names]
            if missing:
                raise KeyError(f"partition columns not in the data: {', '.join(missing)}")
            self._schema = table.schema
            self._file_schema = pa.schema([f for f in table.schema if f.name not in self.partitioning])
        elif table.schema != self._schema:
            table = table.cast(self._schema)
        if table.num_rows == 0:
            if not self.partitioning:
                self._writer(())  # a file with the schema only
            return
        self.rows += table.num_rows
        if not self.partitioning:
            self._writer(()).write_table(table)
            return
        for key, part in self._split(table):
            self._writer(key).write_table(part.drop_columns(self.partitioning))

    def _split(self, table: pa.Table) -> Iterator[tuple[tuple, pa.Table]]:
        """(key, rows) per distinct partition key, in order of first appearance."""
        import pyarrow.compute as pc

        cols = [table.column(c) for c in self.partitioning]
        first = tuple(c[0].as_py() for c in cols)
        if all(
            (c.null_count == 0 and pc.all(pc.equal(c, v)).as_py()) if v is not None else c.null_count == len(c)
            for c, v in zip(cols, first)
        ):
            yield first, table  # the usual case: a dataset read partition by partition
            return
        keys = table.select(self.partitioning).group_by(self.partitioning, use_threads=False).aggregate([])
        for key in keys.to_pylist():
            mask = None
            for name in self.partitioning:
                v = key[name]
                m = (
                    pc.is_null(table.column(name))
                    if v is None
                    else pc.fill_null(pc.equal(table.column(name), v), False)
                )
                mask = m if mask is None else pc.and_(mask, m)
            yield tuple(key[n] for n in self.partitioning), table.filter(mask)

    def _writer(self, key: tuple) -> pq.ParquetWriter:
        w = self._open.get(key)
        if w is not None:
            return w
        if len(self._open) >= self.max_open:  # close the oldest open file
            oldest = next(iter(self._open))
            self._open.pop(oldest).close()
        from urllib.parse import quote

        parts = [f"{n}={HIVE_NULL if v is None else quote(str(v), safe='')}" for n, v in zip(self.partitioning, key)]
        directory = os.path.join(self.path, *parts)
        os.makedirs(directory, exist_ok=True)
        k = self._parts.get(key, 0)
        self._parts[key] = k + 1
        path = os.path.join(directory, f"part-{k}.parquet")
        if self._file_schema is None:
            raise RuntimeError("the partitioned writer has no schema yet (no batch written)")
        w = self._open[key] = _parquet_writer(path, self._file_schema, self.compression)
        self.files.append(path)
        return w

    def close(self) -> None:
        for w in self._open.values():
            w.close()
        self._open.clear()

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BackgroundWriter:
    """Run another writer's ``write`` calls in a thread, so that writing (Parquet encoding,
    compression, CSV formatting: Arrow C++, which releases the GIL) overlaps with the caller
    preparing the next batch. At most ``depth`` batches wait; ``close`` waits for the
    thread and raises any error it met (so does the next ``write``)."""

    _DONE = object()

    def __init__(self, writer: Any, depth: int = 2):
        self.writer = writer
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tumbuh-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is self._DONE:
                return
            if self._error is None:
                try:
                    self.writer.write(item)
                except BaseException as exc:  # handed to the caller
                    self._error = exc

    def write(self, batch: pa.RecordBatch | pa.Table) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(batch)

    @property
    def rows(self) -> int:
        return self.writer.rows

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(self._DONE)
            self._thread.join()
        self.writer.close()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_writer(
    path: str | os.PathLike[str], partitioning: Sequence[str] = (), *, background: bool = False
) -> BatchWriter | DatasetWriter | BackgroundWriter:
    """A writer for ``path``: a :class:`DatasetWriter` when it names a directory (see
    :func:`output_is_dataset`), partitioned by ``partitioning``; else a :class:`BatchWriter`
    (format by extension; ``partitioning`` ignored: one file holds every partition, the
    partition keys as ordinary columns). ``background``: write in a thread
    (:class:`BackgroundWriter`)."""
    if output_is_dataset(path):
        writer: Any = DatasetWriter(path, partitioning)
    else:
        writer = BatchWriter(path)
    return BackgroundWriter(writer) if background else writer


def write_dataset(
    path: str | os.PathLike[str], batches: Iterable[pa.RecordBatch | pa.Table], partitioning: Sequence[str] = ()
) -> int:
    """Write all batches as a Parquet dataset under ``path`` (see :class:`DatasetWriter`)."""
    with DatasetWriter(path, partitioning) as w:
        for b in batches:
            w.write(b)
        return w.rows


def write_batches(path: str | os.PathLike[str], batches: Iterable[pa.RecordBatch | pa.Table]) -> int:
    """Write all batches to ``path`` (format by extension; a directory: a Parquet dataset,
    one file); return the row count."""
    with open_writer(path) as w:
        for b in batches:
            w.write(b)
        return w.rows
