"""Command line of the growth engine: ``tumbuh zscore|prevalence|quality ...``.

``tumbuh/cli.py`` routes these sub-commands here as ``main(argv)`` with ``argv[0]`` the
sub-command. ``zscore`` is implemented here; ``prevalence`` and ``quality`` are provided by
``tumbuh.growth.prevalence`` / ``tumbuh.growth.quality`` through their ``add_arguments(parser)``
and ``run(args)`` functions, imported only when that sub-command is asked for, so that a
missing or broken module never breaks ``zscore``.

Inputs and outputs: a CSV/TSV file, a Parquet file, or a directory of Parquet files
(hive-partitioned, e.g. ``provinsi=73/kabupaten=73.24/round=2025-08/part-0.parquet``; the
partition keys are ordinary text columns, so ``tumbuh prevalence --by kabupaten`` works). An
output path that is a directory (existing, ending with ``/``, or without an extension) gets
a Parquet dataset: ``zscore`` partitions it as its input was.

Engines (``--engine``, both sub-commands): ``arrow`` (default) runs here, in this process,
batch by batch. ``duckdb`` and ``spark`` hand the parsed arguments to
``tumbuh.growth.engines.duckdb_engine`` / ``spark_engine`` (imported only then):
``run_zscore(args) -> int`` and ``run_prevalence(args) -> int`` (the exit status). ``args``
is an ``argparse.Namespace`` with, for both commands:

- ``command``: ``"zscore"`` or ``"prevalence"``;
- ``input``: a CSV/TSV/Parquet file or a directory of Parquet files (hive-partitioned);
  it exists (checked before the engine is called);
- ``output``: a file (format by extension: ``.csv``/``.tsv``/``.parquet``) or a directory
  (``tumbuh.growth.stream.output_is_dataset(output)``);
- ``batch_size``: rows per Arrow batch (int > 0);
- ``engine``: ``"arrow"``, ``"duckdb"`` or ``"spark"``;
- ``master``: Spark master URL or None (``--master``; spark only, e.g. ``local[2]``);

for ``zscore`` also ``round`` (bool: z rounded to 2 decimals as WHO prints them),
``standard`` (``"who2006"`` or ``"who2007"``), ``quiet`` (bool: no summary on stderr);
for ``prevalence`` also ``cluster``, ``strata``, ``weight`` (column names or None), ``by``
(list of column names, possibly empty) and ``age_in_months`` (bool: a column named ``age``
holds months).

Per-batch entry point for every engine: :func:`score_batch` (Arrow in, Arrow out; same
results as this process, bit for bit). Partition keys of an input directory:
``tumbuh.growth.stream.partition_names(input)``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pyarrow as pa

from . import _aot, stream, zscores
from ._inputs import pc
from .classify import (
    ANTHRO_INDICATORS,
    ANTHROPLUS_INDICATORS,
    CATEGORY_COLUMN,
    categories,
    classify_anthro,
    classify_anthroplus,
)
from .zscores import (
    _BIT,
    ANTHRO_COLUMNS,
    ANTHROPLUS_COLUMNS,
    ZScoreResult,
    anthro_zscores,
    anthroplus_zscores,
    as_table,
    dictionary_array,
    reason_strings,
)

CATEGORY_INDICATOR = {("who2006", CATEGORY_COLUMN[i]): i for i in ANTHRO_INDICATORS}
CATEGORY_INDICATOR.update({("who2007", CATEGORY_COLUMN[i]): i for i in ANTHROPLUS_INDICATORS})

DEFAULT_BATCH_SIZE = 100_000
INPUT_COLUMNS = (
    "sex", "age_days", "age_months", "birth_date", "visit_date", "weight", "lenhei", "height",
    "measure", "oedema", "headc", "armc", "triskin", "subskin",
)  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d")
ENGINES = ("arrow", "duckdb", "spark")
ENGINE_MODULES = {
    "duckdb": "tumbuh.growth.engines.duckdb_engine",
    "spark": "tumbuh.growth.engines.spark_engine",
}
OPTIONAL_COMMANDS = {
    "prevalence": ("tumbuh.growth.prevalence", "survey prevalence of stunting, wasting, underweight (WHO anthro)"),
    "quality": ("tumbuh.growth.quality", "data-quality report of measurements"),
}


# ---------------------------------------------------------------------------------------
# Scoring one batch


def _col(batch: pa.RecordBatch | pa.Table, name: str) -> pa.Array | pa.ChunkedArray | None:
    return batch.column(name) if name in batch.schema.names else None


def _to_days(col: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A date column → (days since epoch as float, NaN if missing/invalid; invalid mask)."""
    n = len(col)
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    t = col.type
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        ts = pc.cast(col, pa.timestamp("s")) if pa.types.is_date(t) else pc.cast(col, pa.timestamp("s"))
        secs = pc.cast(ts, pa.int64()).to_numpy(zero_copy_only=False)
        return np.asarray(secs, dtype=np.float64) / 86400.0, np.zeros(n, dtype=bool)
    s = pc.utf8_trim_whitespace(pc.cast(col, pa.string()))
    missing = np.asarray(pc.fill_null(pc.equal(s, ""), True).to_numpy(zero_copy_only=False), dtype=bool)
    out = pa.nulls(n, pa.timestamp("s"))
    for fmt in DATE_FORMATS:
        parsed = pc.strptime(s, format=fmt, unit="s", error_is_null=True)
        out = pc.coalesce(out, parsed)
    secs = np.asarray(pc.cast(out, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    # to_numpy of a nullable int64 gives float with NaN for nulls
    invalid = np.isnan(secs) & ~missing
    return secs / 86400.0, invalid


def score_batch(
    batch: pa.RecordBatch | pa.Table, round_digits: int | None = None, standard: str = "who2006"
) -> pa.Table:
    """Input columns + WHO output columns + Permenkes categories + ``reason`` as a Table.

    The per-batch entry point of every engine (this process, DuckDB, Spark's
    ``mapInArrow``): its signature and output schema are stable. ``batch``: a
    ``pyarrow.RecordBatch`` or ``Table`` (any number of rows, 0 included); returns a
    ``pyarrow.Table`` with the same rows in the same order: the input columns (those that
    clash with an output name are replaced), then WHO's columns (:data:`ANTHRO_COLUMNS`
    or :data:`ANTHROPLUS_COLUMNS`: float64 z-scores and measures, int8 flags and ``csex``,
    ``cmeasure`` dictionary), the Permenkes categories (``status_*``, dictionary<int8,
    string>) and ``reason`` (dictionary, ';'-joined codes, '' for none). ``table.to_batches()``
    gives record batches (one per input batch's chunk). ``round_digits``: round z as WHO
    prints them (2), or full precision (None). The kernel (fused numba or numpy) is chosen
    by ``tumbuh.growth.zscores`` (results are bit-identical either way); a worker process
    about to score many rows may call ``zscores.expect_rows(n)`` first.

    Recognised input columns (WHO's names): ``sex``, ``age_days`` or ``birth_date`` +
    ``visit_date`` or ``age_months``, ``weight``, ``lenhei``, ``measure``, ``oedema``,
    ``headc``, ``armc``, ``triskin``, ``subskin``; for ``standard="who2007"``:
    ``sex``, ``age_months``, ``weight``, ``height`` (or ``lenhei``), ``oedema``.
    """
    if "sex" not in batch.schema.names:
        raise KeyError("input has no 'sex' column")
    res: dict[str, np.ndarray] | ZScoreResult
    names: tuple[str, ...]
    if standard == "who2007":
        res = anthroplus_zscores(
            sex=_col(batch, "sex"),
            age_months=_col(batch, "age_months"),
            weight=_col(batch, "weight"),
            height=_col(batch, "height") if "height" in batch.schema.names else _col(batch, "lenhei"),
            oedema=_col(batch, "oedema"),
            round_digits=round_digits,
        )
        cats = classify_anthroplus(res, as_index=True)
        names = ANTHROPLUS_COLUMNS
    else:
        age_days = _col(batch, "age_days")
        date_invalid = None
        if age_days is None and "birth_date" in batch.schema.names and "visit_date" in batch.schema.names:
            born, bad1 = _to_days(batch.column("birth_date"))
            seen, bad2 = _to_days(batch.column("visit_date"))
            age_days = seen - born
            date_invalid = bad1 | bad2
        res = anthro_zscores(
            sex=_col(batch, "sex"),
            age_days=age_days,
            age_months=_col(batch, "age_months"),
            weight=_col(batch, "weight"),
            lenhei=_col(batch, "lenhei"),
            measure=_col(batch, "measure"),
            oedema=_col(batch, "oedema"),
            headc=_col(batch, "headc"),
            armc=_col(batch, "armc"),
            triskin=_col(batch, "triskin"),
            subskin=_col(batch, "subskin"),
            round_digits=round_digits,
        )
        if date_invalid is not None and date_invalid.any():
            mask = res["reason_mask"].copy()
            mask[date_invalid] = (mask[date_invalid] & ~_BIT["age_missing"]) | _BIT["age_invalid"]
            res["reason_mask"] = mask
            res.set_lazy("reason", lambda: reason_strings(mask))
        cats = classify_anthro(res, as_index=True)
        names = ANTHRO_COLUMNS
    # as_table builds the text columns from their codes (reason_mask, cmeasure_code).
    out = as_table(res, [k for k in (*names, "reason", "reason_mask", "cmeasure_code") if k in res])
    reason = out.column("reason")
    out = out.drop_columns(["reason"])
    for column, pos in cats.items():
        indicator = CATEGORY_INDICATOR[(standard, column)]
        out = out.append_column(column, dictionary_array(pos, categories(indicator)))
    out = out.append_column("reason", reason)
    table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
    clash = [c for c in table.column_names if c in out.column_names]
    if clash:
        table = table.drop_columns(clash)
    for name in out.column_names:
        table = table.append_column(name, out.column(name))
    return table


# ---------------------------------------------------------------------------------------
# Commands


def _add_zscore_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "input",
        help="CSV/TSV or Parquet file, or a directory of Parquet files (hive-partitioned), "
        "with WHO's column names (sex, age_days, weight, lenhei, ...)",
    )
    p.add_argument(
        "output",
        help="output file (.csv/.tsv or .parquet, format by extension), or a directory: "
        "a Parquet dataset partitioned as the input is",
    )
    p.add_argument(
        "--round", action="store_true", help="round z-scores to 2 decimals as WHO prints them (default: full precision)"
    )
    p.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help=f"rows per batch (default {DEFAULT_BATCH_SIZE})"
    )
    p.add_argument(
        "--standard",
        choices=("who2006", "who2007"),
        default="who2006",
        help="who2006: WHO Child Growth Standards 0-5 y (anthro); who2007: WHO reference 5-19 y (anthroplus)",
    )
    p.add_argument("--quiet", action="store_true", help="no summary line on stderr")
    _add_engine_arguments(p)


