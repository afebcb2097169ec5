"""``import_parquet``: a district's export (``export.py``) into this instance's pooled table.

Checked before anything is written: the manifest's schema version, that every file it lists is
inside the export's directory, is there, has the SHA-256 and the row count the manifest gives
and the schema of :data:`~tumbuh.pooling.export.SCHEMA`; that no Parquet file is there that the
manifest does not list; that the rows sum to the manifest's total. Any difference refuses the
whole export with a message saying which file and what differs.

All or nothing: the export is loaded in one transaction. A file is read once into memory (one
kabupaten-month: a few megabytes at most), hashed again and parsed from the same bytes, so a file
changed between the check and the load is refused too and nothing of the export stays.

``(child_key, visit_date)`` is unique: loading an export again, or a later export of the same
district that holds the same visits, adds no row; the values of the latest load win (a visit
corrected in the district is corrected in the pool).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import record_about
from tumbuh.audit.models import AuditAction

from .export import FLAG_COLUMNS, MANIFEST, SCHEMA, SCHEMA_VERSION, STATUS_COLUMNS, Z_COLUMNS, sha256_of
from .models import PooledImport, PooledVisit

#: Columns of a pooled visit written from the file's columns of the same name.
_SAME = ("sex", "age_days", "weight", "lenhei", "headc", "armc", *Z_COLUMNS, *FLAG_COLUMNS)
_UPDATE_FIELDS = [
    "provinsi_code",
    "kabupaten_code",
    "kecamatan_code",
    "wilayah_code",
    "posyandu_id",
    "posyandu_code",
    "measure",
    "oedema",
    *_SAME,
    *STATUS_COLUMNS,
    "pooled_import",
]


class ExportRefused(Exception):
    """The export is not what its manifest says (or no export at all); nothing was loaded."""


@dataclass
class CheckedExport:
    path: Path
    manifest: dict
    manifest_sha256: str
    kabupaten: list[str]


def _refuse(message: str, **values) -> ExportRefused:
    """``message``: translated already (gettext at the call, so that makemessages finds it)."""
    return ExportRefused(
        _("Export refused, nothing loaded: %(why)s") % {"why": message % values if values else message}
    )


def check_export(path: Path | str) -> CheckedExport:
    """The manifest of the export in ``path``, once every file agrees with it; else ExportRefused."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise _refuse(_("%(path)s has no _manifest.json."), path=path)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise _refuse(_("_manifest.json is not valid JSON.")) from None
    if not isinstance(manifest, dict) or manifest.get("schema_version") != SCHEMA_VERSION:
        raise _refuse(
            _("the schema version is %(found)s, this Tumbuh reads version %(ours)s."),
            found=manifest.get("schema_version") if isinstance(manifest, dict) else "?",
            ours=SCHEMA_VERSION,
        )
    files = manifest.get("files")
    if not isinstance(files, list):
        raise _refuse(_("_manifest.json lists no files."))
    try:
        dt.datetime.fromisoformat(str(manifest.get("generated_at")))
    except ValueError:
        raise _refuse(_("_manifest.json does not say when the export was made.")) from None
    root = path.resolve()
    listed: set[Path] = set()
    kabupaten: list[str] = []
    total = 0
    for entry in files:
        rel = str(entry.get("path", "")) if isinstance(entry, dict) else ""
        file_path = (root / rel).resolve()
        if not rel or root not in file_path.parents:
            raise _refuse(_("the manifest names a file outside the export: %(file)s."), file=rel)
        if not file_path.is_file():
            raise _refuse(_("%(file)s is missing."), file=rel)
        if sha256_of(file_path) != entry.get("sha256"):
            raise _refuse(_("%(file)s has been changed: its SHA-256 checksum differs from the manifest's."), file=rel)
        try:
            meta = pq.ParquetFile(file_path)
        except (pa.ArrowException, OSError):
            raise _refuse(_("%(file)s is not a Parquet file."), file=rel) from None
        if meta.metadata.num_rows != entry.get("rows"):
            raise _refuse(
                _("%(file)s holds %(found)s rows, the manifest says %(said)s."),
                file=rel,
                found=meta.metadata.num_rows,
                said=entry.get("rows"),
            )
        if not meta.schema_arrow.remove_metadata().equals(SCHEMA.remove_metadata()):
            raise _refuse(_("%(file)s does not have the columns of a Tumbuh export."), file=rel)
        kab = _partition_value(rel, "kabupaten")
        if not kab:
            raise _refuse(_("%(file)s is not under a kabupaten=… folder."), file=rel)
        if kab not in kabupaten:
            kabupaten.append(kab)
        listed.add(file_path)
        total += entry["rows"]
    extra = sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet") if p.resolve() not in listed)
    if extra:
        raise _refuse(_("%(file)s is not in the manifest."), file=extra[0])
    if total != manifest.get("rows"):
        raise _refuse(
            _("the files hold %(found)s rows, the manifest says %(said)s."), found=total, said=manifest.get("rows")
        )
    return CheckedExport(
        path=path, manifest=manifest, manifest_sha256=sha256_of(manifest_path), kabupaten=sorted(kabupaten)
    )


def _partition_value(rel: str, name: str) -> str:
    for part in Path(rel).parts:
        if part.startswith(name + "="):
            return part[len(name) + 1 :]
    return ""


