"""Province scale (issue 18): one PostgreSQL holding Sulawesi Selatan, 24 districts, 1 million
children and 20 million visits; how long its full recompute takes, and the district and provincial
dashboards with 20 concurrent users.

    # everything: build the seed (once), recompute, then the load runs (no think time, then 3 s)
    nice -n 19 .venv/bin/python bench/bench_province.py
    # again on the same seed database (the lead's re-run after a merge)
    nice -n 19 .venv/bin/python bench/bench_province.py --reuse-db --steps refresh,load
    # a quick look (minutes): 50,000 children, about 1 million visits
    nice -n 19 .venv/bin/python bench/bench_province.py --children 50000 --db-name scale_small \\
        --seconds 30 --warmup-seconds 10

What it does (each step timed; ``--steps``, default ``build,refresh,load``):

1. **build** the seed database ``<--db-name>_seed`` (PostgreSQL, ``--pg``, trust auth), dropped
   and built again unless ``--reuse-db`` finds it:

   - ``tumbuh migrate``; the regions of province 73 (its 24 kabupaten/kota, their kecamatan and
     desa/kelurahan) as ``tumbuh load_regions --prefix 73`` loads them (``wilayah.loading``);
   - each district's organisation as the demo builds Luwu Timur's (``demo.generator._build_district``:
     its OPDs, TPPS and decree, a puskesmas per kecamatan, one to four posyandu per desa), the
     demo's accounts (``_build_users``), and three more with the demo password: ``admin.makassar``
     (district admin of Kota Makassar, the largest district), ``provinsi.sulsel`` (``Role.PROVINCE``,
     wilayah ``73``) and ``super.sulsel`` (a superuser);
   - ``--children`` (1,000,000) children spread over the 24 districts in proportion to their
     population (:data:`POPULATION`, the 2020 census in thousands, rounded): the demo's vectorised
     generator (``demo.children.generate``, one district at a time, seed ``--seed`` + the district's
     index) with the engine's z-scores, written by the demo's own writer (``demo.children.write``:
     ``audit.bulk.BulkWrite``, which streams each chunk through PostgreSQL ``COPY``), one audit row
     per district. About ``--visits-per-child`` (20) visits per child over 2023–2025: the demo has
     11.5, so the generator's share of regular monthly attenders (``P_REGULAR``, demo 0.45) is
     raised along the line from the demo to ``bench_dashboard``'s 0.95 (20.1 visits per child;
     its ``P_MONTHLY_REGULAR`` 0.92 too); module constants, set here only.
   - While the children and visits go in, the secondary indexes of the two tables are dropped and
     foreign-key checks are off for the session (``session_replication_role = replica``; the rows
     are valid by construction); then the indexes are created again from their own definitions
     (``pg_indexes``: exactly as the migrations made them) and the database is ``VACUUM ANALYZE``d.
     ``--keep-indexes`` writes with both in place (the demo's path, for the comparison).
   Prints the time of each part and the database size.
2. **refresh**: ``tumbuh refresh_aggregates -v0`` (every round, month and year) on the seed, as
   production's timer runs it: wall time, CPU (the process's, from ``wait4``; its PostgreSQL
   backend's, sampled from ``/proc``), peak memory (maximum RSS).
3. **load**: ``bench_load``'s runner (imported: gunicorn with production settings, 20 logged-in
   users, a fresh copy of the seed per run) with the district and provincial users of :data:`USERS`
   looping over ``--urls`` (default :data:`URLS`: the dashboard at the user's own area, the
   province's pages when the tree has them (``/provinsi/``, ``/provinsi/banding/`` with two
   districts, ``/provinsi/peta/``; not for the district admin), the child list), once with no
   think time and once with ``--think`` (3 s) seconds; p95 against the 1 s target and against
   bench_load's 25,000-child district (the ratio). The child list's page is the next page of
   the user's list (``/anak/?after=<id>``, keyset pages), as in bench_load.

Writes ``bench/out/<--out>.json``; prints Markdown tables, the machine and the load average. The
databases stay (``dropdb -h 127.0.0.1 -U postgres scale_province; … scale_province_seed``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_load as L  # noqa: E402

PROVINCE = "73"
#: Population of the 24 kabupaten/kota of Sulawesi Selatan (2020 census, thousands, rounded):
#: the children are spread in proportion.
POPULATION = {
    "73.01": 137, "73.02": 437, "73.03": 196, "73.04": 401, "73.05": 300, "73.06": 765, "73.07": 260,
    "73.08": 801, "73.09": 391, "73.10": 345, "73.11": 184, "73.12": 235, "73.13": 379, "73.14": 319,
    "73.15": 403, "73.16": 225, "73.17": 365, "73.18": 280, "73.22": 322, "73.24": 297, "73.26": 261,
    "73.71": 1424, "73.72": 151, "73.73": 184,
}  # fmt: skip
BIG_DISTRICT = "73.71"  # Kota Makassar
#: (username, role, wilayah, superuser, full name): the accounts this bench adds to the demo's.
EXTRA_ACCOUNTS = [
    ("admin.makassar", "district_admin", BIG_DISTRICT, False, "Sekretariat TPPS Kota Makassar"),
    ("provinsi.sulsel", "province", PROVINCE, False, "TPPS Provinsi Sulawesi Selatan"),
    ("super.sulsel", "", None, True, "Administrator Tumbuh"),
]
#: The load runs' users: account, role, how many of the 20 (``--accounts`` changes the counts).
USERS = [
    ("admin.makassar", "district admin (Makassar)", 8),
    ("provinsi.sulsel", "province", 8),
    ("super.sulsel", "superuser", 4),
]
ROLES = {name: role for name, role, _k in USERS}
#: The pages each user loops over (``--urls``); {own} is the user's area (:data:`OWN`), "/anak/"
#: the next page of the user's child list (keyset pages: ``bench_load.User.see_list``). The
#: province's pages when the tree has them (tumbuh/province, issue 18): its districts side by side,
#: two districts compared (Makassar and Luwu Timur), the map.
PROVINCE_PAGES = ("/provinsi/", "/provinsi/banding/?kabupaten=73.71&kabupaten=73.24", "/provinsi/peta/")
URLS = ",".join(
    ("/dasbor/?within={own}", *(PROVINCE_PAGES if (ROOT / "tumbuh" / "province").is_dir() else ()), "/anak/")
)
OWN = {"admin.makassar": BIG_DISTRICT, "provinsi.sulsel": PROVINCE, "super.sulsel": PROVINCE}
#: The province role sees no child rows (issue 18: personal rows are withheld from it); a district
#: admin no province page (the policy refuses both).
SKIP = {"provinsi.sulsel": {"/anak/"}, "admin.makassar": set(PROVINCE_PAGES)}
#: Visits per child at the generator's share of regular attenders (demo, bench_dashboard), and
#: bench_dashboard's attendance of the regular attenders.
VISITS_AT = ((0.45, 11.5), (0.95, 20.1))
MONTHLY_REGULAR = 0.92
#: bench_load's 25,000-child district: p95 of its dashboard and child list (ms), issue 15's figure.
DISTRICT_P95_MS = L.MEASURED_MS


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {text}", flush=True)


def _regular_share(visits_per_child: float) -> float:
    (p0, v0), (p1, v1) = VISITS_AT
    return min(1.0, max(0.0, p0 + (visits_per_child - v0) * (p1 - p0) / (v1 - v0)))


def _children_per_district(total: int) -> dict[str, int]:
    weight = sum(POPULATION.values())
    out = {code: int(total * pop / weight) for code, pop in POPULATION.items()}
    out[BIG_DISTRICT] += total - sum(out.values())
    return out


# ============================================================================ build
def _setup_django(url: str, var_dir: Path) -> None:
    os.environ.update(L.demo_env(var_dir, url))
    import django

    django.setup()


def _organisation(seed: int) -> dict:
    from django.db import transaction

    from tumbuh.accounts import policy
    from tumbuh.accounts.models import Role, User
    from tumbuh.demo.generator import REASON, _build_district, _build_users, do_save
    from tumbuh.wilayah.loading import load_regions
    from tumbuh.wilayah.models import Wilayah

    t = time.perf_counter()
    regions = load_regions(prefixes=[PROVINCE])
    times = {"regions_s": time.perf_counter() - t}
    t = time.perf_counter()
    rng = random.Random(seed)  # seeded bench data, no secret  # nosec B311
    with transaction.atomic():
        for kab in Wilayah.objects.filter(parent_id=PROVINCE).order_by("code"):
            _build_district(kab, rng)
        _build_users()
        hashed = User.objects.get(username="admin.lutim").password  # the demo password's one hash
        for username, role, wilayah, superuser, name in EXTRA_ACCOUNTS:
            if not User.objects.filter(username=username).exists():
                user = User(username=username, full_name=name, role=Role(role) if role else "", wilayah_id=wilayah)
                user.is_superuser = user.is_staff = superuser
                user.password = hashed
                do_save(policy.SYSTEM, user, reason=REASON)
    times["organisation_s"] = time.perf_counter() - t
    return {**times, "regions": regions}


def _secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of the child and measurement tables' indexes that no constraint
    owns (the primary keys and unique constraints stay)."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename IN ('measurements_child', 'measurements_measurement')
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
           ORDER BY i.indexname"""
    )
    return cursor.fetchall()


