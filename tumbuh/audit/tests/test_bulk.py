import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from tumbuh.accounts import policy
from tumbuh.audit.bulk import BulkWrite, reserve_ids
from tumbuh.audit.models import AuditLog
from tumbuh.dashboards.models import QualityAggregate
from tumbuh.imports.models import ImportBatch
from tumbuh.measurements.models import Child, Measurement

DESA = "73.24.04.2010"  # Balantang


def children(*names, birth=dt.date(2024, 3, 1)):
    """Columns of new children, in an order of our own (the model decides the stored one)."""
    return {
        "name": list(names),
        "desa": [DESA] * len(names),
        "birth_date": [birth] * len(names),
        "sex": [1] * len(names),
        "birth_weight": [Decimal("3.10")] * len(names),
    }


@pytest.mark.django_db
def test_columns_are_given_by_name_and_stored_in_the_models_order_with_defaults_for_the_rest(alice):
    bulk = BulkWrite(alice)
    ids = bulk.insert(Child, children("Bulk Satu", "Bulk Dua"), ids=True)
    one, two = (Child.objects.get(pk=pk) for pk in ids)
    assert (one.name, two.name) == ("Bulk Satu", "Bulk Dua")
    assert one.desa_id == DESA and one.birth_date == dt.date(2024, 3, 1) and one.birth_weight == Decimal("3.10")
    # Not given: the model's defaults, a callable one per row (a unique Tumbuh ID each), and
    # the time of the write for auto_now fields.
    assert one.nik == "" and one.birth_order is None and one.tumbuh_id != two.tumbuh_id
    assert one.created_at is not None and one.updated_at == one.created_at
    visits = {"child": ids, "date": [dt.date(2025, 2, 10)] * 2, "weight": [Decimal("11.20"), None], "desa": [DESA] * 2}
    assert bulk.insert(Measurement, visits, same={"source": "demo", "lenhei": Decimal("84.5")}) == []
    stored = Measurement.objects.filter(child_id__in=ids).order_by("child_id")
    assert [(m.weight, m.lenhei, m.source, m.oedema) for m in stored] == [
        (Decimal("11.20"), Decimal("84.5"), "demo", False),
        (None, Decimal("84.5"), "demo", False),
    ]


@pytest.mark.django_db
def test_a_name_the_model_does_not_store_or_columns_of_different_lengths_are_errors(alice):
    bulk = BulkWrite(alice)
    with pytest.raises(ValueError, match="nama"):
        bulk.insert(Child, {**children("Salah"), "nama": ["Salah"]})
    with pytest.raises(ValueError, match="id"):
        bulk.insert(Child, {**children("Salah"), "id": [1]})  # ids come from the database
    with pytest.raises(ValueError):
        bulk.insert(Child, {**children("Salah"), "sex": [1, 2]})
    assert not Child.objects.filter(name="Salah").exists()


@pytest.mark.django_db
def test_ids_reserved_in_one_transaction_never_collide_and_a_deleted_rows_id_never_returns(alice):
    with transaction.atomic():
        first, second = reserve_ids(Child, 3), reserve_ids(Child, 2)
        assert len(set(first + second)) == 5 and min(second) > max(first)
        # An ordinary INSERT in the same transaction gets an id after both reservations.
        ordinary = Child.objects.create(name="Biasa", desa_id=DESA, birth_date=dt.date(2024, 1, 1), sex=2)
        assert ordinary.pk > max(second)
        bulk = BulkWrite(alice)
        a = bulk.insert(Child, children("Reserve A", "Reserve B"), ids=True)
        b = bulk.insert(Child, children("Reserve C"), ids=True)
        assert min(a) > ordinary.pk and min(b) > max(a)
    assert dict(Child.objects.filter(pk__in=a + b).values_list("pk", "name")) == dict(
        zip(a + b, ["Reserve A", "Reserve B", "Reserve C"], strict=True)
    )
    # The newest child deleted: its id is not handed out again (MAX(id) + 1 would).
    deleted = max(b)
    Child.objects.filter(pk=deleted).delete()
    (again,) = BulkWrite(alice).insert(Child, children("Reserve D"), ids=True)
    assert again > deleted
    later = Child.objects.create(name="Nanti", desa_id=DESA, birth_date=dt.date(2024, 1, 1), sex=1)
    assert later.pk > again


