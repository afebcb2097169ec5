"""The dashboard pages: scope, staleness, Excel exports, permissions, AARR."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.core.numbers import excel_value
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.models import DistrictTarget, SurveyFigure
from tumbuh.dashboards.targets import aarr, assess

from .conftest import BALANTANG, HARAPAN, ROUND, make_child, measure


def _q(**kw):
    return "?" + "&".join(f"{k}={v}" for k, v in kw.items())


@pytest.mark.django_db
def test_desa_operator_page_lists_only_their_village(client, bob, known):
    client.force_login(bob)
    r = client.get(reverse("dashboards:prevalence") + _q(period=ROUND.key, level="desa"))
    assert r.status_code == 200
    codes = [row.code for row in r.context["rows"]]
    assert codes == [BALANTANG]
    assert client.get(reverse("dashboards:prevalence") + _q(within=HARAPAN, period=ROUND.key)).status_code == 404
    assert client.get(reverse("dashboards:prevalence") + _q(within="73.24", period=ROUND.key)).status_code == 404


@pytest.mark.django_db
def test_drill_down_and_summary(client, alice, known):
    client.force_login(alice)
    r = client.get(reverse("dashboards:prevalence") + _q(within="73.24.04", period=ROUND.key))
    assert r.status_code == 200
    assert r.context["scope"].level == "desa"
    rows = {row.code: row for row in r.context["rows"]}
    assert rows[BALANTANG].extra["drill"].startswith("?within=73.24.04.2010")
    summary = {k: row for k, _l, row in r.context["summary"]}
    assert summary["stunting"].n_measured == 15 and summary["stunting"].cases == 5
    html = r.content.decode()
    assert "ranked-table" in html and "<svg" in html


@pytest.mark.django_db
def test_staleness_shown_after_a_new_measurement(client, alice, known):
    client.force_login(alice)
    url = reverse("dashboards:prevalence") + _q(within="73.24.04", period=ROUND.key)
    r = client.get(url)
    assert r.context["fresh"].pending == 0
    measure(make_child(HARAPAN, "Baru"), dt.date(2030, 8, 28), zlen=-2.5)
    r = client.get(url)
    assert r.context["fresh"].stale and r.context["fresh"].pending == 1
    assert "1 new measurement not yet included" in r.content.decode() or "1 pengukuran baru" in r.content.decode()
    aggregates.refresh_period(ROUND)
    r = client.get(url)
    assert not r.context["fresh"].stale and r.context["fresh"].pending == 0


@pytest.mark.django_db
def test_excel_export_contains_the_figures(client, alice, known):
    client.force_login(alice)
    r = client.get(reverse("dashboards:prevalence_xlsx") + _q(within="73.24.04", period=ROUND.key, level="desa"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in cells for v in row if v is not None]
    assert any(isinstance(v, str) and "Luwu Timur" in v for v in flat)
    assert any(isinstance(v, str) and "2030" in v for v in flat)  # the period
    balantang = next(row for row in cells if row[1] == BALANTANG)
    rows = {
        x.code: x
        for x in aggregates.indicator_table(
            user=alice, within_code="73.24.04", level="desa", period=ROUND, indicator="stunting"
        )
    }
    assert balantang[4] == 11 and balantang[5] == 3
    assert balantang[6] == excel_value(rows[BALANTANG].r, 1)  # the figure as shown (tumbuh.core.numbers)
    assert balantang[9] == excel_value(rows[BALANTANG].eb_r, 1)
    header = next(i for i, row in enumerate(cells) if row[1] and str(row[1]) in ("Code", "Kode"))
    assert ws.cell(header + 2, 7).number_format == "0.0"
    for name in ("quality_xlsx", "targets_xlsx"):
        r = client.get(reverse(f"dashboards:{name}") + _q(within="73.24.04", period=ROUND.key))
        assert r.status_code == 200
        load_workbook(io.BytesIO(r.content))


@pytest.mark.django_db
def test_quality_page_ranks_posyandu(client, alice):
    client.force_login(alice)
    r = client.get(reverse("dashboards:quality") + _q(within="73.24.04", period="R2025-08"))
    assert r.status_code == 200
    tables = r.context["tables"]
    assert tables["posyandu"] and tables["puskesmas"]
    for row in tables["posyandu"]:
        assert row.light in ("green", "yellow", "red", "grey") and (row.light == "green") == (not row.reasons)


def test_sd_reason_in_plain_language():
    from tumbuh.dashboards.quality import QualityRow, _judge

    row = QualityRow(
        "posyandu",
        "1",
        "Mawar",
        "Balantang",
        n=50,
        pct_flagged=0.0,
        sd_haz=0.71,
        dps_weight=3,
        dps_height=3,
        heaping=1.0,
        coverage=95.0,
    )
    _judge(row)
    assert row.light == "red"
    assert "0.71" in row.reasons[0][1] or "0,71" in row.reasons[0][1]


def test_aarr_on_known_numbers():
    # 24.4 % → 21.6 % in one year: 1 − 21.6/24.4
    assert aarr(24.4, 21.6, 1) == pytest.approx(1 - 21.6 / 24.4)
    # halving in 10 years: 1 − 0.5^(1/10) ≈ 6.70 %
    assert aarr(20, 10, 10) == pytest.approx(0.0669670, abs=1e-6)
    a = assess(22.6, dt.date(2022, 7, 1), 20.0, dt.date(2024, 7, 1), 14.0, 2029)
    assert a.aarr == pytest.approx(1 - (20 / 22.6) ** (1 / (731 / 365.25)))
    horizon = (dt.date(2029, 12, 31) - dt.date(2024, 7, 1)).days / 365.25
    assert a.aarr_required == pytest.approx(1 - (14 / 20) ** (1 / horizon))
    assert a.projection == pytest.approx(20 * (1 - a.aarr) ** horizon)
    assert a.on_track is False and a.verdict == "off_track"
    fast = assess(30, dt.date(2022, 7, 1), 20, dt.date(2024, 7, 1), 14.0, 2029)
    assert fast.on_track is True
    done = assess(15, dt.date(2022, 7, 1), 13, dt.date(2024, 7, 1), 14.0, 2029)
    assert done.on_track is True and done.aarr_required == 0
    assert assess(None, None, 20, dt.date(2024, 7, 1), 14, 2029).verdict == "unknown"


@pytest.mark.django_db
def test_admin_enters_a_national_target_and_a_survey_audited(client, alice, bob):
    from tumbuh.audit.models import AuditLog

    client.force_login(alice)
    r = client.post(
        reverse("dashboards:target_add"),
        {
            "kabupaten": "73.24",
            "indicator": "stunting",
            "national": "2029|14.20|RPJMN 2025–2029",
            "year": "",
            "target": "",
            "source": "",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    t = DistrictTarget.objects.get(kabupaten_id="73.24", year=2029)
    assert float(t.target) == 14.2 and t.source == "RPJMN 2025–2029"
    assert AuditLog.objects.filter(object_type="dashboards.districttarget", object_id=str(t.pk)).exists()
    r = client.post(
        reverse("dashboards:survey_add"),
        {
            "kabupaten": "73.24",
            "year": 2022,
            "survey": "SSGI",
            "indicator": "stunting",
            "prevalence": "22.6",
            "ll": "",
            "ul": "",
            "source": "SSGI 2022",
        },
    )
    assert r.status_code == 302
    r = client.get(reverse("dashboards:prevalence") + _q(within="73.24", period="R2025-08"))
    assert [f.year for f, _routine in r.context["comparison"]] == [2022]
    r = client.get(reverse("dashboards:targets") + _q(within="73.24", period="R2025-08"))
    assert r.status_code == 200 and r.context["target"].year == 2029
    assert "2029" in r.content.decode() and "2.029" not in r.content.decode()  # a year has no thousands dot
    verdicts = {row.code: a.verdict for _lv, row, _o, a in r.context["rows"]}
    assert verdicts["73.24"] in ("on_track", "off_track")
    # a desa operator reads the district's figures but may not add or change them
    client.force_login(bob)
    assert client.get(reverse("dashboards:surveys")).context["figures"].count() == 1
    assert client.get(reverse("dashboards:target_add")).status_code == 403
    assert (
        client.post(
            reverse("dashboards:target_edit", args=[t.pk]), {"kabupaten": "73.24", "year": 2029, "target": "1"}
        ).status_code
        == 403
    )
    assert SurveyFigure.objects.count() == 1


@pytest.mark.django_db
def test_other_district_cannot_see_luwu_timur_figures(client, alice, charlie):
    client.force_login(alice)
    client.post(
        reverse("dashboards:target_add"),
        {"kabupaten": "73.24", "indicator": "stunting", "year": 2024, "target": "14", "source": "x"},
    )
    t = DistrictTarget.objects.get(kabupaten_id="73.24", year=2024)
    client.force_login(charlie)
    assert client.get(reverse("dashboards:target_edit", args=[t.pk])).status_code == 404
    assert client.get(reverse("dashboards:prevalence") + _q(within="73.24.04")).status_code == 404


@pytest.mark.django_db
def test_excel_has_the_pages_other_tables(client, alice, charlie, known):
    """The trend table and the survey comparison of the prevalence page, and the targets of
    the targets page, are sheets of their workbooks."""
    SurveyFigure.objects.create(
        kabupaten_id="73.24", year=2025, survey="SSGI", indicator="stunting", prevalence=20.5, source="uji"
    )
    DistrictTarget.objects.create(
        kabupaten_id="73.24", year=2029, indicator="stunting", target=14.2, source="RPJMN 2025–2029"
    )
    client.force_login(alice)
    r = client.get(reverse("dashboards:prevalence_xlsx") + _q(within="73.24", period=ROUND.key, level="kecamatan"))
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.worksheets) == 3
    trend_rows = [[c.value for c in row] for row in wb.worksheets[1].iter_rows()]
    points = aggregates.trend(user=alice, code="73.24", level="kabupaten", indicator="stunting", last=6, until=ROUND)
    last = next(row for row in trend_rows if row[0] == points[-1][0].label)
    assert last[1] == points[-1][1].n_measured == 15 and last[3] == excel_value(points[-1][1].r, 1)
    survey = [[c.value for c in row] for row in wb.worksheets[2].iter_rows()]
    row = next(row for row in survey if row[0] == "2025")  # next to the routine figure of the same year
    routine = aggregates.indicator_table(
        user=alice, within_code="73.24", level="kabupaten", period=aggregates.Period.year_of(2025), indicator="stunting"
    )[0]
    assert row[2] == 20.5 and row[5] == excel_value(routine.r, 1)
    from tumbuh.dashboards.models import UnderFivePopulation

    UnderFivePopulation.objects.create(wilayah_id="73.24.04", year=2030, count=1234, source="Dukcapil 2030")
    r = client.get(reverse("dashboards:targets_xlsx") + _q(within="73.24", period=ROUND.key))
    wb = load_workbook(io.BytesIO(r.content))
    targets = [[c.value for c in row] for row in wb.worksheets[1].iter_rows()]
    assert ["2029", 14.2, "RPJMN 2025–2029"] in targets
    assert ["73.24.04", "Kecamatan Malili", "2030", 1234, "Dukcapil 2030"] in [
        [c.value for c in row] for row in wb.worksheets[2].iter_rows()
    ]
    client.force_login(charlie)  # another district's export holds none of Luwu Timur's survey figures
    assert not any(
        row[0] == "Kabupaten Luwu Timur" for row in _cells_of(client.get(reverse("dashboards:surveys_xlsx")).content)
    )
    client.force_login(alice)
    rows = _cells_of(client.get(reverse("dashboards:surveys_xlsx")).content)
    assert ["Kabupaten Luwu Timur", "2025", "SSGI"] == rows[-1][:3] and rows[-1][4] == 20.5


def _cells_of(content):
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(content)).active.iter_rows()]
