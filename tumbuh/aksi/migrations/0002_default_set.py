"""Seed the national 8-action set."""

from django.db import migrations


def seed(apps, schema_editor):
    from tumbuh.aksi.default_set import load_default_set

    load_default_set(*(apps.get_model("aksi", name) for name in ("ActionSet", "ActionDefinition", "OutputItem")))


class Migration(migrations.Migration):
    dependencies = [("aksi", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
