"""Benchmark of the growth engine on Apache Spark (``--engine spark``) against the single-process kernel.

    .venv/bin/python bench/bench_spark.py                       # 4M rows, local[1] and local[2]
    .venv/bin/python bench/bench_spark.py --rows 2000000 --masters 'local[2]'

What is timed (best of ``--repeat`` runs after a warm-up job, so that the session start, the
Python workers' spawn and their first numba load are out of the per-core figure, and reported
on their own):

- **kernel**: ``tumbuh.growth.cli.score_batch`` on in-memory Arrow batches of ``--batch-size``
  rows, one thread: the single-process engine's rows/s per core (wall and CPU time).
- **arrow engine**: ``tumbuh zscore`` in one process on the same hive-partitioned files
  Spark reads, into a partitioned Parquet directory (read, score, write: end to end).
- **Spark** (the default reader: tasks read their file splits with pyarrow), for each master:
  ``score`` = each task reads its split and scores it, results dropped (no write);
  ``zscore`` = the whole ``--engine spark`` job, Parquet → partitioned Parquet; ``prevalence``
  = WHO's prevalence by kabupaten aggregated on Spark; with ``--jvm`` also ``zscore_jvm``, the
  same job read by Spark's JVM reader. rows/s per core = rows / wall / cores.

The extrapolation to a national year on a cluster is printed with its method and written with
the figures to bench/out/spark-<rows>.json. Timings belong here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_zscores import machine, make_data  # noqa: E402

from tumbuh.growth.cli import score_batch  # noqa: E402

MAIN = ("sex", "age_days", "weight", "lenhei", "measure", "oedema")
KABUPATEN_NATIONAL = 514  # kabupaten and kota of Indonesia (Kemendagri 2024)
KABUPATEN = ("73.13", "73.17", "73.22", "73.24", "73.25", "73.26", "73.71", "73.73")


def build_dataset(rows: int, root: Path, files: int, name: str = "visits") -> tuple[pa.Table, Path]:
    """(table, hive-partitioned directory ``provinsi=73/kabupaten=…/``)."""
    d = make_data(rows)
    cols = {k: pa.array(d[k].astype(object)) if d[k].dtype.kind == "U" else d[k].astype(np.float64) for k in MAIN}
    cols["sex"] = d["sex"].astype(np.int64)
    rng = np.random.default_rng(7)
    cols["provinsi"] = pa.array(np.full(rows, "73", dtype=object))
    cols["kabupaten"] = pa.array(np.asarray(KABUPATEN, dtype=object)[rng.integers(0, len(KABUPATEN), rows)])
    table = pa.table(cols)
    part = root / name
    per = -(-rows // files)
    for i in range(files):
        pq.write_to_dataset(
            table.slice(i * per, per),
            part,
            partition_cols=["provinsi", "kabupaten"],
            basename_template=f"f{i}-{{i}}.parquet",
        )
    return table, part


def best(fn, repeat: int, cpu=time.process_time) -> tuple[float, float]:
    """(best wall s, best CPU s) of ``repeat`` runs; ``cpu``: the CPU clock (this process, or its tree)."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), cpu()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(cpu() - c0)
    return min(walls), min(cpus)


def bench_kernel(table: pa.Table, batch_size: int, repeat: int) -> dict:
    from tumbuh.growth.engines.spark_engine import _big_job

    batches = table.drop_columns(["provinsi", "kabupaten"]).to_batches(max_chunksize=batch_size)
    _big_job()  # the compiled kernel from the first batch, as in Spark's workers
    score_batch(batches[0])  # warm-up: numba load, tables

    def run() -> None:
        for b in batches:
            score_batch(b)

    wall, cpu = best(run, repeat)
    n = table.num_rows
    return {"rows": n, "wall_s": wall, "cpu_s": cpu, "per_core_wall": n / wall, "per_core_cpu": n / cpu}


def bench_arrow_engine(source: Path, out: Path, batch_size: int, repeat: int, rows: int) -> dict:
    """``tumbuh zscore`` (one process, its own threads counted in its CPU time) into a directory."""
    from tumbuh.growth.cli import main

    argv = ["zscore", str(source), str(out), "--batch-size", str(batch_size), "--quiet"]

    def run() -> None:
        shutil.rmtree(out, ignore_errors=True)
        assert main(argv) == 0

    run()
    wall, cpu = best(run, repeat)
    n = rows
    return {"rows": n, "wall_s": wall, "cpu_s": cpu, "per_core_wall": n / wall, "per_core_cpu": n / cpu}