def _visits(table: pa.Table, pooled_import: PooledImport, rel: str) -> list[PooledVisit]:
    cols = table.to_pydict()
    n = table.num_rows
    if len(set(zip(cols["child_key"], cols["visit_date"]))) != n:
        raise _refuse(_("%(file)s holds the same visit twice."), file=rel)
    out = []
    for i in range(n):
        values = {name: cols[name][i] for name in _SAME}
        values.update({name: cols[name][i] or "" for name in STATUS_COLUMNS})
        out.append(
            PooledVisit(
                child_key=cols["child_key"][i],
                visit_date=cols["visit_date"][i],
                provinsi_code=cols["provinsi_code"][i],
                kabupaten_code=cols["kabupaten_code"][i],
                kecamatan_code=cols["kecamatan_code"][i],
                wilayah_code=cols["desa_code"][i],
                posyandu_id=cols["posyandu_id"][i],
                posyandu_code=cols["posyandu_code"][i] or "",
                measure=cols["measure"][i] or "",
                oedema=cols["oedema"][i] == "y",
                pooled_import=pooled_import,
                **values,
            )
        )
    return out


def do_import_parquet(
    actor, path: Path | str, *, now: dt.datetime, replace: bool = False, batch_size: int = 5_000, progress=None
) -> PooledImport:
    """Check the export in ``path`` and load it, all or nothing. ``actor`` must see every
    kabupaten the export holds and be allowed to add pooled visits (``permissions.py``: Tumbuh
    itself, or a superuser of the provincial instance). ``replace``: the export is the whole of
    its kabupaten: their pooled visits are deleted first (in the same transaction), so that visits
    removed in the district, or the keys of a district whose key changed, leave the pool."""
    checked = check_export(path)
    for kab in checked.kabupaten:
        if not (policy.can(actor, policy.ADD, PooledVisit) and policy.node_contains(actor, kab)):
            raise PermissionError(
                _("%(user)s may not load the visits of kabupaten %(code)s.") % {"user": actor, "code": kab}
            )
    manifest = checked.manifest
    if not replace:
        for kab in checked.kabupaten:
            last = PooledImport.objects.filter(kabupaten_codes__contains=kab).order_by("-imported_at", "-id").first()
            if last is not None and last.key_id != manifest.get("key_id"):
                raise _refuse(
                    _(
                        "kabupaten %(code)s was exported with another key before (%(old)s, now %(new)s): "
                        "load a full export of it with --replace, or each child is pooled twice."
                    ),
                    code=kab,
                    old=last.key_id,
                    new=manifest.get("key_id"),
                )
    root = checked.path.resolve()
    with transaction.atomic():
        pooled = PooledVisit.objects.filter(kabupaten_code__in=checked.kabupaten)
        deleted = pooled.delete()[0] if replace else 0
        before = pooled.count()
        pooled_import = PooledImport.objects.create(
            imported_at=now,
            imported_by=actor if getattr(actor, "pk", None) else None,
            exporter=str(manifest.get("exporter", {}).get("instance", ""))[:120],
            kabupaten_codes=",".join(checked.kabupaten)[:300],
            wilayah_code=checked.kabupaten[0] if checked.kabupaten else "",
            key_id=str(manifest.get("key_id", ""))[:64],
            schema_version=manifest["schema_version"],
            generated_at=dt.datetime.fromisoformat(manifest["generated_at"]),
            manifest_sha256=checked.manifest_sha256,
            files=len(manifest["files"]),
            rows=manifest["rows"],
        )
        for entry in manifest["files"]:
            rel = entry["path"]
            data = (root / rel).read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise _refuse(_("%(file)s was changed while it was loaded."), file=rel)
            kab = _partition_value(rel, "kabupaten")
            reader = pq.ParquetFile(pa.BufferReader(data))
            for batch in reader.iter_batches(batch_size=batch_size):
                table = pa.Table.from_batches([batch])
                if not pc.all(pc.equal(table.column("kabupaten_code"), kab)).as_py():
                    raise _refuse(_("%(file)s holds visits of another kabupaten than its folder's."), file=rel)
                PooledVisit.objects.bulk_create(
                    _visits(table, pooled_import, rel),
                    update_conflicts=True,
                    unique_fields=["child_key", "visit_date"],
                    update_fields=_UPDATE_FIELDS,
                )
                if progress:
                    progress(table.num_rows)
        added = pooled.count() - before
        pooled_import.added = added
        pooled_import.updated = manifest["rows"] - added
        pooled_import.deleted = deleted
        pooled_import.save(update_fields=["added", "updated", "deleted"])
        record_about(
            actor,
            AuditAction.CREATE,
            object_type=PooledImport._meta.label_lower,
            object_id=str(pooled_import.pk),
            object_repr=_("Pooled export of %(exporter)s") % {"exporter": pooled_import.exporter},
            wilayah_code=pooled_import.wilayah_code,
            after={
                "exporter": pooled_import.exporter,
                "kabupaten": checked.kabupaten,
                "generated_at": manifest["generated_at"],
                "manifest_sha256": checked.manifest_sha256,
                "rows": manifest["rows"],
                "added": added,
                "deleted": deleted,
            },
        )
    return pooled_import
