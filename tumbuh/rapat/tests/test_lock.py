"""A meeting's attendance and minutes lock after its day: nobody is checked in to a rakor 15
months later and the semester report's count stays as it was. The district admin reopens a
locked meeting with a reason (audited) and closes it again; the pages show the lock and why."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.rapat import actions
from tumbuh.rapat.attendance import attendance
from tumbuh.rapat.models import ActionItem, Attendee, Group, OwnerKind, Rapat

pytestmark = pytest.mark.django_db

HELD = dt.date(2025, 8, 28)  # the demo's second district meeting
LATER = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)  # 15 months after it


@pytest.fixture
def held():
    """The demo's district meeting of 28 August 2025, and one invitee who did not come."""
    rapat = Rapat.objects.get(tpps__wilayah_id="73.24", date=HELD)
    return rapat, Attendee.objects.filter(rapat=rapat, checked_in_at__isnull=True).first()


def _semester_present(alice):
    from tumbuh.semester import figures
    from tumbuh.semester.models import SemesterReport

    draft = SemesterReport.objects.get(tpps__wilayah_id="73.24", year=2025, semester=2)
    [meeting] = figures.collect(draft, alice, today=dt.date(2026, 1, 20))["meetings"]
    return meeting["present"], meeting["groups"]


def test_a_check_in_15_months_later_is_refused_in_indonesian_and_the_semester_count_stays(alice, held):
    rapat, absent = held
    before = _semester_present(alice)
    with translation.override("id"), pytest.raises(ValidationError) as refused:
        actions.do_check_in(alice, absent, at=LATER)
    message = " ".join(refused.value.messages)
    assert (
        "28 Agustus 2025" in message and "terkunci" in message and "Admin kabupaten dapat membukanya kembali" in message
    )
    with pytest.raises(ValidationError):
        actions.do_check_in_by_code(alice, rapat, absent.qr_payload, at=LATER)
    absent.refresh_from_db()
    assert not absent.present
    assert _semester_present(alice) == before
    # On the meeting's own day (its evening too) the door is still open.
    evening = dt.datetime(2025, 8, 28, 15, 0, tzinfo=dt.UTC)  # 23.00 in Malili
    assert actions.do_check_in(alice, absent, at=evening) == actions.CheckInResult.OK
    assert _semester_present(alice)[0] == before[0] + 1


def test_the_check_in_pages_refuse_a_past_meeting(client, alice, held):
    """Through every door: the scanner's code, the search list's button, a walk-in."""
    rapat, absent = held
    present = attendance(rapat).present
    client.force_login(alice)
    scanned = client.post(f"/rapat/{rapat.pk}/hadir/kode/", {"code": absent.qr_payload}, HTTP_X_REQUESTED_WITH="fetch")
    html = scanned.content.decode()
    assert 'data-result="locked"' in html and "terkunci" in html
    button = client.post(f"/rapat/{rapat.pk}/hadir/{absent.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="check-in-refused"' in button and "terkunci" in button
    client.post(f"/rapat/{rapat.pk}/hadir/", {"name": "Tamu terlambat", "group": Group.MITRA})
    client.post(f"/rapat/{rapat.pk}/peserta/", {"name": "Diundang belakangan", "group": Group.LAIN})
    client.post(f"/rapat/{rapat.pk}/peserta/", {"groups": [Group.LURAH]})
    assert attendance(rapat).present == present
    assert not Attendee.objects.filter(rapat=rapat, name__in=["Tamu terlambat", "Diundang belakangan"]).exists()
    assert not Attendee.objects.filter(rapat=rapat, group=Group.LURAH).exists()


def test_attendance_and_minutes_lock_the_day_after(alice, malili, make_rapat, dinkes):
    day = dt.date(2026, 3, 2)
    rapat = make_rapat(malili, day)
    came = actions.do_add_participant(alice, Attendee(rapat=rapat, name="Camat", group=Group.CAMAT), today=day)
    invitee = actions.do_add_participant(alice, Attendee(rapat=rapat, name="Sekcam", group=Group.CAMAT), today=day)
    actions.do_check_in(alice, came, at=dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC))
    next_day = day + dt.timedelta(days=1)
    item = ActionItem(title="Validasi", due_date=dt.date(2026, 4, 1), owner_kind=OwnerKind.OPD, owner_opd=dinkes)
    refused = [
        lambda: actions.do_add_participant(alice, Attendee(rapat=rapat, name="Baru", group=Group.LAIN), today=next_day),
        lambda: actions.do_invite_from_registry(alice, rapat, [Group.PUSKESMAS], today=next_day),
        lambda: actions.do_undo_check_in(alice, came, reason="salah", today=next_day),
        lambda: actions.do_remove_participant(alice, invitee, reason="dobel", today=next_day),
        lambda: actions.do_record_decision(alice, rapat, "Keputusan susulan", item=item, today=next_day),
        lambda: actions.do_save_action_item(
            alice,
            ActionItem(
                rapat=rapat, title="x", due_date=dt.date(2026, 4, 1), owner_kind=OwnerKind.OPD, owner_opd=dinkes
            ),
            today=next_day,
        ),
    ]
    for write in refused:
        with pytest.raises(ValidationError, match="locked|terkunci"):
            write()
    rapat.minutes = "Ditulis ulang sesudahnya"
    with pytest.raises(ValidationError, match="locked|terkunci"):
        actions.do_save_rapat(alice, rapat, today=next_day)
    rapat.refresh_from_db()
    assert rapat.minutes == "" and rapat.decisions.count() == 0 and rapat.action_items.count() == 0
    assert (attendance(rapat).invited, attendance(rapat).present) == (2, 1)
    # On the day itself the minutes are still written; moving the date back before today is refused.
    rapat.minutes = "Dicatat pada hari rapat"
    actions.do_save_rapat(alice, rapat, today=day)
    rapat.date = day - dt.timedelta(days=7)
    with pytest.raises(ValidationError) as moved:
        actions.do_save_rapat(alice, rapat, today=day)
    assert "date" in moved.value.message_dict


