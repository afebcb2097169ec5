"""Who sees which rows of the dashboards: a puskesmas officer sees their puskesmas (its row
lies in the kecamatan, which they do not see as a whole), the desa it serves and their
posyandu, and nothing outside; a desa operator their village only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tumbuh.dashboards import aggregates
from tumbuh.dashboards.quality import quality_tables

from .conftest import BALANTANG, HARAPAN, ROUND


def _codes(user, level, within=None, period=ROUND):
    return {
        r.code
        for r in aggregates.indicator_table(
            user=user, within_code=within, level=level, period=period, indicator="stunting"
        )
    }


@pytest.mark.django_db
def test_puskesmas_officer_sees_their_puskesmas_and_nothing_outside(demo_users, known):
    from tumbuh.organisation.models import Posyandu

    pkm = demo_users["pkm.malili"]  # Puskesmas Malili serves Harapan, not Balantang
    admin = demo_users["admin.lutim"]
    own = str(pkm.puskesmas_id)
    served = set(pkm.puskesmas.desa_codes())
    assert _codes(admin, "puskesmas") >= {own, str(Posyandu.objects.filter(desa_id=BALANTANG).first().puskesmas_id)}
    assert _codes(pkm, "puskesmas") == {own}
    assert _codes(pkm, "desa") == {HARAPAN} and HARAPAN in served
    posyandu = {str(p) for p in Posyandu.objects.filter(desa_id__in=served).values_list("pk", flat=True)}
    assert _codes(pkm, "posyandu") and _codes(pkm, "posyandu") <= posyandu
    assert _codes(pkm, "kecamatan") == set() and _codes(pkm, "kabupaten") == set()
    # the puskesmas row is the same for the officer as for the admin (all of its children)
    row = next(
        r
        for r in aggregates.indicator_table(
            user=pkm, within_code=None, level="puskesmas", period=ROUND, indicator="stunting"
        )
    )
    same = next(
        r
        for r in aggregates.indicator_table(
            user=admin, within_code="73.24.04", level="puskesmas", period=ROUND, indicator="stunting"
        )
        if r.code == own
    )
    assert (row.n_measured, row.cases) == (same.n_measured, same.cases) == (4, 2)
    # a desa operator and another district see no puskesmas row of Malili
    assert own not in _codes(demo_users["desa.balantang"], "puskesmas")
    assert _codes(demo_users["admin.luwu"], "puskesmas", period=ROUND) == set()
    # the camat of the kecamatan sees both of its puskesmas
    assert own in _codes(demo_users["camat.malili"], "puskesmas")


@pytest.mark.django_db
def test_puskesmas_officer_dashboard_summarises_their_puskesmas(client, demo_users, known):
    pkm = demo_users["pkm.malili"]
    client.force_login(pkm)
    r = client.get(reverse("dashboards:prevalence") + f"?period={ROUND.key}&level=puskesmas")
    assert r.status_code == 200
    assert [row.code for row in r.context["rows"]] == [str(pkm.puskesmas_id)]
    summary = {k: row for k, _l, row in r.context["summary"]}
    assert summary["stunting"].n_measured == 4 and summary["stunting"].cases == 2
    assert "Puskesmas Malili" in r.content.decode()
    assert [lv for lv, _l in r.context["levels"]] == ["puskesmas", "desa", "posyandu"]
    r = client.get(reverse("dashboards:prevalence") + f"?period={ROUND.key}&level=desa")
    assert [row.code for row in r.context["rows"]] == [HARAPAN]
    # outside: Balantang (Lakawali's), the kecamatan as a whole, another district
    for within in (BALANTANG, "73.24.04", "73.17"):
        assert client.get(reverse("dashboards:prevalence") + f"?within={within}&period={ROUND.key}").status_code == 404


@pytest.mark.django_db
def test_puskesmas_officer_quality_rows(demo_users):
    from tumbuh.dashboards.periods import Period

    period = Period.parse("R2025-08")
    pkm = demo_users["pkm.malili"]
    tables = quality_tables(user=pkm, within_code=None, period=period)
    assert [r.code for r in tables["puskesmas"]] == [str(pkm.puskesmas_id)]
    served = set(pkm.puskesmas.desa_codes())
    assert tables["posyandu"] and all(r.wilayah_code in served for r in tables["posyandu"])
    admin = quality_tables(user=demo_users["admin.lutim"], within_code="73.24.04", period=period)
    assert len(admin["puskesmas"]) == 2 and len(admin["posyandu"]) > len(tables["posyandu"])
    bob = quality_tables(user=demo_users["desa.balantang"], within_code=None, period=period)
    assert bob["puskesmas"] == [] and {r.wilayah_code for r in bob["posyandu"]} == {BALANTANG}
