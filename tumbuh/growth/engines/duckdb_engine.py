"""The growth engine on DuckDB: ``tumbuh zscore|prevalence --engine duckdb``.

z-scores: DuckDB reads the input (a CSV file, a Parquet file or a hive-partitioned directory
of Parquet files such as ``provinsi=73/kabupaten=73.24/round=2025-08/``) and hands it over as
Arrow record batches; each batch goes through the engine's own kernel,
:func:`tumbuh.growth.cli.score_batch`, vectorised, so the z-scores and flags are those of the
single-process engine bit for bit. The output is a file (``.parquet``/``.csv``, by extension)
or, for any other name, a directory of Parquet files partitioned like the input.

Prevalence: no row is collected in Python. One ``GROUP BY`` in DuckDB reduces them to
*cells* (exclusion × age group × sex × stratum × PSU × ``--by`` values), each with the
weighted sums of :mod:`tumbuh.growth.prevalence` (``Σw·y``, ``Σw²·y`` ... in the
accumulator's own layout); the accumulator then finishes the survey estimator (Taylor
linearisation, lonely PSUs, logit intervals) on those few cells. Inputs without z-scores
are scored first, batch by batch, and DuckDB aggregates the scored stream.

Codes (sex, stratum, PSU and ``--by`` values) are normalised by the accumulator's own
functions on the distinct values only, so that groups, labels and their order are the same.
Partition columns are read as text (``hive_types_autocast = false``): ``73.24`` stays a code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import prevalence as prev
from .. import stream
from ..cli import INPUT_COLUMNS, score_batch

__all__ = [
    "connect",
    "hive_columns",
    "iter_scored",
    "PartitionedWriter",
    "prevalence_cells_sql",
    "prevalence_file",
    "run_prevalence",
    "run_zscore",
    "source_sql",
    "zscore_file",
]


# --------------------------------------------------------------------------- reading
def connect(threads: int | None = None, memory_limit: str | None = None) -> Any:
    """An in-memory DuckDB connection (imported here: DuckDB is needed only for this engine)."""
    import duckdb

    config: dict[str, Any] = {}
    if threads:
        config["threads"] = int(threads)
    if memory_limit:
        config["memory_limit"] = memory_limit
    return duckdb.connect(":memory:", config=config)


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parquet_files(directory: str) -> list[str]:
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        out += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith(stream._PARQUET_SUFFIXES)]
    return out


def hive_columns(path: str) -> list[str]:
    """Partition columns of a hive-partitioned directory (``key=value`` folders), outermost first."""
    if not os.path.isdir(path):
        return []
    files = _parquet_files(path)
    if not files:
        return []
    rel = os.path.relpath(os.path.dirname(files[0]), path)
    return [part.split("=", 1)[0] for part in rel.split(os.sep) if "=" in part]


def source_sql(path: str) -> str:
    """DuckDB table expression reading ``path``: CSV cells as text, Parquet typed."""
    path = os.fspath(path)
    if os.path.isdir(path):
        if not _parquet_files(path):
            raise ValueError(f"no Parquet files under {path!r}")
        pattern = os.path.join(path, "**", "*.parquet")
        return f"read_parquet({_quote(pattern)}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)"
    fmt = stream.file_format(path)
    if fmt == "parquet":
        return f"read_parquet({_quote(path)}, hive_partitioning = false)"
    # Every cell as text, as the arrow engine reads CSV (strings=True): the kernel parses at the door.
    delim = "\\t" if ".tsv" in path.lower() else ","
    return (
        f"read_csv({_quote(path)}, header = true, all_varchar = true, delim = {_quote(delim)}, "
        "quote = '\"', escape = '\"', auto_detect = true)"
    )


def _columns(con: Any, source: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every column of a table expression."""
    # Table expressions come from source_sql(): paths quoted by _quote(), names by _ident().
    rows = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()  # nosec B608
    return [(r[0], str(r[1])) for r in rows]


