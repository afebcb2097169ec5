"""The child list, the child's page, the parent's summary and the posyandu entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditLog
from tumbuh.core.numbers import format_number
from tumbuh.measurements.models import Child, Measurement

from .posyandu_fixtures import BALANTANG, NIK_SITI, admin_lutim, budi, record, siti  # noqa: F401

pytestmark = pytest.mark.django_db


def _login(client, demo_users, username):
    client.force_login(demo_users[username])
    return client


def test_the_list_shows_latest_status_in_indonesian_and_searches(client, bob, siti):
    client.force_login(bob)
    html = client.get(reverse("measurements:child_list"), {"q": "siti uji"}).content.decode()
    assert "Siti Uji Balantang" in html
    latest = siti.measurements.order_by("-date").first()
    from tumbuh.growth.classify import LABELS

    assert LABELS["tbu"][latest.status_tbu][0] in html
    assert LABELS["bbtb"][latest.status_bbtb][0] in html
    # by parent's name and by NIK (a desa operator may see and search NIKs)
    assert "Siti Uji" in client.get(reverse("measurements:child_list"), {"q": "Rahmawati"}).content.decode()
    assert "Siti Uji" in client.get(reverse("measurements:child_list"), {"q": NIK_SITI}).content.decode()


def test_readers_cannot_search_by_nik(client, demo_users, siti):
    _login(client, demo_users, "pantau.lutim")
    url = reverse("measurements:child_list")
    assert "Siti Uji" not in client.get(url, {"q": NIK_SITI}).content.decode()
    assert "Siti Uji" not in client.get(url, {"q": NIK_SITI[-4:]}).content.decode()
    assert "Siti Uji" in client.get(url, {"q": "Rahmawati"}).content.decode()


def test_the_list_follows_the_region_picker(client, alice, siti, budi):
    client.force_login(alice)
    url = reverse("measurements:child_list")
    names = lambda: {c.name for c in client.get(url, {"q": "Uji"}).context["page"]}  # noqa: E731
    assert {"Siti Uji Balantang", "Budi Uji Harapan"} <= names()
    client.post(reverse("set_focus"), {"wilayah": BALANTANG})
    assert "Siti Uji Balantang" in names() and "Budi Uji Harapan" not in names()


def test_the_childs_page_shows_visits_z_scores_status_and_audit(client, bob, siti):
    client.force_login(bob)
    response = client.get(reverse("measurements:child", args=[siti.tumbuh_id]))
    assert response.status_code == 200
    html = response.content.decode()
    last = siti.measurements.get(date=dt.date(2025, 2, 10))
    z = format_number(last.zlen, 2, "id")  # Indonesian decimal comma, the one rounding rule
    assert z.replace("-", "") in html
    assert "10/02/2025" in html and "9,60" in html
    assert html.count('growth-chart"') >= 3
    assert "Pendek" in html or "Sangat pendek" in html
    audit = response.context["audit"]
    assert {a["entry"].object_type for a in audit} == {"measurements.child", "measurements.measurement"}


def test_the_parent_summary_is_in_indonesian_with_charts(client, alice, siti):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("measurements:child_summary", args=[siti.tumbuh_id])).content.decode()
    assert "Ringkasan Pertumbuhan Anak" in html and "measurements/child_summary" in html  # its A4 print sheet
    from django.contrib.staticfiles import finders

    assert "@page { size: A4" in open(finders.find("measurements/child_summary.css"), encoding="utf-8").read()
    assert html.count('class="marks growth-chart') == 3
    assert "Umur (bulan)" in html  # chart axes in Indonesian too
    assert NIK_SITI not in html  # the parent's copy carries the masked NIK
    assert f"Dicetak {timezone.localdate():%d/%m/%Y} dari Tumbuh." in html  # the day the view gives


def test_posyandu_entry_confirms_before_saving(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    form = client.get(url)
    assert form.context["form"]["position"].value() == "h"  # 2 years old: standing
    data = {"date": "2025-03-12", "weight": "9,5", "lenhei": "79,6", "position": "h", "muac": "", "headc": ""}
    check = client.post(url, data)
    html = check.content.decode()
    assert check.status_code == 200 and 'data-testid="visit-confirm"' in html
    assert not Measurement.objects.filter(child=siti, date=dt.date(2025, 3, 12)).exists()  # not yet
    m = check.context["m"]
    assert m.weight == pytest.approx(9.5) and m.zlen is not None
    assert format_number(m.zlen, 2, "id").lstrip("-") in html
    from tumbuh.growth.classify import LABELS

    assert LABELS["tbu"][m.status_tbu][0] in html
    saved = client.post(url, {**data, "confirm": "1"})
    assert saved.status_code == 302 and saved["Location"] == reverse("measurements:child", args=[siti.tumbuh_id])
    stored = Measurement.objects.get(child=siti, date=dt.date(2025, 3, 12))
    assert str(stored.weight) == "9.50" and stored.entered_by == bob and stored.zlen == pytest.approx(m.zlen)


def test_posyandu_entry_shows_plain_warnings_and_refuses_errors(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    html = client.post(url, {"date": "2025-03-12", "weight": "9,5", "lenhei": "70", "position": "h"}).content.decode()
    assert 'data-testid="visit-confirm-button"' not in html  # a 9 cm fall is an error: cannot be saved
    assert 'class="error"' in html
    response = client.post(
        url, {"date": "2025-03-12", "weight": "9,5", "lenhei": "70", "position": "h", "confirm": "1"}
    )
    assert response.status_code == 200
    assert not Measurement.objects.filter(child=siti, date=dt.date(2025, 3, 12)).exists()


def test_a_visit_on_a_recorded_date_corrects_it(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:visit", args=[siti.tumbuh_id])
    m = siti.measurements.get(date=dt.date(2025, 2, 10))
    assert client.get(url, {"tanggal": "2025-02-10"}).context["form"]["weight"].value() in ("9,60", "9.60")
    data = {
        "date": "2025-02-10",
        "weight": "9,9",
        "lenhei": "79,0",
        "position": "h",
        "reason": "timbangan salah",
        "confirm": "1",
    }
    assert client.post(url, data).status_code == 302
    m.refresh_from_db()
    assert str(m.weight) == "9.90" and Measurement.objects.filter(child=siti).count() == 3
    entry = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(m.pk), action="update").get()
    assert entry.reason == "timbangan salah"


def test_registering_a_child_from_the_form_checks_the_nik(client, bob):
    client.force_login(bob)
    url = reverse("measurements:child_add")
    data = {
        "name": "Anak Form Uji",
        "sex": "1",
        "birth_date": "2024-06-01",
        "nik": "7324041506",
        "parent_name": "Ibu Form",
        "desa": BALANTANG,
        "posyandu": "",
        "rt": "1",
        "rw": "2",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "16" in str(response.context["form"].errors["nik"])
    response = client.post(url, {**data, "nik": ""})
    child = Child.objects.get(name="Anak Form Uji")
    assert response["Location"] == reverse("measurements:visit", args=[child.tumbuh_id])
    assert child.desa_id == BALANTANG and child.nik == ""


def test_live_search_returns_a_short_scoped_list(client, bob, siti, budi):
    client.force_login(bob)
    html = client.get(reverse("measurements:visit_search"), {"q": "Uji"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Siti Uji Balantang" in html and "Budi Uji Harapan" not in html
    assert "<html" not in html  # a fragment for htmx
    assert "Siti Uji" in client.get(reverse("measurements:visit_search"), {"q": "rahmawati"}).content.decode()


def test_menu_links_to_the_list_and_the_visit_for_those_who_can_add(client, demo_users):
    for username, visit in [
        ("desa.balantang", True),
        ("pkm.malili", True),
        ("pantau.lutim", False),
        ("camat.malili", False),
    ]:
        html = _login(client, demo_users, username).get(reverse("home")).content.decode()
        assert reverse("measurements:child_list") in html
        assert (reverse("measurements:visit_start") in html) == visit, username


def test_the_list_reads_a_page_in_the_same_queries_however_many_children_and_in_order(client, bob, siti, admin_lutim):
    """A page of the list is its ids first, then its children with desa, posyandu and last
    status in one query (``child_list``): the number of queries does not grow with the page,
    and the order, the paging and the statuses are those of the whole list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .posyandu_fixtures import register

    url = reverse("measurements:child_list")
    client.force_login(bob)
    uji = {"q": "Uji"}  # the test's children, not the demo's
    client.get(url, uji)  # the session's first write out of the count
    with CaptureQueriesContext(connection) as one:
        assert [c.name for c in client.get(url, uji).context["page"]] == ["Siti Uji Balantang"]
    for i in range(60):
        register(admin_lutim, BALANTANG, f"Anak Uji {i:02d}", birth=dt.date(2023, 1, 1) + dt.timedelta(days=i))
    with CaptureQueriesContext(connection) as many:
        first = client.get(url, uji).context["page"]
    assert len(many.captured_queries) == len(one.captured_queries)
    second = client.get(url, {**uji, "after": first.next_cursor}).context["page"]
    names = [c.name for c in first] + [c.name for c in second]
    assert names == sorted(names) and len(names) == 61 and names[-1] == "Siti Uji Balantang"
    siti_row = second[len(second) - 1]
    latest = siti.measurements.order_by("-date").first()
    assert (siti_row.last_date, siti_row.last_tbu, siti_row.desa.code) == (latest.date, latest.status_tbu, BALANTANG)
    assert siti_row.posyandu is not None and second.count == 61
