"""Score measurements with the growth engine: many at once, in one vectorised call.

``score(measurements)`` fills age, z-scores, flags, Permenkes categories and the reason a
z-score is missing, on unsaved or saved ``Measurement`` objects (each with its child). Forms
score one, imports a million; both go through here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tumbuh.growth.classify import classify_anthro
from tumbuh.growth.zscores import anthro_zscores

from .models import Measurement

Z_FIELDS = ("zlen", "zwei", "zwfl", "zbmi", "zac", "zhc")
FLAG_FIELDS = ("flen", "fwei", "fwfl", "fbmi", "fac", "fhc")
STATUS_FIELDS = ("status_tbu", "status_bbu", "status_bbtb", "status_imtu")
COMPUTED_FIELDS = ("age_days", *Z_FIELDS, *FLAG_FIELDS, *STATUS_FIELDS, "engine_reason")


def _floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def score_columns(
    *, sex, birth, visit, weight, lenhei, position, oedema, muac=None, headc=None
) -> dict[str, np.ndarray]:
    """The engine's fields for whole columns (numpy arrays: ``birth``/``visit`` as date
    ordinals, ``weight``/``lenhei``/``muac``/``headc`` floats with NaN for missing,
    ``position`` 'l'/'h'/None objects, ``oedema`` bools). ``score`` and bulk imports use it."""
    n = len(sex)
    age = (np.asarray(visit, dtype=np.int64) - np.asarray(birth, dtype=np.int64)).astype(np.float64)
    oedema = np.asarray(oedema, dtype=bool)
    nan = np.full(n, np.nan)
    result = anthro_zscores(
        sex=np.asarray(sex, dtype=np.float64),
        age_days=age,
        weight=weight,
        lenhei=lenhei,
        measure=position,
        oedema=np.where(oedema, "y", "n"),
        headc=nan if headc is None else headc,
        armc=nan if muac is None else muac,
    )
    status = classify_anthro(result, oedema=oedema)
    out = {"age_days": age}
    for field in Z_FIELDS:
        out[field] = result[field]
    for field in FLAG_FIELDS:
        out[field] = result[field]
    for field in STATUS_FIELDS:
        out[field] = status[field]
    out["engine_reason"] = result["reason"]
    return out


def score(measurements: Sequence[Measurement]) -> None:
    """Compute the engine's fields in place (WHO Child Growth Standards, full precision)."""
    n = len(measurements)
    if n == 0:
        return
    result = score_columns(
        sex=np.array([m.child.sex for m in measurements], dtype=np.float64),
        birth=np.array([m.child.birth_date.toordinal() for m in measurements], dtype=np.int64),
        visit=np.array([m.date.toordinal() for m in measurements], dtype=np.int64),
        weight=_floats(m.weight for m in measurements),
        lenhei=_floats(m.lenhei for m in measurements),
        position=np.array([m.position or None for m in measurements], dtype=object),
        oedema=np.array([bool(m.oedema) for m in measurements]),
        headc=_floats(m.headc for m in measurements),
        muac=_floats(m.muac for m in measurements),
    )
    age = result["age_days"]
    for i, m in enumerate(measurements):
        m.age_days = int(age[i])
        for field in Z_FIELDS:
            z = result[field][i]
            setattr(m, field, None if np.isnan(z) else float(z))
        for field in FLAG_FIELDS:
            f = result[field][i]
            setattr(m, field, None if np.isnan(f) else bool(f))
        for field in STATUS_FIELDS:
            setattr(m, field, result[field][i] or "")
        m.engine_reason = str(result["engine_reason"][i] or "")[:300]