def tree_cpu() -> float:
    """CPU seconds of this process and all its descendants (the JVM, Spark's Python workers), reaped ones included."""
    parent: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry)
        parent[pid] = int(fields[1])
        times[pid] = sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    me = os.getpid()
    total = 0.0
    for pid, t in times.items():
        p = pid
        while p > 1 and p != me:
            p = parent.get(p, 0)
        if p == me and pid != me:
            total += t
    return total + time.process_time()


def _cores(master: str) -> int:
    m = re.fullmatch(r"local\[(\d+|\*)\]", master)
    if m is None:
        return int(os.environ.get("TUMBUH_SPARK_CORES", "16"))
    return os.cpu_count() or 1 if m.group(1) == "*" else int(m.group(1))


def bench_spark(
    master: str, data: dict[str, tuple[Path, int]], work: Path, batch_size: int, repeat: int, jvm: bool = False
) -> dict:
    """Each job on the small and the full dataset: the marginal rate (rows between them over the
    time between them) is the per-core figure; what the small run takes beyond it is the job's
    fixed cost (scheduling, file listing, commit), reported apart like the session start."""
    from tumbuh.growth.engines import spark_engine as se

    t0 = time.perf_counter()
    spark = se.spark_session(master)
    session_s = time.perf_counter() - t0
    cores = _cores(master)
    big, n_big = data["full"]
    small, n_small = data["small"]

    def score(path: Path) -> int:
        """Each task reads its split with pyarrow and scores it; nothing written."""
        from pyspark.sql.types import LongType, StructField, StructType

        source, splits = se.plan(str(path), spark.sparkContext.defaultParallelism)

        def run(batches):
            se._big_job()
            rows = 0
            for ids in batches:
                for i in ids.column(0).to_pylist():
                    for b in se.read_split(source, splits[i], batch_size):
                        rows += score_batch(b).num_rows
            yield pa.RecordBatch.from_pydict({"rows": pa.array([rows], pa.int64())})

        frame = se._run_splits(spark, len(splits), run, StructType([StructField("rows", LongType())]))
        return sum(r["rows"] for r in frame.collect())

    # warm-up job on the whole input, results dropped: workers spawned, engine imported, kernels loaded
    t0 = time.perf_counter()
    assert score(big) == n_big
    first_job_s = time.perf_counter() - t0
    partitions = len(se.plan(str(big), spark.sparkContext.defaultParallelism)[1])

    def zscore(path: Path) -> None:
        se.zscore_job(spark, str(path), str(work / "scored"), batch_size=batch_size)

    def zscore_jvm(path: Path) -> None:
        se.zscore_job(spark, str(path), str(work / "scored"), batch_size=batch_size, reader="jvm")

    cells: dict = {}

    def prevalence(path: Path) -> None:
        _, acc = se.prevalence_job(spark, str(path), by=["kabupaten"], batch_size=batch_size)
        cells["cells"] = acc._ncells

    out: dict = {"master": master, "cores": cores, "session_start_s": session_s, "first_job_s": first_job_s}
    out["partitions"] = partitions
    jobs = [("score", score), ("zscore", zscore), ("prevalence", prevalence)]
    if jvm:
        jobs.append(("zscore_jvm", zscore_jvm))
    for name, fn in jobs:
        fn(small)  # this job's code paths warm (JVM JIT, writers)
        w_small, c_small = best(lambda fn=fn: fn(small), repeat, tree_cpu)
        w_big, c_big = best(lambda fn=fn: fn(big), repeat, tree_cpu)
        rate = (n_big - n_small) / max(w_big - w_small, 1e-9)
        out[name] = {
            "rows": n_big,
            "wall_s": w_big,
            "wall_small_s": w_small,
            "cpu_s": c_big,
            "rows_per_s": n_big / w_big,
            "marginal_rows_per_s": rate,
            "per_core": rate / cores,
            "per_cpu_s": (n_big - n_small) / max(c_big - c_small, 1e-9),
            "fixed_s": max(w_small - n_small / rate, 0.0),
        }
    out["prevalence_cells"] = cells.get("cells", 0)
    spark.stop()
    return out


