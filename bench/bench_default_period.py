"""The default period: what a page without ``?period=`` costs before it can draw anything.

``dashboards.default_period.default_round(user, today=)`` counts, per round, the visits the
user sees in the last ten rounds (one conditional aggregate), then keeps the counts per area
until a visit is added. This script times it for each demo role on a demo database, first
uncached (the cache cleared before each call), then cached, beside a floor: one plain
``COUNT(*)`` of the same user's visits over the same ten rounds, the least a count-based rule
can cost.

    # the database of `make demo` (SQLite, var/tumbuh.sqlite3), or any DATABASE_URL
    .venv/bin/python bench/bench_default_period.py --repeat 7
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tumbuh_bench .venv/bin/python bench/bench_default_period.py

Results are printed as a Markdown table and written to ``bench/out/default_period.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROLES = ["admin.lutim", "camat.malili", "pkm.malili", "desa.balantang"]


def timed(fn, repeat: int, before=None) -> list[float]:
    runs = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--today", default="2026-12-05", help="the day the pages are opened (ISO)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "default_period.json"))
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-key-not-for-production-b4b4b4b4b4b4b4b4b4b4b4b4"
    )  # production settings need a key of their own
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from tumbuh.accounts import policy
    from tumbuh.accounts.models import User
    from tumbuh.dashboards.default_period import LOOKBACK, SEARCH, default_round
    from tumbuh.dashboards.periods import Period
    from tumbuh.measurements.models import Measurement

    today = dt.date.fromisoformat(args.today)
    visits = Measurement.objects.count()
    rows = []
    for username in ROLES:
        user = User.objects.get(username=username)
        chosen = default_round(user, today=today)
        last = Period.round_containing(today)
        rounds = [last]
        for _ in range(SEARCH + LOOKBACK - 1):
            rounds.append(rounds[-1].previous())
        visible = policy.visible(user, Measurement.objects.all())

        def floor(visible=visible, rounds=rounds):
            return visible.filter(date__gte=rounds[-1].start, date__lte=rounds[0].end).count()

        seen = floor()
        uncached = timed(lambda user=user: default_round(user, today=today), args.repeat, before=cache.clear)
        cached = timed(lambda user=user: default_round(user, today=today), args.repeat)
        floor_runs = timed(floor, args.repeat)
        rows.append(
            {
                "user": username,
                "visits_seen": seen,
                "default": chosen.key,
                "uncached_ms": statistics.median(uncached) * 1000,
                "cached_ms": statistics.median(cached) * 1000,
                "floor_ms": statistics.median(floor_runs) * 1000,
            }
        )

    print(f"{connection.vendor}, {visits:,} visits in the database, median of {args.repeat}, today {today}\n")
    print("| user | visits in the 10 rounds | default | uncached | cached | floor: one COUNT(*) | uncached / floor |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['user']} | {r['visits_seen']:,} | {r['default']} | {r['uncached_ms']:.1f} ms | "
            f"{r['cached_ms']:.2f} ms | {r['floor_ms']:.1f} ms | {r['uncached_ms'] / r['floor_ms']:.2f} |"
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "visits": visits,
                "repeat": args.repeat,
                "today": str(today),
                "machine": platform.platform(),
                "python": platform.python_version(),
                "rows": rows,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
