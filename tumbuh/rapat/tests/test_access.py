"""Access: a kecamatan user manages only their kecamatan's TPPS meetings; everyone else by role."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tumbuh.accounts import policy
from tumbuh.rapat import actions
from tumbuh.rapat.models import ActionItem, Attendee, Group, Rapat
from tumbuh.tpps.models import Tpps

pytestmark = pytest.mark.django_db


@pytest.fixture
def wotu():
    return Tpps.objects.get(wilayah__name__iexact="Wotu", wilayah__kabupaten_code="73.24")


def test_kecamatan_user_manages_only_their_kecamatan_meetings(camat, malili, wotu, make_rapat):
    own = make_rapat(malili, dt.date(2026, 5, 1), actor=camat)
    assert own.created_by == camat
    actions.do_add_participant(
        camat, Attendee(rapat=own, name="Kepala Desa Balantang", group=Group.KEPALA_DESA), today=own.date
    )
    district = Rapat.objects.filter(tpps__wilayah_id="73.24").first()
    for tpps in (wotu, district.tpps):
        with pytest.raises(PermissionDenied):
            make_rapat(tpps, dt.date(2026, 5, 2), actor=camat, title="Tidak boleh")
    assert not Rapat.objects.filter(title="Tidak boleh").exists()
    # The district's meeting: visible, read-only. Another kecamatan's: invisible.
    assert policy.is_visible(camat, district) and not policy.can(camat, policy.CHANGE, district)
    participant = district.attendees.first()
    with pytest.raises(PermissionDenied):
        actions.do_check_in(camat, participant, at=dt.datetime(2026, 5, 2, 9, tzinfo=dt.UTC))
    other = make_rapat(wotu, dt.date(2026, 5, 3))
    assert not policy.visible(camat, Rapat.objects.filter(pk=other.pk)).exists()


def test_kecamatan_user_pages(client, camat, malili, wotu, make_rapat):
    own = make_rapat(malili, dt.date(2026, 5, 1), actor=camat)
    other = make_rapat(wotu, dt.date(2026, 5, 3))
    district = Rapat.objects.filter(tpps__wilayah_id="73.24").first()
    client.force_login(camat)
    assert client.get(f"/rapat/{own.pk}/hadir/").status_code == 200
    assert client.get(f"/rapat/{district.pk}/").status_code == 200
    assert client.get(f"/rapat/{district.pk}/hadir/").status_code == 403
    assert client.post(f"/rapat/{district.pk}/keputusan/", {"text": "x"}).status_code == 403
    assert client.get(f"/rapat/{other.pk}/").status_code == 404
    assert client.get(f"/rapat/{other.pk}/dokumen/daftar-hadir.xlsx").status_code == 404
    listing = client.get("/rapat/").content.decode()
    assert own.title in listing and district.title in listing and f"/rapat/{other.pk}/" not in listing
    # The new-meeting form offers only the camat's own team.
    form = client.get("/rapat/baru/").content.decode()
    assert (
        f'value="{malili.pk}"' in form
        and f'value="{wotu.pk}"' not in form
        and f'value="{district.tpps_id}"' not in form
    )
    response = client.post(
        "/rapat/baru/",
        {
            "tpps": wotu.pk,
            "title": "Rapat Wotu",
            "date": "2026-06-01",
            "start_time": "09:00",
            "place": "Wotu",
            "chair": "Camat",
            "agenda": "a",
        },
    )
    assert response.status_code == 200 and not Rapat.objects.filter(title="Rapat Wotu").exists()


@pytest.mark.parametrize(
    "username, view, manage",
    [
        ("admin.lutim", 200, True),
        ("dinkes.lutim", 200, False),
        ("camat.malili", 200, False),
        ("pkm.malili", 200, False),
        ("desa.balantang", 200, False),
        ("pantau.lutim", 200, False),
        ("admin.luwu", 404, False),
    ],
)
def test_district_meeting_by_role(client, demo_users, username, view, manage):
    rapat = Rapat.objects.filter(tpps__wilayah_id="73.24").first()
    user = demo_users[username]
    client.force_login(user)
    assert client.get(f"/rapat/{rapat.pk}/").status_code == view
    assert client.get(f"/rapat/{rapat.pk}/hadir/").status_code == (200 if manage else (404 if view == 404 else 403))
    assert policy.can(user, policy.ADD, ActionItem(rapat=rapat)) == manage


def test_rules_are_declared_by_the_app():
    assert set(policy.rules()) >= {Rapat, Attendee, ActionItem}
