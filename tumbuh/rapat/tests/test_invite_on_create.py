"""Choosing "invited groups" on a new meeting invites them, in the same action: one transaction,
each invitee audited. (It used to record the groups and invite nobody: "0 diundang".)"""

import pytest
from django.core.exceptions import ValidationError

from tumbuh.audit.models import AuditLog
from tumbuh.rapat import actions
from tumbuh.rapat.models import Attendee, Group, Rapat
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db


def _form(tpps, today, **extra):
    return {
        "tpps": tpps.pk,
        "title": "Rakor TPPS Kabupaten",
        "date": today.isoformat(),
        "start_time": "09:00",
        "place": "Aula Bappeda",
        "chair": "Wakil Bupati",
        "agenda": "Evaluasi",
        **extra,
    }


def test_the_new_meeting_form_invites_the_groups_chosen(client, alice, today):
    district = Tpps.objects.get(wilayah_id="73.24")
    client.force_login(alice)
    response = client.post(
        "/rapat/baru/", _form(district, today, invited_groups=[Group.CAMAT, Group.PUSKESMAS]), follow=True
    )
    rapat = Rapat.objects.get(title="Rakor TPPS Kabupaten")
    camat = Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code="73.24").count()
    people = Attendee.objects.filter(rapat=rapat)
    assert people.filter(group=Group.CAMAT).count() == camat > 0
    assert people.filter(group=Group.PUSKESMAS).count() > 0
    page = response.content.decode()
    assert f"{people.count()} diundang" in page and "0 diundang" not in page
    assert f"{people.count()} undangan ditambahkan" in page
    logged = AuditLog.objects.filter(
        object_type="rapat.attendee", object_id__in=[str(p.pk) for p in people], actor=alice
    )
    assert logged.count() == people.count()
    # Changing the meeting adds the groups newly chosen, and nobody twice.
    client.post(
        f"/rapat/{rapat.pk}/ubah/", _form(district, today, invited_groups=[Group.CAMAT, Group.PUSKESMAS, Group.OPD])
    )
    assert Attendee.objects.filter(rapat=rapat, group=Group.CAMAT).count() == camat
    assert Attendee.objects.filter(rapat=rapat, group=Group.OPD).count() > 0


def test_the_meeting_and_its_invitees_are_one_transaction(alice, malili, today, monkeypatch):
    """An invitee that cannot be saved leaves neither the meeting nor the others behind."""
    real = actions.registry_invitees

    def one_bad(rapat, groups):
        people = real(rapat, groups)
        people.append(Attendee(rapat=rapat, group=Group.CAMAT, name="x" * 400, organisation="Kantor"))  # too long
        return people

    monkeypatch.setattr(actions, "registry_invitees", one_bad)
    with pytest.raises(ValidationError):
        actions.do_save_rapat(
            alice,
            Rapat(
                tpps=malili,
                title="Rakor gagal",
                date=today,
                place="Aula",
                chair="Camat",
                agenda="a",
                invited_groups=[Group.CAMAT, Group.KEPALA_DESA],
            ),
            today=today,
        )
    assert not Rapat.objects.filter(title="Rakor gagal").exists()
    assert not Attendee.objects.filter(rapat__title="Rakor gagal").exists()
