import datetime as dt

import pytest

from tumbuh.genting.models import OrangTuaAsuh
from tumbuh.krs.models import Keluarga
from tumbuh.measurements.models import Child, Measurement

BALANTANG = "73.24.04.2010"


@pytest.fixture
def ota(db):
    return OrangTuaAsuh.objects.create(kabupaten_id="73.24", nama="CV Uji Peduli", jenis="perusahaan", komitmen="Pangan 6 bulan")


@pytest.fixture
def ota2(db):
    return OrangTuaAsuh.objects.create(kabupaten_id="73.24", nama="Ibu Uji", jenis="individu", komitmen="Air bersih")


@pytest.fixture
def make_family(db):
    def make(nik, risks=1, desa=BALANTANG, name="Keluarga Uji"):
        fields = ["air_tidak_layak", "jamban_tidak_layak", "miskin", "rumah_tidak_layak", "terlalu_banyak"][:risks]
        return Keluarga.objects.create(tahun=2027, desa_id=desa, nik=nik, nama_kepala=name, ada_balita=True,
                                       **{f: True for f in fields})
    return make


@pytest.fixture
def make_child(db):
    def make(name, zs, desa=BALANTANG, start=dt.date(2024, 1, 10)):
        """A child with one scored visit per (months after start, HAZ) in ``zs``."""
        child = Child.objects.create(name=name, sex=1, birth_date=dt.date(2023, 1, 1), desa_id=desa, nik="")
        for months, z in zs:
            Measurement.objects.create(child=child, date=start + dt.timedelta(days=30 * months), desa_id=desa, zlen=z,
                                       weight=9, lenhei=75, status_tbu="pendek" if z < -2 else "normal")
        return child
    return make