def test_the_district_admin_reopens_with_a_reason_audited_and_closes_again(alice, camat, malili, make_rapat):
    day = dt.date(2026, 3, 2)
    rapat = make_rapat(malili, day, actor=camat)
    later = dt.date(2026, 6, 1)
    assert rapat.is_locked(later)
    with pytest.raises(PermissionDenied):  # the camat runs the meeting but does not reopen it
        actions.do_reopen(camat, rapat, reason="lupa mencatat", today=later)
    with pytest.raises(ValidationError) as no_reason:
        actions.do_reopen(alice, rapat, reason="  ", today=later)
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError):  # not locked on its own day: nothing to reopen
        actions.do_reopen(alice, rapat, reason="x", today=day)

    why = "Daftar hadir kertas dari Kepala Desa Balantang baru diterima"
    actions.do_reopen(alice, rapat, reason=why, today=later)
    rapat.refresh_from_db()
    assert (rapat.reopened_on, rapat.reopened_by, rapat.reopen_reason) == (later, alice, why)
    assert not rapat.is_locked(later)
    log = AuditLog.objects.filter(object_type="rapat.rapat", object_id=str(rapat.pk)).order_by("pk").last()
    assert log.actor == alice and why in log.reason and log.before["reopened_on"] is None
    assert log.after["reopened_on"] == later.isoformat()
    # Reopened, the camat enters the late list.
    late = actions.do_add_participant(
        camat, Attendee(rapat=rapat, name="Kepala Desa Balantang", group=Group.KEPALA_DESA), today=later
    )
    actions.do_check_in(camat, late, at=dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC))
    assert attendance(rapat).present == 1

    with pytest.raises(PermissionDenied):
        actions.do_close(camat, rapat, today=later)
    actions.do_close(alice, rapat, today=later, reason="daftar hadir lengkap")
    rapat.refresh_from_db()
    assert rapat.is_locked(later) and rapat.reopen_reason == ""
    closed = AuditLog.objects.filter(object_type="rapat.rapat", object_id=str(rapat.pk)).order_by("pk").last()
    assert "daftar hadir lengkap" in closed.reason and closed.after["reopened_on"] is None
    with pytest.raises(ValidationError):
        actions.do_undo_check_in(alice, late, reason="x", today=later)


