"""Posyandu hold too few children for the small-area estimate to tell them apart (issue 14): the
posyandu table is sorted by the number of cases by default, says why the estimate is nearly
flat, and keeps the estimate's column; other levels keep the estimate's order."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .conftest import BALANTANG, make_child, measure

pytestmark = pytest.mark.django_db

ROUND = "R2032-08"


@pytest.fixture
def two_posyandu():
    """Balantang in August 2032: a small posyandu with 3 children, all stunted, and a large one
    with 30 children, 6 stunted. The estimate puts the small one first, its cases last."""
    from tumbuh.organisation.models import Posyandu

    big, small = Posyandu.objects.filter(desa_id=BALANTANG).order_by("pk")[:2]
    day = dt.date(2032, 8, 10)
    for i in range(3):
        measure(make_child(BALANTANG, f"Kecil {i}", birth=dt.date(2030, 1, 1), posyandu=small), day, zlen=-2.5)
    for i in range(30):
        measure(
            make_child(BALANTANG, f"Besar {i}", birth=dt.date(2030, 1, 1), posyandu=big),
            day,
            zlen=-2.5 if i < 6 else 0.0,
        )
    return {"big": str(big.pk), "small": str(small.pk)}


def _codes(response):
    return [r.code for r in response.context["rows"]]


def test_the_posyandu_table_is_sorted_by_cases_and_says_why(client, alice, two_posyandu):
    client.force_login(alice)
    r = client.get(reverse("dashboards:prevalence") + f"?within={BALANTANG}&period={ROUND}")
    assert r.context["scope"].level == "posyandu" and r.context["scope"].sort == "cases"
    rows = {row.code: row for row in r.context["rows"]}
    small, big = rows[two_posyandu["small"]], rows[two_posyandu["big"]]
    assert small.eb_r > big.eb_r  # the estimate would rank the small posyandu first
    assert _codes(r)[:2] == [two_posyandu["big"], two_posyandu["small"]]  # 6 cases before 3
    assert [row.extra["rank"] for row in r.context["rows"]][:2] == [1, 2]
    page = r.content.decode()
    assert "Diurutkan menurut jumlah kasus." in page
    note = page.split('data-testid="shrinkage">')[1].split("</p>")[0]
    assert note.startswith("Mengapa perkiraan area kecil di sini hampir rata") and "median" in note
    assert "Perkiraan area kecil (%)" in page  # the estimate keeps its column

    by_estimate = client.get(reverse("dashboards:prevalence") + f"?within={BALANTANG}&period={ROUND}&sort=estimate")
    assert _codes(by_estimate)[:2] == [two_posyandu["small"], two_posyandu["big"]]
    by_rate = client.get(reverse("dashboards:prevalence") + f"?within={BALANTANG}&period={ROUND}&sort=prevalence")
    assert _codes(by_rate)[0] == two_posyandu["small"]  # 100 % of 3


def test_other_levels_keep_the_estimates_order(client, alice, two_posyandu):
    client.force_login(alice)
    r = client.get(reverse("dashboards:prevalence") + f"?within=73.24.04&period={ROUND}")
    assert r.context["scope"].level == "desa" and r.context["scope"].sort == "estimate"
    assert 'data-testid="shrinkage"' not in r.content.decode()


def test_the_workbook_follows_the_pages_order_and_says_why(client, alice, two_posyandu):
    client.force_login(alice)
    response = client.get(reverse("dashboards:prevalence_xlsx") + f"?within={BALANTANG}&period={ROUND}")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    flat = " ".join(str(v) for row in cells for v in row if v is not None)
    assert "Diurutkan menurut jumlah kasus (kolom peringkat)." in flat
    assert "Mengapa perkiraan area kecil di sini hampir rata" in flat
    codes = [row[1] for row in cells if row and row[0] in (1, 2)]
    assert codes[:2] == [two_posyandu["big"], two_posyandu["small"]]
