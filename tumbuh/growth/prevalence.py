"""Survey-grade prevalence of stunting, wasting, overweight and underweight.

Reproduces WHO's ``anthro_prevalence`` (R package ``anthro``) from z-scores: the same row
exclusions, the same groups (``Group`` column: ``All``, ``Age group: 00-05 mo`` ...), the same
column names (``HA_2_r``, ``WH2_ul``, ``HAZ_pop`` ...) and the same estimators as R's
``survey`` package (Taylor linearisation, domain estimation, lonely PSU "adjust", logit
confidence intervals with a t quantile on ``degf(design)`` degrees of freedom).

Why sufficient statistics: a Taylor-linearised variance of a ratio needs, per domain and
primary sampling unit (PSU), only the weighted sums of the numerator and the denominator.
Rows are aggregated batch by batch into *cells* (age group × sex × grouping columns ×
stratum × PSU), so memory is bounded by the number of cells, not by the number of rows; a
10 GB file streams through :class:`PrevalenceAccumulator` like a 10-row dict.

Without a cluster column every row is its own PSU (R's ``ids = ~1``). Then per-PSU sums are
replaced by row-level cross products (Σw²y², Σw²y, Σw²), accumulated per cell the same way.
That is also the cheap routine-data path used by dashboards (see :func:`prevalence_simple`).

Differences from WHO are listed in ``docs/growth-prevalence.md``; the main one: WHO's survey
path tests ``prevalence == 1`` *after* multiplying by 100, so a prevalence of exactly 1 %
gets the interval [1, 1]. Here 0 % gives [0, 0], 100 % gives [100, 100] and 1 % gets its
logit interval.

This module never imports Django.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "AGE_GROUPS",
    "CUTOFFS",
    "INDICATORS",
    "PrevalenceAccumulator",
    "add_arguments",
    "output_columns",
    "prevalence",
    "prevalence_file",
    "prevalence_simple",
    "run",
    "t_quantile",
]

DAYS_PER_MONTH = 30.4375
MAX_AGE_DAYS = 1826
OEDEMA_Z = -3.1
CONFIDENCE = 0.95
CHUNK_ROWS = 524_288

#: (label, z column, flag column, oedema counts as z = -3.1 for prevalence)
INDICATORS: tuple[tuple[str, str, str, bool], ...] = (
    ("HA", "zlen", "flen", False),
    ("WA", "zwei", "fwei", True),
    ("BMI", "zbmi", "fbmi", True),
    ("WH", "zwfl", "fwfl", True),
)
#: (cut-off, name suffix); negative cut-offs count z < c, positive ones z > c.
CUTOFFS: tuple[tuple[int, str], ...] = (
    (-3, "_3"),
    (-2, "_2"),
    (-1, "_1"),
    (1, "1"),
    (2, "2"),
    (3, "3"),
)
AGE_GROUPS = ("00-05 mo", "06-11 mo", "12-23 mo", "24-35 mo", "36-47 mo", "48-59 mo")
_AGE_BREAKS = np.array([0.0, 6.0, 12.0, 24.0, 36.0, 48.0, 60.0])
SEXES = ("Female", "Male")  # R factor order: Female before Male
_NA_AGE = len(AGE_GROUPS)  # 6
_NA_SEX = 2

_MALE = {"1", "m", "male", "l", "laki-laki", "lk"}
_FEMALE = {"2", "f", "female", "p", "perempuan", "pr"}
_OEDEMA_YES = {"y", "yes", "1", "true", "t", "ya"}


# --------------------------------------------------------------------------- t quantile
def t_quantile(df: float | np.ndarray, level: float = CONFIDENCE) -> Any:
    """Two-sided Student-t quantile ``qt(1 - (1 - level)/2, df)``; NaN when df <= 0."""
    from scipy.special import stdtrit

    df_arr = np.asarray(df, dtype=float)
    p = 1.0 - (1.0 - level) / 2.0
    with np.errstate(invalid="ignore"):
        q = np.where(df_arr > 0, stdtrit(np.where(df_arr > 0, df_arr, 1.0), p), np.nan)
    return float(q) if q.ndim == 0 else q


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit_ci(p: npt.ArrayLike, se: npt.ArrayLike, t: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Logit interval on proportions in [0, 1]: expit(logit p ± t·se/(p(1−p))).

    p = 0 gives [0, 0] and p = 1 gives [1, 1] (the interval is degenerate there).
    Missing p gives NaN.
    """
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    t = np.broadcast_to(np.asarray(t, dtype=float), p.shape)
    inner = (p > 0) & (p < 1)
    ll = np.where(np.isnan(p), np.nan, p)
    ul = ll.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.log(p / (1 - p))
        half = t * se / (p * (1 - p))
        lo = _expit(lp - half)
        hi = _expit(lp + half)
    ll = np.where(inner, lo, ll)
    ul = np.where(inner, hi, ul)
    return ll, ul


# --------------------------------------------------------------------------- columns
def _cut_names(label: str) -> list[str]:
    return [f"{label}{suffix}" for _, suffix in CUTOFFS]


