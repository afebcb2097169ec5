"""Data quality per puskesmas and per posyandu, from the growth engine's metrics, with a
plain-language traffic light and its reasons (Indonesian in the Indonesian UI).

Computed live from the period's measurements the user may see (every visit, not only each
child's latest: digit preference and heaping are properties of the measuring). Thresholds:

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
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.growth.quality import THRESHOLDS, quality, rate
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
    return number_format(round(v, d), d)


def _judge(row: QualityRow) -> None:
    reasons: list[tuple[str, str]] = []
    if row.n < MIN_N:
        row.light = "grey"
        row.reasons = [("grey", _("Only %(n)s measurements: too few to judge.") % {"n": row.n})]
        return
    r = rate("pct_flagged", row.pct_flagged)
    if r in ("acceptable", "problematic"):
        reasons.append((_BAND[r], _("%(v)s %% of HAZ flagged as implausible: check the measuring, the ages and the data entry.")
                        % {"v": _fmt(row.pct_flagged)}))
    if row.sd_haz is not None and rate("sd", row.sd_haz) == "check":
        if row.sd_haz < 0.8:
            reasons.append(("red", _("SD of HAZ %(v)s: too small, the measurement may not have been taken (values copied or made up).")
                            % {"v": _fmt(row.sd_haz, 2)}))
        else:
            reasons.append(("red", _("SD of HAZ %(v)s: too large, points to measuring or age errors.") % {"v": _fmt(row.sd_haz, 2)}))
    for value, label in ((row.dps_weight, _("weight")), (row.dps_height, _("length/height"))):
        r = rate("dps", value) if row.n >= MIN_N_DIGITS else None
        if r in ("acceptable", "problematic"):
            reasons.append((_BAND[r], _("Digit preference in %(what)s %(v)s: values are rounded, not read to the tenth.")
                            % {"what": label, "v": _fmt(value)}))
    if row.n >= MIN_N_DIGITS and row.heaping is not None and row.heaping > THRESHOLDS["heaping_6"]["bounds"][1]:
        reasons.append(("yellow", _("Age heaping %(v)s: ages pile up at 6, 12, 18 … months, dates of birth may be estimated.")
                        % {"v": _fmt(row.heaping, 2)}))
    if row.pct_disagree is not None and row.pct_disagree > DISAGREE_BANDS[0]:
        reasons.append(("red" if row.pct_disagree > DISAGREE_BANDS[1] else "yellow",
                        _("%(v)s %% of e-PPGBM z-scores differ from the WHO standard as Tumbuh computes it.") % {"v": _fmt(row.pct_disagree)}))
    if row.coverage is not None and row.coverage < COVERAGE_BANDS[0]:
        reasons.append(("red" if row.coverage < COVERAGE_BANDS[1] else "yellow",
                        _("Coverage %(v)s %%: many children were not measured.") % {"v": _fmt(row.coverage)}))
    row.reasons = reasons
    row.light = max((c for c, _r in reasons), key=lambda c: COLOURS[c], default="green")


_COLS = ("posyandu_id", "desa_id", "zlen", "flen", "zwei", "fwei", "zwfl", "fwfl", "zbmi", "fbmi", "weight", "lenhei",
         "age_days", "child__sex", "child__birth_date", "eppgbm_zlen", "eppgbm_zwei", "eppgbm_zwfl")


def _num(col):
    return np.array([np.nan if v is None else float(v) for v in col], dtype=float) if None in col else np.array(col, dtype=float)


def quality_tables(*, user, within_code: str | None, period: Period) -> dict[str, list[QualityRow]]:
    """{"puskesmas": [...], "posyandu": [...]} for the period, within the region."""
    from tumbuh.organisation.models import Posyandu, Puskesmas
    from tumbuh.wilayah.models import Wilayah

    from .aggregates import indicator_table

    qs = policy.visible(user, Measurement.objects.filter(date__gte=period.start, date__lte=period.end, posyandu__isnull=False))
    if within_code:
        qs = qs.filter(Wilayah.subtree_q(within_code, "desa__"))
    rows = list(qs.values_list(*_COLS))
    out: dict[str, list[QualityRow]] = {"puskesmas": [], "posyandu": []}
    if not rows:
        return out
    c = dict(zip(_COLS, zip(*rows)))
    posy = np.array(c["posyandu_id"], dtype=np.int64)
    info = {p: (n, d, k) for p, n, d, k in Posyandu.objects.filter(pk__in=np.unique(posy).tolist()).values_list("pk", "name", "desa__name", "puskesmas_id")}
    upos, inv = np.unique(posy, return_inverse=True)
    pkm = np.array([info.get(p, ("", "", 0))[2] for p in upos.tolist()], dtype=np.int64)[inv.ravel()]
    pkm_names = dict(Puskesmas.objects.filter(pk__in=np.unique(pkm).tolist()).values_list("pk", "name"))
    data = {k: _num(c[k]) for k in ("zlen", "zwei", "zwfl", "zbmi", "weight", "lenhei", "age_days")}
    for k in ("flen", "fwei", "fwfl", "fbmi"):
        data[k] = _num(c[k]) == 1
    data["sex"] = np.array(c["child__sex"], dtype=float)
    data["dob"] = list(c["child__birth_date"])
    data["posyandu"] = posy.astype(str)
    data["puskesmas"] = pkm.astype(str)
    res = quality(data, by=["puskesmas", "posyandu"])
    # e-PPGBM disagreement, vectorised
    ep = np.stack([_num(c["eppgbm_zlen"]), _num(c["eppgbm_zwei"]), _num(c["eppgbm_zwfl"])])
    tz = np.stack([data["zlen"], data["zwei"], data["zwfl"]])
    has_ep = ~np.isnan(ep).all(axis=0)
    with np.errstate(invalid="ignore"):
        diff = (np.abs(ep - tz) > DISAGREE_TOLERANCE) | (~np.isnan(ep) & np.isnan(tz))
    disagree = has_ep & diff.any(axis=0)
    # coverage from the aggregates (children measured ÷ registered or Dukcapil)
    cover = {}
    for level in ("puskesmas", "posyandu"):
        for r in indicator_table(user=user, within_code=within_code, level=level, period=period, indicator="stunting"):
            cover[(level, r.code)] = r.coverage
    for level, keys in (("puskesmas", pkm), ("posyandu", posy)):
        ukeys, kinv = np.unique(keys, return_inverse=True)
        kinv = kinv.ravel()
        n_ep = np.bincount(kinv, weights=has_ep, minlength=len(ukeys))
        n_dis = np.bincount(kinv, weights=disagree, minlength=len(ukeys))
        for i, key in enumerate(ukeys.tolist()):
            g = res.get(f"{level}: {key}")
            if g is None:
                continue
            haz = g["zscores"]["HA"]
            if level == "posyandu":
                name, parent = info.get(key, (str(key), "", 0))[:2]
            else:
                name, parent = pkm_names.get(key, str(key)), ""
            row = QualityRow(
                level=level, code=str(key), name=name, parent=parent, n=int(g["n"]),
                pct_flagged=haz.get("pct_flagged"), sd_haz=haz.get("sd"),
                dps_weight=g["digit_preference"]["weight"].get("dps"), dps_height=g["digit_preference"]["lenhei"].get("dps"),
                heaping=g["age_heaping"]["age_months"].get("heaping_6"), coverage=cover.get((level, str(key))),
                n_eppgbm=int(n_ep[i]), pct_disagree=(100.0 * n_dis[i] / n_ep[i]) if n_ep[i] else None,
            )
            for attr in ("pct_flagged", "sd_haz", "dps_weight", "dps_height", "heaping"):
                v = getattr(row, attr)
                if v is not None and isinstance(v, float) and np.isnan(v):
                    setattr(row, attr, None)
            _judge(row)
            out[level].append(row)
    for level in out:
        out[level].sort(key=lambda r: (-COLOURS[r.light], -r.score, r.name))
    return out


def needs_check(rows: list[QualityRow], limit: int = 10) -> list[QualityRow]:
    """Posyandu that most need a measurement check: red before yellow, more and worse reasons
    first, then the larger posyandu (more children affected)."""
    bad = [r for r in rows if r.light in ("red", "yellow")]
    bad.sort(key=lambda r: (-COLOURS[r.light], -r.score, -r.n, r.name))
    return bad[:limit]
