"""Benchmark: survey prevalence and data-quality metrics on a large synthetic survey.

    .venv/bin/python bench/bench_prevalence.py                 # 1,000,000 rows
    .venv/bin/python bench/bench_prevalence.py --rows 200000 --r-rows 10000

Times (best of ``--repeat``):
1. ``prevalence`` without a design (routine data), grouped by desa;
2. ``prevalence`` with cluster, strata and weights, grouped by desa;
3. the same, streamed from a Parquet file in 262,144-row batches;
4. ``quality`` grouped by desa.
When ``Rscript`` with the ``survey`` package is on the machine, the R reference script
(``tumbuh/growth/tests/reference/prevalence/reference.R``, the calls WHO's
``anthro_prevalence`` makes) runs the cluster/strata/weights case on the first ``--r-rows``
rows, and the engine is timed on the same rows for a side-by-side ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tumbuh.growth.prevalence import prevalence, prevalence_file  # noqa: E402
from tumbuh.growth.quality import quality  # noqa: E402

R_SCRIPT = os.path.join(ROOT, "tumbuh", "growth", "tests", "reference", "prevalence", "reference.R")


def synthetic(n: int, seed: int = 7) -> pa.Table:
    """A two-stage cluster survey: 60 strata, ~n/500 clusters, 400 desa, 1 % flags, oedema."""
    rng = np.random.default_rng(seed)
    nclusters = max(n // 500, 4)
    cluster = rng.integers(0, nclusters, n)
    strata = cluster % 60
    shift = rng.normal(0, 0.35, nclusters)[cluster]
    zlen = np.round(rng.normal(-1.3, 1.15, n) + shift, 2)
    zwei = np.round(0.6 * zlen + rng.normal(-0.3, 0.85, n), 2)
    zwfl = np.round(rng.normal(-0.4, 1.05, n) + 0.3 * shift, 2)
    zbmi = np.round(zwfl + rng.normal(0.05, 0.25, n), 2)
    cols = {}
    for name, z, hi, lo in (("len", zlen, 6, -6), ("wei", zwei, 5, -6), ("wfl", zwfl, 5, -5), ("bmi", zbmi, 5, -5)):
        z[rng.random(n) < 0.02] = np.nan
        cols[f"z{name}"] = z
        with np.errstate(invalid="ignore"):
            cols[f"f{name}"] = np.where(np.isnan(z), np.nan, ((z > hi) | (z < lo)).astype(float))
    cols.update(
        sex=rng.integers(1, 3, n).astype(str),
        age_days=np.round(rng.uniform(0, 1826, n), 1),
        oedema=np.where(rng.random(n) < 0.005, "y", "n"),
        cluster=cluster.astype(str),
        strata=strata.astype(str),
        sw=np.round(rng.uniform(50, 400, n), 4),
        desa=np.char.add("D", (cluster % 400).astype(str)),
        weight=np.round(rng.uniform(3, 20, n), 1),
        lenhei=np.round(rng.uniform(50, 110, n), 1),
    )
    return pa.table(cols)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, pyarrow {pa.__version__}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--r-rows", type=int, default=10_000, help="rows for the R comparison (0: skip)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    print(f"machine: {machine()}")
    table = synthetic(args.rows)
    design = dict(cluster="cluster", strata="strata", weight="sw")
    n = args.rows
    results = []

    t = best(lambda: prevalence(table, by=["desa"]), args.repeat)
    results.append(("prevalence, no design, by desa", t))
    t = best(lambda: prevalence(table, by=["desa"], **design), args.repeat)
    results.append(("prevalence, cluster+strata+weights, by desa", t))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "z.parquet")
        pq.write_table(table, path)
        t = best(lambda: prevalence_file(path, by=["desa"], **design), args.repeat)
        results.append(("prevalence streamed from Parquet (262,144-row batches), design, by desa", t))
    t = best(lambda: quality(table, by=["desa"]), args.repeat)
    results.append(("quality, by desa", t))

    print(f"\n{n:,} rows")
    for name, t in results:
        print(f"  {name}: {t:.2f} s ({n / t:,.0f} rows/s)")

    rscript = shutil.which("Rscript")
    if args.r_rows and rscript and os.path.exists(R_SCRIPT):
        m = min(args.r_rows, n)
        small = table.slice(0, m)
        ours = best(lambda: prevalence(small, by=["desa"], **design), args.repeat)
        groups = prevalence(small, by=["desa"], **design).num_rows
        with tempfile.TemporaryDirectory() as tmp:
            pacsv.write_csv(small, os.path.join(tmp, "input.csv"))
            t0 = time.perf_counter()
            proc = subprocess.run([rscript, R_SCRIPT, tmp, "full"], capture_output=True, text=True, check=False)
            r_time = time.perf_counter() - t0
        if proc.returncode != 0:
            print(f"\nR comparison failed: {proc.stderr[-500:]}")
        else:
            print(
                f"\nside by side on {m:,} rows, cluster+strata+weights, by desa "
                f"(all WHO columns, {groups} groups; R also computes xlogit limits):\n"
                f"  R survey (reference.R, WHO's calls): {r_time:.1f} s\n"
                f"  tumbuh.growth.prevalence:            {ours:.3f} s\n"
                f"  ratio: {r_time / ours:,.0f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
