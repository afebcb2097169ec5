"""An import does not lock the site (issue 15): a real server, a real database file, a real import.

Before, an import held SQLite's write lock from its first row to its last (and a dry run too,
rolled back at the end), and every page view wrote its session: during a 27-second import 12 of
15 page views failed, and logins answered "database is locked". Here a district is set up in a
temporary directory (``migrate``, ``load_demo``), a tens-of-thousands-row e-PPGBM export is made
from the demo's children (``demo/eppgbm_export.py``), ``gunicorn`` serves the district and
``tumbuh import`` runs in another process, while threads view pages as logged-in users and log in
afresh. Every answer must be a page or a redirect, and the import must take in every row.

The same instance shows that a dry run takes no write lock (it finishes while another
connection holds one) and writes nothing (every table keeps its row count), and that it counts
exactly what the real import then does. With ``DATABASE_URL`` set to PostgreSQL the instance
runs on a database of its own on that server instead of a SQLite file.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.demo.accounts import DEMO_PASSWORD
from tumbuh.imports.framework import READ_SHARE, run_import
from tumbuh.imports.models import BatchStatus, ImportBatch, ImportRow
from tumbuh.imports.progress import read_progress
from tumbuh.measurements.importers import EppgbmImporter
from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.tests.eppgbm_fixtures import child_visits, visit, write
from tumbuh.wilayah.models import Wilayah

ROOT = Path(__file__).resolve().parents[3]
#: Demo children whose visits of the rounds below make the file: about 40,000 rows.
CHILDREN = 12_000
ROUNDS = ("2023-08", "2024-02", "2024-08", "2025-02", "2025-08")
IMPORTER = "admin.lutim"
#: Logged-in page views (one user each) and fresh logins, looping while the import runs.
VIEWERS = {"admin.lutim": ("/", "/anak/", "/impor/"), "pkm.malili": ("/", "/anak/"), "desa.balantang": ("/", "/anak/")}
LOGINS = ("dinkes.lutim", "camat.malili")
#: Tables a dry run must not touch (PostgreSQL: locked against writes during it).
WRITTEN = (
    "imports_importbatch",
    "imports_importrow",
    "measurements_child",
    "measurements_measurement",
    "audit_auditlog",
)

EXPORT = """
import sys

import django

django.setup()
from tumbuh.demo import eppgbm_export as E
from tumbuh.demo.children import demo_area, generate

data = generate(demo_area(), int(sys.argv[2]), 2026)
kecamatan = sorted(set(data.area.kecamatan.tolist()))
rows = []
for month in sys.argv[3:]:
    export = E.build_export(data, round_month=month, kecamatan=kecamatan)
    rows += export.rows
E.EppgbmExport(export.headers, rows).write(sys.argv[1])
print(len(rows))
"""

CHECK = """
import json, sys

import django

django.setup()
from tumbuh.imports.models import ImportBatch
from tumbuh.measurements.models import Measurement