def _arrow_reader(result: Any, batch_size: int) -> pa.RecordBatchReader:
    """The query's rows as a stream of Arrow batches (``to_arrow_reader`` since DuckDB 1.4)."""
    if hasattr(result, "to_arrow_reader"):
        return result.to_arrow_reader(batch_size)
    return result.fetch_record_batch(batch_size)  # pragma: no cover - DuckDB < 1.4


def _arrow_table(result: Any) -> pa.Table:
    if hasattr(result, "to_arrow_table"):
        return result.to_arrow_table()
    return result.fetch_arrow_table()  # pragma: no cover - DuckDB < 1.4


def iter_scored(
    con: Any,
    path: str,
    *,
    batch_size: int = stream.DEFAULT_BATCH_SIZE,
    round_digits: int | None = None,
    standard: str = "who2006",
) -> Iterator[pa.Table]:
    """Score ``path`` batch by batch: DuckDB reads, the engine's kernel scores each Arrow batch."""
    reader = _arrow_reader(con.execute(f"SELECT * FROM {source_sql(path)}"), batch_size)  # nosec B608
    for batch in reader:
        if batch.num_rows:
            yield score_batch(batch, round_digits=round_digits, standard=standard)


def _conform(tables: Iterator[pa.Table]) -> tuple[pa.Schema | None, Iterator[pa.RecordBatch]]:
    """The first table's schema and every table's batches cast to it (categories may differ per batch)."""
    first = next(tables, None)
    if first is None:
        return None, iter(())
    schema = first.schema

    def gen() -> Iterator[pa.RecordBatch]:
        yield from first.to_batches()
        for t in tables:
            if t.schema != schema:
                t = t.cast(schema)
            yield from t.to_batches()

    return schema, gen()


def _is_file_output(path: str) -> bool:
    try:
        stream.file_format(path)
    except ValueError:
        return False
    return True


def zscore_file(
    input: str,
    output: str,
    *,
    batch_size: int = stream.DEFAULT_BATCH_SIZE,
    round_digits: int | None = None,
    standard: str = "who2006",
    con: Any = None,
) -> int:
    """Score ``input`` into ``output`` (a file by extension, or a partitioned directory); return rows."""
    con = con or connect()
    names = [n for n, _ in _columns(con, source_sql(input))]
    if "sex" not in names:
        raise KeyError(f"{input} has no 'sex' column (expected WHO's names: {', '.join(INPUT_COLUMNS)})")
    scored = iter_scored(con, input, batch_size=batch_size, round_digits=round_digits, standard=standard)
    if _is_file_output(output):
        rows = 0
        with stream.BatchWriter(output) as writer:
            for table in scored:
                writer.write(table)
                rows += table.num_rows
            if rows == 0:  # a file with the header only
                empty = pa.table({n: pa.array([], pa.string()) for n in names})
                writer.write(score_batch(empty, standard=standard))
        return rows
    os.makedirs(output, exist_ok=True)
    with PartitionedWriter(output, hive_columns(input)) as parted:
        for table in scored:
            parted.write(table)
    return parted.rows


