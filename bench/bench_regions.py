"""Benchmark: loading the full Kemendagri region tree (91,599 rows) into a fresh SQLite database.

Tumbuh's loader (``load_regions``: bulk upsert, parents before children) side by side with
Django's standard way to load reference data, ``loaddata`` of a JSON fixture holding the same
rows. Each runs in a fresh database created by ``migrate``.

    .venv/bin/python bench/bench_regions.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def run(args, env):
    subprocess.run([PY, "-m", "tumbuh.cli", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def fresh_env(tmp: Path) -> dict:
    db = tmp / "bench.sqlite3"
    db.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "TUMBUH_VAR_DIR": str(tmp)}
    run(["migrate", "-v0"], env)
    return env


def timed(args, env) -> float:
    start = time.perf_counter()
    run(args, env)
    return time.perf_counter() - start


def make_fixture(path: Path) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tumbuh.settings")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-key-not-for-production-b4b4b4b4b4b4b4b4b4b4b4b4"
    )  # production settings need a key of their own
    import django

    django.setup()
    from tumbuh.wilayah.loading import _to_model, source_rows

    rows = []
    for r in source_rows():
        m = _to_model(r)
        rows.append(
            {
                "model": "wilayah.wilayah",
                "pk": m.code,
                "fields": {
                    "name": m.name,
                    "level": m.level,
                    "kind": m.kind,
                    "parent": m.parent_id,
                    "provinsi_code": m.provinsi_code,
                    "kabupaten_code": m.kabupaten_code,
                    "kecamatan_code": m.kecamatan_code,
                },
            }
        )
    path.write_text(json.dumps(rows))
    return len(rows)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        fixture = tmp / "wilayah.json"
        n = make_fixture(fixture)
        ours, peer = [], []
        for _ in range(args.repeat):
            ours.append(timed(["load_regions", "-v0"], fresh_env(tmp)))
            peer.append(timed(["loaddata", str(fixture), "-v0"], fresh_env(tmp)))
    o, p = statistics.median(ours), statistics.median(peer)
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite")
    print(f"rows: {n}; median of {args.repeat} runs, each in a fresh database (process start included)")
    print("| loader | seconds | rows/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| tumbuh load_regions | {o:.1f} | {n / o:,.0f} | 1.0 |")
    print(f"| django loaddata (same rows as JSON fixture) | {p:.1f} | {n / p:,.0f} | {p / o:.1f}x slower |")


if __name__ == "__main__":
    main()
