"""One source of truth for a team's decree (SK): ``tpps.Decree``. The old ``sk_number`` and
``sk_date`` of ``organisation.Tpps`` become decrees (migration tpps 0002) and are gone; the
team lists and pages read the decree in force."""

import datetime as dt
from importlib import import_module

import pytest
from django.db import connection
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.tpps import actions
from tumbuh.tpps.models import Decree, Tpps

pytestmark = pytest.mark.django_db
MIGRATION = import_module("tumbuh.tpps.migrations.0002_decrees_from_tpps_sk")
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def wotu():
    return Tpps.objects.get(wilayah__name__iexact="Wotu", wilayah__kabupaten_code="73.24")


def _sk(tpps, number, day, title="Pembentukan TPPS"):
    return actions.do_record_decree(policy.SYSTEM, Decree(tpps=tpps, number=number, date=day, title=title))


# ---------------------------------------------------------------- the data function


def test_decree_fields_keep_number_and_date():
    assert MIGRATION.decree_fields("TPPS Kecamatan Wotu", " 141/9/KEC-WT/2024 ", dt.date(2024, 5, 6), TODAY) == {
        "number": "141/9/KEC-WT/2024",
        "date": dt.date(2024, 5, 6),
        "title": "Surat Keputusan TPPS Kecamatan Wotu",
        "signed_by": "",
    }


def test_without_a_date_the_year_of_the_number_and_a_note_to_check():
    fields = MIGRATION.decree_fields("TPPS Luwu", "188.45/321/2025", None, TODAY)
    assert fields["date"] == dt.date(2025, 1, 1) and "tanggal SK belum tercatat" in fields["title"]
    assert MIGRATION.decree_fields("TPPS Luwu", "188.45/321/II/2023-A", None, TODAY)["date"] == dt.date(2023, 1, 1)
    assert (
        MIGRATION.decree_fields("TPPS X", "12/SK/DS", None, TODAY)["date"] == TODAY
    )  # no year in it: the day it moved
    assert (
        MIGRATION.decree_fields("TPPS X", "  ", dt.date(2024, 1, 1), TODAY) is None
    )  # a date without a number: nothing


# ---------------------------------------------------------------- the migration itself


def test_the_migration_turns_old_sk_fields_into_decrees(wotu):
    """On the old schema (organisation 0001, tpps 0001) teams carry sk_number/sk_date; after
    migrating, each has a decree of that number and the columns are gone."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot change the schema inside a test's transaction; the data function is tested above")
    from django.db.migrations.executor import MigrationExecutor

    district = Tpps.objects.get(wilayah_id="73.24")
    district_decrees = list(Decree.objects.filter(tpps=district).values_list("number", flat=True))
    balantang = Tpps.objects.get(wilayah_id="73.24.04.2010")
    old = [("organisation", "0001_initial"), ("tpps", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(old)  # backwards: each team's latest decree is copied into the restored fields
    OldTpps = executor.loader.project_state(old).apps.get_model("organisation", "Tpps")
    assert (
        OldTpps.objects.get(pk=district.pk).sk_number
        == Decree.objects.filter(tpps=district).order_by("-date").first().number
    )
    OldTpps.objects.filter(pk=wotu.pk).update(sk_number="141/9/KEC-WT/2024", sk_date=dt.date(2024, 5, 6))
    OldTpps.objects.filter(pk=balantang.pk).update(sk_number="05/SK/DS-BLT/2023", sk_date=None)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the updates before ALTER TABLE
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    wotu_sk = Decree.objects.get(tpps=wotu)
    assert (wotu_sk.number, wotu_sk.date) == ("141/9/KEC-WT/2024", dt.date(2024, 5, 6))
    assert wotu.current_decree(dt.date(2026, 1, 1)) == wotu_sk
    blt = Decree.objects.get(tpps=balantang, number="05/SK/DS-BLT/2023")
    assert blt.date == dt.date(2023, 1, 1) and "periksa" in blt.title
    assert sorted(Decree.objects.filter(tpps=district).values_list("number", flat=True)) == sorted(district_decrees)
    log = AuditLog.objects.get(object_type="tpps.decree", object_id=str(wotu_sk.pk))
    assert log.actor is None and log.action == "create" and "organisation.Tpps" in log.reason
    columns = [c.name for c in connection.introspection.get_table_description(connection.cursor(), Tpps._meta.db_table)]
    assert "sk_number" not in columns and "sk_date" not in columns


# ---------------------------------------------------------------- reading the decree in force


def test_the_decree_in_force_is_the_latest_on_or_before_the_day(wotu):
    assert wotu.current_decree(TODAY) is None
    first = _sk(wotu, "141/1/2025", dt.date(2025, 3, 1))
    change = _sk(wotu, "141/7/2025", dt.date(2025, 9, 1), title="Perubahan susunan")
    assert wotu.current_decree(dt.date(2025, 2, 28)) is None
    assert wotu.current_decree(dt.date(2025, 3, 1)) == first
    assert wotu.current_decree(dt.date(2025, 8, 31)) == first
    assert wotu.current_decree(dt.date(2025, 9, 1)) == change == wotu.current_decree(TODAY)


def test_the_team_lists_show_the_decree_in_force(client, alice, wotu, django_assert_max_num_queries):
    _sk(wotu, "141/1/2025", dt.date(2025, 3, 1))
    _sk(wotu, "141/7/2025", dt.date(2025, 9, 1))
    district_sk = Tpps.objects.get(wilayah_id="73.24").current_decree(dt.date.today())  # the lists show today's
    client.force_login(alice)
    listing = client.get("/organisasi/tpps/?q=Wotu").content.decode()
    assert "141/7/2025" in listing and "141/1/2025" not in listing
    tpps_list = client.get("/tpps/").content.decode()
    assert "141/7/2025" in tpps_list and district_sk.number in tpps_list
    with django_assert_max_num_queries(25):  # the decrees are prefetched, not read team by team
        assert client.get("/organisasi/tpps/").status_code == 200


def test_the_team_form_has_no_sk_fields_and_still_saves(client, alice, wotu):
    client.force_login(alice)
    page = client.get(f"/organisasi/tpps/{wotu.pk}/").content.decode()
    assert 'name="sk_number"' not in page and 'name="sk_date"' not in page and 'name="secretariat"' in page
    assert "SK tim, beserta pindaian yang ditandatangani, dicatat di halaman tim." in page
    response = client.post(
        f"/organisasi/tpps/{wotu.pk}/",
        {"wilayah": wotu.wilayah_id, "name": "TPPS Kecamatan Wotu (baru)", "secretariat": "", "reason": "nama resmi"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("tpps:list")  # back to the teams page the menu shows
    wotu.refresh_from_db()
    assert wotu.name == "TPPS Kecamatan Wotu (baru)"
    assert client.get(f"/tpps/{wotu.pk}/").status_code == 200


def test_the_demo_districts_have_their_formation_decree():
    for code in ("73.24", "73.17"):
        sk = Tpps.objects.get(wilayah_id=code).current_decree(dt.date(2025, 2, 10))
        assert sk is not None and sk.date == dt.date(2025, 2, 10) and sk.title.startswith("Pembentukan")
