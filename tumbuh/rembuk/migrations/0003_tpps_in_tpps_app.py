"""An invitee's team is ``tpps.Tpps`` now (moved from ``organisation`` with its table): the
state follows; the column and its foreign key, on the same table, stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rembuk", "0002_participant_is_invitee"),
        ("tpps", "0003_tpps_from_organisation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="invitee",
                    name="tpps",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                            to="tpps.tpps", verbose_name="TPPS"),
                ),
            ],
            database_operations=[],
        ),
    ]
