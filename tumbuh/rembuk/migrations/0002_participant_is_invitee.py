"""``Participant`` becomes ``Invitee``: a person invited to the rembuk, who may sign the
commitment and the berita acara and whose attendance is recorded. The table is renamed, its
rows kept; the audit history follows."""

import django.db.models.deletion
from django.db import migrations, models

from tumbuh.audit.renames import follow_rename


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("rembuk", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("Participant", "Invitee"),
        migrations.AlterField(
            model_name="invitee",
            name="event",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="invitees",
                                    to="rembuk.rembukevent", verbose_name="rembuk"),
        ),
        follow_rename({"rembuk.participant": "rembuk.invitee"}),
    ]
