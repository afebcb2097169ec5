"""A rembuk from invitation to closing: participants from the lists, attendance, materials
frozen as of the event, versioned agreed plans, signed scans that close it; all audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.documents.testing import pdf_bytes
from tumbuh.organisation.models import Opd
from tumbuh.rembuk import actions
from tumbuh.rembuk.models import Category, Invitee, RembukEvent, Status
from tumbuh.rencana.testing import TEST_YEAR, make_activity
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 4, 15, 10, 30, tzinfo=dt.UTC)  # the rembuk's morning


def new_event(actor, wilayah="73.24", *, invite=True, **kw) -> RembukEvent:
    event = RembukEvent(
        wilayah_id=wilayah,
        year=TEST_YEAR,
        title=kw.pop("title", "Rembuk Stunting 2026"),
        date=dt.date(2026, 4, 15),
        place="Aula Kantor Bupati",
        signing_place="Malili",
        agenda="Pembukaan\nPaparan analisis situasi\nPenandatanganan komitmen",
        **kw,
    )
    return actions.do_save_event(actor, event, reason="uji", invite=invite)


def scan(name="scan.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("scan"), content_type="application/pdf")


def test_a_kabupaten_rembuk_invites_from_the_tpps_opd_and_region_lists(alice):
    event = new_event(alice)
    people = list(event.invitees.all())
    positions = [p.position for p in people]
    assert "Bupati Luwu Timur" in positions and "Ketua DPRD Kabupaten Luwu Timur" in positions
    opd = Opd.objects.filter(kabupaten_id="73.24", is_active=True)
    assert {p.opd_id for p in people if p.category == Category.OPD} == set(opd.values_list("pk", flat=True))
    kecamatan = Wilayah.objects.filter(parent_id="73.24", level=Level.KECAMATAN)
    assert sum(p.category == Category.CAMAT for p in people) == kecamatan.count()
    assert any(p.category == Category.TPPS and p.signs_minutes for p in people)
    assert any(p.category == Category.NON_GOVERNMENT for p in people)
    # inviting again adds nobody twice
    assert actions.invite_defaults(alice, event) == 0


def test_a_kecamatan_rembuk_invites_the_camat_puskesmas_and_every_village_head(demo_users):
    camat = demo_users["camat.malili"]
    event = new_event(camat, "73.24.04", title="Rembuk Stunting Kecamatan Malili")
    heads = event.invitees.filter(category=Category.KEPALA_DESA)
    assert heads.count() == Wilayah.objects.filter(parent_id="73.24.04", level=Level.DESA).count()
    assert heads.filter(desa_id="73.24.04.2010", position__endswith="Balantang").exists()
    assert event.invitees.filter(category=Category.CAMAT, position="Camat Malili", signs_minutes=True).exists()
    assert event.invitees.filter(category=Category.PUSKESMAS).exists()
    assert not event.invitees.filter(category=Category.BUPATI).exists()


def test_kecamatan_users_run_rembuk_in_their_own_kecamatan_only(demo_users):
    camat = demo_users["camat.malili"]
    with pytest.raises(PermissionDenied):
        new_event(camat, "73.24")  # the district's
    with pytest.raises(PermissionDenied):
        new_event(camat, "73.24.01")  # Mangkutana
    with pytest.raises(ValidationError):
        new_event(demo_users["admin.lutim"], "73.24.04.2010")  # a desa holds no rembuk
    assert not RembukEvent.objects.filter(year=TEST_YEAR).exists()


def test_attendance_is_recorded_and_audited(alice):
    event = new_event(alice)
    bupati, dprd = event.invitees.get(category=Category.BUPATI), event.invitees.get(category=Category.DPRD)
    assert actions.do_record_attendance(alice, event, [bupati.pk, dprd.pk]) == 2
    assert actions.do_record_attendance(alice, event, [bupati.pk]) == 1
    dprd.refresh_from_db()
    assert not dprd.attended
    logs = AuditLog.objects.filter(object_type="rembuk.invitee", object_id=str(dprd.pk), action="update")
    assert [log.after["attended"] for log in logs.order_by("pk")] == [True, False]


def test_materials_stay_as_presented_and_the_agreed_plan_is_versioned(alice):
    first = make_activity(alice, budget=250_000_000, desa=["73.24.04.2010"])
    event = new_event(alice)
    actions.do_freeze_materials(alice, event, now=NOW)
    assert event.materials_frozen_at == NOW and event.materials["frozen_at"] == NOW.isoformat()
    v1 = actions.do_agree_plan(alice, event, note="disepakati")
    assert v1.version == 1 and [a["id"] for a in v1.data["activities"]] == [first.pk]
    assert v1.data["total_budget"] == 250_000_000
    assert v1.data["activities"][0]["desa"] == [{"code": "73.24.04.2010", "name": "Balantang"}]

    # The plan changes after the rembuk: the frozen materials and v1 do not.
    make_activity(alice, opd="DP2KB", indicator="krs-pendampingan", budget=50_000_000)
    event.refresh_from_db()
    assert len(event.materials["aksi2"]["activities"]) == 1
    v2 = actions.do_agree_plan(alice, event, note="revisi")
    v1.refresh_from_db()
    assert v2.version == 2 and len(v2.data["activities"]) == 2 and len(v1.data["activities"]) == 1
    assert v2.data["total_budget"] == 300_000_000
    assert (
        AuditLog.objects.filter(object_type="rembuk.agreedplan", action="create", object_id__in=[v1.pk, v2.pk]).count()
        == 2
    )


def test_a_kecamatan_rembuk_presents_the_activities_reaching_its_desa(alice, demo_users):
    make_activity(alice, desa=["73.24.04.2010"], sub_kegiatan="PMT Balantang")  # Malili
    other = Wilayah.objects.filter(kecamatan_code="73.24.01", level=Level.DESA).first()
    make_activity(alice, desa=[other.code], sub_kegiatan="PMT Mangkutana")
    make_activity(alice, sub_kegiatan="Kampanye seluruh kabupaten")  # no desa: district-wide
    event = new_event(demo_users["camat.malili"], "73.24.04")
    actions.do_freeze_materials(demo_users["camat.malili"], event, now=NOW)
    names = {a["sub_kegiatan"] for a in event.materials["aksi2"]["activities"]}
    assert names == {"PMT Balantang", "Kampanye seluruh kabupaten"}


def test_signed_commitment_and_berita_acara_close_the_event(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = new_event(alice)
    actions.do_upload_scan(
        alice, event, file=scan("komitmen.pdf"), kind=actions.SCAN_COMMITMENT, title="Komitmen ttd", now=NOW
    )
    event.refresh_from_db()
    assert event.status == Status.PLANNED and actions.missing_scans(event) == [actions.SCAN_BERITA_ACARA]
    actions.do_upload_scan(alice, event, file=scan("ba.pdf"), kind=actions.SCAN_BERITA_ACARA, title="BA ttd", now=NOW)
    event.refresh_from_db()
    assert event.status == Status.CLOSED and event.closed_at == NOW
    assert AuditLog.objects.filter(
        object_type="rembuk.rembukevent", object_id=str(event.pk), after__status="closed"
    ).exists()

    # Closed: nothing changes any more.
    assert not policy.can(alice, policy.CHANGE, event)
    with pytest.raises(ValidationError):
        actions.do_save_participant(alice, Invitee(event=event, position="Tamu"))
    with pytest.raises(ValidationError):
        actions.do_agree_plan(alice, event)
    with pytest.raises(ValidationError):
        event.title = "Diubah"
        actions.do_save_event(alice, event)


def test_an_unknown_scan_kind_is_refused(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = new_event(alice, invite=False)
    with pytest.raises(ValidationError):
        actions.do_upload_scan(alice, event, file=scan(), kind="foto", title="x", now=NOW)


def test_participants_from_another_district_or_outside_the_kecamatan_are_refused(alice, demo_users):
    event = new_event(demo_users["camat.malili"], "73.24.04", invite=False)
    luwu_opd = Opd.objects.filter(kabupaten_id="73.17").first()
    with pytest.raises(ValidationError):
        actions.do_save_participant(alice, Invitee(event=event, category=Category.OPD, position="Kepala", opd=luwu_opd))
    outside = Wilayah.objects.filter(kecamatan_code="73.24.01", level=Level.DESA).first()
    with pytest.raises(ValidationError):
        actions.do_save_participant(
            alice, Invitee(event=event, category=Category.KEPALA_DESA, position="Kades", desa=outside)
        )


def test_the_demo_has_luwu_timurs_2026_plan_and_rembuk_and_reseeding_changes_nothing():
    from tumbuh.demo.generator import seed_app_demos
    from tumbuh.rencana.models import Activity
    from tumbuh.reviu.models import AnnualReview

    event = RembukEvent.objects.get(wilayah_id="73.24", year=2026)
    plan = event.latest_plan()
    assert (
        plan.version == 1
        and len(plan.data["activities"]) == Activity.objects.filter(kabupaten_id="73.24", year=2026).count()
    )
    assert event.materials["aksi2"]["total_budget"] == plan.data["total_budget"] > 0
    assert AuditLog.objects.filter(object_type="rembuk.rembukevent", object_id=str(event.pk), actor=None).exists()
    counts = (
        Activity.objects.count(),
        RembukEvent.objects.count(),
        Invitee.objects.count(),
        AnnualReview.objects.count(),
        AuditLog.objects.count(),
    )
    seed_app_demos()
    assert (
        Activity.objects.count(),
        RembukEvent.objects.count(),
        Invitee.objects.count(),
        AnnualReview.objects.count(),
        AuditLog.objects.count(),
    ) == counts
