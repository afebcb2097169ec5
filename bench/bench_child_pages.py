"""Deep pages of a province's child list (issue 18): Django's ``Paginator`` (COUNT + OFFSET)
against the keyset page (``core.keyset``) on the same database, in the same run.

    # on bench_province's database (a copy of its seed; the seed itself is left alone)
    createdb -h 127.0.0.1 -U postgres -T keyset_province_seed keyset_province
    nice -n 19 .venv/bin/python bench/bench_child_pages.py --db keyset_province --depth 25000

For each user (``--users``: the superuser and the Makassar admin of bench_province) it times,
``--repeat`` times, the median of:

- **offset**: the list's ids as the view read them before issue 18, ``Paginator(ids, 50)``: the
  COUNT of the whole list, then ``ORDER BY name, birth_date OFFSET k LIMIT 50``, for page 1 and
  for the page at ``--depth`` rows (or the user's last page, if shorter);
- **keyset**: ``keyset.paginate`` for page 1 and for the page after the row at that depth (its
  id found once, untimed): the capped count and the seek;
- **view**: the whole page through Django's test client, with the keyset (what the user waits for
  besides the network).

Prints wall milliseconds and the ``EXPLAIN (ANALYZE, BUFFERS)`` of the deep keyset query. Reads only
(the test client's session rows aside).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_load as L  # noqa: E402


def _ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--db", default="keyset_province")
    ap.add_argument("--users", default="super.sulsel,admin.makassar")
    ap.add_argument("--depth", type=int, default=25_000, help="rows before the deep page")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--var-dir", type=Path, default=Path("/tmp/tumbuh-bench-child-pages"))
    args = ap.parse_args()
    args.var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(L.demo_env(args.var_dir, L._url(args.pg, args.db)))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    print(f"load average {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("| user | rows | what | page 1 ms | deep page ms | deep offset |")
    print("|---|---:|---|---:|---:|---:|")
    plans = [_user(username, args) for username in args.users.split(",")]
    print("\nkeyset, deep page:\n" + plans[0][0] + "\n\noffset, deep page:\n" + plans[0][1])


def _user(username: str, args) -> tuple[str, str]:
    """Print the user's rows of the table; the plans of the deep page (keyset, offset)."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import F
    from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
    from django.test import Client

    from tumbuh.accounts import policy
    from tumbuh.accounts.models import User
    from tumbuh.core import keyset
    from tumbuh.measurements.models import Child
    from tumbuh.measurements.views import CHILD_ORDER, PAGE_SIZE

    user = User.objects.get(username=username)
    ids = policy.visible(user, Child.objects.all()).values_list("pk", flat=True)
    total = ids.count()
    depth = min(args.depth, max(total - PAGE_SIZE, 0))
    deep_number = depth // PAGE_SIZE + 1
    old = ids.order_by("name", "birth_date")  # the Meta ordering the Paginator read before

    def offset(number):
        return list(Paginator(old, PAGE_SIZE).get_page(number).object_list)

    cursor = list(ids.order_by(*CHILD_ORDER)[depth - 1 : depth])[0] if depth else None
    row = f"| {username} | {total:,} |"
    print(
        f"{row} offset | {_ms(lambda: offset(1), args.repeat):.1f} | "
        f"{_ms(lambda: offset(deep_number), args.repeat):.1f} | {(deep_number - 1) * PAGE_SIZE:,} |"
    )
    print(
        f"{row} keyset | {_ms(lambda: keyset.paginate(ids, CHILD_ORDER), args.repeat):.1f} | "
        f"{_ms(lambda: keyset.paginate(ids, CHILD_ORDER, after=cursor), args.repeat):.1f} | {depth:,} |"
    )
    client = Client()
    client.force_login(user)
    client.get("/anak/")  # the session's first write out of the timing

    def view(query):
        response = client.get("/anak/", query)
        assert response.status_code == 200, response.status_code

    print(
        f"{row} view (keyset) | {_ms(lambda: view({}), args.repeat):.1f} | "
        f"{_ms(lambda: view({'after': cursor}), args.repeat):.1f} | {depth:,} |"
    )
    key = list(ids.filter(pk=cursor).values_list("name", "birth_date", "pk"))[0]
    seek = ids.order_by(*CHILD_ORDER).filter(
        TupleGreaterThan(Tuple(*(F(f) for f in ("name", "birth_date", "pk"))), key)
    )
    plans = []
    for qs in (seek[: PAGE_SIZE + 1], old[depth : depth + PAGE_SIZE]):
        sql, params = qs.query.sql_with_params()
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plans.append("\n".join(r[0] for r in c.fetchall()))
    return plans[0], plans[1]


if __name__ == "__main__":
    main()
