"""Weight on the wire: the bytes of the first load of the offline posyandu entry page (issue 16),
gzip-compressed, against the budget of 500 KB.

    env -u DATABASE_URL .venv/bin/python bench/bench_offline_weight.py [--children 300] [--out bench/out/offline_weight.json]

What a phone downloads the first time a desa operator opens ``/anak/kunjungan/luring/``: the
page's HTML (rendered by Django for the demo's desa operator, ``desa.balantang``), every static
file it links (styles, the layout's scripts, the vendored IndexedDB library, growth.js,
checks.js, app.js, the favicon and the touch icon), the web app manifest and its icons, the
service worker (``sw.js``) and everything it caches at install (the same files, the WHO tables
and the manifest: each counted once, as the browser's HTTP cache and the worker's share them
on a first load only in part; counting once is the lower bound a well-behaved browser reaches,
and the second column says what each file weighs). Later loads come from the worker's cache.

Compression: the static files as WhiteNoise serves them (gzip, level 9, precompressed at
collectstatic; PNG icons are already compressed and are counted as they are), the WHO tables
as their view sends them (gzip), the HTML, the manifest and the service worker gzip level 6, as
a reverse proxy compresses them (Django itself does not: without a proxy that compresses, the
HTML counts uncompressed; the "raw" column gives that too).

The package of children (``/api/luring/paket/``) is data, not the page, and depends on the
desa: it is printed apart, for the demo's Desa Balantang in a test database of ``--children``
demo children in Kecamatan Malili (the test suite's sample), with its size per child.

The numbers are exact byte counts (no timing), from an in-process Django (a throwaway SQLite
test database, the demo built into it); nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 500 * 1024
USERNAME = "desa.balantang"


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    os.environ["TUMBUH_TESTING"] = "1"  # the test settings: SQLite, no production checks
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("TUMBUH_VAR_DIR", "/tmp/tumbuh-bench-offline")
    import django

    django.setup()
    from django.conf import settings

    # The page renders without collectstatic (plain static URLs), as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = ["testserver"]


def _gzip(data: bytes, level: int) -> int:
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def measure(children: int) -> dict:
    from django.contrib.staticfiles import finders
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tumbuh.accounts.models import User
    from tumbuh.demo.generator import build_demo

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        build_demo(children=children, kecamatan=["73.24.04"])
        client = Client()
        client.force_login(User.objects.get(username=USERNAME))
        rows: list[dict] = []

        def add(kind: str, url: str, raw: bytes, sent: int, how: str):
            rows.append({"what": kind, "url": url, "raw": len(raw), "gzip": sent, "how": how})

        page = client.get("/anak/kunjungan/luring/")
        assert page.status_code == 200, page.status_code
        html = page.content
        add("HTML (the page)", "/anak/kunjungan/luring/", html, _gzip(html, 6), "gzip 6")
        linked = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html.decode()))
        sw = client.get("/anak/kunjungan/luring/sw.js")
        add("service worker", "/anak/kunjungan/luring/sw.js", sw.content, _gzip(sw.content, 6), "gzip 6")
        config = json.loads(re.search(rb"var CONFIG = (\{.*?\});\n", sw.content, re.S).group(1))
        urls = sorted(linked | set(config["assets"]))
        for url in urls:
            if url.startswith("/static/"):
                path = url.removeprefix("/static/")
                found = finders.find(path)
                assert found, url
                data = Path(found).read_bytes()
                if path.endswith(".png"):
                    add(_kind(path), url, data, len(data), "as is (PNG)")
                else:
                    add(_kind(path), url, data, _gzip(data, 9), "gzip 9")
            elif url.endswith(".webmanifest"):
                data = client.get(url).content
                add("manifest", url, data, _gzip(data, 6), "gzip 6")
            elif "/who/" in url:
                plain = client.get(url).content
                zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
                sent = len(zipped.content) if zipped.get("Content-Encoding") == "gzip" else _gzip(plain, 9)
                add("WHO tables", url, plain, sent, "gzip (the view's)")
            else:
                raise AssertionError(f"unexpected asset {url}")
        package = client.get("/api/luring/paket/")
        pkg = None
        if package.status_code == 200 and package.get("Content-Type", "").startswith("application/json"):
            data = package.content
            count = len(json.loads(data)["children"])
            pkg = {"children": count, "raw": len(data), "gzip": _gzip(data, 6)}
        return {"rows": rows, "package": pkg, "children_in_test_db": children}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _kind(path: str) -> str:
    if path.startswith("vendor/idb-keyval/"):
        return "IndexedDB library (idb-keyval)"
    if path.startswith("vendor/htmx/"):
        return "htmx (the layout)"
    if path.endswith(".css"):
        return "style"
    if path.endswith(".js"):
        return "script"
    return "icon"


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f}"


def report(result: dict) -> str:
    rows = result["rows"]
    lines = [
        "| file | what | raw KB | sent KB | compression |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(f"| `{r['url']}` | {r['what']} | {_kb(r['raw'])} | {_kb(r['gzip'])} | {r['how']} |")
    raw = sum(r["raw"] for r in rows)
    sent = sum(r["gzip"] for r in rows)
    lines.append(f"| **total, first load** ({len(rows)} files) | | **{_kb(raw)}** | **{_kb(sent)}** | |")
    verdict = "within" if sent <= BUDGET else "OVER"
    lines.append("")
    lines.append(f"Budget 500 KB compressed: {_kb(sent)} KB sent, {verdict} budget ({sent / BUDGET:.0%} of it).")
    html = next(r for r in rows if r["what"].startswith("HTML"))
    lines.append(f"Without a compressing proxy the HTML goes raw: {_kb(sent - html['gzip'] + html['raw'])} KB in all.")
    pkg = result["package"]
    if pkg:
        per = pkg["gzip"] / pkg["children"] if pkg["children"] else 0
        lines.append(
            f"The package of Desa Balantang ({pkg['children']} children in a test database of "
            f"{result['children_in_test_db']} demo children): {_kb(pkg['raw'])} KB raw, {_kb(pkg['gzip'])} KB gzip "
            f"({per:,.0f} bytes a child): data, not counted in the page's budget."
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=300, help="demo children in the test database (Malili)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "offline_weight.json"))
    args = parser.parse_args(argv)
    _setup_django()
    result = measure(args.children)
    print(report(result))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    total = sum(r["gzip"] for r in result["rows"])
    return 0 if total <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
