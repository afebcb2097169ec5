"""Renaming models and fields in place, with the audit trail following them. A migration
declares its renames once, as (old model, new model, {old field: new field}); ``rename_operations``
turns them into RenameModel and RenameField operations (the rows stay), and ``follow_renames``,
its last step, moves the ``AuditLog`` rows written before: they carry the old ``object_type``
(``krs.keluarga``) and the old field names in their ``before``/``after`` snapshots, and are
rewritten to the new ones (values untouched), and back when the migration is reversed. A
record's history stays one history.

(Uploaded documents need nothing: they point to a ``ContentType``, which Django renames with
the model.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import migrations

#: (old model name, new model name, {old field name: new field name}), as a migration declares them.
Renames = Sequence[tuple[str, str, Mapping[str, str]]]

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
    for log in (
        AuditLog.objects.filter(object_type=old_type).only("pk", "before", "after").order_by("pk").iterator(BATCH)
    ):
        log.object_type, log.before, log.after = new_type, _renamed(log.before, fields), _renamed(log.after, fields)
        rows.append(log)
        if len(rows) == BATCH:
            done += AuditLog.objects.bulk_update(rows, ["object_type", "before", "after"])
            rows = []
    return done + (AuditLog.objects.bulk_update(rows, ["object_type", "before", "after"]) if rows else 0)


def rename_operations(renames: Renames) -> list:
    """A RenameModel per model in the order given (a model before the models it points to, so
    that the migration also runs backwards), then a RenameField per field."""
    return [
        *(migrations.RenameModel(old_name=old, new_name=new) for old, new, _fields in renames),
        *(
            migrations.RenameField(model_name=new.lower(), old_name=old_field, new_name=new_field)
            for _old, new, fields in renames
            for old_field, new_field in fields.items()
        ),
    ]


def follow_rename(
    types: Mapping[str, str], fields: Mapping[str, Mapping[str, str]] | None = None
) -> migrations.RunPython:
    """The migration step that moves audit rows to a model's new name, app or field names, and
    back when reversed. ``types``: old ``label_lower`` → new (a model moved to another app, such
    as ``organisation.tpps`` → ``tpps.tpps``); ``fields``: per old ``label_lower``, {old field
    name: new field name} (the same label when only fields were renamed). The app whose
    migration uses it depends on ``audit``'s latest migration."""
    fields = fields or {}
    moves = {old: (types.get(old, old), dict(fields.get(old, {}))) for old in {*types, *fields}}

    def forwards(apps, schema_editor):
        for old_type, (new_type, renamed) in moves.items():
            rewrite_history(apps, old_type, new_type, renamed)

    def backwards(apps, schema_editor):
        for old_type, (new_type, renamed) in moves.items():
            rewrite_history(apps, new_type, old_type, {new: old for old, new in renamed.items()})

    return migrations.RunPython(forwards, backwards, elidable=False)


def follow_renames(app_label: str, renames: Renames) -> migrations.RunPython:
    """``follow_rename`` for the renames of one app, declared as for ``rename_operations``."""
    return follow_rename(
        {f"{app_label}.{old.lower()}": f"{app_label}.{new.lower()}" for old, new, _f in renames},
        {f"{app_label}.{old.lower()}": fields for old, _new, fields in renames},
    )
