"""Audit history that follows a renamed or moved model.

``follow_rename`` is a migration step: the ``AuditLog`` rows of a model whose name or app
changed get its new ``object_type`` (``app_label.modelname``, as ``do_save`` writes it), and
the keys of their ``before``/``after`` snapshots take the renamed fields' new names, so an
object's history reads as one. It runs backwards too. The app whose migration uses it must
depend on ``audit``'s latest migration."""

from __future__ import annotations

from django.db import migrations


def _rename_keys(snapshot, renamed: dict[str, str]):
    if not isinstance(snapshot, dict):
        return snapshot
    return {renamed.get(key, key): value for key, value in snapshot.items()}


def _rewrite(apps, types: dict[str, str], fields: dict[str, dict[str, str]]) -> None:
    AuditLog = apps.get_model("audit", "AuditLog")
    for old, new in types.items():
        AuditLog.objects.filter(object_type=old).update(object_type=new)
    for label, renamed in fields.items():
        changed = []
        for row in AuditLog.objects.filter(object_type=label).only("pk", "before", "after").iterator():
            before, after = _rename_keys(row.before, renamed), _rename_keys(row.after, renamed)
            if (before, after) != (row.before, row.after):
                row.before, row.after = before, after
                changed.append(row)
        AuditLog.objects.bulk_update(changed, ["before", "after"], batch_size=500)


def follow_rename(types: dict[str, str], fields: dict[str, dict[str, str]] | None = None) -> migrations.RunPython:
    """``types``: old ``label_lower`` → new (the same label when only fields were renamed);
    ``fields``: per old ``label_lower``, {old field name: new field name}."""
    fields = fields or {}
    forward_fields = {types.get(label, label): renamed for label, renamed in fields.items()}
    backward_types = {new: old for old, new in types.items()}
    backward_fields = {label: {new: old for old, new in renamed.items()} for label, renamed in fields.items()}

    def forwards(apps, schema_editor):
        _rewrite(apps, types, forward_fields)

    def backwards(apps, schema_editor):
        _rewrite(apps, backward_types, backward_fields)

    return migrations.RunPython(forwards, backwards)
