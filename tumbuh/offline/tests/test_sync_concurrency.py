"""Two identical requests at once (a phone that sent again while the first answer was on its way)
write once: on PostgreSQL the second waits on the record's unique identifier, then returns what
the first stored. The second request is let in only once the first holds the record, and the first
goes on only once the second waits for it (PostgreSQL's own view of who waits), so the test does
not depend on timing."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, connections
from django.utils import timezone

from tumbuh.accounts.models import User
from tumbuh.measurements.models import Child, Measurement
from tumbuh.offline import actions
from tumbuh.offline.models import OfflineRecord

from .sync_fixtures import DEVICE, child_data, record, visit_data

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_two_identical_requests_at_once_write_one_child_and_one_visit(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: concurrent writers (SQLite lets one writer in at a time)")
    if not User.objects.filter(
        username="desa.balantang"
    ).exists():  # a flushed database (an earlier transactional test)
        from tumbuh.demo.generator import build_demo

        build_demo()
    bob = User.objects.get(username="desa.balantang")
    child_id = uuid.uuid4()
    batch = [
        record("child", child_data(name="Kembar Serentak"), uid=child_id),
        record("visit", visit_data(child_uuid=child_id)),
    ]
    first_inside, release = threading.Event(), threading.Event()
    evaluated: list[str] = []
    real = actions._evaluate

    def evaluate(actor, rec, *, today):
        evaluated.append(f"{threading.current_thread().name} {rec.kind}")
        if threading.current_thread().name == "first" and rec.kind == "child":
            first_inside.set()  # the record's row is inserted, not committed
            assert release.wait(60)
        return real(actor, rec, today=today)

    monkeypatch.setattr(actions, "_evaluate", evaluate)
    results: dict[str, list] = {}
    errors: list[BaseException] = []

    def send(name):
        try:
            now = timezone.now()
            results[name] = actions.do_sync(bob, DEVICE, batch, now=now, today=timezone.localdate(now))
        except BaseException as e:  # noqa: BLE001  (reported below)
            errors.append(e)
        finally:
            connections.close_all()

    first = threading.Thread(target=send, args=("first",), name="first")
    second = threading.Thread(target=send, args=("second",), name="second")
    first.start()
    assert first_inside.wait(60)
    second.start()
    deadline = time.monotonic() + 60
    while _waiting_on_a_lock() < 1:  # the second waits on the child record's identifier
        assert time.monotonic() < deadline, "the second request never waited for the first"
        time.sleep(0.05)
    release.set()
    first.join(60)
    second.join(60)
    assert not errors, errors
    assert results["first"] == results["second"]
    assert [r["state"] for r in results["first"]] == ["sent", "sent"]
    assert Child.objects.filter(name="Kembar Serentak").count() == 1
    assert Measurement.objects.filter(child__name="Kembar Serentak").count() == 1
    assert OfflineRecord.objects.filter(uuid__in=[r["uuid"] for r in batch]).count() == 2
    # Each record evaluated once: the child by the first (the second waited for it); the visit by
    # whichever request reached it first.
    assert "first child" in evaluated and sorted(e.split()[1] for e in evaluated) == ["child", "visit"]
