"""Seed the national indicator catalogue (Perpres 72/2021 targets, essential coverage)."""

from django.db import migrations


def seed(apps, schema_editor):
    from tumbuh.indikator.catalogue import load_catalogue

    load_catalogue(apps.get_model("indikator", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("indikator", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
