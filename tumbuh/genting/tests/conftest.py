import datetime as dt

import pytest

from tumbuh.genting.models import FosterParent
from tumbuh.krs.models import Family
from tumbuh.measurements.models import Child, Measurement

BALANTANG = "73.24.04.2010"


@pytest.fixture
def parent(db):
    return FosterParent.objects.create(
        kabupaten_id="73.24", name="CV Uji Peduli", kind="perusahaan", commitment="Pangan 6 bulan"
    )


@pytest.fixture
def parent2(db):
    return FosterParent.objects.create(kabupaten_id="73.24", name="Ibu Uji", kind="individu", commitment="Air bersih")


@pytest.fixture
def make_family(db):
    def make(nik, risks=1, desa=BALANTANG, name="Keluarga Uji"):
        fields = ["air_tidak_layak", "jamban_tidak_layak", "miskin", "rumah_tidak_layak", "terlalu_banyak"][:risks]
        return Family.objects.create(
            year=2027, desa_id=desa, nik=nik, head_name=name, ada_balita=True, **{f: True for f in fields}
        )

    return make


@pytest.fixture
def make_child(db):
    def make(name, zs, desa=BALANTANG, start=dt.date(2024, 1, 10)):
        """A child with one scored visit per (months after start, HAZ) in ``zs``."""
        child = Child.objects.create(name=name, sex=1, birth_date=dt.date(2023, 1, 1), desa_id=desa, nik="")
        for months, z in zs:
            Measurement.objects.create(
                child=child,
                date=start + dt.timedelta(days=30 * months),
                desa_id=desa,
                zlen=z,
                weight=9,
                lenhei=75,
                status_tbu="pendek" if z < -2 else "normal",
            )
        return child

    return make
