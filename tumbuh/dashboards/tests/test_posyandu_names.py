"""Posyandu names repeat from one desa to the next ("Posyandu Anggrek" three times in a
district's top 12): every table of posyandu, on the page and in its exports, names the desa,
and the puskesmas when the table spans several."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.dashboards import aggregates
from tumbuh.dashboards.aggregates import indicator_table
from tumbuh.organisation.models import Posyandu, Puskesmas

from .conftest import BALANTANG, HARAPAN, ROUND, make_child, measure
from .test_pdf import pdf_text, pdf_tools  # noqa: F401  (a fixture)

TWIN = "Posyandu Kembar"


@pytest.fixture
def twins(db):
    """Two posyandu called the same in Desa Balantang and Desa Harapan (served by two
    puskesmas), each with children measured in the round."""
    made = {}
    for desa, zs in ((BALANTANG, [-2.5, -1.0, 0.0]), (HARAPAN, [-2.2, -2.9, 0.4, 1.0])):
        p = Posyandu.objects.create(name=TWIN, desa_id=desa, puskesmas=Puskesmas.objects.filter(desa=desa).first())
        for i, z in enumerate(zs):
            measure(make_child(desa, f"K{desa[-4:]}{i}", posyandu=p), dt.date(2030, 8, 12), zlen=z)
        made[desa] = p
    aggregates.refresh_period(ROUND)
    return made


def _twin_names(names) -> list[str]:
    return sorted(n for n in names if n.startswith(TWIN))


@pytest.mark.django_db
def test_the_table_rows_name_the_desa_and_across_puskesmas_the_puskesmas(alice, twins):
    assert twins[BALANTANG].puskesmas_id != twins[HARAPAN].puskesmas_id
    rows = indicator_table(user=alice, within_code="73.24.04", level="posyandu", period=ROUND, indicator="stunting")
    names = _twin_names(r.name for r in rows)
    pkm = {d: p.puskesmas.name for d, p in twins.items()}
    assert names == sorted([f"{TWIN} — Desa Balantang ({pkm[BALANTANG]})", f"{TWIN} — Desa Harapan ({pkm[HARAPAN]})"])
    # Inside one desa there is one puskesmas: the desa is enough.
    one = indicator_table(user=alice, within_code=BALANTANG, level="posyandu", period=ROUND, indicator="stunting")
    assert _twin_names(r.name for r in one) == [f"{TWIN} — Desa Balantang"]


@pytest.mark.django_db
def test_the_prevalence_page_and_its_workbook_tell_the_two_apart(client, alice, twins):
    client.force_login(alice)
    query = f"?within=73.24.04&level=posyandu&period={ROUND.key}"
    html = client.get(reverse("dashboards:prevalence") + query).content.decode()
    assert html.count(f"{TWIN} — Desa Balantang") >= 1 and html.count(f"{TWIN} — Desa Harapan") >= 1
    content = client.get(reverse("dashboards:prevalence_xlsx") + query).content
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    twins_listed = _twin_names(cells)
    assert len(twins_listed) == 2 and len(set(twins_listed)) == 2
    assert any("Desa Balantang" in n for n in twins_listed) and any("Desa Harapan" in n for n in twins_listed)


@pytest.mark.django_db
def test_the_data_quality_tables_name_the_desa(client, alice, twins):
    client.force_login(alice)
    html = client.get(reverse("dashboards:quality") + f"?within=73.24.04&period={ROUND.key}").content.decode()
    assert f"{TWIN} — Desa Balantang" in html and f"{TWIN} — Desa Harapan" in html


@pytest.mark.django_db
def test_the_prevalence_pdf_tells_the_two_apart(client, alice, twins, pdf_tools, tmp_path):
    client.force_login(alice)
    content = client.get(
        reverse("dashboards:prevalence_pdf") + f"?within=73.24.04&level=posyandu&period={ROUND.key}"
    ).content
    text = " ".join(pdf_text(content, tmp_path).split())
    assert f"{TWIN} — Desa Balantang" in text and f"{TWIN} — Desa Harapan" in text
