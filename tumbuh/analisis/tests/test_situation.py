"""Aksi 1's situation table reads the at-risk families (KRS) and the number of families of the
data year."""

import pytest
from django.db.models import Count

from tumbuh.analisis.situation import build
from tumbuh.krs.models import Family, FamilyCount
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db


def test_krs_column_counts_the_data_years_list_and_leaves_desa_without_one_empty(alice):
    situation = build(alice, Wilayah.objects.get(pk="73.24"), 2026)
    assert situation.data_year == 2025
    expected = dict(Family.objects.filter(year=2025, desa__kabupaten_code="73.24")
                    .values_list("desa_id").annotate(n=Count("pk")))
    assert expected, "the demo imports a KRS list for 2025"
    by_desa = {r.desa.code: r.krs for r in situation.rows}
    for code, n in expected.items():
        assert by_desa[code] == n
    assert any(code not in expected and krs is None for code, krs in by_desa.items())


def test_families_column_reads_the_data_years_numbers(alice):
    stored = dict(FamilyCount.objects.filter(year=2025, desa__kabupaten_code="73.24").values_list("desa_id", "families"))
    FamilyCount.objects.filter(year=2024, desa_id="73.24.04.2010").delete()
    FamilyCount.objects.create(desa_id="73.24.04.2010", year=2024, families=5)  # another year: not read
    situation = build(alice, Wilayah.objects.get(pk="73.24"), 2026)
    assert stored and {r.desa.code: r.families for r in situation.rows} == stored
    balantang = next(r for r in situation.rows if r.desa.code == "73.24.04.2010")
    assert balantang.families_source == "Pendataan Keluarga BKKBN"
    assert balantang.krs_share == pytest.approx(balantang.krs / balantang.families * 100)
    assert all(r.families is None for r in build(alice, Wilayah.objects.get(pk="73.24"), 2027).rows)
