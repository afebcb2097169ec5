"""PostgreSQL restarts while people work and an import runs (issue 15, "Faults").

A private PostgreSQL cluster (never the suite's server), gunicorn with two workers on it, a
logged-in user whose pages are requested from three threads, and an e-PPGBM import of about
12,000 new rows from the command line. Once the import's transaction has written rows, the
cluster is stopped (fast shutdown), left down for a moment, and started again. Then:

- every request is answered before a timeout, 200 or the Indonesian 503 page, never a traceback;
- after the restart the pages answer 200 again from the same gunicorn processes (persistent
  connections are health-checked: ``CONN_HEALTH_CHECKS``);
- the import batch is DONE with all its rows, or FAILED with none of them (no measurement, no
  new child, no rejected row kept), never left RUNNING; a failed one can be run again.

Runs in the PostgreSQL part of ``make test`` (marker ``pg_cluster``); needs the server binaries
(``initdb``, ``pg_ctl``), missing ones skip it except in CI (``TUMBUH_REQUIRE_PG_CLUSTER``).
"""

from __future__ import annotations

import http.client
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.pg_cluster

BIN = Path(sys.executable).parent  # the venv's tumbuh and gunicorn
#: Seconds a request may take before it counts as a hang.
REQUEST_TIMEOUT = 20
#: How long the database stays down: long enough that requests see it down.
OUTAGE_SECONDS = 2.0
PAGES = ["/dasbor/", "/anak/", "CHILD"]  # CHILD: one child's page, found once the district is loaded
IMPORTER = "tumbuh-restart-import"  # the import's application_name, to find its transaction
UNAVAILABLE = "Basis data sementara tidak tersedia"  # the 503 page's title, in Indonesian


def _pg_bindir() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _skip_unless(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("TUMBUH_REQUIRE_PG_CLUSTER"):
            pytest.fail(why)
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary directory: its own port on 127.0.0.1, its
    unix socket in that directory, trust authentication. initdb refuses root, so as root the
    server runs as the ``postgres`` user (Debian's package makes it), else as ``nobody``."""

    def __init__(self, bindir: Path):
        self.bindir, self.port = bindir, _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tumbuh-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.user = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self.user = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        as_user = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []} if self.user else {}
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            cwd=self.dir,
            timeout=timeout,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            **as_user,
        )
        assert result.returncode == 0, f"{' '.join(args)}: {result.stdout}{result.stderr}\n{self.server_log()}"

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.dir}'\n"
                "fsync = off\nfull_page_writes = off\n"
            )  # a test cluster: speed over durability

    def start(self) -> None:
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30")

    def restart(self) -> None:
        self._run("pg_ctl", "restart", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "30")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (AssertionError, subprocess.SubprocessError):
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Answer:
    page: str
    started: float
    ended: float
    status: int | None  # None: no answer (an exception, e.g. a timeout)
    body: str = ""
    error: str = ""


