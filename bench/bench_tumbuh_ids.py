"""Tumbuh IDs of new children (issue 15): how often blind draws clash, and what allocating costs.

    .venv/bin/python bench/bench_tumbuh_ids.py                      # SQLite, 200,000 new children
    .venv/bin/python bench/bench_tumbuh_ids.py --children 50000     # quicker
    .venv/bin/python bench/bench_tumbuh_ids.py --database-url postgres://postgres@127.0.0.1:5432/tumbuh_bench_ids
                                                                    # PostgreSQL (dropped and created afresh)

1. **Blind draws** (Tumbuh before issue 15: 8 random letters of 32 per new child, nothing
   checked, one clash aborts the atomic batch). Monte Carlo of runs of ``--children`` new IDs
   (40 random bits each, numpy) into a table already holding m IDs, for several m: the share of
   runs with a clash, beside ``1 - exp(-n (n/2 + m) / 32**8)``, and what that share makes of
   "3 of 8 runs failed".
2. **The allocator in a real import**: a fresh database with the demo district and
   ``--stored`` children (25,000, the demo's number, by default), an e-PPGBM CSV of
   ``--children`` new children (one visit each), imported in process through ``run_import``,
   each run rolled back afterwards: with the allocator (``measurements.ids``) and, side by
   side, as before issue 15 (``ids.free`` made a no-op and the IDs drawn a ``secrets.choice``
   a letter: blind draws at the old code's cost); a warm-up run first, then ABBA order,
   ``--repeat`` times each. Prints wall and CPU times, the allocator's checking time, the
   chunks checked and the IDs drawn again.

Timings belong here, never in tests. Prints Markdown for docs/performance.md and writes JSON
to bench/out/tumbuh_ids.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_import import (  # noqa: E402
    AGE_M,
    BULAN,
    DATABASES,
    HEADERS,
    HEIGHT_MEDIAN,
    PYTHON,
    WEIGHT_MEDIAN,
    age_text,
    env,
    fresh_database,
    recreate,
)

WORK = Path("/tmp/tumbuh-bench-ids")
SPACE = 32**8
SYLLABLES = [
    "ba",
    "ci",
    "du",
    "fe",
    "go",
    "hu",
    "ja",
    "ki",
    "lo",
    "mu",
    "na",
    "pi",
    "ra",
    "si",
    "tu",
    "wa",
    "ya",
    "ze",
    "ro",
    "la",
    "me",
    "no",
    "sa",
    "te",
]


def blind_rates(n: int, tables: list[int], trials: dict[int, int], seed: int = 15) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for m in tables:
        table = np.sort(rng.integers(0, SPACE, m, dtype=np.int64))
        failed = 0
        for _ in range(trials[m]):
            new = np.sort(rng.integers(0, SPACE, n, dtype=np.int64))
            clash = bool((new[1:] == new[:-1]).any())
            if not clash and m:
                at = np.minimum(np.searchsorted(table, new), m - 1)
                clash = bool((table[at] == new).any())
            failed += clash
        p = 1 - math.exp(-n * (n / 2 + m) / SPACE)
        at_least_3_of_8 = sum(math.comb(8, k) * p**k * (1 - p) ** (8 - k) for k in range(3, 9))
        out.append(
            {
                "table": m,
                "trials": trials[m],
                "failed": failed,
                "observed": failed / trials[m],
                "formula": p,
                "p_3_of_8": at_least_3_of_8,
            }
        )
        print(
            f"m={m:>9,}: {failed}/{trials[m]} runs clashed ({failed / trials[m]:.2%}; formula {p:.2%}); "
            f"P(≥3 of 8) {at_least_3_of_8:.2g}",
            flush=True,
        )
    return out


STORE = """
import django, sys
django.setup()
from django.db import transaction
from tumbuh.accounts import policy
from tumbuh.audit.bulk import BulkWrite
from tumbuh.measurements import ids
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

n = int(sys.argv[1])
desa = list(Wilayah.objects.filter(kabupaten_code="73.24", level=4).values_list("code", flat=True))
with transaction.atomic():
    bulk = BulkWrite(policy.SYSTEM)
    for start in range(0, n, 50_000):
        k = min(50_000, n - start)
        bulk.insert(Child, {"tumbuh_id": ids.allocate(k), "name": [f"Anak Tersimpan {start + i}" for i in range(k)],
                            "sex": [1 + i % 2 for i in range(k)], "birth_date": ["2022-05-0%d" % (1 + i % 9) for i in range(k)],
                            "desa": [desa[(start + i) % len(desa)] for i in range(k)]})
    bulk.record("bench: anak tersimpan", about=Child, object_id="bench")
