"""Children for the posyandu, child-page and access tests, created through the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tumbuh.accounts.models import User
from tumbuh.measurements.actions import do_record_measurement, do_register_child
from tumbuh.measurements.models import Child, Measurement
from tumbuh.organisation.models import Posyandu

BALANTANG = "73.24.04.2010"  # desa.balantang's village, served by Puskesmas Lakawali
HARAPAN = "73.24.04.2001"  # another village of Malili, served by Puskesmas Malili
NIK_SITI = "7324045501230012"  # a girl born 15/01/2023, registered in Malili (day + 40)
NIK_BUDI = "7324042003220007"
TODAY = dt.date(2026, 6, 1)  # the day the tests' children and visits are entered


def register(actor, desa, name, sex=2, birth=dt.date(2023, 1, 15), nik="", parent="Ibu Uji", today=TODAY):
    child = Child(
        name=name,
        sex=sex,
        birth_date=birth,
        nik=nik,
        parent_name=parent,
        desa_id=desa,
        posyandu=Posyandu.objects.filter(desa_id=desa).first(),
        rt="002",
        rw="001",
    )
    return do_register_child(actor, child, reason="uji", today=today)


def record(actor, child, date, weight, lenhei, position="h", today=TODAY, **kw):
    m = Measurement(child=child, date=date, weight=Decimal(weight), lenhei=Decimal(lenhei), position=position, **kw)
    return do_record_measurement(actor, m, reason="uji", today=today)


@pytest.fixture
def admin_lutim(demo_users):
    return demo_users["admin.lutim"]


@pytest.fixture
def siti(admin_lutim):
    """A girl in Balantang with a NIK and three visits (stunted at the last one)."""
    child = register(admin_lutim, BALANTANG, "Siti Uji Balantang", nik=NIK_SITI, parent="Rahmawati Uji")
    record(admin_lutim, child, dt.date(2023, 7, 20), "6.9", "63.0", "l")
    record(admin_lutim, child, dt.date(2024, 2, 12), "8.1", "70.5", "l")
    record(admin_lutim, child, dt.date(2025, 2, 10), "9.6", "79.0", "h")
    return child


@pytest.fixture
def budi(admin_lutim):
    """A boy in Harapan (another village of the same kecamatan)."""
    child = register(
        admin_lutim, HARAPAN, "Budi Uji Harapan", sex=1, birth=dt.date(2022, 3, 20), nik=NIK_BUDI, parent="Hasanah Uji"
    )
    record(admin_lutim, child, dt.date(2025, 2, 11), "11.2", "86.5", "h")
    return child


@pytest.fixture
def luwu_child(demo_users):
    admin = demo_users["admin.luwu"]
    desa = Posyandu.objects.filter(desa__kabupaten_code="73.17").first().desa_id
    return register(admin, desa, "Andi Uji Luwu", sex=1, birth=dt.date(2023, 5, 1))


def user(username) -> User:
    return User.objects.get(username=username)
