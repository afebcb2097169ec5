"""The English names of krs and genting (migrations krs 0005, genting 0002) keep every row: the
demo district's families, teams, visits, links, numbers of families, foster parents, matches and
help are the same records under the new names, each record's audit trail follows it, and the
evidence of help given stays attached."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from tumbuh.audit.models import AuditLog
from tumbuh.audit.renames import rewrite_history
from tumbuh.documents.models import UploadedDocument
from tumbuh.genting.models import FosterMatch, FosterParent, Help
from tumbuh.krs.models import Family, FamilyChild, FamilyCount, Tpk, TpkVisit

pytestmark = pytest.mark.django_db

OLD = [("krs", "0004_verval_krs"), ("genting", "0001_initial")]
MODELS = {
    "krs.tpk": Tpk,
    "krs.family": Family,
    "krs.familycount": FamilyCount,
    "krs.tpkvisit": TpkVisit,
    "krs.familychild": FamilyChild,
    "genting.fosterparent": FosterParent,
    "genting.fostermatch": FosterMatch,
    "genting.help": Help,
}
OLD_TYPES = {
    "krs.tpk": "krs.timpendampingkeluarga",
    "krs.family": "krs.keluarga",
    "krs.familycount": "krs.jumlahkeluarga",
    "krs.tpkvisit": "krs.kunjungantpk",
    "krs.familychild": "krs.anakkeluarga",
    "genting.fosterparent": "genting.orangtuaasuh",
    "genting.fostermatch": "genting.asuhan",
    "genting.help": "genting.bantuan",
}


def test_rewriting_the_history_renames_the_type_and_the_snapshot_fields_only(alice):
    from django.apps import apps

    family = Family.objects.filter(year=2025).first()
    logs = AuditLog.objects.filter(object_type="krs.family", object_id=str(family.pk))
    before = [(log.pk, log.after) for log in logs]
    assert before and all("head_name" in after for _pk, after in before if after)
    assert rewrite_history(apps, "krs.family", "krs.keluarga", {"head_name": "nama_kepala", "year": "tahun"}) >= len(
        before
    )
    old = {log.pk: log.after for log in AuditLog.objects.filter(object_type="krs.keluarga", object_id=str(family.pk))}
    for pk, after in before:
        if after:
            assert old[pk]["nama_kepala"] == after["head_name"] and old[pk]["tahun"] == after["year"]
            assert "head_name" not in old[pk] and old[pk]["nik"] == after["nik"]  # the others as they were
    rewrite_history(apps, "krs.keluarga", "krs.family", {"nama_kepala": "head_name", "tahun": "year"})
    assert [(log.pk, log.after) for log in logs] == before


def test_the_migrations_keep_every_row_its_history_and_its_evidence():
    """Back to the Indonesian names (krs 0004, genting 0001) and forward again with ``migrate``,
    as a deployment runs it, on the filled test database."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot change the schema inside a test's transaction")
    counts = {label: model.objects.count() for label, model in MODELS.items()}
    assert all(counts.values()), counts  # the demo has rows of every model
    history = {label: AuditLog.objects.filter(object_type=label).count() for label in MODELS}
    family = Family.objects.filter(tpk__isnull=False, visits__isnull=False, child_links__isnull=False).first()
    visit, link, number = family.visits.first(), family.child_links.first(), FamilyCount.objects.order_by("pk").first()
    with_evidence = UploadedDocument.objects.filter(content_type=ContentType.objects.get_for_model(Help)).values_list(
        "object_id", flat=True
    )
    help_given = Help.objects.select_related("match__foster_parent").get(pk=int(with_evidence[0]))
    evidence = list(UploadedDocument.for_object(help_given).values_list("pk", flat=True))
    assert evidence

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so that the tables can be altered in this transaction
    call_command("migrate", "krs", "0004_verval_krs", verbosity=0)  # genting 0002 goes first: it depends on krs 0005
    old = connection.introspection.table_names()
    assert "krs_keluarga" in old and "krs_family" not in old and "genting_asuhan" in old
    from django.db.migrations.executor import MigrationExecutor

    old_apps = MigrationExecutor(connection).loader.project_state(OLD).apps
    Keluarga = old_apps.get_model("krs", "Keluarga")
    assert (Keluarga.objects.get(pk=family.pk).nama_kepala, Keluarga.objects.get(pk=family.pk).tahun) == (
        family.head_name,
        family.year,
    )
    assert old_apps.get_model("genting", "Bantuan").objects.get(pk=help_given.pk).nilai == help_given.value
    assert {OLD_TYPES[label]: AuditLog.objects.filter(object_type=OLD_TYPES[label]).count() for label in MODELS} == {
        OLD_TYPES[label]: n for label, n in history.items()
    }
    Keluarga.objects.filter(pk=family.pk).update(alamat="Dusun Diubah Sebelum Migrasi")  # written under the old names
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()
    assert {label: model.objects.count() for label, model in MODELS.items()} == counts
    again = Family.objects.get(pk=family.pk)
    assert (again.head_name, again.year, again.nik, again.tpk_id) == (
        family.head_name,
        family.year,
        family.nik,
        family.tpk_id,
    )
    assert again.address == "Dusun Diubah Sebelum Migrasi"
    assert (
        TpkVisit.objects.get(pk=visit.pk).date == visit.date
        and TpkVisit.objects.get(pk=visit.pk).family_id == family.pk
    )
    assert (FamilyChild.objects.get(pk=link.pk).reason, FamilyChild.objects.get(pk=link.pk).year) == (
        link.reason,
        link.year,
    )
    assert FamilyCount.objects.get(pk=number.pk).families == number.families
    moved = Help.objects.select_related("match__foster_parent").get(pk=help_given.pk)
    assert (moved.value, moved.match.start_date, moved.match.foster_parent.name) == (
        help_given.value,
        help_given.match.start_date,
        help_given.match.foster_parent.name,
    )
    assert list(UploadedDocument.for_object(moved).values_list("pk", flat=True)) == evidence  # the evidence follows
    assert {label: AuditLog.objects.filter(object_type=label).count() for label in MODELS} == history
    assert not AuditLog.objects.filter(object_type__in=OLD_TYPES.values()).exists()
    created = AuditLog.objects.filter(object_type="krs.family", object_id=str(family.pk), action="create").first()
    assert created.after["head_name"] == family.head_name and "nama_kepala" not in created.after