class PartitionedWriter:
    """A directory of Parquet files, hive-partitioned by ``parts`` (``key=value/`` folders).

    Each partition's rows go to its own :class:`tumbuh.growth.stream.BatchWriter` (same file
    layout and types as the arrow engine's output), written batch by batch as they come: memory
    holds one batch, not a queue. At most ``max_open`` files are open; a partition met again
    after its file was closed gets a new file (``part-1.parquet`` ...).
    """

    def __init__(self, root: str, parts: Sequence[str], *, max_open: int = 64):
        self.root = root
        self.parts = list(parts)
        self.max_open = max_open
        self.rows = 0
        self._open: dict[tuple, stream.BatchWriter] = {}  # insertion order = least recently used first
        self._files: dict[tuple, int] = {}

    def _folder(self, key: tuple) -> str:
        from urllib.parse import quote

        segs = [
            f"{p}={'__HIVE_DEFAULT_PARTITION__' if v is None else quote(str(v), safe='')}"
            for p, v in zip(self.parts, key)
        ]
        return os.path.join(self.root, *segs)

    def _writer(self, key: tuple) -> stream.BatchWriter:
        w = self._open.pop(key, None)
        if w is None:
            if len(self._open) >= self.max_open:
                oldest = next(iter(self._open))
                self._open.pop(oldest).close()
            n = self._files.get(key, -1) + 1
            self._files[key] = n
            folder = self._folder(key)
            os.makedirs(folder, exist_ok=True)
            w = stream.BatchWriter(os.path.join(folder, f"part-{n}.parquet"))
        self._open[key] = w
        return w

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.rows += table.num_rows
        parts = [p for p in self.parts if p in table.column_names]
        if len(parts) < len(self.parts):
            parts = []
        if not parts:
            self._writer(()).write(table)
            return
        keys = table.select(parts).group_by(parts).aggregate([]).to_pylist()
        data = table.drop_columns(parts)
        for row in keys:
            key = tuple(row[p] for p in parts)
            if len(keys) == 1:
                part = data
            else:
                mask = None
                for p in parts:
                    col = table.column(p)
                    m = pc.is_null(col) if row[p] is None else pc.fill_null(pc.equal(col, row[p]), False)
                    mask = m if mask is None else pc.and_(mask, m)
                part = data.filter(mask)
            self._writer(key).write(part)

    def close(self) -> None:
        for w in self._open.values():
            w.close()
        self._open.clear()

    def __enter__(self) -> PartitionedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_zscore(args: argparse.Namespace) -> int:
    """``tumbuh zscore --engine duckdb``: the cli's parsed arguments; return the exit status."""
    batch_size = getattr(args, "batch_size", stream.DEFAULT_BATCH_SIZE)
    if batch_size <= 0:
        print("tumbuh zscore: --batch-size must be positive", file=sys.stderr)
        return 2
    if not os.path.exists(args.input):
        print(f"tumbuh zscore: no such file: {args.input}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        rows = zscore_file(
            args.input,
            args.output,
            batch_size=batch_size,
            round_digits=2 if getattr(args, "round", False) else None,
            standard=getattr(args, "standard", "who2006"),
        )
    except (KeyError, ValueError) as e:
        print(f"tumbuh zscore: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    dt = time.perf_counter() - t0
    if not getattr(args, "quiet", False):
        print(
            f"tumbuh zscore (duckdb): {rows} rows → {args.output} in {dt:.2f} s ({rows / dt if dt else 0:,.0f} rows/s)",
            file=sys.stderr,
        )
    return 0


# --------------------------------------------------------------------------- prevalence in SQL
_NUMERIC = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
    "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL",
)  # fmt: skip
_NUMBER_RE = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"


def _kind(duck_type: str | None) -> str:
    if duck_type is None:
        return "missing"
    t = duck_type.upper()
    if t == "VARCHAR":
        return "text"
    if t == "BOOLEAN":
        return "bool"
    if t.startswith(_NUMERIC):
        return "number"
    return "other"


def _num(col: str | None, types: dict[str, str]) -> str:
    """A column as DOUBLE, NULL where prevalence.py's ``_float`` gives NaN (null, NaN, unparseable)."""
    kind = _kind(types.get(col)) if col else "missing"
    if kind == "missing":
        return "CAST(NULL AS DOUBLE)"
    c = _ident(col)  # type: ignore[arg-type]
    if kind == "text":
        s = f"replace(trim({c}), ',', '.')"
        x = f"CASE WHEN regexp_full_match({s}, '{_NUMBER_RE}') THEN TRY_CAST({s} AS DOUBLE) END"
    else:
        x = f"TRY_CAST({c} AS DOUBLE)"
    return f"(CASE WHEN isnan({x}) THEN NULL ELSE {x} END)"


