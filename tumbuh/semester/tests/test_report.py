"""The semester report: generated from Tumbuh's data, narrative edited as a draft, then final
(frozen and audited), exported as PDF/DOCX in its sections."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.audit.models import AuditLog
from tumbuh.semester import actions, figures
from tumbuh.semester.documents import report_document
from tumbuh.semester.models import ReportStatus, SemesterReport
from tumbuh.tpps.models import Tpps

pytestmark = pytest.mark.django_db
WRITTEN = dt.date(2026, 1, 20)  # the day the reports are written: after both semesters of 2025
FINALISED = dt.datetime(2026, 1, 20, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def draft():
    """The demo's draft: semester II 2025 of Luwu Timur."""
    return SemesterReport.objects.get(tpps__wilayah_id="73.24", year=2025, semester=2)


def test_figures_come_from_meetings_items_and_measurements(alice, draft):
    data = figures.collect(draft, alice, today=WRITTEN)
    assert [m["title"] for m in data["meetings"]] == ["Rapat Koordinasi TPPS Kabupaten Luwu Timur Semester II 2025"]
    assert data["meetings"][0]["present"] > 0 and data["meetings"][0]["decisions"] == 3
    assert [i["title"] for i in data["action_items"]["done"]] == ["Jadwal kunjungan OPD pembina ke desa lokus"]
    still_open = {i["title"]: i["overdue"] for i in data["action_items"]["open"]}
    assert still_open == {  # all past their due date at the end of December
        "Sweeping balita yang belum diukur di desa cakupan rendah": True,
        "Anggaran PMT lokal dalam APBDes perubahan": True,
        "Pemadanan data KRS dan balita stunting": True,
        "Kelas ibu balita bulanan di Desa Balantang": True,
    }
    prevalence = data["prevalence"]
    assert (prevalence["round"], prevalence["previous_round"]) == ("R2025-08", "R2025-02")
    assert [i["indicator"] for i in prevalence["indicators"]] == ["stunting", "wasting", "underweight"]
    stunting = prevalence["indicators"][0]
    assert stunting["measured"] > 0 and stunting["now"] is not None and stunting["before"] is not None
    assert stunting["change"] == pytest.approx(stunting["now"] - stunting["before"])
    malili = next(a for a in prevalence["areas"] if a["code"] == "73.24.04")
    assert malili["measured"] > 0
    # rencana/reviu are other apps: the section says whether they are installed.
    from django.apps import apps

    assert data["activities"]["rencana"] == apps.is_installed("tumbuh.rencana")


def test_a_semester_still_running_holds_the_meetings_held_by_the_day(alice, draft):
    assert figures.collect(draft, alice, today=dt.date(2025, 8, 27))["meetings"] == []  # the meeting is on 28 August
    assert len(figures.collect(draft, alice, today=dt.date(2025, 8, 28))["meetings"]) == 1


def test_semester_one_holds_the_first_meeting_and_what_was_closed_in_it(alice):
    report = actions.do_save_report(
        alice, SemesterReport(tpps=Tpps.objects.get(wilayah_id="73.24"), year=2025, semester=1)
    )
    data = figures.collect(report, alice, today=WRITTEN)
    assert [m["title"][-15:] for m in data["meetings"]] == ["Semester I 2025"]
    assert [i["title"] for i in data["action_items"]["done"]] == ["Validasi data e-PPGBM Februari 2025"]
    assert {i["title"]: i["overdue"] for i in data["action_items"]["open"]} == {
        "Sweeping balita yang belum diukur di desa cakupan rendah": True,
        "Anggaran PMT lokal dalam APBDes perubahan": False,
    }