def test_a_meeting_held_before_today_is_recorded_by_the_district_admin_with_a_reason(alice, camat, malili):
    today = dt.date(2026, 6, 1)
    past = dict(
        tpps=malili,
        title="Rapat Maret yang terlewat",
        date=dt.date(2026, 3, 2),
        place="Aula",
        chair="Camat",
        agenda="Evaluasi",
        invited_groups=[Group.CAMAT],
    )
    with pytest.raises(ValidationError) as e:
        actions.do_save_rapat(camat, Rapat(**past), today=today)
    assert "date" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        actions.do_save_rapat(alice, Rapat(**past), today=today)
    assert "reason" in e.value.message_dict
    assert not Rapat.objects.filter(title=past["title"]).exists()
    rapat = actions.do_save_rapat(alice, Rapat(**past), today=today, reason="dicatat dari notulen kertas")
    assert rapat.is_reopened and rapat.reopen_reason == "dicatat dari notulen kertas" and not rapat.is_locked(today)
    assert attendance(rapat).invited == 1  # the camat of Malili, invited with it


def test_locked_pages_say_so_and_offer_no_editing(client, alice, demo_users, held):
    rapat, absent = held
    client.force_login(alice)
    page = client.get(f"/rapat/{rapat.pk}/").content.decode()
    assert 'data-testid="rapat-locked"' in page and "terkunci" in page
    for control in (
        'data-testid="decision-form"',
        'data-testid="open-check-in"',
        'data-testid="rapat-change"',
        "/notulen/",
    ):
        assert control not in page, control
    assert 'data-testid="reopen-form"' in page  # the district admin may reopen it
    check_in = client.get(f"/rapat/{rapat.pk}/hadir/").content.decode()
    assert 'data-testid="rapat-locked"' in check_in and 'data-testid="check-in-search"' not in check_in
    scan = client.get(f"/rapat/{rapat.pk}/pindai/").content.decode()
    assert 'data-testid="code-form"' not in scan
    participants = client.get(f"/rapat/{rapat.pk}/peserta/").content.decode()
    assert 'data-testid="participant-form"' not in participants and 'data-testid="rapat-locked"' in participants
    edit = client.get(f"/rapat/{rapat.pk}/peserta/{absent.pk}/").content.decode()
    assert "disabled" in edit and 'data-testid="participant-delete"' not in edit
    form = client.get(f"/rapat/{rapat.pk}/ubah/").content.decode()
    assert 'data-testid="rapat-locked"' in form and 'type="submit" class="primary"' not in form
    assert client.post(f"/rapat/{rapat.pk}/notulen/", {"minutes": "ditimpa"}).status_code == 302
    rapat.refresh_from_db()
    assert "ditimpa" not in rapat.minutes
    listing = client.get("/rapat/").content.decode()
    assert 'data-testid="locked"' in listing
    # A viewer sees the lock, but no reopen form.
    client.force_login(demo_users["pantau.lutim"])
    page = client.get(f"/rapat/{rapat.pk}/").content.decode()
    assert 'data-testid="rapat-locked"' in page and 'data-testid="reopen-form"' not in page


def test_reopen_and_close_on_the_page(client, alice, camat, held):
    rapat, absent = held
    client.force_login(camat)  # sees the district's meeting, may not reopen it
    assert client.post(f"/rapat/{rapat.pk}/buka/", {"reason": "x"}).status_code == 403
    client.force_login(alice)
    client.post(f"/rapat/{rapat.pk}/buka/", {"reason": ""})
    rapat.refresh_from_db()
    assert not rapat.is_reopened
    response = client.post(f"/rapat/{rapat.pk}/buka/", {"reason": "Koreksi daftar hadir dari sekretariat"}, follow=True)
    page = response.content.decode()
    assert 'data-testid="rapat-reopened"' in page and "Koreksi daftar hadir dari sekretariat" in page
    assert 'data-testid="decision-form"' in page and 'data-testid="close-form"' in page
    scanned = client.post(f"/rapat/{rapat.pk}/hadir/kode/", {"code": absent.code}, HTTP_X_REQUESTED_WITH="fetch")
    assert 'data-result="ok"' in scanned.content.decode()
    log = AuditLog.objects.filter(object_type="rapat.rapat", object_id=str(rapat.pk)).order_by("pk").last()
    assert "Koreksi daftar hadir dari sekretariat" in log.reason
    page = client.post(f"/rapat/{rapat.pk}/tutup/", follow=True).content.decode()
    assert 'data-testid="rapat-locked"' in page and 'data-testid="decision-form"' not in page
