"""Command line of the growth engine: ``tumbuh zscore|prevalence|quality ...``.

``tumbuh/cli.py`` routes these sub-commands here as ``main(argv)`` with ``argv[0]`` the
sub-command. ``zscore`` is implemented here; ``prevalence`` and ``quality`` are provided by
``tumbuh.growth.prevalence`` / ``tumbuh.growth.quality`` through their ``add_arguments(parser)``
and ``run(args)`` functions, imported only when that sub-command is asked for, so that a
missing or broken module never breaks ``zscore``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import stream
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
    p.add_argument("input", help="CSV/TSV or Parquet file with WHO's column names (sex, age_days, weight, lenhei, ...)")
    p.add_argument("output", help="output file; .csv/.tsv or .parquet (format by extension)")
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


def run_zscore(args: argparse.Namespace) -> int:
    if args.batch_size <= 0:
        print("tumbuh zscore: --batch-size must be positive", file=sys.stderr)
        return 2
    if not os.path.exists(args.input):
        print(f"tumbuh zscore: no such file: {args.input}", file=sys.stderr)
        return 2
    try:
        stream.file_format(args.output)
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
    with stream.BatchWriter(args.output) as writer:
        for batch in stream.iter_batches(args.input, batch_size=args.batch_size, strings=True):
            table = score_batch(batch, round_digits=2 if args.round else None, standard=args.standard)
            writer.write(table)
            rows += table.num_rows
        if rows == 0:  # still write a file with the header only
            empty = pa.table({n: pa.array([], pa.string()) for n in names})
            writer.write(score_batch(empty, standard=args.standard))
    dt = time.perf_counter() - t0
    if not args.quiet:
        print(
            f"tumbuh zscore: {rows} rows → {args.output} in {dt:.2f} s ({rows / dt if dt else 0:,.0f} rows/s)",
            file=sys.stderr,
        )
    return 0


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
    result = args.func(args)
    return 0 if result is None else int(result)


if __name__ == "__main__":
    sys.exit(main())
