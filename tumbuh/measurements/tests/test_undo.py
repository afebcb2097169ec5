"""Taking a mistake back: a visit removed and restored, a visit's date corrected, a child
registered twice merged into the right one and the merge undone; each with a reason, audited,
counted nowhere while taken back, and recomputed into the dashboard's aggregates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.measurements.actions import (
    do_merge_children,
    do_record_measurement,
    do_register_child,
    do_remove_visit,
    do_restore_visit,
    do_unmerge_child,
    plan_merge,
)
from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.scoring import score

from .posyandu_fixtures import BALANTANG, TODAY, admin_lutim, budi, record, register, siti, user  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)
LAST = dt.date(2025, 2, 10)  # siti's last visit (stunted)


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The actions' messages are read in English here; the pages speak Indonesian (the request's language)."""
    with translation.override("en"):
        yield


def _visit(child, date=LAST) -> Measurement:
    return Measurement.all_objects.get(child=child, date=date)


def _remove(actor, child, date=LAST, reason="Salah anak: ini kunjungan adiknya"):
    return do_remove_visit(actor, _visit(child, date), reason, now=NOW)


# ---------------------------------------------------------------- removing a visit


def test_a_removed_visit_is_kept_with_who_when_and_why_and_audited(admin_lutim, siti):
    m = _remove(admin_lutim, siti)
    m.refresh_from_db()
    assert (m.removed_at, m.removed_by, m.removal_reason) == (NOW, admin_lutim, "Salah anak: ini kunjungan adiknya")
    assert Measurement.all_objects.filter(child=siti).count() == 3  # kept
    assert not Measurement.objects.filter(pk=m.pk).exists()  # but not counted
    log = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(m.pk)).latest("id")
    assert log.action == "update" and log.actor == admin_lutim
    assert log.before["removed_at"] is None and log.after["removed_at"] and log.after["removal_reason"]
    assert log.reason == "Visit removed (it can be restored): Salah anak: ini kunjungan adiknya"


def test_a_visit_is_removed_only_with_a_reason(admin_lutim, siti):
    with pytest.raises(ValidationError) as e:
        do_remove_visit(admin_lutim, _visit(siti), "  ", now=NOW)
    assert "reason" in e.value.message_dict
    assert _visit(siti).removed_at is None


@pytest.mark.parametrize("username", ["pantau.lutim", "camat.malili", "dinkes.lutim"])
def test_only_who_may_change_a_visit_removes_it(demo_users, siti, username):
    with pytest.raises(PermissionDenied):
        do_remove_visit(demo_users[username], _visit(siti), "salah", now=NOW)
    assert _visit(siti).removed_at is None


def test_a_desa_operator_removes_in_their_village_only(bob, siti, budi):
    with pytest.raises(PermissionDenied):
        do_remove_visit(bob, _visit(budi, dt.date(2025, 2, 11)), "salah", now=NOW)
    _remove(bob, siti)
    assert _visit(siti).removed_by == bob


def test_a_removed_visit_counts_in_no_list_chart_export_or_other_app(client, admin_lutim, siti):
    from tumbuh.krs.linking import with_latest_haz
    from tumbuh.measurements.eppgbm_export import upload_visits

    stunted_before = with_latest_haz(Child.objects.filter(pk=siti.pk)).get()
    assert stunted_before.haz_date == LAST
    _remove(admin_lutim, siti)
    # The child's page: neither in the visits nor in the charts nor the latest status.
    client.force_login(admin_lutim)
    response = client.get(reverse("measurements:child", args=[siti.tumbuh_id]))
    assert [row["m"].date for row in response.context["visits"]] == [dt.date(2024, 2, 12), dt.date(2023, 7, 20)]
    assert response.context["latest"].date == dt.date(2024, 2, 12)
    assert all(c.points == 2 for c, _svg in response.context["charts"] if c.kind in ("lhfa", "wfa"))
    assert response.context["removed"] == 1
    html = response.content.decode()
    assert "10/02/2025" in html  # only in the history of changes, which says what happened
    # The list's latest status, the parent's summary, the e-PPGBM upload file, another app's reading.
    listed = client.get(reverse("measurements:child_list"), {"q": "Siti Uji"}).context["page"][0]
    assert listed.last_date == dt.date(2024, 2, 12)
    summary = client.get(reverse("measurements:child_summary", args=[siti.tumbuh_id]))
    assert [m.date for m in summary.context["visits"]] == [dt.date(2024, 2, 12), dt.date(2023, 7, 20)]
    assert not [
        m
        for m in upload_visits(
            admin_lutim, month=dt.date(2025, 2, 1), posyandu=None, desa=siti.desa, include_imported=True
        )
        if m.child_id == siti.pk
    ]
    assert with_latest_haz(Child.objects.filter(pk=siti.pk)).get().haz_date == dt.date(2024, 2, 12)