def _add_engine_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="arrow",
        help="arrow: this process (default); duckdb: inside DuckDB; spark: on Apache Spark (PySpark)",
    )
    p.add_argument(
        "--master", default=None, help="Spark master URL (--engine spark), e.g. local[2] or spark://host:7077"
    )


def _check_paths(command: str, args: argparse.Namespace) -> str | None:
    """An error message for an unusable input/output/batch size, or None."""
    if args.batch_size <= 0:
        return "--batch-size must be positive"
    if getattr(args, "engine", "arrow") == "spark" and ("://" in args.input or "://" in args.output):
        return None  # s3://, gs://, hdfs://: the Spark engine's own listing checks them, on the cluster
    if not os.path.exists(args.input):
        return f"no such file or directory: {args.input}"
    try:
        if stream.output_is_dataset(args.output):
            if os.path.isdir(args.output) and os.listdir(args.output):
                return f"the output directory {args.output} is not empty"
        else:
            stream.file_format(args.output)
        if stream.is_dataset(args.input) and not stream.dataset_files(args.input):
            return f"no Parquet files in the directory {args.input}"
        if not stream.is_dataset(args.input):
            stream.file_format(args.input)
    except ValueError as e:
        return str(e)
    return None


def run_on_engine(command: str, args: argparse.Namespace) -> int:
    """Hand ``args`` to ``run_<command>`` of the ``--engine``'s module; its exit status."""
    module_name = ENGINE_MODULES[args.engine]
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        print(f"tumbuh {command}: --engine {args.engine} is not available ({module_name}: {e})", file=sys.stderr)
        return 2
    run = getattr(module, f"run_{command}", None)
    if not callable(run):
        print(f"tumbuh {command}: --engine {args.engine} has no run_{command}() ({module_name})", file=sys.stderr)
        return 2
    result = run(args)
    return 0 if result is None else int(result)


