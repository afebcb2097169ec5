"""Conflicts are shown and never overwritten silently: each kind, each choice, who may choose,
the audit of the choice, what a user outside the area learns (nothing), the conflicts page and
the phone's engine disagreeing with the server's."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command

from tumbuh.accounts.models import Role, User
from tumbuh.audit.models import AuditLog
from tumbuh.measurements.actions import do_register_child
from tumbuh.measurements.models import Child, Measurement
from tumbuh.offline.models import OfflineRecord
from tumbuh.organisation.models import Posyandu

from .sync_fixtures import (  # noqa: F401  (fixtures)
    BALANTANG,
    HARAPAN,
    NIK_BUDI,
    NIK_SITI,
    admin_lutim,
    budi,
    child_data,
    choose,
    phone_block,
    record,
    siti,
    sync,
    visit_data,
)

pytestmark = pytest.mark.django_db

PAGE = "/anak/kunjungan/luring/konflik/"


def _siti_visit(**changes):
    """Siti's stored visit of 10/02/2025 is 9,6 kg and 79,0 cm standing."""
    return visit_data(
        child=Child.objects.get(nik=NIK_SITI).tumbuh_id,
        date="2025-02-10",
        lenhei=79.0,
        position="H",
        **{"weight": 9.6, **changes},
    )


def _audit_of(rec: dict) -> AuditLog:
    return AuditLog.objects.get(object_type="offline.offlinerecord", object_id=rec["uuid"])


def test_the_same_child_and_date_with_other_values_waits_and_the_server_keeps_its_values(client, bob, siti):
    client.force_login(bob)
    rec = record("visit", _siti_visit(weight=9.8))
    result = sync(client, [rec])[0]
    assert result["state"] == "attention" and result["tumbuh_id"] == siti.tumbuh_id
    conflict = result["conflict"]
    assert conflict["kind"] == "visit_differs" and conflict["choices"] == ["keep_server", "use_phone"]
    assert conflict["server"]["weight"] == 9.6 and conflict["server"]["date"] == "2025-02-10"
    assert "10/02/2025" in result["reason"] and "nilai lain" in result["reason"]
    assert Measurement.objects.get(child=siti, date="2025-02-10").weight == Decimal("9.60")  # not overwritten
    html = client.get(PAGE).content.decode()
    assert rec["uuid"] in html and "Pertahankan nilai di server" in html and "Pakai nilai dari ponsel" in html

    chosen = choose(client, rec["uuid"], "keep_server", "ditimbang ulang, 9,6 benar")
    assert chosen.status_code == 200
    done = chosen.json()
    assert done["state"] == "discarded" and done["choice"]["choice"] == "keep_server"
    assert done["choice"]["by"] == str(bob) and "ditimbang ulang" in done["choice"]["reason"]
    assert Measurement.objects.get(child=siti, date="2025-02-10").weight == Decimal("9.60")
    log = _audit_of(rec)
    assert log.actor == bob and log.wilayah_code == BALANTANG
    assert "Nilai di server dipertahankan" in log.reason and "ditimbang ulang" in log.reason and str(bob) in log.reason
    assert sync(client, [rec])[0] == done  # the phone asks again and learns the choice
    client.force_login(User.objects.get(username="admin.lutim"))
    audit_page = client.get("/audit/").content.decode()
    assert "Nilai di server dipertahankan" in audit_page  # the audit log shows the choice in words
    client.force_login(bob)
    assert choose(client, rec["uuid"], "use_phone").status_code == 400  # chosen already


def test_identical_values_are_simply_sent_and_linked_to_the_stored_visit(client, bob, siti):
    client.force_login(bob)
    audit = AuditLog.objects.count()
    result = sync(client, [record("visit", _siti_visit())])[0]
    assert result["state"] == "sent" and result["conflict"] is None
    stored = Measurement.objects.get(child=siti, date="2025-02-10")
    assert OfflineRecord.objects.get(uuid=result["uuid"]).visit == stored
    assert AuditLog.objects.count() == audit  # nothing written


def test_the_puskesmas_or_district_uses_the_phones_values_audited_with_who_why_and_whose_record(
    client, bob, siti, admin_lutim
):
    client.force_login(bob)
    rec = record("visit", _siti_visit(weight=9.8))
    sync(client, [rec])
    client.force_login(admin_lutim)
    html = client.get(PAGE).content.decode()
    assert rec["uuid"] in html  # the district sees its area's records
    chosen = choose(client, rec["uuid"], "use_phone", "timbangan posyandu dikalibrasi")
    assert chosen.status_code == 200 and chosen.json()["state"] == "sent"
    visit = Measurement.objects.get(child=siti, date="2025-02-10")
    assert visit.weight == Decimal("9.80")
    log = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(visit.pk)).latest("pk")
    assert log.actor == admin_lutim and log.before["weight"] == "9.60" and log.after["weight"] == "9.80"
    assert rec["uuid"] in log.reason and str(bob) in log.reason and "timbangan posyandu dikalibrasi" in log.reason
    assert "Nilai dari ponsel dipakai" in log.reason
    client.force_login(bob)
    assert sync(client, [rec])[0]["state"] == "sent"


