"""``Tpps`` lives in the ``tpps`` app now (tpps 0003 took over its state and table): this app
forgets the model once nothing points at ``organisation.Tpps`` any more. No table changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("organisation", "0002_tpps_decree_in_tpps"),
        ("tpps", "0003_tpps_from_organisation"),
        ("rapat", "0003_tpps_in_tpps_app"),
        ("rembuk", "0003_tpps_in_tpps_app"),
        ("semester", "0002_tpps_in_tpps_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Tpps")], database_operations=[]),
    ]
