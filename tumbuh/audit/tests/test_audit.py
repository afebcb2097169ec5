import pytest
from django.core.exceptions import ValidationError
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
        {
            "name": "Posyandu Melati Baru",
            "code": posyandu.code,
            "desa": posyandu.desa_id,
            "puskesmas": posyandu.puskesmas_id,
            "address": posyandu.address,
            "is_active": "on",
            "reason": "nama diperbarui sesuai SK desa",
        },
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
    # In alice's area, so that validation, not the policy, refuses the save.
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2010").first()
    posyandu.name = ""
    before = AuditLog.objects.count()
    with pytest.raises(ValidationError, match="name"):
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
    assert page.count >= 1 and all(e.actor_id == alice.pk for e in page)
    page = client.get(reverse("audit:list"), {"type": "organisation.opd"}).context["page"]
    assert page.count > 0 and all(e.object_type == "organisation.opd" for e in page)
    page = client.get(reverse("audit:list"), {"from": "2001-01-01", "to": "2001-12-31"}).context["page"]
    assert page.count == 0


@pytest.mark.django_db
def test_the_system_acts_as_sistem_and_nobody_cannot_act():
    from tumbuh.accounts import policy
    from tumbuh.audit.actions import do_delete

    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2010").first()
    posyandu.address = "Jl. Sistem"
    do_save(policy.SYSTEM, posyandu, reason="uji")
    entry = AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).latest("pk")
    assert (entry.actor, entry.actor_name, entry.reason) == (None, "sistem", "uji")
    before = AuditLog.objects.count()
    posyandu.address = "Jl. Siapa"
    with pytest.raises(TypeError):
        do_save(None, posyandu)
    with pytest.raises(TypeError):
        do_delete(None, posyandu)
    assert AuditLog.objects.count() == before and Posyandu.objects.get(pk=posyandu.pk).address == "Jl. Sistem"


@pytest.mark.django_db
def test_a_named_rule_of_the_step_decides_instead_of_the_object(demo_users):
    from django.core.exceptions import PermissionDenied

    from tumbuh.accounts import policy

    viewer = demo_users["pantau.lutim"]  # reads everything, changes nothing
    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2010").first()
    asked = []

    def rule(user, argument):
        asked.append((user, argument))
        return argument == "yes"

    posyandu.address = "Jl. Langkah"
    with pytest.raises(PermissionDenied):
        do_save(viewer, posyandu)
    with pytest.raises(PermissionDenied):
        do_save(viewer, posyandu, permitted_by=(rule, "no"))
    do_save(viewer, posyandu, permitted_by=(rule, "yes"))
    assert asked == [(viewer, "no"), (viewer, "yes")]
    assert (
        AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).latest("pk").actor
        == viewer
    )
    posyandu.address = "Jl. Sistem Lagi"
    do_save(policy.SYSTEM, posyandu, permitted_by=(rule, "no"))  # the system passes every rule
    assert Posyandu.objects.get(pk=posyandu.pk).address == "Jl. Sistem Lagi"


@pytest.mark.django_db
def test_a_table_with_a_forbidden_row_is_refused_whole_when_asked(alice):
    from django.core.exceptions import PermissionDenied

    from tumbuh.audit.actions import all_or_nothing

    posyandu = Posyandu.objects.filter(desa_id="73.24.04.2010").first()

    def ok():
        posyandu.address = "Jl. Tabel"
        return bool(do_save(alice, posyandu))

    def forbidden():
        raise PermissionDenied

    assert all_or_nothing([("a", ok), ("b", forbidden)]) == (0, {"b": "Anda tidak boleh mengubah data ini"})
    with pytest.raises(PermissionDenied):
        all_or_nothing([("a", ok), ("b", forbidden)], raise_denied=True)
    assert Posyandu.objects.get(pk=posyandu.pk).address != "Jl. Tabel"