def _children(args) -> dict:
    from django.db import connection, transaction

    from tumbuh.accounts import policy
    from tumbuh.audit.bulk import BulkWrite
    from tumbuh.demo import children as C
    from tumbuh.measurements.models import Measurement

    C.P_REGULAR = _regular_share(args.visits_per_child)
    C.P_MONTHLY_REGULAR = MONTHLY_REGULAR
    plan = _children_per_district(args.children)
    times = {"generate_s": 0.0, "write_s": 0.0, "drop_indexes_s": 0.0, "create_indexes_s": 0.0}
    indexes: list[tuple[str, str]] = []
    if not args.keep_indexes:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            indexes = _secondary_indexes(cursor)
            for name, _sql in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SET session_replication_role = replica")
        times["drop_indexes_s"] = time.perf_counter() - t
    n_children = n_visits = 0
    for i, (kab, n) in enumerate(sorted(plan.items())):
        t = time.perf_counter()
        data = C.generate(C.demo_area(kabupaten=kab), n, args.seed + i)
        # The generator gives 5 % of NIKs another kecamatan's code, drawn among Luwu Timur's too:
        # outside Luwu Timur they would collide with its children's NIKs. Those go without.
        own = kab.replace(".", "")
        data.children["nik"] = np.array(
            [k if k.startswith(own) else "" for k in data.children["nik"].tolist()], dtype=object
        )
        times["generate_s"] += time.perf_counter() - t
        t = time.perf_counter()
        with transaction.atomic():
            bulk = BulkWrite(policy.SYSTEM)
            s = C.write(bulk, data)
            bulk.record(
                f"data bench provinsi: {s.children} anak dan {s.measurements} pengukuran ({kab}, 2023–2025)",
                about=Measurement,
                object_id=f"bench-province:{kab}",
                wilayah_code=kab,
                object_repr=f"Data bench provinsi: {s.children} anak, {s.measurements} pengukuran",
                details={"children": s.children, "measurements": s.measurements, "seed": args.seed + i},
            )
        times["write_s"] += time.perf_counter() - t
        n_children += s.children
        n_visits += s.measurements
        _say(f"{kab}: {s.children:,} children, {s.measurements:,} visits (so far {n_children:,} / {n_visits:,})")
        del data
    if indexes:
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in indexes:
                cursor.execute(sql)
        times["create_indexes_s"] = time.perf_counter() - t
    return {**times, "children": n_children, "measurements": n_visits, "indexes_rebuilt": [n for n, _ in indexes]}


