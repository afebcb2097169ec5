"""A report's team is ``tpps.Tpps`` now (moved from ``organisation`` with its table): the
state follows; the column and its foreign key, on the same table, stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("semester", "0001_initial"),
        ("tpps", "0003_tpps_from_organisation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="semesterreport",
                    name="tpps",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="semester_reports",
                                            to="tpps.tpps", verbose_name="TPPS"),
                ),
            ],
            database_operations=[],
        ),
    ]
