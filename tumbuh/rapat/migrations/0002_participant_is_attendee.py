"""``Participant`` becomes ``Attendee``: someone on a meeting's attendance list (invited or a
walk-in). The table is renamed, its rows kept; the audit history follows."""

import django.db.models.deletion
from django.db import migrations, models

from tumbuh.audit.renames import follow_rename


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("rapat", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("Participant", "Attendee"),
        migrations.AlterField(
            model_name="attendee",
            name="rapat",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="attendees", to="rapat.rapat"),
        ),
        migrations.RemoveConstraint(model_name="attendee", name="rapat_participant_unique_code"),
        migrations.AddConstraint(
            model_name="attendee",
            constraint=models.UniqueConstraint(fields=("rapat", "code"), name="rapat_attendee_unique_code"),
        ),
        follow_rename({"rapat.participant": "rapat.attendee"}),
    ]