def run_zscore(args: argparse.Namespace) -> int:
    args.command = "zscore"
    error = _check_paths("zscore", args)
    if error:
        print(f"tumbuh zscore: {error}", file=sys.stderr)
        return 2
    if getattr(args, "engine", "arrow") != "arrow":
        return run_on_engine("zscore", args)
    try:
        names = stream.column_names(args.input)
    except ValueError as e:
        print(f"tumbuh zscore: {e}", file=sys.stderr)
        return 2
    if "sex" not in names:
        print(
            f"tumbuh zscore: {args.input} has no 'sex' column (expected WHO's names: {', '.join(INPUT_COLUMNS)})",
            file=sys.stderr,
        )
        return 2
    t0 = time.perf_counter()
    rows = 0
    total = stream.count_rows(args.input)
    if total:
        zscores.expect_rows(total)  # a big file: the fused kernel from the first batch
    partitioning = stream.partition_names(args.input)
    round_digits = 2 if args.round else None
    batches = stream.iter_batches(args.input, batch_size=args.batch_size, strings=True)
    try:
        with stream.open_writer(args.output, partitioning, background=True) as writer:
            for table in _scored(batches, round_digits, args.standard, SCORE_THREADS):
                writer.write(table)
                rows += table.num_rows
            if rows == 0:  # still write a file with the header only
                empty = pa.table({n: pa.array([], pa.string()) for n in names})
                writer.write(score_batch(empty, standard=args.standard))
    except (KeyError, ValueError) as e:
        print(f"tumbuh zscore: {e}", file=sys.stderr)
        return 2
    dt = time.perf_counter() - t0
    if not args.quiet:
        print(
            f"tumbuh zscore: {rows} rows → {args.output} in {dt:.2f} s ({rows / dt if dt else 0:,.0f} rows/s)",
            file=sys.stderr,
        )
    if rows >= zscores.FUSED_MIN_ROWS and not _aot.available():
        _aot.build_in_background()  # the compiled kernel, for the next process (see _aot.py)
    return 0


