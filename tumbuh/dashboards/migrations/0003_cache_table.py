"""Create the cache table when ``TUMBUH_CACHE_URL=db://…`` (Django's DatabaseCache), so that
``tumbuh migrate`` is the only step; with any other cache backend this does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_quality_aggregate")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
