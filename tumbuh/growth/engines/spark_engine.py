"""The growth engine on Apache Spark: ``tumbuh zscore|prevalence --engine spark``.

The same kernel, run by Spark's Python workers, so the job runs unchanged in local mode on a
laptop and on a cluster (``spark-submit`` to a standalone master, Dataproc, EMR, Databricks).

**Reading (default, ``reader="arrow"``): Spark distributes file splits, pyarrow reads them.**
The driver lists the input with a pyarrow filesystem (a local path, or a URI: ``s3://``,
``gs://``, ``hdfs://``, ``file://``) and cuts it into splits as Spark's own file reader does
(:func:`plan`): whole files, several small ones together, a big one by row groups; about
``total ÷ parallelism`` bytes a split, at most 128 MiB. Spark runs one task per split
(``spark.range(n, numPartitions=n).mapInArrow``): the task reads its split with pyarrow
(``ParquetFileFormat.make_fragment``, hive partition keys as text, the dataset's schema: the
rows the arrow engine reads), so no value goes through the JVM. The JVM's Parquet read and its
conversion to Arrow were ~60 % of the job's CPU (bench/bench_spark.py, ``--jvm``).

- **z-scores**: each batch goes through :func:`tumbuh.growth.cli.score_batch`, the
  single-process engine's own function (bit for bit the arrow engine's z-scores, flags and
  categories), and the task writes its own Parquet (or CSV) files with pyarrow, partitioned like
  the input (``provinsi=73/kabupaten=73.24/part-00000.parquet``, ``part-<split>``). Only one
  row per task (its row count) reaches the driver.
- **prevalence**: each task streams its batches (only the columns the estimator uses) through
  the single-process :class:`~tumbuh.growth.prevalence.PrevalenceAccumulator` and emits its
  *cells* (age group × sex × stratum × PSU × grouping columns, with the sufficient statistics
  of the Taylor-linearised estimator); Spark sums the cells (``groupBy``), and only that small
  aggregate reaches the driver, which rebuilds the accumulator and finishes the estimator with
  the single-process code. Rows never reach the driver; desa, kecamatan, kabupaten, provinsi
  are ``by`` columns like any other.

**Reading through Spark's JVM (``reader="jvm"``, or ``TUMBUH_SPARK_READER=jvm``)** serves what
pyarrow cannot read: a Spark table or DataFrame (:func:`zscore_dataframe`,
:func:`prevalence_dataframe`: a Databricks/Unity Catalog or Delta table, whose directory also
holds files a Delta log has removed; a view; a query), and one big CSV file split across
cores (pyarrow reads a CSV file in one task). Same results; slower (``mapInArrow`` over
Spark's Arrow conversion).

The master: ``--master``; else ``TUMBUH_SPARK_MASTER``; else the one ``spark-submit`` was
given; else ``local[2]``. Workers run this process's Python (``PYSPARK_PYTHON``), which has
pyarrow, numba and the engine.

PySpark is imported only here, when a Spark engine is asked for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import numpy as np
import pyarrow as pa

DEFAULT_MASTER = "local[2]"
APP_NAME = "tumbuh-growth"
READERS = ("arrow", "jvm")

# Cell rows emitted by each partition (prevalence): their kind.
_CELL, _COUNTS, _VALUE = 0, 1, 2
# Dimensions of the value rows: the cluster, the stratum, then the ``by`` columns.
_DIM_CLUSTER, _DIM_STRATA, _DIM_BY = 0, 1, 2
_COUNTERS = ("rows_read", "rows_used", "rows_excluded_age", "rows_excluded_design", "rows_missing_weight")
_FLAGS = ("has_weight_column", "has_age_column")


# --------------------------------------------------------------------------- session, JVM reader
def spark_session(master: str | None = None, *, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession whose Python workers run this interpreter.

    ``master``: explicit, else ``TUMBUH_SPARK_MASTER``, else the one ``spark-submit`` set
    (its gateway is then already running), else ``local[2]``.
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    # mapInArrow does not go through pandas; PySpark still checks its version and warns on pandas 3.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(APP_NAME)
    master = master or os.environ.get("TUMBUH_SPARK_MASTER")
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit
        builder = builder.master(DEFAULT_MASTER)
    settings = {
        "spark.pyspark.python": os.environ["PYSPARK_PYTHON"],
        # Hive partition values as text: kabupaten=73.10 must not become the number 73.1.
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        **(conf or {}),
    }
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _is_csv(path: str) -> bool:
    name = path.rstrip("/").lower()
    return name.endswith((".csv", ".tsv", ".csv.gz", ".tsv.gz", ".txt"))


def read_input(spark: Any, path: str, batch_size: int) -> tuple[Any, list[str]]:
    """(DataFrame, hive partition columns) of a Parquet file/directory or a CSV file/directory,
    read by Spark (the JVM reader).

    CSV cells are read as text, as the single-process engine does (``strings=True``).
    """
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_size))
    if _is_csv(path):
        sep = "\t" if ".tsv" in path.lower() else ","
        df = spark.read.options(header="true", sep=sep, inferSchema="false").csv(path)
    else:
        df = spark.read.parquet(path)
    return df, partition_columns(df, path)


def partition_columns(df: Any, root: str) -> list[str]:
    """The ``key=value`` directory names between ``root`` and the first data file."""
    files = df.inputFiles()
    if not files:
        return []
    base = root.rstrip("/").split("/")[-1]
    parts = unquote(files[0]).split("/")
    # the path segments after the input root's last segment
    after = parts[len(parts) - 1 - parts[::-1].index(base) + 1 : -1] if base in parts else parts[:-1]
    keys = [seg.split("=", 1)[0] for seg in after if "=" in seg]
    return [k for k in keys if k in df.columns]


def _arrow_schema(df: Any) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)


def _plain(schema: pa.Schema) -> pa.Schema:
    """Dictionary columns (the categories) as their value type: Spark's Arrow has no dictionaries."""
    return pa.schema(
        [pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type) for f in schema]
    )


