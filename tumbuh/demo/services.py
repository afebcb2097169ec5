"""The services recorded with the demo's visits (``Measurement.SERVICE_FIELDS``), so the
indicators Tumbuh computes from them (vitamin A, KIA book, weight gain N/D′, kelas ibu balita,
MBG) are not empty in the demo. Deterministic, from a random stream of its own (the demo's
seed and :data:`STREAM`), so adding them changed none of the demo's children or measurements.

- **Weight gain** (N/T/O/B) follows from the visits, as the growth chart (KMS) would have it:
  B at the child's first visit in the demo, O when the visit before was not in the month
  before, else N when the recorded weight went up and T when it did not.
- **Vitamin A**: recorded at the February and August rounds (when Indonesia gives the
  capsules) from 6 months of age: 1 capsule for most children, 0 for the others, the share
  given differing per kecamatan (:data:`VITAMIN_A_SHARE`); not recorded at the monthly
  weighings nor under 6 months.
- **KIA book**: a child has one or not (:data:`P_KIA_BOOK`); recorded at the rounds only.
- **Kelas ibu balita** and **MBG**: recorded from 2025 only (the newer e-PPGBM layout has the
  columns), at every visit. A mother attends the class or not (:data:`P_KELAS_MOTHER`) and is
  recorded present at :data:`P_KELAS_VISIT` of the visits of an attending mother. MBG reaches
  a share of the children (:data:`P_MBG`) from July 2025 (before, recorded as not received).

A value left out is "not recorded" (None); every demo visit is a weighing, so every one gets
a weight-gain code.
"""

from __future__ import annotations

import numpy as np
from numpy.random import PCG64, Generator

STREAM = 12  # this module's random stream beside the demo's seed
VITAMIN_A_SHARE = (0.78, 0.97)  # per kecamatan, uniform between
P_KIA_BOOK = 0.88
P_KELAS_MOTHER, P_KELAS_VISIT = 0.35, 0.7
P_MBG = 0.25
RECORDED_FROM = np.datetime64("2025-01-01", "D")
MBG_FROM = np.datetime64("2025-07-01", "D")
SIX_MONTHS_DAYS = 183

#: The service columns this module adds to ``DemoData.visits``, as ``Measurement`` names them.
FIELDS = ("weight_gain", "vitamin_a", "kia_book", "kelas_ibu_balita", "mbg")


def visit_services(data) -> dict[str, np.ndarray]:
    """One array per service field, one value per visit of ``data`` (a ``children.DemoData``):
    the codes as strings, the capsule count as a float (NaN: not recorded), the yes/no fields
    as objects (True, False, None: not recorded)."""
    rng = Generator(PCG64([data.seed, STREAM]))
    vis, ch = data.visits, data.children
    ci, date, age = vis["child"], vis["date"].astype("datetime64[D]"), vis["age_days"]
    m, n = len(ci), len(ch["sex"])

    # Weight gain: the visits are child by child in date order.
    first = np.r_[True, ci[1:] != ci[:-1]] if m else np.zeros(0, dtype=bool)
    prev = np.maximum(np.arange(m) - 1, 0)
    month = date.astype("datetime64[M]").astype(np.int64)
    consecutive = ~first & (month - month[prev] == 1)
    gained = vis["weight"] > vis["weight"][prev]
    weight_gain = np.where(first, "B", np.where(~consecutive, "O", np.where(gained, "N", "T"))).astype(object)

    # Per-child and per-kecamatan propensities (drawn in a fixed order, so deterministic).
    kecamatan = data.area.kecamatan[ch["posyandu"]][ci]
    codes = sorted(set(data.area.kecamatan.tolist()))
    share = dict(zip(codes, rng.uniform(*VITAMIN_A_SHARE, len(codes)).tolist()))
    has_book = rng.random(n) < P_KIA_BOOK
    attends = rng.random(n) < P_KELAS_MOTHER
    gets_mbg = rng.random(n) < P_MBG
    u_vit, u_kelas = rng.random(m), rng.random(m)

    rounds = vis["is_round"]
    vit_recorded = rounds & (age >= SIX_MONTHS_DAYS)
    given = u_vit < np.array([share[k] for k in kecamatan.tolist()])
    vitamin_a = np.where(vit_recorded, np.where(given, 1.0, 0.0), np.nan)

    kia_book = np.where(rounds, has_book[ci], None).astype(object)
    recent = date >= RECORDED_FROM
    kelas = np.where(recent, attends[ci] & (u_kelas < P_KELAS_VISIT), None).astype(object)
    mbg = np.where(recent, gets_mbg[ci] & (date >= MBG_FROM), None).astype(object)
    return {
        "weight_gain": weight_gain,
        "vitamin_a": vitamin_a,
        "kia_book": kia_book,
        "kelas_ibu_balita": kelas,
        "mbg": mbg,
    }


def service_columns(visits: dict[str, np.ndarray], idx: np.ndarray) -> dict[str, list]:
    """The service values of the visits ``idx`` in their stored form (for ``children.write``)."""
    return {
        "weight_gain": [str(x) for x in visits["weight_gain"][idx].tolist()],
        "vitamin_a": [None if x != x else int(x) for x in visits["vitamin_a"][idx].tolist()],
        **{
            f: [None if x is None else bool(x) for x in visits[f][idx].tolist()]
            for f in ("kia_book", "kelas_ibu_balita", "mbg")
        },
    }
