"""The import queue with real processes: one worker drains the queued batches in order, a killed
worker's batch fails with a reason and nothing of it stays, a re-run succeeds, an upload during
a run ends done; and the rules for a gone worker, on a fixed clock.

The process tests run a separate Tumbuh instance (a file-based SQLite database in a temporary
VAR_DIR, migrated once per module and copied for each test): its worker is a real
``tumbuh run_import`` process, killed with SIGKILL where a server restart would kill it. The
test process only starts processes and reads their database.
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.urls import reverse

from tumbuh.imports import background
from tumbuh.imports.framework import create_batch, store_source
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.progress import Beat, clear_progress, read_beat, worker_name, write_progress
from tumbuh.imports.testing import csv_bytes
from tumbuh.wilayah.models import Wilayah

ROOT = Path(__file__).resolve().parents[3]
REASON = (
    "Proses impor terhenti sebelum selesai (server dimulai ulang atau proses dihentikan). "
    "Tidak ada data yang tersimpan. Jalankan ulang."
)
HOST = socket.gethostname()

# ---------------------------------------------------------------- a Tumbuh instance of its own

PRELUDE = textwrap.dedent("""\
    import json, django
    django.setup()
    from tumbuh.accounts.models import User
    from tumbuh.imports import background
    from tumbuh.imports.framework import create_batch, store_source
    from tumbuh.imports.models import ImportBatch
    from tumbuh.imports.testing import csv_bytes
    from tumbuh.organisation.models import Opd
    from tumbuh.wilayah.models import Wilayah

    def opd_file(prefix, rows):
        return csv_bytes([["Singkatan", "Nama OPD", "Jenis"]]
                         + [[f"{prefix}{i:06d}", f"Dinas {prefix} {i}", "dinas"] for i in range(rows)])

    def queue(prefix, rows):
        batch = create_batch("opd", user=User.objects.get(username="ops"), kabupaten=Wilayah.objects.get(code="73.24"),
                             file_name=f"{prefix}.csv", status="queued")
        return store_source(batch, opd_file(prefix, rows))
    """)


class Instance:
    """A Tumbuh instance on disk: its environment, code run in it, its worker."""

    def __init__(self, var: Path):
        self.var = var
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TUMBUH_"))}
        self.env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
            "TUMBUH_DEBUG": "1",
            "TUMBUH_VAR_DIR": str(var),
            "TUMBUH_CACHE_URL": f"file://{var / 'cache'}",
            # a busy database waits rather than fails, as a page view would retry
            "DATABASE_URL": f"sqlite:///{var / 'tumbuh.sqlite3'}?timeout=60",
        }

    def python(self, code: str, timeout: float = 180) -> object:
        """Run ``code`` (after ``PRELUDE``) in a new process of the instance; what it prints, as JSON."""
        done = subprocess.run(
            [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None

    def tumbuh(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "tumbuh.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tumbuh.cli", "run_import"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def batches(self, *pks: int) -> list[dict]:
        """The batches as stored (read with sqlite3 directly: no Django in this process for it)."""
        with sqlite3.connect(self.var / "tumbuh.sqlite3", timeout=60) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(f"SELECT * FROM imports_importbatch WHERE id IN ({','.join('?' * len(pks))})", pks)
            by_pk = {row["id"]: dict(row) for row in rows}
        return [by_pk[pk] for pk in pks]

    def count(self, sql: str, *params) -> int:
        with sqlite3.connect(self.var / "tumbuh.sqlite3", timeout=60) as db:
            return db.execute(sql, params).fetchone()[0]

    def progress(self, pk: int) -> dict | None:
        try:
            return json.loads((self.var / "import-progress" / f"{pk}.json").read_text())
        except (OSError, ValueError):
            return None

    def wait_for(self, condition, timeout: float = 180, what: str = ""):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    """A migrated instance with one kabupaten and one superuser ("ops"), once per module."""
    instance = Instance(tmp_path_factory.mktemp("queue-template"))
    instance.tumbuh("migrate", "-v0")
    instance.python("""
        Wilayah.objects.create(code="73.24", name="Luwu Timur", level=2, kind="kabupaten", provinsi_code="73",
                               kabupaten_code="73.24")
        User.objects.create_superuser("ops", "ops@example.org", "ops-password-1")
    """)
    with sqlite3.connect(instance.var / "tumbuh.sqlite3") as db:  # one file, nothing left in the WAL
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return instance.var / "tumbuh.sqlite3"


@pytest.fixture
def instance(template_db, tmp_path) -> Instance:
    var = tmp_path / "var"
    var.mkdir()
    with sqlite3.connect(template_db) as source, sqlite3.connect(var / "tumbuh.sqlite3") as copy:
        source.backup(copy)
    return Instance(var)


def _ended(instance: Instance, *pks: int):
    return lambda: all(b["status"] in ("done", "failed") for b in instance.batches(*pks))


# ---------------------------------------------------------------- real processes


def test_one_worker_runs_the_queued_batches_oldest_first(instance):
    first, second = instance.python("""
        print(json.dumps([queue("SATU", 300).pk, queue("DUA", 300).pk]))
    """)
    worker = instance.worker()
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    a, b = instance.batches(first, second)
    assert (a["status"], a["created"], b["status"], b["created"]) == ("done", 300, "done", 300)
    assert a["worker"] == b["worker"] == f"{worker.pid}@{HOST}"  # one worker ran both
    assert a["finished_at"] <= b["heartbeat_at"]  # the second started after the first ended
    assert [line.split()[0] for line in out.splitlines()] == [str(first), str(second)]
    assert not (instance.var / "import-progress" / f"{first}.json").exists()


def test_a_killed_worker_s_batch_fails_with_the_reason_keeps_nothing_and_runs_again(instance):
    rows = 8000
    pk = instance.python(f"""
        print(json.dumps(queue("MATI", {rows}).pk))
    """)
    audited = instance.count("SELECT count(*) FROM audit_auditlog")
    worker = instance.worker()
    # Killed with rows written in its open transaction (the first progress report is at 5,000 rows).
    instance.wait_for(lambda: (instance.progress(pk) or {}).get("done", 0) >= 5000, what="5,000 rows")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    [batch] = instance.batches(pk)
    assert batch["status"] == "running" and batch["worker"] == f"{worker.pid}@{HOST}"  # "Berjalan", for now

    out = instance.tumbuh("import_recover")
    assert f"{pk} MATI.csv: failed" in out
    [batch] = instance.batches(pk)
    assert (batch["status"], batch["error"]) == ("failed", REASON)
    assert instance.count("SELECT count(*) FROM organisation_opd WHERE short_name LIKE 'MATI%'") == 0
    assert instance.count("SELECT count(*) FROM imports_importrow WHERE batch_id = ?", pk) == 0
    assert instance.count("SELECT count(*) FROM audit_auditlog") == audited

    # Run again from the stored file, by the worker that the re-run starts (a large file).
    instance.env["TUMBUH_IMPORT_INLINE_BYTES"] = "1000"
    again = instance.python(f"""
        batch = background.rerun(ImportBatch.objects.get(pk={pk}), User.objects.get(username="ops"))
        print(json.dumps([batch.pk, batch.status]))
    """)
    assert again[1] == "queued"
    instance.wait_for(_ended(instance, again[0]), what="the re-run")
    [old, new] = instance.batches(pk, again[0])
    assert (new["status"], new["created"], new["rejected"]) == ("done", rows, 0)
    assert new["retry_of_id"] == pk
    assert new["source"] == old["source"]
    assert instance.count("SELECT count(*) FROM organisation_opd WHERE short_name LIKE 'MATI%'") == rows


def test_a_stale_heartbeat_with_a_live_looking_record_is_recovered(instance):
    """The record names a live process of this host (this test's) and so does the progress
    file, but neither has said anything for longer than the limit: the batch failed."""
    stale = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)).timestamp()
    me = f"{os.getpid()}@{HOST}"
    pks = instance.python(f"""
        import datetime
        from django.utils import timezone
        old, fresh = queue("BEKU", 5), queue("HIDUP", 5)
        ImportBatch.objects.filter(pk=old.pk).update(status="running", worker="{me}",
                                                     heartbeat_at=timezone.now() - datetime.timedelta(minutes=10))
        ImportBatch.objects.filter(pk=fresh.pk).update(status="running", worker="{me}", heartbeat_at=timezone.now())
        print(json.dumps([old.pk, fresh.pk]))
    """)
    progress = instance.var / "import-progress"
    progress.mkdir()
    (progress / f"{pks[0]}.json").write_text(
        json.dumps({"done": 10, "total": 5, "pid": os.getpid(), "host": HOST, "at": stale})
    )
    out = instance.tumbuh("import_recover")
    old, fresh = instance.batches(*pks)
    assert (old["status"], old["error"]) == ("failed", REASON) and "1 batch(es) marked failed" in out
    assert fresh["status"] == "running"  # alive and recent: left alone
    assert not (progress / f"{pks[0]}.json").exists()


def test_a_second_upload_during_a_run_ends_done_after_it(instance):
    first = instance.python("""
        print(json.dumps(queue("PERTAMA", 8000).pk))
    """)
    worker = instance.worker()
    instance.wait_for(lambda: (instance.progress(first) or {}).get("done", 0) >= 5000, what="the first batch running")
    # The upload page's steps: store the file as a queued batch, then start it. It is small, but
    # an import is running, so it waits for its turn instead of running beside it.
    second, status_then, first_then = instance.python(f"""
        first = ImportBatch.objects.get(pk={first}).status
        batch = background.start(queue("KEDUA", 5))
        print(json.dumps([batch.pk, batch.status, first]))
    """)
    assert first_then == "running" and status_then in ("queued", "done")
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    instance.wait_for(_ended(instance, first, second), what="both batches")
    a, b = instance.batches(first, second)
    assert (a["status"], a["created"], b["status"], b["created"]) == ("done", 8000, "done", 5)
    assert b["heartbeat_at"] >= a["finished_at"]  # one after the other, never side by side


def test_a_worker_goes_on_after_a_batch_that_crashes(instance):
    pks = instance.python("""
        import os
        broken, good = queue("RUSAK", 5), queue("BAIK", 5)
        os.remove(broken.source.path)  # the stored file is gone: this batch cannot be read
        print(json.dumps([broken.pk, good.pk]))
    """)
    worker = instance.worker()
    worker.communicate(timeout=300)
    broken, good = instance.batches(*pks)
    assert broken["status"] == "failed" and "FileNotFoundError" in broken["error"]
    assert (good["status"], good["created"]) == ("done", 5)


def test_a_second_worker_leaves_the_queue_to_the_first(instance):
    """While the lock is held (by a running worker; here by the test, so the timing is certain),
    a new worker leaves at once and the batch waits; once it is free, a worker runs it."""
    import fcntl

    pk = instance.python("""
        print(json.dumps(queue("SATU", 50).pk))
    """)
    with open(instance.var / "import-worker.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = instance.worker()
        out, _err = second.communicate(timeout=120)
        assert second.returncode == 0 and out.strip() == "another worker runs the queue"  # the lock held: it left
        assert instance.batches(pk)[0]["status"] == "queued"
    third = instance.worker()
    out, _err = third.communicate(timeout=300)
    assert instance.batches(pk)[0]["status"] == "done"


# ---------------------------------------------------------------- the rules, on a fixed clock

NOW = datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC)


def _gone(worker, heartbeat_seconds_ago, beat=None, *, alive=True, host="here"):
    heartbeat = NOW - datetime.timedelta(seconds=heartbeat_seconds_ago) if heartbeat_seconds_ago is not None else None
    return background.worker_gone(worker, heartbeat, beat, NOW, stale_after=120, host=host, alive=lambda pid: alive)


def _beat(worker, seconds_ago):
    pid, _, host = worker.partition("@")
    return Beat(5000, 10000, int(pid), host, NOW - datetime.timedelta(seconds=seconds_ago))


def test_a_dead_process_of_this_host_is_gone_at_once():
    assert _gone("41@here", 1, _beat("41@here", 1), alive=False)


def test_a_live_process_is_alive_while_it_beats():
    assert not _gone("41@here", 1)
    assert not _gone("41@here", 600, _beat("41@here", 30))  # the record is old, the file is fresh
    assert _gone("41@here", 600, _beat("41@here", 121))  # both silent past the limit


def test_a_file_of_another_process_is_no_sign_of_life():
    assert _gone("41@here", 600, _beat("42@here", 1))


def test_a_process_of_another_host_is_judged_by_its_heartbeat_only():
    assert not _gone("41@there", 119, alive=False)
    assert _gone("41@there", 121, alive=True)


def test_a_batch_with_no_worker_on_record():
    assert _gone("", None)
    assert not _gone("", 600, _beat("41@here", 10))  # any file counts
    assert not _gone("", 60)


def test_a_zombie_is_not_alive():
    child = subprocess.Popen(["true"])
    time.sleep(0.3)  # ended, not yet reaped: a zombie
    assert not background.pid_alive(child.pid)
    child.wait()
    assert not background.pid_alive(child.pid) and background.pid_alive(os.getpid())


# ---------------------------------------------------------------- the progress file


def test_the_progress_file_carries_the_process_and_keeps_beating(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr("tumbuh.imports.progress.BEAT_SECONDS", 0.05)
    write_progress(7, 5000, 9000)
    first = read_beat(7)
    assert (first.done, first.total, first.worker) == (5000, 9000, worker_name())
    time.sleep(0.3)
    assert read_beat(7).at > first.at and read_beat(7).done == 5000  # beating, the count kept
    clear_progress(7)
    time.sleep(0.2)
    assert read_beat(7) is None  # not written again once cleared


# ---------------------------------------------------------------- the pages


@pytest.fixture
def no_worker(monkeypatch):
    """The pages start a worker for queued batches; here the test database is not another
    process's to see, so the start is recorded instead."""
    started = []
    monkeypatch.setattr(background, "spawn_worker", lambda: started.append(True))
    return started


def _queued(user, name, rows=(("ANTRIAN", "Dinas Uji Antrian", "dinas"),), kind="opd"):
    batch = create_batch(
        kind, user=user, kabupaten=Wilayah.objects.get(code="73.24"), file_name=name, status=BatchStatus.QUEUED
    )
    return store_source(batch, csv_bytes([["Singkatan", "Nama OPD", "Jenis"], *rows]))


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.mark.django_db
def test_the_page_shows_the_queue_and_the_running_import(client, alice, no_worker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    running, first, second = _queued(alice, "a.csv"), _queued(alice, "b.csv"), _queued(alice, "c.csv")
    running.status = BatchStatus.RUNNING
    running.save()  # names this process as its worker, as any run does
    write_progress(running.pk, 5000, 20000)
    try:
        client.force_login(alice)
        page = client.get(reverse("imports:batch", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
        assert "Menunggu giliran: 2 impor lain berjalan lebih dulu." in page
        assert "5.000 dari sekitar 20.000 baris" in page and 'hx-trigger="every 2s"' in page
        poll = client.get(reverse("imports:progress", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
        assert "Menunggu giliran: 1 impor lain berjalan lebih dulu." in poll
        assert no_worker  # queued batches and no worker holding the lock: one is started
        running.refresh_from_db()
        assert running.status == BatchStatus.RUNNING and running.worker == worker_name()
    finally:
        clear_progress(running.pk)


@pytest.mark.django_db
def test_a_batch_of_a_dead_worker_shows_failed_and_runs_again(
    client, alice, bob, charlie, no_worker, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    batch = _queued(alice, "opd.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING, worker=f"{_dead_pid()}@{HOST}", heartbeat_at=datetime.datetime.now(datetime.UTC)
    )
    client.force_login(alice)
    listing = client.get(reverse("imports:list"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Gagal" in listing
    batch.refresh_from_db()
    assert (batch.status, batch.error) == (BatchStatus.FAILED, REASON)
    page = client.get(reverse("imports:batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert REASON in page and 'data-testid="rerun-form"' in page
    for other, status in ((bob, 404), (charlie, 404)):  # not their batch to see, let alone run
        client.force_login(other)
        assert client.post(reverse("imports:rerun", args=[batch.pk])).status_code == status
    client.force_login(alice)
    response = client.post(reverse("imports:rerun", args=[batch.pk]))
    again = ImportBatch.objects.get(retry_of=batch)
    assert response["Location"] == reverse("imports:batch", args=[again.pk])
    assert (again.status, again.created, again.created_by) == (BatchStatus.DONE, 1, alice)  # small: run at once
    assert client.post(reverse("imports:rerun", args=[again.pk])).status_code == 302  # a done batch: refused
    assert not again.retries.exists()
    assert 'data-testid="retried-link"' in client.get(reverse("imports:batch", args=[batch.pk])).content.decode()


@pytest.mark.django_db
def test_a_viewer_may_not_run_a_failed_batch_again(client, alice, demo_users, no_worker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    batch = _queued(alice, "opd.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error="x")
    viewer = demo_users["pantau.lutim"]
    client.force_login(viewer)
    assert client.get(reverse("imports:batch", args=[batch.pk])).status_code == 403
    assert client.post(reverse("imports:rerun", args=[batch.pk])).status_code == 403
    assert not batch.retries.exists()


@pytest.mark.django_db
def test_a_small_upload_waits_while_an_import_runs(alice, no_worker, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    running = _queued(alice, "besar.csv")
    ImportBatch.objects.filter(pk=running.pk).update(
        status=BatchStatus.RUNNING, worker=worker_name(), heartbeat_at=datetime.datetime.now(datetime.UTC)
    )
    small = background.start(_queued(alice, "kecil.csv", rows=(("KECIL", "Badan Uji Kecil", "badan"),)))
    assert small.status == BatchStatus.QUEUED and no_worker == [True]
    with background.worker_lock() as mine:  # a worker holds the lock: nobody else is started
        assert mine
        no_worker.clear()
        background.wake()
        assert no_worker == []