@pytest.mark.django_db
def test_the_policy_is_asked_once_per_model_and_never_skipped(alice, bob, monkeypatch):
    with pytest.raises(TypeError):
        BulkWrite(None)
    asked = []
    real = policy.require
    monkeypatch.setattr(
        policy, "require", lambda user, action, target: (asked.append((action, target)), real(user, action, target))
    )
    bulk = BulkWrite(bob)  # a desa operator registers children
    bulk.insert(Child, children("Tanya Satu"))
    bulk.insert(Child, children("Tanya Dua"))
    assert asked == [(policy.ADD, Child)]
    # Precomputed figures are Tumbuh's own: nobody else adds them, and nothing is written.
    row = QualityAggregate(
        period="R2025-08",
        level="posyandu",
        code="1",
        name="X",
        wilayah_code=DESA,
        computed_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(PermissionDenied):
        bulk.insert_objects(QualityAggregate, [row])
    assert not QualityAggregate.objects.filter(period="R2025-08", code="1", name="X").exists()
    # The step the batch belongs to, asked at once instead of the models.
    asked.clear()
    batch = ImportBatch.objects.create(kind="eppgbm", kabupaten_id="73.24", created_by=alice, file_name="x.csv")
    with pytest.raises(PermissionDenied):
        BulkWrite(bob, permitted_by=(policy.ADD, batch))
    BulkWrite(alice, permitted_by=(policy.ADD, batch)).insert(Child, children("Langkah"))
    assert asked == [(policy.ADD, batch), (policy.ADD, batch)]


@pytest.mark.django_db
def test_one_audit_row_names_who_which_models_how_many_and_why(alice):
    batch = ImportBatch.objects.create(kind="eppgbm", kabupaten_id="73.24", created_by=alice, file_name="x.csv")
    bulk = BulkWrite(alice)
    assert bulk.record("nothing yet", about=batch) is None  # nothing written: no row
    ids = bulk.insert(Child, children("Audit Satu", "Audit Dua"), ids=True)
    bulk.insert(
        Measurement,
        {"child": ids, "date": [dt.date(2025, 2, 10)] * 2, "weight": [Decimal("9.5")] * 2, "desa": [DESA] * 2},
    )
    log = bulk.record("impor x.csv: 2 pengukuran baru, 2 anak baru", about=batch, details={"file": "x.csv"})
    assert AuditLog.objects.filter(object_type="imports.importbatch", object_id=str(batch.pk)).get() == log
    assert log.actor == alice and log.action == "create" and log.reason == "impor x.csv: 2 pengukuran baru, 2 anak baru"
    assert log.after == {"file": "x.csv", "written": {"measurements.child": 2, "measurements.measurement": 2}}
    assert not AuditLog.objects.filter(object_type="measurements.child", object_id__in=[str(i) for i in ids]).exists()
    # Rows with no object of their own: filed under their model, named by the caller; Tumbuh
    # itself is "sistem".
    system = BulkWrite(policy.SYSTEM)
    system.insert(Child, children("Sistem"))
    log = system.record("data uji", about=Child, object_id="uji:1", object_repr="Data uji", wilayah_code="73.24")
    assert (log.actor, log.actor_name, log.object_type, log.object_id, log.object_repr, log.wilayah_code) == (
        None,
        "sistem",
        "measurements.child",
        "uji:1",
        "Data uji",
        "73.24",
    )
    assert log.after == {"written": {"measurements.child": 1}}


@pytest.mark.django_db
def test_model_instances_are_prepared_as_bulk_create_prepares_them():
    computed = dt.datetime(2025, 9, 1, 8, 30, tzinfo=dt.UTC)
    rows = [
        QualityAggregate(
            period="R2099-02",
            level="posyandu",
            code=str(i),
            name=f"P{i}",
            wilayah_code=DESA,
            n=np.int64(5 + i),
            pct_flagged=np.float64(0.5),
            computed_at=computed,
        )
        for i in range(3)
    ]
    bulk = BulkWrite(policy.SYSTEM)
    assert bulk.insert_objects(QualityAggregate, rows) == 3
    stored = QualityAggregate.objects.filter(period="R2099-02").order_by("code")
    assert [(q.n, q.pct_flagged, q.computed_at) for q in stored] == [
        (5, 0.5, computed),
        (6, 0.5, computed),
        (7, 0.5, computed),
    ]
    assert QualityAggregate.objects.filter(period="R2099-02", computed_at__gte=computed).count() == 3