def test_a_removed_date_is_free_for_the_right_visit(admin_lutim, siti):
    _remove(admin_lutim, siti)
    right = record(admin_lutim, siti, LAST, "9.9", "80.0")
    assert Measurement.objects.get(child=siti, date=LAST) == right
    # and the removed one cannot come back beside it
    with pytest.raises(ValidationError, match="Another visit"):
        do_restore_visit(
            admin_lutim,
            Measurement.all_objects.get(child=siti, date=LAST, removed_at__isnull=False),
            "keliru hapus",
            now=NOW,
            today=TODAY,
        )


def test_a_removed_visit_is_not_corrected_until_restored(admin_lutim, siti):
    m = _remove(admin_lutim, siti)
    m.weight = Decimal("9.7")
    with pytest.raises(ValidationError, match="restore it first"):
        do_record_measurement(admin_lutim, m, today=TODAY)


# ---------------------------------------------------------------- restoring it


def test_a_restored_visit_counts_again_scored_with_the_child_as_it_is_now(admin_lutim, siti):
    m = _remove(admin_lutim, siti)
    siti.birth_date = dt.date(2023, 3, 15)  # corrected while the visit was removed
    do_register_child(admin_lutim, siti, reason="akta kelahiran", today=TODAY)
    assert _visit(siti).age_days == (LAST - dt.date(2023, 1, 15)).days  # a removed visit is not rescored…
    do_restore_visit(admin_lutim, m, "Ternyata benar anak ini", now=NOW, today=TODAY)
    restored = Measurement.objects.get(pk=m.pk)  # …until it is restored
    assert restored.age_days == (LAST - dt.date(2023, 3, 15)).days
    assert (restored.removed_at, restored.removed_by, restored.removal_reason) == (None, None, "")
    log = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(m.pk)).latest("id")
    assert log.before["removed_at"] and log.after["removed_at"] is None and "Ternyata benar anak ini" in log.reason
    with pytest.raises(ValidationError, match="not removed"):
        do_restore_visit(admin_lutim, m, "lagi", now=NOW, today=TODAY)


def test_a_visit_is_restored_only_with_a_reason_by_who_may_change_it(demo_users, admin_lutim, siti):
    m = _remove(admin_lutim, siti)
    with pytest.raises(ValidationError):
        do_restore_visit(admin_lutim, m, "", now=NOW, today=TODAY)
    with pytest.raises(PermissionDenied):
        do_restore_visit(demo_users["pantau.lutim"], m, "benar", now=NOW, today=TODAY)
    assert Measurement.all_objects.get(pk=m.pk).removed_at is not None