batch = ImportBatch.objects.get(pk=int(sys.argv[1]))
print(json.dumps({"status": batch.status, "total": batch.total_rows, "created": batch.created,
                  "updated": batch.updated, "unchanged": batch.unchanged, "rejected": batch.rejected,
                  "stored": Measurement.all_objects.filter(import_batch=batch).count(),
                  "rejected_rows": batch.rejected_rows.count()}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Instance:
    var: Path
    env: dict
    database_url: str | None  # None: SQLite in ``var``
    export: Path = Path()
    rows: int = 0

    def run(self, *args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        if check and done.returncode:
            raise AssertionError(
                f"{args[:4]} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def tumbuh(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return self.run("-m", "tumbuh.cli", *args, **kwargs)

    @property
    def sqlite_file(self) -> Path:
        return self.var / "tumbuh.sqlite3"

    def row_counts(self) -> dict[str, int]:
        """Rows per table, read through a connection of the test's own."""
        if self.database_url is None:
            with sqlite3.connect(self.sqlite_file) as con:
                tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        import psycopg

        with psycopg.connect(self.database_url) as con:
            tables = [t for (t,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _postgres(url: str, name: str, *, create: bool) -> str:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            con.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def make_instance(var: Path) -> Instance:
    """A district of its own in ``var``: a database (a SQLite file, or a PostgreSQL database of
    its own when ``DATABASE_URL`` names a server), the demo organisation and accounts, and an
    e-PPGBM export (``bench/bench_import_traffic.py`` sets one up the same way)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "TUMBUH_VAR_DIR": str(var),
            "TUMBUH_DEMO": "1",
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("TUMBUH_CACHE_URL", None)
    suite_url = os.environ.get("DATABASE_URL", "")
    database_url = None
    if suite_url.startswith(("postgres://", "postgresql://")):
        name = f"{urlsplit(suite_url).path.lstrip('/') or 'tumbuh'}_concurrency"
        database_url = env["DATABASE_URL"] = _postgres(suite_url, name, create=True)
    else:
        env.pop("DATABASE_URL", None)
    site = Instance(var, env, database_url)
    site.tumbuh("migrate", "--noinput", "-v", "0")
    site.tumbuh("load_demo", "--children", "0", "--no-map")
    site.export = var / "eppgbm-besar.csv"
    site.rows = int(site.run("-c", EXPORT, str(site.export), str(CHILDREN), *ROUNDS).stdout.split()[-1])
    return site


def drop_instance(site: Instance) -> None:
    if site.database_url is not None:
        _postgres(site.database_url, urlsplit(site.database_url).path.lstrip("/"), create=False)


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    site = make_instance(tmp_path_factory.mktemp("instance"))
    yield site
    drop_instance(site)


def _summary(output: str) -> str:
    """The batch's summary line ("40123 baris: … ditolak."), without the dry run's prefix."""
    return re.search(r"\d+ baris: .*ditolak\.", output).group(0)


@pytest.fixture(scope="module")
def dry_run(instance):
    """``tumbuh import --dry-run`` while another connection holds the write lock."""
    before = instance.row_counts()
    if instance.database_url is None:
        holder = sqlite3.connect(instance.sqlite_file, timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # SQLite's write lock, as an import's final write holds it
        other = sqlite3.connect(instance.sqlite_file, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # it does stop writers
            other.execute("BEGIN IMMEDIATE")
        other.close()
    else:
        import psycopg

        holder = psycopg.connect(instance.database_url)
        holder.execute(f"LOCK TABLE {', '.join(WRITTEN)} IN EXCLUSIVE MODE")  # reads go on, writes wait
    try:
        done = instance.tumbuh(
            "import", "eppgbm", str(instance.export), "--user", IMPORTER, "--dry-run", "--no-progress", timeout=600
        )
    finally:
        holder.rollback()
        holder.close()
    return {"output": done.stdout, "before": before, "after": instance.row_counts()}


def test_a_dry_run_takes_no_write_lock_and_writes_nothing(instance, dry_run):
    assert dry_run["output"].startswith("Uji coba, tidak ada yang disimpan. ")
    assert dry_run["after"] == dry_run["before"]  # every table, row for row
    rejected = instance.export.with_name(f"{instance.export.stem}-ditolak.xlsx")
    assert rejected.exists()  # the rows to fix, from the dry run's own spool
    assert f"{instance.rows} baris: " in dry_run["output"]


@dataclass
class Answer:
    what: str
    path: str
    status: int
    error: str
    seconds: float
    writing: bool  # started while the import was writing (phase 2)
    during: bool = True


@dataclass
class Browser:
    """A browser of the stdlib: cookies kept, redirects not followed."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return response.status, text

    def log_in(self, username: str) -> tuple[int, str]:
        status, page = self.request("GET", "/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            return status, page
        return self.request(
            "POST", "/masuk/", {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        )


def _writing(var: Path) -> bool:
    """Is the import in its write phase now (its progress past the reading share)?"""
    for path in (var / "import-progress").glob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data["total"] and data["done"] > READ_SHARE * data["total"]:
            return True
    return False


@pytest.fixture
def server(instance):
    port = _free_port()
    process = subprocess.Popen(
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
        env=instance.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if Browser(port).request("GET", "/masuk/")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"gunicorn did not start: {process.stderr.read()[-2000:]}")
        time.sleep(0.5)
    yield port
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a worker stuck in a request: the test has said what it had to
        process.kill()
        process.wait()


def test_page_views_and_logins_go_on_while_an_import_runs(instance, dry_run, server):
    viewers = {}
    for username in VIEWERS:
        viewers[username] = Browser(server)
        assert viewers[username].log_in(username)[0] == 302, username
    answers: list[Answer] = []
    running = threading.Event()
    running.set()

    def record(what: str, path: str, call) -> None:
        writing = _writing(instance.var)
        start = time.monotonic()
        try:
            status, text = call()
            error = "database is locked" if "database is locked" in text else ""
        except Exception as exc:  # a reset connection, a timeout: an answer that failed
            status, error = 0, repr(exc)
        answers.append(Answer(what, path, status, error, time.monotonic() - start, writing, running.is_set()))

    def view(username: str) -> None:  # an office at work: a page every few moments
        browser = viewers[username]
        while running.is_set():
            for path in VIEWERS[username]:
                record("view", path, lambda path=path: browser.request("GET", path))
                time.sleep(0.3)

    def log_in(username: str) -> None:
        while running.is_set():
            browser = Browser(server)
            record("login", "/masuk/", lambda browser=browser: browser.log_in(username))
            record("view after login", "/", lambda browser=browser: browser.request("GET", "/"))
            time.sleep(1)

    importing = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tumbuh.cli",
            "import",
            "eppgbm",
            str(instance.export),
            "--user",
            IMPORTER,
            "--no-progress",
        ],
        env=instance.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    threads = [threading.Thread(target=view, args=(u,)) for u in VIEWERS] + [
        threading.Thread(target=log_in, args=(u,)) for u in LOGINS
    ]
    for thread in threads:
        thread.start()
    try:
        out, err = importing.communicate(timeout=900)
    finally:
        running.clear()
        for thread in threads:
            thread.join(timeout=180)

    assert importing.returncode == 0, err[-3000:]
    failed = [
        a for a in answers if a.status not in (200, 302) or a.error or (a.what == "login" and a.status != 302)
    ]  # a refused login shows the form again (200)
    assert not failed, failed[:10]
    during = [a for a in answers if a.during]
    assert sum(a.what == "view" for a in during) >= 10 and sum(a.what == "login" for a in during) >= 3, during
    assert any(a.writing for a in during), "no request came while the import was writing"

    # Every row of the file is in: taken in or kept as rejected, and counted as the dry run counted.
    assert _summary(out) == _summary(dry_run["output"])
    batch = int(re.search(r"Batch (\d+)", out).group(1))
    found = json.loads(instance.run("-c", CHECK, str(batch)).stdout)
    assert found["status"] == "done" and found["total"] == instance.rows
    assert found["created"] + found["updated"] + found["unchanged"] + found["rejected"] == instance.rows
    assert found["stored"] == found["created"] and found["rejected_rows"] == found["rejected"]
    assert found["created"] > 0.9 * instance.rows


# ---------------------------------------------------------------- in the test database


def _visits() -> list[dict]:
    """Five new children with three visits each, and a row refused while reading."""
    rows = []
    for i, name in enumerate(["Andi Saputra", "Bunga Lestari", "Citra Dewi", "Dimas Pratama", "Eka Putri"]):
        rows += child_visits(name, dt.date(2023, 3, 1 + i), sex="P" if i % 2 else "L", n=3)
    return [*rows[:7], visit(name=""), *rows[7:]]


def _eppgbm(user, **kwargs):
    return run_import(
        "eppgbm",
        user=user,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=write(_visits()),
        file_name="rusak.csv",
        **kwargs,
    )


def _state() -> tuple[int, ...]:
    return (
        Child.all_objects.count(),
        Measurement.all_objects.count(),
        AuditLog.objects.count(),
        ImportRow.objects.count(),
    )


@pytest.mark.django_db
def test_a_crash_while_writing_leaves_nothing_from_the_batch(alice, monkeypatch):
    """Chunks of three: the first two chunks are written when the third one's write fails."""
    monkeypatch.setattr(EppgbmImporter, "chunk_size", 3)
    real, calls = EppgbmImporter._insert_measurements, []

    def failing(self, plans):
        calls.append(len(plans))
        if len(calls) == 3:
            raise OSError("disk full")
        return real(self, plans)

    monkeypatch.setattr(EppgbmImporter, "_insert_measurements", failing)
    before = _state()
    with translation.override("en"):
        batch = _eppgbm(alice)
    assert calls == [3, 3, 3] and batch.status == BatchStatus.FAILED and "disk full" in batch.error
    assert _state() == before  # no child, visit, audit record or rejected row of the batch
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert stored.status == BatchStatus.FAILED and stored.accepted == 0 and stored.source  # on record, to re-run
    assert read_progress(batch.pk) is None  # nothing left of the run either

    monkeypatch.setattr(EppgbmImporter, "_insert_measurements", real)
    again = _eppgbm(alice)  # the same file again: all in, once
    assert (again.status, again.created, again.rejected) == (BatchStatus.DONE, 15, 1)
    assert Child.objects.filter(name="Citra Dewi").count() == 1


@pytest.mark.django_db
def test_a_dry_run_counts_and_finds_what_the_real_run_does(alice, monkeypatch):
    monkeypatch.setattr(EppgbmImporter, "chunk_size", 4)  # children met again in later chunks
    before = _state()
    dry = _eppgbm(alice, dry_run=True)
    assert _state() == before and dry.pk is None
    real = _eppgbm(alice)
    counts = ("total_rows", "created", "updated", "unchanged", "rejected", "skipped")
    assert [getattr(dry, c) for c in counts] == [getattr(real, c) for c in counts] == [16, 15, 0, 0, 1, 0]
    assert dry.findings == real.findings and real.findings["children_created"] == 5
