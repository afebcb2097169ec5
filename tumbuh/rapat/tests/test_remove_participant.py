"""Taking a participant off a meeting's list: confirmed, with a reason, audited, by whoever runs
the meeting; the counts follow; someone already checked in is refused until the check-in is undone."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tumbuh.audit.models import AuditAction, AuditLog
from tumbuh.rapat import actions
from tumbuh.rapat.attendance import attendance
from tumbuh.rapat.models import Attendee, Group
from tumbuh.tpps.models import Tpps

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(alice, malili, make_rapat, today):
    """A Malili meeting held today (the pages may still change its list) with three invitees (two
    camat-group, one PKK) and one walk-in, two present."""
    rapat = make_rapat(malili, today)
    people = {}
    for name, group, invited in (
        ("Camat Malili", Group.CAMAT, True),
        ("Sekcam Malili", Group.CAMAT, True),
        ("Ketua TP PKK Malili", Group.PKK, True),
        ("Tamu Dinas", Group.LAIN, False),
    ):
        people[name] = actions.do_add_participant(
            alice, Attendee(rapat=rapat, name=name, group=group, invited=invited), today=today
        )
    now = timezone.now()
    actions.do_check_in(alice, people["Camat Malili"], at=now)
    actions.do_check_in(alice, people["Tamu Dinas"], at=now + dt.timedelta(seconds=1))
    return rapat, people


def _url(rapat, p):
    return f"/rapat/{rapat.pk}/peserta/{p.pk}/hapus/"


def test_the_organiser_removes_an_invitee_with_a_reason_and_the_counts_follow(client, alice, meeting):
    rapat, people = meeting
    before = attendance(rapat)
    assert (before.invited, before.present, before.walk_ins) == (3, 2, 1)
    sekcam = people["Sekcam Malili"]
    client.force_login(alice)
    edit = client.get(f"/rapat/{rapat.pk}/peserta/{sekcam.pk}/").content.decode()
    assert f'href="{_url(rapat, sekcam)}"' in edit
    confirm = client.get(_url(rapat, sekcam))  # the confirmation step deletes nothing
    assert confirm.status_code == 200 and 'data-testid="confirm-delete"' in confirm.content.decode()
    assert Attendee.objects.filter(pk=sekcam.pk).exists()
    response = client.post(_url(rapat, sekcam), {"reason": ""})  # a reason is required
    assert response.status_code == 200 and Attendee.objects.filter(pk=sekcam.pk).exists()
    response = client.post(_url(rapat, sekcam), {"reason": "Diundang dua kali"})
    assert response.status_code == 302 and response["Location"] == f"/rapat/{rapat.pk}/peserta/"
    assert not Attendee.objects.filter(pk=sekcam.pk).exists()
    log = AuditLog.objects.get(object_type="rapat.attendee", object_id=str(sekcam.pk), action=AuditAction.DELETE)
    assert log.reason == "Diundang dua kali" and log.actor == alice and log.before["name"] == "Sekcam Malili"
    after = attendance(rapat)
    assert (after.invited, after.present, after.walk_ins) == (2, 2, 1)
    assert [(g.group, g.invited, g.present) for g in after.groups] == [
        (Group.CAMAT, 1, 1),
        (Group.PKK, 1, 0),
        (Group.LAIN, 0, 1),
    ]


def test_someone_checked_in_is_refused_until_the_check_in_is_undone(client, alice, meeting):
    rapat, people = meeting
    camat = people["Camat Malili"]
    with pytest.raises(ValidationError, match="Undo the check-in|Batalkan"):
        actions.do_remove_participant(alice, camat, reason="salah orang", today=rapat.date)
    client.force_login(alice)
    page = client.get(_url(rapat, camat)).content.decode()
    assert 'data-testid="refusal"' in page and 'data-testid="confirm-delete"' not in page
    response = client.post(_url(rapat, camat), {"reason": "salah orang"})
    assert response.status_code == 200 and 'data-testid="refusal"' in response.content.decode()
    assert Attendee.objects.filter(pk=camat.pk).exists() and attendance(rapat).present == 2
    # Undo the check-in (its own reason), then remove.
    actions.do_undo_check_in(alice, camat, reason="salah pindai kartu", today=rapat.date)
    assert client.post(_url(rapat, camat), {"reason": "bukan peserta rapat ini"}).status_code == 302
    assert attendance(rapat).present == 1
    reasons = list(
        AuditLog.objects.filter(object_type="rapat.attendee", object_id=str(camat.pk))
        .order_by("pk")
        .values_list("action", "reason")
    )
    assert reasons[-2:] == [(AuditAction.UPDATE, "salah pindai kartu"), (AuditAction.DELETE, "bukan peserta rapat ini")]


@pytest.mark.parametrize(
    "username, status",
    [
        ("camat.malili", 302),  # runs the meetings of their kecamatan's team
        ("desa.balantang", 403),  # sees the meetings above, read-only
        ("dinkes.lutim", 403),
        ("pantau.lutim", 403),
        ("admin.luwu", 404),  # another district
    ],
)
def test_who_may_remove(client, demo_users, meeting, username, status):
    rapat, people = meeting
    pkk = people["Ketua TP PKK Malili"]
    user = demo_users[username]
    client.force_login(user)
    assert client.get(_url(rapat, pkk)).status_code == (200 if status == 302 else status)
    assert client.post(_url(rapat, pkk), {"reason": "uji"}).status_code == status
    assert Attendee.objects.filter(pk=pkk.pk).exists() is (status != 302)
    if status != 302:
        with pytest.raises(PermissionDenied):
            actions.do_remove_participant(user, pkk, reason="uji", today=rapat.date)


def test_the_district_meeting_is_not_the_camats_to_change(client, camat, make_rapat, alice, today):
    rapat = make_rapat(Tpps.objects.get(wilayah_id="73.24"), today)
    p = actions.do_add_participant(alice, Attendee(rapat=rapat, name="Kepala Bappeda", group=Group.OPD), today=today)
    client.force_login(camat)
    assert client.post(_url(rapat, p), {"reason": "uji"}).status_code == 403
    client.force_login(alice)
    assert client.post(f"/rapat/{rapat.pk + 10_000}/peserta/{p.pk}/hapus/", {"reason": "uji"}).status_code == 404
