"""The team model moves from ``organisation`` into this app, its table and rows untouched:
here the state only (``Tpps`` on the table ``organisation_tpps``, the decrees, working groups
and members pointing at it). ``organisation`` 0003 then drops its own state of the model, and
0004 gives the table this app's name and moves the content type and the audit history."""

import django.db.models.deletion
from django.db import migrations, models


def _team(related_name):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name=related_name, to="tpps.tpps",
                             verbose_name="TPPS")


class Migration(migrations.Migration):

    dependencies = [
        ("organisation", "0002_tpps_decree_in_tpps"),
        ("tpps", "0002_decrees_from_tpps_sk"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Tpps",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        ("secretariat", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                          related_name="tpps_secretariat", to="organisation.opd",
                                                          verbose_name="secretariat")),
                        ("wilayah", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="tpps_set",
                                                      to="wilayah.wilayah", verbose_name="region")),
                    ],
                    options={
                        "verbose_name": "TPPS",
                        "verbose_name_plural": "TPPS",
                        "ordering": ["wilayah_id"],
                        "db_table": "organisation_tpps",
                        "constraints": [models.UniqueConstraint(fields=("wilayah",), name="tpps_one_per_wilayah")],
                    },
                ),
                migrations.AlterField(model_name="decree", name="tpps", field=_team("decrees")),
                migrations.AlterField(model_name="pokja", name="tpps", field=_team("pokja_set")),
                migrations.AlterField(model_name="member", name="tpps", field=_team("members")),
            ],
            database_operations=[],
        ),
    ]
