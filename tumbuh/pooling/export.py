"""``export_parquet``: the instance's visits (or one kabupaten's) as pseudonymous Parquet.

Layout, readable by ``pyarrow.dataset.dataset(path, partitioning="hive")``, DuckDB
(``read_parquet('…/**/*.parquet', hive_partitioning=true)``) and Spark::

    OUT/_manifest.json
    OUT/provinsi=73/kabupaten=73.24/year=2025/month=3/part-0.parquet

Each file holds :data:`SCHEMA`: the pseudonymous child key, region codes (again as full-text
columns, since a hive reader types ``provinsi=73`` as an integer), the posyandu, sex, age in
days, the visit date, the measurements under WHO's input names (``measure``, ``armc``), so that
``tumbuh zscore`` reads a file as it is, and the engine's z-scores, flags and statuses. No name,
no NIK, no birth date, nothing of the parents, no free text.

The child key is HMAC-SHA256(district key, the child's Tumbuh ID): a child's visits share it
within an export (and across the district's exports while its key stays the same); without the
key nothing leads back to the child. The key never leaves the district (:func:`pooling_key`).

Rows are read in chunks from a server-side cursor, ordered by partition, so one file is open at a
time and no table is held whole in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import secrets
import shutil
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

from tumbuh.measurements.models import Measurement

SCHEMA_VERSION = 1
#: The leading underscore: pyarrow.dataset, Spark and Hive skip it when they read the directory.
MANIFEST = "_manifest.json"
PARTITIONING = ("provinsi", "kabupaten", "year", "month")
#: Smallest accepted key, in bytes (as UTF-8 text of the setting, or the key file's hex text).
MIN_KEY_BYTES = 32

Z_COLUMNS = ("zlen", "zwei", "zwfl", "zbmi", "zac", "zhc")
FLAG_COLUMNS = ("flen", "fwei", "fwfl", "fbmi", "fac", "fhc")
STATUS_COLUMNS = ("status_tbu", "status_bbu", "status_bbtb", "status_imtu")

SCHEMA = pa.schema(
    [
        ("child_key", pa.string()),
        ("visit_date", pa.date32()),
        ("age_days", pa.int32()),
        ("sex", pa.int8()),
        ("provinsi_code", pa.string()),
        ("kabupaten_code", pa.string()),
        ("kecamatan_code", pa.string()),
        ("desa_code", pa.string()),
        ("posyandu_id", pa.int64()),
        ("posyandu_code", pa.string()),
        ("weight", pa.float64()),
        ("lenhei", pa.float64()),
        ("measure", pa.string()),
        ("oedema", pa.string()),
        ("headc", pa.float64()),
        ("armc", pa.float64()),
        *((c, pa.float64()) for c in Z_COLUMNS),
        *((c, pa.bool_()) for c in FLAG_COLUMNS),
        *((c, pa.string()) for c in STATUS_COLUMNS),
    ],
    metadata={"tumbuh.pooling.schema_version": str(SCHEMA_VERSION)},
)

#: What is read from the database, in order: every column of SCHEMA comes from these.
_DB_FIELDS = (
    "child__tumbuh_id",
    "date",
    "child__birth_date",
    "child__sex",
    "desa__provinsi_code",
    "desa__kabupaten_code",
    "desa__kecamatan_code",
    "desa_id",
    "posyandu_id",
    "posyandu__code",
    "weight",
    "lenhei",
    "position",
    "oedema",
    "headc",
    "muac",
    *Z_COLUMNS,
    *FLAG_COLUMNS,
    *STATUS_COLUMNS,
)


class PoolingKeyError(Exception):
    pass


def pooling_key() -> bytes:
    """The district's key: ``TUMBUH_POOLING_KEY`` if set, else the key file
    (``TUMBUH_POOLING_KEY_FILE``, by default ``VAR_DIR/pooling.key``), made with 256 random bits
    and mode 0600 the first time it is needed. Keep it with the backups, never with an export:
    whoever holds it can recompute the key of a child whose Tumbuh ID they know."""
    text = settings.TUMBUH_POOLING_KEY
    if not text:
        path = Path(settings.TUMBUH_POOLING_KEY_FILE)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # made meanwhile by another process: read theirs
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32) + "\n")
        text = path.read_text().strip()
    key = text.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise PoolingKeyError(f"the pooling key must have at least {MIN_KEY_BYTES} characters")
    return key


def child_key(key: bytes, tumbuh_id: str) -> str:
    """HMAC-SHA256(key, the child's Tumbuh ID), lowercase hex."""
    return hmac.new(key, tumbuh_id.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A fingerprint of the key, in the manifest: two exports with the same fingerprint have the
    same child keys for the same child. It tells nothing of the key."""
    return hmac.new(key, b"tumbuh pooling key id", hashlib.sha256).hexdigest()[:16]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def instance_name() -> str:
    return settings.TUMBUH_INSTANCE_NAME or socket.gethostname()


def _version() -> str:
    try:
        return metadata.version("tumbuh")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "unknown"


@dataclass
class ExportResult:
    path: Path
    rows: int = 0
    files: list[dict] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def _float(x) -> float | None:
    return None if x is None else float(x)


def _text(x) -> str | None:
    return x or None


def _table(rows: list[tuple], key: bytes) -> pa.Table:
    """One chunk of database rows (``_DB_FIELDS``) as a Table of ``SCHEMA``."""
    cols = list(zip(*rows))
    (tid, date, birth, sex, prov, kab, kec, desa, pos_id, pos_code, weight, lenhei, position, oedema, headc, muac) = (
        cols[:16]
    )
    rest = cols[16:]
    nz, nf = len(Z_COLUMNS), len(FLAG_COLUMNS)
    zs, flags, statuses = rest[:nz], rest[nz : nz + nf], rest[nz + nf :]
    visit = pa.array(date, pa.date32())
    born = pa.array(birth, pa.date32())
    age = pc.subtract(visit.cast(pa.int32()), born.cast(pa.int32()))
    data = {
        "child_key": pa.array([child_key(key, t) for t in tid], pa.string()),
        "visit_date": visit,
        "age_days": age,
        "sex": pa.array(sex, pa.int8()),
        "provinsi_code": pa.array(prov, pa.string()),
        "kabupaten_code": pa.array(kab, pa.string()),
        "kecamatan_code": pa.array(kec, pa.string()),
        "desa_code": pa.array(desa, pa.string()),
        "posyandu_id": pa.array(pos_id, pa.int64()),
        "posyandu_code": pa.array([_text(c) for c in pos_code], pa.string()),
        "weight": pa.array([_float(x) for x in weight], pa.float64()),
        "lenhei": pa.array([_float(x) for x in lenhei], pa.float64()),
        "measure": pa.array([_text(p) for p in position], pa.string()),
        "oedema": pa.array(["y" if o else "n" for o in oedema], pa.string()),
        "headc": pa.array([_float(x) for x in headc], pa.float64()),
        "armc": pa.array([_float(x) for x in muac], pa.float64()),
    }
    for name, values in zip(Z_COLUMNS, zs):
        data[name] = pa.array(values, pa.float64())
    for name, values in zip(FLAG_COLUMNS, flags):
        data[name] = pa.array(values, pa.bool_())
    for name, values in zip(STATUS_COLUMNS, statuses):
        data[name] = pa.array([_text(s) for s in values], pa.string())
    return pa.Table.from_pydict(data, schema=SCHEMA)


def _partition_of(row: tuple) -> tuple[str, str, int, int]:
    date: dt.date = row[1]
    return row[4], row[5], date.year, date.month


def visits_to_export(kabupaten: str | None = None):
    """The visits an export holds (removed visits never), in partition order."""
    qs = Measurement.objects.all()
    if kabupaten:
        qs = qs.filter(desa__kabupaten_code=kabupaten)
    return qs.order_by("desa__kabupaten_code", "date", "child_id")


def export_parquet(
    out: Path | str,
    *,
    key: bytes,
    now: dt.datetime,
    kabupaten: str | None = None,
    chunk_size: int = 20_000,
    compression: str = "zstd",
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the export to the new directory ``out`` (it must not exist): the files first, into a
    sibling working directory, then ``_manifest.json``, then the rename, so that a directory named
    ``out`` is always a whole export."""
    out = Path(out)
    if out.exists():
        raise FileExistsError(out)
    work = out.with_name(f".{out.name}.partial-{os.getpid()}")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    result = ExportResult(path=out)
    try:
        rows = visits_to_export(kabupaten).values_list(*_DB_FIELDS).iterator(chunk_size=chunk_size)
        writer: pq.ParquetWriter | None = None
        current: tuple | None = None
        count = 0
        relpath = ""

        def close() -> None:
            if writer is not None:
                writer.close()
                file_path = work / relpath
                result.files.append({"path": relpath, "rows": count, "sha256": sha256_of(file_path)})

        for chunk in _chunks(rows, chunk_size):
            for part, group in itertools.groupby(chunk, key=_partition_of):
                if part != current:
                    close()
                    current, count = part, 0
                    prov, kab, year, month = part
                    relpath = f"provinsi={prov}/kabupaten={kab}/year={year}/month={month}/part-0.parquet"
                    (work / relpath).parent.mkdir(parents=True, exist_ok=True)
                    writer = pq.ParquetWriter(work / relpath, SCHEMA, compression=compression)
                group_rows = list(group)
                if writer is None:  # pragma: no cover - opened above for every new partition
                    raise RuntimeError("no open file")
                writer.write_table(_table(group_rows, key))
                count += len(group_rows)
                result.rows += len(group_rows)
            if progress:
                progress(len(chunk))
        close()
        result.manifest = {
            "schema_version": SCHEMA_VERSION,
            "exporter": {
                "instance": instance_name(),
                "tumbuh_version": _version(),
                "kabupaten": kabupaten or "",
            },
            "generated_at": now.isoformat(),
            "key_id": key_id(key),
            "partitioning": {"flavor": "hive", "fields": list(PARTITIONING)},
            "columns": [{"name": f.name, "type": str(f.type)} for f in SCHEMA],
            "rows": result.rows,
            "files": result.files,
        }
        (work / MANIFEST).write_text(json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n")
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def _chunks(rows: Iterable[tuple], n: int):
    it = iter(rows)
    while chunk := list(itertools.islice(it, n)):
        yield chunk
