"""Children, visits and families made for the KRS linking and targeting tests (data year 2026,
which the demo does not use)."""

import datetime as dt

import pytest

from tumbuh.krs.models import Family
from tumbuh.measurements.actions import do_record_measurement
from tumbuh.measurements.models import Child, Measurement, Position

BALANTANG = "73.24.04.2010"
YEAR = 2026


@pytest.fixture
def harapan_code():
    from tumbuh.wilayah.models import Wilayah

    return (
        Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").first().code
    )


@pytest.fixture
def make_child(db):
    def make(name, *, desa=BALANTANG, parent="", rt="", rw="", address="", birth=dt.date(2024, 2, 1)):
        return Child.objects.create(
            name=name, sex=1, birth_date=birth, desa_id=desa, nik="", parent_name=parent, rt=rt, rw=rw, address=address
        )

    return make


@pytest.fixture
def measure(alice):
    """A visit scored by the growth engine (standing height in cm, weight 11 kg)."""

    def record(child, day, height):
        return do_record_measurement(
            alice, Measurement(child=child, date=day, weight=11, lenhei=height, position=Position.STANDING), today=day
        )

    return record


@pytest.fixture
def make_family(db):
    def make(
        nik, name="Keluarga Uji", *, desa=BALANTANG, rt="", rw="", address="", year=YEAR, under_five=True, tpk=None
    ):
        return Family.objects.create(
            year=year,
            desa_id=desa,
            nik=nik,
            head_name=name,
            rt=rt,
            rw=rw,
            address=address,
            ada_balita=under_five,
            miskin=True,
            tpk=tpk,
        )

    return make
