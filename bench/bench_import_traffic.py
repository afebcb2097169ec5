"""Page views and logins while an e-PPGBM import runs, against the same without one (the floor).

    .venv/bin/python bench/bench_import_traffic.py                  # SQLite, about 36,000 rows
    .venv/bin/python bench/bench_import_traffic.py --children 30000 # a bigger file
    .venv/bin/python bench/bench_import_traffic.py --database-url postgres://postgres@127.0.0.1:5432/tumbuh_traffic

A district of its own under /tmp/tumbuh-bench-traffic/ (``migrate``, ``load_demo --children 0``,
an e-PPGBM export of the demo children's rounds, as ``imports/tests/test_concurrency.py`` makes
it), served by gunicorn (3 workers, as docs/deployment.md). Three logged-in users view pages every
0.3 s and two log in afresh every second: first for ``--idle`` seconds with nothing else running,
then while ``tumbuh import`` takes the file in. Prints Markdown for docs/performance.md (latency
per kind of request, idle and during the import, and the ratio) and writes bench/out/traffic.json.
Timings belong here, never in tests; the test asserts only that every answer succeeds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path("/tmp/tumbuh-bench-traffic")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=12_000)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--database-url", help="a PostgreSQL database to run on (dropped and created afresh)")
    args = parser.parse_args()

    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "tumbuh.settings", "TUMBUH_DEMO": "1", "TUMBUH_VAR_DIR": str(WORK / "self")}
    )
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url  # the instance gets <name>_concurrency on that server
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from tumbuh.imports.tests import test_concurrency as T

    var = WORK / "var"
    var.mkdir()
    T.CHILDREN = args.children
    t0 = time.perf_counter()
    site = T.make_instance(var)  # the test's district and file
    setup_s = time.perf_counter() - t0
    port = T._free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tumbuh.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "120",
        ],
        env=site.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                if T.Browser(port).request("GET", "/masuk/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        idle = traffic(T, port, lambda: time.sleep(args.idle))
        result = {}

        def importing():
            start = time.perf_counter()
            done = site.tumbuh(
                "import", "eppgbm", str(site.export), "--user", T.IMPORTER, "--no-progress", timeout=3600
            )
            result["seconds"], result["summary"] = time.perf_counter() - start, T._summary(done.stdout)

        busy = traffic(T, port, importing)
    finally:
        server.terminate()
        server.wait(timeout=60)
        T.drop_instance(site)
    report(args, site.rows, setup_s, idle, busy, result)


def traffic(T, port: int, during) -> list:
    """The answers of the test's viewers and logins while ``during()`` runs."""
    viewers = {u: T.Browser(port) for u in T.VIEWERS}
    for username, browser in viewers.items():
        browser.log_in(username)
    answers, running = [], threading.Event()
    running.set()

    def record(what, call):
        start = time.perf_counter()
        try:
            status, text = call()
        except Exception:
            status, text = 0, ""
        answers.append((what, status, time.perf_counter() - start, "database is locked" in text))

    def view(username):
        while running.is_set():
            for path in T.VIEWERS[username]:
                record("page view", lambda path=path: viewers[username].request("GET", path))
                time.sleep(0.3)

    def log_in(username):
        while running.is_set():
            browser = T.Browser(port)
            record("login", lambda browser=browser: browser.log_in(username))
            time.sleep(1)

    threads = [threading.Thread(target=view, args=(u,)) for u in T.VIEWERS] + [
        threading.Thread(target=log_in, args=(u,)) for u in T.LOGINS
    ]
    for thread in threads:
        thread.start()
    try:
        during()
    finally:
        running.clear()
        for thread in threads:
            thread.join()
    return answers


def _stats(answers, what) -> dict:
    import numpy as np

    times = np.array([s for w, _st, s, _l in answers if w == what]) * 1000
    ok = {"page view": (200,), "login": (302,)}[what]
    failed = sum(1 for w, st, _s, locked in answers if w == what and (st not in ok or locked))
    if not len(times):
        return {"n": 0, "failed": failed}
    return {
        "n": int(len(times)),
        "failed": failed,
        "p50": float(np.percentile(times, 50)),
        "p95": float(np.percentile(times, 95)),
        "max": float(times.max()),
    }


def report(args, rows, setup_s, idle, busy, result) -> None:
    out = {
        "rows": rows,
        "database": "postgresql" if args.database_url else "sqlite",
        "setup_s": setup_s,
        "import_s": result.get("seconds"),
        "summary": result.get("summary"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "idle": {k: _stats(idle, k) for k in ("page view", "login")},
        "during_import": {k: _stats(busy, k) for k in ("page view", "login")},
    }
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "traffic.json").write_text(json.dumps(out, indent=2))
    print(
        f"\n{out['database']}, {rows:,} rows, import {out['import_s']:.1f} s with the traffic below; {out['machine']}\n"
    )
    print(
        "| request | idle: n, p50 / p95 / max ms, failed | during the import: n, p50 / p95 / max ms, failed | p95 ratio |"
    )
    print("|---|---|---|---|")
    for kind in ("page view", "login"):
        a, b = out["idle"][kind], out["during_import"][kind]

        def cell(s):
            return f"{s['n']}, {s.get('p50', 0):.0f} / {s.get('p95', 0):.0f} / {s.get('max', 0):.0f}, {s['failed']}"

        ratio = b.get("p95", 0) / a["p95"] if a.get("p95") else float("nan")
        print(f"| {kind} | {cell(a)} | {cell(b)} | {ratio:.1f}× |")


if __name__ == "__main__":
    main()
