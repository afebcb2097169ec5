"""Backup and restore of a whole instance: the database and the uploaded files (``MEDIA_ROOT``:
import sources, signed scans, evidence, boundary files) in one ``.tar.gz`` archive, with a
manifest that lets the restore check itself (``tumbuh backup``, ``tumbuh restore``).

The archive holds ``database/`` (SQLite: a copy made with SQLite's online backup API, safe while
the server writes, WAL mode; PostgreSQL: ``pg_dump`` in its custom format), ``media/`` and, last,
``manifest.json``: the Tumbuh version, the migrations applied per app, the engine, when, every
member with its size and SHA-256, and the rows of every table as the snapshot holds them.

**Consistent**: the database snapshot is taken first and the files are copied after it. An
uploaded file without a row is harmless (nothing points at it); a row without its file is a
broken document. Tumbuh never deletes or rewrites an uploaded file (a new upload gets a new
name, a boundary file is named by its content), so the files copied after the snapshot are a
superset of those its rows name. The row counts come from the snapshot itself (SQLite: the
copy; PostgreSQL: the transaction whose snapshot ``pg_dump --snapshot`` dumps), so a restore
must find exactly them.

**Restore** refuses an instance that already holds data (users, audit records or uploaded
files) unless forced, reads the archive twice (first its headers and manifest, then its
contents into a staging folder next to ``MEDIA_ROOT``, each file checked against its SHA-256)
and touches the instance only when everything checked out. A hostile archive is refused before
anything is written: a member that is not a plain file, a path that leaves its folder (``..``,
absolute), a member the manifest does not list or of another size, more than the disk holds.
A backup from a newer schema (a migration this code does not know) is refused; one from an
older schema is migrated after the restore.

Messages are in the active language (Indonesian by default); :class:`BackupError` carries the
refusal or failure a command prints.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess  # pg_dump and pg_restore, by their path, without a shell  # nosec B404
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

import tumbuh
from tumbuh.core.numbers import format_number

FORMAT = "tumbuh-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
#: A manifest larger than this is not one Tumbuh wrote (100,000 files take about 20 MB).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: Room left free on the disk after extracting an archive.
DISK_MARGIN = 64 * 1024 * 1024
CHUNK = 1024 * 1024

Say = Callable[[str], None]
Advance = Callable[[int, int], None]  # (bytes done, bytes in all)


class BackupError(Exception):
    """A refusal or a failure, in words for the person at the terminal."""


def _quiet(*args) -> None:
    pass


def size_text(n: float) -> str:
    """A size in bytes as people read it: "3,6 MB" (the active language's number format)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{format_number(n, 0 if unit == 'B' else 1)} {unit}"
        n /= 1024
    return ""  # not reached


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- the two engines


@dataclass
class Snapshot:
    """What a database snapshot holds: rows per table and applied migrations per app."""

    row_counts: dict[str, int]
    migrations: dict[str, list[str]]
    info: dict = field(default_factory=dict)


def _migrations(rows) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


class Engine:
    name = ""
    label = ""
    #: The database's member in the archive.
    member = ""

    def __init__(self, db: dict):
        self.db = db

    def connect(self):
        """A DB-API connection to the configured database, or None when it does not exist yet."""
        raise NotImplementedError

    def tables(self, cursor) -> list[str]:
        raise NotImplementedError

    def quote(self, table: str) -> str:
        return '"' + table.replace('"', '""') + '"'

    def row_counts(self, conn) -> dict[str, int]:
        cursor = conn.cursor()
        counts = {}
        for table in self.tables(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {self.quote(table)}")  # a table name the database listed, quoted  # nosec B608
            counts[table] = cursor.fetchone()[0]
        return counts

    def snapshot(self, dest: Path, say: Say) -> Snapshot:
        raise NotImplementedError

    def check_restore(self, manifest: dict) -> None:
        """Refuse before anything is touched when this machine cannot restore the dump."""

    def restore(self, staged: Path, say: Say, tables: set[str]) -> None:
        """Replace the database's contents with the staged copy, which holds ``tables``."""
        raise NotImplementedError

    def other_sessions(self) -> int:
        return 0


class Sqlite(Engine):
    name, label, member = "sqlite", "SQLite", "database/tumbuh.sqlite3"

    @property
    def path(self) -> Path:
        return Path(self.db["NAME"])

    def connect(self, path: Path | None = None):
        path = path or self.path
        if not path.is_file() or path.stat().st_size == 0:
            return None
        # mode=rw: never create an empty database where none was.
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)

    def tables(self, cursor) -> list[str]:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        return [row[0] for row in cursor.fetchall()]

    def snapshot(self, dest: Path, say: Say) -> Snapshot:
        say(_("Copying the SQLite database (online backup, the server may keep running)…"))
        source = self.connect()
        if source is None:
            raise BackupError(_("There is no database at %(path)s: nothing to back up.") % {"path": self.path})
        try:
            copy = sqlite3.connect(dest)
            try:
                # One step (pages=-1): the whole copy is read in one read transaction, so it is
                # one moment of the database; in WAL mode the server's writers are not blocked.
                source.backup(copy, pages=-1)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
                check = copy.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(
                        _(
                            "The database copy is damaged (%(check)s): the database itself may be; "
                            "run PRAGMA integrity_check on it."
                        )
                        % {"check": check}
                    )
                counts = self.row_counts(copy)
                migrations = _migrations(copy.execute("SELECT app, name FROM django_migrations ORDER BY id"))
                version = copy.execute("SELECT sqlite_version()").fetchone()[0]
            finally:
                copy.close()
        except sqlite3.Error as exc:
            raise BackupError(_("The SQLite database could not be copied: %(error)s") % {"error": exc}) from exc
        finally:
            source.close()
        return Snapshot(counts, migrations, {"sqlite_version": version})

    def restore(self, staged: Path, say: Say, tables: set[str]) -> None:
        say(_("Writing the database into %(path)s…") % {"path": self.path})
        try:
            staged_db = sqlite3.connect(staged)
            try:
                check = staged_db.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(_("The database in the archive is damaged (%(check)s).") % {"check": check})
                self.path.parent.mkdir(parents=True, exist_ok=True)
                target = sqlite3.connect(self.path, timeout=30)
                try:
                    # Through SQLite's own backup API rather than a file copy: it takes the
                    # database's locks and leaves no stale -wal file to be replayed onto it.
                    staged_db.backup(target, pages=-1)
                finally:
                    target.close()
            finally:
                staged_db.close()
        except sqlite3.OperationalError as exc:
            raise BackupError(
                _(
                    "The database at %(path)s could not be written (%(error)s): stop the Tumbuh "
                    "server and its import workers, then restore again."
                )
                % {"path": self.path, "error": exc}
            ) from exc


#: libpq's environment variables for the connection keys a Django OPTIONS may hold.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "application_name": "PGAPPNAME",
}


