"""Benchmark: the growth engine on DuckDB (``--engine duckdb``), 50 million rows by desa.

    .venv/bin/python bench/bench_duckdb.py                      # 50,000,000 rows (data made once under /tmp)
    .venv/bin/python bench/bench_duckdb.py --quick              # 2,000,000 rows
    .venv/bin/python bench/bench_duckdb.py --rows 10000000 --compare-rows 2000000

The data: synthetic measurements (sex, age in days, weight, length/height, oedema, desa) as a
hive-partitioned Parquet directory ``provinsi=73/kabupaten=73.NN/round=2025-0M/`` (20
partitions, 300 desa per kabupaten, 6,000 desa), written once and reused.

Each step runs in its own process, so that its peak resident memory (``ru_maxrss``) is its own:

1. ``zscore``: the directory scored into a directory partitioned the same way (Parquet to Parquet);
2. ``prevalence`` of the measurements by desa: scored and aggregated on DuckDB;
3. ``prevalence`` of step 1's z-scores by desa: aggregated in SQL only.

Then the same z-score and prevalence steps on one Parquet file of ``--compare-rows`` rows,
with the arrow engine (``tumbuh zscore``/``tumbuh prevalence`` as they are) beside DuckDB,
for the rows/s ratio. Prints Markdown tables; writes ``bench/out/bench_duckdb.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

KABUPATEN = 10
ROUNDS = ("2025-02", "2025-08")
DESA_PER_KABUPATEN = 300
CHUNK = 500_000


# --------------------------------------------------------------------------- data
def _chunk(n: int, rng, kab: str):  # type: ignore[no-untyped-def]
    import numpy as np
    import pyarrow as pa

    age = rng.integers(0, 1857, n)
    years = age / 365.25
    sex = rng.integers(1, 3, n).astype(np.int8)
    lenhei = np.round(50.0 + 24.0 * years - 2.2 * years**2 + rng.normal(0, 3.5, n) - 0.8 * (sex == 2), 1)
    weight = np.round(np.maximum(3.3 + 4.6 * years - 0.3 * years**2 + rng.normal(0, 1.4, n), 1.2), 2)
    weight[rng.random(n) < 0.01] = np.nan
    oedema = np.where(rng.random(n) < 0.003, "y", "n")
    desa = rng.integers(1, DESA_PER_KABUPATEN + 1, n)
    kec = (desa - 1) // 20 + 1
    return pa.table(
        {
            "sex": sex,
            "age_days": age.astype(np.int32),
            "weight": pa.array(weight, mask=np.isnan(weight)),
            "lenhei": lenhei,
            "measure": np.where(age < 731, "l", "h"),
            "oedema": oedema,
            "kecamatan": pa.array([f"{kab}.{k:02d}" for k in range(1, 17)]).take(pa.array(kec - 1)),
            "desa": pa.array(
                [f"{kab}.{(d - 1) // 20 + 1:02d}.20{d:03d}" for d in range(1, DESA_PER_KABUPATEN + 1)]
            ).take(pa.array(desa - 1)),
        }
    )


def make_dataset(directory: str, rows: int, seed: int = 17) -> None:
    """A hive-partitioned directory of ``rows`` measurements (made once: a marker holds the count)."""
    import numpy as np
    import pyarrow.parquet as pq

    marker = os.path.join(directory, "_rows")
    if os.path.exists(marker) and open(marker).read().strip() == str(rows):
        return
    shutil.rmtree(directory, ignore_errors=True)
    rng = np.random.default_rng(seed)
    parts = [(f"73.{10 + k}", r) for k in range(KABUPATEN) for r in ROUNDS]
    per = [rows // len(parts) + (i < rows % len(parts)) for i in range(len(parts))]
    t0 = time.perf_counter()
    for (kab, rnd), n in zip(parts, per):
        d = os.path.join(directory, "provinsi=73", f"kabupaten={kab}", f"round={rnd}")
        os.makedirs(d)
        writer = None
        for start in range(0, n, CHUNK):
            t = _chunk(min(CHUNK, n - start), rng, kab)
            writer = writer or pq.ParquetWriter(os.path.join(d, "part-0.parquet"), t.schema, compression="snappy")
            writer.write_table(t)
        if writer:
            writer.close()
    with open(marker, "w") as f:
        f.write(str(rows))
    print(f"made {rows:,} rows in {directory} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def make_single(directory: str, path: str, rows: int) -> None:
    """The first ``rows`` rows of the dataset as one Parquet file (for the arrow engine)."""
    if os.path.exists(path):
        return
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    part = ds.partitioning(flavor="hive")
    data = ds.dataset(directory, format="parquet", partitioning=part, exclude_invalid_files=True)
    writer = None
    done = 0
    for batch in data.to_batches(batch_size=CHUNK):
        batch = batch.slice(0, min(batch.num_rows, rows - done))
        writer = writer or pq.ParquetWriter(path, batch.schema, compression="snappy")
        writer.write_batch(batch)
        done += batch.num_rows
        if done >= rows:
            break
    if writer:
        writer.close()


# --------------------------------------------------------------------------- steps (one process each)
def step(name: str, inp: str, out: str) -> dict:
    ns = argparse.Namespace(
        input=inp, output=out, round=False, batch_size=262_144, standard="who2006", quiet=True,
        cluster=None, strata=None, weight=None, by=["desa"], age_in_months=False,
    )  # fmt: skip
    if os.path.isdir(out):
        shutil.rmtree(out)
    elif os.path.exists(out):
        os.remove(out)
    t0 = time.perf_counter()
    if name == "duckdb_zscore":
        from tumbuh.growth.engines.duckdb_engine import run_zscore

        rc = run_zscore(ns)
    elif name == "duckdb_prevalence":
        from tumbuh.growth.engines.duckdb_engine import run_prevalence

        rc = run_prevalence(ns)
    elif name == "arrow_zscore":
        from tumbuh.growth.cli import run_zscore as arrow_zscore

        rc = arrow_zscore(ns)
    elif name == "arrow_prevalence":
        from tumbuh.growth.prevalence import run as arrow_prevalence

        rc = arrow_prevalence(ns)
    else:
        raise SystemExit(f"unknown step {name}")
    dt = time.perf_counter() - t0
    if rc != 0:
        raise SystemExit(f"{name} failed ({rc})")
    return {"seconds": dt, "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM, which starts afresh at exec. (ru_maxrss does
    not: after fork and exec it keeps the parent's peak, here the data generator's.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_step(name: str, inp: str, out: str, rows: int) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--step", name, "--input", inp, "--output", out]
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)  # nosec B603 - our own script
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(step=name, rows=rows, input=inp, rows_per_s=rows / res["seconds"])
    print(f"  {name:<20} {rows:>12,} rows  {res['seconds']:8.1f} s  {res['peak_rss_mb']:8.0f} MB", file=sys.stderr)
    return res


# --------------------------------------------------------------------------- main
def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=50_000_000)
    p.add_argument("--quick", action="store_true", help="2,000,000 rows, compare on 1,000,000")
    p.add_argument(
        "--compare-rows", type=int, default=None, help="rows of the arrow-vs-DuckDB file (default 5,000,000)"
    )
    p.add_argument("--data-dir", default="/tmp/tumbuh-bench-duckdb")
    p.add_argument("--step", help=argparse.SUPPRESS)
    p.add_argument("--input", help=argparse.SUPPRESS)
    p.add_argument("--output", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.input, args.output)))
        return
    rows = 2_000_000 if args.quick else args.rows
    compare = args.compare_rows or (1_000_000 if args.quick else min(rows, 5_000_000))
    data = os.path.join(args.data_dir, f"rows{rows}")
    work = os.path.join(args.data_dir, "work")
    os.makedirs(work, exist_ok=True)
    make_dataset(data, rows)
    single = os.path.join(args.data_dir, f"single{compare}.parquet")
    make_single(data, single, compare)

    import duckdb
    import numba
    import pyarrow

    results = []
    print(f"DuckDB on {rows:,} rows:", file=sys.stderr)
    zdir = os.path.join(work, "zscores")
    results.append(run_step("duckdb_zscore", data, zdir, rows))
    results.append(run_step("duckdb_prevalence", data, os.path.join(work, "prev_raw.csv"), rows))
    results[-1]["step"] = "duckdb_prevalence (measurements)"
    results.append(run_step("duckdb_prevalence", zdir, os.path.join(work, "prev_z.csv"), rows))
    results[-1]["step"] = "duckdb_prevalence (z-scores)"
    print(f"arrow vs DuckDB on one file of {compare:,} rows:", file=sys.stderr)
    cmp = {}
    for name in ("arrow_zscore", "duckdb_zscore", "arrow_prevalence", "duckdb_prevalence"):
        out = os.path.join(work, f"cmp_{name}" + (".parquet" if "zscore" in name else ".csv"))
        cmp[name] = run_step(name, single, out, compare)
    shutil.rmtree(zdir, ignore_errors=True)

    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    versions = f"duckdb {duckdb.__version__}, pyarrow {pyarrow.__version__}, numba {numba.__version__}"
    print(f"\n### DuckDB engine, {rows:,} rows by desa ({KABUPATEN * DESA_PER_KABUPATEN:,} desa)\n")
    print(f"{machine}; {versions}\n")
    print("| step | rows | time (s) | rows/s | peak RSS (MB) |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['step']} | {r['rows']:,} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} | {r['peak_rss_mb']:,.0f} |"
        )
    print(f"\n### arrow engine vs DuckDB, one Parquet file of {compare:,} rows\n")
    print("| command | arrow rows/s | DuckDB rows/s | DuckDB / arrow | arrow RSS (MB) | DuckDB RSS (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for what in ("zscore", "prevalence"):
        a, d = cmp[f"arrow_{what}"], cmp[f"duckdb_{what}"]
        print(
            f"| {what} | {a['rows_per_s']:,.0f} | {d['rows_per_s']:,.0f} | {d['rows_per_s'] / a['rows_per_s']:.2f}× "
            f"| {a['peak_rss_mb']:,.0f} | {d['peak_rss_mb']:,.0f} |"
        )
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "out", "bench_duckdb.json"), "w") as f:
        json.dump(
            {"machine": machine, "versions": versions, "rows": rows, "results": results, "compare": cmp}, f, indent=1
        )


if __name__ == "__main__":
    main()
