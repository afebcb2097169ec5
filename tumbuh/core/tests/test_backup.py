"""``tumbuh backup`` and ``tumbuh restore``, run as an operator runs them: on an instance of
its own (a database and a MEDIA_ROOT made for the test, holding a small demo district with its
uploaded files), backed up, then restored into an empty instance and compared table by table,
row by row and byte by byte; and the archives a restore must refuse.

Each variant runs in its engine's pass of the suite: SQLite (files under the test's folder)
without DATABASE_URL, PostgreSQL (databases it creates and drops on the suite's server) with a
postgres:// DATABASE_URL.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ENGINES = ["sqlite", "postgresql"]
#: Tables whose every row is compared field by field: people, children, visits, uploads, imports.
COMPARED_TABLES = [
    "accounts_user",
    "measurements_child",
    "measurements_measurement",
    "documents_uploadeddocument",
    "imports_importbatch",
    "imports_importrow",
    "wilayah_wilayah",
    "organisation_posyandu",
    "django_migrations",
]


# ---------------------------------------------------------------- instances


def _postgres_server() -> dict | None:
    """Where to create the test's databases: the suite's PostgreSQL server, else the CI machine's."""
    import dj_database_url
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        server = {
            "host": db.get("HOST") or "",
            "port": str(db.get("PORT") or ""),
            "user": db.get("USER") or "",
            "password": db.get("PASSWORD") or "",
        }
    else:
        parsed = dj_database_url.parse("postgres://postgres@127.0.0.1:5432/postgres")
        server = {"host": parsed["HOST"], "port": str(parsed["PORT"]), "user": parsed["USER"], "password": ""}
    try:
        with psycopg.connect(dbname="postgres", connect_timeout=3, **{k: v for k, v in server.items() if v}):
            return server
    except psycopg.Error:
        return None