def test_the_removed_visits_of_an_area_are_listed_and_restored_from_the_page(client, demo_users, admin_lutim, siti):
    m = _remove(admin_lutim, siti)
    url = reverse("measurements:removed_visits")
    client.force_login(demo_users["desa.balantang"])
    response = client.get(url)
    assert [v.pk for v in response.context["page"]] == [m.pk] and response.context["page"][0].can_restore
    html = response.content.decode()
    assert "Salah anak: ini kunjungan adiknya" in html and "Pulihkan" in html and "Kunjungan yang dihapus" in html
    # Another district sees none of them; a reader sees them but restores nothing.
    client.force_login(demo_users["admin.luwu"])
    assert list(client.get(url).context["page"]) == []
    assert client.get(reverse("measurements:visit_restore", args=[m.pk])).status_code == 404
    client.force_login(demo_users["pantau.lutim"])
    assert not client.get(url).context["page"][0].can_restore
    assert client.get(reverse("measurements:visit_restore", args=[m.pk])).status_code == 403
    # The officer restores it, with a reason.
    client.force_login(demo_users["desa.balantang"])
    page = client.get(reverse("measurements:visit_restore", args=[m.pk]))
    assert "Pulihkan kunjungan ini?" in page.content.decode()
    refused = client.post(reverse("measurements:visit_restore", args=[m.pk]), {"reason": ""})
    assert refused.status_code == 200 and Measurement.all_objects.get(pk=m.pk).removed_at is not None
    done = client.post(reverse("measurements:visit_restore", args=[m.pk]), {"reason": "Benar anak ini"})
    assert done.status_code == 302 and Measurement.objects.filter(pk=m.pk).exists()


def test_the_visit_is_removed_from_the_childs_page_with_a_reason(client, bob, siti):
    client.force_login(bob)
    page = client.get(reverse("measurements:child", args=[siti.tumbuh_id])).content.decode()
    m = _visit(siti)
    remove_url = reverse("measurements:visit_remove", args=[m.pk])
    assert f'href="{remove_url}"' in page
    confirm = client.get(remove_url).content.decode()
    assert "Hapus kunjungan ini?" in confirm and "dapat dipulihkan" in confirm and "9,60" in confirm
    assert client.post(remove_url, {"reason": ""}).status_code == 200 and _visit(siti).removed_at is None
    response = client.post(remove_url, {"reason": "Tanggal salah ketik"}, follow=True)
    assert _visit(siti).removed_at is not None and _visit(siti).removal_reason == "Tanggal salah ketik"
    html = response.content.decode()
    assert "kunjungan yang dihapus" in html.lower()
    history = response.context["audit"]
    assert str(history[0]["event"]) == "kunjungan dihapus" and "Tanggal salah ketik" in history[0]["entry"].reason


# ---------------------------------------------------------------- the dashboard's figures


@pytest.fixture
def fresh_on_request(settings):
    """A stale period is recomputed on the next request (not after 5 minutes)."""
    settings.TUMBUH_AGGREGATE_MAX_AGE = -1


def _measured(user, date) -> int:
    from tumbuh.dashboards.aggregates import indicator_table
    from tumbuh.dashboards.periods import Period

    (row,) = indicator_table(
        user=user, within_code=None, level="kabupaten", period=Period.round_containing(date), indicator="stunting"
    )
    return row.n_measured


def test_a_dashboard_figure_drops_after_a_removal_and_comes_back_after_the_restore(admin_lutim, siti, fresh_on_request):
    before = _measured(admin_lutim, LAST)
    m = _remove(admin_lutim, siti)
    assert _measured(admin_lutim, LAST) == before - 1
    do_restore_visit(admin_lutim, m, "Benar anak ini", now=NOW, today=TODAY)
    assert _measured(admin_lutim, LAST) == before


def test_a_dashboard_figure_follows_a_corrected_date_out_of_its_round(admin_lutim, siti, fresh_on_request):
    from tumbuh.dashboards.aggregates import refresh_period
    from tumbuh.dashboards.models import AggregateRun
    from tumbuh.dashboards.periods import Period

    february, august = Period.round(2025, 2), Period.round(2024, 8)
    for period in (february, august):
        refresh_period(period)
    before = (_measured(admin_lutim, LAST), _measured(admin_lutim, dt.date(2024, 8, 5)))
    m = _visit(siti)
    m.date = dt.date(2024, 8, 5)  # typed 10/02/2025 for 05/08/2024
    do_record_measurement(admin_lutim, m, reason="tanggal salah ketik", today=TODAY)
    assert AggregateRun.objects.get(period=february.key).stale  # the round it left
    assert AggregateRun.objects.get(period=august.key).stale  # and the round it joined
    assert (_measured(admin_lutim, LAST), _measured(admin_lutim, dt.date(2024, 8, 5))) == (before[0] - 1, before[1] + 1)


