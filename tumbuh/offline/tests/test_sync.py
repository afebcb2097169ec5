"""The sync endpoint: records sent once, again, in another order and half-way; refused records
fixed on the phone; the request's limits and errors; who may send; CSRF."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tumbuh.audit.models import AuditLog
from tumbuh.measurements.models import Child, Measurement
from tumbuh.offline.actions import do_sync
from tumbuh.offline.models import OfflineRecord

from .sync_fixtures import (  # noqa: F401  (fixtures)
    BALANTANG,
    CHOOSE,
    DEVICE,
    PACKAGE,
    SYNC,
    admin_lutim,
    child_data,
    phone_block,
    post,
    record,
    siti,
    sync,
    visit_data,
)

pytestmark = pytest.mark.django_db


def _batch():
    """A new child, two of its visits and a visit of a child already registered."""
    child_id = uuid.uuid4()
    first = visit_data(child_uuid=child_id, date="2025-09-10", weight=8.1, lenhei=70.0)
    second = visit_data(child_uuid=child_id, date="2026-01-10")
    return [
        record("child", child_data(), uid=child_id),
        record("visit", first, phone=phone_block(2, "2025-03-01", first)),
        record("visit", second, phone=phone_block(2, "2025-03-01", second)),
    ]


def _counts():
    return (
        Child.all_objects.count(),
        Measurement.all_objects.count(),
        AuditLog.objects.count(),
        OfflineRecord.objects.count(),
    )


def test_a_new_child_and_its_visits_are_sent_once_scored_and_audited_as_the_cadre(client, bob):
    client.force_login(bob)
    batch = _batch()
    results = sync(client, batch)
    assert [r["state"] for r in results] == ["sent", "sent", "sent"]
    assert [r["uuid"] for r in results] == [r["uuid"] for r in batch]
    child = Child.objects.get(name="Ani Luring")
    assert results[0]["tumbuh_id"] == results[1]["tumbuh_id"] == child.tumbuh_id
    assert child.desa_id == BALANTANG
    visits = list(Measurement.objects.filter(child=child).order_by("date"))
    assert [str(v.date) for v in visits] == ["2025-09-10", "2026-01-10"]
    assert all(v.entered_by == bob for v in visits)
    # The server's own scores come back, rounded as the phone shows them.
    last = visits[-1]
    assert results[2]["server"]["zlen"] == round(last.zlen, 2)
    assert results[2]["server"]["status_tbu"] == last.status_tbu
    assert not OfflineRecord.objects.filter(has_mismatch=True).exists()
    # Audited as the cadre, in words an inspector reads: the phone, the device, the record.
    for obj, rec in ((child, batch[0]), (visits[0], batch[1])):
        log = AuditLog.objects.get(object_type=obj._meta.label_lower, object_id=str(obj.pk), action="create")
        assert log.actor == bob and log.actor_name == str(bob)
        assert "Dikirim dari ponsel (luring) oleh" in log.reason
        assert DEVICE in log.reason and rec["uuid"] in log.reason and "10/01/2026" in log.reason


def test_the_same_batch_sent_twice_writes_once_and_answers_the_same(client, bob):
    client.force_login(bob)
    batch = _batch()
    first = sync(client, batch)
    counts = _counts()
    again = sync(client, batch)
    assert again == first
    assert _counts() == counts  # no child, visit, audit row or record more


def test_children_are_taken_before_their_visits_in_one_batch(client, bob):
    client.force_login(bob)
    batch = _batch()
    results = sync(client, [batch[2], batch[1], batch[0]])
    assert [r["state"] for r in results] == ["sent", "sent", "sent"]
    assert [r["uuid"] for r in results] == [batch[2]["uuid"], batch[1]["uuid"], batch[0]["uuid"]]


def test_a_visit_that_arrives_before_its_child_waits_and_is_sent_with_the_child(client, bob):
    client.force_login(bob)
    batch = _batch()
    early = sync(client, [batch[1]])[0]
    assert early["state"] == "retry" and "belum sampai" in early["reason"]
    assert not Measurement.objects.filter(entered_by=bob).exists()
    results = sync(client, batch)  # the phone sends what waits, with the child this time
    assert [r["state"] for r in results] == ["sent", "sent", "sent"]
    assert Measurement.objects.filter(child__name="Ani Luring").count() == 2


def test_an_answer_lost_halfway_then_everything_sent_again_duplicates_nothing(client, bob):
    client.force_login(bob)
    batch = _batch()
    from django.utils import timezone

    # The server took the first half, and the phone never heard back.
    done = do_sync(bob, DEVICE, batch[:2], now=timezone.now(), today=timezone.localdate())
    assert [r["state"] for r in done] == ["sent", "sent"]
    results = sync(client, batch)
    assert results[:2] == done
    assert results[2]["state"] == "sent"
    assert Child.objects.filter(name="Ani Luring").count() == 1
    assert Measurement.objects.filter(child__name="Ani Luring").count() == 2
    assert OfflineRecord.objects.count() == 3


def test_a_record_that_fails_on_the_server_leaves_the_others_done_and_is_taken_when_sent_again(
    client, bob, monkeypatch
):
    from tumbuh.offline import actions

    client.force_login(bob)
    batch = _batch()
    real = actions.do_record_measurement
    failing = batch[1]["data"]["date"]

    def crash(actor, m, *args, **kwargs):
        if str(m.date) == failing:
            raise RuntimeError("the disk is full")
        return real(actor, m, *args, **kwargs)

    monkeypatch.setattr(actions, "do_record_measurement", crash)
    results = sync(client, batch)
    assert [r["state"] for r in results] == ["sent", "retry", "sent"]
    assert not Measurement.objects.filter(child__name="Ani Luring", date=failing).exists()
    monkeypatch.setattr(actions, "do_record_measurement", real)
    assert [r["state"] for r in sync(client, batch)] == ["sent", "sent", "sent"]
    assert Measurement.objects.filter(child__name="Ani Luring").count() == 2


def test_a_refused_visit_comes_back_with_its_reason_and_is_fixed_on_the_phone(client, bob, siti):
    client.force_login(bob)
    uid = uuid.uuid4()
    wrong = record(
        "visit", visit_data(child=siti.tumbuh_id, date="2026-01-12", weight=45, lenhei=90, position="H"), uid=uid
    )
    refused = sync(client, [wrong])[0]
    assert refused["state"] == "attention"
    assert refused["conflict"]["kind"] == "invalid" and refused["conflict"]["choices"] == ["discard"]
    assert "45" in refused["reason"] and "kg" in refused["reason"]
    assert not Measurement.objects.filter(child=siti, date="2026-01-12").exists()
    assert sync(client, [wrong])[0] == refused  # the same revision: the same answer, nothing evaluated again
    other = record("visit", {**wrong["data"], "weight": 46}, uid=uid)
    reused = sync(client, [other])[0]
    assert reused["state"] == "invalid" and "revisi" in reused["reason"]
    fixed = record("visit", {**wrong["data"], "weight": 12.5}, uid=uid, revision=2)
    sent = sync(client, [fixed])[0]
    assert (sent["state"], sent["revision"]) == ("sent", 2)
    assert Measurement.objects.get(child=siti, date="2026-01-12").weight == 12.5
    assert sync(client, [wrong])[0] == sent  # an older revision: the newer answer stands


def test_records_that_cannot_be_read_get_their_own_answer_and_the_others_are_taken(client, bob, siti):
    client.force_login(bob)
    good = record("visit", visit_data(child=siti.tumbuh_id, date="2026-01-13", weight=12.4, lenhei=90, position="H"))
    bad_uuid = {**good, "uuid": "not-a-uuid"}
    bad_revision = {**record("visit", good["data"]), "revision": 0}
    bad_kind = {**record("visit", good["data"]), "kind": "family"}
    bad_data = {**record("visit", good["data"]), "data": [1, 2]}
    bad_values = record("visit", {**good["data"], "date": "2026-13-45", "weight": "berat", "position": "X"})
    no_child = record("visit", visit_data(date="2026-01-14"))
    results = sync(client, ["hello", bad_uuid, bad_revision, bad_kind, bad_data, bad_values, no_child, good])
    states = [r["state"] for r in results]
    assert states == ["invalid"] * 5 + ["attention", "attention", "sent"]
    assert results[1]["uuid"] == "not-a-uuid" and "uuid" in results[1]["reason"]
    assert "revision" in results[2]["reason"] and "kind" in results[3]["reason"] and "data" in results[4]["reason"]
    reasons = results[5]["reason"]
    assert "Tanggal" in reasons and "Berat badan (kg): Masukkan angka" in reasons and "Cara ukur" in reasons
    assert "anak" in results[6]["reason"]
    assert OfflineRecord.objects.count() == 3  # the ones with an identifier


@pytest.mark.parametrize(
    "body, status, words",
    [
        (b"{not json", 400, "JSON"),
        (b"[]", 400, "objek JSON"),
        (b'{"records": []}', 400, "device"),
        (b'{"device": "p1", "records": {}}', 400, "records"),
        (b'{"device": "p1", "records": [NaN]}', 400, "JSON"),
        (b'{"device": "p1", "records": [' + b",".join([b"{}"] * 51) + b"]}", 413, "50"),
    ],
)
def test_a_malformed_request_is_refused_in_words_never_a_500(client, bob, body, status, words):
    client.force_login(bob)
    response = client.post(SYNC, data=body, content_type="application/json")
    assert response.status_code == status
    assert words in response.json()["error"]
    assert "no-store" in response["Cache-Control"]


def test_a_request_over_the_size_limit_is_refused(client, bob, settings):
    settings.TUMBUH_OFFLINE_MAX_BYTES = 2000
    client.force_login(bob)
    response = post(client, SYNC, {"device": "p1", "records": [record("child", child_data(address="x" * 3000))]})
    assert response.status_code == 413 and "KB" in response.json()["error"]
    assert not OfflineRecord.objects.exists()


def test_nobody_logged_in_gets_401_json_not_the_login_page(client):
    for response in (client.get(PACKAGE), post(client, SYNC, {}), post(client, CHOOSE, {})):
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert "masuk" in response.json()["error"]
        assert "no-store" in response["Cache-Control"]


def test_roles_that_do_not_enter_visits_get_403(client, demo_users):
    client.force_login(demo_users["pantau.lutim"])
    response = post(client, SYNC, {"device": "p1", "records": []})
    assert response.status_code == 403 and response.json()["error"]
    client.force_login(demo_users["dinkes.lutim"])
    assert client.get(PACKAGE, {"desa": BALANTANG}).status_code == 403


def test_the_csrf_token_is_required(bob, siti):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    body = {
        "device": "p1",
        "records": [
            record("visit", visit_data(child=siti.tumbuh_id, date="2026-01-15", weight=12.4, lenhei=90, position="H"))
        ],
    }
    refused = post(client, SYNC, body)
    assert refused.status_code == 403 and "X-CSRFToken" in refused.json()["error"]
    assert not OfflineRecord.objects.exists()
    token = client.get(PACKAGE).json()["csrf_token"]  # the package carries a fresh token (and sets the cookie)
    assert client.cookies["csrftoken"].value
    import json

    taken = client.post(SYNC, data=json.dumps(body), content_type="application/json", headers={"X-CSRFToken": token})
    assert taken.status_code == 200 and taken.json()["results"][0]["state"] == "sent"


def test_another_user_cannot_take_over_a_records_identifier(client, bob, siti, demo_users):
    client.force_login(bob)
    rec = record("visit", visit_data(child=siti.tumbuh_id, date="2026-01-16", weight=12.4, lenhei=90, position="H"))
    assert sync(client, [rec])[0]["state"] == "sent"
    client.force_login(demo_users["admin.lutim"])
    taken = sync(client, [{**rec, "revision": 2}])[0]
    assert taken["state"] == "invalid" and taken["server"] is None and taken["tumbuh_id"] is None
    assert OfflineRecord.objects.get(uuid=rec["uuid"]).revision == 1