def _flag(col: str, types: dict[str, str]) -> str:
    """prevalence.py's ``_flag_mask``: 1 means flagged, anything else (missing included) does not."""
    kind = _kind(types.get(col))
    if kind == "missing":
        return "false"
    c = _ident(col)
    if kind == "text":
        return f"coalesce(TRY_CAST(trim({c}) AS DOUBLE) = 1, false)"
    return f"coalesce(TRY_CAST({c} AS DOUBLE) = 1, false)"


def _oedema(col: str, types: dict[str, str]) -> str:
    """prevalence.py's ``_oedema_yes``."""
    kind = _kind(types.get(col))
    if kind == "missing":
        return "false"
    c = _ident(col)
    if kind == "text":
        yes = ", ".join(_quote(v) for v in sorted(prev._OEDEMA_YES))
        return f"coalesce(lower(trim({c})) IN ({yes}), false)"
    if kind == "bool":
        return f"coalesce({c}, false)"
    return f"coalesce(TRY_CAST({c} AS DOUBLE) = 1, false)"


def _raw(col: str | None, types: dict[str, str]) -> str:
    return _ident(col) if col and col in types else "NULL"


def _sum_exprs(*, unit: bool) -> dict[int, str]:
    """The SQL sum of every statistic of prevalence.py's layout, by its position.

    Indicator sums are filtered sums (``Σw·[y]`` as ``sum(w) FILTER (WHERE y)``: adding the
    zeros changes no bit) and z sums skip NULLs, as prevalence.py's zeros do. ``unit`` (no
    weight column): w = 1, so that, as in prevalence.py's routine-data path, many sums are the
    same sum (Σw·y = Σw²·y = Σy) and are computed once.
    """
    P = prev._POS

    def n(cond: str | None = None) -> str:  # Σ w⁰·[cond]
        return "count(*)" if cond is None else f"count_if({cond})"

    def w1(cond: str | None = None) -> str:  # Σ w·[cond]
        if unit:
            return n(cond)
        return "sum(w)" if cond is None else f"sum(w) FILTER (WHERE {cond})"

    def w2(cond: str) -> str:  # Σ w²·[cond]
        return n(cond) if unit else f"sum(w * w) FILTER (WHERE {cond})"

    def wx(x: str, square: bool = False) -> str:  # Σ w·x or Σ w²·x over non-NULL x
        return f"sum({x})" if unit else f"sum(w * {'w * ' if square else ''}{x})"

    sums: dict[int, str] = {P["one"]: n(), P["nz"]: n() if unit else n("w <> 0"), P["w"]: w1()}
    for label, *_ in prev.INDICATORS:
        z, ip, iz = f"z_{label}", f"a_{label} IS NOT NULL", f"z_{label} IS NOT NULL"
        sums[P[f"{label}.U"]] = n(ip)
        sums[P[f"{label}.B"]] = w1(ip)
        sums[P[f"{label}.BB"]] = w2(ip)
        sums[P[f"{label}.Bz"]] = w1(iz)
        sums[P[f"{label}.Nz"]] = n(iz if unit else f"{iz} AND w <> 0")
        sums[P[f"{label}.BzBz"]] = w2(iz)
        sums[P[f"{label}.Az"]] = wx(z)
        sums[P[f"{label}.AzBz"]] = wx(z, square=True)
        sums[P[f"{label}.Azz"]] = wx(f"{z} * {z}")
        sums[P[f"{label}.AzAz"]] = wx(f"{z} * {z}", square=True)
        for cut, suffix in prev.CUTOFFS:
            y = f"a_{label} {'<' if cut < 0 else '>'} {cut}"
            sums[P[f"{label}.A{suffix}"]] = w1(y)
            sums[P[f"{label}.AA{suffix}"]] = w2(y)
    ic = "z_HA IS NOT NULL AND a_WH IS NOT NULL"
    sw = f"{ic} AND z_HA < -2 AND a_WH < -2"
    so = f"{ic} AND z_HA < -2 AND a_WH > 2"
    sums[P["C.U"]] = n(ic)
    sums[P["C.B"]] = w1(ic)
    sums[P["C.BB"]] = w2(ic)
    sums[P["C.A_sw"]] = w1(sw)
    sums[P["C.AA_sw"]] = w2(sw)
    sums[P["C.A_so"]] = w1(so)
    sums[P["C.AA_so"]] = w2(so)
    if sorted(sums) != list(range(prev._K)):  # every statistic of the layout, once
        raise RuntimeError("the SQL sums do not cover prevalence.py's layout")
    return sums