@dataclass
class Instance:
    """A Tumbuh instance of the test's own: its database and its folders."""

    root: Path
    engine: str
    server: dict | None = None
    dbname: str = ""

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def media(self) -> Path:
        return self.var / "media"

    @property
    def sqlite_path(self) -> Path:
        return self.var / "tumbuh.sqlite3"

    @property
    def url(self) -> str | None:
        if self.engine == "sqlite":
            return None
        s = self.server
        auth = s["user"] + (f":{s['password']}" if s["password"] else "")
        return f"postgres://{auth}@{s['host'] or '127.0.0.1'}:{s['port'] or 5432}/{self.dbname}"

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TUMBUH_MEDIA_ROOT")}
        env.update(TUMBUH_VAR_DIR=str(self.var), TUMBUH_TESTING="1", **extra)
        if self.url:
            env["DATABASE_URL"] = self.url
        return env

    def run(self, *args, ok: bool = True, **extra_env) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "tumbuh.cli", *map(str, args)],
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if ok:
            assert result.returncode == 0, f"tumbuh {' '.join(map(str, args))}:\n{result.stdout}\n{result.stderr}"
        return result

    def connect(self):
        if self.engine == "sqlite":
            return sqlite3.connect(self.sqlite_path)
        import psycopg

        return psycopg.connect(self.url)

    def query(self, sql: str, params=()) -> list[tuple]:
        conn = self.connect()
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            conn.close()

    def tables(self) -> list[str]:
        if self.engine == "sqlite":
            if not self.sqlite_path.exists():
                return []
            sql = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        return [row[0] for row in self.query(sql)]

    def counts(self) -> dict[str, int]:
        return {t: self.query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in self.tables()}

    def rows(self, table: str) -> list[tuple]:
        return self.query(f'SELECT * FROM "{table}" ORDER BY 1')

    def media_bytes(self) -> dict[str, bytes]:
        if not self.media.exists():
            return {}
        return {
            p.relative_to(self.media).as_posix(): p.read_bytes() for p in sorted(self.media.rglob("*")) if p.is_file()
        }

    def create(self) -> Instance:
        self.var.mkdir(parents=True, exist_ok=True)
        if self.engine == "postgresql":
            import psycopg

            with psycopg.connect(
                dbname="postgres", autocommit=True, **{k: v for k, v in self.server.items() if v}
            ) as c:
                c.execute(f'CREATE DATABASE "{self.dbname}"')
        return self

    def drop(self) -> None:
        if self.engine == "postgresql":
            import psycopg

            with psycopg.connect(
                dbname="postgres", autocommit=True, **{k: v for k, v in self.server.items() if v}
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    # Each engine in its own pass of `make test` (SQLite without DATABASE_URL, PostgreSQL with
    # it): every instance here costs a migrate and a demo load, so neither pass runs both.
    suite_on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if (request.param == "postgresql") != suite_on_postgres:
        pytest.skip(f"the {request.param} variant runs in the {request.param} pass of the suite")
    if request.param == "postgresql":
        server = _postgres_server()
        if server is None:
            pytest.skip("PostgreSQL not reachable (DATABASE_URL or 127.0.0.1:5432): the PostgreSQL variant is skipped")
        return request.param, server
    return request.param, None


@pytest.fixture(scope="module")
def new_instance(engine, tmp_path_factory):
    """A factory of empty instances of this engine, dropped after the module."""
    made = []

    def make(name: str) -> Instance:
        kind, server = engine
        instance = Instance(
            tmp_path_factory.mktemp(name), kind, server, f"tumbuh_backup_{name}_{uuid.uuid4().hex[:10]}"
        )
        made.append(instance)
        return instance.create()

    yield make
    for instance in made:
        instance.drop()


@pytest.fixture(scope="module")
def source(new_instance) -> Instance:
    """The instance backed up: migrated, with the demo districts, 20 demo children of Malili and
    their visits, one e-PPGBM round imported through the importer (its file kept in MEDIA_ROOT)
    and the GENTING evidence scans (uploaded PDFs)."""
    instance = new_instance("source")
    instance.run("migrate", "--verbosity=0")
    instance.run("load_demo", "--children=20", "--kecamatan=73.24.04", "--no-map")
    return instance


@pytest.fixture(scope="module")
def archive(source, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archives")
    result = source.run("backup", "--output", out)
    (path,) = out.glob("tumbuh-backup-*.tar.gz")
    assert f"Cadangan tersimpan: {path}" in result.stdout
    return path


# ---------------------------------------------------------------- archives a test changes


def _rewrite(archive: Path, dest: Path, *, change=None, extra=(), manifest=None) -> Path:
    """A copy of ``archive``: ``change(name, data)`` returns a member's new bytes; ``extra``
    (TarInfo, bytes) members go before the manifest; ``manifest(dict)`` edits the manifest."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(dest, "w:gz") as out:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                for info, payload in extra:
                    out.addfile(info, io.BytesIO(payload) if payload is not None else None)
                if manifest is not None:
                    parsed = json.loads(data)
                    manifest(parsed)
                    data = json.dumps(parsed).encode()
            elif change is not None:
                data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _assert_untouched(target: Instance) -> None:
    """A refused restore left the empty instance empty: no table, no file, no staging folder."""
    assert target.tables() == []
    assert target.media_bytes() == {}
    assert [p.name for p in target.var.iterdir() if p.name.startswith(".tumbuh-restore-")] == []


# ---------------------------------------------------------------- the round trip


def test_a_backup_restores_into_an_empty_instance_as_it_was(source, archive, new_instance):
    target = new_instance("target")
    manifest = _manifest(archive)
    assert oct(stat.S_IMODE(archive.stat().st_mode)) == "0o600"  # it holds the children's data
    assert manifest["engine"] == source.engine
    assert {f["path"] for f in manifest["files"]} >= {"media/" + name for name in source.media_bytes()}

    result = target.run("restore", archive)

    assert "setiap jumlah sama dengan di cadangan" in result.stdout
    # Every table holds what the backup's snapshot held; the audit log one row more: the restore.
    counts, expected = target.counts(), manifest["row_counts"]
    assert counts["audit_auditlog"] == expected["audit_auditlog"] + 1
    assert {t: n for t, n in counts.items() if t != "audit_auditlog"} == {
        t: n for t, n in expected.items() if t != "audit_auditlog"
    }
    assert expected["measurements_child"] == 20 and expected["documents_uploadeddocument"] > 0
    # ... and as the source holds them now (it changed only by the backup's own audit row).
    assert {t: n for t, n in source.counts().items() if t != "audit_auditlog"} == {
        t: n for t, n in counts.items() if t != "audit_auditlog"
    }
    for table in COMPARED_TABLES:
        assert target.rows(table) == source.rows(table), table
    n = expected["audit_auditlog"]
    assert target.rows("audit_auditlog")[:n] == source.rows("audit_auditlog")[:n]
    # The uploaded files, byte for byte, and each file a row names is there.
    assert target.media_bytes() == source.media_bytes()
    named = [row[0] for row in target.query("SELECT source FROM imports_importbatch WHERE source <> ''")]
    named += [row[0] for row in target.query("SELECT file FROM documents_uploadeddocument")]
    assert named and all((target.media / name).is_file() for name in named)
    # The restore is in the restored instance's audit log, the backup in the source's.
    who, what, about, after = target.query(
        "SELECT actor_name, object_type, object_repr, after FROM audit_auditlog ORDER BY id DESC LIMIT 1"
    )[0]
    after = json.loads(after) if isinstance(after, str) else after
    assert (who, what, about) == ("sistem", "core.restore", archive.name)
    assert after["os_user"] and after["rows"] == sum(expected.values()) and after["forced"] is False
    backup_row = source.query(
        "SELECT object_type, object_repr, after FROM audit_auditlog "
        "WHERE object_type = 'core.backup' ORDER BY id DESC LIMIT 1"
    )[0]
    assert backup_row[:2] == ("core.backup", archive.name)


def test_a_backup_taken_while_the_server_writes_is_one_moment(source, new_instance, tmp_path):
    """Sessions are written (as every page view writes one) all through the backup: the archive
    holds exactly the rows its manifest counts, which the restore checks table by table."""
    stop = threading.Event()
    written = []

    def write_sessions():
        conn = source.connect()
        try:
            i = 0
            while not stop.is_set():
                key = f"backup-test-{i:06d}"
                marker = "?" if source.engine == "sqlite" else "%s"
                conn.cursor().execute(
                    f"INSERT INTO django_session (session_key, session_data, expire_date) VALUES ({marker}, 'x', "
                    f"{marker})",
                    (key, "2099-01-01 00:00:00"),
                )
                conn.commit()
                written.append(key)
                i += 1
                time.sleep(0.005)
        finally:
            conn.close()

    writer = threading.Thread(target=write_sessions)
    writer.start()
    try:
        time.sleep(0.3)
        source.run("backup", "--output", tmp_path)
    finally:
        stop.set()
        writer.join()
        conn = source.connect()  # the source as it was, for the other tests
        conn.cursor().execute("DELETE FROM django_session WHERE session_key LIKE 'backup-test-%'")
        conn.commit()
        conn.close()
    (archive,) = tmp_path.glob("tumbuh-backup-*.tar.gz")
    in_backup = _manifest(archive)["row_counts"]["django_session"]
    assert 0 < in_backup < len(written)  # writes before and after the snapshot
    target = new_instance("during")
    target.run("restore", archive)
    assert target.counts()["django_session"] == in_backup


def test_an_older_backup_is_migrated_after_the_restore(source, archive, new_instance, tmp_path):
    from django.db.migrations.loader import MigrationLoader

    app = "semester"
    names = sorted(
        name for label, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations if label == app
    )
    older = new_instance("older")
    older.run("restore", archive)
    older.run("migrate", app, names[-2], "--verbosity=0")  # as a Tumbuh one migration older left it
    older.run("backup", "--output", tmp_path)
    (old_archive,) = tmp_path.glob("tumbuh-backup-*.tar.gz")
    assert names[-1] not in _manifest(old_archive)["migrations"][app]

    target = new_instance("migrated")
    result = target.run("restore", old_archive)

    assert f"{app}.{names[-1]}" in result.stdout
    migrations = "SELECT app, name FROM django_migrations ORDER BY app, name"
    assert target.query(migrations) == source.query(migrations)


# ---------------------------------------------------------------- refusals


def test_restore_refuses_an_instance_that_holds_data_unless_forced(archive, new_instance):
    target = new_instance("occupied")
    target.run("restore", archive)
    audit = target.counts()["audit_auditlog"]
    (target.media / "imports" / "added-after.txt").write_text("kept aside, not lost")
    conn = target.connect()  # a table a newer Tumbuh added: gone with the rest, or a later migrate would stop on it
    conn.cursor().execute("CREATE TABLE leftover_from_newer (id integer)")
    conn.commit()
    conn.close()

    refused = target.run("restore", archive, ok=False)

    assert refused.returncode != 0
    assert "Instans ini sudah berisi data" in refused.stderr and "--force" in refused.stderr
    assert target.counts()["audit_auditlog"] == audit

    forced = target.run("restore", archive, "--force")

    kept = [p for p in target.var.iterdir() if p.name.startswith("media-sebelum-pemulihan-")]
    assert len(kept) == 1 and (kept[0] / "imports" / "added-after.txt").read_text() == "kept aside, not lost"
    assert str(kept[0]) in forced.stdout
    assert not (target.media / "imports" / "added-after.txt").exists()
    assert target.counts()["audit_auditlog"] == _manifest(archive)["row_counts"]["audit_auditlog"] + 1
    assert "leftover_from_newer" not in target.tables()


def test_a_changed_file_in_the_archive_is_refused(archive, new_instance, tmp_path):
    victim = next(f["path"] for f in _manifest(archive)["files"] if f["path"].startswith("media/imports/"))
    tampered = _rewrite(
        archive,
        tmp_path / "tampered.tar.gz",
        change=lambda name, data: data[:-1] + bytes([data[-1] ^ 1]) if name == victim else data,
    )
    target = new_instance("tampered")

    result = target.run("restore", tampered, ok=False)

    assert result.returncode != 0
    assert f"{victim} tidak cocok dengan checksum-nya (SHA-256)" in result.stderr
    _assert_untouched(target)


def test_a_member_leaving_its_folder_is_refused_before_anything_is_written(archive, new_instance, tmp_path):
    info, data = _member("media/../../escape.txt")
    target = new_instance("hostile")

    result = target.run(
        "restore",
        _rewrite(archive, tmp_path / "hostile.tar.gz", extra=[(info, data)], manifest=_listing(info, data)),
        ok=False,
    )

    assert result.returncode != 0
    assert "Arsip ditolak: isi media/../../escape.txt menunjuk ke luar foldernya" in result.stderr
    _assert_untouched(target)
    assert not (target.root.parent / "escape.txt").exists() and not (target.root / "escape.txt").exists()


def test_a_backup_from_a_newer_tumbuh_is_refused(archive, new_instance, tmp_path):
    newer = _rewrite(
        archive,
        tmp_path / "newer.tar.gz",
        manifest=lambda m: m["migrations"]["measurements"].append("9999_from_the_future"),
    )
    target = new_instance("newer")

    result = target.run("restore", newer, ok=False)

    assert result.returncode != 0
    assert "berasal dari Tumbuh yang lebih baru" in result.stderr
    assert "measurements.9999_from_the_future" in result.stderr
    _assert_untouched(target)


# ---------------------------------------------------------------- what an archive may hold


def _member(name: str, data: bytes | None = b"owned\n", kind=tarfile.REGTYPE, link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if data is not None and kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


def _listing(info: tarfile.TarInfo, data: bytes | None):
    """A manifest edit that lists the member, so that only its path or its kind is wrong."""

    def list_it(manifest):
        manifest["files"].append(
            {"path": info.name, "size": info.size, "sha256": hashlib.sha256(data or b"").hexdigest()}
        )

    return list_it


@pytest.fixture
def small_archive(tmp_path) -> Path:
    """A well-formed archive made here: a database member, two uploaded files, the manifest."""
    members = {
        "database/tumbuh.sqlite3": b"SQLite format 3\0" + bytes(100),
        "media/imports/73.24/ab/ab12.xlsx": b"PK\x03\x04 a workbook",
        "media/documents/73.24.04.2004/bukti.pdf": b"%PDF-1.7 a scan",
    }
    manifest = {
        "format": "tumbuh-backup",
        "format_version": 1,
        "engine": "sqlite",
        "database": {"member": "database/tumbuh.sqlite3"},
        "migrations": {},
        "row_counts": {},
        "files": [{"path": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in members.items()],
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "small.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _refusal(path: Path, staging: Path | None = None) -> str:
    """The message reading (and, given ``staging``, unpacking) ``path`` is refused with."""
    from django.utils import translation

    from tumbuh.core import backup

    with translation.override("id"), pytest.raises(backup.BackupError) as refused:
        manifest = backup.read_manifest(path)
        if staging is not None:
            backup.unpack(path, staging, manifest, lambda done, total: None)
    return str(refused.value)


def test_a_well_formed_archive_is_read_and_unpacked(small_archive, tmp_path):
    from tumbuh.core import backup

    staging = tmp_path / "staging"
    manifest = backup.read_manifest(small_archive)
    backup.unpack(small_archive, staging, manifest, lambda done, total: None)

    assert (staging / "media/documents/73.24.04.2004/bukti.pdf").read_bytes() == b"%PDF-1.7 a scan"
    assert sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()) == sorted(
        f["path"] for f in manifest["files"]
    )


@pytest.mark.parametrize(
    "hostile, why",
    [
        (_member("media/../../escape.txt"), "menunjuk ke luar foldernya"),
        (_member("/tmp/tumbuh-backup-test-absolute.txt"), "menunjuk ke luar foldernya"),
        (_member("media/imports/link", kind=tarfile.SYMTYPE, link="/etc/passwd"), "berupa tautan"),
        (_member("media/imports/hard", kind=tarfile.LNKTYPE, link="manifest.json"), "berupa tautan"),
        (_member("media/imports/fifo", kind=tarfile.FIFOTYPE), "bukan berkas biasa"),
        (_member("media/imports/dir", kind=tarfile.DIRTYPE), "bukan berkas biasa"),
        (_member("settings.py"), "bukan bagian dari cadangan Tumbuh"),
    ],
    ids=["dot-dot", "absolute", "symlink", "hardlink", "fifo", "directory", "outside-database-and-media"],
)
def test_a_hostile_member_is_refused(small_archive, tmp_path, hostile, why):
    info, data = hostile
    path = _rewrite(small_archive, tmp_path / "hostile.tar.gz", extra=[hostile], manifest=_listing(info, data))

    assert _refusal(path, tmp_path / "staging") == f"Arsip ditolak: isi {info.name} {why}."
    assert not (tmp_path / "staging").exists()
    assert not Path("/tmp/tumbuh-backup-test-absolute.txt").exists()


def test_a_member_larger_than_its_manifest_entry_is_refused_on_its_header(small_archive, tmp_path):
    """A bomb dressed as a small file: refused before a byte of it is unpacked."""
    big = _rewrite(
        small_archive,
        tmp_path / "big.tar.gz",
        change=lambda name, data: data + bytes(8 << 20) if name.endswith(".pdf") else data,
    )

    assert "ukuran media/documents/73.24.04.2004/bukti.pdf berbeda dari yang tercantum di manifes" in _refusal(big)


def test_a_member_the_manifest_does_not_list_is_refused(small_archive, tmp_path):
    def drop_the_scan(manifest):
        manifest["files"] = [f for f in manifest["files"] if not f["path"].endswith(".pdf")]

    unlisted = _rewrite(small_archive, tmp_path / "unlisted.tar.gz", manifest=drop_the_scan)

    assert "isi media/documents/73.24.04.2004/bukti.pdf tidak tercantum di manifes" in _refusal(unlisted)


def test_a_member_twice_is_refused(small_archive, tmp_path):
    twice = _rewrite(small_archive, tmp_path / "twice.tar.gz", extra=[_member("media/imports/73.24/ab/ab12.xlsx")])

    assert _refusal(twice) == "Arsip ditolak: isi media/imports/73.24/ab/ab12.xlsx muncul dua kali."


def test_a_truncated_foreign_or_unfinished_archive_is_refused(small_archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(small_archive.read_bytes()[:-40])
    foreign = tmp_path / "foreign.tar.gz"
    foreign.write_bytes(b"PK\x03\x04 a zip file, not a backup")
    unfinished = tmp_path / "unfinished.tar.gz"
    with tarfile.open(small_archive) as src, tarfile.open(unfinished, "w:gz") as out:
        for member in src.getmembers():
            if member.name != "manifest.json":
                out.addfile(member, src.extractfile(member))

    assert "rusak atau tidak lengkap" in _refusal(cut)
    assert "bukan cadangan Tumbuh (.tar.gz)" in _refusal(foreign)
    assert "tidak memiliki manifes" in _refusal(unfinished)


# ---------------------------------------------------------------- PostgreSQL's tools


def _fake_tool(folder: Path, name: str, version: str, exit_code: int = 0) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(
        f"#!/bin/sh\nif [ \"$1\" = --version ]; then echo '{name} (PostgreSQL) {version}'; exit 0; fi\n"
        f"echo 'could not dump: simulated failure' >&2\nexit {exit_code}\n"
    )
    script.chmod(0o755)


def test_backup_says_when_pg_dump_is_missing_or_too_old(source, tmp_path):
    if source.engine != "postgresql":
        pytest.skip("pg_dump: PostgreSQL only")
    out = tmp_path / "out"
    missing = source.run("backup", "--output", out, ok=False, TUMBUH_PG_BIN=str(tmp_path / "nothing-here"))
    assert missing.returncode != 0 and "pg_dump tidak ditemukan" in missing.stderr

    _fake_tool(tmp_path / "old", "pg_dump", "9.6.24")
    old = source.run("backup", "--output", out, ok=False, TUMBUH_PG_BIN=str(tmp_path / "old"))
    assert old.returncode != 0 and "Versi pg_dump terlalu lama (pg_dump (PostgreSQL) 9.6.24)" in old.stderr

    _fake_tool(tmp_path / "failing", "pg_dump", "99.0", exit_code=1)
    failing = source.run("backup", "--output", out, ok=False, TUMBUH_PG_BIN=str(tmp_path / "failing"))
    assert failing.returncode != 0 and "pg_dump gagal: could not dump: simulated failure" in failing.stderr
    assert list(out.iterdir()) == []  # no archive, no partial one


# ---------------------------------------------------------------- the audit log in words


@pytest.mark.django_db
def test_a_backup_reads_in_the_audit_log_in_an_inspectors_words():
    from django.utils import translation

    from tumbuh.audit.display import describe
    from tumbuh.audit.models import AuditLog
    from tumbuh.core.backup import _audit

    _audit(
        "core.backup",
        "tumbuh-backup-kabupaten-luwu-timur-20250101-020000.tar.gz",
        "73.24",
        {
            "file": "/srv/backups/x.tar.gz",
            "bytes": 1234567,
            "engine": "PostgreSQL",
            "rows": 25000,
            "media_files": 12,
            "os_user": "tumbuh",
        },
        "tumbuh backup --output /srv/backups",
    )
    log = AuditLog.objects.latest("id")
    with translation.override("id"):
        (entry,) = describe([log])
        changes = {c.label: c.after for c in entry.changes}
    assert log.actor_name == "sistem" and log.wilayah_code == "73.24"
    assert entry.what == "Cadangan basis data dan berkas unggahan"
    assert changes["Pengguna sistem operasi"] == "tumbuh"
    assert changes["Berkas unggahan"] == "12" and changes["Ukuran (byte)"] == "1.234.567"
