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
    expected = dict(
        Family.objects.filter(year=2025, desa__kabupaten_code="73.24").values_list("desa_id").annotate(n=Count("pk"))
    )
    assert expected, "the demo imports a KRS list for 2025"
    by_desa = {r.desa.code: r.krs for r in situation.rows}
    for code, n in expected.items():
        assert by_desa[code] == n
    assert any(code not in expected and krs is None for code, krs in by_desa.items())


def test_families_column_reads_the_data_years_numbers(alice):
    stored = dict(
        FamilyCount.objects.filter(year=2025, desa__kabupaten_code="73.24").values_list("desa_id", "families")
    )
    FamilyCount.objects.filter(year=2024, desa_id="73.24.04.2010").delete()
    FamilyCount.objects.create(desa_id="73.24.04.2010", year=2024, families=5)  # another year: not read
    situation = build(alice, Wilayah.objects.get(pk="73.24"), 2026)
    assert stored and {r.desa.code: r.families for r in situation.rows} == stored
    balantang = next(r for r in situation.rows if r.desa.code == "73.24.04.2010")
    assert balantang.families_source == "Pendataan Keluarga BKKBN"
    assert balantang.krs_share == pytest.approx(balantang.krs / balantang.families * 100)
    assert all(r.families is None for r in build(alice, Wilayah.objects.get(pk="73.24"), 2027).rows)


# ---------------------------------------------------------------- no conclusion without data (issue 14)
def _measure_round(year, month, n, *, stunted_every=3):
    import datetime as dt

    from tumbuh.dashboards.tests.conftest import make_child, measure

    for i in range(n):
        measure(
            make_child("73.24.04.2010", f"Anak {month}-{i}", birth=dt.date(year - 2, 1, 1)),
            dt.date(year, month, 10),
            zlen=-2.5 if i % stunted_every == 0 else 0.0,
        )


def test_a_few_august_visits_do_not_make_the_analysis_read_an_empty_round(alice, settings):
    from tumbuh.analisis.situation import data_period
    from tumbuh.dashboards.periods import Period

    settings.TUMBUH_AGGREGATE_MAX_AGE = 0  # a stale round is recomputed at once

    _measure_round(2032, 2, 12)
    _measure_round(2032, 8, 1)  # the August round has only begun
    assert data_period(alice, "73.24", 2032) == Period.round(2032, 2)
    situation = build(alice, Wilayah.objects.get(pk="73.24"), 2033)
    assert situation.period == Period.round(2032, 2) and situation.totals["measured_length"] == 12
    _measure_round(2032, 8, 5)  # half of February's: reported
    assert data_period(alice, "73.24", 2032) == Period.round(2032, 8)
    assert data_period(alice, "73.24", 2034) is None


def test_a_desa_nobody_measured_has_no_count_of_stunted_children(client, alice):
    _measure_round(2032, 2, 3)  # Balantang only
    client.force_login(alice)
    html = client.get("/analisis/?year=2033").content.decode()
    balantang = html.split('data-desa="73.24.04.2010"')[1].split("</tr>")[0]
    assert '<td class="num" data-col="pendek">1</td>' in balantang
    other = html.split('data-testid="situasi-table"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert 'data-desa="73.24.04.2010"' not in other
    assert 'title="tidak ada yang diukur" data-col="pendek">—</td>' in other
