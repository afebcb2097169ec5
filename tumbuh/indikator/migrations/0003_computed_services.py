"""The services a visit records become computable (vitamin A, KIA book, weight gain, kelas ibu
balita, MBG); the national catalogue's vitamin A indicator is now computed by Tumbuh."""

from django.db import migrations, models


def reload_catalogue(apps, schema_editor):
    from tumbuh.indikator.catalogue import load_catalogue

    load_catalogue(apps.get_model("indikator", "Indicator"))


class Migration(migrations.Migration):

    dependencies = [
        ('indikator', '0002_national_catalogue'),
    ]

    operations = [
        migrations.AlterField(
            model_name='indicator',
            name='computed_from',
            field=models.CharField(blank=True, choices=[('', 'Entered or imported'), ('growth_monitored', 'Tumbuh: children under five measured this year'), ('vitamin_a', 'Tumbuh: children 6–59 months given vitamin A this year'), ('kia_book', 'Tumbuh: children under five with a KIA book'), ('weight_gain', 'Tumbuh: monthly weighings with weight gained (N/D′)'), ('kelas_ibu_balita', 'Tumbuh: children whose mother attends kelas ibu balita'), ('mbg', 'Tumbuh: children under five given free nutritious meals (MBG)')], default='', max_length=30, verbose_name='computed by Tumbuh from'),
        ),
        migrations.RunPython(reload_catalogue, migrations.RunPython.noop),
    ]