def _decode(table: pa.Table, schema: pa.Schema) -> pa.RecordBatch:
    cols = []
    for f in schema:
        col = table.column(f.name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(f.type)
        elif col.type != f.type:
            col = col.cast(f.type)
        cols.append(col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col)
    return pa.RecordBatch.from_arrays(cols, schema=schema)


# --------------------------------------------------------------------------- splits (pyarrow reader)
#: Spark's defaults for cutting files into tasks (spark.sql.files.maxPartitionBytes,
#: spark.sql.files.openCostInBytes), applied the same way.
MAX_SPLIT_BYTES = 128 * 1024 * 1024
OPEN_COST_BYTES = 4 * 1024 * 1024
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")

#: A split: its pieces, each (file path in the filesystem, row groups or None for the whole file).
Split = tuple[tuple[str, tuple[int, ...] | None], ...]


def _filesystem(path: str) -> tuple[Any, str]:
    """(pyarrow filesystem, path in it) of a local path or a URI (s3://, gs://, hdfs://, file://)."""
    import pyarrow.fs as pafs

    if "://" in path:
        fs, inner = pafs.FileSystem.from_uri(path)
        return fs, inner.rstrip("/")
    return pafs.LocalFileSystem(), os.path.abspath(path)


def reader_for(reader: str | None = None) -> str:
    """``reader``, else ``TUMBUH_SPARK_READER``, else ``"arrow"``."""
    reader = reader or os.environ.get("TUMBUH_SPARK_READER") or "arrow"
    if reader not in READERS:
        raise ValueError(f"unknown Spark reader {reader!r} (one of: {', '.join(READERS)})")
    return reader


@dataclass(frozen=True)
class Source:
    """The input as a task needs it (picklable: it travels with the task's function).

    ``schema``: a Parquet dataset's, as the arrow engine reads it (the first file's columns,
    then the hive partition keys as text); a CSV file's header as text columns.
    """

    path: str
    filesystem: Any
    root: str
    csv: bool
    partitions: tuple[str, ...]
    schema: pa.Schema

    def partitioning(self) -> Any:
        import pyarrow.dataset as ds

        if not self.partitions:
            return None
        return ds.partitioning(pa.schema([(n, pa.string()) for n in self.partitions]), flavor="hive")


def _is_data_file(root: str, path: str) -> bool:
    """A Parquet file of a dataset, as ``stream.dataset_files`` picks them (no ``_``/``.`` names)."""
    rel = path[len(root) :].strip("/").split("/")
    return path.lower().endswith(_PARQUET_SUFFIXES) and not any(seg.startswith((".", "_")) for seg in rel)


def _csv_names(fs: Any, path: str) -> list[str]:
    import pyarrow.csv as pacsv

    with fs.open_input_stream(path) as f:
        reader = pacsv.open_csv(
            f,
            read_options=pacsv.ReadOptions(block_size=1 << 16),
            parse_options=pacsv.ParseOptions(delimiter=_delimiter(path)),
            convert_options=pacsv.ConvertOptions(column_types={}, strings_can_be_null=True, auto_dict_encode=False),
        )
        return reader.schema.names


def _delimiter(path: str) -> str:
    return "\t" if ".tsv" in path.lower() else ","


def plan(
    path: str, parallelism: int, *, max_split_bytes: int = MAX_SPLIT_BYTES, open_cost: int = OPEN_COST_BYTES
) -> tuple[Source, list[Split]]:
    """(the input, its splits) of a Parquet file, a Parquet dataset directory or a CSV file.

    As Spark's file reader: each file costs its size plus ``open_cost``; the splits are about
    ``total ÷ n`` bytes, ``n`` the smallest multiple of ``parallelism`` (the cluster's cores)
    with splits of at most ``max_split_bytes``; a file bigger than that is cut at row-group
    boundaries (its footer read here), small files share a split, in path order. Only file
    names and sizes (one listing) and the footers of big files are read on the driver.
    """
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs

    fs, root = _filesystem(path)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        raise FileNotFoundError(f"no such file or directory: {path}")
    if info.type == pafs.FileType.Directory:
        listing = fs.get_file_info(pafs.FileSelector(root, recursive=True))
        files = sorted(
            (i.path, i.size or 0) for i in listing if i.type == pafs.FileType.File and _is_data_file(root, i.path)
        )
        if not files:
            raise ValueError(f"no Parquet files in the directory {path}")
        rel = files[0][0][len(root) :].strip("/").split("/")[:-1]
        partitions = tuple(seg.split("=", 1)[0] for seg in rel if "=" in seg)
    else:
        files, partitions = [(root, info.size or 0)], ()
    csv = len(files) == 1 and info.type == pafs.FileType.File and _is_csv(root)
    if csv:
        schema = pa.schema([(n, pa.string()) for n in _csv_names(fs, root)])
        source = Source(path, fs, root, True, (), schema)
        return source, [((root, None),)]
    part = Source(path, fs, root, False, partitions, pa.schema([])).partitioning()
    first = ds.dataset(
        [files[0][0]], filesystem=fs, format="parquet", partitioning=part, partition_base_dir=root if part else None
    )
    source = Source(path, fs, root, False, partitions, first.schema)

    total = sum(size + open_cost for _, size in files)
    n = max(parallelism, math.ceil(total / max(max_split_bytes, 1)))
    n = math.ceil(n / max(parallelism, 1)) * max(parallelism, 1)
    target = total / n
    units: list[tuple[str, tuple[int, ...] | None, float]] = []
    for file, size in files:
        if size + open_cost <= target:
            units.append((file, None, size + open_cost))
            continue
        import pyarrow.parquet as pq

        with fs.open_input_file(file) as f:
            meta = pq.ParquetFile(f).metadata
        groups: list[int] = []
        weight = 0.0
        sizes = [
            sum(meta.row_group(g).column(c).total_compressed_size for c in range(meta.num_columns))
            for g in range(meta.num_row_groups)
        ]
        for g, gsize in enumerate(sizes):
            if groups and weight + gsize > target:
                units.append((file, tuple(groups), weight + open_cost))
                groups, weight = [], 0.0
            groups.append(g)
            weight += gsize
        units.append((file, tuple(groups) if sizes else None, weight + open_cost))
    if n >= len(units):  # as many tasks as pieces: one piece each
        return source, [((file, row_groups),) for file, row_groups, _ in units]
    total = sum(w for *_, w in units)
    splits: list[list[tuple[str, tuple[int, ...] | None]]] = [[] for _ in range(n)]
    done = 0.0
    for file, row_groups, w in units:
        k = min(n - 1, int((done + w / 2) * n / total))
        splits[k].append((file, row_groups))
        done += w
    return source, [tuple(s) for s in splits if s]


def read_split(
    source: Source, split: Split, batch_size: int, columns: Sequence[str] | None = None
) -> Iterator[pa.RecordBatch]:
    """The rows of one split, in batches of at most ``batch_size`` rows (a CSV: about that).

    Parquet: each piece as a fragment of the dataset (``ParquetFileFormat.make_fragment`` with
    its hive partition expression), read with the dataset's schema: the columns, types and
    partition values the arrow engine reads. CSV: every cell as text (``strings=True``).
    One thread: a task has one core.
    """
    if source.csv:
        yield from _read_csv(source, batch_size, columns)
        return
    import pyarrow.dataset as ds

    fmt = ds.ParquetFileFormat()
    part = source.partitioning()
    for file, groups in split:
        folder = file[len(source.root) :].rsplit("/", 1)[0] if len(file) > len(source.root) else ""
        # the directory with its trailing slash: pyarrow takes a last segment without one for a file name
        expr = part.parse(folder + "/") if part is not None and folder else None
        fragment = fmt.make_fragment(
            file, filesystem=source.filesystem, partition_expression=expr, row_groups=list(groups) if groups else None
        )
        for batch in fragment.to_batches(
            schema=source.schema,
            columns=list(columns) if columns is not None else None,
            batch_size=batch_size,
            use_threads=False,
        ):
            if batch.num_rows:
                yield batch


def _read_csv(source: Source, batch_size: int, columns: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    block = int(min(max(batch_size * 64, 1 << 16), 1 << 26))  # as stream.iter_batches
    convert = pacsv.ConvertOptions(
        column_types={f.name: pa.string() for f in source.schema},
        include_columns=list(columns) if columns is not None else None,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    with source.filesystem.open_input_stream(source.root) as f:
        reader = pacsv.open_csv(
            f,
            read_options=pacsv.ReadOptions(block_size=block, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=_delimiter(source.root)),
            convert_options=convert,
        )
        for batch in reader:
            if batch.num_rows:
                yield batch


def _run_splits(spark: Any, n: int, fn: Any, schema: Any) -> Any:
    """A DataFrame of ``fn`` run once per split: ``fn`` gets Arrow batches of split numbers."""
    return spark.range(0, n, 1, max(n, 1)).mapInArrow(fn, schema)


# --------------------------------------------------------------------------- z-scores
def _big_job() -> None:
    """In a Spark worker: load the compiled (fused) kernel from the first batch.

    The single-process rule ("auto") loads it once a process has scored 2 million rows, so
    that a web request scoring a few children never pays numba's load; a Spark worker may
    see fewer rows than that per job, and where numpy's ``power`` is not C's ``pow`` it
    would then call ``math.pow`` from Python for every value. A Spark job is a big job by
    definition: tell the rule so (it still falls back to numpy, with a warning, without numba).
    """
    from tumbuh.growth import zscores

    if zscores.ENGINE == "auto" and zscores._FUSED is None:
        zscores._rows_seen = max(zscores._rows_seen, zscores.FUSED_LOAD_ROWS)


def score_dataframe(df: Any, *, round_digits: int | None = None, standard: str = "who2006", rows: Any = None) -> Any:
    """``df`` with the engine's columns appended, computed by ``score_batch`` on each Arrow batch.

    ``rows``: an optional Spark accumulator that counts the rows scored.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    from tumbuh.growth.cli import score_batch

    in_schema = _arrow_schema(df)
    empty = pa.Table.from_batches([], schema=in_schema)
    out_schema = _plain(score_batch(empty, round_digits=round_digits, standard=standard).schema)

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from tumbuh.growth.cli import score_batch

        _big_job()
        for batch in batches:
            if rows is not None:
                rows.add(batch.num_rows)
            yield _decode(score_batch(batch, round_digits=round_digits, standard=standard), out_schema)

    return df.mapInArrow(score, from_arrow_schema(out_schema))


def _hive_dir(column: str, value: Any) -> str:
    """``column=value`` as Spark names it (``__HIVE_DEFAULT_PARTITION__`` for a missing value)."""
    from urllib.parse import quote

    text = "__HIVE_DEFAULT_PARTITION__" if value is None else quote(str(value), safe=" -._~,;@+!$&'()")
    return f"{column}={text}"


class _PartWriter:
    """One output file of a task, written as the arrow engine writes (``stream.BatchWriter``'s options)."""

    def __init__(self, fs: Any, path: str, schema: pa.Schema, csv: bool, delimiter: str) -> None:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        self.sink = fs.open_output_stream(path)
        if csv:
            self.writer = pacsv.CSVWriter(self.sink, schema, write_options=pacsv.WriteOptions(delimiter=delimiter))
        else:
            text = [
                f.name
                for f in schema
                if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_dictionary(f.type)
            ]
            self.writer = pq.ParquetWriter(self.sink, schema, compression="snappy", use_dictionary=text)
        self.schema = schema

    def write(self, table: pa.Table) -> None:
        if table.schema != self.schema:
            table = table.cast(self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()
        self.sink.close()


class _TaskOutput:
    """A task's output files: one per hive directory, ``<column>=<value>/.../<name>``.

    A retried task writes the same file names again, so a retry replaces its files rather than
    adding duplicates.
    """

    def __init__(self, fs: Any, root: str, partitions: Sequence[str], name: str, csv: bool, delimiter: str) -> None:
        self.fs, self.root, self.parts, self.name = fs, root, list(partitions), name
        self.csv, self.delimiter = csv, delimiter
        self.writers: dict[tuple, _PartWriter] = {}

    def write(self, table: pa.Table) -> None:
        for key, sub in self._split(table):
            writer = self.writers.get(key)
            if writer is None:
                folder = "/".join([self.root, *[_hive_dir(c, v) for c, v in zip(self.parts, key)]])
                self.fs.create_dir(folder, recursive=True)
                writer = _PartWriter(self.fs, f"{folder}/{self.name}", sub.schema, self.csv, self.delimiter)
                self.writers[key] = writer
            writer.write(sub)

    def _split(self, table: pa.Table) -> Iterator[tuple[tuple, pa.Table]]:
        """(key, rows without the partition columns) per partition key of ``table``."""
        import pyarrow.compute as pc

        if not self.parts:
            yield (), table
            return
        cols = [table.column(c) for c in self.parts]
        first = tuple(c[0].as_py() for c in cols)
        if all(
            (c.null_count == 0 and pc.all(pc.equal(c, v)).as_py()) if v is not None else c.null_count == len(c)
            for c, v in zip(cols, first)
        ):
            yield first, table.drop_columns(self.parts)  # the usual case: a batch of one file
            return
        groups = table.group_by(self.parts, use_threads=False).aggregate([])
        for key in zip(*[groups.column(c).to_pylist() for c in self.parts]):
            mask = None
            for c, v in zip(self.parts, key):
                m = pc.is_null(table.column(c)) if v is None else pc.fill_null(pc.equal(table.column(c), v), False)
                mask = m if mask is None else pc.and_(mask, m)
            yield key, table.filter(mask).drop_columns(self.parts)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def _prepare_output(output_path: str) -> tuple[Any, str, bool, str, str]:
    """(filesystem, root, csv, delimiter, file suffix) of an output directory, emptied (overwrite)."""
    csv = _is_csv(output_path)
    fs, root = _filesystem(output_path)
    fs.create_dir(root, recursive=True)
    fs.delete_dir_contents(root, missing_dir_ok=True)
    return fs, root, csv, _delimiter(output_path), ".csv" if csv else ".parquet"


def write_splits(
    spark: Any,
    source: Source,
    splits: Sequence[Split],
    output_path: str,
    *,
    batch_size: int = 100_000,
    round_digits: int | None = None,
    standard: str = "who2006",
) -> int:
    """Score the splits, one task each, into ``output_path``; rows written.

    Each task reads its split with pyarrow, scores it batch by batch with ``score_batch`` and
    writes ``part-<split>`` files with pyarrow, as the arrow engine writes them (categories
    dictionary-encoded, z-scores without dictionaries), partitioned like the input. The output
    directory is emptied first (overwrite) and gets ``_SUCCESS`` when every task is done.
    Only one row per task (its row count) comes back to the driver.
    """
    from pyspark.sql.types import LongType, StructField, StructType

    fs, root, csv, delimiter, suffix = _prepare_output(output_path)
    parts = list(source.partitions)
    splits = list(splits)

    def score_and_write(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from tumbuh.growth.cli import score_batch

        _big_job()
        rows = 0
        for ids in batches:
            for i in ids.column(0).to_pylist():
                out = _TaskOutput(fs, root, parts, f"part-{i:05d}{suffix}", csv, delimiter)
                try:
                    for batch in read_split(source, splits[i], batch_size):
                        table = score_batch(batch, round_digits=round_digits, standard=standard)
                        rows += table.num_rows
                        out.write(table)
                finally:
                    out.close()
        yield pa.RecordBatch.from_pydict({"rows": pa.array([rows], pa.int64())})

    schema = StructType([StructField("rows", LongType())])
    rows = int(sum(r["rows"] for r in _run_splits(spark, len(splits), score_and_write, schema).collect()))
    if rows == 0 and not parts:  # as the arrow engine: a file with the header only
        from tumbuh.growth.cli import score_batch

        empty = score_batch(source.schema.empty_table(), round_digits=round_digits, standard=standard)
        out = _TaskOutput(fs, root, [], f"part-00000{suffix}", csv, delimiter)
        out.write(empty)
        out.close()
    with fs.open_output_stream(f"{root}/_SUCCESS"):
        pass
    return rows


def write_scored(
    df: Any,
    output_path: str,
    partitions: Sequence[str],
    *,
    round_digits: int | None = None,
    standard: str = "who2006",
) -> int:
    """Score a Spark DataFrame (the JVM reader) and write it under ``output_path``; rows written.

    Each task scores the Arrow batches Spark gives it with ``score_batch`` and writes its own
    files with pyarrow, as :func:`write_splits` does (``part-<task>``), partitioned by
    ``partitions``. Spark's own writer would take every value back into the JVM row by row
    (4× the time, measured in bench/bench_spark.py).
    """
    from pyspark.sql.types import LongType, StructField, StructType

    fs, root, csv, delimiter, suffix = _prepare_output(output_path)
    parts = list(partitions)

    def score_and_write(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        from tumbuh.growth.cli import score_batch

        _big_job()
        ctx = TaskContext.get()
        task = ctx.partitionId() if ctx is not None else 0
        out = _TaskOutput(fs, root, parts, f"part-{task:05d}{suffix}", csv, delimiter)
        rows = 0
        try:
            for batch in batches:
                table = score_batch(batch, round_digits=round_digits, standard=standard)
                rows += table.num_rows
                out.write(table)
        finally:
            out.close()
        yield pa.RecordBatch.from_pydict({"rows": pa.array([rows], pa.int64())})

    counts = df.mapInArrow(score_and_write, StructType([StructField("rows", LongType())])).collect()
    with fs.open_output_stream(f"{root}/_SUCCESS"):
        pass
    return int(sum(r["rows"] for r in counts))


def _check_not_inside(input_path: str, output_path: str) -> None:
    if "://" not in input_path + output_path:
        src, dst = os.path.abspath(input_path), os.path.abspath(output_path)
        if src == dst or src.startswith(dst.rstrip("/") + "/"):
            raise ValueError(f"the output {output_path} would overwrite the input {input_path}")


def zscore_job(
    spark: Any,
    input_path: str,
    output_path: str,
    *,
    batch_size: int = 100_000,
    round_digits: int | None = None,
    standard: str = "who2006",
    reader: str | None = None,
    max_split_bytes: int = MAX_SPLIT_BYTES,
) -> int:
    """Score ``input_path`` into ``output_path`` (a directory, partitioned like the input); rows written.

    ``reader``: ``"arrow"`` (default: tasks read their splits with pyarrow) or ``"jvm"``
    (Spark reads, :func:`zscore_dataframe`); see the module's docstring.
    """
    _check_not_inside(input_path, output_path)
    if reader_for(reader) == "jvm":
        df, parts = read_input(spark, input_path, batch_size)
        return zscore_dataframe(df, output_path, parts, round_digits=round_digits, standard=standard)
    source, splits = plan(input_path, spark.sparkContext.defaultParallelism, max_split_bytes=max_split_bytes)
    if "sex" not in source.schema.names:
        raise KeyError(f"{input_path} has no 'sex' column")
    return write_splits(
        spark, source, splits, output_path, batch_size=batch_size, round_digits=round_digits, standard=standard
    )


def zscore_dataframe(
    df: Any,
    output_path: str,
    partitions: Sequence[str] = (),
    *,
    round_digits: int | None = None,
    standard: str = "who2006",
) -> int:
    """Score a Spark DataFrame (e.g. ``spark.table("main.gizi.visits")`` on Databricks) into
    ``output_path``, partitioned by ``partitions``; rows written. Its batch size is Spark's
    ``spark.sql.execution.arrow.maxRecordsPerBatch``."""
    if "sex" not in df.columns:
        raise KeyError("the data has no 'sex' column")
    return write_scored(df, output_path, partitions, round_digits=round_digits, standard=standard)


def _user_error(exc: Exception) -> bool:
    """An error to report in one line (exit 2) rather than a traceback: bad input, not a bug."""
    if isinstance(exc, (KeyError, ValueError, FileNotFoundError)):
        return True
    return type(exc).__name__ in ("AnalysisException", "PythonException")


def run_zscore(args: argparse.Namespace) -> int:
    """``tumbuh zscore --engine spark``: the cli's Namespace (input, output, batch_size, round, standard, quiet, master)."""
    if args.batch_size <= 0:
        print("tumbuh zscore: --batch-size must be positive", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    spark = spark_session(getattr(args, "master", None))
    started = time.perf_counter() - t0
    try:
        rows = zscore_job(
            spark,
            args.input,
            args.output,
            batch_size=args.batch_size,
            round_digits=2 if getattr(args, "round", False) else None,
            standard=getattr(args, "standard", "who2006"),
        )
    except Exception as exc:
        if not _user_error(exc):
            raise
        print(f"tumbuh zscore: {exc}", file=sys.stderr)
        return 2
    took = time.perf_counter() - t0
    if not getattr(args, "quiet", False):
        print(
            f"tumbuh zscore: {rows} rows → {args.output} in {took:.2f} s on Spark {spark.sparkContext.master} "
            f"(session start {started:.2f} s)",
            file=sys.stderr,
        )
    return 0


# --------------------------------------------------------------------------- prevalence
def _key(v: Any) -> str | None:
    """A grouping/design value as text that gives the same Python value back (int 1 ≠ '1')."""
    from tumbuh.growth.prevalence import _norm_value

    v = _norm_value(v)
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, (bool, int, float, str)):
        return json.dumps(v)
    if isinstance(v, dt.datetime):
        return json.dumps({"datetime": v.isoformat()})
    if isinstance(v, dt.date):
        return json.dumps({"date": v.isoformat()})
    if isinstance(v, decimal.Decimal):
        return json.dumps({"decimal": str(v)})
    return json.dumps(str(v))


def _value(key: str) -> Any:
    v = json.loads(key)
    if isinstance(v, dict):
        if "datetime" in v:
            return dt.datetime.fromisoformat(v["datetime"])
        if "date" in v:
            return dt.date.fromisoformat(v["date"])
        return decimal.Decimal(v["decimal"])
    return v


def _cells_schema(nby: int) -> pa.Schema:
    from tumbuh.growth.prevalence import _K

    fields = [
        pa.field("kind", pa.int32()),
        pa.field("dim", pa.int32()),
        pa.field("agesex", pa.int64()),
        pa.field("strata", pa.string()),
        pa.field("cluster", pa.string()),
        *[pa.field(f"by{i}", pa.string()) for i in range(nby)],
        *[pa.field(f"s{k}", pa.float64()) for k in range(_K)],
    ]
    return pa.schema(fields)


def _inverse(mapping: dict) -> list[str | None]:
    """code → key of a PrevalenceAccumulator value mapping."""
    out: list[str | None] = [None] * len(mapping)
    for value, code in mapping.items():
        out[code] = _key(value)
    return out


def partition_cells(acc: Any, nby: int) -> pa.RecordBatch:
    """An accumulator's state as rows: its cells with their sums, its counters, its value sets."""
    from tumbuh.growth.prevalence import _K

    schema = _cells_schema(nby)
    n = acc._ncells
    cells = acc._cells[:n]
    sums = acc._sums[:n]
    strata = _inverse(acc._strata_codes)
    clusters = _inverse(acc._cluster_codes)
    psu_cluster: dict[int, str | None] = {}
    for pair, code in acc._psu_codes.items():
        psu_cluster[code] = clusters[pair % (1 << 31)]
    by_keys = [[None, *_inverse(m)] for m in acc._by_codes]  # cell code 0 = missing

    kind = [_CELL] * n
    dim = [0] * n
    agesex = cells[:, 0].tolist()
    strat_col = [strata[c] if acc.strata is not None else None for c in cells[:, 1].tolist()]
    clus_col = [psu_cluster[c] if acc.cluster is not None else None for c in cells[:, 2].tolist()]
    by_cols = [[by_keys[i][c] for c in cells[:, 3 + i].tolist()] for i in range(nby)]
    value_cols = [sums[:, k] for k in range(_K)]

    def add_row(k: int, d: int, s: str | None = None, c: str | None = None, b: list[str | None] | None = None) -> None:
        kind.append(k)
        dim.append(d)
        agesex.append(0)
        strat_col.append(s)
        clus_col.append(c)
        for i in range(nby):
            by_cols[i].append(b[i] if b else None)

    extras: list[np.ndarray] = []
    # one row of counters (in the first sums columns) and flags
    counts = np.zeros(_K)
    for j, name in enumerate(_COUNTERS):
        counts[j] = getattr(acc, name)
    for j, name in enumerate(_FLAGS):
        counts[len(_COUNTERS) + j] = float(getattr(acc, name))
    add_row(_COUNTS, 0)
    extras.append(counts)
    # every value the accumulator has seen, even on rows it then dropped (WHO's tests on them)
    for key in clusters:
        add_row(_VALUE, _DIM_CLUSTER, c=key)
        extras.append(np.zeros(_K))
    for key in strata:
        add_row(_VALUE, _DIM_STRATA, s=key)
        extras.append(np.zeros(_K))
    for i in range(nby):
        for key in by_keys[i][1:]:
            b: list[str | None] = [None] * nby
            b[i] = key
            add_row(_VALUE, _DIM_BY + i, b=b)
            extras.append(np.zeros(_K))
    if extras:
        more = np.vstack(extras)
        value_cols = [np.concatenate([value_cols[k], more[:, k]]) for k in range(_K)]
    arrays = [
        pa.array(kind, pa.int32()),
        pa.array(dim, pa.int32()),
        pa.array(agesex, pa.int64()),
        pa.array(strat_col, pa.string()),
        pa.array(clus_col, pa.string()),
        *[pa.array(col, pa.string()) for col in by_cols],
        *[pa.array(col, pa.float64()) for col in value_cols],
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def accumulator_from_cells(table: pa.Table, **design: Any) -> Any:
    """Rebuild a :class:`PrevalenceAccumulator` from the summed cell rows of all partitions."""
    from tumbuh.growth.prevalence import _K, PrevalenceAccumulator, _sort_key

    acc = PrevalenceAccumulator(**design)
    nby = len(acc.by)
    kind = np.asarray(table.column("kind").to_numpy(zero_copy_only=False))
    dim = np.asarray(table.column("dim").to_numpy(zero_copy_only=False))
    strata = table.column("strata").to_pylist()
    cluster = table.column("cluster").to_pylist()
    by = [table.column(f"by{i}").to_pylist() for i in range(nby)]
    sums = np.column_stack([table.column(f"s{k}").to_numpy(zero_copy_only=False) for k in range(_K)])

    def codes(keys: set[str]) -> dict:
        values = sorted((_value(k) for k in keys), key=_sort_key)
        return {v: i for i, v in enumerate(values)}

    values = np.flatnonzero(kind == _VALUE)
    acc._cluster_codes = codes({cluster[j] for j in values if dim[j] == _DIM_CLUSTER})
    acc._strata_codes = codes({strata[j] for j in values if dim[j] == _DIM_STRATA})
    acc._by_codes = [codes({by[i][j] for j in values if dim[j] == _DIM_BY + i}) for i in range(nby)]

    counts = sums[kind == _COUNTS].sum(axis=0)
    for j, name in enumerate(_COUNTERS):
        setattr(acc, name, int(round(counts[j])))
    for j, name in enumerate(_FLAGS):
        setattr(acc, name, bool(counts[len(_COUNTERS) + j] > 0))

    rows = np.flatnonzero(kind == _CELL)
    m = len(rows)
    cells = np.zeros((m, 3 + nby), dtype=np.int64)
    cells[:, 0] = np.asarray(table.column("agesex").to_numpy(zero_copy_only=False))[rows]
    if acc.strata is not None:
        cells[:, 1] = [acc._strata_codes[_value(strata[j])] for j in rows]
    if acc.cluster is not None:
        psu: dict[tuple[int, int], int] = {}
        for r, j in enumerate(rows.tolist()):
            pair = (int(cells[r, 1]), acc._cluster_codes[_value(cluster[j])])
            cells[r, 2] = psu.setdefault(pair, len(psu))
        acc._psu_codes = {h * (1 << 31) + c: code for (h, c), code in psu.items()}
    for i in range(nby):
        lut = acc._by_codes[i]
        cells[:, 3 + i] = [0 if by[i][j] is None else lut[_value(by[i][j])] + 1 for j in rows]
    acc._cells = cells
    acc._sums = np.ascontiguousarray(sums[rows])
    acc._ncells = m
    acc._cell_index_map = {tuple(c): r for r, c in enumerate(cells.tolist())}
    return acc


#: Columns the estimator reads besides the design and ``by`` ones: the kernel's inputs, a
#: ready z-score file's columns.
_PREVALENCE_COLUMNS = frozenset({"age", "zlen", "zwei", "zwfl", "zbmi", "flen", "fwei", "fwfl", "fbmi"})


def _summed_cells(frame: Any, nby: int) -> pa.Table:
    """The cells of every task summed on Spark (``groupBy``), as one small Arrow table."""
    from pyspark.sql import functions as F

    from tumbuh.growth.prevalence import _K

    keys = ["kind", "dim", "agesex", "strata", "cluster", *[f"by{i}" for i in range(nby)]]
    return frame.groupBy(*keys).agg(*[F.sum(f"s{k}").alias(f"s{k}") for k in range(_K)]).toArrow()


def _check_design(names: Sequence[str], where: str, cluster: Any, strata: Any, weight: Any, by: Sequence[str]) -> None:
    for role, col in (("cluster", cluster), ("strata", strata), ("weight", weight)):
        if col is not None and col not in names:
            raise KeyError(f"{role} column {col!r} not in the data")
    missing = [c for c in by if c not in names]
    if missing:
        raise KeyError(f"columns not in {where}: {', '.join(missing)}")


def prevalence_job(
    spark: Any,
    input_path: str,
    *,
    cluster: str | None = None,
    strata: str | None = None,
    weight: str | None = None,
    by: Sequence[str] = (),
    age_in_months: bool = False,
    batch_size: int = 262_144,
    reader: str | None = None,
    max_split_bytes: int = MAX_SPLIT_BYTES,
) -> tuple[pa.Table, Any]:
    """(WHO's prevalence table, the rebuilt accumulator) of a file or directory, aggregated on Spark.

    ``reader``: ``"arrow"`` (default: each task reads its split with pyarrow, only the columns
    the estimator uses) or ``"jvm"`` (:func:`prevalence_dataframe` over Spark's reader).
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    if reader_for(reader) == "jvm":
        df, _ = read_input(spark, input_path, batch_size)
        return prevalence_dataframe(
            df, cluster=cluster, strata=strata, weight=weight, by=by, age_in_months=age_in_months
        )
    from tumbuh.growth.cli import INPUT_COLUMNS

    design: dict[str, Any] = {"cluster": cluster, "strata": strata, "weight": weight, "by": list(by)}
    source, splits = plan(input_path, spark.sparkContext.defaultParallelism, max_split_bytes=max_split_bytes)
    names = source.schema.names
    _check_design(names, input_path, cluster, strata, weight, by)
    wanted = set(INPUT_COLUMNS) | _PREVALENCE_COLUMNS | {c for c in (cluster, strata, weight) if c} | set(by)
    columns = [c for c in names if c in wanted]
    nby = len(by)

    def cells(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from tumbuh.growth.prevalence import PrevalenceAccumulator, with_zscores

        _big_job()
        acc = PrevalenceAccumulator(**design)
        for ids in batches:
            for i in ids.column(0).to_pylist():
                for batch in read_split(source, splits[i], batch_size, columns):
                    acc.update(with_zscores(batch, age_in_months=age_in_months))
        yield partition_cells(acc, nby)

    frame = _run_splits(spark, len(splits), cells, from_arrow_schema(_cells_schema(nby)))
    acc = accumulator_from_cells(_summed_cells(frame, nby), **design)
    return acc.result(), acc


def prevalence_dataframe(
    df: Any,
    *,
    cluster: str | None = None,
    strata: str | None = None,
    weight: str | None = None,
    by: Sequence[str] = (),
    age_in_months: bool = False,
) -> tuple[pa.Table, Any]:
    """(WHO's prevalence table, the accumulator) of a Spark DataFrame (a table, a view, a
    query: the JVM reader), aggregated on Spark as :func:`prevalence_job` does."""
    from pyspark.sql.pandas.types import from_arrow_schema

    design: dict[str, Any] = {"cluster": cluster, "strata": strata, "weight": weight, "by": list(by)}
    _check_design(df.columns, "the data", cluster, strata, weight, by)
    nby = len(by)

    def cells(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from tumbuh.growth.prevalence import PrevalenceAccumulator, with_zscores

        _big_job()
        acc = PrevalenceAccumulator(**design)
        for batch in batches:
            acc.update(with_zscores(batch, age_in_months=age_in_months))
        yield partition_cells(acc, nby)

    frame = df.mapInArrow(cells, from_arrow_schema(_cells_schema(nby)))
    acc = accumulator_from_cells(_summed_cells(frame, nby), **design)
    return acc.result(), acc


def run_prevalence(args: argparse.Namespace) -> int:
    """``tumbuh prevalence --engine spark``: the cli's Namespace (input, output, cluster, strata, weight, by, master, ...)."""
    from tumbuh.growth.prevalence import _write_table

    t0 = time.perf_counter()
    spark = spark_session(getattr(args, "master", None))
    try:
        result, acc = prevalence_job(
            spark,
            args.input,
            cluster=args.cluster,
            strata=args.strata,
            weight=args.weight,
            by=args.by or (),
            age_in_months=getattr(args, "age_in_months", False),
            batch_size=getattr(args, "batch_size", 262_144),
        )
    except Exception as exc:
        if not _user_error(exc):
            raise
        print(f"tumbuh prevalence: {exc}", file=sys.stderr)
        return 2
    for msg in acc.warnings():
        print(f"tumbuh prevalence: {msg}", file=sys.stderr)
    _write_table(result, args.output)
    print(
        f"{result.num_rows} groups from {acc.rows_used} rows written to {args.output} "
        f"(Spark {spark.sparkContext.master}, {time.perf_counter() - t0:.2f} s)"
    )
    return 0
