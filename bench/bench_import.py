"""Benchmark of the e-PPGBM import (``tumbuh import-measurements``) against a row-by-row peer.

    .venv/bin/python bench/bench_import.py                 # 1,000,000 rows (the target: < 5 min)
    .venv/bin/python bench/bench_import.py --rows 100000   # quicker
    .venv/bin/python bench/bench_import.py --keep          # keep /tmp/tumbuh-bench-import/ afterwards
    .venv/bin/python bench/bench_import.py --database-url postgres://postgres@127.0.0.1:5432/tumbuh_bench
                                                           # on PostgreSQL (that database and <name>_peer are
                                                           # dropped and created afresh)

What it does, all under /tmp/tumbuh-bench-import/:

1. a fresh SQLite (or PostgreSQL: ``--database-url``) database with the demo district (Luwu Timur's regions, puskesmas, posyandu
   and accounts; no children);
2. a realistic e-PPGBM CSV export: the demo's posyandu and children's names, Indonesian
   headers ("Pukesmas" sic), decimal commas, dd/mm/yyyy dates, "2 Tahun - 3 Bulan - 5 Hari",
   Terlentang/Berdiri, about 8 visits per child over 2023–2025, e-PPGBM's own z-scores
   (2 decimals, a few percent off), and the usual mess: unit errors (mm, grams), swapped
   weight/height, invalid NIKs, duplicate rows, misspelt posyandu;
3. ``tumbuh import-measurements FILE --user admin.lutim`` timed as a whole process (wall
   clock, including Python start-up), then the same file again (idempotent re-import);
4. the peer: the same importer, but writing each row with ``do_save`` (one validated,
   audited INSERT per child and per measurement, z-scores per row: the framework's
   row-by-row path), on a sample of ``--peer-rows`` rows in a copy of the fresh database,
   extrapolated to the full file.

Timings belong here, never in tests. Prints Markdown for docs/performance.md and writes
JSON to bench/out/import.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WORK = Path("/tmp/tumbuh-bench-import")
PYTHON = sys.executable
TUMBUH = str(Path(PYTHON).with_name("tumbuh"))

from tumbuh.measurements.tests.import_files import BULAN, HEADERS  # noqa: E402  (after sys.path)

#: WHO 2006 medians (boys/girls averaged, rounded) for a plausible generator; the exact
#: z-scores come from the growth engine afterwards.
AGE_M = np.array([0, 3, 6, 9, 12, 18, 24, 36, 48, 60], dtype=float)
HEIGHT_MEDIAN = np.array([49.5, 60.5, 66.5, 71.0, 74.8, 81.2, 86.4, 95.1, 102.7, 109.6])
WEIGHT_MEDIAN = np.array([3.3, 6.1, 7.6, 8.6, 9.4, 10.8, 12.0, 14.1, 16.1, 18.2])


#: var directory → the PostgreSQL database it runs against (``--database-url``); SQLite otherwise.
DATABASES: dict[Path, str] = {}


def env(var_dir: Path) -> dict:
    e = dict(os.environ)
    e.update({"TUMBUH_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "tumbuh.settings", "PYTHONPATH": str(ROOT)})
    e.pop("DATABASE_URL", None)
    e.setdefault(
        "SECRET_KEY", "bench-only-key-not-for-production-b4b4b4b4b4b4b4b4b4b4b4b4"
    )  # production settings need a key of their own
    if var_dir in DATABASES:
        e["DATABASE_URL"] = DATABASES[var_dir]
    return e


def recreate(url: str, *, template: str | None = None, drop_only: bool = False) -> None:
    """Drop the PostgreSQL database of ``url`` and (unless ``drop_only``) create it afresh, as a
    copy of the database ``template`` if given."""
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def django_snippet(var_dir: Path, code: str) -> str:
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    out = subprocess.run([PYTHON, "-c", script], env=env(var_dir), cwd=ROOT, check=True, capture_output=True, text=True)
    return out.stdout


def fresh_database(var_dir: Path) -> dict:
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    subprocess.run([TUMBUH, "migrate", "-v", "0", "--skip-checks"], env=env(var_dir), cwd=ROOT, check=True)
    out = django_snippet(
        var_dir,
        """
        import json
        from tumbuh.demo.generator import build_demo
        from tumbuh.organisation.models import Posyandu
        from tumbuh.wilayah.models import Wilayah
        build_demo()
        kec = dict(Wilayah.objects.filter(kabupaten_code="73.24", level=3).values_list("code", "name"))
        rows = [[p.name, p.desa.name, kec[p.desa.kecamatan_code], p.puskesmas.name, p.desa.kecamatan_code]
                for p in Posyandu.objects.filter(desa__kabupaten_code="73.24").select_related("desa", "puskesmas")]
        print(json.dumps(rows))
    """,
    )
    return {"posyandu": json.loads(out.strip().splitlines()[-1])}


def names():
    try:
        from tumbuh.demo.names import BOYS, GIRLS, MOTHERS
    except ImportError:  # the demo's name lists, if that module is not there
        BOYS = ["Fadil", "Rizky", "Aditya", "Ilham", "Rahmat", "Alif", "Farhan", "Yusuf", "Akbar", "Hamzah"]
        GIRLS = ["Aisyah", "Zahra", "Aulia", "Nabila", "Putri", "Fatimah", "Nayla", "Rahma", "Indah", "Annisa"]
        MOTHERS = ["Sitti Aminah", "Hasnah", "Nurhayati", "Rosmini", "Jumriani", "Hasmawati"]
    mothers = [m if isinstance(m, str) else m[0] for m in MOTHERS]
    return list(BOYS), list(GIRLS), mothers


def age_text(days: int) -> str:
    years, rest = divmod(days, 365)
    months, d = divmod(rest, 30)
    return f"{years} Tahun - {min(months, 11)} Bulan - {d} Hari"


def comma(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def generate(path: Path, n_rows: int, posyandu: list, seed: int = 2026) -> dict:
    """A realistic e-PPGBM export of ``n_rows`` visit rows."""
    from tumbuh.growth.zscores import anthro_zscores

    rng = np.random.default_rng(seed)
    boys, girls, mothers = names()
    visits_per_child = 8
    n_children = max(1, n_rows // visits_per_child)
    sex = rng.integers(1, 3, n_children)
    birth0 = dt.date(2021, 1, 1).toordinal()
    birth = birth0 + rng.integers(0, 900, n_children)
    place = rng.integers(0, len(posyandu), n_children)
    haz = rng.normal(-1.0, 1.1, n_children)
    waz = 0.6 * haz + rng.normal(-0.3, 0.8, n_children)
    first = np.where(sex == 1, rng.integers(0, len(boys), n_children), rng.integers(0, len(girls), n_children))
    second = np.where(sex == 1, rng.integers(0, len(boys), n_children), rng.integers(0, len(girls), n_children))
    mother = rng.integers(0, len(mothers), n_children)
    has_nik = rng.random(n_children) < 0.75
    months = [dt.date(2023, 7, 15) + dt.timedelta(days=30.44 * k) for k in range(30)]
    month_ord = np.array([m.toordinal() for m in months])

    # Visits: 8 distinct months per child (rows = children × 8, trimmed to n_rows).
    child = np.repeat(np.arange(n_children), visits_per_child)[:n_rows]
    pick = np.argsort(rng.random((n_children, 30)), axis=1)[:, :visits_per_child]
    pick.sort(axis=1)
    visit = month_ord[pick.reshape(-1)[: len(child)]] + rng.integers(-10, 10, len(child))
    visit = np.minimum(visit, dt.date.today().toordinal() - 1)
    age = visit - birth[child]
    ok = (age >= 0) & (age < 1826)
    child, visit, age = child[ok], visit[ok], age[ok]
    age_m = age / 30.4375
    height = np.interp(age_m, AGE_M, HEIGHT_MEDIAN) * (1 + 0.038 * haz[child]) + rng.normal(0, 0.3, len(child))
    weight = np.interp(age_m, AGE_M, WEIGHT_MEDIAN) * (1 + 0.11 * waz[child]) * rng.normal(1, 0.02, len(child))
    heaped = rng.random(len(child)) < 0.4  # heaping at .0/.5
    height = np.round(np.where(heaped, np.round(height * 2) / 2, height), 1)
    weight = np.round(weight, 1)
    lying = age < 731
    wrong_position = rng.random(len(child)) < 0.03
    lying = np.where(wrong_position, ~lying, lying)
    z = anthro_zscores(
        sex=sex[child].astype(float),
        age_days=age.astype(float),
        weight=weight,
        lenhei=height,
        measure=np.where(lying, "l", "h"),
        round_digits=2,
    )
    n = len(child)
    off = rng.random(n) < 0.03  # e-PPGBM's own z-scores a little off in a few percent
    zs_tbu = np.where(off, z["zlen"] + rng.uniform(0.05, 0.5, n), z["zlen"])

    # The mess.
    u = rng.random(n)
    mm, grams, swapped = u < 0.004, (u >= 0.004) & (u < 0.007), (u >= 0.007) & (u < 0.009)
    typo = (u >= 0.009) & (u < 0.011)
    bad_nik = rng.random(n_children) < 0.05
    duplicate = rng.random(n) < 0.003
    counts = {
        "rows": 0,
        "children": n_children,
        "unit_mm": int(mm.sum()),
        "unit_grams": int(grams.sum()),
        "swapped": int(swapped.sum()),
        "posyandu_typos": int(typo.sum()),
        "duplicates": int(duplicate.sum()),
    }

    nik = []
    for i in range(n_children):
        b = dt.date.fromordinal(int(birth[i]))
        if not has_nik[i]:
            nik.append("")
            continue
        day = b.day + (40 if sex[i] == 2 else 0)
        kec = posyandu[place[i]][4].replace(".", "")
        value = f"{kec}{day:02d}{b:%m%y}{i % 10000:04d}"
        nik.append(value[:14] if bad_nik[i] else value)
    child_name = [
        f"{(boys if sex[i] == 1 else girls)[first[i]]} {(boys if sex[i] == 1 else girls)[second[i]]}"
        for i in range(n_children)
    ]

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADERS)
        for j in range(n):
            c = int(child[j])
            p = posyandu[place[c]]
            b = dt.date.fromordinal(int(birth[c]))
            d = dt.date.fromordinal(int(visit[j]))
            wt, ht = float(weight[j]), float(height[j])
            if mm[j]:
                ht *= 10
            if grams[j]:
                wt *= 1000
            if swapped[j]:
                wt, ht = ht, wt
            posy = p[0] + "i" if typo[j] else p[0]
            use_comma = j % 5 != 0
            fmt = (lambda x, k: comma(x, k)) if use_comma else (lambda x, k: f"{x:.{k}f}")
            row = [
                nik[c],
                child_name[c].upper() if j % 7 == 0 else child_name[c],
                "L" if sex[c] == 1 else "P",
                f"{b:%d/%m/%Y}",
                fmt(3.1, 1),
                "49",
                mothers[mother[c]],
                "SULAWESI SELATAN",
                "LUWU TIMUR",
                p[2],
                p[3],
                p[1],
                posy,
                f"{c % 9 + 1:03d}",
                f"{c % 4 + 1:03d}",
                f"Dusun {p[1]}",
                age_text(int(age[j])),
                f"{d:%d/%m/%Y}",
                BULAN[d.month],
                fmt(wt, 1),
                fmt(ht, 1),
                "Terlentang" if lying[j] else "Berdiri",
                "",
                "Berat Badan Normal",
                fmt(z["zwei"][j], 2) if z["zwei"][j] == z["zwei"][j] else "",
                "Normal",
                fmt(zs_tbu[j], 2) if zs_tbu[j] == zs_tbu[j] else "",
                "Gizi Baik",
                fmt(z["zwfl"][j], 2) if z["zwfl"][j] == z["zwfl"][j] else "",
                "N",
                "",
                "1",
                "",
                "Ya",
                "",
                "",
            ]
            w.writerow(row)
            counts["rows"] += 1
            if duplicate[j]:
                w.writerow(row)
                counts["rows"] += 1
    return counts


def timed(cmd: list[str], var_dir: Path) -> tuple[float, str, float]:
    """Wall clock, output and CPU seconds (user + system) of a command."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, env=env(var_dir), cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit(out.returncode)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, out.stdout.strip(), cpu


