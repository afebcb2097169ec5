"""Action items carry over from one meeting to the next until they are closed, with progress
notes and evidence; owners see their own open items on the home page."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.audit.models import AuditLog
from tumbuh.documents.testing import image_bytes, pdf_bytes
from tumbuh.rapat import actions
from tumbuh.rapat.models import ActionItem, OwnerKind, Status, carry_over
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db
D = dt.date


def _decide(actor, rapat, text, item):
    """Recorded on the meeting's day."""
    return actions.do_record_decision(actor, rapat, text, item=item, today=rapat.date)


def _item(title, due, **owner):
    return ActionItem(title=title, due_date=due, **owner)


def test_action_items_carry_over_to_the_next_meetings_until_closed(alice, malili, make_rapat, dinkes):
    first = make_rapat(malili, D(2026, 1, 10))
    balantang = Wilayah.objects.get(pk="73.24.04.2010")
    _decide(
        alice, first, "Validasi data", _item("Validasi data", D(2026, 2, 1), owner_kind=OwnerKind.OPD, owner_opd=dinkes)
    )
    _decide(
        alice, first, "PMT lokal", _item("PMT lokal", D(2026, 6, 1), owner_kind=OwnerKind.DESA, owner_wilayah=balantang)
    )
    validasi, pmt = ActionItem.objects.filter(rapat=first).order_by("pk")
    second = make_rapat(malili, D(2026, 3, 1))

    # The second meeting opens with both, the overdue one first.
    assert [i.title for i in carry_over(second)] == ["Validasi data", "PMT lokal"]
    assert [i.is_overdue(second.date) for i in carry_over(second)] == [True, False]
    assert carry_over(first) == []

    actions.do_report_progress(alice, validasi, text="Selesai", status=Status.DONE, day=D(2026, 3, 5))
    third = make_rapat(malili, D(2026, 4, 1))
    assert [i.title for i in carry_over(third)] == ["PMT lokal"]
    # History holds: the second meeting still opened with the item closed after it.
    assert [i.title for i in carry_over(second)] == ["Validasi data", "PMT lokal"]
    # An item agreed at the third meeting is not carried into the third itself, but into the fourth.
    _decide(
        alice, third, "Kelas ibu", _item("Kelas ibu", D(2026, 5, 1), owner_kind=OwnerKind.DESA, owner_wilayah=balantang)
    )
    fourth = make_rapat(malili, D(2026, 6, 2))
    assert [i.title for i in carry_over(fourth)] == ["Kelas ibu", "PMT lokal"]
    # Another team's items never carry over here.
    district = make_rapat(first.tpps.__class__.objects.get(wilayah_id="73.24"), D(2026, 6, 3))
    assert "Validasi data" not in [i.title for i in carry_over(district)]


def test_the_minutes_open_with_the_carried_over_items(alice, malili, make_rapat, dinkes, pdftext):
    from tumbuh.documents.official import render_pdf
    from tumbuh.rapat.documents import build

    first = make_rapat(malili, D(2026, 1, 10))
    _decide(
        alice,
        first,
        "Validasi",
        _item("Validasi data Februari", D(2026, 2, 1), owner_kind=OwnerKind.OPD, owner_opd=dinkes),
    )
    second = make_rapat(malili, D(2026, 3, 1))
    text = pdftext(render_pdf(build("notulen", second, today=D(2026, 3, 1))))
    assert "Tindak lanjut rapat sebelumnya" in text
    assert "Validasi data Februari" in text and "Terlambat" in text


