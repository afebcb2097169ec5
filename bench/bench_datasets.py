"""End to end: `tumbuh zscore` file to file against pyarrow's own read + write, and the pow the
numpy kernel uses where numpy's `power` is not C's `pow`.

    .venv/bin/python bench/bench_datasets.py                  # 1M rows, Parquet and CSV, 5 rounds
    .venv/bin/python bench/bench_datasets.py --rows 100000,1000000,5000000 --repeat 3

For each format and row count, in the same run and in alternation (so that both see the same
load), two comparisons:

- **in process**: `tumbuh zscore IN OUT` (the command's own code, `tumbuh.growth.cli.main`,
  after one warm-up run), once with the numpy kernel and once with the fused one
  (`zscores.ENGINE`), against **pyarrow in process**: read IN whole (`pq.read_table` /
  `pyarrow.csv.read_csv`) and write the table `tumbuh zscore` produced (read beforehand, not
  timed);
- **fresh processes**, start-up included: `python -m tumbuh.cli zscore IN OUT` (kernel "auto",
  as a user runs it; and again with no compiled module in reach, `TUMBUH_KERNEL_DIR` on an
  empty directory, so numba's JIT) against a fresh `python` that imports pyarrow, reads IN
  and writes the same output (it reads tumbuh's output first and reports that read's time,
  which is not counted).

The peer writes what tumbuh writes, with tumbuh's settings, read from tumbuh's output file:
the same columns and types (dictionary columns stay dictionaries), the same compression
codec, dictionary encoding for the same columns, the same row-group size (`peer_options`);
CSV with pyarrow's defaults, as tumbuh, byte for byte the same file (`read_output`). Ratios are tumbuh ÷ peer, of CPU time (all threads;
for processes `ru_utime + ru_stime`), the measure that holds on a shared machine, and of
wall time (best and median of the rounds). Then the numpy kernel's rows/s with each `pow` it
can use. Timings belong here, never in tests. Markdown on stdout, JSON to
bench/out/datasets.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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
sys.path.insert(0, str(ROOT / "bench"))

from bench_zscores import machine, make_data  # noqa: E402

from tumbuh.growth import zscores  # noqa: E402
from tumbuh.growth.cli import main as growth_main  # noqa: E402

WHERE = {
    "in_process_numpy": "in process, numpy kernel",
    "in_process_fused": "in process, fused kernel",
    "processes": "fresh processes (kernel: auto)",
    "processes_jit": "fresh processes, no compiled module (numpy kernel; JIT from 2 M rows)",
}
COLUMNS = ("sex", "age_days", "weight", "lenhei", "measure", "oedema")


def write_inputs(rows: int, workdir: Path) -> dict[str, Path]:
    d = make_data(rows, seed=7)
    table = pa.table({k: pa.array(d[k].astype(object)) if d[k].dtype.kind == "U" else d[k] for k in COLUMNS})
    paths = {"parquet": workdir / f"children_{rows}.parquet", "csv": workdir / f"children_{rows}.csv"}
    pq.write_table(table, paths["parquet"])  # pyarrow's defaults (snappy)
    pacsv.write_csv(table, paths["csv"])
    return paths


def peer_options(path: Path) -> dict:
    """``pq.write_table`` arguments that write as tumbuh wrote ``path``: its codec, dictionary
    encoding on the columns it has it on, its row-group size."""
    meta = pq.ParquetFile(path).metadata
    rg = meta.row_group(0)
    chunks = [rg.column(i) for i in range(rg.num_columns)]
    return {
        "compression": chunks[0].compression.lower(),
        "use_dictionary": [c.path_in_schema for c in chunks if "RLE_DICTIONARY" in c.encodings],
        "row_group_size": max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)),
    }


def timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def read_output(path: Path | str, options: dict) -> pa.Table:
    """tumbuh's output as the peer writes it again: for CSV, the input's columns as text (as
    tumbuh reads and writes them: quoted), empty unquoted fields as nulls, quoted ones as ''."""
    if str(path).endswith(".parquet"):
        return pq.read_table(path)
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in options["strings"]},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    return pacsv.read_csv(path, convert_options=convert)


PEER = r"""
import json, sys, time
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.csv as pacsv
src, out, dst, options = sys.argv[1:5]
options = json.loads(options)
w1, c1 = time.perf_counter(), time.process_time()
if out.endswith(".parquet"):
    table = pq.read_table(out)
else:
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in options["strings"]},
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    table = pacsv.read_csv(out, convert_options=convert)
print(time.perf_counter() - w1, time.process_time() - c1)  # reading tumbuh's output: not counted
if src.endswith(".parquet"):
    pq.read_table(src)
    pq.write_table(table, dst, **options)
