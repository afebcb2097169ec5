"""The plan-gap check names every lokus desa whose coverage gap no activity addresses."""

from decimal import Decimal

import pytest

from tumbuh.analisis.models import Lokus
from tumbuh.audit.actions import do_save
from tumbuh.indikator.actions import set_coverage
from tumbuh.indikator.models import Coverage, Indicator
from tumbuh.rencana import gaps
from tumbuh.rencana.testing import TEST_YEAR, make_activity
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"


@pytest.fixture
def lokus(alice):
    """Balantang and another Malili desa are lokus; a third desa is ranked but not chosen.
    The demo's coverage of these desa is set aside, so each test states all the figures it checks."""
    other, outside = Wilayah.objects.filter(kecamatan_code="73.24.04", level=Level.DESA).exclude(code=BALANTANG)[:2]
    Coverage.objects.filter(desa_id__in=[BALANTANG, other.code, outside.code]).delete()
    for rank, (desa, selected) in enumerate([(BALANTANG, True), (other.code, True), (outside.code, False)], 1):
        do_save(
            alice,
            Lokus(
                kabupaten_id="73.24",
                year=TEST_YEAR,
                desa_id=desa,
                selected=selected,
                rank=rank,
                reason="prevalensi tinggi" if selected else "cakupan baik",
            ),
        )
    return other.code, outside.code


def _cover(alice, code, desa, value, year=TEST_YEAR):
    set_coverage(alice, Indicator.objects.get(kabupaten=None, code=code), desa, year, value=Decimal(value))


def test_a_gap_no_activity_addresses_is_named(alice, lokus):
    other, outside = lokus
    _cover(alice, "imunisasi-dasar-lengkap", BALANTANG, 70)  # target 90: a gap of 20
    _cover(alice, "asi-eksklusif", BALANTANG, 85)  # target 80: met
    _cover(alice, "air-minum-layak", other, 40, year=TEST_YEAR - 1)
    _cover(alice, "air-minum-layak", other, 60)  # the latest counts: a gap of 40
    _cover(alice, "imunisasi-dasar-lengkap", outside, 10)  # not a lokus desa: not checked
    result = gaps.check("73.24", TEST_YEAR)
    assert result.lokus == [BALANTANG, other]
    found = {(g.desa_code, g.indicator_id): g for g in result.unaddressed}
    imunisasi = Indicator.objects.get(kabupaten=None, code="imunisasi-dasar-lengkap")
    air = Indicator.objects.get(kabupaten=None, code="air-minum-layak")
    assert set(found) == {(BALANTANG, imunisasi.pk), (other, air.pk)}
    assert (
        found[(BALANTANG, imunisasi.pk)].gap == Decimal("20.0")
        and found[(BALANTANG, imunisasi.pk)].desa_name == "Balantang"
    )
    assert found[(other, air.pk)].gap == Decimal("40.0") and found[(other, air.pk)].data_year == TEST_YEAR


def test_an_activity_on_that_indicator_in_that_desa_addresses_it(alice, lokus):
    other, _ = lokus
    _cover(alice, "imunisasi-dasar-lengkap", BALANTANG, 70)
    _cover(alice, "air-minum-layak", other, 60)
    make_activity(alice, indicator="imunisasi-dasar-lengkap", desa=[other])  # the wrong desa
    make_activity(alice, indicator="air-minum-layak", opd="DPUPR", desa=[BALANTANG])  # the wrong indicator for it
    assert len(gaps.check("73.24", TEST_YEAR).unaddressed) == 2
    fixing = make_activity(alice, indicator="imunisasi-dasar-lengkap", desa=[BALANTANG, other])
    result = gaps.check("73.24", TEST_YEAR)
    assert [(g.desa_code, g.indicator) for g in result.unaddressed] == [(other, "Air minum layak")]
    assert [g.addressed_by for g in result.addressed] == [[fixing.pk]]
    assert result.addressed[0].addressed_labels == [(fixing.pk, "DINKES: Pemberian makanan tambahan")]
    wide = make_activity(alice, indicator="air-minum-layak", opd="DPUPR")  # no desa: the whole kabupaten
    result = gaps.check("73.24", TEST_YEAR)
    assert result.unaddressed == []
    assert next(
        g for g in result.addressed if g.desa_code == other and g.indicator == "Air minum layak"
    ).addressed_by == [wide.pk]


def test_lower_is_better_indicators_gap_above_their_ceiling(alice, lokus):
    _cover(alice, "kehamilan-tidak-diinginkan", BALANTANG, 20)  # ceiling 15.5
    gap = gaps.check("73.24", TEST_YEAR).unaddressed[0]
    assert gap.indicator == "Kehamilan tidak diinginkan" and gap.gap == Decimal("4.5")


def test_without_lokus_there_is_nothing_to_check(alice):
    _cover(alice, "imunisasi-dasar-lengkap", BALANTANG, 10)
    result = gaps.check("73.24", TEST_YEAR)
    assert result.lokus == [] and result.gaps == []


def test_the_gap_page_lists_the_unaddressed_gaps(client, alice, lokus, demo_users):
    _cover(alice, "imunisasi-dasar-lengkap", BALANTANG, 70)
    client.force_login(demo_users["camat.malili"])
    page = client.get(f"/rencana/celah/?year={TEST_YEAR}").content.decode()
    assert "Balantang" in page and "Imunisasi dasar lengkap" in page
    assert 'data-testid="unaddressed-count">1<' in page and "Kesenjangan tanpa kegiatan" in page