#: Batches scored at once in ``tumbuh zscore`` (threads: numpy and the fused kernel release
#: the GIL for their loops). Environment: TUMBUH_ZSCORE_THREADS.
SCORE_THREADS = max(1, int(os.environ.get("TUMBUH_ZSCORE_THREADS", min(2, os.cpu_count() or 1))))


def _scored(
    batches: Iterator[pa.RecordBatch], round_digits: int | None, standard: str, threads: int
) -> Iterator[pa.Table]:
    """score_batch over ``batches``, in order; with ``threads`` > 1, that many at once."""
    if threads <= 1:
        for batch in batches:
            yield score_batch(batch, round_digits=round_digits, standard=standard)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tumbuh-score") as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(score_batch, batch, round_digits=round_digits, standard=standard))
            if len(pending) >= threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _prevalence_runner(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``tumbuh prevalence``: the paths checked, then the module's own ``run`` (arrow) or the engine."""

    def run_prevalence(args: argparse.Namespace) -> int:
        args.command = "prevalence"
        error = _check_paths("prevalence", args)
        if error:
            print(f"tumbuh prevalence: {error}", file=sys.stderr)
            return 2
        if getattr(args, "engine", "arrow") != "arrow":
            return run_on_engine("prevalence", args)
        return run(args)

    return run_prevalence


def _load_optional(name: str) -> tuple[tuple[Callable, Callable] | None, str | None]:
    """(add_arguments, run) of an optional sub-command module, or an error message."""
    module_name, _ = OPTIONAL_COMMANDS[name]
    try:
        mod = importlib.import_module(module_name)
    except ImportError as e:
        return None, f"'tumbuh {name}' is not available yet ({module_name}: {e})"
    add, run = getattr(mod, "add_arguments", None), getattr(mod, "run", None)
    if not callable(add) or not callable(run):
        return None, f"'tumbuh {name}' is not available yet ({module_name} has no add_arguments()/run())"
    return (add, run), None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tumbuh", description="Tumbuh growth engine (no Django needed).")
    sub = parser.add_subparsers(dest="command", metavar="{zscore,prevalence,quality}")
    z = sub.add_parser("zscore", help="WHO z-scores, flags and Permenkes 2/2020 categories for a CSV/Parquet file")
    _add_zscore_arguments(z)
    z.set_defaults(func=run_zscore)
    for name, (_, help_text) in OPTIONAL_COMMANDS.items():
        error: str | None = f"'tumbuh {name}' is not available yet"
        if command == name:
            loaded, error = _load_optional(name)
            if loaded:
                add, run = loaded
                p = sub.add_parser(name, help=help_text)
                add(p)
                if name == "prevalence":
                    _add_engine_arguments(p)
                    run = _prevalence_runner(run)
                p.set_defaults(func=run)
                continue
        # Not asked for (or not available): accept anything, explain when run.
        p = sub.add_parser(name, help=help_text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        p.set_defaults(func=None, error=error)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else None
    parser = build_parser(command)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if getattr(args, "func", None) is None:
        print(f"tumbuh: {getattr(args, 'error', 'not available')}", file=sys.stderr)
        return 2
    if getattr(args, "engine", "arrow") == "arrow":
        pyarrow_without_pandas()
    result = args.func(args)
    return 0 if result is None else int(result)


class _NoPandas:
    """An import hook that reports pandas as not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} not imported here", name=name)


def pyarrow_without_pandas() -> None:
    """Keep pyarrow from importing pandas in this process (~0.4 s of CPU, 0.75 s here).

    pyarrow checks whether what it is given is a pandas object at its first ``pa.array``,
    ``pa.table`` or ``to_numpy`` call, importing pandas to do so if it is installed. The
    growth commands read files, so never give it one: this makes that first check (once per
    process) find no pandas. pandas stays importable, and pyarrow uses it again when asked
    for it explicitly (``to_pandas``). Nothing done if pandas is already imported."""
    if "pandas" in sys.modules:
        return
    hook = _NoPandas()
    sys.meta_path.insert(0, hook)
    try:
        pa.array([0])  # pyarrow's one check: no pandas
    finally:
        sys.meta_path.remove(hook)


if __name__ == "__main__":
    sys.exit(main())