else:
    pacsv.read_csv(src)
    pacsv.write_csv(table, dst)
"""


def process(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall, CPU) of a fresh process, less what it reports on stdout as not to count."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    less = [float(x) for x in (proc.stdout.read().split() if proc.stdout else [])] or [0.0, 0.0]
    return wall - less[0], usage.ru_utime + usage.ru_stime - less[1]


def bench_format(fmt: str, src: Path, workdir: Path, repeat: int) -> dict:
    ext = ".parquet" if fmt == "parquet" else ".csv"
    out, peer_out = workdir / f"out_tumbuh{ext}", workdir / f"out_pyarrow{ext}"
    argv = ["zscore", str(src), str(out), "--quiet"]
    growth_main(argv)  # warm-up: imports, tables, Arrow's compute registry, the pow check
    options = peer_options(out) if fmt == "parquet" else {"strings": pacsv.read_csv(src).column_names}
    table = read_output(out, options)

    def peer() -> None:
        if fmt == "parquet":
            pq.read_table(src)
            pq.write_table(table, peer_out, **options)
        else:
            pacsv.read_csv(src)
            pacsv.write_csv(table, peer_out)

    peer()
    if fmt == "parquet":  # the peer wrote the same columns, types and values ...
        assert pq.read_table(peer_out).equals(pq.read_table(out)), "the peer's output differs from tumbuh's"
    else:  # ... the same bytes
        assert peer_out.read_bytes() == out.read_bytes(), "the peer's output differs from tumbuh's"
    runs: dict[str, list] = {}
    saved = zscores.ENGINE
    try:
        for kernel in ("numpy", "fused"):
            zscores.ENGINE = kernel  # what anthro_zscores uses for every call of this round
            growth_main(argv)  # warm-up of this kernel
            ours, theirs = runs.setdefault(kernel, []), runs.setdefault(f"pyarrow_{kernel}", [])
            for _ in range(repeat):
                ours.append(timed(lambda: growth_main(argv)))
                theirs.append(timed(peer))
    finally:
        zscores.ENGINE = saved
    peer_cmd = [sys.executable, "-c", PEER, str(src), str(out), str(peer_out), json.dumps(options)]
    with tempfile.TemporaryDirectory() as empty:
        jit_env = {**os.environ, "TUMBUH_KERNEL_DIR": empty, "TUMBUH_KERNEL_BUILD": "0"}
        for where, env in (("processes", None), ("processes_jit", jit_env)):
            ours, theirs = runs.setdefault(where, []), runs.setdefault(f"pyarrow_{where}", [])
            for _ in range(repeat):
                ours.append(process([sys.executable, "-m", "tumbuh.cli", *argv], env))
                theirs.append(process(peer_cmd))

    def summary(runs):
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        return {"wall_best": min(walls), "wall_median": statistics.median(walls), "cpu_best": min(cpus)}

    res = {
        "format": fmt,
        "rows": table.num_rows,
        "input_mib": src.stat().st_size / 2**20,
        "output_mib": out.stat().st_size / 2**20,
        "peer_output_mib": peer_out.stat().st_size / 2**20,
        "output_columns": table.num_columns,
        "peer_options": options,
        "in_process_numpy": {"tumbuh": summary(runs["numpy"]), "pyarrow": summary(runs["pyarrow_numpy"])},
        "in_process_fused": {"tumbuh": summary(runs["fused"]), "pyarrow": summary(runs["pyarrow_fused"])},
        "processes": {"tumbuh": summary(runs["processes"]), "pyarrow": summary(runs["pyarrow_processes"])},
        "processes_jit": {"tumbuh": summary(runs["processes_jit"]), "pyarrow": summary(runs["pyarrow_processes_jit"])},
        "command": f"tumbuh zscore {src.name} {out.name}",
    }
    for where in WHERE:
        t, p = res[where]["tumbuh"], res[where]["pyarrow"]
        res[where]["ratio_wall_best"] = t["wall_best"] / p["wall_best"]
        res[where]["ratio_wall_median"] = t["wall_median"] / p["wall_median"]
        res[where]["ratio_cpu"] = t["cpu_best"] / p["cpu_best"]
    return res


def bench_pow(rows: int, repeat: int) -> list[dict]:
    """The numpy kernel's rows/s with each pow (4 main indicators), and whether numpy's
    power is C's pow on this CPU."""
    if not hasattr(zscores, "_arrow_power"):  # an older tree (for a before/after run)
        return [{"numpy_power_is_c_pow": zscores._pow_matches_libm()}]
    d = make_data(rows, seed=3)
    kw = {k: pa.array(d[k].astype(object)) if d[k].dtype.kind == "U" else d[k].astype(np.float64) for k in COLUMNS}
    saved = (zscores._POW_IS_LIBM, zscores._ARROW_POW, zscores.C_POW_COMPILED_MIN)
    numpy_is_c = zscores._pow_matches_libm()
    out = []
    variants = [
        (
            "numpy's power (C's pow on this CPU)" if numpy_is_c else "numpy's power (NOT C's pow here: wrong bits)",
            True,
            None,
            16,
        ),
        ("C's pow via Arrow's compiled kernel (now)", False, zscores._arrow_power(), 16),
        ("C's pow via math.pow, a Python loop per value (before)", False, False, 10**12),
    ]
    try:
        for label, is_libm, arrow, min_compiled in variants:
            zscores._POW_IS_LIBM, zscores._ARROW_POW, zscores.C_POW_COMPILED_MIN = is_libm, arrow, min_compiled
            runs = [timed(lambda: zscores._anthro_zscores(**kw, engine="numpy")) for _ in range(repeat)]
            cpu = min(r[1] for r in runs)
            out.append({"pow": label, "rows": rows, "cpu_s": cpu, "rows_per_cpu_s": rows / cpu})
    finally:
        zscores._POW_IS_LIBM, zscores._ARROW_POW, zscores.C_POW_COMPILED_MIN = saved
    return [{"numpy_power_is_c_pow": numpy_is_c}, *out]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", default="1000000", help="row counts, comma-separated (e.g. 100000,1000000,5000000)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--formats", default="parquet,csv")
    p.add_argument("--pow-rows", type=int, default=200_000)
    p.add_argument("--workdir", default=None, help="where the files go (default: a temporary directory)")
    p.add_argument("--json", default=str(ROOT / "bench" / "out" / "datasets.json"))
    a = p.parse_args(argv)
    row_counts = [int(r) for r in a.rows.split(",")]
    info = machine()
    results = []
    with tempfile.TemporaryDirectory(dir=a.workdir) as tmp:
        work = Path(tmp)
        for rows in row_counts:
            inputs = write_inputs(rows, work)
            results += [bench_format(fmt, inputs[fmt], work, a.repeat) for fmt in a.formats.split(",")]
    pow_rows = bench_pow(a.pow_rows, a.repeat)
    info["loadavg_end"] = os.getloadavg()

    print("## Machine\n")
    for k, v in info.items():
        print(f"- {k}: {v}")
    print(f"\n## `tumbuh zscore` against pyarrow's read + write ({a.repeat} rounds)\n")
    print(
        "| format | rows | where | tumbuh wall best / median | pyarrow wall best / median | ratio wall (best / median) "
        "| CPU tumbuh / pyarrow | **ratio CPU** |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        for where in WHERE:
            t, q, x = r[where]["tumbuh"], r[where]["pyarrow"], r[where]
            print(
                f"| {r['format']} | {r['rows']:,} | {WHERE[where]} | {t['wall_best']:.2f} / {t['wall_median']:.2f} s | "
                f"{q['wall_best']:.2f} / {q['wall_median']:.2f} s | {x['ratio_wall_best']:.2f}× / "
                f"{x['ratio_wall_median']:.2f}× | {t['cpu_best']:.2f} / {q['cpu_best']:.2f} s | **{x['ratio_cpu']:.2f}×** |"
            )
    for r in results:
        print(
            f"\n- {r['format']}, {r['rows']:,} rows: {r['command']}; input {r['input_mib']:.1f} MiB, output "
            f"{r['output_mib']:.1f} MiB (the peer's {r['peer_output_mib']:.1f} MiB), {r['output_columns']} columns; "
            f"peer's writer settings {r['peer_options'] if r['format'] == 'parquet' else 'pyarrow defaults'}"
        )
    print(f"\n## The numpy kernel's pow ({a.pow_rows:,} rows, 4 main indicators, best CPU of {a.repeat})\n")
    print(f"numpy's power is C's pow on this CPU: {pow_rows[0]['numpy_power_is_c_pow']}\n")
    print("| pow | CPU s | rows/s |")
    print("|---|---:|---:|")
    for r in pow_rows[1:]:
        print(f"| {r['pow']} | {r['cpu_s']:.3f} | {r['rows_per_cpu_s'] / 1e6:.2f} M |")
    print(f"\nload average: start {info['loadavg_start']}, end {info['loadavg_end']}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps({"machine": info, "end_to_end": results, "pow": pow_rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
