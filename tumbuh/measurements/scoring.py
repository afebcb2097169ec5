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


def score(measurements: Sequence[Measurement]) -> None:
    """Compute the engine's fields in place (WHO Child Growth Standards, full precision)."""
    n = len(measurements)
    if n == 0:
        return
    birth = np.array([m.child.birth_date.toordinal() for m in measurements], dtype=np.int64)
    visit = np.array([m.date.toordinal() for m in measurements], dtype=np.int64)
    age = (visit - birth).astype(np.float64)
    oedema = np.array([bool(m.oedema) for m in measurements])
    result = anthro_zscores(
        sex=np.array([m.child.sex for m in measurements], dtype=np.float64),
        age_days=age,
        weight=_floats(m.weight for m in measurements),
        lenhei=_floats(m.lenhei for m in measurements),
        measure=np.array([m.position or None for m in measurements], dtype=object),
        oedema=np.where(oedema, "y", "n"),
        headc=_floats(m.headc for m in measurements),
        armc=_floats(m.muac for m in measurements),
    )
    status = classify_anthro(result, oedema=oedema)
    for i, m in enumerate(measurements):
        m.age_days = int(age[i])
        for field in Z_FIELDS:
            z = result[field][i]
            setattr(m, field, None if np.isnan(z) else float(z))
        for field in FLAG_FIELDS:
            f = result[field][i]
            setattr(m, field, None if np.isnan(f) else bool(f))
        for field in STATUS_FIELDS:
            setattr(m, field, status[field][i] or "")
        m.engine_reason = str(result["reason"][i] or "")[:300]
