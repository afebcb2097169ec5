"""The province (TPPS / Bappeda provinsi): every district's figures, plans and meetings, read-only;
no personal row of a child, a family or a person unless ``TUMBUH_PROVINCE_CHILD_ROWS`` grants it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role, User
from tumbuh.audit.models import AuditLog
from tumbuh.dashboards.models import DistrictTarget
from tumbuh.documents.models import UploadedDocument
from tumbuh.imports.models import ImportBatch
from tumbuh.measurements.models import Child, Measurement
from tumbuh.organisation.models import Opd, Posyandu, Puskesmas
from tumbuh.rencana.models import Activity
from tumbuh.tpps.models import Tpps

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(demo_users):
    return demo_users["prov.sulsel"]


@pytest.fixture
def granted(settings):
    settings.TUMBUH_PROVINCE_CHILD_ROWS = True


def _scoped_models():
    return [m for m in apps.get_models() if getattr(m, "scope_path", None) is not None]


def test_the_demo_province_is_bound_to_sulawesi_selatan(province):
    assert province.role == Role.PROVINCE and province.wilayah_id == "73"
    province.full_clean()


def test_the_province_sees_no_child_or_visit(province):
    assert Child.objects.exists() and Measurement.objects.exists()
    assert not policy.visible(province, Child.all_objects.all()).exists()
    assert not policy.visible(province, Measurement.all_objects.all()).exists()
    child = Child.objects.first()
    assert not policy.is_visible(province, child)
    assert not policy.can(province, policy.VIEW, child)
    assert not policy.can(province, policy.VIEW, Child)
    with pytest.raises(PermissionDenied) as refused:
        policy.get_object_or_404(province, Child, pk=child.pk)
    assert str(refused.value) == str(policy.PERSONAL_REFUSED)
    with pytest.raises(PermissionDenied) as refused:
        policy.require(province, policy.VIEW, Child)
    assert str(refused.value) == str(policy.PERSONAL_REFUSED)


def test_no_personal_model_shows_the_province_a_row(province):
    for model in policy.personal_models():
        rows = policy.visible(province, model._default_manager.all())
        if model is User:
            assert list(rows) == [province]  # their own account, nothing else
        else:
            assert not rows.exists(), model.__name__


def test_the_switch_grants_the_personal_rows_read_only(province, granted):
    child = Child.objects.first()
    assert policy.visible(province, Child.objects.all()).count() == Child.objects.count()
    assert policy.is_visible(province, child)
    assert policy.can(province, policy.VIEW, child) and policy.can(province, policy.VIEW, Child)
    assert policy.get_object_or_404(province, Child, pk=child.pk) == child
    for action in (policy.ADD, policy.CHANGE, policy.DELETE):
        assert not policy.can(province, action, child)
        assert not policy.can(province, action, Child)
    assert not policy.can_see_nik(province) and not policy.can_see_nik(province, child)


def test_the_switch_keeps_the_audit_log_and_users_admin_only(province, granted):
    assert not policy.can(province, policy.VIEW, AuditLog)
    assert not policy.can(province, policy.VIEW, User)
    assert not policy.can(province, policy.VIEW, ImportBatch)


def test_the_province_sees_every_districts_figures_plans_and_teams(province, charlie, alice):
    for model in (Opd, Puskesmas, Posyandu, Tpps, DistrictTarget, Activity):
        seen = policy.visible(province, model.objects.all())
        assert seen.count() == model.objects.filter(policy.scope_q(policy.SYSTEM, model)).count(), model.__name__
    districts = set(
        policy.visible(province, Tpps.objects.filter(wilayah__level=2)).values_list("wilayah_id", flat=True)
    )
    assert {"73.24", "73.17"} <= districts
    assert policy.is_visible(province, Opd.objects.get(kabupaten_id="73.17", short_name="DINKES"))


def test_the_province_sees_nothing_outside_its_province(province):
    from tumbuh.wilayah.models import Wilayah

    assert policy.node_contains(province, "73.24.04.2010")
    assert not policy.node_contains(province, "74.01")
    assert not policy.visible(province, Wilayah.objects.exclude(code__startswith="73")).exists()


def test_the_province_is_read_only(province):
    opd = Opd.objects.get(kabupaten_id="73.24", short_name="DINKES")
    posyandu = Posyandu.objects.filter(desa__kabupaten_code="73.17").first()
    tpps = Tpps.objects.get(wilayah_id="73.24")
    for obj in (opd, posyandu, tpps, Activity.objects.first()):
        if obj is None:
            continue
        assert policy.can(province, policy.VIEW, obj)
        for action in (policy.CHANGE, policy.DELETE):
            assert not policy.can(province, action, obj), (action, obj)
            with pytest.raises(PermissionDenied) as refused:
                policy.require(province, action, obj)
            assert str(refused.value) == str(policy.ROLE_REFUSED)
    for model, rule_table in policy.rules().items():
        if any(getattr(rule, "allows_province", False) for rule in rule_table.values()):
            continue
        for action in (policy.ADD, policy.CHANGE, policy.DELETE):
            assert not policy.can(province, action, model), (action, model.__name__)


def test_a_rule_that_answers_yes_to_anyone_still_refuses_the_province(province, monkeypatch):
    table = dict(policy.rules())
    table[Tpps] = {policy.CHANGE: lambda user, obj: True}
    monkeypatch.setattr(policy, "rules", lambda: table)
    tpps = Tpps.objects.get(wilayah_id="73.24")
    assert not policy.can(province, policy.CHANGE, tpps)


def test_province_in_node_lets_the_province_act_in_its_province(province, alice, charlie, monkeypatch):
    rule = policy.province_in_node(policy.district_admin)
    table = dict(policy.rules())
    table[Tpps] = {policy.CHANGE: rule, policy.ADD: policy.province_in_node()}
    monkeypatch.setattr(policy, "rules", lambda: table)
    tpps = Tpps.objects.get(wilayah_id="73.24")
    assert policy.can(province, policy.CHANGE, tpps) and policy.can(province, policy.ADD, Tpps)
    assert policy.can(alice, policy.CHANGE, tpps)  # the other rule still answers for the others
    assert not policy.can(alice, policy.ADD, Tpps)
    other = User(username="prov.sulbar", role=Role.PROVINCE, wilayah_id="76")
    assert not rule(other, tpps)  # another province's node does not contain Luwu Timur


def test_roles_in_node_naming_the_province_lets_it_act(province, monkeypatch):
    table = dict(policy.rules())
    table[Tpps] = {
        policy.CHANGE: policy.roles_in_node(Role.PROVINCE),
        policy.DELETE: policy.roles_in_node(Role.KECAMATAN),
    }
    monkeypatch.setattr(policy, "rules", lambda: table)
    tpps = Tpps.objects.get(wilayah_id="73.24")
    assert policy.can(province, policy.CHANGE, tpps)
    assert not policy.can(province, policy.DELETE, tpps)


def test_the_audit_log_stays_admin_only(province, granted):
    assert not policy.can(province, policy.VIEW, AuditLog)


def test_the_province_never_sees_a_full_nik(province, granted):
    assert not policy.can_see_nik(province)
    assert not policy.can_see_nik(province, Child.objects.first())


def test_a_file_is_as_personal_as_the_record_it_is_attached_to(province, alice):
    from tumbuh.documents.actions import do_attach
    from tumbuh.documents.testing import pdf_upload

    tpps = Tpps.objects.get(wilayah_id="73.24")
    child = Child.objects.filter(desa__kabupaten_code="73.24").first()
    decree = do_attach(alice, tpps, file=pdf_upload("sk.pdf"), kind="SK", title="SK TPPS", wilayah_code="73.24")
    evidence = do_attach(
        alice, child, file=pdf_upload("foto.pdf"), kind="bukti", title="Bukti", wilayah_code=child.desa_id
    )
    seen = set(policy.visible(province, UploadedDocument.objects.all()).values_list("pk", flat=True))
    assert decree.pk in seen and evidence.pk not in seen
    assert policy.is_visible(province, decree) and not policy.is_visible(province, evidence)
    assert evidence.content_type == ContentType.objects.get_for_model(Child)


def test_the_province_reads_but_cannot_change_through_the_pages(client, province):
    from django.urls import reverse

    posyandu = Posyandu.objects.filter(desa__kabupaten_code="73.17").first()
    url = reverse("organisation:edit", args=["posyandu", posyandu.pk])
    client.force_login(province)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Posyandu Baru", "reason": "uji"}).status_code == 403
    assert client.get(reverse("organisation:add", args=["posyandu"])).status_code == 403
    assert client.get(reverse("dashboards:target_add")).status_code == 403
    assert client.get(reverse("audit:list")).status_code == 403
    posyandu.refresh_from_db()
    assert posyandu.name != "Posyandu Baru"