def _sum_sources(unit: bool) -> list[int]:
    """For each position of the layout, the position whose SQL sum it is (the first with that text)."""
    first: dict[str, int] = {}
    return [first.setdefault(e, k) for k, e in sorted(_sum_exprs(unit=unit).items())]


def prevalence_cells_sql(
    source: str,
    types: dict[str, str],
    *,
    cluster: str | None,
    strata: str | None,
    weight: str | None,
    by: Sequence[str],
    age_days: str = "age_days",
    age_months: str = "age_months",
    sex: str = "sex",
    oedema: str = "oedema",
) -> str:
    """One ``GROUP BY`` giving, per cell, the sums of prevalence.py's layout (columns ``s0`` ...)."""
    days = _num(age_days, types)
    if age_months in types:
        given = _num(age_months, types)
        months = f"CASE WHEN {days} IS NULL THEN {given} ELSE ({days}) / {prev.DAYS_PER_MONTH!r} END"
        days = f"CASE WHEN {days} IS NULL THEN {given} * {prev.DAYS_PER_MONTH!r} ELSE {days} END"
    else:
        months = f"({days}) / {prev.DAYS_PER_MONTH!r}"
    b = prev._AGE_BREAKS
    agegrp = (
        f"CASE WHEN m IS NULL OR m < 0 OR m >= {float(b[-1])!r} THEN {prev._NA_AGE} "
        + " ".join(f"WHEN m < {float(b[i + 1])!r} THEN {i}" for i in range(len(b) - 2))
        + f" ELSE {len(b) - 2} END"
    )
    w_raw = _num(weight, types) if weight else "1.0"
    parsed = [
        f"{days} AS d",
        f"{months} AS m",
        f"{w_raw} AS w_raw",
        f"{_oedema(oedema, types)} AS oed",
        f"{_raw(sex, types)} AS k_sex",
        f"{_raw(strata, types)} AS k_strata",
        f"{_raw(cluster, types)} AS k_cluster",
    ]
    parsed += [f"{_raw(col, types)} AS k_by{i}" for i, col in enumerate(by)]
    zcols = []
    for label, zcol, fcol, oedema_counts in prev.INDICATORS:
        z = f"CASE WHEN {_flag(fcol, types)} THEN NULL ELSE {_num(zcol, types)} END"
        if oedema_counts:
            parsed.append(f"CASE WHEN oed THEN NULL ELSE ({z}) END AS z_{label}")
            zcols.append(f"CASE WHEN oed THEN {prev.OEDEMA_Z!r} ELSE z_{label} END AS a_{label}")
        else:
            parsed.append(f"{z} AS z_{label}")
            zcols.append(f"z_{label} AS a_{label}")
    derived = [
        "*",
        "coalesce(w_raw, 0.0) AS w",
        f"coalesce(floor(d) + CASE WHEN d - floor(d) >= 0.5 THEN 1 ELSE 0 END > {prev.MAX_AGE_DAYS}, false) AS excl",
        f"{agegrp} AS agegrp",
        *zcols,
    ]
    sums = _sum_exprs(unit=weight is None)
    keys = ["excl", "agegrp", "k_sex", "k_strata", "k_cluster", *[f"k_by{i}" for i in range(len(by))]]
    aggs = [f"CAST(coalesce({sums[k]}, 0) AS DOUBLE) AS s{k}" for k in sorted(set(_sum_sources(weight is None)))]
    aggs += ["sum(CAST(w_raw IS NULL AS BIGINT)) AS n_missing_w", "min(w_raw) AS min_w"]
    # Column names are quoted by _ident(), values never enter the text.
    return (  # nosec B608
        f"WITH p AS (SELECT {', '.join(parsed)} FROM {source}), "  # nosec B608
        f"q AS (SELECT {', '.join(derived)} FROM p) "
        f"SELECT {', '.join(keys)}, {', '.join(aggs)} FROM q GROUP BY {', '.join(keys)}"
    )