def test_progress_with_evidence_closes_and_reopens(alice, demo_users, malili, make_rapat, dinkes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dinkes_user = demo_users["dinkes.lutim"]
    rapat = make_rapat(malili, D(2026, 1, 10))
    _decide(alice, rapat, "x", _item("Validasi", D(2026, 2, 1), owner_kind=OwnerKind.OPD, owner_opd=dinkes))
    item = ActionItem.objects.get(rapat=rapat)
    photo = SimpleUploadedFile("ba-validasi.pdf", pdf_bytes("ba"), content_type="application/pdf")
    note = actions.do_report_progress(
        dinkes_user, item, text="BA validasi", status=Status.DONE, day=D(2026, 1, 30), file=photo
    )
    item.refresh_from_db()
    assert item.status == Status.DONE and item.closed_on == D(2026, 1, 30)
    [evidence] = note.documents()
    assert evidence.kind == "evidence" and evidence.file.read() == pdf_bytes("ba")
    assert AuditLog.objects.filter(object_type="rapat.actionitem", object_id=str(item.pk), actor=dinkes_user).exists()
    actions.do_report_progress(
        alice, item, text="Dibuka lagi: data Wotu belum", status=Status.IN_PROGRESS, day=D(2026, 2, 2)
    )
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.closed_on is None
    with pytest.raises(ValidationError):
        actions.do_report_progress(alice, item, text="terlalu awal", status=Status.DONE, day=D(2026, 1, 1))


def test_only_the_owner_or_organiser_reports_progress(alice, demo_users, malili, make_rapat, dinkes):
    rapat = make_rapat(malili, D(2026, 1, 10))
    _decide(alice, rapat, "x", _item("Validasi", D(2026, 2, 1), owner_kind=OwnerKind.OPD, owner_opd=dinkes))
    item = ActionItem.objects.get(rapat=rapat)
    for username in ("desa.balantang", "pantau.lutim", "pkm.malili", "admin.luwu"):
        with pytest.raises(PermissionDenied):
            actions.do_report_progress(demo_users[username], item, text="x", status=Status.DONE, day=D(2026, 1, 20))
    actions.do_report_progress(
        demo_users["camat.malili"], item, text="Dipantau camat", status=Status.IN_PROGRESS, day=D(2026, 1, 20)
    )
    assert item.notes.count() == 1


def test_owner_must_lie_inside_the_team_region(alice, malili, make_rapat):
    rapat = make_rapat(malili, D(2026, 1, 10))
    wotu_desa = (
        Wilayah.objects.filter(kecamatan_code__startswith="73.24.", level=4).exclude(kecamatan_code="73.24.04").first()
    )
    with pytest.raises(ValidationError) as e:
        actions.do_save_action_item(
            alice,
            ActionItem(
                rapat=rapat, title="x", due_date=D(2026, 2, 1), owner_kind=OwnerKind.DESA, owner_wilayah=wotu_desa
            ),
            today=rapat.date,
        )
    assert "owner_wilayah" in e.value.message_dict


def test_owners_see_their_open_items_on_the_home_page(client, alice, demo_users):
    """The demo's open items: Kecamatan Malili's sweeping, Desa Balantang's two, DP2KB's and DPMD's."""
    client.force_login(demo_users["desa.balantang"])
    home = client.get("/").content.decode()
    assert 'data-testid="my-action-items"' in home
    assert "Kelas ibu balita bulanan di Desa Balantang" in home and "Anggaran PMT lokal" in home
    assert "Sweeping balita" not in home  # Malili's, not the desa's
    client.force_login(demo_users["camat.malili"])
    home = client.get("/").content.decode()
    assert "Sweeping balita" in home and "Kelas ibu balita" not in home
    client.force_login(demo_users["dinkes.lutim"])
    home = client.get("/").content.decode()
    assert "Validasi data e-PPGBM" not in home  # done
    assert "Tidak ada tindak lanjut terbuka." in home  # Indonesian first
    client.force_login(demo_users["pantau.lutim"])
    assert 'data-testid="my-action-items"' not in client.get("/").content.decode()


def test_the_district_admin_sees_the_items_overdue_on_the_day(alice, rf):
    from tumbuh.rapat.templatetags.rapat_tags import my_action_items

    request = rf.get("/")
    request.user = alice

    def overdue(day):
        return [i.title for i in my_action_items({"request": request, "today": day})["my_items"]]

    assert overdue(D(2025, 6, 15)) == ["Sweeping balita yang belum diukur di desa cakupan rendah"]
    assert sorted(overdue(D(2025, 8, 1))) == [
        "Anggaran PMT lokal dalam APBDes perubahan",
        "Sweeping balita yang belum diukur di desa cakupan rendah",
    ]


def test_owner_reports_progress_with_evidence_on_the_item_page(client, alice, demo_users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = ActionItem.objects.get(title="Kelas ibu balita bulanan di Desa Balantang")
    bob = demo_users["desa.balantang"]
    client.force_login(demo_users["pantau.lutim"])
    assert b"progress-form" not in client.get(f"/rapat/tindak-lanjut/{item.pk}/").content
    assert (
        client.post(
            f"/rapat/tindak-lanjut/{item.pk}/", {"date": "2026-10-01", "text": "x", "status": "done"}
        ).status_code
        == 403
    )
    client.force_login(bob)
    page = client.get(f"/rapat/tindak-lanjut/{item.pk}/")
    assert b"progress-form" in page.content
    photo = SimpleUploadedFile("foto-kelas.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    response = client.post(
        f"/rapat/tindak-lanjut/{item.pk}/",
        {"date": "2026-10-01", "text": "Kelas pertama: 18 ibu", "status": "in_progress", "file": photo},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    [note] = item.notes.all()
    [evidence] = note.documents()
    assert note.author == bob and evidence.wilayah_id == "73.24.04.2010"
    page = client.get(f"/rapat/tindak-lanjut/{item.pk}/").content.decode()
    assert "Kelas pertama: 18 ibu" in page and f"/dokumen/berkas/{evidence.pk}/" in page
    assert client.get(f"/dokumen/berkas/{evidence.pk}/").status_code == 200


def test_item_list_filters_mine_and_open(client, demo_users):
    client.force_login(demo_users["camat.malili"])
    mine = client.get("/rapat/tindak-lanjut/?tampil=saya").content.decode()
    assert "Sweeping balita" in mine and "Kelas ibu balita" not in mine
    everything = client.get("/rapat/tindak-lanjut/?tampil=semua").content.decode()
    assert "Validasi data e-PPGBM Februari 2025" in everything  # done, but on the full list
    assert "Validasi data e-PPGBM Februari 2025" not in client.get("/rapat/tindak-lanjut/").content.decode()


def test_organiser_moves_the_due_date_and_owner(client, alice, demo_users):
    item = ActionItem.objects.get(title="Pemadanan data KRS dan balita stunting")
    client.force_login(demo_users["dinkes.lutim"])  # sees it, does not run the meeting
    assert b"item-form" not in client.get(f"/rapat/tindak-lanjut/{item.pk}/").content
    assert (
        client.post(
            f"/rapat/tindak-lanjut/{item.pk}/",
            {"edit_item": "1", "title": "x", "owner": "w:73.24.04", "due_date": "2026-01-31"},
        ).status_code
        == 403
    )
    client.force_login(alice)
    response = client.post(
        f"/rapat/tindak-lanjut/{item.pk}/",
        {
            "edit_item": "1",
            "title": item.title,
            "owner": "w:73.24.04",
            "due_date": "2026-01-31",
            "reason": "diserahkan ke kecamatan",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.owner_kind, item.owner_wilayah_id, item.owner_opd_id) == (OwnerKind.KECAMATAN, "73.24.04", None)
    assert item.due_date == D(2026, 1, 31) and item.notes.count() == 0
    assert AuditLog.objects.filter(
        object_type="rapat.actionitem", object_id=str(item.pk), reason="diserahkan ke kecamatan"
    ).exists()