def output_columns(*, include_group: bool = True) -> list[str]:
    """The output columns in WHO's order (``anthro`` ≥ 1.0)."""
    cols = ["Group"] if include_group else []
    for label, *_ in INDICATORS:
        cols += [f"{label}Z_pop", f"{label}Z_unwpop"]
        for name in _cut_names(label):
            cols += [f"{name}_r", f"{name}_se", f"{name}_ll", f"{name}_ul"]
        cols += [f"{label}_r", f"{label}_se", f"{label}_ll", f"{label}_ul", f"{label}_stdev"]
    cols += ["HA_2_WH_2_pop", "HA_2_WH_2_unwpop"]
    cols += [f"HA_2_WH_2_{s}" for s in ("r", "se", "ll", "ul")]
    cols += [f"HA_2_WH2_{s}" for s in ("r", "se", "ll", "ul")]
    return cols


# --------------------------------------------------------------------------- input helpers
def _as_table(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "to_arrow") and not isinstance(data, Mapping):  # polars, duckdb
        return data.to_arrow()
    if type(data).__name__ == "DataFrame" and hasattr(data, "columns"):  # pandas
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, Mapping):
        cols = {}
        n = None
        for k, v in data.items():
            if np.isscalar(v) or v is None:
                continue
            arr = v if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.array(_py(v))
            cols[str(k)] = arr
            n = len(arr) if n is None else n
        scalars = {k: v for k, v in data.items() if np.isscalar(v) or v is None}
        for k, v in scalars.items():
            cols[str(k)] = pa.array([v] * (n or 0))
        return pa.table(cols)
    raise TypeError(f"cannot read columns from {type(data).__name__}")