# ---------------------------------------------------------------- correcting a visit's date


def _form_action(html: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)" novalidate data-testid="visit-form"', html)[1]


def _visit_data(**values):
    data = {
        "date": "2025-02-10",
        "weight": "9,6",
        "lenhei": "79,0",
        "position": "h",
        "muac": "",
        "headc": "",
        "vitamin_a": "",
        "kia_book": "unknown",
        "kelas_ibu_balita": "unknown",
        "mbg": "unknown",
        **{f"asi_{i}": "-" for i in range(7)},
    }
    data.update(values)
    return data


def test_a_visits_date_is_corrected_from_the_childs_page(client, bob, siti):
    """The "Correct" link opens the visit itself: a new date moves it (one visit, audited), it
    does not add a second one beside it."""
    client.force_login(bob)
    pk = _visit(siti).pk
    form = client.get(reverse("measurements:visit", args=[siti.tumbuh_id]), {"tanggal": "2025-02-10"}, follow=True)
    action = _form_action(form.content.decode())
    data = _visit_data(date="2025-02-03", reason="tanggal salah ketik")
    check = client.post(action, data)
    assert "03/02/2025" in check.content.decode() and "10/02/2025" in check.content.decode()
    client.post(action, {**data, "confirm": "1"})
    assert sorted(Measurement.objects.filter(child=siti).values_list("date", flat=True)) == [
        dt.date(2023, 7, 20),
        dt.date(2024, 2, 12),
        dt.date(2025, 2, 3),
    ]
    assert Measurement.objects.get(pk=pk).date == dt.date(2025, 2, 3)
    log = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(pk)).latest("id")
    assert (log.before["date"], log.after["date"], log.reason) == ("2025-02-10", "2025-02-03", "tanggal salah ketik")


def test_a_date_is_not_corrected_onto_another_visits_date(client, bob, siti):
    client.force_login(bob)
    pk = _visit(siti).pk
    url = reverse("measurements:visit_correct", args=[siti.tumbuh_id, pk])
    response = client.post(url, {**_visit_data(date="2024-02-12"), "confirm": "1"})
    assert response.status_code == 200 and "12/02/2024" in response.content.decode()
    assert response.context["form"].errors
    assert Measurement.objects.get(pk=pk).date == LAST and Measurement.objects.filter(child=siti).count() == 3


def test_a_removed_or_another_childs_visit_has_no_correction_page(client, bob, admin_lutim, siti, budi):
    client.force_login(bob)
    other = _visit(budi, dt.date(2025, 2, 11))
    assert client.get(reverse("measurements:visit_correct", args=[siti.tumbuh_id, other.pk])).status_code == 404
    m = _remove(admin_lutim, siti)
    assert client.get(reverse("measurements:visit_correct", args=[siti.tumbuh_id, m.pk])).status_code == 404


# ---------------------------------------------------------------- merging two children


@pytest.fixture
def twin(admin_lutim):
    """Siti registered a second time by mistake, as a boy born five days later, with two visits."""
    child = register(admin_lutim, BALANTANG, "Siti Balantang", sex=1, birth=dt.date(2023, 1, 20), parent="Rahmawati")
    record(admin_lutim, child, dt.date(2024, 8, 14), "8.6", "73.0", "l")
    record(admin_lutim, child, dt.date(2025, 8, 11), "10.2", "82.0", "h")
    return child