def build(args) -> dict:
    seed = f"{args.db_name}_seed"
    url = L._url(args.pg, seed)
    if args.reuse_db and L._exists(args.pg, seed):
        out = json.loads((args.work / f"{seed}.json").read_text()) if (args.work / f"{seed}.json").exists() else {}
        _say(f"reusing {seed}")
        return out | {"seed": seed, "built": False}
    with L._admin(args.pg) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{seed}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{seed}"')
    t0 = time.perf_counter()
    times = {"migrate_s": L._run([L.TUMBUH, "migrate", "--noinput", "-v0"], L.demo_env(args.var_dir, url))}
    _setup_django(url, args.var_dir)
    org = _organisation(args.seed)
    _say(f"organisation: {org}")
    kids = _children(args)
    import psycopg

    t = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = dict(
            conn.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
                "('measurements_child', 'measurements_measurement')"
            ).fetchall()
        )
    times["vacuum_analyze_s"] = time.perf_counter() - t
    out = {
        **times,
        **org,
        **kids,
        "build_s": time.perf_counter() - t0,
        "database_bytes": size,
        "table_bytes": tables,
        "keep_indexes": args.keep_indexes,
        "regular_share": _regular_share(args.visits_per_child),
        "seed": seed,
        "built": True,
    }
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / f"{seed}.json").write_text(json.dumps(out, default=str))
    _say(
        f"built {seed}: {kids['children']:,} children, {kids['measurements']:,} visits in {out['build_s']:.0f} s; "
        f"database {size / 2**30:.1f} GiB"
    )
    return out