print(Child.all_objects.count())
"""


def new_children_csv(path: Path, n: int, posyandu: list, seed: int = 2026) -> None:
    """``n`` children no database holds (names made unique), one plausible visit each."""
    from bench_import import names

    rng = np.random.default_rng(seed)
    boys, girls, mothers = names()
    visit = dt.date(2025, 6, 14)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADERS)
        k = len(SYLLABLES)
        for i in range(n):
            sex = 1 + (i % 2)
            first = (boys if sex == 1 else girls)[int(rng.integers(0, len(boys if sex == 1 else girls)))]
            suffix = (
                SYLLABLES[i % k] + SYLLABLES[i // k % k] + SYLLABLES[i // k // k % k] + SYLLABLES[i // k**3 % k]
            ).capitalize()
            p = posyandu[int(rng.integers(0, len(posyandu)))]
            age = int(rng.integers(40, 1700))
            birth = visit - dt.timedelta(days=age)
            m = age / 30.4375
            height = round(float(np.interp(m, AGE_M, HEIGHT_MEDIAN)) * (1 + 0.03 * float(rng.normal())), 1)
            weight = round(float(np.interp(m, AGE_M, WEIGHT_MEDIAN)) * (1 + 0.08 * float(rng.normal())), 1)
            w.writerow(
                [
                    "",
                    f"{first} {suffix}",
                    "L" if sex == 1 else "P",
                    f"{birth:%d/%m/%Y}",
                    "3,1",
                    "49",
                    mothers[i % len(mothers)],
                    "SULAWESI SELATAN",
                    "LUWU TIMUR",
                    p[2],
                    p[3],
                    p[1],
                    p[0],
                    "001",
                    "002",
                    f"Dusun {p[1]}",
                    age_text(age),
                    f"{visit:%d/%m/%Y}",
                    BULAN[visit.month],
                    f"{weight}".replace(".", ","),
                    f"{height}".replace(".", ","),
                    "Terlentang" if age < 731 else "Berdiri",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "N",
                    "",
                    "1",
                    "",
                    "Ya",
                    "",
                    "",
                ]
            )


RUN = """
import django, json, sys, time
django.setup()
from django.db import connection, transaction
from tumbuh.accounts.models import User
from tumbuh.imports.framework import run_import
from tumbuh.measurements import ids
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

path, modes = sys.argv[1], sys.argv[2].split(",")
user, kab = User.objects.get(username="admin.lutim"), Wilayah.objects.get(code="73.24")
stats = {"free_s": 0.0, "checks": 0, "redraws": 0}
real_free, real_held, real_draw_many = ids.free, ids.held, ids.draw_many

inside = [False]

def timed_free(candidates):
    start, inside[0] = time.perf_counter(), True
    try:
        return real_free(candidates)
    finally:
        inside[0] = False
        stats["free_s"] += time.perf_counter() - start

def counted_held(candidates):
    stats["checks"] += 1
    return real_held(candidates)

def counted_draw_many(n):
    stats["redraws"] += n if inside[0] else 0
    return real_draw_many(n)

def old_draw_many(n):  # before issue 15: a secrets.choice a letter, per row
    import secrets
    out = []
    for _ in range(n):
        body = "".join(secrets.choice(ids.ALPHABET) for _ in range(8))
        out.append(f"TB-{body[:4]}-{body[4:]}")
    return out

