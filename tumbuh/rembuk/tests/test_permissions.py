"""Who sees and runs which rembuk, for every demo role, through the pages."""

import datetime as dt

import pytest

from tumbuh.documents.testing import pdf_bytes
from tumbuh.rembuk import actions
from tumbuh.rembuk.models import Invitee, RembukEvent
from tumbuh.rencana.testing import TEST_YEAR

pytestmark = pytest.mark.django_db

ROLES = ["admin.lutim", "dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim", "admin.luwu"]


def _event(actor, wilayah, title):
    e = RembukEvent(
        wilayah_id=wilayah, year=TEST_YEAR, title=title, date=dt.date(2026, 4, 15), place="Aula", signing_place="Malili"
    )
    return actions.do_save_event(actor, e, invite=False)


@pytest.fixture
def events(demo_users):
    alice = demo_users["admin.lutim"]
    return {
        "kabupaten": _event(alice, "73.24", "Rembuk Kabupaten"),
        "malili": _event(demo_users["camat.malili"], "73.24.04", "Rembuk Malili"),
        "wotu": _event(alice, "73.24.06", "Rembuk Wotu"),
    }


#: role → (sees kabupaten, sees Malili, sees Wotu)
SEES = {
    "admin.lutim": (True, True, True),
    "dinkes.lutim": (True, True, True),
    "camat.malili": (True, True, False),
    "pkm.malili": (True, True, False),
    "desa.balantang": (True, True, False),
    "pantau.lutim": (True, True, True),
    "admin.luwu": (False, False, False),
}
#: role → (changes kabupaten, changes Malili, changes Wotu)
CHANGES = {
    "admin.lutim": (True, True, True),
    "camat.malili": (False, True, False),
}


@pytest.mark.parametrize("username", ROLES)
def test_each_role_sees_and_changes_what_it_should(client, demo_users, events, username):
    client.force_login(demo_users[username])
    listing = client.get("/rembuk/").content.decode()
    for (key, event), sees, changes in zip(events.items(), SEES[username], CHANGES.get(username, (False,) * 3)):
        assert (event.title in listing) is sees, key
        detail = client.get(f"/rembuk/{event.pk}/")
        assert detail.status_code == (200 if sees else 404), key
        edit = client.post(f"/rembuk/{event.pk}/undang/")
        assert edit.status_code == (302 if changes else 403 if sees else 404), key
        if sees:
            assert (f"/rembuk/{event.pk}/ubah/" in detail.content.decode()) is changes, key


@pytest.mark.parametrize("username,can_add", [(u, u in ("admin.lutim", "camat.malili", "admin.luwu")) for u in ROLES])
def test_who_may_open_a_new_rembuk(client, demo_users, username, can_add):
    client.force_login(demo_users[username])
    assert client.get("/rembuk/baru/").status_code == (200 if can_add else 403)


def test_the_form_offers_a_camat_only_their_own_kecamatan(client, demo_users):
    client.force_login(demo_users["camat.malili"])
    form = client.get("/rembuk/baru/").context["form"]
    assert list(form.fields["wilayah"].queryset.values_list("code", flat=True)) == ["73.24.04"]
    response = client.post(
        "/rembuk/baru/",
        {
            "wilayah": "73.24",
            "year": TEST_YEAR,
            "title": "x",
            "date": "2026-04-15",
            "place": "Aula",
            "signing_place": "Malili",
        },
    )
    assert response.status_code == 200 and not RembukEvent.objects.filter(year=TEST_YEAR).exists()  # not a valid choice


