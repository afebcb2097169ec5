"""Data quality per puskesmas and per posyandu, from the growth engine's metrics, with a
plain-language traffic light and its reasons (Indonesian in the Indonesian UI).

Computed from every visit of the period (not only each child's latest: digit preference and
heaping are properties of the measuring), per puskesmas and posyandu over all their visits,
together with the prevalence aggregates (``aggregates.refresh_period`` stores them in
:class:`~tumbuh.dashboards.models.QualityAggregate`; they go stale and are refreshed with
them); pages read the stored rows the user may see. Thresholds:

- % flagged HAZ, SD of HAZ, digit preference (weight, length/height) and age heaping: the
  growth engine's :data:`tumbuh.growth.quality.THRESHOLDS` through ``quality.rate``:
  excellent/good → green, acceptable → yellow, problematic → red; SD outside 0.8–1.2 → red
  (below: values copied or not measured; above: measuring or age errors); age heaping above
  1.25 → yellow. Digit preference and heaping are judged from :data:`MIN_N_DIGITS` values on.
- e-PPGBM vs Tumbuh disagreement (:data:`DISAGREE_TOLERANCE` = 0.01 SD on any of HAZ, WAZ,
  WHZ, among visits carrying e-PPGBM's z-scores): above 5 % yellow, above 20 % red (Tumbuh's
  choice: e-PPGBM should compute the same WHO z-scores).
- Coverage (children measured ÷ children targeted): below 80 % yellow, below 50 % red
  (Perpres 72/2021 targets 90 % of children monitored).
- Fewer than :data:`MIN_N` measurements: grey, too few to judge.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from django.db.models import Q
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.core import arrow_io
from tumbuh.core.numbers import format_number
from tumbuh.growth.quality import THRESHOLDS, QualityAccumulator, rate
from tumbuh.measurements.models import Measurement

from .periods import Period

DISAGREE_TOLERANCE = 0.01
DISAGREE_BANDS = (5.0, 20.0)
COVERAGE_BANDS = (80.0, 50.0)
MIN_N = 20
#: Digit preference and heaping need more values to be told from chance (10 digits, 60 months).
MIN_N_DIGITS = 50
COLOURS = {"green": 0, "grey": 0, "yellow": 1, "red": 2}
_BAND = {"excellent": "green", "good": "green", "acceptable": "yellow", "problematic": "red"}


@dataclass
class QualityRow:
    level: str
    code: str
    name: str
    parent: str
    wilayah_code: str = ""
    n: int = 0
    pct_flagged: float | None = None
    sd_haz: float | None = None
    dps_weight: float | None = None
    dps_height: float | None = None
    heaping: float | None = None
    coverage: float | None = None
    n_eppgbm: int = 0
    pct_disagree: float | None = None
    light: str = "grey"
    reasons: list = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(COLOURS[c] for c, _r in self.reasons)


def _fmt(v, d=1):
    return format_number(v, d)


def _judge(row: QualityRow) -> None:
    reasons: list[tuple[str, str]] = []
    if row.n < MIN_N:
        row.light = "grey"
        row.reasons = [("grey", _("Only %(n)s measurements: too few to judge.") % {"n": row.n})]
        return
    r = rate("pct_flagged", row.pct_flagged)
    if r in ("acceptable", "problematic"):
        reasons.append(
            (
                _BAND[r],
                _("%(v)s %% of HAZ flagged as implausible: check the measuring, the ages and the data entry.")
                % {"v": _fmt(row.pct_flagged)},
            )
        )
    if row.sd_haz is not None and rate("sd", row.sd_haz) == "check":
        if row.sd_haz < 0.8:
            reasons.append(
                (
                    "red",
                    _("SD of HAZ %(v)s: too small, the measurement may not have been taken (values copied or made up).")
                    % {"v": _fmt(row.sd_haz, 2)},
                )
            )
        else:
            reasons.append(
                (
                    "red",
                    _("SD of HAZ %(v)s: too large, points to measuring or age errors.") % {"v": _fmt(row.sd_haz, 2)},
                )
            )
    for value, label in ((row.dps_weight, _("weight")), (row.dps_height, _("length/height"))):
        r = rate("dps", value) if row.n >= MIN_N_DIGITS else None
        if r in ("acceptable", "problematic"):
            reasons.append(
                (
                    _BAND[r],
                    _("Digit preference in %(what)s %(v)s: values are rounded, not read to the tenth.")
                    % {"what": label, "v": _fmt(value)},
                )
            )
    if row.n >= MIN_N_DIGITS and row.heaping is not None and row.heaping > THRESHOLDS["heaping_6"]["bounds"][1]:
        reasons.append(
            (
                "yellow",
                _("Age heaping %(v)s: ages pile up at 6, 12, 18 … months, dates of birth may be estimated.")
                % {"v": _fmt(row.heaping, 2)},
            )
        )
    if row.pct_disagree is not None and row.pct_disagree > DISAGREE_BANDS[0]:
        reasons.append(
            (
                "red" if row.pct_disagree > DISAGREE_BANDS[1] else "yellow",
                _("%(v)s %% of e-PPGBM z-scores differ from the WHO standard as Tumbuh computes it.")
                % {"v": _fmt(row.pct_disagree)},
            )
        )
    if row.coverage is not None and row.coverage < COVERAGE_BANDS[0]:
        reasons.append(
            (
                "red" if row.coverage < COVERAGE_BANDS[1] else "yellow",
                _("Coverage %(v)s %%: many children were not measured.") % {"v": _fmt(row.coverage)},
            )
        )
    row.reasons = reasons
    row.light = max((c for c, _r in reasons), key=lambda c: COLOURS[c], default="green")


_COLS = (
    "posyandu_id",
    "posyandu__puskesmas_id",
    "zlen",
    "flen",
    "zwei",
    "fwei",
    "zwfl",
    "fwfl",
    "zbmi",
    "fbmi",
    "weight",
    "lenhei",
    "age_days",
    "child__sex",
    "child__birth_date",
    "eppgbm_zlen",
    "eppgbm_zwei",
    "eppgbm_zwfl",
)
#: What :class:`~tumbuh.dashboards.models.QualityAggregate` stores of a row (the light and
#: reasons are judged when read, in the reader's language).
STORED = (
    "level",
    "code",
    "name",
    "parent",
    "wilayah_code",
    "n",
    "pct_flagged",
    "sd_haz",
    "dps_weight",
    "dps_height",
    "heaping",
    "coverage",
    "n_eppgbm",
    "pct_disagree",
)


def _num(col):
    return (
        np.array([np.nan if v is None else float(v) for v in col], dtype=float)
        if None in col
        else np.array(col, dtype=float)
    )


def _nan_none(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _batches(qs):
    """The period's visits as batches of {column: values}: on PostgreSQL numpy arrays read
    through Arrow (``core.arrow_io.rows_as_arrow``) a block of rows at a time, so that a
    province's year is never held whole; elsewhere one batch of tuples of the rows' values.
    The birth dates as an Arrow date column there, dates here (the quality engine takes both)."""
    types = {c: pa.date32() if c == "child__birth_date" else pa.float64() for c in _COLS}
    types |= {c: pa.bool_() for c in ("flen", "fwei", "fwfl", "fbmi")}
    types |= {"posyandu_id": pa.int64(), "posyandu__puskesmas_id": pa.int64()}
    tables = arrow_io.rows_as_arrow(qs, types, batches=True)
    if tables is None:
        rows = list(qs.values_list(*_COLS))
        if rows:
            yield dict(zip(_COLS, zip(*rows)))
        return
    for table in tables:
        out = {c: arrow_io.arrow_numbers(table, c) for c, t in types.items() if t == pa.float64()}
        out |= {
            c: arrow_io.arrow_numbers(table, c, null=False, dtype=bool) for c, t in types.items() if t == pa.bool_()
        }
        out["posyandu_id"] = arrow_io.arrow_numbers(table, "posyandu_id", null=-1, dtype=np.int64)
        out["posyandu__puskesmas_id"] = arrow_io.arrow_numbers(table, "posyandu__puskesmas_id", null=0, dtype=np.int64)
        out["child__birth_date"] = table.column("child__birth_date")
        yield out


def compute_quality(measurements, *, period: Period, coverage: dict) -> list[QualityRow]:
    """The metrics per puskesmas and per posyandu over the period's visits in ``measurements``
    (any ``Measurement`` queryset), not yet judged. ``coverage``: {(level, code): percent}
    from the prevalence aggregates. A posyandu row lies in its desa, a puskesmas row in its
    kecamatan (``wilayah_code``).

    The visits are folded into the quality engine's accumulator a batch at a time (its sums go
    on row after row, so the figures are those of the whole period at once), with only the
    metrics stored here (``result(brief=True)``: a province's thousands of posyandu each cost
    little)."""
    from tumbuh.organisation.models import Posyandu, Puskesmas

    qs = measurements.filter(date__gte=period.start, date__lte=period.end, posyandu__isnull=False)
    acc = QualityAccumulator(by=["puskesmas", "posyandu"])
    parts: dict[str, list] = {"puskesmas": [], "posyandu": []}  # per batch: (keys, e-PPGBM, disagreeing)
    for c in _batches(qs):  # no other query while the visits stream in (the connection is busy)
        posy = np.array(c["posyandu_id"], dtype=np.int64)
        pkm = c["posyandu__puskesmas_id"]
        pkm = pkm if isinstance(pkm, np.ndarray) else np.array([p or 0 for p in pkm], dtype=np.int64)
        data = {k: _num(c[k]) for k in ("zlen", "zwei", "zwfl", "zbmi", "weight", "lenhei", "age_days")}
        for k in ("flen", "fwei", "fwfl", "fbmi"):
            data[k] = _num(c[k]) == 1
        data["sex"] = np.array(c["child__sex"], dtype=float)
        dob = c["child__birth_date"]
        data["dob"] = dob if isinstance(dob, pa.ChunkedArray) else list(dob)
        data["posyandu"] = posy  # grouped by value: the group "posyandu: 12" as with the text "12"
        data["puskesmas"] = pkm
        acc.update(data)
        # e-PPGBM disagreement, vectorised
        ep = np.stack([_num(c["eppgbm_zlen"]), _num(c["eppgbm_zwei"]), _num(c["eppgbm_zwfl"])])
        tz = np.stack([data["zlen"], data["zwei"], data["zwfl"]])
        has_ep = ~np.isnan(ep).all(axis=0)
        with np.errstate(invalid="ignore"):
            diff = (np.abs(ep - tz) > DISAGREE_TOLERANCE) | (~np.isnan(ep) & np.isnan(tz))
        disagree = has_ep & diff.any(axis=0)
        for level, keys in (("puskesmas", pkm), ("posyandu", posy)):
            ukeys, kinv = np.unique(keys, return_inverse=True)
            kinv = kinv.ravel()
            n_ep = np.bincount(kinv, weights=has_ep, minlength=len(ukeys))
            n_dis = np.bincount(kinv, weights=disagree, minlength=len(ukeys))
            parts[level].append((ukeys, n_ep, n_dis))
    if not parts["posyandu"]:
        return []
    counts: dict[str, dict[int, tuple]] = {}  # level -> {key: (e-PPGBM, disagreeing)}: whole numbers, exact
    for level, got in parts.items():
        ukeys, kinv = np.unique(np.concatenate([k for k, _e, _d in got]), return_inverse=True)
        n_ep = np.bincount(kinv.ravel(), weights=np.concatenate([e for _k, e, _d in got]), minlength=len(ukeys))
        n_dis = np.bincount(kinv.ravel(), weights=np.concatenate([d for _k, _e, d in got]), minlength=len(ukeys))
        counts[level] = {k: (n_ep[i], n_dis[i]) for i, k in enumerate(ukeys.tolist())}
    res = acc.result(brief=True)
    info = {
        p: (n, d, dc)
        for p, n, d, dc in Posyandu.objects.filter(pk__in=sorted(counts["posyandu"])).values_list(
            "pk", "name", "desa__name", "desa_id"
        )
    }
    pkm_info = {
        p: (n, k)
        for p, n, k in Puskesmas.objects.filter(pk__in=sorted(counts["puskesmas"])).values_list(
            "pk", "name", "kecamatan_id"
        )
    }
    out: list[QualityRow] = []
    for level in ("puskesmas", "posyandu"):
        for key in sorted(counts[level]):
            g = res.get(f"{level}: {key}")
            if g is None or (level == "puskesmas" and key not in pkm_info):
                continue
            n_ep, n_dis = counts[level][key]
            haz = g["zscores"]["HA"]
            if level == "posyandu":
                name, parent, wcode = info.get(key, (str(key), "", ""))
            else:
                (name, wcode), parent = pkm_info[key], ""
            out.append(
                QualityRow(
                    level=level,
                    code=str(key),
                    name=name,
                    parent=parent,
                    wilayah_code=wcode or "",
                    n=int(g["n"]),
                    pct_flagged=_nan_none(haz.get("pct_flagged")),
                    sd_haz=_nan_none(haz.get("sd")),
                    dps_weight=_nan_none(g["digit_preference"]["weight"].get("dps")),
                    dps_height=_nan_none(g["digit_preference"]["lenhei"].get("dps")),
                    heaping=_nan_none(g["age_heaping"]["age_months"].get("heaping_6")),
                    coverage=coverage.get((level, str(key))),
                    n_eppgbm=int(n_ep),
                    pct_disagree=(100.0 * n_dis / n_ep) if n_ep else None,
                )
            )
    return out


def aggregate_rows(period: Period, coverage: dict, computed_at) -> list:
    """Unsaved :class:`~tumbuh.dashboards.models.QualityAggregate` rows of every puskesmas and
    posyandu for ``period`` (``aggregates.refresh_period`` stores these)."""
    return stored_rows(
        period, compute_quality(Measurement.objects.all(), period=period, coverage=coverage), computed_at
    )


def stored_rows(period: Period, rows: list[QualityRow], computed_at) -> list:
    """``rows`` as unsaved :class:`~tumbuh.dashboards.models.QualityAggregate` of ``period``."""
    from .models import QualityAggregate

    return [
        QualityAggregate(
            period=period.key,
            computed_at=computed_at,
            **{k: (getattr(r, k)[:150] if k in ("name", "parent") else getattr(r, k)) for k in STORED},
        )
        for r in rows
    ]


def quality_tables(
    *, user, within_code: str | None, period: Period, levels: tuple[str, ...] = ("puskesmas", "posyandu")
) -> dict[str, list[QualityRow]]:
    """{"puskesmas": [...], "posyandu": [...]} for the period, within the region, as far as
    ``user`` may see, judged and sorted (worst first). Reads the precomputed rows (computed
    with the prevalence aggregates); with ``TUMBUH_DASHBOARD_LIVE`` computes them live.
    ``levels``: only those (the province's page reads its thousands of posyandu rows for
    nothing: ``levels=("puskesmas",)``)."""
    from tumbuh.organisation.models import posyandu_labels
    from tumbuh.wilayah.models import Wilayah

    from .aggregates import _live, ensure_fresh, indicator_table
    from .models import QualityAggregate

    if _live():
        qs = policy.visible(user, Measurement.objects.all())
        if within_code:
            qs = qs.filter(Wilayah.subtree_q(within_code, "desa__"))
        cover = {
            (level, r.code): r.coverage
            for level in ("puskesmas", "posyandu")
            for r in indicator_table(
                user=user, within_code=within_code, level=level, period=period, indicator="stunting"
            )
        }
        rows = [r for r in compute_quality(qs, period=period, coverage=cover) if r.level in levels]
    else:
        ensure_fresh(period)
        qs = policy.visible(user, QualityAggregate.objects.filter(period=period.key, level__in=levels))
        if within_code:
            qs = qs.filter(Q(wilayah_code=within_code) | Q(wilayah_code__startswith=within_code + "."))
        rows = [QualityRow(**{k: getattr(a, k) for k in STORED}) for a in qs]
    posyandu = {int(r.code) for r in rows if r.level == "posyandu" and r.code.isdigit()}
    labels = posyandu_labels(posyandu) if posyandu else {}
    for row in rows:  # named with their desa, as every list of posyandu
        if row.level == "posyandu" and row.code.isdigit():
            row.name = labels.get(int(row.code), row.name)
    out: dict[str, list[QualityRow]] = {level: [] for level in levels}
    for row in rows:
        _judge(row)
        out[row.level].append(row)
    for level in out:
        out[level].sort(key=lambda r: (-COLOURS[r.light], -r.score, r.name))
    return out


def needs_check(rows: list[QualityRow], limit: int = 10) -> list[QualityRow]:
    """Posyandu that most need a measurement check: red before yellow, more and worse reasons
    first, then the larger posyandu (more children affected)."""
    bad = [r for r in rows if r.light in ("red", "yellow")]
    bad.sort(key=lambda r: (-COLOURS[r.light], -r.score, -r.n, r.name))
    return bad[:limit]
