"""A child's WHO charts (issue 15, Load): CPU a chart, drawn the fast way against a Vega run each.

    .venv/bin/python bench/bench_charts.py                 # 200 children, 8 visits each
    .venv/bin/python bench/bench_charts.py --children 50   # quicker

``Chart.svg()`` (``measurements.charts.render_growth_svg``) has Vega draw the curves without the
child once per process and writes the child's line and points into them; the peer is what the
child's page did before: ``render_svg(spec)``, one Vega run (vl-convert) for the whole spec. Both
give the same SVG (``measurements/tests/test_charts.py``). Children of random sex and age with
visits spread over their first five years; the charts of each child's page (three or four) are
built first (not timed), then drawn: the fast way over all children (the first charts of each
kind pay for their Vega run), and the peer over the first ``--peer-children`` (every chart a Vega
run). CPU time of this process (``time.process_time``). Prints Markdown; writes
bench/out/charts.json. Timings belong here, never in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import time
from decimal import Decimal
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--children", type=int, default=200)
    ap.add_argument("--peer-children", type=int, default=60, help="children drawn the old way (slow)")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    os.environ.setdefault("TUMBUH_DEBUG", "1")
    import django

    django.setup()
    from django.utils import translation

    from tumbuh.measurements import charts
    from tumbuh.measurements.models import Child, Measurement

    translation.activate("id")
    rnd = random.Random(args.seed)
    pages = []
    for _ in range(args.children):
        birth = dt.date(2021, 1, 1) + dt.timedelta(days=rnd.randint(0, 1500))
        child = Child(name="Bench", sex=rnd.choice([1, 2]), birth_date=birth, desa_id="73.24.04.2010")
        visits = [
            Measurement(
                child=child,
                date=birth + dt.timedelta(days=d),
                weight=Decimal(str(round((3 + d / 30.4 * 0.22) * rnd.uniform(0.8, 1.2), 2))),
                lenhei=Decimal(str(round((50 + d / 30.4 * 0.9) * rnd.uniform(0.93, 1.05), 1))),
                position="l" if d < 731 else "h",
            )
            for d in sorted(rnd.sample(range(0, 1800), 8))
        ]
        pages.append(charts.child_charts(child, visits, today=birth + dt.timedelta(days=1856)))

    def timed(label, fn, subset):
        n = 0
        t = time.process_time()
        for page in subset:
            for chart in page:
                fn(chart)
                n += 1
        cpu = time.process_time() - t
        return {"way": label, "charts": n, "cpu_s": round(cpu, 3), "ms_per_chart": round(cpu / n * 1000, 2)}

    fast = timed("fast (render_growth_svg)", lambda c: c.svg(), pages)
    again = timed("fast, curves already drawn", lambda c: c.svg(), pages)
    peer = timed("a Vega run per chart (before)", lambda c: charts.render_svg(c.spec), pages[: args.peer_children])
    rows = [fast, again, peer]
    print(
        f"{args.children} children, {fast['charts']} charts; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| way | charts | CPU (s) | CPU a chart (ms) | ÷ a Vega run per chart |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['way']} | {r['charts']:,} | {r['cpu_s']} | {r['ms_per_chart']} | "
            f"{r['ms_per_chart'] / peer['ms_per_chart']:.3f} |"
        )
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "charts.json").write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
