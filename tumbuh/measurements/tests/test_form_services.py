"""The phone forms' new fields: the child's birth order and parent's NIK and phone, the visit's
services (vitamin A, KIA book, kelas ibu balita, MBG, exclusive breastfeeding months 0–6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tumbuh.audit.models import AuditLog
from tumbuh.measurements.actions import do_record_measurement, do_register_child
from tumbuh.measurements.forms import ChildForm
from tumbuh.measurements.models import Child, Measurement

from .posyandu_fixtures import BALANTANG, TODAY, admin_lutim, siti  # noqa: F401

pytestmark = pytest.mark.django_db

NIK_IBU = "7324045205950003"


def child_data(**fields):
    return {
        "name": "Anak Layanan Uji",
        "sex": "1",
        "birth_date": "2024-10-01",
        "desa": BALANTANG,
        "posyandu": "",
        **fields,
    }


def test_the_child_form_checks_the_parents_nik_and_phone(client, bob):
    client.force_login(bob)
    url = reverse("measurements:child_add")
    errors = client.post(url, child_data(parent_nik="73240452", parent_phone="08-12ab")).context["form"].errors
    assert "16" in str(errors["parent_nik"]) and "8" in str(errors["parent_phone"])
    errors = client.post(url, child_data(nik=NIK_IBU, parent_nik=NIK_IBU)).context["form"].errors
    assert list(errors) == ["parent_nik"]  # the parent's NIK is not the child's own
    errors = client.post(url, child_data(birth_order="0")).context["form"].errors
    assert list(errors) == ["birth_order"]
    response = client.post(
        url, child_data(birth_order="3", parent_nik="7324 0452 0595 0003", parent_phone="+62 812-3456-7890")
    )
    assert response.status_code == 302
    child = Child.objects.get(name="Anak Layanan Uji")
    assert (child.birth_order, child.parent_nik, child.parent_phone) == (3, NIK_IBU, "+6281234567890")


def test_the_action_refuses_a_bad_parent_nik_or_phone_whatever_the_caller(admin_lutim):
    base = {"name": "Anak Aksi Uji", "sex": 2, "birth_date": dt.date(2024, 1, 1), "desa_id": BALANTANG}
    with pytest.raises(ValidationError) as error:
        do_register_child(admin_lutim, Child(**base, parent_nik="1234"), today=TODAY)
    assert list(error.value.error_dict) == ["parent_nik"]
    with pytest.raises(ValidationError) as error:
        do_register_child(admin_lutim, Child(**base, parent_phone="123"), today=TODAY)
    assert list(error.value.error_dict) == ["parent_phone"]


def test_who_may_not_read_niks_gets_no_nik_or_phone_field_and_sees_them_masked(client, demo_users, siti):
    siti.parent_nik, siti.parent_phone = NIK_IBU, "081234567890"
    do_register_child(demo_users["admin.lutim"], siti, today=TODAY)
    viewer = demo_users["pantau.lutim"]
    form = ChildForm(instance=siti, actor=viewer, today=TODAY)
    assert not {"nik", "parent_nik", "parent_phone"} & set(form.fields)
    assert {"nik", "parent_nik", "parent_phone", "birth_order"} <= set(
        ChildForm(instance=siti, actor=demo_users["desa.balantang"], today=TODAY).fields
    )
    client.force_login(viewer)
    response = client.get(reverse("measurements:child", args=[siti.tumbuh_id]))
    html = response.content.decode()
    assert NIK_IBU not in html and "081234567890" not in html and "7324••••••••0003" in html
    history = [
        c for a in response.context["audit"] for c in a["changes"] if c.label in ("NIK orang tua", "Nomor HP orang tua")
    ]
    assert history and all(NIK_IBU not in c.after and "081234567890" not in c.after for c in history)
    client.force_login(demo_users["desa.balantang"])
    html = client.get(reverse("measurements:child", args=[siti.tumbuh_id])).content.decode()
    assert NIK_IBU in html and "081234567890" in html


def test_the_visit_form_keeps_the_services_through_the_check_page(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    data = {
        "date": "2025-03-12",
        "weight": "9,7",
        "lenhei": "79,8",
        "position": "h",
        "vitamin_a": "1",
        "kia_book": "true",
        "kelas_ibu_balita": "false",
        "mbg": "unknown",
        **{f"asi_{m}": "Y" for m in range(6)},
        "asi_6": "T",
    }
    check = client.post(url, data)
    html = check.content.decode()
    assert 'data-testid="services-summary"' in html and "YYYYYYT" in html
    form = check.context["form"]
    assert form["asi_6"].value() == "T" and form["kia_book"].value() is True
    assert 'type="hidden" name="asi_6" value="T"' in html and 'type="hidden" name="kia_book" value="True"' in html
    # the check page posts the hidden fields back; confirm saves them
    saved = client.post(url, {**data, "kia_book": "True", "kelas_ibu_balita": "False", "mbg": "", "confirm": "1"})
    assert saved.status_code == 302
    m = Measurement.objects.get(child=siti, date=dt.date(2025, 3, 12))
    assert (m.vitamin_a, m.kia_book, m.kelas_ibu_balita, m.mbg, m.asi_months) == (1, True, False, None, "YYYYYYT")


def test_correcting_a_visit_shows_its_services_and_audits_a_change_of_service_only(client, bob, siti):
    visit = siti.measurements.get(date=dt.date(2025, 2, 10))
    visit.vitamin_a, visit.mbg, visit.asi_months = 2, True, "YYY-T--"
    do_record_measurement(bob, visit, today=TODAY)
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    form = client.get(url, {"tanggal": "2025-02-10"}).context["form"]
    assert form["vitamin_a"].value() == 2 and ("2", "2") in form.fields["vitamin_a"].choices
    assert [form[f"asi_{m}"].value() for m in range(7)] == ["Y", "Y", "Y", "-", "T", "-", "-"]
    data = {
        "date": "2025-02-10",
        "weight": "9,60",
        "lenhei": "79,0",
        "position": "h",
        "vitamin_a": "2",
        "mbg": "true",
        "kia_book": "unknown",
        "kelas_ibu_balita": "unknown",
        "asi_0": "Y",
        "asi_1": "Y",
        "asi_2": "Y",
        "asi_3": "-",
        "asi_4": "T",
        "asi_5": "-",
        "asi_6": "-",
        "confirm": "1",
    }
    logs = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(visit.pk))
    count = logs.count()
    assert client.post(url, data).status_code == 302
    assert logs.count() == count  # the same values again: unchanged, nothing written
    assert client.post(url, {**data, "mbg": "false", "reason": "salah pilih"}).status_code == 302
    entry = logs.order_by("-id").first()
    assert entry.reason == "salah pilih" and [c[0] for c in entry.changes() if c[0] != "updated_at"] == ["mbg"]
    history = client.get(reverse("measurements:child", args=[siti.tumbuh_id])).context["audit"]
    assert [(c.label, c.before, c.after) for c in history[0]["changes"]] == [
        ("Menerima Makan Bergizi Gratis (MBG)", "Ya", "Tidak")
    ]


def test_breastfeeding_months_are_seven_codes_or_nothing(admin_lutim, siti):
    visit = siti.measurements.get(date=dt.date(2025, 2, 10))
    visit.asi_months = "YYX----"
    with pytest.raises(ValidationError):
        do_record_measurement(admin_lutim, visit, today=TODAY)
    visit.asi_months = "-------"
    do_record_measurement(admin_lutim, visit, today=TODAY)
    visit.refresh_from_db()
    assert visit.asi_months == ""


def test_the_child_form_says_optional_once(client, bob):
    """The template marks every optional field; the reason's own label must not say it again."""
    client.force_login(bob)
    html = client.get(reverse("measurements:child_add"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Alasan perubahan" in html
    assert "(opsional)</span> <span" not in html and html.count("opsional") == html.count('class="muted">(opsional)')


FOUR_MONTHS = {"date": "2023-05-20", "weight": "5,6", "lenhei": "59,0", "position": "l"}  # Siti: 125 days, 4 months


def test_the_visit_form_refuses_breastfeeding_months_the_child_has_not_reached(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    data = {**FOUR_MONTHS, **{f"asi_{m}": "Y" for m in range(5)}, "asi_5": "T", "asi_6": "-"}
    response = client.post(url, data)
    html = response.content.decode()
    assert 'data-testid="visit-form"' in html and 'data-testid="visit-confirm"' not in html
    assert list(response.context["form"].errors) == ["asi_5"]
    assert "ASI eksklusif dapat dicatat sampai bulan ke-4, tidak untuk bulan 5" in html
    assert not siti.measurements.filter(date=dt.date(2023, 5, 20)).exists()
    check = client.post(url, {**data, "asi_5": "-"})  # up to the month the child is in: fine
    assert 'data-testid="visit-confirm"' in check.content.decode() and "YYYYY--" in check.content.decode()


def test_vitamin_a_before_6_months_is_a_warning_the_cadre_may_confirm(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    check = client.post(url, {**FOUR_MONTHS, "vitamin_a": "1"}).content.decode()
    assert 'data-testid="visit-confirm-button"' in check and "kapsul diberikan mulai usia 6 bulan" in check
    assert client.post(url, {**FOUR_MONTHS, "vitamin_a": "1", "confirm": "1"}).status_code == 302
    m = siti.measurements.get(date=dt.date(2023, 5, 20))
    assert m.vitamin_a == 1 and "vitamin_a_under_6_months" in m.warnings
    page = client.get(reverse("measurements:child", args=[siti.tumbuh_id])).content.decode()
    assert "Vitamin A tercatat sebelum usia 6 bulan" in page


def test_the_action_refuses_breastfeeding_months_not_reached_whatever_the_caller(admin_lutim, siti):
    m = Measurement(
        child=siti,
        date=dt.date(2023, 5, 20),
        weight=Decimal("5.6"),
        lenhei=Decimal("59.0"),
        position="l",
        asi_months="YYYYYT-",
    )
    with pytest.raises(ValidationError) as error:
        do_record_measurement(admin_lutim, m, today=TODAY)
    assert "bulan 5" in str(error.value)
    m.asi_months = "YYYYY--"
    do_record_measurement(admin_lutim, m, today=TODAY)
    assert siti.measurements.get(date=dt.date(2023, 5, 20)).asi_months == "YYYYY--"