def extrapolate(per_core: float, efficiency: float, startup_s: float, visits: float, cores: int) -> dict:
    """Time of a national year on a cluster: startup + rows / (per-core rate × cores × efficiency) + shuffle.

    - per-core rate: Spark's measured rows/s per core here (the zscore job, Parquet to Parquet);
    - efficiency: the measured local[2] per-core rate over local[1]'s (how far adding a core
      falls short of doubling); taken as the cluster's scaling too, which assumes I/O per core
      (object store or HDFS) keeps up as it does from this machine's disk;
    - startup: session start + first job (executors spawn Python workers, load the kernel);
    - shuffle: none for z-scores (map-only: each task writes its own files); for prevalence,
      the cells (age × sex × stratum × PSU × groups, 89 doubles each) of every task, a few MB.
    """
    compute = visits / (per_core * cores * efficiency)
    return {
        "visits": visits,
        "cores": cores,
        "per_core_rows_per_s": per_core,
        "efficiency": efficiency,
        "startup_s": startup_s,
        "compute_s": compute,
        "total_s": startup_s + compute,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4_000_000)
    ap.add_argument("--files", type=int, default=16, help="Parquet files written per partition layout")
    ap.add_argument("--batch-size", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--masters", nargs="+", default=["local[1]", "local[2]"])
    ap.add_argument("--visits", type=float, default=250e6, help="national year to extrapolate to")
    ap.add_argument("--cluster-cores", type=int, default=16)
    ap.add_argument("--jvm", action="store_true", help="also time the zscore job read by Spark's JVM reader")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-spark-"))
    try:
        table, part = build_dataset(args.rows, work, args.files)
        small_rows = args.rows // 8
        _, small_part = build_dataset(small_rows, work, args.files, "small")
        data = {"full": (part, args.rows), "small": (small_part, small_rows)}
        dataset_bytes = sum(f.stat().st_size for f in part.rglob("*.parquet"))
        kernel = bench_kernel(table, args.batch_size, args.repeat)
        arrow = bench_arrow_engine(part, work / "arrow-out", args.batch_size, args.repeat, args.rows)
        sparks = [bench_spark(m, data, work, args.batch_size, args.repeat, args.jvm) for m in args.masters]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    info = machine()
    info["loadavg"] = os.getloadavg()
    info["python"] = platform.python_version()
    try:
        import pyspark

        info["pyspark"] = pyspark.__version__
    except ImportError:  # pragma: no cover
        pass
    n = args.rows
    print(
        f"## Growth engine on Spark — {n:,} rows ({args.files} Parquet files × partitions, batch {args.batch_size:,})\n"
    )
    print(
        f"Machine: {info.get('cpu')}, {os.cpu_count()} cores, load average {info['loadavg'][0]:.2f}; PySpark {info.get('pyspark')}\n"
    )
    print(
        "| what | cores | best wall s | rows/s | marginal rows/s per core | % of kernel per core | rows per CPU s (whole process tree) | % of kernel per CPU s | % of arrow engine per CPU s | fixed s per job |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    kw, kc = kernel["per_core_wall"], kernel["per_core_cpu"]
    print(
        f"| kernel `score_batch`, in memory, one thread | 1 | {kernel['wall_s']:.2f} | {kw:,.0f} | {kw:,.0f} | 100 % | {kc:,.0f} | 100 % | {100 * kc / arrow['per_core_cpu']:.0f} % | – |"
    )
    aw, ac = arrow["per_core_wall"], arrow["per_core_cpu"]
    print(
        f"| arrow engine `tumbuh zscore`, the same partitioned Parquet → partitioned Parquet | 1 | {arrow['wall_s']:.2f} | {aw:,.0f} | {aw:,.0f} | "
        f"{100 * aw / kw:.0f} % | {ac:,.0f} | {100 * ac / kc:.0f} % | 100 % | – |"
    )
    labels = (
        ("score", "read (pyarrow) + score, no write"),
        ("zscore", "`--engine spark` zscore, Parquet → partitioned Parquet (tasks read and write with pyarrow)"),
        ("prevalence", "prevalence by kabupaten (z-scores computed too)"),
        ("zscore_jvm", 'zscore read by Spark\'s JVM reader (`reader="jvm"`)'),
    )
    for s in sparks:
        for name, label in labels:
            r = s.get(name)
            if r is None:
                continue
            print(
                f"| Spark {s['master']}: {label} | {s['cores']} | {r['wall_s']:.2f} | {r['rows_per_s']:,.0f} | "
                f"{r['per_core']:,.0f} | {100 * r['per_core'] / kw:.0f} % | {r['per_cpu_s']:,.0f} | "
                f"{100 * r['per_cpu_s'] / kc:.0f} % | {100 * r['per_cpu_s'] / ac:.0f} % | {r['fixed_s']:.1f} |"
            )
    print()
    print(
        "marginal rows/s = (full − small rows) / (full − small wall time), small = 1/8 of the rows; fixed s per job = the small run's time beyond that rate."
    )
    print(
        "rows per CPU s = rows / CPU seconds of the driver, the JVM and the Python workers (load from other users does not count).\n"
    )
    for s in sparks:
        print(
            f"Spark {s['master']}: session start {s['session_start_s']:.1f} s, first job (workers spawn, kernel load) "
            f"{s['first_job_s']:.1f} s, {s['partitions']} partitions."
        )

    by_master = {s["master"]: s for s in sparks}
    two = by_master.get("local[2]", sparks[-1])
    one = by_master.get("local[1]")
    # The rate per CPU second is what a core delivers when it is not shared with other work
    # (a cluster's executors); the wall rate on this shared 2-core machine is a lower bound.
    efficiency = min(1.0, two["zscore"]["per_cpu_s"] / one["zscore"]["per_cpu_s"]) if one else 1.0
    jvm_start = sparks[0]["session_start_s"]
    startup = jvm_start + two["first_job_s"] + two["zscore"]["fixed_s"]
    ext = extrapolate(two["zscore"]["per_cpu_s"], efficiency, startup, args.visits, args.cluster_cores)
    low = extrapolate(two["zscore"]["per_core"], 1.0, startup, args.visits, args.cluster_cores)
    ext["lower_bound_total_s"] = low["total_s"]
    print(f"\n### Extrapolation: {args.visits / 1e6:.0f} M visits on {args.cluster_cores} cores\n")
    print("T = startup + visits / (rate per core × cores × efficiency) + shuffle\n")
    print(
        f"- rate per core: {ext['per_core_rows_per_s']:,.0f} rows per CPU second (Spark {two['master']}, the zscore job "
        f"Parquet → partitioned Parquet, marginal, CPU of the driver + JVM + Python workers)"
    )
    print(
        f"- efficiency: {efficiency:.2f} (rows per CPU s with 2 cores / with 1 core{'' if one else '; local[1] not run: 1 assumed'}, at most 1)"
    )
    print(
        f"- startup: {startup:.1f} s (JVM and session {jvm_start:.1f} s + first job {two['first_job_s']:.1f} s + the job's fixed "
        f"{two['zscore']['fixed_s']:.1f} s); on a cluster add the executors' allocation (tens of seconds on YARN/Dataproc)"
    )
    from tumbuh.growth.engines.spark_engine import MAX_SPLIT_BYTES
    from tumbuh.growth.prevalence import _K

    national_bytes = dataset_bytes / n * args.visits
    tasks = max(args.cluster_cores, math.ceil(national_bytes / MAX_SPLIT_BYTES))
    tasks = math.ceil(tasks / args.cluster_cores) * args.cluster_cores
    per_kabupaten = two.get("prevalence_cells", 0) / len(KABUPATEN)
    shuffle = tasks * per_kabupaten * KABUPATEN_NATIONAL * (_K + 6) * 8
    ext["national_bytes"], ext["tasks"], ext["shuffle_bytes_upper"] = national_bytes, tasks, shuffle
    print(
        f"- shuffle: none for z-scores (map-only; each task writes its own files). Prevalence by kabupaten: each task "
        f"sends its cells, {per_kabupaten:.0f} a kabupaten here ({_K} sums + 6 keys, 8 bytes each); at most "
        f"{tasks} tasks ({national_bytes / 2**30:.1f} GiB of Parquet at {dataset_bytes / n:.1f} bytes a visit, "
        f"≤ {MAX_SPLIT_BYTES >> 20} MiB a task) × {KABUPATEN_NATIONAL} kabupaten each = {shuffle / 2**20:.0f} MiB "
        "(an upper bound: a task of a dataset partitioned by kabupaten sees one or a few), next to "
        f"{national_bytes / 2**30:.1f} GiB read: small"
    )
    print(
        f"- compute: {args.visits:,.0f} / ({ext['per_core_rows_per_s']:,.0f} × {args.cluster_cores} × {efficiency:.2f}) = {ext['compute_s']:.0f} s"
    )
    print(f"- **total ≈ {ext['total_s']:.0f} s ({ext['total_s'] / 60:.1f} min)**")
    print(
        f"- lower bound from this shared machine's wall clock ({two['zscore']['per_core']:,.0f} rows/s per core, marginal): "
        f"{low['total_s']:.0f} s ({low['total_s'] / 60:.1f} min)"
    )

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"spark-{n}.json").write_text(
        json.dumps(
            {
                "machine": info,
                "rows": n,
                "batch_size": args.batch_size,
                "kernel": kernel,
                "arrow_engine": arrow,
                "spark": sparks,
                "extrapolation": ext,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nwritten: {out / f'spark-{n}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
