"""The moved team model takes this app's table name (``organisation_tpps`` → ``tpps_tpps``;
rows, ids and the foreign keys pointing at them are kept), its content type moves with it (so
uploaded documents and permissions stay attached) and its audit history follows
(``organisation.tpps`` → ``tpps.tpps``)."""

from django.db import migrations

from tumbuh.audit.renames import follow_rename


def _move_content_type(apps, old: str, new: str) -> None:
    """The content type of the team model takes the app label ``new``. When one of that label
    already exists (a ``migrate`` in between created it, empty), what refers to it is moved to
    the old one first (its duplicate permissions deleted), and it goes."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    moving = ContentType.objects.filter(app_label=old, model="tpps").first()
    if moving is None:
        return
    existing = ContentType.objects.filter(app_label=new, model="tpps").first()
    if existing is not None:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is ContentType:
                    rows = model._default_manager.filter(**{field.name: existing})
                    if model._meta.label_lower == "auth.permission":
                        rows.delete()
                    else:
                        rows.update(**{field.name: moving})
        existing.delete()
    moving.app_label = new
    moving.save(update_fields=["app_label"])


def content_type_forwards(apps, schema_editor):
    _move_content_type(apps, "organisation", "tpps")


def content_type_backwards(apps, schema_editor):
    _move_content_type(apps, "tpps", "organisation")


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisation", "0003_tpps_moved_to_tpps"),
        ("tpps", "0003_tpps_from_organisation"),
    ]

    operations = [
        migrations.AlterModelTable(name="tpps", table=None),
        migrations.RunPython(content_type_forwards, content_type_backwards),
        follow_rename({"organisation.tpps": "tpps.tpps"}),
    ]