# ============================================================================ refresh
class BackendCpu(threading.Thread):
    """The CPU seconds of the PostgreSQL backends of a database, sampled each second (a backend
    that ends keeps its last sample)."""

    def __init__(self, args, db: str):
        super().__init__(daemon=True)
        self.args, self.db, self.stop, self.seen = args, db, threading.Event(), {}

    def run(self):
        with L._admin(self.args.pg) as conn:
            while not self.stop.wait(1.0):
                for (pid,) in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.db]):
                    self.seen[pid] = max(self.seen.get(pid, 0.0), L._proc_cpu(pid))

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def refresh(args, seed: str) -> dict:
    """``tumbuh refresh_aggregates`` of every period on the seed: wall, CPU, peak memory."""
    env = L.production_env(args.var_dir, L._url(args.pg, seed))
    pg = BackendCpu(args, seed)
    pg.start()
    la = os.getloadavg()
    t = time.perf_counter()
    proc = subprocess.Popen([L.TUMBUH, "refresh_aggregates", "-v1"], env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    pg.stop.set()
    pg.join()
    if status:
        raise SystemExit(f"refresh_aggregates failed: status {status}")
    import psycopg

    with psycopg.connect(L._url(args.pg, seed)) as conn:  # each period's own time, as the command stored it
        runs = conn.execute(
            "SELECT period, seconds, n_measurements FROM dashboards_aggregaterun WHERE computed_at >= now() - %s * interval '1 second'",
            [wall + 60],
        ).fetchall()
    kinds = {}
    for period, seconds, visits in runs:
        k = kinds.setdefault(
            {"R": "rounds", "M": "months", "Y": "years"}[period[0]], {"periods": 0, "seconds": 0.0, "visits": 0}
        )
        k["periods"] += 1
        k["seconds"] += seconds
        k["visits"] += visits
    out = {
        "wall_s": wall,
        "cpu_user_s": usage.ru_utime,
        "cpu_system_s": usage.ru_stime,
        "postgres_cpu_s": pg.seconds,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "loadavg_start": la,
        "loadavg_end": os.getloadavg(),
        "by_kind": kinds,
        "periods": sorted(runs),
    }
    _say(
        f"refresh_aggregates: {wall:.0f} s wall, {usage.ru_utime + usage.ru_stime:.0f} s CPU "
        f"(+ PostgreSQL ≥ {pg.seconds:.0f} s), peak {out['peak_rss_mib']:,.0f} MiB; "
        f"load average {L._la(la)} → {L._la(out['loadavg_end'])}"
    )
    return out


# ============================================================================ load
def load(args, seed: str) -> list[dict]:
    """bench_load's idle run with the province's users and pages, without and with think time."""
    counts = dict(a.split(":") for a in args.accounts.split(","))
    L.USERS = [(name, ROLES[name], int(k)) for name, k in counts.items()]
    L.PAGES = tuple(dict.fromkeys(args.urls.split(",")))
    L.PAGE_OWN = OWN
    L.PAGE_SKIP = SKIP
    L._run([L.TUMBUH, "collectstatic", "--noinput", "-v0"], L.production_env(args.var_dir, L._url(args.pg, seed)))
    runs = []
    for think in (0.0, args.think):
        la = argparse.Namespace(**{**vars(args), "think": think})
        runs += L.one_run(la, f"idle, think {think:g} s", seed, None)
    return runs


def report(res: dict) -> str:
    lines = []
    b = res.get("build")
    if b and b.get("built"):
        lines += [
            f"**build**: {b['children']:,} children, {b['measurements']:,} visits in {b['build_s']:.0f} s "
            f"(migrate {b['migrate_s']:.0f} s, regions {b['regions_s']:.0f} s, organisation {b['organisation_s']:.0f} s, "
            f"generate {b['generate_s']:.0f} s, write {b['write_s']:.0f} s, indexes dropped {b['drop_indexes_s']:.0f} s "
            f"and created {b['create_indexes_s']:.0f} s, VACUUM ANALYZE {b['vacuum_analyze_s']:.0f} s); "
            f"database {b['database_bytes'] / 2**30:.2f} GiB",
            "",
        ]
    r = res.get("refresh")
    if r:
        lines += [
            f"**refresh_aggregates** (all periods): {r['wall_s']:.0f} s wall, CPU {r['cpu_user_s']:.0f} s user + "
            f"{r['cpu_system_s']:.0f} s system, PostgreSQL ≥ {r['postgres_cpu_s']:.0f} s, peak RSS "
            f"{r['peak_rss_mib']:,.0f} MiB; load average {L._la(r['loadavg_start'])} → {L._la(r['loadavg_end'])}",
            "",
            "| kind | periods | visits | seconds (wall, as stored per period) |",
            "|---|---:|---:|---:|",
            *(
                f"| {kind} | {k['periods']} | {k['visits']:,} | {k['seconds']:.0f} |"
                for kind, k in r.get("by_kind", {}).items()
            ),
            "",
        ]
    runs = res.get("runs")
    if runs:
        lines += [L.report({"args": res["args"], "machine": res["machine"], "data": res["data"], "runs": runs})]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server (trust auth)")
    ap.add_argument("--db-name", default="scale_province", help="database of the runs; the seed is <db-name>_seed")
    ap.add_argument("--reuse-db", action="store_true", help="keep the seed database if there")
    ap.add_argument("--steps", default="build,refresh,load", help="which of build, refresh, load")
    ap.add_argument("--children", type=int, default=1_000_000)
    ap.add_argument("--visits-per-child", type=float, default=20.0, help="about this many visits per child")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep-indexes", action="store_true", help="write with the indexes and foreign keys in place")
    ap.add_argument("--urls", default=URLS, help="comma-separated pages the users loop over ({own}: their area)")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument(
        "--accounts",
        default=",".join(f"{name}:{k}" for name, _r, k in USERS),
        help="which accounts log in, how many users each (account:count,…)",
    )
    ap.add_argument("--seconds", type=float, default=120, help="measured window of each run")
    ap.add_argument("--warmup-seconds", type=float, default=30)
    ap.add_argument("--think", type=float, default=3.0, help="the second run's think time (s, on average)")
    ap.add_argument("--keep-alive", action="store_true")
    ap.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--port", type=int, default=8795)
    ap.add_argument("--cache-url", default="")
    ap.add_argument("--work", type=Path, default=Path("/tmp/tumbuh-bench-province"))
    ap.add_argument("--out", default="province")
    args = ap.parse_args()
    args.var_dir = args.work / "var"
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    res = {
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": L.machine(),
        "loadavg_before": os.getloadavg(),
    }
    _say(f"load average before: {L._la(res['loadavg_before'])}")
    seed = f"{args.db_name}_seed"
    if "build" in steps:
        res["build"] = build(args)
    if "refresh" in steps:
        res["refresh"] = refresh(args, seed)
    if "load" in steps:
        res["data"] = json.loads(
            L._django(L.demo_env(args.var_dir, L._url(args.pg, seed)), L.COUNTS).strip().splitlines()[-1]
        ) | {"seed": seed}
        res["runs"] = load(args, seed)
    res["loadavg_after"] = os.getloadavg()
    print("\n" + report(res))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"{args.out}.json").write_text(json.dumps(res, indent=1, default=str))


if __name__ == "__main__":
    main()
