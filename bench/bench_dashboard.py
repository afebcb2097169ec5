"""Dashboards under load: the prevalence and data-quality dashboards with 20 concurrent users over a real HTTP
server (gunicorn on 127.0.0.1), on the demo district scaled to 100,000 children and about
2 million visits, read from the precomputed aggregates and, as the peer, computed live.

    # 1. the data (once; PostgreSQL database tumbuh_bench, created if missing)
    .venv/bin/python bench/bench_dashboard.py setup --children 100000
    # 2. the load test: precomputed, then live aggregation (the peer)
    .venv/bin/python bench/bench_dashboard.py run --users 20 --requests 2000 --live-requests 40 --max-seconds 900

``setup`` uses the demo generator (``tumbuh.demo``) with more children and, to reach about
20 visits per child (2 million for 100,000 children), more regular monthly attenders: the
generator's ``P_REGULAR`` 0.45 → 0.95 and ``P_MONTHLY_REGULAR`` 0.85 → 0.92 (module constants,
set here only; the demo itself is unchanged). The Agustus 2025 e-PPGBM import of the demo is
left out (its rows are written directly), then ``refresh_aggregates`` fills every period.

``run`` starts gunicorn (``--bind 127.0.0.1:PORT``), logs in ``--users`` virtual users as the
district admin (each with its own session cookie), and has each of them request the pages of
``PAGES`` in turn, without think time, until ``--requests`` requests in all or
``--max-seconds`` (after ``--warmup`` requests that are not counted: each gunicorn worker
loads numpy/scipy/vl-convert; the first request of a page fills the shared page cache). Latency = from sending the request to reading the whole body
(``http.client``, one keep-alive connection per user). The second pass runs the same with
``TUMBUH_DASHBOARD_LIVE=1``: the same views and figures, computed from the measurements on
each request instead of read from ``AreaAggregate`` (see ``aggregates.indicator_table``).
Results are printed as Markdown tables and written to ``bench/out/dashboard.json`` (``--out``),
with the load average (1, 5, 15 min) at the start and at the end: the machine may be shared.

The page cache is shared by gunicorn's workers: files under ``<TUMBUH_VAR_DIR>/cache`` unless
``--cache-url`` (or ``TUMBUH_CACHE_URL`` in the environment) names another backend, e.g.

    .venv/bin/python bench/bench_dashboard.py run --mode precomputed --cache-url redis://127.0.0.1:6379/1 --out dashboard-redis

Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tumbuh_bench"
USERNAME = "admin.lutim"  # the Luwu Timur district admin of the demo
#: The dashboard pages the virtual users cycle through: the district (rows: kecamatan), one
#: kecamatan (rows: desa) and one desa (rows: posyandu), each with its summary cards and trend,
#: and the district's data-quality page.
PAGES = [
    ("kabupaten", "/dasbor/?within=73.24&level=kecamatan&period=R2025-08&indicator=stunting"),
    ("kecamatan", "/dasbor/?within=73.24.04&level=desa&period=R2025-08&indicator=stunting"),
    ("desa", "/dasbor/?within=73.24.04.2010&level=posyandu&period=R2025-08&indicator=stunting"),
    # the data-quality page of the district (its tables for puskesmas, desa and posyandu)
    ("quality", "/dasbor/kualitas/?within=73.24&period=R2025-08"),
]


def _env(db_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url,
            "TUMBUH_DEMO": "1",
            "TUMBUH_VAR_DIR": env.get("TUMBUH_VAR_DIR", "/tmp/tumbuh-bench-var"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
            "TUMBUH_LOG_LEVEL": "ERROR",
        }
    )
    env.update(extra)
    return env


def _django(db_url: str):
    os.environ.update(_env(db_url))
    import django

    django.setup()


# ============================================================================ setup
def setup(args) -> None:
    url = urllib.parse.urlparse(args.db)
    if url.scheme.startswith("postgres"):
        name = url.path.lstrip("/")
        exists = subprocess.run(
            ["psql", "-h", url.hostname, "-U", url.username or "postgres", "-lqt"], capture_output=True, text=True
        ).stdout
        if not any(line.split("|")[0].strip() == name for line in exists.splitlines()):
            subprocess.run(["createdb", "-h", url.hostname, "-U", url.username or "postgres", name], check=True)
    _django(args.db)
    from django.core.management import call_command

    from tumbuh.demo import children as C
    from tumbuh.demo.generator import build_demo

    call_command("migrate", verbosity=0, interactive=False)
    C.P_REGULAR, C.P_MONTHLY_REGULAR = args.regular, args.monthly_regular
    t0 = time.perf_counter()
    s = build_demo(children=args.children, eppgbm=False)
    print(f"demo: {s.children:,} children, {s.measurements:,} measurements ({time.perf_counter() - t0:.0f} s)")
    t0 = time.perf_counter()
    call_command("refresh_aggregates", verbosity=1)
    print(f"refresh_aggregates: {time.perf_counter() - t0:.0f} s")


# ============================================================================ load driver
class User:
    def __init__(self, host, port, timeout=900):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, body=None, headers=None):
        h = {"Cookie": self._cookie_header(), "Host": f"{self.host}:{self.port}", **(headers or {})}
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        data = resp.read()
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def login(self, password):
        status, body = self.request("GET", "/masuk/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": USERNAME, "password": password})
        status, _ = self.request(
            "POST",
            "/masuk/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}/masuk/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed: HTTP {status}")


def _percentile(values, q):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _wait_up(port, proc, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/masuk/")
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def _cache_label(url: str) -> str:
    """The cache backend the server uses, from ``TUMBUH_CACHE_URL`` (``file`` when unset)."""
    from tumbuh.core import cacheurl

    backend = cacheurl.parse(url, Path("var"))["BACKEND"].rsplit(".", 1)[-1]
    return f"{backend} ({url})" if url else f"{backend} (<TUMBUH_VAR_DIR>/cache)"


def load(args, live: bool) -> dict:
    from tumbuh.demo.accounts import DEMO_PASSWORD

    # TUMBUH_CACHE_URL (the shared page cache) reaches gunicorn from --cache-url or the environment.
    env = _env(args.db, TUMBUH_CACHE_URL=args.cache_url, **({"TUMBUH_DASHBOARD_LIVE": "1"} if live else {}))
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "tumbuh.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "900",
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    try:
        _wait_up(args.port, proc)
        users = [User("127.0.0.1", args.port) for _ in range(args.users)]
        for u in users:
            u.login(DEMO_PASSWORD)
        lock = threading.Lock()

        def phase(n_requests, seconds):
            results: list[tuple[str, float, int]] = []
            budget = [n_requests]
            deadline = time.perf_counter() + seconds

            def run(i, u):
                k = i
                while time.perf_counter() < deadline:
                    with lock:
                        if budget[0] <= 0:
                            return
                        budget[0] -= 1
                    name, path = PAGES[k % len(PAGES)]
                    k += 1
                    t = time.perf_counter()
                    status, _body = u.request("GET", path)
                    dt_ = time.perf_counter() - t
                    with lock:
                        results.append((name, dt_, status))

            t0 = time.perf_counter()
            threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return results, time.perf_counter() - t0

        # Warm-up, not counted: every worker process loads numpy/scipy/vl-convert, and the first
        # request of each page fills the page cache shared by the workers; reported apart.
        warm, warm_wall = phase(args.live_warmup if live else args.warmup, args.max_seconds)
        warm = warm or [("", 0.0, 200)]
        results, wall = phase(args.live_requests if live else args.requests, args.max_seconds)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    lat = [d for _n, d, s in results if s == 200]
    out = {
        "mode": "live" if live else "precomputed",
        "cache": _cache_label(args.cache_url),
        "requests": len(results),
        "errors": sum(s != 200 for *_x, s in results),
        "wall_s": wall,
        "rps": len(results) / wall,
        "median_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * _percentile(lat, 0.95),
        "max_ms": 1000 * max(lat),
        "pages": {},
        "warmup": {
            "requests": len(warm),
            "wall_s": warm_wall,
            "median_ms": 1000 * statistics.median([d for _n, d, _s in warm]),
            "max_ms": 1000 * max(d for _n, d, _s in warm),
        },
    }
    for name, _path in PAGES:
        d = [x for n, x, s in results if n == name and s == 200]
        if d:
            out["pages"][name] = {
                "n": len(d),
                "median_ms": 1000 * statistics.median(d),
                "p95_ms": 1000 * _percentile(d, 0.95),
            }
    return out


def _machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def run(args) -> None:
    _django(args.db)
    from django.db import connection

    from tumbuh.measurements.models import Child, Measurement

    data = {
        "children": Child.objects.count(),
        "measurements": Measurement.objects.count(),
        "db": f"{connection.vendor} {connection.cursor().connection.info.server_version if connection.vendor == 'postgresql' else ''}",
    }
    connection.close()
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    res = {
        "machine": _machine(),
        "data": data,
        "args": vars(args) | {"func": None},
        "pages": PAGES,
        "runs": [],
        "started": started,
        "loadavg_start": os.getloadavg(),
    }
    print(f"{started}; load average (1, 5, 15 min) at the start: {_loadavg(res['loadavg_start'])}", flush=True)
    modes = {"both": (False, True), "precomputed": (False,), "live": (True,)}[args.mode]
    for live in modes:
        r = load(args, live)
        r["loadavg_end"] = os.getloadavg()
        res["runs"].append(r)
        print(json.dumps(r, indent=1), file=sys.stderr)
    res["loadavg_end"] = os.getloadavg()
    print(
        f"\n{data['children']:,} children, {data['measurements']:,} measurements; {data['db']}; "
        f"{res['machine']['cpu']}, {res['machine']['cores']} cores; {args.users} users, gunicorn "
        f"{args.workers} workers × {args.threads} threads; cache {_cache_label(args.cache_url)}"
    )
    print(f"load average (1, 5, 15 min): start {_loadavg(res['loadavg_start'])}, end {_loadavg(res['loadavg_end'])}\n")
    print("| aggregates | cache | requests | errors | req/s | median (ms) | p95 (ms) | max (ms) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in res["runs"]:
        print(
            f"| {r['mode']} | {r['cache'] if r['mode'] != 'live' else '(not used)'} | {r['requests']} | {r['errors']} | {r['rps']:.1f} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} | {r['max_ms']:.0f} |"
        )
    if len(res["runs"]) == 2:
        a, b = res["runs"]
        print(
            f"\nlive ÷ precomputed: median {b['median_ms'] / a['median_ms']:.1f}×, p95 {b['p95_ms'] / a['p95_ms']:.1f}×"
        )
    print("\n| page | " + " | ".join(f"{r['mode']} median / p95 (ms)" for r in res["runs"]) + " |")
    print("|---|" + "---:|" * len(res["runs"]))
    for name, _p in PAGES:
        cells = [
            f"{r['pages'][name]['median_ms']:.0f} / {r['pages'][name]['p95_ms']:.0f}" if name in r["pages"] else "—"
            for r in res["runs"]
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"{args.out}.json").write_text(json.dumps(res, indent=1, default=str))


def cpu(args) -> None:
    """CPU of the Django process for one cached page (in-process test client, no server, no
    concurrency): what a page-cache hit costs with the backend of ``--cache-url``, much less
    sensitive to a busy machine than the latencies of ``run``."""
    os.environ["TUMBUH_CACHE_URL"] = args.cache_url
    _django(args.db)
    from django.test import Client

    from tumbuh.accounts.models import User

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username=USERNAME))
    print(f"cache {_cache_label(args.cache_url)}; load average at the start {_loadavg(os.getloadavg())}")
    print("| page | CPU per hit, median (ms) | wall per hit, median (ms) |\n|---|---:|---:|")
    for name, path in PAGES:
        assert client.get(path).status_code == 200  # the miss that fills the cache
        cpu_ms, wall_ms = [], []
        for _ in range(args.repeat):
            c, w = time.process_time(), time.perf_counter()
            assert client.get(path).status_code == 200
            cpu_ms.append(1000 * (time.process_time() - c))
            wall_ms.append(1000 * (time.perf_counter() - w))
        print(f"| {name} | {statistics.median(cpu_ms):.1f} | {statistics.median(wall_ms):.1f} |", flush=True)
    print(f"load average at the end {_loadavg(os.getloadavg())}")


def _loadavg(la) -> str:
    return " / ".join(f"{x:.2f}" for x in la)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--db", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB), help=f"database URL (default {DEFAULT_DB})"
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup", help="create the database, load the scaled demo, precompute the aggregates")
    s.add_argument("--children", type=int, default=100_000)
    s.add_argument("--regular", type=float, default=0.95, help="share of regular monthly attenders (demo: 0.45)")
    s.add_argument("--monthly-regular", type=float, default=0.92, help="their monthly attendance (demo: 0.85)")
    s.set_defaults(func=setup)
    r = sub.add_parser("run", help="the load test")
    r.add_argument("--users", type=int, default=20)
    r.add_argument("--requests", type=int, default=2000, help="requests in all (precomputed)")
    r.add_argument("--max-seconds", type=float, default=180, help="stop a phase (warm-up, measure) after this long")
    r.add_argument("--warmup", type=int, default=200, help="requests before measuring (not counted)")
    r.add_argument(
        "--live-requests", type=int, default=40, help="requests in all for the live peer (about 10 CPU-seconds each)"
    )
    r.add_argument("--live-warmup", type=int, default=0, help="warm-up requests for the live peer")
    r.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--mode", choices=["both", "precomputed", "live"], default="both")
    r.add_argument(
        "--cache-url",
        default=os.environ.get("TUMBUH_CACHE_URL", ""),
        help="TUMBUH_CACHE_URL for the server, e.g. redis://127.0.0.1:6379/1 (default: the environment's; "
        "unset: files in <TUMBUH_VAR_DIR>/cache)",
    )
    r.add_argument("--out", default="dashboard", help="results file bench/out/OUT.json")
    r.set_defaults(func=run)
    c = sub.add_parser("cpu", help="CPU of one cached page in-process, per page (no server)")
    c.add_argument(
        "--cache-url", default=os.environ.get("TUMBUH_CACHE_URL", ""), help="TUMBUH_CACHE_URL (default: files)"
    )
    c.add_argument("--repeat", type=int, default=200)
    c.set_defaults(func=cpu)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
