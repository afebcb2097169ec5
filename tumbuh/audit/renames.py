"""The audit trail follows a renamed model: a migration that renames a model (RenameModel) or
its fields (RenameField) adds ``follow_renames(...)`` as its last step, so a record's history
stays one history. The ``AuditLog`` rows written before carry the old ``object_type``
(``krs.keluarga``) and the old field names in their ``before``/``after`` snapshots; they are
rewritten to the new ones (values untouched), and back when the migration is reversed.

(Uploaded documents need nothing: they point to a ``ContentType``, which Django renames with
the model.)
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import migrations

BATCH = 2000


def _renamed(snapshot, fields: Mapping[str, str]):
    if not isinstance(snapshot, dict):
        return snapshot
    return {fields.get(key, key): value for key, value in snapshot.items()}


def rewrite_history(apps, old_type: str, new_type: str, fields: Mapping[str, str]) -> int:
    """Move the audit rows of ``old_type`` to ``new_type``, renaming snapshot keys by ``fields``
    (old name → new name). Returns how many rows were rewritten."""
    AuditLog = apps.get_model("audit", "AuditLog")
    rows, done = [], 0
    for log in AuditLog.objects.filter(object_type=old_type).only("pk", "before", "after").order_by("pk").iterator(BATCH):
        log.object_type, log.before, log.after = new_type, _renamed(log.before, fields), _renamed(log.after, fields)
        rows.append(log)
        if len(rows) == BATCH:
            done += AuditLog.objects.bulk_update(rows, ["object_type", "before", "after"])
            rows = []
    return done + (AuditLog.objects.bulk_update(rows, ["object_type", "before", "after"]) if rows else 0)


def follow_renames(renames: Mapping[str, tuple[str, Mapping[str, str]]]) -> migrations.RunPython:
    """The migration step: ``renames`` maps an old object type to (the new one, {old field:
    new field}), e.g. ``{"krs.keluarga": ("krs.family", {"tahun": "year"})}``."""

    def forwards(apps, schema_editor):
        for old_type, (new_type, fields) in renames.items():
            rewrite_history(apps, old_type, new_type, fields)

    def backwards(apps, schema_editor):
        for old_type, (new_type, fields) in renames.items():
            rewrite_history(apps, new_type, old_type, {new: old for old, new in fields.items()})

    return migrations.RunPython(forwards, backwards, elidable=False)