def test_a_camat_creates_and_runs_their_kecamatan_rembuk_through_the_pages(client, demo_users):
    client.force_login(demo_users["camat.malili"])
    response = client.post(
        "/rembuk/baru/",
        {
            "wilayah": "73.24.04",
            "year": TEST_YEAR,
            "title": "Rembuk Malili 2026",
            "date": "2026-03-10",
            "place": "Kantor Camat Malili",
            "signing_place": "Malili",
            "invite": "on",
        },
    )
    event = RembukEvent.objects.get(title="Rembuk Malili 2026")
    assert response.status_code == 302 and response["Location"] == f"/rembuk/{event.pk}/"
    head = event.invitees.get(desa_id="73.24.04.2010")
    assert client.post(f"/rembuk/{event.pk}/kehadiran/", {"attended": [head.pk]}).status_code == 302
    head.refresh_from_db()
    assert head.attended
    response = client.post(
        f"/rembuk/{event.pk}/peserta/baru/",
        {
            "category": "nonpemerintah",
            "name": "Hj. Rahma",
            "position": "Ketua TP PKK Kecamatan",
            "signs_commitment": "on",
        },
    )
    assert response.status_code == 302 and event.invitees.filter(name="Hj. Rahma").exists()
    district = _event(demo_users["admin.lutim"], "73.24", "Rembuk Kabupaten")
    guest = actions.do_save_participant(demo_users["admin.lutim"], Invitee(event=district, position="Tamu"))
    assert client.get(f"/rembuk/{event.pk}/peserta/{guest.pk}/").status_code == 404  # not through another event
    assert client.get(f"/rembuk/{district.pk}/peserta/{guest.pk}/").status_code == 403  # visible, not theirs


def test_uploading_the_signed_scans_through_the_page_closes_the_rembuk(client, demo_users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    alice = demo_users["admin.lutim"]
    event = _event(alice, "73.24", "Rembuk Kabupaten")
    client.force_login(alice)
    page = client.get(f"/rembuk/{event.pk}/").content.decode()
    assert "Peserta dan kehadiran" in page and "Bekukan materi" in page  # Indonesian first
    for kind, name in ((actions.SCAN_COMMITMENT, "komitmen.pdf"), (actions.SCAN_BERITA_ACARA, "ba.pdf")):
        response = client.post(
            f"/rembuk/{event.pk}/unggah/",
            {
                "kind": kind,
                "title": f"{name} ttd",
                "file": SimpleUploadedFile(name, pdf_bytes("ttd"), "application/pdf"),
            },
        )
        assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_closed
    page = client.get(f"/rembuk/{event.pk}/").content.decode()
    assert "Ditutup pada" in page and "komitmen.pdf ttd" in page and f"/rembuk/{event.pk}/ubah/" not in page
    refused = client.post(f"/rembuk/{event.pk}/kehadiran/", {"attended": []}, follow=True).content.decode()
    assert "Rembuk ini sudah ditutup" in refused
    response = client.post(
        f"/rembuk/{event.pk}/unggah/",
        {"kind": actions.SCAN_ATTENDANCE, "title": "x", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert response.status_code == 302 and not actions.UploadedDocument.for_object(event).filter(title="x").exists()


def test_a_participant_is_removed_from_the_invitation_audited(client, demo_users):
    from tumbuh.audit.models import AuditLog

    alice = demo_users["admin.lutim"]
    event = _event(alice, "73.24", "Rembuk Kabupaten")
    guest = actions.do_save_participant(alice, Invitee(event=event, position="Tamu undangan"))
    client.force_login(demo_users["camat.malili"])  # sees the district's rembuk, does not run it
    assert client.post(f"/rembuk/{event.pk}/peserta/{guest.pk}/hapus/").status_code == 403
    client.force_login(alice)
    assert "Hapus dari undangan" in client.get(f"/rembuk/{event.pk}/peserta/{guest.pk}/").content.decode()
    assert client.post(f"/rembuk/{event.pk}/peserta/{guest.pk}/hapus/").status_code == 302
    assert not Invitee.objects.filter(pk=guest.pk).exists()
    assert AuditLog.objects.get(object_type="rembuk.invitee", object_id=str(guest.pk), action="delete").actor == alice
