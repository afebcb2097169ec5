"""Activities of the plan: each OPD writes only its own, the secretariat all; nomenclature
codes, months, desa and funding are validated; every change is audited."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.organisation.models import Opd
from tumbuh.rencana.actions import do_delete_activity, do_save_activity
from tumbuh.rencana.models import Activity
from tumbuh.rencana.testing import TEST_YEAR, make_activity
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinkes(demo_users):
    return demo_users["dinkes.lutim"]


def test_an_opd_user_cannot_edit_another_opds_activity(alice, dinkes, client):
    theirs = make_activity(alice, opd="DP2KB", indicator="krs-pendampingan", sub_kegiatan="Pendampingan KRS")
    theirs.budget = Decimal(1)
    with pytest.raises(PermissionDenied):
        do_save_activity(dinkes, theirs, desa=[])
    with pytest.raises(PermissionDenied):
        do_delete_activity(dinkes, theirs)
    client.force_login(dinkes)
    assert client.get(f"/rencana/{theirs.pk}/").status_code == 403
    response = client.post(
        f"/rencana/{theirs.pk}/",
        {
            "year": TEST_YEAR,
            "opd": theirs.opd_id,
            "program": "x",
            "kegiatan": "x",
            "indicator": theirs.indicator_id,
            "volume": 1,
            "unit": "x",
            "budget": 1,
            "funding_source": "apbd",
            "start_month": 1,
            "end_month": 12,
        },
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.budget == 100_000_000
    assert not AuditLog.objects.filter(
        object_type="rencana.activity", object_id=str(theirs.pk), action="update"
    ).exists()


def test_an_opd_user_edits_their_own_activity_but_cannot_hand_it_to_another_opd(alice, dinkes):
    own = make_activity(dinkes, desa=["73.24.04.2010"])
    assert AuditLog.objects.get(object_type="rencana.activity", object_id=str(own.pk)).actor == dinkes
    own.volume = Decimal(20)
    do_save_activity(dinkes, own, desa=[])
    own.refresh_from_db()
    assert own.volume == 20 and not own.desa.exists()
    own.opd = Opd.objects.get(kabupaten_id="73.24", short_name="DP2KB")
    with pytest.raises(PermissionDenied):
        do_save_activity(dinkes, own, desa=[])
    with pytest.raises(PermissionDenied):  # nor create one for another OPD
        make_activity(dinkes, opd="DPUPR", indicator="air-minum-layak")
    do_save_activity(alice, own, desa=[])  # the secretariat may
    assert Activity.objects.get(pk=own.pk).opd.short_name == "DP2KB"


def test_the_edit_form_offers_an_opd_user_only_their_own_opd(client, dinkes, alice):
    client.force_login(dinkes)
    form = client.get(f"/rencana/baru/?year={TEST_YEAR}").context["form"]
    assert list(form.fields["opd"].queryset) == [dinkes.opd]
    client.force_login(alice)
    form = client.get(f"/rencana/baru/?year={TEST_YEAR}").context["form"]
    assert form.fields["opd"].queryset.count() == Opd.objects.filter(kabupaten_id="73.24", is_active=True).count()


@pytest.mark.parametrize(
    "fields,error_field",
    [
        ({"program_code": "1.2.3"}, "program_code"),
        ({"program_code": "1.02.02", "kegiatan_code": "1.03.03.2.01"}, "kegiatan_code"),  # not under its programme
        ({"program_code": "1.02.02", "kegiatan_code": "1.02.02.2.02", "sub_kegiatan_code": "1.02.02.2.02.33"}, None),
        (
            {"program_code": "1.02.02", "kegiatan_code": "1.02.02.2.02", "sub_kegiatan_code": "1.02.02.2.02.123"},
            "sub_kegiatan_code",
        ),
        ({"start_month": 9, "end_month": 3}, "end_month"),
        ({"funding_source": "lain"}, "funding_note"),
    ],
)
def test_the_plan_validates_codes_months_and_funding(alice, fields, error_field):
    if error_field is None:
        assert make_activity(alice, **fields).pk
        return
    with pytest.raises(ValidationError) as e:
        make_activity(alice, **fields)
    assert error_field in e.value.message_dict
    assert not Activity.objects.filter(year=TEST_YEAR).exists()


def test_target_desa_lie_in_the_kabupaten(alice):
    luwu = Wilayah.objects.filter(kabupaten_code="73.17", level=Level.DESA).first()
    with pytest.raises(ValidationError) as e:
        make_activity(alice, desa=["73.24.04.2010", luwu.code])
    assert luwu.name in str(e.value.message_dict["desa"])
    with pytest.raises(ValidationError):
        make_activity(alice, desa=["73.24.04"])  # a kecamatan is not a target desa


@pytest.mark.parametrize(
    "username,sees,adds",
    [
        ("admin.lutim", True, True),
        ("dinkes.lutim", True, True),
        ("camat.malili", True, False),
        ("pkm.malili", True, False),
        ("desa.balantang", True, False),
        ("pantau.lutim", True, False),
        ("admin.luwu", False, True),
    ],
)
def test_each_role_reads_the_district_plan_and_only_the_secretariat_and_opd_write(
    client, demo_users, alice, username, sees, adds
):
    activity = make_activity(alice, sub_kegiatan="PMT lokal uji")
    user = demo_users[username]
    client.force_login(user)
    assert ("PMT lokal uji" in client.get(f"/rencana/?year={TEST_YEAR}").content.decode()) is sees
    assert client.get(f"/rencana/{activity.pk}/").status_code == (
        200 if username in ("admin.lutim", "dinkes.lutim") else 403 if sees else 404
    )
    assert client.get("/rencana/baru/").status_code == (200 if adds else 403)
    assert policy.can(user, policy.CHANGE, activity) is (username in ("admin.lutim", "dinkes.lutim"))


def test_the_integrated_plan_exports_one_sheet_per_opd(client, alice):
    make_activity(
        alice,
        budget=675_000_000,
        program_code="1.02.02",
        kegiatan_code="1.02.02.2.02",
        sub_kegiatan_code="1.02.02.2.02.0033",
        sub_kegiatan="PMT lokal bumil KEK",
        desa=["73.24.04.2010"],
    )
    make_activity(alice, budget=25_000_000, sub_kegiatan="Kelas ibu hamil", indicator="kelas-ibu-hamil")
    make_activity(
        alice,
        opd="DPUPR",
        indicator="air-minum-layak",
        budget=1_950_000_000,
        sub_kegiatan="SPAM perpipaan",
        funding_source="dak",
    )
    make_activity(
        alice, opd="DPUPR", indicator="air-minum-layak", budget=1, year=TEST_YEAR - 1
    )  # another year: not in it
    client.force_login(alice)
    response = client.get(f"/rencana/unduh/{TEST_YEAR}.xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Ringkasan", "DINKES", "DPUPR"]
    dinkes = [[c for c in row] for row in wb["DINKES"].iter_rows(values_only=True)]
    header = dinkes.index(next(r for r in dinkes if r[0] == "No"))
    assert [r[0] for r in dinkes[header + 1 : -1]] == [1, 2]
    first = next(r for r in dinkes if r[6] == "PMT lokal bumil KEK")
    assert first[1] == "1.02.02" and first[5] == "1.02.02.2.02.0033" and first[8] == "Balantang"
    assert first[9] == "73.24.04.2010" and first[12] == 675_000_000 and first[13] == "APBD"
    assert dinkes[-1][1] == "Jumlah" and dinkes[-1][12] == 700_000_000
    summary = list(wb["Ringkasan"].iter_rows(values_only=True))
    assert ("Jumlah", None, 3, 2_650_000_000) in summary
    assert ("DAK", None, None, 1_950_000_000) in summary


def test_the_plan_workbook_says_when_it_was_made(alice, settings):
    import datetime as dt

    from tumbuh.rencana.xlsx import integrated_plan

    settings.TIME_ZONE = "Asia/Makassar"
    make_activity(alice)
    made = dt.datetime(2026, 3, 4, 9, 4, tzinfo=dt.UTC)
    summary = openpyxl.load_workbook(io.BytesIO(integrated_plan("73.24", TEST_YEAR, now=made)))["Ringkasan"]
    assert summary["A3"].value == "Dibuat oleh Tumbuh, 4 Maret 2026 17:04"  # WITA


def test_text_typed_by_an_opd_reaches_the_plan_workbook_as_text_never_a_formula(client, alice):
    from tumbuh.core.testing import formula_cells

    typed = {
        "program": "=1+2",
        "kegiatan": "@SUM(A1)",
        "sub_kegiatan": '=HYPERLINK("http://x.invalid","klik")',
        "note": "+62 812 3456 7890",
    }
    make_activity(alice, unit="-paket", **typed)
    client.force_login(alice)
    response = client.get(f"/rencana/unduh/{TEST_YEAR}.xlsx")
    assert formula_cells(response.content) == []
    ws = openpyxl.load_workbook(io.BytesIO(response.content))["DINKES"]
    row = next(r for r in ws.iter_rows() if r[4].value == "@SUM(A1)")
    for index, text in (
        (2, "=1+2"),
        (4, "@SUM(A1)"),
        (6, typed["sub_kegiatan"]),
        (11, "-paket"),
        (15, "+62 812 3456 7890"),
    ):
        assert (row[index].value, row[index].data_type) == (text, "s"), index
    assert row[12].value == 100_000_000 and row[12].data_type == "n"
