import pytest
from django.urls import reverse

from tumbuh.audit.actions import do_save
from tumbuh.audit.models import AuditLog
from tumbuh.organisation.models import Posyandu


@pytest.mark.django_db
def test_an_edit_through_the_page_records_who_what_and_why(client, alice):
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2010").first()
    client.force_login(alice)
    response = client.post(
        reverse("organisation:edit", args=["posyandu", posyandu.pk]),
        {"name": "Posyandu Melati Baru", "code": posyandu.code, "desa": posyandu.desa_id, "puskesmas": posyandu.puskesmas_id,
         "address": posyandu.address, "is_active": "on", "reason": "nama diperbarui sesuai SK desa"},
    )
    assert response.status_code == 302
    entry = AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).first()
    assert entry.action == "update"
    assert entry.actor == alice
    assert entry.reason == "nama diperbarui sesuai SK desa"
    assert entry.wilayah_code == "73.24.04.2010"
    assert ("name", posyandu.name, "Posyandu Melati Baru") in entry.changes()


@pytest.mark.django_db
def test_an_unchanged_save_writes_no_audit_row(alice):
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2010").first()
    before = AuditLog.objects.count()
    do_save(alice, posyandu)
    assert AuditLog.objects.count() == before


@pytest.mark.django_db
def test_a_failed_validation_writes_nothing(alice):
    posyandu = Posyandu.objects.first()
    posyandu.name = ""
    before = AuditLog.objects.count()
    with pytest.raises(Exception):
        do_save(alice, posyandu)
    assert AuditLog.objects.count() == before
    assert Posyandu.objects.get(pk=posyandu.pk).name != ""


@pytest.mark.django_db
def test_passwords_never_reach_the_log(alice):
    entry = AuditLog.objects.filter(object_type="accounts.user").first()
    assert entry.after["password"] == "••••"


@pytest.mark.django_db
def test_the_log_filters_by_user_type_and_date(client, alice):
    posyandu = Posyandu.objects.filter(desa__kabupaten_code="73.24").first()
    posyandu.address = "Jl. Poros Malili"
    do_save(alice, posyandu, reason="alamat")
    client.force_login(alice)
    # Apps' demo data (demo_data.seed) also act as alice; her posyandu changes are this one alone.
    page = client.get(reverse("audit:list"), {"user": alice.pk, "type": "organisation.posyandu"}).context["page"]
    assert [e.reason for e in page] == ["alamat"]
    page = client.get(reverse("audit:list"), {"user": alice.pk}).context["page"]
    assert page.paginator.count >= 1 and all(e.actor_id == alice.pk for e in page)
    page = client.get(reverse("audit:list"), {"type": "organisation.opd"}).context["page"]
    assert page.paginator.count > 0 and all(e.object_type == "organisation.opd" for e in page)
    page = client.get(reverse("audit:list"), {"from": "2001-01-01", "to": "2001-12-31"}).context["page"]
    assert page.paginator.count == 0