ids.held = counted_held
stored = Child.all_objects.count()
for mode in modes:
    blind = mode == "blind"
    ids.free = (lambda candidates: list(candidates)) if blind else timed_free
    ids.draw_many = old_draw_many if blind else counted_draw_many
    stats.update(free_s=0.0, checks=0, redraws=0)
    with transaction.atomic():
        start, cpu = time.perf_counter(), time.process_time()
        with open(path, "rb") as f:
            batch = run_import("eppgbm", user=user, kabupaten=kab, source=f, file_name="anak-baru.csv")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        created = Child.all_objects.count() - stored
        transaction.set_rollback(True)
    print(json.dumps({"mode": mode, "wall_s": wall, "cpu_s": cpu, "status": batch.status, "error": batch.error,
                      "rows": batch.total_rows, "children_created": created, "stored_before": stored, **stats}), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--trials", type=int, default=2000, help="Monte Carlo runs per table size (fewer for the big ones)"
    )
    parser.add_argument("--stored", type=int, default=25_000, help="children in the database before the import")
    parser.add_argument("--database-url", help="a PostgreSQL database to run on (dropped and created afresh)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    n = args.children

    print("## 1. blind draws", flush=True)
    tables = [0, 25_000, 1_000_000, 2_500_000]
    trials = {
        0: args.trials,
        25_000: args.trials,
        1_000_000: max(50, args.trials // 4),
        2_500_000: max(50, args.trials // 8),
    }
    t0 = time.perf_counter()
    rates = blind_rates(n, tables, trials)
    print(f"({time.perf_counter() - t0:.0f} s)", flush=True)

    print("## 2. the allocator in a real import", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    var_dir = WORK / "var"
    if args.database_url:
        DATABASES[var_dir] = args.database_url
        recreate(args.database_url)
    demo = fresh_database(var_dir)
    if args.stored:
        t0 = time.perf_counter()
        out = subprocess.run(
            [PYTHON, "-c", STORE, str(args.stored)],
            env=env(var_dir),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        print(f"{int(out.stdout.split()[-1]):,} children stored in {time.perf_counter() - t0:.0f} s", flush=True)
    path = WORK / f"new-children-{n}.csv"
    new_children_csv(path, n, demo["posyandu"])
    # A warm-up run first (not counted), then blind and allocated in ABBA order.
    modes = ",".join(
        ["warmup"]
        + [m for i in range(args.repeat) for m in (("blind", "allocated") if i % 2 == 0 else ("allocated", "blind"))]
    )
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    out = subprocess.run(
        [PYTHON, "-c", RUN, str(path), modes], env=env(var_dir), cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(out.returncode)
    runs = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    for r in runs:
        print(r, flush=True)

    def median(mode, key):
        values = sorted(r[key] for r in runs if r["mode"] == mode)
        return (
            values[len(values) // 2]
            if len(values) % 2
            else sum(values[len(values) // 2 - 1 : len(values) // 2 + 1]) / 2
        )

    blind_s, alloc_s = median("blind", "wall_s"), median("allocated", "wall_s")
    blind_cpu, alloc_cpu = median("blind", "cpu_s"), median("allocated", "cpu_s")
    free_s = median("allocated", "free_s")
    allocated = [r for r in runs if r["mode"] == "allocated"]
    result = {
        "children": n,
        "blind": rates,
        "runs": runs,
        "blind_import_s": round(blind_s, 1),
        "allocated_import_s": round(alloc_s, 1),
        "blind_import_cpu_s": round(blind_cpu, 1),
        "allocated_import_cpu_s": round(alloc_cpu, 1),
        "allocator_s": round(free_s, 2),
        "ratio": round(alloc_s / blind_s, 3),
        "cpu_ratio": round(alloc_cpu / blind_cpu, 3),
        "database": "postgresql" if args.database_url else "sqlite",
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg()[0],
    }
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "tumbuh_ids.json").write_text(json.dumps(result, indent=2))

    print()
    print(f"| table already holding m IDs | runs of {n:,} new IDs | clashed (aborted) | formula | P(≥ 3 of 8 runs) |")
    print("|---:|---:|---:|---:|---:|")
    for r in rates:
        print(
            f"| {r['table']:,} | {r['trials']:,} | {r['failed']} ({r['observed']:.1%}) | {r['formula']:.1%} | {r['p_3_of_8']:.1g} |"
        )
    print()
    print(
        f"| import of {n:,} new children ({result['database']}, {runs[0]['stored_before']:,} stored), median of {args.repeat} "
        "| wall time | CPU (importing process) | children created |"
    )
    print("|---|---:|---:|---:|")
    print(
        f"| blind draws (before issue 15) | {blind_s:.1f} s | {blind_cpu:.1f} s | "
        f"{', '.join(str(r['children_created']) for r in runs if r['mode'] == 'blind')} |"
    )
    print(
        f"| allocated (`measurements.ids`) | {alloc_s:.1f} s | {alloc_cpu:.1f} s, of which checking {free_s:.2f} s "
        f"({allocated[0]['checks']} chunks checked, {allocated[0]['redraws']} redrawn) | "
        f"{', '.join(str(r['children_created']) for r in allocated)} |"
    )
    print(f"\nratio allocated / blind: {alloc_s / blind_s:.3f} wall, {alloc_cpu / blind_cpu:.3f} CPU")
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
        path.unlink(missing_ok=True)
        if args.database_url:
            recreate(args.database_url, drop_only=True)


if __name__ == "__main__":
    main()
