"""The permission matrix: every role against every kind of page and object.

Each row names an object, an action and the expected HTTP status for each demo account.
404 means the object lies outside the user's node (they cannot even learn it exists);
403 means they can see it but not do that."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.audit.models import AuditLog
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.organisation.models import Opd, Posyandu, Puskesmas
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Wilayah

ROLES = [
    "admin.lutim", "dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim", "admin.luwu",
    "prov.sulsel",
]  # fmt: skip


def _objects():
    """Named objects from the demo district (Balantang is served by Puskesmas Lakawali)."""
    return {
        "posyandu_balantang": Posyandu.objects.filter(desa_id="73.24.04.2010").first(),
        "posyandu_harapan": Posyandu.objects.filter(desa_id="73.24.04.2001").first(),
        "posyandu_wotu": Posyandu.objects.filter(desa__kecamatan_code="73.24.06").first(),
        "posyandu_luwu": Posyandu.objects.filter(desa__kabupaten_code="73.17").first(),
        "opd_dinkes": Opd.objects.get(kabupaten_id="73.24", short_name="DINKES"),
        "opd_bappeda": Opd.objects.get(kabupaten_id="73.24", short_name="BAPPEDA"),
        "opd_luwu": Opd.objects.get(kabupaten_id="73.17", short_name="DINKES"),
        "puskesmas_malili": Puskesmas.objects.get(name="Puskesmas Malili"),
        "puskesmas_lakawali": Puskesmas.objects.get(name="Puskesmas Lakawali"),
        "tpps_kabupaten": Tpps.objects.get(wilayah_id="73.24"),
        "tpps_malili": Tpps.objects.get(wilayah_id="73.24.04"),
        "tpps_wotu": Tpps.objects.get(wilayah_id="73.24.06"),
    }


KIND_OF = {"posyandu": "posyandu", "opd": "opd", "puskesmas": "puskesmas", "tpps": "tpps"}

#   object                  admin dinkes camat  pkm   desa  viewer luwu   prov
VIEW_MATRIX = {
    "posyandu_balantang": (200, 200, 200, 404, 200, 200, 404, 200),
    "posyandu_harapan": (200, 200, 200, 200, 404, 200, 404, 200),
    "posyandu_wotu": (200, 200, 404, 404, 404, 200, 404, 200),
    "posyandu_luwu": (404, 404, 404, 404, 404, 404, 200, 200),
    "opd_dinkes": (200, 200, 200, 200, 200, 200, 404, 200),
    "opd_luwu": (404, 404, 404, 404, 404, 404, 200, 200),
    "puskesmas_malili": (200, 200, 200, 200, 404, 200, 404, 200),
    "puskesmas_lakawali": (200, 200, 200, 404, 200, 200, 404, 200),
    "tpps_kabupaten": (200, 200, 200, 200, 200, 200, 404, 200),
    "tpps_wotu": (200, 200, 404, 404, 404, 200, 404, 200),
}

#   object                  admin dinkes camat  pkm   desa  viewer luwu   prov (POST to the edit page)
CHANGE_MATRIX = {
    "posyandu_balantang": (302, 403, 403, 404, 403, 403, 404, 403),
    "posyandu_harapan": (302, 403, 403, 302, 404, 403, 404, 403),
    "posyandu_luwu": (404, 404, 404, 404, 404, 404, 302, 403),
    "opd_dinkes": (302, 302, 403, 403, 403, 403, 404, 403),
    "opd_bappeda": (302, 403, 403, 403, 403, 403, 404, 403),
    "puskesmas_malili": (302, 403, 403, 403, 404, 403, 404, 403),
    "tpps_kabupaten": (302, 403, 403, 403, 403, 403, 404, 403),
    "tpps_malili": (302, 403, 302, 403, 403, 403, 404, 403),
}

#   page                    admin dinkes camat  pkm   desa  viewer luwu   prov
PAGE_MATRIX = {
    "home": (200, 200, 200, 200, 200, 200, 200, 200),
    "wilayah:list": (200, 200, 200, 200, 200, 200, 200, 200),
    "organisation:posyandu_list": (200, 200, 200, 200, 200, 200, 200, 200),
    "organisation:add/posyandu": (200, 403, 403, 200, 403, 403, 200, 403),
    "organisation:add/puskesmas": (200, 403, 403, 403, 403, 403, 200, 403),
    "organisation:add/opd": (200, 403, 403, 403, 403, 403, 200, 403),
    "accounts:user_list": (200, 403, 403, 403, 403, 403, 200, 403),
    "audit:list": (200, 403, 403, 403, 403, 403, 200, 403),
    "maps:map": (200, 200, 200, 200, 200, 200, 200, 403),
    "maps:boundaries": (200, 403, 403, 403, 403, 403, 200, 403),
    "publik:manage": (200, 403, 403, 403, 403, 403, 200, 403),
    "imports:list": (200, 200, 403, 200, 403, 403, 200, 403),  # OPD staff and puskesmas officers: their own imports
    # e-PPGBM measurement imports: district admins, and puskesmas officers for their own desa
    "measurement_imports:upload": (200, 403, 403, 200, 403, 403, 200, 403),
    "measurement_imports:template": (200, 403, 403, 200, 403, 403, 200, 403),
    # dashboards: everyone reads within their node; the district admin enters targets and survey figures
    "dashboards:prevalence": (200, 200, 200, 200, 200, 200, 200, 200),
    "dashboards:quality": (200, 200, 200, 200, 200, 200, 200, 200),
    "dashboards:targets": (200, 200, 200, 200, 200, 200, 200, 200),
    "dashboards:surveys": (200, 200, 200, 200, 200, 200, 200, 200),
    "dashboards:target_add": (200, 403, 403, 403, 403, 403, 200, 403),
    "dashboards:survey_add": (200, 403, 403, 403, 403, 403, 200, 403),
    "dashboards:population_add": (200, 403, 403, 403, 403, 403, 200, 403),
}

#   dashboard focused on            admin dinkes camat  pkm   desa  viewer luwu   prov
DASHBOARD_WITHIN_MATRIX = {
    "73.24": (200, 200, 404, 404, 404, 200, 404, 200),
    "73.24.04": (200, 200, 200, 404, 404, 200, 404, 200),
    "73.24.04.2010": (200, 200, 200, 404, 200, 200, 404, 200),  # Balantang: Lakawali's, not Malili's
    "73.24.04.2001": (200, 200, 200, 200, 404, 200, 404, 200),  # Harapan: served by Puskesmas Malili
    "73.17": (404, 404, 404, 404, 404, 404, 200, 200),
}


def _form_data(obj):
    """The object's current values as the edit form posts them."""
    from tumbuh.organisation.views import KINDS

    kind = KINDS[KIND_OF[obj._meta.model_name]]
    form = kind.form(
        instance=obj, actor=User.objects.get(username="admin.lutim" if not obj_in_luwu(obj) else "admin.luwu")
    )
    data = {}
    for name in form.fields:
        value = form.initial.get(name, "")
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = getattr(value, "pk", value)
    data["reason"] = "uji matriks"
    return data


