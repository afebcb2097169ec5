"""Attendance for a big meeting: invite, check in by search, by QR code and at the door; the
counts add up; the lists download as PDF, DOCX and Excel."""

import datetime as dt
import io
import random

import pytest

from tumbuh.rapat import actions
from tumbuh.rapat.attendance import attendance, attendance_xlsx, qr_svg
from tumbuh.rapat.models import Attendee, Group

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 1, 5, 9, 15, tzinfo=dt.UTC)  # a check-in on the meeting's morning

SIZES = {
    Group.OPD: 40,
    Group.CAMAT: 12,
    Group.KEPALA_DESA: 140,
    Group.PUSKESMAS: 16,
    Group.PKK: 30,
    Group.PLKB: 22,
    Group.LAIN: 40,
}  # 300


def _invite_300(alice, rapat):
    taken = set()
    for group, n in SIZES.items():
        for i in range(n):
            actions.do_add_participant(
                alice,
                Attendee(rapat=rapat, group=group, name=f"{group} peserta {i:03d}", organisation=f"Instansi {i}"),
                today=rapat.date,
                taken=taken,
            )


def test_a_meeting_of_300_checks_in_and_the_counts_add_up(client, alice, make_rapat, today):
    from tumbuh.tpps.models import Tpps

    rapat = make_rapat(Tpps.objects.get(wilayah_id="73.24"), today)  # the pages check in now
    _invite_300(alice, rapat)
    people = list(Attendee.objects.filter(rapat=rapat))
    assert len(people) == 300 and len({p.code for p in people}) == 300

    rng = random.Random(7)
    coming = rng.sample(people, 242)
    client.force_login(alice)
    by_code, by_button = coming[:121], coming[121:]
    for p in by_code:  # the phone's scanner posts what the QR card holds
        response = client.post(f"/rapat/{rapat.pk}/hadir/kode/", {"code": p.qr_payload}, HTTP_X_REQUESTED_WITH="fetch")
        assert response.status_code == 200 and 'data-result="ok"' in response.content.decode()
    for p in by_button:  # the search list's button (htmx)
        response = client.post(f"/rapat/{rapat.pk}/hadir/{p.pk}/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and response["HX-Trigger"] == "attendance-changed"
    # A second scan changes nothing.
    again = client.post(
        f"/rapat/{rapat.pk}/hadir/kode/", {"code": coming[0].code.lower()}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert 'data-result="already"' in again.content.decode()

    counts = attendance(rapat)
    expected = {g: sum(1 for p in coming if p.group == g) for g in SIZES}
    assert counts.present == 242 == sum(g.present for g in counts.groups)
    assert counts.invited == 300 == sum(g.invited for g in counts.groups)
    assert {g.group: g.present for g in counts.groups} == {g.value: n for g, n in expected.items()}
    assert Attendee.objects.filter(rapat=rapat, checked_in_at__isnull=False).count() == 242
    assert counts.summary.startswith("242 ")
    assert f"OPD {expected[Group.OPD]}" in counts.summary

    # A walk-in at the door is registered and counted, but not as invited.
    client.post(f"/rapat/{rapat.pk}/hadir/", {"name": "Tamu", "group": Group.MITRA, "organisation": "Universitas"})
    counts = attendance(rapat)
    assert counts.present == 243 and counts.invited == 300 and counts.walk_ins == 1

    # The Excel list has a row per participant and the same totals.
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(attendance_xlsx(rapat)))
    rows = list(wb.worksheets[0].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 301 and sum(1 for r in rows if r[7] in ("yes", "ya")) == 243
    totals = list(wb.worksheets[1].iter_rows(values_only=True))[-1]
    assert totals[1:] == (300, 243)


def test_codes_of_another_meeting_or_unknown_are_refused(alice, malili, make_rapat):
    first = make_rapat(malili, dt.date(2026, 1, 5))
    second = make_rapat(malili, dt.date(2026, 2, 5))
    p = actions.do_add_participant(alice, Attendee(rapat=first, name="A", group=Group.CAMAT), today=first.date)
    assert actions.do_check_in_by_code(alice, second, p.qr_payload, at=AT) == (actions.CheckInResult.UNKNOWN, None)
    assert actions.do_check_in_by_code(alice, first, "XXXXXX", at=AT)[0] == actions.CheckInResult.UNKNOWN
    assert actions.do_check_in_by_code(alice, first, f" {p.code.lower()} ", at=AT) == (actions.CheckInResult.OK, p)
    p.refresh_from_db()
    assert p.checked_in_at == AT
    assert "<svg" in qr_svg(p)


def test_quick_search_finds_by_name_agency_or_code(client, alice, malili, make_rapat, today):
    rapat = make_rapat(malili, today)
    a = actions.do_add_participant(
        alice,
        Attendee(rapat=rapat, name="Andi Baso", group=Group.KEPALA_DESA, organisation="Desa Balantang"),
        today=today,
    )
    actions.do_add_participant(
        alice, Attendee(rapat=rapat, name="Sitti", group=Group.PUSKESMAS, organisation="Puskesmas Malili"), today=today
    )
    client.force_login(alice)
    for q in ("andi", "balantang desa", a.code):
        html = client.get(f"/rapat/{rapat.pk}/hadir/cari/", {"q": q}).content.decode()
        assert "Andi Baso" in html and "Sitti" not in html and 'data-testid="check-in-button"' in html


def test_registry_invites_each_office_once(alice, malili, make_rapat):
    rapat = make_rapat(malili, dt.date(2026, 1, 5))
    n = actions.do_invite_from_registry(
        alice, rapat, [Group.CAMAT, Group.KEPALA_DESA, Group.PUSKESMAS], today=rapat.date
    )
    desa = Attendee.objects.filter(rapat=rapat, group=Group.KEPALA_DESA).count()
    assert Attendee.objects.filter(rapat=rapat, group=Group.CAMAT).count() == 1 and desa >= 10
    assert actions.do_invite_from_registry(alice, rapat, [Group.CAMAT, Group.KEPALA_DESA], today=rapat.date) == 0
    assert Attendee.objects.filter(rapat=rapat).count() == n
    rapat.refresh_from_db()
    assert set(rapat.invited_groups) >= {Group.CAMAT, Group.KEPALA_DESA, Group.PUSKESMAS}


@pytest.mark.parametrize("kind", ["undangan", "daftar-hadir", "notulen"])
def test_meeting_documents_as_pdf_and_docx(client, alice, kind, pdftext):
    from tumbuh.rapat.models import Rapat

    rapat = Rapat.objects.filter(tpps__wilayah_id="73.24").order_by("date").last()  # the demo's second meeting
    client.force_login(alice)
    pdf = client.get(f"/rapat/{rapat.pk}/dokumen/{kind}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdftext(pdf.content)
    assert rapat.title.split(" Semester")[0] in " ".join(text.split())
    docx = client.get(f"/rapat/{rapat.pk}/dokumen/{kind}.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    if kind == "daftar-hadir":
        assert f"{attendance(rapat).present} peserta" in text
    if kind == "notulen":
        assert "Sweeping balita" in " ".join(text.split())  # carried over from the first meeting
    if kind == "undangan":
        assert "28 Agustus 2025" in text


def test_the_invitation_is_dated_the_day_it_is_made_at_the_latest_the_meetings(malili, make_rapat):
    from tumbuh.rapat.documents import build

    rapat = make_rapat(malili, dt.date(2026, 3, 10))
    assert build("undangan", rapat, today=dt.date(2026, 3, 1)).date == dt.date(2026, 3, 1)
    assert build("undangan", rapat, today=dt.date(2026, 4, 1)).date == dt.date(2026, 3, 10)  # made afterwards


def test_participants_page_invites_from_the_registry_and_prints_qr_cards(client, alice, malili, make_rapat, today):
    rapat = make_rapat(malili, today)
    client.force_login(alice)
    response = client.post(f"/rapat/{rapat.pk}/peserta/", {"groups": [Group.CAMAT, Group.PUSKESMAS]})
    assert response.status_code == 302
    people = Attendee.objects.filter(rapat=rapat)
    assert {p.group for p in people} == {Group.CAMAT, Group.PUSKESMAS}
    cards = client.get(f"/rapat/{rapat.pk}/kartu-qr/").content.decode()
    assert cards.count('data-testid="qr-card"') == people.count() and cards.count("<svg") == people.count()
    assert all(p.code in cards for p in people)


def test_only_the_organiser_edits_the_list(client, demo_users, make_rapat):
    from tumbuh.tpps.models import Tpps

    rapat = make_rapat(Tpps.objects.get(wilayah_id="73.24"), dt.date(2026, 1, 5))
    client.force_login(demo_users["dinkes.lutim"])
    assert client.post(f"/rapat/{rapat.pk}/peserta/", {"name": "x", "group": Group.OPD}).status_code == 403
    assert client.post(f"/rapat/{rapat.pk}/hadir/kode/", {"code": "AAAAAA"}).status_code == 403
    assert not Attendee.objects.filter(rapat=rapat).exists()


def test_organiser_corrects_an_invitee_and_undoes_a_check_in(client, alice, malili, make_rapat, today):
    from django.utils import timezone

    from tumbuh.audit.models import AuditLog

    rapat = make_rapat(malili, today)
    actions.do_invite_from_registry(alice, rapat, [Group.CAMAT], today=today)
    camat = Attendee.objects.get(rapat=rapat)
    actions.do_check_in(alice, camat, at=timezone.now())
    client.force_login(alice)
    response = client.post(
        f"/rapat/{rapat.pk}/peserta/{camat.pk}/",
        {"name": "Andi Rahmat, S.STP.", "group": Group.CAMAT, "organisation": camat.organisation, "position": "Camat"},
    )
    assert response.status_code == 302
    camat.refresh_from_db()
    assert camat.name == "Andi Rahmat, S.STP." and camat.present  # the code and the check-in stay
    client.post(f"/rapat/{rapat.pk}/peserta/{camat.pk}/", {"undo_check_in": "1", "reason": "salah pindai"})
    camat.refresh_from_db()
    assert not camat.present and attendance(rapat).present == 0
    assert AuditLog.objects.filter(
        object_type="rapat.attendee", object_id=str(camat.pk), reason="salah pindai"
    ).exists()


def test_phone_numbers_only_in_the_organisers_excel(client, alice, demo_users, make_rapat):
    from openpyxl import load_workbook

    from tumbuh.tpps.models import Tpps

    rapat = make_rapat(Tpps.objects.get(wilayah_id="73.24"), dt.date(2026, 1, 5))
    actions.do_add_participant(
        alice, Attendee(rapat=rapat, name="Sitti", group=Group.PKK, phone="081234567890"), today=rapat.date
    )

    def phones(user):
        client.force_login(user)
        wb = load_workbook(io.BytesIO(client.get(f"/rapat/{rapat.pk}/dokumen/daftar-hadir.xlsx").content))
        return [r[5] for r in wb.worksheets[0].iter_rows(min_row=5, values_only=True)]

    assert phones(alice) == ["081234567890"]
    assert phones(demo_users["dinkes.lutim"]) == [None]


def test_text_typed_at_the_door_reaches_the_excel_list_as_text_never_a_formula(client, alice, make_rapat, today):
    from openpyxl import load_workbook

    from tumbuh.core.testing import formula_cells
    from tumbuh.tpps.models import Tpps

    rapat = make_rapat(Tpps.objects.get(wilayah_id="73.24"), today, place="=1+2")
    client.force_login(alice)
    typed = {
        "name": '=HYPERLINK("http://x.invalid","klik")',
        "group": Group.MITRA,
        "organisation": "@SUM(A1)",
        "position": "-Ketua",
        "phone": "+62 812 3456 7890",
    }
    client.post(f"/rapat/{rapat.pk}/hadir/", typed)
    assert Attendee.objects.filter(rapat=rapat, name=typed["name"]).exists()
    content = client.get(f"/rapat/{rapat.pk}/dokumen/daftar-hadir.xlsx").content
    assert formula_cells(content) == []
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    row = ws[5]
    for index, field in ((1, "name"), (3, "organisation"), (4, "position"), (5, "phone")):
        assert (row[index].value, row[index].data_type) == (typed[field], "s"), field
    assert ws["A2"].value.endswith("· =1+2")