def test_a_new_child_whose_nik_is_registered_in_the_area_shows_the_match_and_is_linked_to_it(client, bob, siti):
    client.force_login(bob)
    child_id = uuid.uuid4()
    new = record("child", child_data(name="Siti U.", nik=NIK_SITI, birth_date="2023-01-15"), uid=child_id)
    visit = record("visit", visit_data(child_uuid=child_id, date="2026-01-20", weight=12.4, lenhei=90, position="H"))
    response = client.post(
        "/api/luring/sinkron/", data={"device": "p", "records": [new, visit]}, content_type="application/json"
    )
    assert NIK_SITI not in response.content.decode()  # the NIK never comes back in clear
    found, waiting = response.json()["results"]
    assert found["state"] == "attention" and found["conflict"]["kind"] == "nik_exists"
    assert found["conflict"]["server"]["tumbuh_id"] == siti.tumbuh_id
    assert found["conflict"]["server"]["nik_masked"] == siti.nik_masked
    assert found["conflict"]["choices"] == ["same_child", "new_child", "discard"]
    assert "Siti Uji Balantang" in found["reason"] and "15/01/2023" in found["reason"]
    assert waiting["state"] == "retry"
    children = Child.all_objects.count()
    done = choose(client, child_id, "same_child", "NIK sama, KK dicek").json()
    assert done["state"] == "sent" and done["tumbuh_id"] == siti.tumbuh_id
    assert Child.all_objects.count() == children
    assert siti.name == Child.objects.get(pk=siti.pk).name  # the phone's other name overwrote nothing
    assert sync(client, [visit])[0]["state"] == "sent"
    assert Measurement.objects.filter(child=siti, date="2026-01-20").exists()
    log = AuditLog.objects.filter(object_type="measurements.child", object_id=str(siti.pk)).latest("pk")
    assert log.actor == bob and str(child_id) in log.reason and "NIK sama, KK dicek" in log.reason
    # What a record keeps once done with holds no NIK in clear.
    assert NIK_SITI not in str(OfflineRecord.objects.get(uuid=child_id).payload)


def test_another_child_with_a_registered_nik_is_registered_without_it(client, bob, siti):
    client.force_login(bob)
    new = record("child", child_data(name="Sari Lain", nik=NIK_SITI, birth_date="2024-05-05"))
    assert sync(client, [new])[0]["conflict"]["kind"] == "nik_exists"
    done = choose(client, new["uuid"], "new_child", "anak lain; NIK di KK salah ketik").json()
    assert done["state"] == "sent"
    child = Child.objects.get(tumbuh_id=done["tumbuh_id"])
    assert (child.name, child.nik, child.desa_id) == ("Sari Lain", "", BALANTANG)
    log = AuditLog.objects.get(object_type="measurements.child", object_id=str(child.pk), action="create")
    assert log.actor == bob and "tanpa NIK" in log.reason and new["uuid"] in log.reason


def test_a_nik_registered_outside_the_area_reads_as_a_desa_outside_the_area(client, bob, budi):
    """No oracle: the answer for a NIK registered in another desa is the answer for a desa
    outside the area, and names nobody."""
    client.force_login(bob)
    by_nik = record("child", child_data(name="Budi Kembar", nik=NIK_BUDI, birth_date="2022-03-20", sex=1))
    by_desa = record("child", child_data(name="Anak Harapan", desa_id=HARAPAN, posyandu_id=None))
    results = sync(client, [by_nik, by_desa])
    assert results[0]["state"] == results[1]["state"] == "attention"
    assert results[0]["reason"] == results[1]["reason"] == "Anak ini tidak dapat didaftarkan di wilayah Anda."
    assert (
        results[0]["conflict"]
        == results[1]["conflict"]
        == {"kind": "outside_area", "server": None, "choices": ["discard"]}
    )
    assert "Budi Uji" not in str(results) and budi.tumbuh_id not in str(results)
    assert not Child.objects.filter(name__in=["Budi Kembar", "Anak Harapan"]).exists()
    assert OfflineRecord.objects.get(uuid=by_nik["uuid"]).desa_id is None  # nobody else's page shows it