def test_draft_then_final_is_frozen_and_audited(alice, draft):
    with pytest.raises(ValidationError):
        actions.do_finalise(alice, draft, now=FINALISED)  # no analysis yet
    draft.achievements = "Prevalensi turun di 8 dari 11 kecamatan."
    actions.do_save_report(alice, draft, reason="narasi")
    final = actions.do_finalise(alice, draft, now=FINALISED)
    assert final.status == ReportStatus.FINAL and final.finalised_by == alice and final.finalised_at == FINALISED
    assert final.figures["meetings"][0]["decisions"] == 3
    log = AuditLog.objects.filter(object_type="semester.semesterreport", object_id=str(final.pk)).order_by("pk").last()
    assert log.before["status"] == "draft" and log.after["status"] == "final"
    final.obstacles = "diubah sesudah final"
    with pytest.raises(ValidationError):
        actions.do_save_report(alice, final)
    stored = SemesterReport.objects.get(pk=final.pk)
    assert stored.obstacles != "diubah sesudah final" and stored.is_final


def test_only_the_secretariat_or_own_kecamatan_writes(demo_users, draft):
    for username in ("dinkes.lutim", "camat.malili", "desa.balantang", "pantau.lutim"):
        draft.introduction = "x"
        with pytest.raises(PermissionDenied):
            actions.do_save_report(demo_users[username], draft)
    camat = demo_users["camat.malili"]
    own = actions.do_save_report(
        camat, SemesterReport(tpps=Tpps.objects.get(wilayah_id="73.24.04"), year=2025, semester=2)
    )
    assert own.pk and figures.collect(own, camat, today=WRITTEN)["prevalence"]["indicators"]


def test_pages_and_exports(client, alice, demo_users, draft, pdftext):
    client.force_login(alice)
    page = client.get(f"/laporan-semester/{draft.pk}/")
    assert page.status_code == 200 and b"narrative-form" in page.content
    response = client.post(
        f"/laporan-semester/{draft.pk}/",
        {
            "introduction": "Pengantar",
            "achievements": "Capaian baik",
            "obstacles": "Data KRS belum padan",
            "follow_up": "Pemadanan",
        },
    )
    assert response.status_code == 302
    pdf = client.get(f"/laporan-semester/{draft.pk}/laporan.pdf")
    text = " ".join(pdftext(pdf.content).split())
    for section in (
        "I. Pendahuluan",
        "II. Pelaksanaan Rapat Koordinasi",
        "III. Capaian Prevalensi",
        "IV. Kegiatan dan Realisasi",
        "V. Tindak Lanjut Hasil Rapat",
        "VI. Kendala",
        "VII. Rencana Tindak Lanjut",
    ):
        assert section in text
    assert "Data KRS belum padan" in text and "(KONSEP)" in text and "Sweeping balita" in text
    docx = client.get(f"/laporan-semester/{draft.pk}/laporan.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    client.post(f"/laporan-semester/{draft.pk}/final/", {"confirm": "on"})
    draft.refresh_from_db()
    assert draft.is_final
    assert b"narrative-form" not in client.get(f"/laporan-semester/{draft.pk}/").content
    client.force_login(demo_users["admin.luwu"])
    assert client.get(f"/laporan-semester/{draft.pk}/").status_code == 404


def test_document_sections_for_a_report_without_data(alice):
    report = SemesterReport(tpps=Tpps.objects.get(wilayah_id="73.24"), year=2020, semester=1)
    doc = report_document(report, figures.collect(report, alice, today=WRITTEN))
    headings = [b.text for b in doc.blocks if type(b).__name__ == "Heading" and b.level == 1]
    assert len(headings) == 7 and "Tidak ada rapat" in " ".join(getattr(b, "text", "") for b in doc.blocks)


def test_new_report_form_offers_only_the_teams_the_user_writes_for(client, demo_users):
    camat = demo_users["camat.malili"]
    client.force_login(camat)
    response = client.get("/laporan-semester/")
    assert 'data-testid="new-report-form"' in response.content.decode()
    offered = list(response.context["form"].fields["tpps"].queryset)
    assert [t.wilayah_id for t in offered] == [
        "73.24.04",
        "73.24.04.2010",
    ]  # not the district's, though the camat sees it
    client.force_login(demo_users["pantau.lutim"])
    assert b'data-testid="new-report-form"' not in client.get("/laporan-semester/").content
