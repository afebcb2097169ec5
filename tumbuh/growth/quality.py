"""Data-quality metrics for child anthropometry, per group (district, kecamatan, desa ...).

The WHO/UNICEF 2019 *Recommendations for data collection, analysis and reporting on
anthropometric indicators in children under 5 years old* ask every survey report to show,
next to the prevalence table: missing and implausible (flagged) values, the spread and shape
of the z-score distributions, digit preference in weight and length/height, heaping in the
dates of birth and ages, the sex ratio and the age distribution. Routine data (e-PPGBM)
need the same scrutiny: a district whose HAZ SD is 0.6 or whose heights all end in .0 is
publishing its measuring, not its children.

All metrics are accumulated from sufficient statistics (counts and power sums per group),
so :class:`QualityAccumulator` streams over files of any size.

Definitions (all unweighted; flagged z-scores are excluded from the distribution):

- ``pct_missing`` = rows without a z-score ÷ all rows × 100;
  ``pct_flagged`` = flagged z ÷ rows with a z-score × 100 (WHO flags: |HAZ| > 6,
  WAZ < −6 or > 5, |WHZ| > 5, |BMIZ| > 5, computed by the z-score kernel).
- ``sd`` = sample SD (n − 1); ``skewness`` = m3 / m2^1.5 and ``kurtosis`` = m4 / m2² − 3
  (excess), with the central moments m_k = Σ(z − z̄)^k / n: the moment estimators SMART/ENA
  report. A normal distribution gives 0 and 0.
- Digit preference: the tenths digit of weight (kg) and length/height (cm), ``dps`` =
  Bopp & Faeh's digit preference score 100·√(χ² / (n·(k − 1))) with k = 10 digits:
  0 = perfectly uniform, 100 = one digit only; ``p_value`` from χ² on k − 1 df.
- Birth-date heaping: day of month (1–31, expected in proportion to how many months have
  that day) and month of birth (expected in proportion to month length), each with the
  same score and χ² test; plus the ratio observed/expected of births on day 1 and day 15.
- Age heaping: completed months 0–59; ``heaping_6`` = mean count at 6, 12, …, 54 months ÷
  mean count of their neighbours (±1 month); 1 means no heaping.
- Sex ratio: boys per girl, with a χ² test (1 df) of the share of boys against
  ``expected_male_share`` (0.5 as SMART; Indonesia's sex ratio at birth is about 0.512).
- Age distribution: counts per completed year (0–4), χ² against equal years; age ratio
  6–29 ÷ 30–59 months with a χ² test against ``expected_age_ratio`` (0.85 as SMART).

Ratings (``excellent``/``good``/``acceptable``/``problematic``, or ``ok``/``check``) and their
thresholds are data (:data:`THRESHOLDS`), each with its source. This module never imports
Django.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tumbuh.growth.prevalence import (
    DAYS_PER_MONTH,
    INDICATORS,
    _as_table,
    _column,
    _encode,
    _flagged,
    _float,
    _fmt,
    _iter_batches,
    _map_small,
    _sex_code,
    _sort_key,
    _write_table,
    with_zscores,
)

__all__ = [
    "THRESHOLDS",
    "QualityAccumulator",
    "add_arguments",
    "digit_preference_score",
    "quality",
    "quality_table",
    "run",
]

# --------------------------------------------------------------------------- thresholds
_SMART = "SMART plausibility check (SMART Methodology manual 2.0, 2017)"
_WHO2019 = "WHO/UNICEF 2019 Recommendations (reporting), range as in the brief"

#: metric -> (kind, bounds, source, plain-language note). ``kind``:
#: ``abs_bands``: |value| against ascending upper bounds for excellent/good/acceptable;
#: ``bands``: value against ascending upper bounds; ``p_bands``: p-value against descending
#: lower bounds; ``range``: ok inside [low, high], check outside.
THRESHOLDS: dict[str, dict[str, Any]] = {
    "pct_flagged": {
        "kind": "bands",
        "bounds": [2.5, 5.0, 7.5],
        "source": _SMART,
        "note": "Flagged (implausible) z-scores. Many flags point to measurement, age or "
        "data-entry errors; report them and exclude them from estimates.",
    },
    "sd": {
        "kind": "range",
        "bounds": [0.8, 1.2],
        "source": _WHO2019 + "; SMART uses 0.8-1.2 for WHZ",
        "note": "Spread of z-scores. An SD well above 1.2 usually means random measurement "
        "or age error (it inflates both tails); below 0.8 suggests made-up or copied values.",
    },
    "skewness": {
        "kind": "abs_bands",
        "bounds": [0.2, 0.4, 0.6],
        "source": _SMART,
        "note": "Asymmetry of the z-score distribution; 0 for a normal curve.",
    },
    "kurtosis": {
        "kind": "abs_bands",
        "bounds": [0.2, 0.4, 0.6],
        "source": _SMART,
        "note": "Peakedness (excess kurtosis) of the z-score distribution; 0 for a normal curve.",
    },
    "dps": {
        "kind": "bands",
        "bounds": [7.0, 12.0, 20.0],
        "source": _SMART + "; score of Bopp & Faeh (2008)",
        "note": "Digit preference: 0 when every last digit is equally common, 100 when all "
        "values end in the same digit (e.g. heights rounded to whole centimetres).",
    },
    "sex_ratio_p": {
        "kind": "p_bands",
        "bounds": [0.1, 0.05, 0.001],
        "source": _SMART,
        "note": "A sex ratio far from the expected one suggests that children of one sex were missed or not recorded.",
    },
    "age_ratio_p": {
        "kind": "p_bands",
        "bounds": [0.1, 0.05, 0.001],
        "source": _SMART,
        "note": "Too few older (or younger) children than expected suggests selection bias or wrong ages.",
    },
    "heaping_6": {
        "kind": "range",
        "bounds": [0.8, 1.25],
        "source": "Tumbuh (no published threshold); ratio 1 = no heaping",
        "note": "Ages piling up at 6, 12, 18 ... months mean ages were estimated, not computed from a date of birth.",
    },
}
_BAND_NAMES = ("excellent", "good", "acceptable", "problematic")


def rate(metric: str, value: float | None) -> str | None:
    """Rating of ``value`` for ``metric`` from :data:`THRESHOLDS`; None when not rated."""
    spec = THRESHOLDS.get(metric)
    if spec is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    b = spec["bounds"]
    kind = spec["kind"]
    if kind == "range":
        return "ok" if b[0] <= value <= b[1] else "check"
    if kind == "p_bands":
        for name, low in zip(_BAND_NAMES, b):
            if value > low:
                return name
        return _BAND_NAMES[-1]
    v = abs(value) if kind == "abs_bands" else value
    for name, high in zip(_BAND_NAMES, b):
        if v <= high:
            return name
    return _BAND_NAMES[-1]


# --------------------------------------------------------------------------- statistics
def _chi2_sf(x: float, df: int) -> float:
    from scipy.special import chdtrc

    if x is None or math.isnan(x) or df <= 0:
        return float("nan")
    return float(chdtrc(df, x))


def digit_preference_score(counts: npt.ArrayLike, expected: npt.ArrayLike | None = None) -> dict:
    """Bopp & Faeh digit preference score and χ² test of ``counts`` against ``expected``.

    ``expected`` are expected shares (uniform when None). Returns ``n``, ``chi2``, ``df``,
    ``p_value`` and ``dps`` (0 = as expected, 100 = everything on one digit when uniform).
    """
    o = np.asarray(counts, dtype=float)
    k = len(o)
    n = float(o.sum())
    if n == 0:
        return {"n": 0, "chi2": float("nan"), "df": k - 1, "p_value": float("nan"), "dps": float("nan")}
    p = np.full(k, 1.0 / k) if expected is None else np.asarray(expected, dtype=float) / np.sum(expected)
    e = n * p
    chi2 = float(np.sum((o - e) ** 2 / e))
    return {
        "n": n,
        "chi2": chi2,
        "df": k - 1,
        "p_value": _chi2_sf(chi2, k - 1),
        "dps": 100.0 * math.sqrt(chi2 / (n * (k - 1))),
    }


def _proportion_test(x: float, n: float, p0: float) -> float:
    """Two-sided χ² (1 df) p-value of x successes out of n against share p0."""
    if n <= 0:
        return float("nan")
    stat = (x - n * p0) ** 2 / (n * p0 * (1 - p0))
    return _chi2_sf(stat, 1)


# day-of-month expectations: how many days d there are in an average year
_DAY_EXPECTED = np.array([12.0] * 28 + [11.25, 11.0, 7.0])
_MONTH_EXPECTED = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)

# sums kept per group and indicator: rows, with_z, flagged, n, S1..S4
_ZSTATS = 8


class QualityAccumulator:
    """Streaming data-quality metrics, per group: ``All`` plus each level of ``by`` columns.

    Columns read (all optional): WHO z-scores and flags (``zlen``/``flen`` ...), raw
    ``weight`` (kg) and ``lenhei`` (cm; ``height`` also accepted), ``dob`` (date of birth:
    a date, or text as ``YYYY-MM-DD`` or ``dd/mm/yyyy``), ``age_days`` or ``age_months``,
    ``sex``.
    """

    def __init__(
        self,
        *,
        by: Sequence[str] = (),
        labels: Mapping[str, str] | None = None,
        expected_male_share: float = 0.5,
        expected_age_ratio: float = 0.85,
        weight: str = "weight",
        lenhei: str = "lenhei",
        dob: str = "dob",
    ):
        self.by = list(by)
        self.labels = dict(labels or {})
        self.expected_male_share = expected_male_share
        self.expected_age_ratio = expected_age_ratio
        self.weight_col = weight
        self.lenhei_col = lenhei
        self.dob_col = dob
        self._codes: list[dict[Any, int]] = [{} for _ in self.by]
        self._groups: dict[tuple, int] = {("All", None): 0}
        self._cap = 0
        self._alloc(16)
        self.rows_read = 0

    def _alloc(self, cap: int) -> None:
        def grow(old: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
            new = np.zeros((cap, *shape))
            if old is not None:
                new[: len(old)] = old
            return new

        g = getattr
        self.z = grow(g(self, "z", None), (len(INDICATORS), _ZSTATS))
        self.wdig = grow(g(self, "wdig", None), (10,))
        self.hdig = grow(g(self, "hdig", None), (10,))
        self.hwhole = grow(g(self, "hwhole", None), (2,))  # [.0 or .5, measured]
        self.bday = grow(g(self, "bday", None), (31,))
        self.bmonth = grow(g(self, "bmonth", None), (12,))
        self.amonths = grow(g(self, "amonths", None), (60,))
        self.sex = grow(g(self, "sex", None), (3,))  # female, male, missing
        self.rows = grow(g(self, "rows", None), ())
        self._cap = cap

    def _group_index(self, n: int, table: pa.Table) -> list[np.ndarray]:
        """Group index per row for each disaggregation (All first); -1 = none."""
        out = [np.zeros(n, dtype=np.int64)]
        for i, col in enumerate(self.by):
            codes = _encode(_column(table, col), self._codes[i], n)
            uniq = np.unique(codes[codes >= 0])
            lut = {}
            for c in uniq.tolist():
                key = (col, c)
                if key not in self._groups:
                    self._groups[key] = len(self._groups)
                lut[c] = self._groups[key]
            idx = np.full(n, -1, dtype=np.int64)
            if lut:
                keys = np.fromiter(lut.keys(), dtype=np.int64)
                vals = np.fromiter(lut.values(), dtype=np.int64)
                m = np.full(int(keys.max()) + 1, -1, dtype=np.int64)
                m[keys] = vals
                sel = codes >= 0
                idx[sel] = m[codes[sel]]
            out.append(idx)
        if len(self._groups) > self._cap:
            self._alloc(max(2 * self._cap, len(self._groups)))
        return out

    def update(self, batch: Any) -> None:
        table = _as_table(batch)
        n = table.num_rows
        if n == 0:
            return
        self.rows_read += n
        cols = table.column_names
        groups = self._group_index(n, table)
        G = self._cap

        # per-row features, then one bincount per (feature, disaggregation)
        zfeat = []
        for _, zcol, fcol, _ in INDICATORS:
            z = _float(_column(table, zcol), n)
            flag = _map_small(_column(table, fcol), n, _flagged).astype(bool)
            has = ~np.isnan(z) | flag
            ok = ~np.isnan(z) & ~flag
            x = np.where(ok, z, 0.0)
            zfeat.append([np.ones(n), has, flag & has, ok, x, x * x, x**3, x**4])
        wt = _float(_column(table, self.weight_col), n)
        lh_name = self.lenhei_col if self.lenhei_col in cols else "height"
        lh = _float(_column(table, lh_name), n)
        wd = _tenths_digit(wt)
        hd = _tenths_digit(lh)
        day, month = self._dob_parts(table, n)
        months = _float(_column(table, "age_days"), n) / DAYS_PER_MONTH
        if "age_months" in cols:  # days win where present
            months = np.where(np.isnan(months), _float(_column(table, "age_months"), n), months)
        with np.errstate(invalid="ignore"):
            am = np.where((months >= 0) & (months < 60), np.floor(months), -1).astype(np.int64)
        sx = _map_small(_column(table, "sex"), n, _sex_code).astype(np.int64)

        for gi in groups:
            sel = gi >= 0
            if not sel.any():
                continue
            g = gi[sel]
            self.rows[:G] += np.bincount(g, minlength=G)
            for j, feats in enumerate(zfeat):
                for k, f in enumerate(feats):
                    if k < 4:  # counts: whole numbers, exact in any order
                        self.z[:G, j, k] += np.bincount(g, weights=f[sel], minlength=G)
                    else:  # sums of z, z², z³, z⁴ go on row after row from the totals so far, so
                        # that a table fed in batches sums exactly as the same table fed whole
                        np.add.at(self.z[:, j, k], g, f[sel])
            _count2(self.wdig, g, wd[sel], 10)
            _count2(self.hdig, g, hd[sel], 10)
            measured = ~np.isnan(lh[sel])
            whole = measured & np.isin(hd[sel], (0, 5))
            self.hwhole[:G, 0] += np.bincount(g, weights=whole, minlength=G)
            self.hwhole[:G, 1] += np.bincount(g, weights=measured, minlength=G)
            _count2(self.bday, g, day[sel] - 1, 31)
            _count2(self.bmonth, g, month[sel] - 1, 12)
            _count2(self.amonths, g, am[sel], 60)
            _count2(self.sex, g, sx[sel], 3)

    def _dob_parts(self, table: pa.Table, n: int) -> tuple[np.ndarray, np.ndarray]:
        arr = _column(table, self.dob_col)
        if arr is None:
            arr = _column(table, "birth_date")
        if arr is None:
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            s = pc.utf8_trim_whitespace(arr)
            parsed = None
            for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
                p = pc.strptime(s, format=fmt, unit="s", error_is_null=True)
                parsed = p if parsed is None else pc.coalesce(parsed, p)
            arr = parsed
        day = pc.fill_null(pc.day(arr), 0).to_numpy(zero_copy_only=False).astype(np.int64)
        month = pc.fill_null(pc.month(arr), 0).to_numpy(zero_copy_only=False).astype(np.int64)
        return day, month

    # -- results --------------------------------------------------------------------------
    def group_labels(self) -> list[tuple[int, str]]:
        """(index, label) of every group in display order: All, then by columns sorted."""
        out = [(0, "All")]
        for i, col in enumerate(self.by):
            values = {code: v for v, code in self._codes[i].items()}
            keys = [(k, idx) for k, idx in self._groups.items() if k[0] == col]
            keys.sort(key=lambda kv: _sort_key(values[kv[0][1]]))
            label = self.labels.get(col, col)
            out += [(idx, f"{label}: {_fmt(values[k[1]])}") for k, idx in keys]
        return out

    def result(self, *, brief: bool = False) -> dict[str, dict]:
        """Nested metrics: ``{group label: {section: {...}}}`` (see module docstring).

        ``brief``: only each group's ``n``, its z-scores' flagged share and moments, the digit
        preference scores of weight and length/height and the age heaping at 6 months (the
        same values, without the ratings, counts and tests): a tenth of the time over
        thousands of groups."""
        one = self._group_brief if brief else self._group_result
        return {label: one(i) for i, label in self.group_labels()}

    def _group_brief(self, g: int) -> dict:
        ind = {}
        for j, (label, *_rest) in enumerate(INDICATORS):
            rows, has, flagged, n, s1, s2, s3, s4 = self.z[g, j]
            ind[label] = {"n": int(n), "pct_flagged": _pct(flagged, has), **_moments(n, s1, s2, s3, s4)}
        am = self.amonths[g]
        return {
            "n": int(self.rows[g]),
            "zscores": ind,
            "digit_preference": {
                "weight": {"dps": digit_preference_score(self.wdig[g])["dps"]},
                "lenhei": {"dps": digit_preference_score(self.hdig[g])["dps"]},
            },
            "age_heaping": {"age_months": {"n": int(am.sum()), "heaping_6": _heaping_6(am)}},
        }

    def _group_result(self, g: int) -> dict:
        res: dict[str, Any] = {"n": int(self.rows[g])}
        ind = {}
        for j, (label, *_rest) in enumerate(INDICATORS):
            rows, has, flagged, n, s1, s2, s3, s4 = self.z[g, j]
            entry: dict[str, Any] = {
                "n_rows": int(rows),
                "n_missing": int(rows - has),
                "pct_missing": _pct(rows - has, rows),
                "n_flagged": int(flagged),
                "pct_flagged": _pct(flagged, has),
                "n": int(n),
            }
            entry.update(_moments(n, s1, s2, s3, s4))
            for metric in ("pct_flagged", "sd", "skewness", "kurtosis"):
                entry[f"{metric}_rating"] = rate(metric, entry[metric])
            ind[label] = entry
        res["zscores"] = ind
        w = digit_preference_score(self.wdig[g])
        h = digit_preference_score(self.hdig[g])
        w["counts"] = self.wdig[g].astype(int).tolist()
        h["counts"] = self.hdig[g].astype(int).tolist()
        w["dps_rating"] = rate("dps", w["dps"])
        h["dps_rating"] = rate("dps", h["dps"])
        h["pct_whole_or_half_cm"] = _pct(self.hwhole[g, 0], self.hwhole[g, 1])
        res["digit_preference"] = {"weight": w, "lenhei": h}
        day = digit_preference_score(self.bday[g], _DAY_EXPECTED)
        month = digit_preference_score(self.bmonth[g], _MONTH_EXPECTED)
        exp_share = _DAY_EXPECTED / _DAY_EXPECTED.sum()
        nd = self.bday[g].sum()
        day["counts"] = self.bday[g].astype(int).tolist()
        day["ratio_day_1"] = _ratio(self.bday[g, 0], nd * exp_share[0])
        day["ratio_day_15"] = _ratio(self.bday[g, 14], nd * exp_share[14])
        day["dps_rating"] = rate("dps", day["dps"])
        month["counts"] = self.bmonth[g].astype(int).tolist()
        month["dps_rating"] = rate("dps", month["dps"])
        am = self.amonths[g]
        heap = _heaping_6(am)
        res["age_heaping"] = {
            "birth_day": day,
            "birth_month": month,
            "age_months": {
                "n": int(am.sum()),
                "counts": am.astype(int).tolist(),
                "heaping_6": heap,
                "heaping_6_rating": rate("heaping_6", heap),
            },
        }
        female, male, missing = self.sex[g]
        nb = male + female
        p_sex = _proportion_test(male, nb, self.expected_male_share)
        res["sex_ratio"] = {
            "n_male": int(male),
            "n_female": int(female),
            "n_missing": int(missing),
            "ratio": _ratio(male, female),
            "pct_male": _pct(male, nb),
            "expected_male_share": self.expected_male_share,
            "p_value": p_sex,
            "rating": rate("sex_ratio_p", p_sex),
        }
        years = am.reshape(5, 12).sum(axis=1)
        by_year = digit_preference_score(years)
        young, old = am[6:30].sum(), am[30:60].sum()
        rho = self.expected_age_ratio
        p_age = _proportion_test(young, young + old, rho / (1 + rho))
        res["age_distribution"] = {
            "counts_by_year": years.astype(int).tolist(),
            "pct_by_year": [_pct(y, years.sum()) for y in years],
            "chi2_equal_years": by_year["chi2"],
            "p_equal_years": by_year["p_value"],
            "n_6_29": int(young),
            "n_30_59": int(old),
            "age_ratio": _ratio(young, old),
            "expected_age_ratio": rho,
            "p_value": p_age,
            "rating": rate("age_ratio_p", p_age),
        }
        return res


def _count2(target: np.ndarray, g: np.ndarray, bins: np.ndarray, k: int) -> None:
    ok = (bins >= 0) & (bins < k)
    if not ok.any():
        return
    G = target.shape[0]
    flat = np.bincount(g[ok] * k + bins[ok], minlength=G * k)
    target += flat.reshape(G, k)


def _tenths_digit(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        tenths = np.round(x * 10.0)
        d = np.where(np.isnan(x) | (x <= 0), -1, np.mod(tenths, 10))
    return d.astype(np.int64)


def _pct(a: float, b: float) -> float:
    return float(100.0 * a / b) if b else float("nan")


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def _moments(n: float, s1: float, s2: float, s3: float, s4: float) -> dict:
    nan = float("nan")
    if n < 1:
        return {"mean": nan, "sd": nan, "skewness": nan, "kurtosis": nan}
    mean = s1 / n
    m2 = s2 / n - mean**2
    m3 = s3 / n - 3 * mean * s2 / n + 2 * mean**3
    m4 = s4 / n - 4 * mean * s3 / n + 6 * mean**2 * s2 / n - 3 * mean**4
    m2 = max(m2, 0.0)
    sd = math.sqrt(m2 * n / (n - 1)) if n > 1 else nan
    skew = m3 / m2**1.5 if m2 > 0 else nan
    kurt = m4 / m2**2 - 3 if m2 > 0 else nan
    return {"mean": float(mean), "sd": float(sd), "skewness": float(skew), "kurtosis": float(kurt)}


def _heaping_6(counts: np.ndarray) -> float:
    peaks = np.arange(6, 60, 6)
    at = counts[peaks].mean()
    around = (counts[peaks - 1] + counts[peaks + 1]).mean() / 2
    return float(at / around) if around else float("nan")


# --------------------------------------------------------------------------- public API
def quality(data: Any, *, by: Sequence[str] = (), **kwargs: Any) -> dict[str, dict]:
    """Data-quality metrics of ``data`` (table or dict of columns), per group."""
    acc = QualityAccumulator(by=by, **kwargs)
    acc.update(data)
    return acc.result()


def quality_table(result: Mapping[str, dict]) -> pa.Table:
    """Flatten :func:`quality` output to a tidy table: group, section, item, statistic, value.

    ``value`` is numeric; ``rating`` and ``note`` are filled on rated statistics, so a
    dashboard can colour a cell and show the explanation next to it.
    """
    rows: dict[str, list] = {k: [] for k in ("group", "section", "item", "statistic", "value", "rating", "note")}

    def add(
        group: str, section: str, item: str, stat: str, value: Any, rating: str | None = None, metric: str | None = None
    ) -> None:
        rows["group"].append(group)
        rows["section"].append(section)
        rows["item"].append(item)
        rows["statistic"].append(stat)
        rows["value"].append(None if value is None else float(value))
        rows["rating"].append(rating)
        rows["note"].append(THRESHOLDS[metric]["note"] if metric and rating else None)

    def walk(group: str, section: str, item: str, d: Mapping[str, Any]) -> None:
        for stat, v in d.items():
            if stat.endswith("_rating") or stat == "rating":
                continue
            if isinstance(v, list):
                for i, x in enumerate(v):
                    add(group, section, item, f"{stat}[{i}]", x)
                continue
            metric = {"p_value": {"sex_ratio": "sex_ratio_p", "age_distribution": "age_ratio_p"}.get(section)}.get(
                stat, stat
            )
            rating = (
                d.get(f"{stat}_rating") if f"{stat}_rating" in d else (d.get("rating") if stat == "p_value" else None)
            )
            add(group, section, item, stat, v, rating, metric if rating else None)

    for group, res in result.items():
        add(group, "rows", "", "n", res["n"])
        for ind, d in res["zscores"].items():
            walk(group, "zscores", ind, d)
        for item, d in res["digit_preference"].items():
            walk(group, "digit_preference", item, d)
        for item, d in res["age_heaping"].items():
            walk(group, "age_heaping", item, d)
        walk(group, "sex_ratio", "", res["sex_ratio"])
        walk(group, "age_distribution", "", res["age_distribution"])
    return pa.table(
        {
            "group": pa.array(rows["group"], pa.string()),
            "section": pa.array(rows["section"], pa.string()),
            "item": pa.array(rows["item"], pa.string()),
            "statistic": pa.array(rows["statistic"], pa.string()),
            "value": pa.array(rows["value"], pa.float64()),
            "rating": pa.array(rows["rating"], pa.string()),
            "note": pa.array(rows["note"], pa.string()),
        }
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``tumbuh quality`` (called by ``tumbuh.growth.cli``)."""
    parser.add_argument("input", help="CSV or Parquet file with z-scores and/or measurements")
    parser.add_argument("output", help="CSV, Parquet or JSON file to write (by extension)")
    parser.add_argument("--by", nargs="+", default=[], metavar="COL", help="grouping columns")
    parser.add_argument("--age-in-months", action="store_true", help="'age' holds months")
    parser.add_argument("--batch-size", type=int, default=65_536, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Run ``tumbuh quality``; return the exit status."""
    acc = QualityAccumulator(by=args.by)
    try:
        for batch in _iter_batches(args.input, batch_size=args.batch_size, strings=True):
            table = _as_table(batch)
            names = table.column_names
            if not any(c in names for c in ("zlen", "zwei", "zwfl", "zbmi")) and "sex" in names:
                table = with_zscores(table, age_in_months=getattr(args, "age_in_months", False))
            acc.update(table)
        result = acc.result()
    except (KeyError, ValueError, FileNotFoundError) as exc:
        print(f"tumbuh quality: {exc}", file=sys.stderr)
        return 2
    out = os.fspath(args.output)
    if out.endswith(".json"):
        import json

        with open(out, "w") as fh:
            json.dump(result, fh, indent=1, default=float, allow_nan=True)
    else:
        _write_table(quality_table(result), out)
    print(f"quality of {acc.rows_read} rows in {len(result)} groups written to {out}")
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tumbuh quality", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(list(argv) if argv is not None else None))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