def _py(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "O":
            return [None if (isinstance(x, float) and math.isnan(x)) else x for x in v]
        return v
    return list(v)


def _column(table: pa.Table, name: str | None) -> pa.Array | None:
    if name is None or name not in table.column_names:
        return None
    col = table.column(name)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _float(arr: pa.Array | None, n: int) -> np.ndarray:
    """Numeric column as float64 with NaN for null/unparseable values."""
    if arr is None:
        return np.full(n, np.nan)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        s = pc.utf8_trim_whitespace(arr)
        s = pc.replace_substring(s, ",", ".")
        ok = pc.match_substring_regex(s, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
        s = pc.if_else(ok, s, pa.scalar(None, pa.string()))
        arr = pc.cast(s, pa.float64())
    elif pa.types.is_boolean(arr.type):
        arr = pc.cast(arr, pa.float64())
    elif not pa.types.is_floating(arr.type):
        arr = pc.cast(arr, pa.float64())
    out = arr.to_numpy(zero_copy_only=False)
    return out.astype(float, copy=not out.flags.writeable)


def _norm_value(v: Any) -> Any:
    """Normalise a grouping/cluster value: integral floats become ints, '' and NaN become None."""
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer():
            return int(v)
        return v
    if isinstance(v, str):
        v = v.strip()
        return v if v else None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return v


def _encode(arr: pa.Array | None, mapping: dict, n: int) -> np.ndarray:
    """Codes of ``arr`` values in the persistent ``mapping`` (value → code); -1 for missing."""
    if arr is None:
        return np.full(n, -1, dtype=np.int64)
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    idx = pc.fill_null(arr.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    lut = np.empty(len(arr.dictionary) + 1, dtype=np.int64)
    for i, v in enumerate(arr.dictionary.to_pylist()):
        v = _norm_value(v)
        lut[i] = -1 if v is None else mapping.setdefault(v, len(mapping))
    lut[-1] = -1
    return lut[idx]


def _map_small(arr: pa.Array | None, n: int, fn: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``fn`` to the distinct values of a low-cardinality column (sex, oedema, flags)."""
    if arr is None:
        return np.full(n, fn(None))
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    idx = pc.fill_null(arr.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    values = [fn(v) for v in arr.dictionary.to_pylist()] + [fn(None)]
    return np.asarray(values)[idx]


def _sex_code(v: Any) -> int:
    v = _norm_value(v)
    if v is None:
        return _NA_SEX
    s = str(v).strip().lower()
    if s in _MALE:
        return 1
    if s in _FEMALE:
        return 0
    return _NA_SEX


def _oedema_yes(v: Any) -> bool:
    v = _norm_value(v)
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() in _OEDEMA_YES


def _flagged(v: Any) -> bool:
    v = _norm_value(v)
    if v is None:
        return False
    try:
        return float(v) == 1.0
    except (TypeError, ValueError):
        return False


def _flag_mask(arr: pa.Array | None, n: int) -> np.ndarray:
    """WHO flag column (1 = flagged) as booleans; numeric columns without a hash pass."""
    if arr is None:
        return np.zeros(n, dtype=bool)
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return _float(arr, n) == 1.0
    return _map_small(arr, n, _flagged).astype(bool)


def round_half_up(x: np.ndarray) -> np.ndarray:
    """WHO's ``round_up``: floor, then +1 when the fractional part is ≥ 0.5."""
    f = np.floor(x)
    return f + ((x - f) >= 0.5)


# --------------------------------------------------------------------------- accumulator
@dataclass
class _Layout:
    """Column positions in the per-cell sums matrix."""

    names: list[str] = field(default_factory=list)

    def add(self, name: str) -> int:
        self.names.append(name)
        return len(self.names) - 1


def _build_layout() -> tuple[_Layout, dict[str, int]]:
    L = _Layout()
    pos: dict[str, int] = {}
    for name in ("one", "nz", "w"):
        pos[name] = L.add(name)
    for label, *_ in INDICATORS:
        for base in ("B", "U", "BB", "Bz", "Az", "Azz", "Nz", "BzBz", "AzBz", "AzAz"):
            pos[f"{label}.{base}"] = L.add(f"{label}.{base}")
        for _, suffix in CUTOFFS:
            pos[f"{label}.A{suffix}"] = L.add(f"{label}.A{suffix}")
            pos[f"{label}.AA{suffix}"] = L.add(f"{label}.AA{suffix}")
    for base in ("B", "U", "BB", "A_sw", "AA_sw", "A_so", "AA_so"):
        pos[f"C.{base}"] = L.add(f"C.{base}")
    return L, pos


_LAYOUT, _POS = _build_layout()
_K = len(_LAYOUT.names)


def _estimates() -> list[tuple[str, str, int, int, int, int, int]]:
    """(output prefix, kind, A, B, AA, AB, BB) for every ratio that gets an SE."""
    est = []
    for label, *_ in INDICATORS:
        for _, suffix in CUTOFFS:
            a, aa = _POS[f"{label}.A{suffix}"], _POS[f"{label}.AA{suffix}"]
            # y is 0/1, so (w y)² = w² y = (w y)(w): AA and AB are the same column.
            est.append((f"{label}{suffix}", "prev", a, _POS[f"{label}.B"], aa, aa, _POS[f"{label}.BB"]))
        est.append(
            (
                label,
                "mean",
                _POS[f"{label}.Az"],
                _POS[f"{label}.Bz"],
                _POS[f"{label}.AzAz"],
                _POS[f"{label}.AzBz"],
                _POS[f"{label}.BzBz"],
            )
        )
    for name, a_name, aa_name in (("HA_2_WH_2", "C.A_sw", "C.AA_sw"), ("HA_2_WH2", "C.A_so", "C.AA_so")):
        est.append((name, "prev", _POS[a_name], _POS["C.B"], _POS[aa_name], _POS[aa_name], _POS["C.BB"]))
    return est


_ESTIMATES = _estimates()


class PrevalenceAccumulator:
    """Streaming ``anthro_prevalence``: feed batches with :meth:`update`, then :meth:`result`.

    Parameters are column *names* in the batches:

    - ``cluster``, ``strata``, ``weight``: the survey design (all optional). No cluster means
      every row is its own PSU; a cluster column with a single distinct value means the same
      (as WHO). No weight means weight 1; a missing weight counts as 0.
    - ``by``: extra grouping columns (kabupaten, kecamatan, desa, posyandu, area ...).
    - ``age_days`` / ``age_months``: the age column; days win when both are present.
    - ``labels``: optional display label per ``by`` column (default: the column name).

    Rows older than 1826 days (after WHO's round-half-up of the age in days) and rows with a
    missing cluster or stratum (when those columns are used) are dropped, as in WHO's code.
    """

    def __init__(
        self,
        *,
        cluster: str | None = None,
        strata: str | None = None,
        weight: str | None = None,
        by: Sequence[str] = (),
        age_days: str = "age_days",
        age_months: str = "age_months",
        sex: str = "sex",
        oedema: str = "oedema",
        labels: Mapping[str, str] | None = None,
    ):
        self.cluster = cluster
        self.strata = strata
        self.weight = weight
        self.by = list(by)
        self.age_days = age_days
        self.age_months = age_months
        self.sex = sex
        self.oedema = oedema
        self.labels = dict(labels or {})
        self._cluster_codes: dict = {}
        self._strata_codes: dict = {}
        self._psu_codes: dict = {}
        self._by_codes: list[dict] = [dict() for _ in self.by]
        self._cell_index_map: dict = {}
        self._cells = np.zeros((0, 3 + len(self.by)), dtype=np.int64)
        self._sums = np.zeros((0, _K))
        self._ncells = 0
        self.rows_read = 0
        self.rows_used = 0
        self.rows_excluded_age = 0
        self.rows_excluded_design = 0
        self.rows_missing_weight = 0
        self.has_weight_column = False
        self.has_age_column = False

    # -- ingest ---------------------------------------------------------------------------
    def update(self, batch: Any) -> None:
        """Add a batch: a pyarrow Table/RecordBatch, a pandas DataFrame or a dict of columns."""
        table = _as_table(batch)
        for start in range(0, table.num_rows, CHUNK_ROWS):  # bounded working memory
            self._update(table.slice(start, CHUNK_ROWS))

    def _update(self, table: pa.Table) -> None:
        n = table.num_rows
        if n == 0:
            return
        self.rows_read += n
        cols = table.column_names

        # age
        days = _float(_column(table, self.age_days), n)
        months = days / DAYS_PER_MONTH
        if self.age_months in cols:  # days win where present, as in WHO's z-scores
            given = _float(_column(table, self.age_months), n)
            use = np.isnan(days)
            months = np.where(use, given, months)
            days = np.where(use, given * DAYS_PER_MONTH, days)
        self.has_age_column = self.has_age_column or self.age_days in cols or self.age_months in cols
        with np.errstate(invalid="ignore"):
            keep = ~(round_half_up(days) > MAX_AGE_DAYS)
        self.rows_excluded_age += int(n - keep.sum())

        # design
        if self.cluster is not None:
            if self.cluster not in cols:
                raise KeyError(f"cluster column {self.cluster!r} not in the data")
            clus = _encode(_column(table, self.cluster), self._cluster_codes, n)
        else:
            clus = np.zeros(n, dtype=np.int64)
        if self.strata is not None:
            if self.strata not in cols:
                raise KeyError(f"strata column {self.strata!r} not in the data")
            strat = _encode(_column(table, self.strata), self._strata_codes, n)
        else:
            strat = np.zeros(n, dtype=np.int64)
        bad_design = (clus < 0) | (strat < 0)
        self.rows_excluded_design += int((bad_design & keep).sum())
        keep &= ~bad_design

        if self.weight is not None:
            if self.weight not in cols:
                raise KeyError(f"weight column {self.weight!r} not in the data")
            self.has_weight_column = True
            w = _float(_column(table, self.weight), n)
            if np.any(w[keep] < 0):
                raise ValueError("Negative sampling weights are not allowed.")
            missing_w = np.isnan(w)
            self.rows_missing_weight += int((missing_w & keep).sum())
            w = np.where(missing_w, 0.0, w)
        else:
            w = np.ones(n)

        if not keep.all():
            idx = np.flatnonzero(keep)
            table = table.take(pa.array(idx))
            days, months, clus, strat, w = days[idx], months[idx], clus[idx], strat[idx], w[idx]
            n = len(idx)
            if n == 0:
                return
        self.rows_used += n

        # groups
        with np.errstate(invalid="ignore"):
            age = np.searchsorted(_AGE_BREAKS, months, side="right") - 1
        age = np.where(np.isnan(months) | (months < 0) | (months >= 60), _NA_AGE, age)
        sex = _map_small(_column(table, self.sex), n, _sex_code).astype(np.int64)
        agesex = age * 3 + sex
        by_codes = [_encode(_column(table, col), self._by_codes[i], n) + 1 for i, col in enumerate(self.by)]
        if self.cluster is not None:
            pair = strat * (1 << 31) + clus
            uniq, inv = np.unique(pair, return_inverse=True)
            lut = np.array(
                [self._psu_codes.setdefault(int(p), len(self._psu_codes)) for p in uniq],
                dtype=np.int64,
            )
            psu = lut[inv]
        else:
            psu = np.zeros(n, dtype=np.int64)

        comp = np.column_stack([agesex, strat, psu, *by_codes]).astype(np.int64)
        inv, local_cells = self._cell_index(comp)
        self._merge_cells(local_cells, self._local_sums(table, n, w, inv, len(local_cells)))

    def _cell_index(self, comp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Local cell of each row: (inverse index, cell components), O(n) when the key space is small."""
        radix = comp.max(axis=0) + 1
        n = len(comp)
        if np.sum(np.log2(radix.astype(float))) < 62:
            key = np.zeros(n, dtype=np.int64)
            for j in range(comp.shape[1]):
                key = key * int(radix[j]) + comp[:, j]
            total = int(np.prod(radix.astype(float)))
            if total <= max(4 * n, 1 << 20):
                ids = np.flatnonzero(np.bincount(key, minlength=total))
                remap = np.empty(total, dtype=np.int64)
                remap[ids] = np.arange(len(ids))
                cells = np.column_stack(np.unravel_index(ids, tuple(int(r) for r in radix)))
                return remap[key], cells.astype(np.int64)
            _, first, inv = np.unique(key, return_index=True, return_inverse=True)
        else:  # pragma: no cover - astronomically many groups
            _, first, inv = np.unique(comp, axis=0, return_index=True, return_inverse=True)
        return inv.ravel(), comp[first]

    def _local_sums(self, table: pa.Table, n: int, w: np.ndarray, inv: np.ndarray, m: int) -> np.ndarray:
        """Per-cell sums of every statistic in the layout, one bincount each (no row matrix)."""
        P = _POS
        local = np.empty((m, _K))
        unit = bool(np.all(w == 1.0))  # routine data: many sums coincide

        def put(name: str, vec: np.ndarray | None) -> None:
            local[:, P[name]] = np.bincount(inv, weights=vec, minlength=m)

        def same(dst: str, src: str) -> None:
            local[:, P[dst]] = local[:, P[src]]

        put("one", np.ones(n))
        if unit:
            same("nz", "one")
            same("w", "one")
        else:
            put("nz", (w != 0).astype(float))
            put("w", w)
        w2 = w * w
        oed = _map_small(_column(table, self.oedema), n, _oedema_yes).astype(bool)
        aux_by_label = {}
        for label, zcol, fcol, oedema_counts in INDICATORS:
            z = _float(_column(table, zcol), n)
            flagged = _flag_mask(_column(table, fcol), n)
            z[flagged] = np.nan
            if oedema_counts and oed.any():
                z[oed] = np.nan
                aux = np.where(oed, OEDEMA_Z, z)
            else:
                aux = z
            aux_by_label[label] = (z, aux)
            ip = ~np.isnan(aux)
            iz = ~np.isnan(z)
            zz = np.where(iz, z, 0.0)
            ipf = ip.astype(float)
            put(f"{label}.U", ipf)
            if unit:
                same(f"{label}.B", f"{label}.U")
                same(f"{label}.BB", f"{label}.U")
                put(f"{label}.Bz", iz.astype(float))
                same(f"{label}.BzBz", f"{label}.Bz")
                same(f"{label}.Nz", f"{label}.Bz")
                put(f"{label}.Az", zz)
                same(f"{label}.AzBz", f"{label}.Az")
                put(f"{label}.Azz", zz * zz)
                same(f"{label}.AzAz", f"{label}.Azz")
            else:
                wip = w * ip
                put(f"{label}.B", wip)
                put(f"{label}.BB", w2 * ip)
                wiz = w * iz
                put(f"{label}.Bz", wiz)
                put(f"{label}.Nz", (iz & (w != 0)).astype(float))
                put(f"{label}.BzBz", w2 * iz)
                put(f"{label}.Az", wiz * zz)
                put(f"{label}.AzBz", w2 * iz * zz)
                put(f"{label}.Azz", wiz * zz * zz)
                put(f"{label}.AzAz", w2 * iz * zz * zz)
            with np.errstate(invalid="ignore"):
                for cut, suffix in CUTOFFS:
                    y = (aux < cut) if cut < 0 else (aux > cut)  # NaN compares False
                    if unit:
                        put(f"{label}.A{suffix}", y.astype(float))
                        same(f"{label}.AA{suffix}", f"{label}.A{suffix}")
                    else:
                        put(f"{label}.A{suffix}", w * y)
                        put(f"{label}.AA{suffix}", w2 * y)
        zlen = aux_by_label["HA"][0]
        zwfl_aux = aux_by_label["WH"][1]
        ic = ~np.isnan(zlen) & ~np.isnan(zwfl_aux)
        with np.errstate(invalid="ignore"):
            stunted = ic & (zlen < -2)
            sw = stunted & (zwfl_aux < -2)
            so = stunted & (zwfl_aux > 2)
        put("C.U", ic.astype(float))
        if unit:
            same("C.B", "C.U")
            same("C.BB", "C.U")
            put("C.A_sw", sw.astype(float))
            same("C.AA_sw", "C.A_sw")
            put("C.A_so", so.astype(float))
            same("C.AA_so", "C.A_so")
        else:
            put("C.B", w * ic)
            put("C.BB", w2 * ic)
            put("C.A_sw", w * sw)
            put("C.AA_sw", w2 * sw)
            put("C.A_so", w * so)
            put("C.AA_so", w2 * so)
        return local

    def _merge_cells(self, local_cells: np.ndarray, local: np.ndarray) -> None:
        m = len(local_cells)
        gidx = np.empty(m, dtype=np.int64)
        index = self._cell_index_map
        new_rows: list[int] = []
        for i, t in enumerate(map(tuple, local_cells.tolist())):
            g = index.get(t)
            if g is None:
                g = index[t] = self._ncells + len(new_rows)
                new_rows.append(i)
            gidx[i] = g
        if new_rows:
            need = self._ncells + len(new_rows)
            if need > len(self._sums):
                cap = max(need, 2 * len(self._sums), 64)
                sums = np.zeros((cap, _K))
                sums[: self._ncells] = self._sums[: self._ncells]
                cells = np.zeros((cap, local_cells.shape[1]), dtype=np.int64)
                cells[: self._ncells] = self._cells[: self._ncells]
                self._sums, self._cells = sums, cells
            self._cells[self._ncells : need] = local_cells[new_rows]
            self._ncells = need
        self._sums[gidx] += local

    # -- results --------------------------------------------------------------------------
    def _disaggregations(self, cells: np.ndarray) -> list[tuple[str, list[str], np.ndarray]]:
        """Yield (label, level names, code per cell with -1 for not in any level)."""
        agesex = cells[:, 0]
        age, sex = agesex // 3, agesex % 3
        out = [("All", ["All"], np.zeros(len(cells), dtype=np.int64))]
        age_code = np.where(age == _NA_AGE, -1, age)
        sex_code = np.where(sex == _NA_SEX, -1, sex)
        out.append(("Age group", list(AGE_GROUPS), age_code))
        out.append(("Sex", list(SEXES), sex_code))
        both = (age_code >= 0) & (sex_code >= 0)
        levels = [f"{a}.{s}" for s in SEXES for a in AGE_GROUPS]  # R interaction(): age fastest
        out.append(("Age + sex", levels, np.where(both, age_code + len(AGE_GROUPS) * sex_code, -1)))
        for i, col in enumerate(self.by):
            mapping = self._by_codes[i]
            values = list(mapping.keys())
            order = sorted(range(len(values)), key=lambda j: _sort_key(values[j]))
            rank = np.empty(len(values) + 1, dtype=np.int64)
            rank[0] = -1
            for r, j in enumerate(order):
                rank[j + 1] = r
            names = [_fmt(values[j]) for j in order]
            out.append((self.labels.get(col, col), names, rank[cells[:, 3 + i]]))
        return out

    def design_info(self) -> dict:
        """Design facts: mode (``rows`` or ``clusters``), PSUs per stratum, degrees of freedom."""
        cells = self._cells[: self._ncells]
        S = self._sums[: self._ncells]
        strat = cells[:, 1]
        nstrata = int(strat.max()) + 1 if len(cells) else 0
        clustered = self.cluster is not None and len(self._cluster_codes) > 1
        nz_stratum = np.bincount(strat, weights=S[:, _POS["nz"]], minlength=nstrata) > 0
        if clustered:
            psu = cells[:, 2]
            npsu = int(psu.max()) + 1
            psu_stratum = np.zeros(npsu, dtype=np.int64)
            psu_stratum[psu] = strat
            psu_seen = np.bincount(psu, minlength=npsu) > 0
            n_h = np.bincount(psu_stratum[psu_seen], minlength=nstrata).astype(float)
            psu_nz = np.bincount(psu, weights=S[:, _POS["nz"]], minlength=npsu) > 0
            df = int(psu_nz.sum()) - int(nz_stratum.sum())
        else:
            n_h = np.bincount(strat, weights=S[:, _POS["one"]], minlength=nstrata)
            df = int(S[:, _POS["nz"]].sum()) - int(nz_stratum.sum())
        return {"mode": "clusters" if clustered else "rows", "n_h": n_h, "df": df}

    def result(self) -> pa.Table:
        """One row per group, WHO's columns, as a pyarrow Table."""
        return pa.table(self.result_columns())

    def result_columns(self) -> dict[str, list | np.ndarray]:
        cells = self._cells[: self._ncells]
        S = self._sums[: self._ncells]
        if self._ncells == 0 or S[:, _POS["one"]].sum() == 0:
            raise ValueError(
                "It seems that all values have been removed from the analysis, due to specific exclusion rules."
            )
        info = self.design_info()
        n_h = info["n_h"]
        clustered = info["mode"] == "clusters"
        t = t_quantile(info["df"]) if info["df"] > 0 else float("nan")

        # stack the groups of all disaggregations
        group_names: list[str] = []
        cell_parts, grp_parts = [], []
        for label, levels, code in self._disaggregations(cells):
            if label != "All" and not np.any(code >= 0):
                continue  # WHO drops a disaggregation whose values are all missing
            sel = np.flatnonzero(code >= 0)
            cell_parts.append(sel)
            grp_parts.append(code[sel] + len(group_names))
            group_names += levels if label == "All" else [f"{label}: {lv}" for lv in levels]
        cidx = np.concatenate(cell_parts)
        gidx = np.concatenate(grp_parts)
        G = len(group_names)
        Sg = np.empty((G, _K))
        for k in range(_K):
            Sg[:, k] = np.bincount(gidx, weights=S[cidx, k], minlength=G)

        strat = cells[cidx, 1]
        nstrata = len(n_h)
        # (group, stratum) pairs
        gh = gidx * nstrata + strat
        gh_u, gh_inv = np.unique(gh, return_inverse=True)
        gh_g, gh_h = gh_u // nstrata, gh_u % nstrata
        nh = n_h[gh_h]
        if clustered:
            psu = cells[cidx, 2]
            npsu = int(cells[:, 2].max()) + 1
            gp = gidx * npsu + psu
            gp_u, gp_inv = np.unique(gp, return_inverse=True)
            # stratum of each (group, psu) pair -> index into gh_u
            gp_first = np.zeros(len(gp_u), dtype=np.int64)
            gp_first[gp_inv] = np.arange(len(gp_inv))
            gp_to_gh = gh_inv[gp_first]
            gp_g = gp_u // npsu

        out: dict[str, Any] = {"Group": group_names}
        results: dict[str, tuple] = {}
        for name, kind, a, b, aa, ab, bb in _ESTIMATES:
            W = Sg[:, b]
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.where(W > 0, Sg[:, a] / W, np.nan)
            if clustered:
                PA = np.bincount(gp_inv, weights=S[cidx, a], minlength=len(gp_u))
                PB = np.bincount(gp_inv, weights=S[cidx, b], minlength=len(gp_u))
                with np.errstate(invalid="ignore", divide="ignore"):
                    U = (PA - r[gp_g] * PB) / W[gp_g]
                Sh = np.bincount(gp_to_gh, weights=U, minlength=len(gh_u))
                Qh = np.bincount(gp_to_gh, weights=U * U, minlength=len(gh_u))
            else:
                A_h = np.bincount(gh_inv, weights=S[cidx, a], minlength=len(gh_u))
                B_h = np.bincount(gh_inv, weights=S[cidx, b], minlength=len(gh_u))
                AA_h = np.bincount(gh_inv, weights=S[cidx, aa], minlength=len(gh_u))
                AB_h = np.bincount(gh_inv, weights=S[cidx, ab], minlength=len(gh_u))
                BB_h = np.bincount(gh_inv, weights=S[cidx, bb], minlength=len(gh_u))
                rg, Wg = r[gh_g], W[gh_g]
                with np.errstate(invalid="ignore", divide="ignore"):
                    Sh = (A_h - rg * B_h) / Wg
                    Qh = (AA_h - 2 * rg * AB_h + rg * rg * BB_h) / (Wg * Wg)
            with np.errstate(invalid="ignore", divide="ignore"):
                contrib = np.where(nh > 1, nh / (nh - 1) * (Qh - Sh * Sh / nh), Qh)
            var = np.bincount(gh_g, weights=np.nan_to_num(contrib), minlength=G)
            var = np.where(np.isnan(r), np.nan, np.maximum(var, 0.0))
            se = np.sqrt(var)
            results[name] = (kind, r, se)

        for label, *_ in INDICATORS:
            out[f"{label}Z_pop"] = Sg[:, _POS[f"{label}.B"]]
            out[f"{label}Z_unwpop"] = Sg[:, _POS[f"{label}.U"]]
            for cname in _cut_names(label):
                _, r, se = results[cname]
                ll, ul = logit_ci(r, se, t)
                out[f"{cname}_r"] = r * 100
                out[f"{cname}_se"] = se * 100
                out[f"{cname}_ll"] = ll * 100
                out[f"{cname}_ul"] = ul * 100
            _, r, se = results[label]
            out[f"{label}_r"] = r
            out[f"{label}_se"] = se
            out[f"{label}_ll"] = r - t * se
            out[f"{label}_ul"] = r + t * se
            Wz = Sg[:, _POS[f"{label}.Bz"]]
            nz = Sg[:, _POS[f"{label}.Nz"]]
            with np.errstate(invalid="ignore", divide="ignore"):
                wvar = Sg[:, _POS[f"{label}.Azz"]] / Wz - r * r
                sd = np.sqrt(np.maximum(wvar, 0.0) * nz / (nz - 1))
            out[f"{label}_stdev"] = np.where(nz > 1, sd, np.nan)
        out["HA_2_WH_2_pop"] = Sg[:, _POS["C.B"]]
        out["HA_2_WH_2_unwpop"] = Sg[:, _POS["C.U"]]
        for name in ("HA_2_WH_2", "HA_2_WH2"):
            _, r, se = results[name]
            ll, ul = logit_ci(r, se, t)
            out[f"{name}_r"] = r * 100
            out[f"{name}_se"] = se * 100
            out[f"{name}_ll"] = ll * 100
            out[f"{name}_ul"] = ul * 100
        return {c: out[c] for c in output_columns()}

    def warnings(self) -> list[str]:
        """WHO-style notes about dropped rows and zeroed weights."""
        msgs = []
        if self.rows_excluded_age:
            msgs.append(f"{self.rows_excluded_age} rows excluded: age > {MAX_AGE_DAYS} days.")
        if self.rows_excluded_design:
            msgs.append(f"{self.rows_excluded_design} rows excluded: missing cluster or strata.")
        if self.rows_missing_weight:
            msgs.append(f"{self.rows_missing_weight} rows had missing sampling weights; set to 0.")
        return msgs


def _sort_key(v: Any) -> tuple[int, float, str]:
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return (0, float(v), "")
    return (1, 0.0, str(v))


def _fmt(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# --------------------------------------------------------------------------- public API
def prevalence(
    data: Any,
    *,
    cluster: str | None = None,
    strata: str | None = None,
    weight: str | None = None,
    by: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    age_days: str = "age_days",
    age_months: str = "age_months",
    as_dict: bool = False,
) -> pa.Table | dict:
    """WHO ``anthro_prevalence`` on a table of z-scores.

    ``data`` holds WHO's z-score columns ``zlen, flen, zwei, fwei, zwfl, fwfl, zbmi, fbmi``,
    ``oedema``, ``sex`` and ``age_days`` (or ``age_months``), plus the design and grouping
    columns named by ``cluster``, ``strata``, ``weight`` and ``by``. It may be a pyarrow
    Table or RecordBatch, a pandas DataFrame or a dict of column arrays. Missing z-score
    columns give missing estimates.

    Returns one row per group with WHO's column names (see :func:`output_columns`), as a
    pyarrow Table, or a dict of columns with ``as_dict=True``.
    """
    acc = PrevalenceAccumulator(
        cluster=cluster,
        strata=strata,
        weight=weight,
        by=by,
        labels=labels,
        age_days=age_days,
        age_months=age_months,
    )
    acc.update(data)
    cols = acc.result_columns()
    if as_dict:
        return {k: (list(v) if not isinstance(v, list) else v) for k, v in cols.items()}
    return pa.table(cols)


def prevalence_file(
    path: str | os.PathLike[str],
    *,
    batch_size: int = 262_144,
    **kwargs: Any,
) -> pa.Table:
    """:func:`prevalence` streamed over a CSV or Parquet file of z-scores."""
    acc = PrevalenceAccumulator(**kwargs)
    for batch in _iter_batches(path, batch_size=batch_size):
        acc.update(batch)
    return acc.result()


def prevalence_simple(
    z: Any,
    flagged: Any = None,
    *,
    cutoff: float = -2.0,
    groups: Any = None,
    level: float = CONFIDENCE,
) -> dict[str, Any]:
    """Prevalence of ``z < cutoff`` (negative cut-off) or ``z > cutoff`` (positive), no design.

    The dashboard path: every child measured, no clusters or weights. ``z`` is an array of
    z-scores (NaN = not measured), ``flagged`` an optional boolean/0-1 array (flagged z are
    treated as missing). With ``groups`` (an array of labels, e.g. the desa of each child)
    the result has one entry per group, sorted, like WHO's domain estimates: ``N`` is then
    the number of rows overall, as WHO's closed form uses it.

    Returns a dict with ``group`` (when grouped), ``n`` (valid z), ``cases``, ``r``, ``se``,
    ``ll``, ``ul`` (percent; logit interval, t on N − 1 df; 0 → [0, 0], 100 → [100, 100]).
    """
    z = np.asarray(z, dtype=float)
    if flagged is not None:
        f = np.asarray(flagged)
        z = np.where(f.astype(float) == 1, np.nan, z)
    N = len(z)
    valid = ~np.isnan(z)
    with np.errstate(invalid="ignore"):
        y = (z < cutoff) if cutoff < 0 else (z > cutoff)
    if groups is None:
        codes = np.zeros(N, dtype=np.int64)
        names = None
        G = 1
    else:
        names_arr, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
        codes = codes.ravel()
        names = list(names_arr)
        G = len(names)
    n = np.bincount(codes, weights=valid, minlength=G)
    cases = np.bincount(codes, weights=valid & y, minlength=G)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(n > 0, cases / n, np.nan)
        # sqrt(N/(N-1)) / n * sqrt(sum (y - r)^2), with sum (y - r)^2 = n r (1 - r)
        se = np.sqrt(N / (N - 1) * r * (1 - r) / n) if N > 1 else np.full(G, np.nan)
    t = t_quantile(N - 1, level) if N > 1 else float("nan")
    ll, ul = logit_ci(r, se, t)
    res = {"n": n, "cases": cases, "r": r * 100, "se": se * 100, "ll": ll * 100, "ul": ul * 100}
    if names is None:
        return {k: float(v[0]) for k, v in res.items()}
    return {"group": names, **res}


# --------------------------------------------------------------------------- file I/O & CLI
def _iter_batches(
    path: str | os.PathLike[str], columns: Sequence[str] | None = None, batch_size: int = 65_536, strings: bool = False
) -> Iterator[pa.RecordBatch]:
    """Batches of a CSV/Parquet file (``strings=True``: CSV cells as text, parsed at the door)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    from tumbuh.growth.stream import iter_batches

    yield from iter_batches(path, columns=columns, batch_size=batch_size, strings=strings)


Z_COLUMNS = ("zlen", "zwei", "zwfl", "zbmi")
RAW_COLUMNS = ("weight", "lenhei")


def with_zscores(batch: pa.RecordBatch | pa.Table, *, age_in_months: bool = False) -> pa.Table:
    """Return ``batch`` with WHO z-score columns, computing them when absent.

    A file that already carries ``zlen``/``zwei``/``zwfl``/``zbmi`` is used as is. Otherwise
    the raw measurements (``sex``, ``age_days``/``age_months``/``age`` or ``birth_date`` +
    ``visit_date``, ``weight``, ``lenhei``, ``measure``, ``oedema``) go through the z-score
    kernel with z rounded to 2 decimals, as WHO's ``anthro_prevalence`` does.
    """
    table = _as_table(batch)
    names = table.column_names
    if any(c in names for c in Z_COLUMNS):
        return table
    if "age_days" not in names and "age_months" not in names:
        if "age" in names:
            table = table.append_column("age_months" if age_in_months else "age_days", table.column("age"))
        elif "birth_date" in names and "visit_date" in names:
            born = _date_days(table.column("birth_date"))
            seen = _date_days(table.column("visit_date"))
            table = table.append_column("age_days", pa.array(seen - born))
    from tumbuh.growth.cli import score_batch

    return score_batch(table, round_digits=2)


def _date_days(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A date column (date, timestamp, or text YYYY-MM-DD / dd/mm/yyyy) as days since 1970."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if not (pa.types.is_date(col.type) or pa.types.is_timestamp(col.type)):
        s = pc.utf8_trim_whitespace(pc.cast(col, pa.string()))
        out = pa.nulls(len(s), pa.timestamp("s"))
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d"):
            out = pc.coalesce(out, pc.strptime(s, format=fmt, unit="s", error_is_null=True))
        col = out
    secs = pc.cast(pc.cast(col, pa.timestamp("s")), pa.int64())
    return np.asarray(secs.to_numpy(zero_copy_only=False), dtype=float) / 86400.0


def _write_table(table: pa.Table, path: str) -> None:
    try:
        from tumbuh.growth.stream import write_batches

        write_batches(path, [table])
    except ImportError:  # pragma: no cover
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        if path.endswith((".parquet", ".pq")):
            pq.write_table(table, path)
        else:
            pacsv.write_csv(table, path)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tumbuh prevalence`` (called by ``tumbuh.growth.cli``)."""
    parser.add_argument("input", help="CSV or Parquet file with z-scores or measurements")
    parser.add_argument("output", help="CSV or Parquet file to write (by extension)")
    parser.add_argument("--cluster", help="cluster (PSU) column")
    parser.add_argument("--strata", help="stratum column")
    parser.add_argument("--weight", help="sampling weight column")
    parser.add_argument("--by", nargs="+", default=[], metavar="COL", help="grouping columns")
    parser.add_argument(
        "--age-in-months",
        action="store_true",
        help="a column named 'age' holds months, not days",
    )
    parser.add_argument("--batch-size", type=int, default=262_144, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run ``tumbuh prevalence``; return the exit status."""
    acc = PrevalenceAccumulator(cluster=args.cluster, strata=args.strata, weight=args.weight, by=args.by)
    try:
        for batch in _iter_batches(args.input, batch_size=args.batch_size, strings=True):
            acc.update(with_zscores(batch, age_in_months=getattr(args, "age_in_months", False)))
        result = acc.result()
    except (KeyError, ValueError, FileNotFoundError) as exc:
        print(f"tumbuh prevalence: {exc}", file=sys.stderr)
        return 2
    for msg in acc.warnings():
        print(f"tumbuh prevalence: {msg}", file=sys.stderr)
    _write_table(result, args.output)
    print(f"{result.num_rows} groups from {acc.rows_used} rows written to {args.output}")
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    """Stand-alone entry point: ``python -m tumbuh.growth.prevalence INPUT OUTPUT``."""
    parser = argparse.ArgumentParser(prog="tumbuh prevalence", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(list(argv) if argv is not None else None))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
