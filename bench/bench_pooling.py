"""Pooled exports (issue 17): ``tumbuh export-parquet`` and ``tumbuh import-parquet`` on the demo.

    .venv/bin/python bench/bench_pooling.py                    # SQLite, the full demo (25,000 children)
    .venv/bin/python bench/bench_pooling.py --children 5000    # quicker
    .venv/bin/python bench/bench_pooling.py --database-url postgres://postgres@127.0.0.1:5432/tumbuh_bench_pooling
                                                               # PostgreSQL (dropped and created afresh)

A fresh database with the demo district and ``--children`` demo children (their 2023–2025
visits) is built once (not timed; kept in /tmp/tumbuh-bench-pooling for a second run with the
same arguments). Then, each command in its own process: the export with two chunk sizes (the
process's peak memory should not grow with the table, only with the chunk), and the import of
the export into the pooled table, first into an empty one, then again (every row already there).
Wall time, the child process's CPU time and its peak resident memory (``ru_maxrss``). Prints
Markdown for docs/performance.md and writes bench/out/pooling.json. Timings belong here, never in
tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_import import DATABASES, TUMBUH, env, recreate  # noqa: E402

WORK = Path("/tmp/tumbuh-bench-pooling")


def run(args: list[str], var_dir: Path) -> dict:
    """One ``tumbuh`` command in a child process: wall, CPU and peak memory of that child alone
    (``wait4``'s rusage)."""
    e = env(var_dir) | {"TUMBUH_POOLING_KEY": "b" * 40, "TUMBUH_INSTANCE_NAME": "bench"}
    start = time.perf_counter()
    proc = subprocess.Popen([TUMBUH, *args], env=e, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tumbuh {' '.join(args)} failed:\n{out}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024, "out": out}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--children", type=int, default=25_000)
    ap.add_argument("--database-url", help="a PostgreSQL database to drop and create afresh (default: SQLite)")
    args = ap.parse_args()

    var_dir = WORK / (f"pg-{args.children}" if args.database_url else f"sqlite-{args.children}")
    ready = var_dir / "ready"
    if args.database_url:
        DATABASES[var_dir] = args.database_url
    if not ready.exists():
        if var_dir.exists():
            shutil.rmtree(var_dir)
        var_dir.mkdir(parents=True)
        if args.database_url:
            recreate(args.database_url)
        e = env(var_dir)
        subprocess.run([TUMBUH, "migrate", "-v", "0", "--skip-checks"], env=e, cwd=ROOT, check=True)
        code = f"from tumbuh.demo.generator import build_demo; build_demo(children={args.children})"
        subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=e, cwd=ROOT, check=True)
        ready.write_text("ok")
    results: dict[str, dict] = {}
    for chunk in (5_000, 50_000):
        out = var_dir / f"export-{chunk}"
        shutil.rmtree(out, ignore_errors=True)
        results[f"export, chunk {chunk:,}"] = run(
            ["export_parquet", str(out), "--no-progress", "--chunk-size", str(chunk)], var_dir
        )
    export = var_dir / "export-50000"
    manifest = json.loads((export / "_manifest.json").read_text())
    size = sum(p.stat().st_size for p in export.rglob("*.parquet"))
    run(["shell", "-c", "from tumbuh.pooling.models import *; PooledVisit.objects.all().delete(); "
         "PooledImport.objects.all().delete()"], var_dir)  # fmt: skip
    results["import, empty pool"] = run(["import_parquet", str(export), "--no-progress"], var_dir)
    results["import again (all there)"] = run(["import_parquet", str(export), "--no-progress"], var_dir)

    rows = manifest["rows"]
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{rows:,} visits of {args.children:,} demo children, {engine}; {len(manifest['files'])} files, "
          f"{size / 1e6:.1f} MB of Parquet (zstd); {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs\n")  # fmt: skip
    print("| step | wall (s) | CPU (s) | visits/s | peak memory (MB) |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {rows / r['wall_s']:,.0f} | {r['peak_mb']:.0f} |")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    record = {
        "engine": engine,
        "children": args.children,
        "rows": rows,
        "files": len(manifest["files"]),
        "parquet_bytes": size,
        "results": {k: {kk: vv for kk, vv in v.items() if kk != "out"} for k, v in results.items()},
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "self_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    (ROOT / "bench" / "out" / "pooling.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