def test_merging_moves_every_visit_and_scores_them_with_the_survivors_data(admin_lutim, siti, twin):
    moved = {m.pk for m in Measurement.objects.filter(child=twin)}
    plan = do_merge_children(admin_lutim, twin, siti, "Didaftarkan dua kali di posyandu", now=NOW, today=TODAY)
    assert {m.pk for m in plan.visits} == moved
    assert Measurement.objects.filter(child=siti).count() == 5
    for m in Measurement.objects.filter(pk__in=moved).select_related("child"):
        assert m.merged_from == twin
        expected = Measurement(child=siti, date=m.date, weight=m.weight, lenhei=m.lenhei, position=m.position)
        score([expected])
        assert (m.age_days, m.zlen, m.status_tbu) == (expected.age_days, expected.zlen, expected.status_tbu)
    twin = Child.all_objects.get(pk=twin.pk)
    assert (twin.merged_into, twin.merged_at, twin.merged_by, twin.merge_reason) == (
        siti,
        NOW,
        admin_lutim,
        "Didaftarkan dua kali di posyandu",
    )
    assert not Child.objects.filter(pk=twin.pk).exists()  # in no list or count any more
    assert (twin.sex, twin.birth_date) == (1, dt.date(2023, 1, 20))  # the merged record keeps its own data
    siti.refresh_from_db()
    assert (siti.sex, siti.birth_date) == (2, dt.date(2023, 1, 15))
    # audited: each visit, the merged record, and a line in the survivor's history
    assert (
        AuditLog.objects.filter(
            object_type="measurements.measurement",
            object_id__in=[str(p) for p in moved],
            reason__contains="Didaftarkan dua kali",
        ).count()
        == 2
    )
    assert AuditLog.objects.filter(
        object_type="measurements.child", object_id=str(twin.pk), reason__contains="Didaftarkan dua kali"
    ).exists()
    assert AuditLog.objects.filter(
        object_type="measurements.child", object_id=str(siti.pk), reason__contains="Didaftarkan dua kali"
    ).exists()


def test_the_merge_warns_of_what_the_two_disagree_on(admin_lutim, siti, twin):
    with translation.override("en"):
        plan = plan_merge(admin_lutim, twin, siti, today=TODAY)
    assert not plan.refusals
    text = " ".join(plan.warnings)
    assert "sex differs" in text and "birth date differs" in text and "20/01/2023" in text and "15/01/2023" in text
    assert "stays with the merged record" not in text  # the twin has no NIK
    assert plan.active_visits == 2


def test_the_merge_is_refused_for_two_visits_on_one_date_and_outside_ones_area(bob, admin_lutim, siti, twin, budi):
    record(admin_lutim, twin, LAST, "9.5", "79.0", "h")
    with pytest.raises(ValidationError, match="10/02/2025"):
        do_merge_children(admin_lutim, twin, siti, "dua kali", now=NOW, today=TODAY)
    assert Measurement.objects.filter(child=twin).count() == 3 and Child.objects.filter(pk=twin.pk).exists()
    with pytest.raises(PermissionDenied):
        do_merge_children(bob, budi, siti, "dua kali", now=NOW, today=TODAY)
    with pytest.raises(PermissionDenied):
        plan_merge(user("pantau.lutim"), twin, siti, today=TODAY)
    with pytest.raises(ValidationError):
        do_merge_children(admin_lutim, siti, siti, "sama", now=NOW, today=TODAY)


def test_the_merge_is_refused_while_another_app_points_at_the_merged_child(admin_lutim, siti, twin):
    from tumbuh.krs.actions import do_link_child
    from tumbuh.krs.models import Family

    family = Family.objects.filter(desa_id=BALANTANG).order_by("-year").first()
    assert family is not None
    do_link_child(admin_lutim, family, twin, reason="uji")
    with translation.override("en"):
        plan = plan_merge(admin_lutim, twin, siti, today=TODAY)
    assert any("children of at-risk families (1)" in r for r in plan.refusals)


def test_a_removed_visit_moves_with_the_merge_and_is_restored_on_the_survivor(admin_lutim, siti, twin):
    removed = _remove(admin_lutim, twin, dt.date(2024, 8, 14))
    do_merge_children(admin_lutim, twin, siti, "dua kali", now=NOW, today=TODAY)
    do_restore_visit(admin_lutim, removed, "benar", now=NOW, today=TODAY)
    assert Measurement.objects.get(pk=removed.pk).child == siti


