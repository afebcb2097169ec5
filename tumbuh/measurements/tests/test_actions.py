"""The two actions: policy, validation, scoring and audit in one step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.audit.models import AuditLog
from tumbuh.measurements.actions import do_record_measurement, do_register_child
from tumbuh.measurements.models import Child

from .posyandu_fixtures import BALANTANG, HARAPAN, NIK_SITI, TODAY, admin_lutim, budi, record, register, siti  # noqa: F401

pytestmark = pytest.mark.django_db


def test_registering_a_child_is_audited(bob):
    child = register(bob, BALANTANG, "Anak Baru Uji", nik="7324 0455 0123 0099")
    assert child.nik == "7324045501230099"  # cleaned to digits
    entry = AuditLog.objects.get(object_type="measurements.child", object_id=str(child.pk))
    assert entry.action == "create" and entry.actor == bob and entry.before is None
    assert entry.after["name"] == "Anak Baru Uji" and entry.after["desa"] == BALANTANG
    assert entry.wilayah_code == BALANTANG


def test_a_desa_operator_cannot_register_a_child_in_another_village(bob):
    with pytest.raises(PermissionDenied):
        register(bob, HARAPAN, "Anak Desa Lain")
    assert not Child.objects.filter(name="Anak Desa Lain").exists()


@pytest.mark.parametrize("username", ["dinkes.lutim", "camat.malili", "pantau.lutim"])
def test_readers_cannot_register(demo_users, username):
    with pytest.raises(PermissionDenied):
        register(demo_users[username], BALANTANG, "Anak Tidak Boleh")


def test_puskesmas_officer_registers_only_in_served_desa(demo_users):
    pkm = demo_users["pkm.malili"]  # Puskesmas Malili serves Harapan, not Balantang
    assert register(pkm, HARAPAN, "Anak Puskesmas Uji").pk
    with pytest.raises(PermissionDenied):
        register(pkm, BALANTANG, "Anak Lakawali Uji")


@pytest.mark.parametrize(
    "nik,fragment",
    [
        ("73240455012300", "16 digits"),
        ("9999045501230012", "kecamatan"),
        ("7324041513230012", "birth date"),
    ],
)
def test_invalid_nik_is_refused_with_a_reason(bob, nik, fragment):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as info:
        register(bob, BALANTANG, "Anak NIK Salah", nik=nik)
    assert fragment in str(info.value.message_dict["nik"])


def test_recording_scores_and_audits(bob, siti):
    m = record(bob, siti, dt.date(2025, 3, 10), "9.7", "79.4", "h")
    assert m.entered_by == bob and m.source == "form" and m.desa_id == BALANTANG
    assert m.age_days == (dt.date(2025, 3, 10) - siti.birth_date).days
    assert m.zlen is not None and m.zlen < -2 and m.status_tbu in ("pendek", "sangat_pendek")
    entry = AuditLog.objects.get(object_type="measurements.measurement", object_id=str(m.pk))
    assert entry.action == "create" and entry.before is None
    assert entry.after["weight"] == "9.70" and entry.after["zlen"] == pytest.approx(m.zlen)


def test_changing_the_weight_recomputes_the_z_scores_and_keeps_before_and_after(bob, siti):
    m = siti.measurements.get(date=dt.date(2025, 2, 10))
    old_zwei, old_zwfl, old_zlen = m.zwei, m.zwfl, m.zlen
    m.weight = Decimal("11.4")
    m.zwei = 99.0  # typed values are never kept: the engine computes them again
    do_record_measurement(bob, m, reason="salah ketik", today=TODAY)
    m.refresh_from_db()
    assert m.zwei > old_zwei and m.zwfl > old_zwfl and m.zwei != 99.0
    assert m.zlen == pytest.approx(old_zlen)  # length unchanged
    entry = AuditLog.objects.filter(object_type="measurements.measurement", object_id=str(m.pk), action="update").get()
    assert entry.before["weight"] == "9.60" and entry.after["weight"] == "11.40"
    assert entry.before["zwei"] == pytest.approx(old_zwei) and entry.after["zwei"] == pytest.approx(m.zwei)
    assert entry.reason == "salah ketik" and entry.actor == bob


def test_changing_the_birth_date_rescores_every_visit(admin_lutim, siti):
    before = {m.pk: m.zlen for m in siti.measurements.all()}
    siti.birth_date = dt.date(2023, 3, 1)  # six weeks younger: taller for her age
    do_register_child(admin_lutim, siti, reason="tanggal lahir salah", today=TODAY)
    after = {m.pk: m.zlen for m in siti.measurements.all()}
    assert all(after[pk] > before[pk] for pk in before)
    assert AuditLog.objects.filter(
        object_type="measurements.measurement", action="update", object_id__in=[str(pk) for pk in before]
    ).count() == len(before)


def test_a_desa_operator_cannot_record_for_another_villages_child(bob, budi):
    with pytest.raises(PermissionDenied):
        record(bob, budi, dt.date(2025, 3, 1), "11.5", "87.0")


def test_a_desa_operator_cannot_move_a_child_out_of_or_into_their_village(bob, siti, budi):
    siti.desa_id = HARAPAN
    siti.posyandu = None
    with pytest.raises(PermissionDenied):
        do_register_child(bob, siti, today=TODAY)
    budi.desa_id = BALANTANG
    budi.posyandu = None
    with pytest.raises(PermissionDenied):
        do_register_child(bob, budi, today=TODAY)


def test_errors_are_refused_and_warnings_kept(bob, siti):
    with pytest.raises(ValidationError):
        record(bob, siti, TODAY + dt.timedelta(days=3), "9.8", "80.0", today=TODAY)
    with pytest.raises(ValidationError):
        record(bob, siti, dt.date(2022, 12, 1), "3.0", "50.0", "l")  # before the birth date
    with pytest.raises(ValidationError) as info:
        record(bob, siti, dt.date(2025, 4, 1), "9.8", "70.0", "h")
    assert "79" in str(info.value) and "70" in str(info.value)  # 9 cm shorter than in February
    other = register(bob, BALANTANG, "Anak Baru Diukur")
    m = record(bob, other, dt.date(2025, 4, 1), "9.8", "58.0", "h")  # 58 cm at 26 months: WHO-flagged
    assert m.pk and m.flen and "who_flag_len" in m.warnings
    assert m.status_tbu == "implausible"


def test_a_nik_is_unique(bob, siti):
    with pytest.raises(ValidationError):
        register(bob, BALANTANG, "Kembar Uji", nik=NIK_SITI)