def test_another_desas_child_id_is_rejected_as_an_unknown_one(client, bob, budi, demo_users):
    client.force_login(bob)
    theirs = record("visit", visit_data(child=budi.tumbuh_id, date="2026-01-21", weight=13, lenhei=95, position="H"))
    made_up = record("visit", visit_data(child="TB-ZZZZ-ZZZZ", date="2026-01-21", weight=13, lenhei=95, position="H"))
    a, b = sync(client, [theirs, made_up])
    assert {**a, "uuid": None} == {**b, "uuid": None}
    assert a["state"] == "attention" and a["reason"] == "Anak ini tidak ditemukan di wilayah Anda."
    assert a["tumbuh_id"] is None and a["server"] is None
    assert not Measurement.objects.filter(child=budi, date="2026-01-21").exists()
    client.force_login(demo_users["pkm.malili"])  # Harapan's puskesmas is not told of it
    assert theirs["uuid"] not in client.get(PAGE).content.decode()


def _move_to_harapan(admin, child):
    child.desa_id = HARAPAN
    child.posyandu = Posyandu.objects.filter(desa_id=HARAPAN).first()
    do_register_child(admin, child, reason="pindah ke Harapan", today=dt.date(2026, 6, 1))


def test_a_child_who_moved_out_is_shown_and_the_new_areas_puskesmas_can_record_the_visit(
    client, bob, siti, admin_lutim, demo_users
):
    _move_to_harapan(admin_lutim, siti)
    client.force_login(bob)
    rec = record("visit", visit_data(child=siti.tumbuh_id, date="2026-01-22", weight=12.6, lenhei=91, position="H"))
    moved = sync(client, [rec])[0]
    assert moved["state"] == "attention" and moved["conflict"]["kind"] == "moved"
    assert moved["conflict"]["choices"] == ["use_phone", "discard"] and "pindah" in moved["reason"]
    refused = choose(client, rec["uuid"], "use_phone", "tetap dicatat")
    assert refused.status_code == 400 and "wilayahnya mencakup anak ini" in refused.json()["error"]
    assert not Measurement.objects.filter(child=siti, date="2026-01-22").exists()

    officer = demo_users["pkm.malili"]  # Puskesmas Malili serves Harapan
    client.force_login(officer)
    html = client.get(PAGE).content.decode()
    assert rec["uuid"] in html and 'data-testid="choice-use_phone"' in html
    row = client.post(
        f"{PAGE}{rec['uuid']}/pilih/",
        {"choice": "use_phone", "reason": "anak ditimbang di posyandu lama"},
        headers={"HX-Request": "true"},
    )
    assert row.status_code == 200 and 'data-state="sent"' in row.content.decode()
    visit = Measurement.objects.get(child=siti, date="2026-01-22")
    assert visit.entered_by == officer
    log = AuditLog.objects.get(object_type="measurements.measurement", object_id=str(visit.pk), action="create")
    assert log.actor == officer and str(bob) in log.reason and "anak ditimbang di posyandu lama" in log.reason


def test_who_may_choose(client, bob, siti, demo_users):
    client.force_login(bob)
    rec = record("visit", _siti_visit(weight=9.8))
    sync(client, [rec])
    other_cadre = User.objects.create_user("kader.balantang2", password="x", role=Role.DESA, wilayah_id=BALANTANG)
    client.force_login(other_cadre)
    assert rec["uuid"] in client.get(PAGE).content.decode()  # a desa operator sees the desa's records
    assert choose(client, rec["uuid"], "keep_server").status_code == 403  # but chooses only for their own
    client.force_login(demo_users["pkm.malili"])  # another puskesmas: not in its area, not found
    assert choose(client, rec["uuid"], "keep_server").status_code == 404
    client.force_login(demo_users["admin.luwu"])
    assert choose(client, rec["uuid"], "keep_server").status_code == 404
    client.force_login(bob)
    assert choose(client, rec["uuid"], "same_child").status_code == 400  # not offered for this conflict
    assert choose(client, rec["uuid"], "keep_server", "  ").status_code == 400  # a reason is required
    assert OfflineRecord.objects.get(uuid=rec["uuid"]).state == "attention"


def test_a_discarded_child_leaves_its_visits_for_the_cadre_to_discard(client, bob, siti):
    client.force_login(bob)
    child_id = uuid.uuid4()
    new = record("child", child_data(nik=NIK_SITI), uid=child_id)
    visit = record("visit", visit_data(child_uuid=child_id))
    sync(client, [new, visit])
    assert choose(client, child_id, "discard", "salah entri").json()["state"] == "discarded"
    orphan = sync(client, [visit])[0]
    assert orphan["state"] == "attention" and orphan["conflict"]["kind"] == "child_discarded"
    assert choose(client, visit["uuid"], "discard", "anak salah entri").json()["state"] == "discarded"