class Browser:
    """One logged-in user: a session cookie and a keep-alive connection to gunicorn."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port, self.cookies = port, dict(cookies or {})
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        try:
            self.conn.request(method, path, body=body, headers=h)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # gunicorn's sync worker closed the kept-alive connection: a new one, as a browser does
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            self.conn.request(method, path, body=body, headers=h)
            response = self.conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        status, _ = self.request(
            "POST",
            "/masuk/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/masuk/"},
        )
        assert status == 302 and "sessionid" in self.cookies, f"login failed: HTTP {status}"


@dataclass
class Load:
    """Threads requesting ``pages`` in turn until stopped; every answer is kept."""

    port: int
    cookies: dict[str, str]
    pages: list[str]
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, threads: int = 3) -> list[threading.Thread]:
        workers = [threading.Thread(target=self._user, args=(i,), daemon=True) for i in range(threads)]
        for w in workers:
            w.start()
        return workers

    def _user(self, i: int) -> None:
        browser, n = Browser(self.port, self.cookies), i
        deadline = time.monotonic() + 120  # bounded whatever happens
        while not self.stop.is_set() and time.monotonic() < deadline:
            page, n = self.pages[n % len(self.pages)], n + 1
            started = time.monotonic()
            try:
                status, body = browser.request("GET", page)
                self.answers.append(Answer(page, started, time.monotonic(), status, body))
            except Exception as exc:  # a timeout (a hang) or a refused connection: gunicorn must not do either
                self.answers.append(Answer(page, started, time.monotonic(), None, error=f"{type(exc).__name__}: {exc}"))
                browser = Browser(self.port, self.cookies)
            time.sleep(0.05)

    def recovered_after(self, moment: float) -> bool:
        return all(
            any(a.page == p and a.started > moment and a.status == 200 for a in self.answers) for p in self.pages
        )


def _burst(port: int, cookies: dict[str, str], pages: list[str], threads: int = 4, rounds: int = 3) -> list[Answer]:
    """Each page ``rounds`` times from ``threads`` threads at once, so that every worker serves some."""
    answers: list[Answer] = []

    def user() -> None:
        browser = Browser(port, cookies)
        for page in pages * rounds:
            started = time.monotonic()
            try:
                status, body = browser.request("GET", page)
                answers.append(Answer(page, started, time.monotonic(), status, body))
            except Exception as exc:
                answers.append(Answer(page, started, time.monotonic(), None, error=f"{type(exc).__name__}: {exc}"))

    running = [threading.Thread(target=user, daemon=True) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join(timeout=REQUEST_TIMEOUT * rounds * len(pages))
    return answers


def _sql(url: str, query: str, *params):
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _tumbuh(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "tumbuh"), *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"tumbuh {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def _gunicorn_processes(master: int) -> set[int]:
    """The master and its workers (from /proc: a container may have no ps)."""
    workers = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == master:  # state, ppid, …
            workers.add(int(stat.parent.name))
    return {master, *workers}


def _batch(url: str, pk: int) -> dict:
    [(status, created, updated, unchanged, rejected, error)] = _sql(
        url, "select status, created, updated, unchanged, rejected, error from imports_importbatch where id = %s", pk
    )
    [(measurements,)] = _sql(url, "select count(*) from measurements_measurement where import_batch_id = %s", pk)
    [(rows,)] = _sql(url, "select count(*) from imports_importrow where batch_id = %s", pk)
    [(children,)] = _sql(url, "select count(*) from measurements_child")
    return {
        "status": status,
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "rejected": rejected,
        "measurements": measurements,
        "rejected_rows": rows,
        "children": children,
        "error": error,
    }


def test_requests_and_an_import_survive_a_postgresql_restart(tmp_path):
    from tumbuh.demo.accounts import DEMO_PASSWORD

    bindir = _pg_bindir()
    _skip_unless(
        bindir is not None and (bindir / "initdb").exists(),
        "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql",
    )
    began = time.monotonic()
    cluster = Cluster(bindir)
    gunicorn = importer = load = server_log = None
    try:
        cluster.init()
        cluster.start()
        _sql(cluster.url("postgres"), "create database tumbuh")
        url = cluster.url("tumbuh")
        var = tmp_path / "var"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TUMBUH_VAR_DIR": str(var),
            "TUMBUH_TESTING": "1",
            "TUMBUH_SECURE_COOKIES": "0",
            "TUMBUH_MANIFEST_STATIC": "0",
            "TUMBUH_LOG_LEVEL": "ERROR",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        }
        env.pop("TUMBUH_CACHE_URL", None)  # the default: files under the var dir, shared by the workers
        phases = {"cluster": time.monotonic() - began}
        _tumbuh(env, "migrate", "--noinput", "-v0")
        phases["migrate"] = time.monotonic() - began
        _tumbuh(env, "load_demo", "--children", "40", "--kecamatan", "73.24.04", "--no-map", "--no-eppgbm-import")
        phases["district"] = time.monotonic() - began
        export = tmp_path / "eppgbm.csv"  # other children than the loaded ones (another seed): every row is new
        making_export = subprocess.Popen(
            [
                str(BIN / "tumbuh"),
                "load_demo",
                "--eppgbm-export",
                str(export),
                "--children",
                "20000",
                "--kecamatan",
                "73.24.04",
                "--seed",
                "8",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        [(child,)] = _sql(url, "select tumbuh_id from measurements_child order by id limit 1")
        pages = [f"/anak/{child}/" if p == "CHILD" else p for p in PAGES]

        port = _free_port()
        server_log = (tmp_path / "gunicorn.log").open("w")
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "tumbuh.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(150):
            try:
                Browser(port).request("GET", "/masuk/")
                break
            except OSError:
                assert gunicorn.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        user = Browser(port)
        user.login("admin.lutim", DEMO_PASSWORD)
        for page in pages:  # warm: each worker loads what the pages need
            for _ in range(2):
                status, body = user.request("GET", page)
                assert status == 200, f"{page} before the restart: HTTP {status}"
        processes = _gunicorn_processes(gunicorn.pid)
        _, export_errors = making_export.communicate(timeout=300)
        assert making_export.returncode == 0, export_errors
        phases["server"] = time.monotonic() - began
        [(children_before,)] = _sql(url, "select count(*) from measurements_child")

        load = Load(port, user.cookies, pages)
        threads = load.run()
        importer = subprocess.Popen(
            [str(BIN / "tumbuh"), "import", "eppgbm", str(export), "--user", "admin.lutim", "--no-progress"],
            env={**env, "PGAPPNAME": IMPORTER},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The restart comes once the import's transaction has written rows (it has a transaction id).
        deadline = time.monotonic() + 60
        while not _sql(
            url, "select 1 from pg_stat_activity where application_name = %s and backend_xid is not null", IMPORTER
        ):
            assert importer.poll() is None, f"the import ended before the restart: {importer.communicate()}"
            assert time.monotonic() < deadline, "the import never wrote"
            time.sleep(0.02)
        time.sleep(0.3)
        down = time.monotonic()
        cluster.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        up = time.monotonic()
        phases["restarted"] = time.monotonic() - began
        _out, err = importer.communicate(timeout=120)
        phases["import"] = time.monotonic() - began
        deadline = time.monotonic() + 30
        while not load.recovered_after(up) and time.monotonic() < deadline:
            time.sleep(0.2)
        load.stop.set()
        phases["recovered"] = time.monotonic() - began
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + 5)

        # -- the requests: answered, cleanly, and answered again after the restart
        answers = load.answers
        assert not [a for a in answers if a.status is None], [
            f"{a.page}: {a.error}" for a in answers if a.status is None
        ]
        assert max(a.ended - a.started for a in answers) < REQUEST_TIMEOUT
        assert {a.status for a in answers} <= {200, 503}, sorted({(a.page, a.status) for a in answers})
        assert not [a for a in answers if "Traceback" in a.body or 'File "/' in a.body]
        unavailable = [a for a in answers if a.status == 503]
        assert unavailable, "no request met the database down"
        assert all(a.ended > down and a.started < up for a in unavailable)  # only while the database was down
        # once it is up, every request is answered: each worker's kept connection was checked and renewed
        after = [a for a in answers if a.started > up]
        assert all(a.status == 200 for a in after), [(a.page, a.status) for a in after]
        assert all(UNAVAILABLE in a.body and 'lang="id"' in a.body for a in unavailable)
        assert load.recovered_after(up), "the pages did not answer 200 after the restart"

        # -- a quick restart between requests: each worker holds a dead connection, and the
        # first request it serves afterwards checks it (CONN_HEALTH_CHECKS) and reconnects
        cluster.restart()
        burst = _burst(port, user.cookies, pages)
        assert [a.status for a in burst] == [200] * len(burst), [(a.page, a.status, a.error) for a in burst]
        assert gunicorn.poll() is None and _gunicorn_processes(gunicorn.pid) == processes  # the same master and workers

        # -- the import: all of it or none of it, never left running
        [(pk, status)] = _sql(url, "select id, status from imports_importbatch where file_name = %s", export.name)
        batch = _batch(url, pk)
        if status == "done":
            assert importer.returncode == 0, err
            assert batch["measurements"] == batch["created"] > 10_000 and batch["children"] > children_before, batch
            assert batch["rejected_rows"] == batch["rejected"] > 0
        else:
            assert status == "failed", f"batch left {status!r}: {err[-2000:]}"
            assert importer.returncode != 0 and "Basis data tidak menjawab selama impor" in err  # in Indonesian
            assert batch["error"].startswith("Basis data tidak menjawab selama impor"), batch["error"]
            assert batch["measurements"] == batch["rejected_rows"] == 0 and batch["children"] == children_before, batch
            # and it can be run again, now that the database is back
            _tumbuh(env, "import", "eppgbm", str(export), "--user", "admin.lutim", "--no-progress")
            [(again,)] = _sql(url, "select max(id) from imports_importbatch where file_name = %s", export.name)
            rerun = _batch(url, again)
            assert rerun["status"] == "done" and rerun["measurements"] == rerun["created"] > 10_000, rerun
        print(
            f"\nrestart: {len(answers)} requests, {len(unavailable)} answered 503; import batch {status}; "
            f"{time.monotonic() - began:.0f} s in all; phases ended at "
            + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())
        )
    finally:
        if load is not None:
            load.stop.set()
        for process in (importer, gunicorn):
            if process is not None and process.poll() is None:
                if process is gunicorn:
                    os.killpg(process.pid, 15)
                else:
                    process.kill()
                process.wait(timeout=30)
        if server_log is not None:
            server_log.close()
        cluster.remove()