def test_unmerging_moves_exactly_the_moved_visits_back(admin_lutim, siti, twin):
    original = {m.pk: (m.date, m.zlen, m.status_tbu) for m in Measurement.objects.filter(child=twin)}
    do_merge_children(admin_lutim, twin, siti, "dua kali", now=NOW, today=TODAY)
    later = record(admin_lutim, siti, dt.date(2026, 2, 9), "11.0", "88.0", "h")  # entered for the survivor since
    visits = do_unmerge_child(admin_lutim, Child.all_objects.get(pk=twin.pk), "Ternyata dua anak (kembar)", today=TODAY)
    assert {m.pk for m in visits} == set(original)
    assert {m.pk: (m.date, m.zlen, m.status_tbu) for m in Measurement.objects.filter(child=twin)} == original
    assert Measurement.objects.get(pk=later.pk).child == siti and Measurement.objects.filter(child=siti).count() == 4
    assert not Measurement.all_objects.filter(merged_from=twin).exists()
    twin = Child.objects.get(pk=twin.pk)  # counted again
    assert (twin.merged_into, twin.merged_at, twin.merge_reason) == (None, None, "")
    assert AuditLog.objects.filter(
        object_type="measurements.child", object_id=str(siti.pk), reason__contains="Ternyata dua anak"
    ).exists()


def test_unmerging_is_refused_once_the_nik_belongs_to_the_survivor(admin_lutim, siti):
    dup = register(admin_lutim, BALANTANG, "Siti U. Balantang", nik="7324045501230020")
    siti.nik = ""
    do_register_child(admin_lutim, siti, today=TODAY)
    do_merge_children(admin_lutim, dup, siti, "dua kali", now=NOW, today=TODAY)
    siti.nik = "7324045501230020"  # the survivor takes the merged record's NIK: allowed
    do_register_child(admin_lutim, siti, reason="NIK dari KK", today=TODAY)
    with pytest.raises(ValidationError, match="NIK"):
        do_unmerge_child(admin_lutim, Child.all_objects.get(pk=dup.pk), "keliru", today=TODAY)


def test_a_merged_child_takes_no_new_visit_nor_change(admin_lutim, siti, twin):
    do_merge_children(admin_lutim, twin, siti, "dua kali", now=NOW, today=TODAY)
    twin = Child.all_objects.get(pk=twin.pk)
    with pytest.raises(ValidationError, match="merged"):
        record(admin_lutim, twin, dt.date(2026, 2, 9), "11.0", "88.0", "h")
    twin.name = "Lain"
    with pytest.raises(ValidationError, match="merged"):
        do_register_child(admin_lutim, twin, today=TODAY)


def test_a_merged_child_counts_in_no_dashboard_target(admin_lutim, siti, twin):
    from tumbuh.dashboards.aggregates import compute_rows
    from tumbuh.dashboards.periods import Period

    def target():
        rows = compute_rows(
            Measurement.objects.filter(desa_id=BALANTANG),
            period=Period.round(2025, 2),
            level="desa",
            indicator="stunting",
        )
        return next(r.n_target for r in rows if r.code == BALANTANG)

    before = target()
    do_merge_children(admin_lutim, twin, siti, "dua kali", now=NOW, today=TODAY)
    assert target() == before - 1


def test_merging_and_undoing_it_from_the_pages(client, bob, siti, twin):
    client.force_login(bob)
    page = client.get(reverse("measurements:child", args=[twin.tumbuh_id])).content.decode()
    merge_url = reverse("measurements:child_merge", args=[twin.tumbuh_id])
    assert f'href="{merge_url}"' in page
    choose = client.get(merge_url)
    assert siti in choose.context["candidates"]  # same desa, similar name
    confirm = client.get(merge_url, {"ke": siti.tumbuh_id})
    html = confirm.content.decode()
    assert "Jenis kelamin berbeda" in html and "Tanggal lahir berbeda" in html
    assert client.post(merge_url, {"ke": siti.tumbuh_id, "reason": ""}).status_code == 200
    assert Child.objects.filter(pk=twin.pk).exists()
    done = client.post(merge_url, {"ke": siti.tumbuh_id, "reason": "Terdaftar dua kali"}, follow=True)
    assert done.context["child"] == siti and Measurement.objects.filter(child=siti).count() == 5
    assert twin.name in done.content.decode()  # "merged into this record"
    merged_page = client.get(reverse("measurements:child", args=[twin.tumbuh_id]))
    assert "Terdaftar dua kali" in merged_page.content.decode() and not merged_page.context["visits"]
    assert client.get(reverse("measurements:visit", args=[twin.tumbuh_id])).status_code == 404
    unmerge_url = reverse("measurements:child_unmerge", args=[twin.tumbuh_id])
    assert f'href="{unmerge_url}"' in merged_page.content.decode()
    client.post(unmerge_url, {"reason": "Ternyata kembar"})
    assert Measurement.objects.filter(child=twin).count() == 2 and Child.objects.filter(pk=twin.pk).exists()