def test_a_record_changed_on_the_phone_after_it_was_sent_waits_for_a_choice(client, bob, siti):
    client.force_login(bob)
    uid = uuid.uuid4()
    first = record(
        "visit", visit_data(child=siti.tumbuh_id, date="2026-01-23", weight=12.4, lenhei=90, position="H"), uid=uid
    )
    assert sync(client, [first])[0]["state"] == "sent"
    visit = Measurement.objects.get(child=siti, date="2026-01-23")
    same = record("visit", {**first["data"]}, uid=uid, revision=2)
    assert sync(client, [same])[0]["state"] == "sent"  # the same values again: nothing to choose
    changed = record("visit", {**first["data"], "weight": 12.9}, uid=uid, revision=3)
    result = sync(client, [changed])[0]
    assert result["state"] == "attention" and result["conflict"]["kind"] == "changed_after_sent"
    assert result["conflict"]["server"]["weight"] == 12.4
    assert Measurement.objects.get(pk=visit.pk).weight == Decimal("12.40")
    assert choose(client, uid, "use_phone", "salah ketik di posyandu").json()["state"] == "sent"
    assert Measurement.objects.get(pk=visit.pk).weight == Decimal("12.90")
    assert Measurement.objects.filter(child=siti, date="2026-01-23").count() == 1


def test_the_phones_engine_disagreeing_is_stored_counted_and_listed(client, bob, siti, capsys):
    client.force_login(bob)
    data = visit_data(child=siti.tumbuh_id, date="2026-01-24", weight=12.4, lenhei=90, position="H")
    right = phone_block(2, "2023-01-15", data)
    rounded = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in right.items()}
    later = {**data, "date": "2026-01-25"}
    computed = phone_block(2, "2023-01-15", later)
    wrong = {**computed, "zlen": computed["zlen"] + 0.5, "status_tbu": "tinggi"}
    agree = record("visit", data, phone=rounded)
    disagree = record("visit", later, phone=wrong)
    results = sync(client, [agree, disagree])
    assert [r["state"] for r in results] == ["sent", "sent"]  # the server's values are stored all the same
    assert not OfflineRecord.objects.get(uuid=agree["uuid"]).has_mismatch
    stored = OfflineRecord.objects.get(uuid=disagree["uuid"])
    assert stored.has_mismatch and set(stored.mismatch) == {"zlen", "status_tbu"}
    assert stored.mismatch["status_tbu"] == {"phone": "tinggi", "server": results[1]["server"]["status_tbu"]}
    call_command("offline_mismatches")
    out = capsys.readouterr().out
    assert "phone and server disagree: 1" in out and "  zlen: 1" in out and "  status_tbu: 1" in out
    assert disagree["uuid"] in out and siti.tumbuh_id in out
    page = client.get(PAGE)
    assert page.context["mismatch_count"] == 1 and disagree["uuid"] not in [r["rec"].uuid for r in page.context["rows"]]
    assert "status_tbu" in page.content.decode()
    with pytest.raises(Exception, match="1 offline record"):
        call_command("offline_mismatches", "--fail", "--no-details")


def test_the_conflicts_page_is_for_the_roles_that_enter_visits(client, demo_users):
    client.force_login(demo_users["pantau.lutim"])
    assert client.get(PAGE).status_code == 403
    client.force_login(demo_users["camat.malili"])
    assert client.get(PAGE).status_code == 403
    client.logout()
    assert client.get(PAGE).status_code == 302
    client.force_login(demo_users["desa.balantang"])
    response = client.get(PAGE)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert 'data-testid="no-conflicts"' in response.content.decode()


def test_visits_of_a_child_changed_on_the_phone_after_it_was_sent_still_go_to_it(client, bob):
    client.force_login(bob)
    child_id = uuid.uuid4()
    assert sync(client, [record("child", child_data(), uid=child_id)])[0]["state"] == "sent"
    renamed = record("child", child_data(name="Ani Luring Putri"), uid=child_id, revision=2)
    changed = sync(client, [renamed])[0]
    assert changed["state"] == "attention" and changed["conflict"]["kind"] == "changed_after_sent"
    assert changed["conflict"]["server"]["name"] == "Ani Luring"
    visit = sync(client, [record("visit", visit_data(child_uuid=child_id))])[0]
    assert visit["state"] == "sent" and visit["tumbuh_id"] == changed["tumbuh_id"]
    assert choose(client, child_id, "use_phone", "nama lengkap dari akta").json()["state"] == "sent"
    assert Child.objects.get(tumbuh_id=changed["tumbuh_id"]).name == "Ani Luring Putri"