def _finish(acc: prev.PrevalenceAccumulator, cells: pa.Table, names: Sequence[str]) -> None:
    """Load the per-cell sums into the accumulator, normalising codes as its ``update`` does."""
    m = cells.num_rows
    if m == 0:
        return
    col = cells.column
    computed = {
        k: col(f"s{k}").to_numpy(zero_copy_only=False).astype(float) for k in set(_sum_sources(acc.weight is None))
    }
    S = np.column_stack([computed[k] for k in _sum_sources(acc.weight is None)])
    one = S[:, prev._POS["one"]]
    excl = col("excl").to_numpy(zero_copy_only=False).astype(bool)
    acc.rows_read = int(one.sum())
    acc.rows_excluded_age = int(one[excl].sum())
    acc.has_age_column = acc.age_days in names or acc.age_months in names
    # Clusters and strata are coded on every row, age-excluded ones included (as update() does).
    clus = prev._encode(col("k_cluster").combine_chunks(), acc._cluster_codes, m) if acc.cluster else np.zeros(m, int)
    strat = prev._encode(col("k_strata").combine_chunks(), acc._strata_codes, m) if acc.strata else np.zeros(m, int)
    bad = (clus < 0) | (strat < 0)
    acc.rows_excluded_design = int(one[~excl & bad].sum())
    keep = ~excl & ~bad
    if acc.weight is not None:
        acc.has_weight_column = True
        min_w = col("min_w").to_numpy(zero_copy_only=False).astype(float)
        if np.any(min_w[keep] < 0):
            raise ValueError("Negative sampling weights are not allowed.")
        acc.rows_missing_weight = int(col("n_missing_w").to_numpy(zero_copy_only=False)[keep].sum())
    idx = np.flatnonzero(keep)
    acc.rows_used = int(one[idx].sum())
    if len(idx) == 0:
        return
    kept = cells.take(pa.array(idx))
    n = len(idx)
    S, clus, strat = S[idx], clus[idx].astype(np.int64), strat[idx].astype(np.int64)
    age = kept.column("agegrp").to_numpy(zero_copy_only=False).astype(np.int64)
    sex = prev._map_small(kept.column("k_sex").combine_chunks(), n, prev._sex_code).astype(np.int64)
    by_codes = [
        prev._encode(kept.column(f"k_by{i}").combine_chunks(), acc._by_codes[i], n) + 1 for i in range(len(acc.by))
    ]
    if acc.cluster is not None:
        pair = strat * (1 << 31) + clus
        uniq, inv = np.unique(pair, return_inverse=True)
        lut = np.array([acc._psu_codes.setdefault(int(p), len(acc._psu_codes)) for p in uniq], dtype=np.int64)
        psu = lut[inv.ravel()]
    else:
        psu = np.zeros(n, dtype=np.int64)
    comp = np.column_stack([age * 3 + sex, strat, psu, *by_codes]).astype(np.int64)
    inv, local_cells = acc._cell_index(comp)
    local = np.empty((len(local_cells), prev._K))
    for k in range(prev._K):
        local[:, k] = np.bincount(inv, weights=S[:, k], minlength=len(local_cells))
    acc._merge_cells(local_cells, local)


