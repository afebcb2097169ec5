"""Aksi 4 and 5 of the national set point at their Tumbuh pages (konvergensi_desa), which
were built after the set was seeded; an action whose page someone already chose keeps it."""

from django.db import migrations

PAGES = {4: "regulasi_desa", 5: "kpm"}


def forward(apps, schema_editor):
    ActionDefinition = apps.get_model("aksi", "ActionDefinition")
    for number, page in PAGES.items():
        ActionDefinition.objects.filter(action_set__kabupaten__isnull=True, action_set__code="aksi-8", number=number,
                                        page="").update(page=page)


def backward(apps, schema_editor):
    ActionDefinition = apps.get_model("aksi", "ActionDefinition")
    for number, page in PAGES.items():
        ActionDefinition.objects.filter(action_set__kabupaten__isnull=True, action_set__code="aksi-8", number=number,
                                        page=page).update(page="")


class Migration(migrations.Migration):
    dependencies = [("aksi", "0002_default_set")]
    operations = [migrations.RunPython(forward, backward)]