def obj_in_luwu(obj) -> bool:
    from tumbuh.audit.actions import _wilayah_code

    return _wilayah_code(obj).startswith("73.17")


def _edit_url(obj):
    return reverse("organisation:edit", args=[KIND_OF[obj._meta.model_name], obj.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("name", VIEW_MATRIX)
def test_viewing_objects_follows_the_matrix(client, demo_users, name):
    obj = _objects()[name]
    for username, expected in zip(ROLES, VIEW_MATRIX[name]):
        client.force_login(demo_users[username])
        response = client.get(_edit_url(obj))
        assert response.status_code == expected, f"{username} viewing {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", CHANGE_MATRIX)
def test_changing_objects_follows_the_matrix(client, demo_users, name):
    obj = _objects()[name]
    data = _form_data(obj)
    for username, expected in zip(ROLES, CHANGE_MATRIX[name]):
        client.force_login(demo_users[username])
        response = client.post(_edit_url(obj), data)
        assert response.status_code == expected, (
            f"{username} changing {name}: {getattr(response, 'context', None) and response.context.get('form') and response.context['form'].errors}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGE_MATRIX)
def test_pages_follow_the_matrix(client, demo_users, page):
    if page.startswith("organisation:add/"):
        url = reverse("organisation:add", args=[page.split("/")[1]])
    else:
        url = reverse(page)
    for username, expected in zip(ROLES, PAGE_MATRIX[page]):
        client.force_login(demo_users[username])
        assert client.get(url).status_code == expected, f"{username} on {page}"


@pytest.mark.django_db
def test_deleting_needs_the_right_and_a_reason(client, demo_users):
    posyandu = _objects()["posyandu_harapan"]
    url = reverse("organisation:delete", args=["posyandu", posyandu.pk])
    client.force_login(demo_users["desa.balantang"])
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(demo_users["camat.malili"])
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(demo_users["pkm.malili"])
    assert client.post(url, {"reason": ""}).status_code == 200  # the form asks why
    assert Posyandu.objects.filter(pk=posyandu.pk).exists()
    assert client.post(url, {"reason": "posyandu digabung"}).status_code == 302
    assert not Posyandu.objects.filter(pk=posyandu.pk).exists()
    entry = AuditLog.objects.get(object_type="organisation.posyandu", object_id=str(posyandu.pk), action="delete")
    assert entry.reason == "posyandu digabung" and entry.actor.username == "pkm.malili"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in [reverse("home"), reverse("organisation:posyandu_list"), reverse("audit:list")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


#: Every model of Tumbuh, and those the policy scopes (``scope_path``): the total policy.
TUMBUH_MODELS = [m for m in apps.get_models() if m.__module__.startswith("tumbuh.")]
SCOPED_MODELS = [m for m in TUMBUH_MODELS if getattr(m, "scope_path", None) is not None]
#: Objects of each model checked one by one (the demo holds thousands of visits).
SAMPLE = 300


def test_every_model_is_scoped_or_says_why_not():
    for model in TUMBUH_MODELS:
        scoped = getattr(model, "scope_path", None) is not None
        reason = getattr(model, "unscoped", None)
        assert scoped != bool(reason), f"{model._meta.label}: a scope_path, or an unscoped reason, and not both"
        assert reason is None or isinstance(reason, str)


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.label)
def test_every_scoped_model_has_a_rule_for_each_write(model):
    declared = policy.rules().get(model, {})
    for action in (policy.ADD, policy.CHANGE, policy.DELETE):
        assert callable(declared.get(action)), f"{model._meta.label}: no rule for {action} (policy.nobody if none may)"


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.label)
def test_object_check_agrees_with_queryset_scope(demo_users, model):
    """``is_visible`` (in Python) and ``visible`` (in SQL) must give the same answer."""
    if model is ImportBatch:
        _import_batches(demo_users)
    all_objects = model.objects.filter(code__startswith="73.24.04") if model is Wilayah else model.objects.all()
    objects = list(all_objects.order_by("pk")[:SAMPLE])
    for user in demo_users.values():
        in_sql = set(
            policy.visible(user, model.objects.filter(pk__in=[o.pk for o in objects])).values_list("pk", flat=True)
        )
        in_python = {o.pk for o in objects if policy.is_visible(user, o)}
        assert in_sql == in_python, f"{user.username} on {model.__name__}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.label)
def test_every_scoped_model_answers_every_role(demo_users, model):
    """Each role gets an answer for each action, on the model (creating) and on objects of it;
    a viewer writes nothing, a user never acts on what they cannot see, the system does
    everything, and what nobody may write is refused to the district admin too."""
    objects = list(model.objects.order_by("pk")[:5])
    declared = policy.rules()[model]
    for user in demo_users.values():
        for action in policy.ACTIONS:
            assert policy.can(user, action, model) in (True, False)
            if action != policy.VIEW and (user.role == "viewer" or declared[action] is policy.nobody):
                assert not policy.can(user, action, model), f"{user.username} may {action} {model.__name__}"
            for obj in objects:
                allowed = policy.can(user, action, obj)
                if not policy.is_visible(user, obj) or (action != policy.VIEW and user.role == "viewer"):
                    assert not allowed, f"{user.username} may {action} {obj!r}"
    for action in policy.ACTIONS:
        assert policy.can(policy.SYSTEM, action, model)


@pytest.mark.django_db
def test_desa_operator_lists_only_their_village(client, bob):
    client.force_login(bob)
    response = client.get(reverse("organisation:posyandu_list"))
    names = {obj.desa_id for obj, _ in response.context["rows"]}
    assert names == {"73.24.04.2010"}
    assert len(response.context["rows"]) == Posyandu.objects.filter(desa_id="73.24.04.2010").count()


@pytest.mark.django_db
def test_focus_outside_the_node_is_refused(client, bob):
    client.force_login(bob)
    assert client.post(reverse("set_focus"), {"wilayah": "73.24.04"}).status_code == 403
    assert client.post(reverse("set_focus"), {"wilayah": "73.24.04.2010"}).status_code == 302


@pytest.mark.django_db
def test_audit_log_shows_each_admin_only_their_district(client, alice, charlie):
    client.force_login(alice)
    entries = client.get(reverse("audit:list")).context["page"].object_list
    assert entries and all(e.wilayah_code.startswith("73.24") for e in entries)
    client.force_login(charlie)
    entries = client.get(reverse("audit:list")).context["page"].object_list
    assert entries and all(e.wilayah_code.startswith("73.17") for e in entries)


# ---------------------------------------------------------------- children and their visits

#   child in                admin dinkes camat  pkm   desa  viewer luwu   prov   (GET the child's page)
CHILD_VIEW_MATRIX = {
    "child_balantang": (200, 200, 200, 404, 200, 200, 404, 403),
    "child_harapan": (200, 200, 200, 200, 404, 200, 404, 403),
    "child_wotu": (200, 200, 404, 404, 404, 200, 404, 403),
    "child_luwu": (404, 404, 404, 404, 404, 404, 200, 403),
}

#   child in                admin dinkes camat  pkm   desa  viewer luwu   prov   (POST the child's details)
CHILD_CHANGE_MATRIX = {
    "child_balantang": (302, 403, 403, 404, 302, 403, 404, 403),
    "child_harapan": (302, 403, 403, 302, 404, 403, 404, 403),
    "child_luwu": (404, 404, 404, 404, 404, 404, 302, 403),
}

#   visit of a child in     admin dinkes camat  pkm   desa  viewer luwu   prov   (POST a confirmed correction)
MEASUREMENT_CHANGE_MATRIX = {
    "child_balantang": (302, 403, 403, 404, 302, 403, 404, 403),
    "child_harapan": (302, 403, 403, 302, 404, 403, 404, 403),
    "child_wotu": (302, 403, 404, 404, 404, 403, 404, 403),
    "child_luwu": (404, 404, 404, 404, 404, 404, 302, 403),
}

#   page                    admin dinkes camat  pkm   desa  viewer luwu   prov
CHILD_PAGE_MATRIX = {
    "measurements:child_list": (200, 200, 200, 200, 200, 200, 200, 403),
    "measurements:child_add": (200, 403, 403, 200, 200, 403, 200, 403),
    "measurements:visit_start": (200, 403, 403, 200, 200, 403, 200, 403),
}


@pytest.fixture
def children(demo_users):
    """One child with one visit in each place of the matrix, registered by the district admins."""
    import datetime as dt
    from decimal import Decimal

    from tumbuh.measurements.actions import do_record_measurement, do_register_child
    from tumbuh.measurements.models import Child, Measurement

    places = {
        "child_balantang": ("admin.lutim", "73.24.04.2010"),
        "child_harapan": ("admin.lutim", "73.24.04.2001"),
        "child_wotu": ("admin.lutim", Posyandu.objects.filter(desa__kecamatan_code="73.24.06").first().desa_id),
        "child_luwu": ("admin.luwu", Posyandu.objects.filter(desa__kabupaten_code="73.17").first().desa_id),
    }
    out = {}
    for name, (admin, desa) in places.items():
        actor = demo_users[admin]
        child = do_register_child(
            actor,
            Child(
                name=f"Matriks {name}", sex=1, birth_date=dt.date(2023, 4, 2), desa_id=desa, parent_name="Ibu Matriks"
            ),
            today=dt.date(2025, 2, 3),
        )
        do_record_measurement(
            actor,
            Measurement(
                child=child, date=dt.date(2025, 2, 3), weight=Decimal("10.5"), lenhei=Decimal("84.0"), position="h"
            ),
            today=dt.date(2025, 2, 3),
        )
        out[name] = child
    return out


def _child_form_data(child):
    return {
        "name": child.name,
        "sex": child.sex,
        "birth_date": child.birth_date.isoformat(),
        "nik": child.nik,
        "parent_name": child.parent_name,
        "desa": child.desa_id,
        "posyandu": child.posyandu_id or "",
        "rt": "",
        "rw": "",
        "address": "",
        "birth_weight": "",
        "birth_length": "",
        "reason": "uji matriks",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", CHILD_VIEW_MATRIX)
def test_viewing_children_follows_the_matrix(client, demo_users, children, name):
    child = children[name]
    for username, expected in zip(ROLES, CHILD_VIEW_MATRIX[name]):
        client.force_login(demo_users[username])
        assert client.get(reverse("measurements:child", args=[child.tumbuh_id])).status_code == expected, (
            f"{username} viewing {name}"
        )
        summary = client.get(reverse("measurements:child_summary", args=[child.tumbuh_id]))
        assert summary.status_code == expected, f"{username}: summary of {name}"
        visit = child.measurements.get()
        assert policy.can(demo_users[username], policy.VIEW, visit) == (expected == 200), f"{username}: visit of {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", CHILD_CHANGE_MATRIX)
def test_changing_children_follows_the_matrix(client, demo_users, children, name):
    child = children[name]
    for username, expected in zip(ROLES, CHILD_CHANGE_MATRIX[name]):
        client.force_login(demo_users[username])
        response = client.post(reverse("measurements:child_edit", args=[child.tumbuh_id]), _child_form_data(child))
        assert response.status_code == expected, (
            f"{username} changing {name}: {response.context and response.context['form'].errors}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("name", MEASUREMENT_CHANGE_MATRIX)
def test_correcting_visits_follows_the_matrix(client, demo_users, children, name):
    child = children[name]
    data = {
        "date": "2025-02-03",
        "weight": "10,5",
        "lenhei": "84,0",
        "position": "h",
        "confirm": "1",
        "reason": "uji matriks",
    }
    for username, expected in zip(ROLES, MEASUREMENT_CHANGE_MATRIX[name]):
        client.force_login(demo_users[username])
        response = client.post(reverse("measurements:visit", args=[child.tumbuh_id]), data)
        assert response.status_code == expected, f"{username} correcting a visit of {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("page", CHILD_PAGE_MATRIX)
def test_child_pages_follow_the_matrix(client, demo_users, page):
    for username, expected in zip(ROLES, CHILD_PAGE_MATRIX[page]):
        client.force_login(demo_users[username])
        assert client.get(reverse(page)).status_code == expected, f"{username} on {page}"


@pytest.mark.django_db
def test_child_and_visit_checks_agree_with_queryset_scope(demo_users, children):
    from tumbuh.measurements.models import Child, Measurement

    ours = [c.pk for c in children.values()]
    for model, lookup in ((Child, "pk__in"), (Measurement, "child__in")):
        objects = list(model.objects.filter(**{lookup: ours}))
        for user in demo_users.values():
            in_sql = set(policy.visible(user, model.objects.filter(**{lookup: ours})).values_list("pk", flat=True))
            in_python = {o.pk for o in objects if policy.is_visible(user, o)}
            assert in_sql == in_python, f"{user.username} on {model.__name__}"


def _import_batches(demo_users):
    """One batch per importing account (lists and measurements), for the scope checks."""
    for username, kind in [
        ("admin.lutim", "posyandu"),
        ("admin.lutim", "eppgbm"),
        ("pkm.malili", "eppgbm"),
        ("admin.luwu", "eppgbm"),
    ]:
        user = demo_users[username]
        kabupaten = Wilayah.objects.get(code=user.wilayah_id[:5])
        ImportBatch.objects.create(
            kind=kind, kabupaten=kabupaten, created_by=user, file_name=f"{username}.csv", status=BatchStatus.DONE
        )


@pytest.mark.django_db
def test_the_list_of_imports_shows_each_importer_the_batches_they_may_see(client, demo_users):
    _import_batches(demo_users)
    dinkes = demo_users["dinkes.lutim"]
    ImportBatch.objects.create(
        kind="cakupan",
        kabupaten=Wilayah.objects.get(code="73.24"),
        created_by=dinkes,
        file_name="dinkes.lutim.csv",
        status=BatchStatus.DONE,
    )
    for username, files in [
        ("pkm.malili", ["pkm.malili.csv"]),
        ("dinkes.lutim", ["dinkes.lutim.csv"]),
        ("admin.lutim", ["admin.lutim.csv", "dinkes.lutim.csv", "pkm.malili.csv"]),
        ("admin.luwu", ["admin.luwu.csv"]),
    ]:
        client.force_login(demo_users[username])
        response = client.get(reverse("imports:list"))
        listed = sorted({b.file_name for b in response.context["page"]} & {f"{u}.csv" for u in ROLES})
        assert response.status_code == 200 and listed == sorted(files), username
    client.force_login(demo_users["pkm.malili"])
    assert [slug for slug, _title in client.get(reverse("imports:list")).context["kinds"]] == ["eppgbm"]
    # Each one's batch opens from the list (on its kind's own page).
    for username in ("pkm.malili", "dinkes.lutim"):
        client.force_login(demo_users[username])
        batch = ImportBatch.objects.get(file_name=f"{username}.csv")
        assert client.get(reverse("imports:batch", args=[batch.pk]), follow=True).status_code == 200, username


#   batch of                admin dinkes camat  pkm   desa  viewer luwu   prov   (GET the batch page)
BATCH_VIEW_MATRIX = {
    "admin.lutim": (200, 403, 404, 404, 404, 403, 404, 403),
    "pkm.malili": (200, 403, 404, 200, 404, 403, 404, 403),
    "admin.luwu": (404, 404, 404, 404, 404, 404, 200, 403),
}


@pytest.mark.django_db
@pytest.mark.parametrize("owner", BATCH_VIEW_MATRIX)
def test_measurement_import_batches_follow_the_matrix(client, demo_users, owner):
    _import_batches(demo_users)
    batch = ImportBatch.objects.get(kind="eppgbm", created_by=demo_users[owner])
    for username, expected in zip(ROLES, BATCH_VIEW_MATRIX[owner]):
        client.force_login(demo_users[username])
        status = client.get(reverse("measurement_imports:batch", args=[batch.pk])).status_code
        assert status == expected, f"{username} on {owner}'s batch"


# ---------------------------------------------------------------- map boundaries and published rounds

#   object                  admin dinkes camat  pkm   desa  viewer luwu   prov (view, change)
MAP_PUBLIK_MATRIX = {
    "boundary_lutim": ("VC", "V", "V", "V", "V", "V", "", "V"),
    "boundary_luwu": ("", "", "", "", "", "", "VC", "V"),
    "round_lutim": ("VC", "", "", "", "", "", "", ""),
    "round_luwu": ("", "", "", "", "", "", "VC", ""),
}


@pytest.fixture
def map_publik_objects(demo_users):
    from django.utils import timezone

    from tumbuh.maps.models import Boundary
    from tumbuh.publik.models import PublishedRound

    out = {}
    for name, kab in (("lutim", "73.24"), ("luwu", "73.17")):
        out[f"boundary_{name}"] = Boundary.objects.create(
            kabupaten_id=kab, level=3, file_name=f"boundaries/{kab}.geojson"
        )
        out[f"round_{name}"] = PublishedRound.objects.create(
            kabupaten_id=kab, period="R2025-08", published_at=timezone.now()
        )
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("name", MAP_PUBLIK_MATRIX)
def test_map_boundaries_and_published_rounds_follow_the_matrix(demo_users, map_publik_objects, name):
    obj = map_publik_objects[name]
    for username, expected in zip(ROLES, MAP_PUBLIK_MATRIX[name]):
        user = demo_users[username]
        assert policy.can(user, policy.VIEW, obj) == ("V" in expected), f"{username} viewing {name}"
        assert policy.can(user, policy.CHANGE, obj) == ("C" in expected), f"{username} changing {name}"
        assert policy.can(user, policy.DELETE, obj) == ("C" in expected), f"{username} deleting {name}"
        in_sql = policy.visible(user, type(obj).objects.filter(pk=obj.pk)).exists()
        assert in_sql == policy.is_visible(user, obj), f"{username}: SQL and Python disagree on {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("code", DASHBOARD_WITHIN_MATRIX)
@pytest.mark.parametrize("page", ["dashboards:prevalence", "dashboards:quality", "dashboards:prevalence_xlsx"])
def test_dashboards_follow_the_matrix(client, demo_users, page, code):
    url = reverse(page) + f"?within={code}&period=R2025-08"
    for username, expected in zip(ROLES, DASHBOARD_WITHIN_MATRIX[code]):
        client.force_login(demo_users[username])
        assert client.get(url).status_code == expected, f"{username} on {page} within {code}"


#   which puskesmas rows of Kecamatan Malili each role sees (Malili's officer: only Malili)
#                           admin dinkes camat  pkm   desa  viewer luwu   prov
PUSKESMAS_ROW_MATRIX = {
    "Puskesmas Malili": (1, 1, 1, 1, 0, 1, 0, 1),
    "Puskesmas Lakawali": (1, 1, 1, 0, 0, 1, 0, 1),
}


@pytest.mark.django_db
@pytest.mark.parametrize("model_name", ["AreaAggregate", "QualityAggregate"])
def test_dashboard_rows_follow_the_matrix(demo_users, model_name):
    """Precomputed prevalence and data-quality rows: ``visible`` (SQL) and ``is_visible``
    (Python) agree for every role, and a puskesmas officer sees their own puskesmas's row
    (which lies in the kecamatan) but no other puskesmas and nothing outside the desa it serves."""
    from django.apps import apps

    from tumbuh.dashboards.aggregates import refresh_period
    from tumbuh.dashboards.periods import Period

    refresh_period(Period.parse("R2025-08"))
    model = apps.get_model("dashboards", model_name)
    rows = list(model.objects.filter(period="R2025-08"))
    assert rows
    ids = {p.name: str(p.pk) for p in Puskesmas.objects.filter(name__in=PUSKESMAS_ROW_MATRIX)}
    for username, user in demo_users.items():
        in_sql = set(policy.visible(user, model.objects.filter(period="R2025-08")).values_list("pk", flat=True))
        in_python = {r.pk for r in rows if policy.is_visible(user, r)}
        assert in_sql == in_python, f"{username} on {model_name}"
        seen = {r.code for r in rows if r.pk in in_sql and r.level == "puskesmas"}
        for name, expected in PUSKESMAS_ROW_MATRIX.items():
            assert (ids[name] in seen) == bool(expected[ROLES.index(username)]), f"{username} on {name} ({model_name})"
        if user.role == "puskesmas":
            served = set(user.puskesmas.desa_codes())
            for r in rows:
                if r.pk in in_sql and r.level != "puskesmas":
                    assert r.wilayah_code in served, f"{username} sees {r.level} {r.code} outside their puskesmas"