def prevalence_file(
    path: str,
    *,
    cluster: str | None = None,
    strata: str | None = None,
    weight: str | None = None,
    by: Sequence[str] = (),
    age_in_months: bool = False,
    batch_size: int = 262_144,
    con: Any = None,
) -> tuple[pa.Table, prev.PrevalenceAccumulator]:
    """WHO ``anthro_prevalence`` of a file or partitioned directory, aggregated by DuckDB.

    A file with z-score columns (``zlen``, ``zwei`` ...) is aggregated as it is read; a file of
    measurements is scored first (z rounded to 2 decimals, as prevalence.py does) and DuckDB
    aggregates the scored Arrow stream. Returns the result table and the accumulator (for its
    row counts and warnings).
    """
    con = con or connect()
    source = source_sql(path)
    types = dict(_columns(con, source))
    for role, name in (("cluster", cluster), ("strata", strata), ("weight", weight)):
        if name is not None and name not in types:
            raise KeyError(f"{role} column {name!r} not in the data")
    acc = prev.PrevalenceAccumulator(cluster=cluster, strata=strata, weight=weight, by=by)
    if not any(c in types for c in prev.Z_COLUMNS):
        source, types = _scored_source(con, source, batch_size, age_in_months, acc, by)
    sql = prevalence_cells_sql(source, types, cluster=cluster, strata=strata, weight=weight, by=by)
    cells = _arrow_table(con.execute(sql))
    _finish(acc, cells, list(types))
    return acc.result(), acc


def _scored_source(
    con: Any, source: str, batch_size: int, age_in_months: bool, acc: prev.PrevalenceAccumulator, by: Sequence[str]
) -> tuple[str, dict[str, str]]:
    """Register the scored stream of ``source`` with DuckDB; return its name and column types."""
    wanted = [acc.sex, acc.age_days, acc.age_months, acc.oedema]
    wanted += [c for _, z, f, _ in prev.INDICATORS for c in (z, f)]
    wanted += [c for c in (acc.cluster, acc.strata, acc.weight, *by) if c]
    reader = _arrow_reader(con.cursor().execute(f"SELECT * FROM {source}"), batch_size)  # nosec B608

    def scored() -> Iterator[pa.Table]:
        for batch in reader:
            if batch.num_rows == 0:
                continue
            t = prev.with_zscores(batch, age_in_months=age_in_months)
            keep = list(dict.fromkeys(c for c in wanted if c in t.column_names))
            yield t.select(keep)

    schema, batches = _conform(scored())
    if schema is None:
        raise ValueError(
            "It seems that all values have been removed from the analysis, due to specific exclusion rules."
        )
    con.register("tumbuh_scored", pa.RecordBatchReader.from_batches(schema, batches))
    return "tumbuh_scored", dict(_columns(con, "tumbuh_scored"))


def run_prevalence(args: argparse.Namespace) -> int:
    """``tumbuh prevalence --engine duckdb``: the cli's parsed arguments; return the exit status."""
    if not os.path.exists(args.input):
        print(f"tumbuh prevalence: no such file: {args.input}", file=sys.stderr)
        return 2
    try:
        result, acc = prevalence_file(
            args.input,
            cluster=args.cluster,
            strata=args.strata,
            weight=args.weight,
            by=list(args.by or ()),
            age_in_months=getattr(args, "age_in_months", False),
            batch_size=getattr(args, "batch_size", 262_144),
        )
    except (KeyError, ValueError, FileNotFoundError) as exc:
        print(f"tumbuh prevalence: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    for msg in acc.warnings():
        print(f"tumbuh prevalence: {msg}", file=sys.stderr)
    stream.write_batches(args.output, [result])
    print(f"{result.num_rows} groups from {acc.rows_used} rows written to {args.output}")
    return 0