PEER = """
import sys, time
from django.db import transaction
from tumbuh.accounts.models import User
from tumbuh.audit.actions import do_save
from tumbuh.imports.framework import CREATED, UNCHANGED, UPDATED, register, run_import
from tumbuh.measurements.importers import EppgbmImporter
from tumbuh.measurements.models import Child, Measurement, Source
from tumbuh.measurements.scoring import score
from tumbuh.wilayah.models import Wilayah


@register
class RowByRow(EppgbmImporter):
    kind = "eppgbm_rowwise"

    def write(self, plans):
        out = []
        for plan in plans:
            if not plan.changed:
                out.append(UNCHANGED)
                continue
            ref = plan.extra["ref"]
            if ref.pk is None:
                child = Child(**ref.obj)
                do_save(self.user, child, reason=self.audit_reason(plan.row))
                ref.pk, ref.obj = child.pk, None
            m = Measurement.objects.get(pk=plan.extra["pk"]) if plan.extra["pk"] else Measurement(
                child_id=ref.pk, source=Source.IMPORT, import_batch=self.batch, entered_by=self.user)
            self._fill(m, plan)
            score([m])
            self._finish_measurement(m, plan)
            do_save(self.user, m, reason=self.audit_reason(plan.row))
            out.append(CREATED if not plan.extra["pk"] else UPDATED)
        self.new_children = []
        return out


user = User.objects.get(username="admin.lutim")
start = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    batch = run_import("eppgbm_rowwise", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=f, file_name="peer.csv")
print(time.perf_counter() - start, batch.total_rows, batch.summary())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--peer-rows", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--database-url", help="a PostgreSQL database to run on (dropped and created afresh)")
    args = parser.parse_args()

    WORK.mkdir(parents=True, exist_ok=True)
    var_dir, peer_dir = WORK / "var", WORK / "var-peer"
    if args.database_url:
        DATABASES[var_dir], DATABASES[peer_dir] = args.database_url, args.database_url + "_peer"
        recreate(args.database_url)
    t0 = time.perf_counter()
    demo = fresh_database(var_dir)
    setup_s = time.perf_counter() - t0
    if peer_dir.exists():
        shutil.rmtree(peer_dir)
    shutil.copytree(var_dir, peer_dir)
    if args.database_url:
        recreate(DATABASES[peer_dir], template=args.database_url.rsplit("/", 1)[1])

    path = WORK / f"eppgbm-{args.rows}.csv"
    t0 = time.perf_counter()
    counts = generate(path, args.rows, demo["posyandu"])
    gen_s = time.perf_counter() - t0
    size_mb = path.stat().st_size / 1e6
    print(
        f"generated {counts['rows']:,} rows ({size_mb:.0f} MB) in {gen_s:.0f} s; database set up in {setup_s:.0f} s",
        flush=True,
    )

    cmd = [TUMBUH, "import-measurements", str(path), "--user", "admin.lutim", "--no-progress", "--skip-checks"]
    print(f"load average before the import: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    first_s, first_out, first_cpu = timed(cmd, var_dir)
    print(f"import: {first_s:.1f} s wall, {first_cpu:.1f} s CPU\n{first_out.splitlines()[0]}", flush=True)
    again_s, again_out, again_cpu = timed(cmd, var_dir)
    print(f"re-import: {again_s:.1f} s wall, {again_cpu:.1f} s CPU\n{again_out.splitlines()[0]}", flush=True)

    sample = WORK / "peer-sample.csv"
    with path.open(encoding="utf-8") as src, sample.open("w", encoding="utf-8") as dst:
        for i, line in enumerate(src):
            if i > args.peer_rows:
                break
            dst.write(line)
    script = "import django; django.setup()\n" + PEER
    out = subprocess.run(
        [PYTHON, "-c", script, str(sample)], env=env(peer_dir), cwd=ROOT, check=True, capture_output=True, text=True
    )
    peer_s, peer_rows = (float(x) for x in out.stdout.split()[:2])
    peer_full_s = peer_s / peer_rows * counts["rows"]
    print(
        f"peer (row by row, do_save): {peer_rows:.0f} rows in {peer_s:.1f} s → {peer_full_s:.0f} s for the full file",
        flush=True,
    )

    result = {
        "rows": counts["rows"],
        "children": counts["children"],
        "file_mb": round(size_mb, 1),
        "mess": counts,
        "import_s": round(first_s, 1),
        "reimport_s": round(again_s, 1),
        "import_cpu_s": round(first_cpu, 1),
        "reimport_cpu_s": round(again_cpu, 1),
        "load_average": os.getloadavg()[0],
        "import_summary": first_out,
        "reimport_summary": again_out,
        "rows_per_s": round(counts["rows"] / first_s),
        "peer_rows": int(peer_rows),
        "peer_s": round(peer_s, 2),
        "peer_extrapolated_s": round(peer_full_s),
        "ratio": round(peer_full_s / first_s, 1),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": "postgresql" if args.database_url else "sqlite",
    }
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "import.json").write_text(json.dumps(result, indent=2))
    print()
    print("| | rows | wall time | rows/s |")
    print("|---|---:|---:|---:|")
    print(
        f"| `tumbuh import-measurements` (bulk, vectorised z-scores, one transaction) | {counts['rows']:,} | {first_s:.0f} s ({first_cpu:.0f} s CPU) | {counts['rows'] / first_s:,.0f} |"
    )
    print(
        f"| same file again (all unchanged) | {counts['rows']:,} | {again_s:.0f} s ({again_cpu:.0f} s CPU) | {counts['rows'] / again_s:,.0f} |"
    )
    print(
        f"| peer: row by row through `do_save` (sample of {peer_rows:,.0f}, extrapolated) | {counts['rows']:,} | {peer_full_s:,.0f} s | {peer_rows / peer_s:,.0f} |"
    )
    print(f"\nratio peer / import: {peer_full_s / first_s:.0f}×")
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
        shutil.rmtree(peer_dir, ignore_errors=True)
        for url in (DATABASES.get(var_dir), DATABASES.get(peer_dir)):
            if url:
                recreate(url, drop_only=True)
        path.unlink(missing_ok=True)
        sample.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