def test_the_merge_page_is_404_for_a_child_outside_ones_area(client, bob, siti, budi):
    client.force_login(bob)
    assert (
        client.get(reverse("measurements:child_merge", args=[siti.tumbuh_id]), {"ke": budi.tumbuh_id}).status_code
        == 404
    )
    assert client.get(reverse("measurements:child_merge", args=[budi.tumbuh_id])).status_code == 404


# ---------------------------------------------------------------- re-importing what was taken back


def _import(user, *rows):
    from tumbuh.imports.framework import run_import
    from tumbuh.imports.testing import csv_bytes
    from tumbuh.wilayah.models import Wilayah

    from .import_files import export

    return run_import(
        "eppgbm",
        user=user,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=csv_bytes(export(*rows)),
        file_name="eppgbm.csv",
    )


def _rejected(batch):
    with translation.override("en"):
        return [r.message for r in batch.rejected_rows.all()]


def test_a_reimport_neither_resurrects_nor_duplicates_a_removed_visit(admin_lutim):
    from .import_files import row

    line = row(nik="7324045001230003", name="Nur Aisyah", jk="P", birth="10/01/2023", date="10/02/2025")
    first = _import(admin_lutim, line)
    assert first.created == 1
    child = Child.objects.get(nik="7324045001230003")
    do_remove_visit(admin_lutim, Measurement.objects.get(child=child), "Bukan anak ini", now=NOW)
    again = _import(admin_lutim, line)
    assert (again.created, again.updated, again.rejected) == (0, 0, 1)
    (reason,) = _rejected(again)
    assert "was removed in Tumbuh (Bukan anak ini)" in reason and "restore it" in reason
    assert Measurement.all_objects.filter(child=child).count() == 1
    assert not Measurement.objects.filter(child=child).exists()


def test_a_reimport_of_a_merged_childs_row_lands_on_the_survivor(admin_lutim):
    from .import_files import row

    _import(
        admin_lutim,
        row(nik="7324045001230003", name="Nur Aisyah", jk="P", birth="10/01/2023", date="10/02/2025"),
        row(name="Nur Aisyah Putri", jk="P", birth="10/01/2023", date="11/08/2024", weight="9,1", height="76,0"),
        row(
            nik="7324045001230011",
            name="Aisyah Nur",
            jk="P",
            birth="12/01/2023",
            date="12/08/2024",
            weight="9,2",
            height="76,5",
        ),
    )
    right = Child.objects.get(nik="7324045001230003")
    for wrong in Child.objects.filter(name__in=["Nur Aisyah Putri", "Aisyah Nur"]):
        do_merge_children(admin_lutim, wrong, right, "dua kali", now=NOW, today=TODAY)
    again = _import(
        admin_lutim,
        row(name="Nur Aisyah Putri", jk="P", birth="10/01/2023", date="12/02/2026", weight="11,5", height="88,0"),
        row(
            nik="7324045001230011",
            name="Aisyah Nur",
            jk="P",
            birth="12/01/2023",
            date="13/02/2026",
            weight="11,6",
            height="88,2",
        ),
    )
    assert (again.created, again.rejected) == (2, 0), _rejected(again)
    assert Child.objects.filter(name__in=["Nur Aisyah Putri", "Aisyah Nur"]).count() == 0  # no new records
    assert Measurement.objects.filter(child=right).count() == 5
    right.refresh_from_db()
    assert right.nik == "7324045001230003"  # the merged record's NIK is not given to it
