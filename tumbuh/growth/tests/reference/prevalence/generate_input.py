"""Generate the synthetic survey used as R reference input (``input.csv``).

Run from the repository root: ``python tumbuh/growth/tests/reference/prevalence/generate_input.py``.
It is deterministic (fixed seed). The data mimic a two-stage cluster survey of under-fives:
6 strata (one with a single cluster: the lonely-PSU case), 45 clusters, sampling weights
(some missing, one cluster with all weights missing), 10 desa (one inside a single
cluster), missing and flagged z-scores, oedema, ages beyond 1826 days, missing age and sex.
"""

from __future__ import annotations

import csv
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    rng = np.random.default_rng(20240817)
    rows = []
    cluster_id = 0
    strata_sizes = [9, 8, 10, 7, 10, 1]  # stratum 6 has one cluster (lonely PSU)
    for s, ncl in enumerate(strata_sizes, start=1):
        for _ in range(ncl):
            cluster_id += 1
            size = int(rng.integers(40, 95))
            base_w = float(rng.uniform(50, 400))
            shift = float(rng.normal(0, 0.35))  # cluster effect
            for _ in range(size):
                rows.append((s, cluster_id, base_w, shift))
    n = len(rows)
    strata = np.array([r[0] for r in rows], dtype=object)
    cluster = np.array([r[1] for r in rows], dtype=object)
    sw = np.array([r[2] * rng.uniform(0.8, 1.25) for r in rows], dtype=object)
    shift = np.array([r[3] for r in rows])

    age = rng.uniform(0, 1870, n)  # some beyond 1826 days
    age[rng.random(n) < 0.01] = np.nan
    # exact ages on the edges: 1826.4 (kept), 1826.5 (dropped), 1826.3 (kept, 60.0 months)
    age[:3] = [1826.4, 1826.5, 1826.3]
    sex = rng.integers(1, 3, n).astype(object)
    sex[rng.random(n) < 0.005] = None

    zlen = np.round(rng.normal(-1.3, 1.15, n) + shift, 2)
    zwei = np.round(0.6 * zlen + rng.normal(-0.3, 0.85, n), 2)
    zwfl = np.round(rng.normal(-0.4, 1.05, n) + 0.3 * shift, 2)
    zbmi = np.round(zwfl + rng.normal(0.05, 0.25, n), 2)
    zs = {"zlen": zlen, "zwei": zwei, "zwfl": zwfl, "zbmi": zbmi}
    # extreme values that WHO flags
    for name, hi, lo in (("zlen", 6, -6), ("zwei", 5, -6), ("zwfl", 5, -5), ("zbmi", 5, -5)):
        k = rng.random(n) < 0.006
        zs[name][k] = np.where(rng.random(k.sum()) < 0.5, hi + 0.5, lo - 0.7)
    flags = {}
    for name, hi, lo in (("zlen", 6, -6), ("zwei", 5, -6), ("zwfl", 5, -5), ("zbmi", 5, -5)):
        z = zs[name]
        miss = rng.random(n) < 0.03
        z[miss] = np.nan
        with np.errstate(invalid="ignore"):
            flags[name] = np.where(np.isnan(z), None, ((z > hi) | (z < lo)).astype(int))
    oedema = np.where(rng.random(n) < 0.012, "y", "n").astype(object)
    for name in ("zwei", "zwfl", "zbmi"):  # the kernel leaves weight-based z missing
        zs[name][oedema == "y"] = np.nan
        flags[name][oedema == "y"] = None

    # design gaps
    cluster[rng.random(n) < 0.004] = None
    strata[rng.random(n) < 0.003] = None
    sw[rng.random(n) < 0.01] = None
    sw[cluster == 7] = None  # a whole cluster without weights -> weight 0

    desa = np.array([f"D{(int(c) - 1) % 9 + 1:02d}" if c is not None else "D01" for c in cluster], dtype=object)
    desa[cluster == 45] = "D10"  # desa inside one single cluster (the lonely stratum)

    with open(os.path.join(HERE, "input.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "id",
                "sex",
                "age_days",
                "zlen",
                "flen",
                "zwei",
                "fwei",
                "zwfl",
                "fwfl",
                "zbmi",
                "fbmi",
                "oedema",
                "cluster",
                "strata",
                "sw",
                "desa",
            ]
        )
        for i in range(n):

            def f(x, nd=2):
                if x is None or (isinstance(x, float) and np.isnan(x)):
                    return ""
                return f"{x:.{nd}f}"

            w.writerow(
                [
                    i + 1,
                    "" if sex[i] is None else sex[i],
                    f(age[i], 1),
                    f(zs["zlen"][i]),
                    "" if flags["zlen"][i] is None else flags["zlen"][i],
                    f(zs["zwei"][i]),
                    "" if flags["zwei"][i] is None else flags["zwei"][i],
                    f(zs["zwfl"][i]),
                    "" if flags["zwfl"][i] is None else flags["zwfl"][i],
                    f(zs["zbmi"][i]),
                    "" if flags["zbmi"][i] is None else flags["zbmi"][i],
                    oedema[i],
                    "" if cluster[i] is None else cluster[i],
                    "" if strata[i] is None else strata[i],
                    "" if sw[i] is None else f(float(sw[i]), 4),
                    desa[i],
                ]
            )
    print(f"{n} rows")


if __name__ == "__main__":
    main()
