"""A required output may name the record that proves it (``OutputItem.proof``); the default
set's outputs that a record in Tumbuh proves are pointed at it (``default_set.PROOFS``)."""

from django.db import migrations, models


def forward(apps, schema_editor):
    from tumbuh.aksi.default_set import wire_proofs

    wire_proofs(apps.get_model("aksi", "OutputItem"))


class Migration(migrations.Migration):
    dependencies = [("aksi", "0003_village_pages")]
    operations = [
        migrations.AddField(
            model_name="outputitem",
            name="proof",
            field=models.CharField(
                blank=True, max_length=60, verbose_name="proved by",
                help_text="The record in Tumbuh that proves this output (then it ticks itself); empty: ticked by hand.",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