def _tool_major(text: str) -> int | None:
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", text)
    return int(match.group(1)) if match else None


class Postgres(Engine):
    name, label, member = "postgresql", "PostgreSQL", "database/tumbuh.pgdump"

    def _params(self) -> dict:
        db = self.db
        params = {
            "dbname": db.get("NAME"),
            "user": db.get("USER"),
            "password": db.get("PASSWORD"),
            "host": db.get("HOST"),
            "port": db.get("PORT"),
        }
        params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in _LIBPQ_OPTIONS})
        return {k: str(v) for k, v in params.items() if v not in (None, "")}

    def env(self) -> dict:
        """The environment pg_dump and pg_restore connect with (the password never on their command line)."""
        names = {
            "dbname": "PGDATABASE",
            "user": "PGUSER",
            "password": "PGPASSWORD",  # the variable's name, not a password  # nosec B105
            "host": "PGHOST",
            "port": "PGPORT",
            **_LIBPQ_OPTIONS,
        }
        return {**os.environ, **{names[k]: v for k, v in self._params().items()}}

    def connect(self):
        import psycopg

        try:
            return psycopg.connect(**self._params(), connect_timeout=10)
        except psycopg.Error as exc:
            raise BackupError(
                _("PostgreSQL could not be reached (%(error)s): check DATABASE_URL.") % {"error": str(exc).strip()}
            ) from exc

    def tables(self, cursor) -> list[str]:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = current_schema() ORDER BY c.relname"
        )
        return [row[0] for row in cursor.fetchall()]

    def tool(self, name: str, *, at_least: int, why: str) -> tuple[str, str]:
        """The path and version line of pg_dump or pg_restore, if it is there and new enough."""
        folder = os.environ.get("TUMBUH_PG_BIN")
        path = str(Path(folder) / name) if folder else shutil.which(name)
        if not path or not Path(path).is_file():
            raise BackupError(
                _(
                    "%(tool)s was not found: install the PostgreSQL %(major)s client "
                    "(apt-get install postgresql-client-%(major)s) or set TUMBUH_PG_BIN to the folder "
                    "that holds it."
                )
                % {"tool": name, "major": at_least}
            )
        try:
            ran = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True)  # nosec B603
            line = ran.stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            raise BackupError(_("%(tool)s could not be run (%(error)s).") % {"tool": path, "error": exc}) from exc
        major = _tool_major(line)
        if major is None or major < at_least:
            raise BackupError(
                _(
                    "%(tool)s is too old (%(version)s) for %(why)s, PostgreSQL %(major)s: install the "
                    "PostgreSQL %(major)s client (apt-get install postgresql-client-%(major)s) or set "
                    "TUMBUH_PG_BIN to the folder that holds it."
                )
                % {"tool": name, "version": line or "?", "why": why, "major": at_least}
            )
        return path, line

    def snapshot(self, dest: Path, say: Say) -> Snapshot:
        import psycopg

        conn = self.connect()
        try:
            server_num = int(conn.execute("SHOW server_version_num").fetchone()[0])
            server = conn.execute("SHOW server_version").fetchone()[0]
            pg_dump, dump_version = self.tool("pg_dump", at_least=server_num // 10000, why=_("the server"))
            conn.rollback()
            # One repeatable-read transaction: its snapshot is what pg_dump dumps (--snapshot)
            # and what the row counts count, while the server keeps writing.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = self.row_counts(conn)
            migrations = _migrations(conn.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall())
            say(_("Dumping the PostgreSQL database with pg_dump…"))
            result = subprocess.run(  # no shell; the connection from the environment  # nosec B603
                [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", "--no-password", f"--file={dest}"],
                env=self.env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()[-2000:]})
            conn.rollback()
        except psycopg.Error as exc:
            raise BackupError(
                _("The PostgreSQL database could not be read: %(error)s") % {"error": str(exc).strip()}
            ) from exc
        finally:
            conn.close()
        return Snapshot(counts, migrations, {"server_version": server, "pg_dump": dump_version})

    def check_restore(self, manifest: dict) -> None:
        major = _tool_major(manifest.get("database", {}).get("pg_dump", "")) or 0
        self._pg_restore = self.tool("pg_restore", at_least=major, why=_("the archive's dump"))[0]

    def other_sessions(self) -> int:
        conn = self.connect()
        try:
            return conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()[0]
        finally:
            conn.close()

    def restore(self, staged: Path, say: Say, tables: set[str]) -> None:
        say(_("Restoring the database with pg_restore…"))
        result = subprocess.run(  # no shell; the connection from the environment  # nosec B603
            [
                self._pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={self._params().get('dbname', '')}",
                str(staged),
            ],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(
                _("pg_restore failed, the database is unchanged (one transaction): %(error)s")
                % {"error": result.stderr.strip()[-2000:]}
            )
        # pg_restore --clean replaces what the dump has; a table it does not have (one a newer
        # Tumbuh added before the backup was restored over it) would stop a later migrate.
        conn = self.connect()
        try:
            extra = [t for t in self.tables(conn.cursor()) if t not in tables]
            for table in extra:
                conn.execute(f"DROP TABLE IF EXISTS {self.quote(table)} CASCADE")  # a listed table, quoted  # nosec B608
            conn.commit()
        finally:
            conn.close()
        if extra:
            say(_("Dropped the tables the backup does not have: %(names)s") % {"names": ", ".join(extra)})


def engine_of(db: dict | None = None) -> Engine:
    """The engine of the configured database (``DATABASES["default"]``)."""
    db = db or settings.DATABASES["default"]
    vendor = db["ENGINE"].rsplit(".", 1)[-1]
    if vendor == "sqlite3":
        return Sqlite(db)
    if vendor in ("postgresql", "postgis"):
        return Postgres(db)
    raise BackupError(_("Backups support SQLite and PostgreSQL, not %(engine)s.") % {"engine": db["ENGINE"]})


# ---------------------------------------------------------------- the instance


def instance_name() -> tuple[str, str]:
    """(name for the archive, kabupaten code for the audit row): the district when the
    instance's users all belong to one, else the host's name."""
    from tumbuh.accounts.models import User
    from tumbuh.wilayah.models import Wilayah

    codes = {code[:5] for code in User.objects.exclude(wilayah=None).values_list("wilayah_id", flat=True)}
    if len(codes) == 1:
        (code,) = codes
        kabupaten = Wilayah.objects.filter(code=code).first()
        if kabupaten is not None:
            return slugify(kabupaten.name) or code.replace(".", ""), code
    return slugify(socket.gethostname()) or "tumbuh", ""


def media_files(media_root: Path, *, skip: tuple[Path, ...] = ()) -> Iterator[tuple[str, Path]]:
    """(path inside ``media/``, file) for every file under ``media_root``, sorted. Symbolic links
    are followed (a folder moved to another disk is still backed up), each folder once."""
    if not media_root.is_dir():
        return
    skip_real = {os.path.realpath(p) for p in skip}
    seen: set[str] = set()
    for folder, dirs, files in os.walk(media_root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen or real in skip_real:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        rel_folder = Path(folder).relative_to(media_root)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file():
                yield (rel_folder / name).as_posix(), path


def _holds_data(engine: Engine, media_root: Path) -> list[str]:
    """What the instance already holds that a restore would replace (empty: a new instance,
    migrated or not, regions loaded or not)."""
    from tumbuh.accounts.models import User
    from tumbuh.audit.models import AuditLog

    found = []
    conn = engine.connect()
    if conn is not None:
        try:
            tables = set(engine.tables(conn.cursor()))
            for model, words in ((User, _("%(n)s users")), (AuditLog, _("%(n)s audit records"))):
                table = model._meta.db_table
                if table in tables:
                    cursor = conn.cursor()
                    cursor.execute(f"SELECT COUNT(*) FROM {engine.quote(table)}")  # a model's table  # nosec B608
                    n = cursor.fetchone()[0]
                    if n:
                        found.append(words % {"n": n})
        finally:
            conn.close()
    files = sum(1 for _file in media_files(media_root))
    if files:
        found.append(_("%(n)s uploaded files in %(path)s") % {"n": files, "path": media_root})
    return found


def _audit(object_type: str, object_repr: str, wilayah_code: str, details: dict, reason: str) -> None:
    from tumbuh.accounts import policy
    from tumbuh.audit.actions import record_about
    from tumbuh.audit.models import AuditAction

    record_about(
        policy.SYSTEM,
        AuditAction.CREATE,
        object_type=object_type,
        object_id=object_repr[:64],
        object_repr=object_repr,
        wilayah_code=wilayah_code,
        after=details,
        reason=reason,
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return str(os.getuid())


# ---------------------------------------------------------------- backup


class _Hashing:
    """A file read through, its SHA-256 and length kept as tarfile copies it."""

    def __init__(self, fh, advance: Callable[[int], None]):
        self.fh, self.advance = fh, advance
        self.digest = hashlib.sha256()
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.read_bytes += len(data)
        self.advance(len(data))
        return data


@dataclass
class BackupResult:
    archive: Path
    size: int
    sha256: str
    manifest: dict

    @property
    def rows(self) -> int:
        return sum(self.manifest["row_counts"].values())

    @property
    def media_files(self) -> int:
        return sum(1 for f in self.manifest["files"] if f["path"].startswith(MEDIA))


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, int(mtime), 0o600, tarfile.REGTYPE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def create_backup(
    output_dir: Path,
    *,
    now: datetime.datetime,
    say: Say = _quiet,
    advance: Advance = _quiet,
    command: str = "tumbuh backup",
) -> BackupResult:
    """Write ``tumbuh-backup-<instance>-<YYYYMMDD-HHMMSS>.tar.gz`` into ``output_dir`` (created,
    readable by its owner only: the archive holds the children's data) and audit it. The archive
    is written under a hidden temporary name and renamed only when complete."""
    engine = engine_of()
    media_root = Path(settings.MEDIA_ROOT)
    output_dir = Path(output_dir).absolute()
    try:
        output_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise BackupError(
            _("The folder %(path)s cannot be created (%(error)s).") % {"path": output_dir, "error": exc.strerror or exc}
        ) from exc
    label, kabupaten_code = instance_name()
    connections.close_all()  # the snapshot reads through its own connection
    name = f"tumbuh-backup-{label}-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    archive = output_dir / name
    if archive.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": archive})
    partial = output_dir / f".{name}.partial"
    try:
        work = Path(tempfile.mkdtemp(prefix=".tumbuh-backup-", dir=output_dir))
    except OSError as exc:
        raise BackupError(
            _("The folder %(path)s cannot be written (%(error)s).") % {"path": output_dir, "error": exc.strerror or exc}
        ) from exc
    try:
        db_file = work / PurePosixPath(engine.member).name
        snap = engine.snapshot(db_file, say)
        # The files after the snapshot: a superset of what its rows name (see the module).
        media = list(media_files(media_root, skip=(output_dir,)))
        total = db_file.stat().st_size + sum(p.stat().st_size for _rel, p in media)
        say(
            _("Writing the archive: the database and %(n)s uploaded files, %(size)s…")
            % {"n": len(media), "size": size_text(total)}
        )
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            advance(done, total)

        entries = []

        def add(tar: tarfile.TarFile, member: str, path: Path) -> None:
            with path.open("rb") as fh:
                stat = os.fstat(fh.fileno())
                reader = _Hashing(fh, step)
                tar.addfile(_tar_info(member, stat.st_size, stat.st_mtime), reader)
            entries.append({"path": member, "size": stat.st_size, "sha256": reader.digest.hexdigest()})

        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                add(tar, engine.member, db_file)
                for rel, path in media:
                    try:
                        add(tar, MEDIA + rel, path)
                    except FileNotFoundError:  # removed by hand since it was listed: gone from the instance too
                        say(_("Skipped, removed during the backup: %(path)s") % {"path": path})
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "tumbuh_version": tumbuh.__version__,
                    "created_at": now.isoformat(),
                    "instance": label,
                    "kabupaten": kabupaten_code,
                    "engine": engine.name,
                    "database": {"member": engine.member, **snap.info},
                    "migrations": snap.migrations,
                    "row_counts": snap.row_counts,
                    "media_root": str(media_root),
                    "files": entries,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                tar.addfile(_tar_info(MANIFEST, len(data), now.timestamp()), _BytesReader(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, archive)
        _fsync_dir(output_dir)
    except OSError as exc:
        raise BackupError(
            _("The backup could not be written (%(error)s); no archive was left behind.")
            % {"error": f"{exc.strerror or exc}: {exc.filename}" if exc.filename else exc}
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    result = BackupResult(archive, archive.stat().st_size, _sha256(archive), manifest)
    try:
        _audit(
            "core.backup",
            name,
            kabupaten_code,
            {
                "file": str(archive),
                "sha256": result.sha256,
                "bytes": result.size,
                "engine": engine.label,
                "tables": len(snap.row_counts),
                "rows": result.rows,
                "media_files": result.media_files,
                "os_user": _os_user(),
                "host": socket.gethostname(),
                "tumbuh_version": tumbuh.__version__,
            },
            command,
        )
    except DatabaseError as exc:  # the archive is complete and sound; say what was not recorded
        say(
            _("Warning: the backup is complete, but it could not be recorded in the audit log (%(error)s).")
            % {"error": exc}
        )
    return result


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def read(self, n: int = -1) -> bytes:
        end = len(self.data) if n < 0 else self.pos + n
        chunk, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return chunk


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading an archive


def _member_path(member: tarfile.TarInfo) -> str:
    """The member's name if it may be extracted: a plain file, at a relative path that stays
    in its folder, under ``database/`` or ``media/`` (or the manifest); else a BackupError."""
    name = member.name
    refuse = _("The archive is refused: member %(name)s %(why)s.")
    if not member.isreg():
        kind = _("is a link") if (member.issym() or member.islnk()) else _("is not a plain file")
        raise BackupError(refuse % {"name": name, "why": kind})
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise BackupError(refuse % {"name": name, "why": _("points outside its folder")})
    if not (name == MANIFEST or (len(parts) >= 2 and parts[0] in ("database", "media"))):
        raise BackupError(refuse % {"name": name, "why": _("is not part of a Tumbuh backup")})
    data_filter = getattr(tarfile, "data_filter", None)  # Python 3.12, and 3.11.4 onwards
    if data_filter is not None:
        try:
            data_filter(member, "/nonexistent-destination")
        except tarfile.FilterError as exc:
            raise BackupError(refuse % {"name": name, "why": str(exc)}) from exc
    return name


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r|gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            _("%(path)s is not a Tumbuh backup (.tar.gz): %(error)s") % {"path": archive, "error": exc}
        ) from exc


def read_manifest(archive: Path) -> dict:
    """The manifest of ``archive``, once every member's header has been checked against it
    (the contents are checked when extracted)."""
    sizes: dict[str, int] = {}
    manifest_bytes = None
    try:
        with _open(archive) as tar:
            for member in tar:
                name = _member_path(member)
                if name in sizes or manifest_bytes is not None:
                    why = _("comes twice") if name in sizes else _("follows the manifest")
                    raise BackupError(
                        _("The archive is refused: member %(name)s %(why)s.") % {"name": name, "why": why}
                    )
                if name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise BackupError(_("The archive is refused: its manifest is too large."))
                    manifest_bytes = tar.extractfile(member).read()
                else:
                    sizes[name] = member.size
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(
            _("The archive %(path)s is damaged or incomplete (%(error)s).") % {"path": archive, "error": exc}
        ) from exc
    if manifest_bytes is None:
        raise BackupError(
            _("The archive %(path)s has no manifest: it is incomplete or not a Tumbuh backup.") % {"path": archive}
        )
    try:
        manifest = json.loads(manifest_bytes)
        listed = {f["path"]: int(f["size"]) for f in manifest["files"]}
        valid = (
            manifest.get("format") == FORMAT
            and isinstance(manifest.get("row_counts"), dict)
            and isinstance(manifest.get("migrations"), dict)
            and all(isinstance(f.get("sha256"), str) for f in manifest["files"])
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise BackupError(
            _("The archive's manifest cannot be read: %(path)s is not a Tumbuh backup.") % {"path": archive}
        )
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            _("This backup was made by a newer Tumbuh (archive format %(version)s): update Tumbuh first.")
            % {"version": manifest.get("format_version")}
        )
    if listed != sizes:
        unlisted = sorted(set(sizes) - set(listed))
        missing = sorted(set(listed) - set(sizes))
        resized = sorted(n for n in set(sizes) & set(listed) if sizes[n] != listed[n])
        what = (
            _("member %(name)s is not in the manifest") % {"name": unlisted[0]}
            if unlisted
            else _("%(name)s is missing") % {"name": missing[0]}
            if missing
            else _("%(name)s has another size than the manifest says") % {"name": resized[0]}
        )
        raise BackupError(
            _("The archive does not match its manifest (%(what)s): it was changed or is incomplete.") % {"what": what}
        )
    if manifest.get("database", {}).get("member") not in sizes:
        raise BackupError(_("The archive holds no database."))
    return manifest


def unpack(archive: Path, staging: Path, manifest: dict, advance: Advance) -> None:
    """Every member into ``staging``, each checked against its size and SHA-256 as it is written."""
    expected = {f["path"]: f for f in manifest["files"]}
    total = sum(f["size"] for f in manifest["files"])
    done = 0
    try:
        with _open(archive) as tar:
            for member in tar:
                name = _member_path(member)
                if name == MANIFEST:
                    continue
                entry = expected.pop(name, None)
                if entry is None or member.size != entry["size"]:
                    raise BackupError(_("The archive changed while it was read: %(name)s.") % {"name": name})
                dest = staging.joinpath(*name.split("/"))
                dest.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                with dest.open("xb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                        done += len(block)
                        advance(done, total)
                os.utime(dest, (member.mtime, member.mtime))
                if digest.hexdigest() != entry["sha256"]:
                    raise BackupError(
                        _(
                            "The archive is damaged or was changed: %(name)s does not match its "
                            "checksum (SHA-256). Nothing was restored."
                        )
                        % {"name": name}
                    )
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(
            _("The archive %(path)s is damaged or incomplete (%(error)s).") % {"path": archive, "error": exc}
        ) from exc
    if expected:
        raise BackupError(_("The archive changed while it was read: %(name)s.") % {"name": next(iter(expected))})


# ---------------------------------------------------------------- migrations


def check_schema(applied: dict[str, list[str]]) -> None:
    """Refuse a backup whose database has a migration this code does not know: a newer
    Tumbuh made it, and this one would misread its tables."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(tuple(key) for key in migration.replaces or ())  # squashed away here, applied there
    newer = sorted({(app, name) for app, names in applied.items() for name in names} - known)
    if newer:
        raise BackupError(
            _(
                "This backup comes from a newer Tumbuh: its database has migration %(migration)s, which "
                "this version does not know. Update Tumbuh to the version that made the backup, then "
                "restore again."
            )
            % {"migration": ".".join(newer[0])}
        )


def pending_migrations() -> list[str]:
    """The migrations of this code the configured database has not applied (a backup from an
    older Tumbuh), as ``migrate`` would apply them."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# ---------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    archive: Path
    manifest: dict
    migrated: list[str]
    kept_media: Path | None
    other_sessions: int = 0

    @property
    def rows(self) -> int:
        return sum(self.manifest["row_counts"].values())

    @property
    def media_files(self) -> int:
        return sum(1 for f in self.manifest["files"] if f["path"].startswith(MEDIA))


def _swap_media(staged: Path, media_root: Path, now: datetime.datetime) -> Path | None:
    """Put the restored files in ``media_root``; what was there before is moved aside, into a
    sibling folder named after the time, and returned (None: nothing was there)."""
    media_root.mkdir(parents=True, exist_ok=True)
    kept = None
    existing = sorted(media_root.iterdir())
    if existing:
        kept = media_root.parent / f"{media_root.name}-sebelum-pemulihan-{timezone.localtime(now):%Y%m%d-%H%M%S}"
        kept.mkdir()
        for entry in existing:
            shutil.move(str(entry), str(kept / entry.name))
    if staged.is_dir():
        for entry in sorted(staged.iterdir()):
            shutil.move(str(entry), str(media_root / entry.name))
    return kept


def restore_backup(
    archive: Path,
    *,
    force: bool,
    now: datetime.datetime,
    say: Say = _quiet,
    advance: Advance = _quiet,
    migrate_out=None,
    command: str = "tumbuh restore",
) -> RestoreResult:
    """Restore ``archive`` into the configured database and ``MEDIA_ROOT`` (see the module);
    audited in the restored database. Stop the server first: SQLite's file is written in place."""
    engine = engine_of()
    media_root = Path(settings.MEDIA_ROOT)
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("No such archive: %(path)s") % {"path": archive})
    held = _holds_data(engine, media_root)
    if held and not force:
        raise BackupError(
            _(
                "This instance already holds data (%(what)s): a restore would replace it. Restore into "
                "an empty instance, or add --force to replace it (the current uploaded files are then "
                "moved aside, not deleted)."
            )
            % {"what": "; ".join(held)}
        )
    say(_("Checking the archive %(path)s…") % {"path": archive})
    manifest = read_manifest(archive)
    if manifest.get("engine") != engine.name:
        raise BackupError(
            _(
                "This backup is of a %(theirs)s database, and this Tumbuh uses %(ours)s: restore it "
                "into a Tumbuh that uses %(theirs)s."
            )
            % {"theirs": manifest.get("engine"), "ours": engine.name}
        )
    check_schema(manifest["migrations"])
    engine.check_restore(manifest)
    needed = sum(f["size"] for f in manifest["files"]) + DISK_MARGIN
    if engine.name == "sqlite":
        needed += next(
            f["size"] for f in manifest["files"] if f["path"] == engine.member
        )  # the staged copy and the database
    media_root.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(media_root.parent).free
    if needed > free:
        raise BackupError(
            _("Not enough disk space next to %(path)s: the restore needs %(needed)s, %(free)s are free.")
            % {"path": media_root, "needed": size_text(needed), "free": size_text(free)}
        )
    others = engine.other_sessions()
    if others:
        say(
            _(
                "Warning: %(n)s other connections to the database are open: stop the Tumbuh server and its import "
                "workers during a restore."
            )
            % {"n": others}
        )
    staging = Path(tempfile.mkdtemp(prefix=".tumbuh-restore-", dir=media_root.parent))
    try:
        say(_("Unpacking and checking %(n)s files…") % {"n": len(manifest["files"])})
        unpack(archive, staging, manifest, advance)
        connections.close_all()
        engine.restore(staging.joinpath(*manifest["database"]["member"].split("/")), say, set(manifest["row_counts"]))
        conn = engine.connect()
        try:
            found = engine.row_counts(conn) if conn is not None else {}
        finally:
            if conn is not None:
                conn.close()
        wrong = sorted(t for t, n in manifest["row_counts"].items() if found.get(t) != n)
        if wrong:
            t = wrong[0]
            raise BackupError(
                _(
                    "The restored database does not match the backup: table %(table)s has %(found)s "
                    "rows, the backup %(expected)s (%(n)s tables differ)."
                )
                % {"table": t, "found": found.get(t, 0), "expected": manifest["row_counts"][t], "n": len(wrong)}
            )
        say(_("Putting the uploaded files into %(path)s…") % {"path": media_root})
        kept = _swap_media(staging / "media", media_root, now)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pending = pending_migrations()
    if pending:
        from django.core.management import call_command

        say(_("The backup is from an older Tumbuh: applying %(n)s migrations…") % {"n": len(pending)})
        call_command("migrate", interactive=False, verbosity=1, stdout=migrate_out, stderr=migrate_out)
    result = RestoreResult(archive, manifest, pending, kept, others)
    _audit(
        "core.restore",
        archive.name,
        manifest.get("kabupaten", ""),
        {
            "file": str(archive.absolute()),
            "sha256": _sha256(archive),
            "backup_created_at": manifest.get("created_at"),
            "tumbuh_version": manifest.get("tumbuh_version"),
            "engine": engine.label,
            "tables": len(manifest["row_counts"]),
            "rows": result.rows,
            "media_files": result.media_files,
            "migrated": len(pending),
            "forced": bool(held),
            "os_user": _os_user(),
            "host": socket.gethostname(),
        },
        command,
    )
    return result
