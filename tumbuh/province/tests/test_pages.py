"""The province's pages: each district's figures are the dashboards' own, a district without
data says so, sorting, the comparison, the map, the Excel export, and who may see them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.core.numbers import excel_value, format_number
from tumbuh.dashboards.aggregates import indicator_table
from tumbuh.dashboards.models import DistrictTarget

from .conftest import CHILD_NAME, CHILD_NIK, LUTIM, LUWU, PROVINCE, ROUND

pytestmark = pytest.mark.django_db


def _url(name, **params):
    from urllib.parse import urlencode

    return reverse(f"province:{name}") + "?" + urlencode({"period": ROUND.key, **params}, doseq=True)


def _dashboard_rows(user, indicator="stunting"):
    """The district rows the district's own dashboard reads (level kabupaten)."""
    return {
        r.code: r
        for r in indicator_table(user=user, within_code=None, level="kabupaten", period=ROUND, indicator=indicator)
    }


def test_figures_are_the_dashboards_for_each_district(client, province_user, alice, charlie, two_districts):
    client.force_login(province_user)
    r = client.get(_url("districts"))
    assert r.status_code == 200
    rows = {row.code: row for row in r.context["rows"]}
    for code, admin in ((LUTIM, alice), (LUWU, charlie)):
        own = _dashboard_rows(admin)[code]  # as the district admin's dashboard shows it
        row = rows[code]
        assert row.has_data
        assert (row.figure.n_measured, row.figure.cases) == two_districts[code] == (own.n_measured, own.cases)
        assert (row.figure.r, row.figure.ll, row.figure.ul, row.figure.eb_r) == (own.r, own.ll, own.ul, own.eb_r)
    # the two districts differ, and the page writes each figure in Indonesian as the dashboard does
    assert rows[LUTIM].figure.r != rows[LUWU].figure.r
    html = r.content.decode()
    for code in (LUTIM, LUWU):
        f = rows[code].figure
        assert format_number(f.r, 1, "id") in html
        assert f"{format_number(f.ll, 1, 'id')}–{format_number(f.ul, 1, 'id')}" in html


def test_a_district_without_data_says_so_never_zero(client, province_user, two_districts):
    client.force_login(province_user)
    r = client.get(_url("districts"))
    rows = r.context["rows"]
    from tumbuh.wilayah.models import Level, Wilayah

    assert len(rows) == Wilayah.objects.filter(level=Level.KABUPATEN, provinsi_code=PROVINCE).count() > 2
    empty = [row for row in rows if not row.has_data]
    assert len(empty) == len(rows) - 2
    html = r.content.decode()
    assert html.count('data-testid="no-data"') == len(empty)
    assert "belum ada data" in html
    # no district row shows a prevalence of 0,0
    assert 'data-testid="prevalence">0,0<' not in html


def test_sorting_by_prevalence_both_ways_with_empty_districts_last(client, province_user, two_districts):
    client.force_login(province_user)
    down = [row.code for row in client.get(_url("districts", sort="-prevalence")).context["rows"]]
    up = [row.code for row in client.get(_url("districts", sort="prevalence")).context["rows"]]
    assert down[:2] == [LUTIM, LUWU]  # 33 % before 20 %
    assert up[:2] == [LUWU, LUTIM]
    assert sorted(down[2:]) == down[2:] == up[2:]  # no data: last either way, by code
    by_name = [row.name for row in client.get(_url("districts", sort="name")).context["rows"]]
    assert by_name == sorted(by_name, key=str.lower)
    # an unknown key falls back to the default; htmx asks for the table alone
    assert client.get(_url("districts", sort="nonsense")).status_code == 200
    partial = client.get(_url("districts", sort="measured"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="district-table")
    assert partial.content.decode().lstrip().startswith('<div id="district-table"')


def test_target_and_aarr_are_the_targets_page(client, province_user, alice, two_districts):
    from tumbuh.audit.actions import do_save

    do_save(alice, DistrictTarget(kabupaten_id=LUTIM, year=2032, indicator="stunting", target="14.00"), reason="uji")
    client.force_login(province_user)
    rows = {row.code: row for row in client.get(_url("districts")).context["rows"]}
    client.force_login(alice)
    page = client.get(reverse("dashboards:targets") + f"?within={LUTIM}&period={ROUND.key}")
    own = next(a for level, r, _o, a in page.context["rows"] if level == "kabupaten" and r.code == LUTIM)
    mine = rows[LUTIM].assessment
    assert rows[LUTIM].target.year == 2032
    assert (mine.aarr, mine.aarr_required, mine.on_track, mine.note) == (
        own.aarr,
        own.aarr_required,
        own.on_track,
        own.note,
    )
    assert mine.aarr_required is not None and mine.aarr_required > 0
    assert rows[LUWU].target is None


def test_compare_shows_each_district_over_the_rounds(client, province_user, two_districts):
    client.force_login(province_user)
    r = client.get(_url("compare", kabupaten=[LUTIM, LUWU]))
    assert r.status_code == 200
    columns = r.context["columns"]
    assert [c["row"].code for c in columns] == [LUTIM, LUWU]
    for c in columns:
        assert c["points"][-1][0] == ROUND
        assert c["points"][-1][1].n_measured == two_districts[c["row"].code][0]
        assert "<svg" in c["svg"]
    html = r.content.decode()
    assert html.count('class="compare-column"') == 2
    # one district is not a comparison; a district of another province is not found
    assert "compare-error" in client.get(_url("compare", kabupaten=[LUTIM])).content.decode()
    assert client.get(_url("compare", kabupaten=[LUTIM, "74.01"])).status_code == 404
    assert client.get(_url("compare", kabupaten=[LUTIM, LUWU, "73.01", "73.02", "73.03"])).status_code == 400


def test_map_is_a_tile_grid_without_district_boundaries(client, province_user, two_districts):
    from tumbuh.maps import classes
    from tumbuh.maps.models import Boundary

    Boundary.objects.filter(kabupaten__provinsi_code=PROVINCE).delete()
    client.force_login(province_user)
    r = client.get(_url("map"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="no-boundaries"' in html and 'data-testid="tile-grid"' in html
    areas = {a.code: a for a in r.context["areas"]}
    rows = {row.code: row for row in client.get(_url("districts")).context["rows"]}
    assert areas[LUTIM].value == rows[LUTIM].figure.r
    assert areas[LUTIM].colour_class == classes.class_of("stunting", rows[LUTIM].figure.r)
    assert f'fill-{areas[LUTIM].colour_class.index} dark" data-code="{LUTIM}"' in html
    assert 'class="tile fill-none" data-code="73.01"' in html
    eb = client.get(_url("map", estimate="eb")).context["areas"]
    assert next(a for a in eb if a.code == LUTIM).value == rows[LUTIM].figure.eb_r


def test_excel_export_read_back(client, province_user, two_districts):
    client.force_login(province_user)
    r = client.get(_url("xlsx", indicator="stunting"))
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    meta = {row[0]: row[1] for row in cells[:8] if row[0]}
    assert "Sulawesi Selatan" in meta["Provinsi"]
    assert meta["Periode"] == "Putaran Agustus 2030"
    assert "Tumbuh" in meta["Sumber data"]
    header = next(i for i, row in enumerate(cells) if row[0] == "Kode")
    heads = cells[header]
    assert "Prevalensi (%)" in heads and "Batas bawah IK 95%" in heads
    body = {row[0]: dict(zip(heads, row)) for row in cells[header + 1 :] if row[0] and row[0].startswith("73.")}
    rows = {row.code: row for row in client.get(_url("districts")).context["rows"]}
    prev = heads[heads.index("Prevalensi (%)")]
    for code in (LUTIM, LUWU):
        f = rows[code].figure
        assert body[code][prev] == excel_value(f.r, 1) and isinstance(body[code][prev], (int, float))
        assert body[code][heads[heads.index(prev) + 1]] == excel_value(f.ll, 1)
    empty = next(code for code in body if code not in (LUTIM, LUWU))
    assert body[empty][prev] is None  # no data: an empty cell, not 0


def test_district_admin_is_refused(client, alice, two_districts):
    client.force_login(alice)
    for name in ("districts", "compare", "map", "xlsx"):
        assert client.get(_url(name)).status_code == 403
        assert client.get(_url(name, provinsi=PROVINCE)).status_code == 403


def test_a_province_user_of_another_province_sees_nothing_of_this_one(client, other_province_user, two_districts):
    client.force_login(other_province_user)
    for name in ("districts", "compare", "map", "xlsx"):
        r = client.get(_url(name, provinsi=PROVINCE, kabupaten=[LUTIM, LUWU]))
        assert r.status_code == 403
        assert b"Luwu" not in r.content
    own = client.get(_url("districts"))  # their own province: its districts, none of Sulawesi Selatan
    assert own.status_code == 200
    assert all(row.code.startswith("74.") for row in own.context["rows"])


def test_superuser_picks_a_province(client, root, two_districts):
    client.force_login(root)
    r = client.get(_url("districts", provinsi=PROVINCE))
    assert r.status_code == 200
    assert {LUTIM, LUWU} <= {row.code for row in r.context["rows"] if row.has_data}
    assert client.get(_url("districts", provinsi="74")).status_code == 200
    assert client.get(_url("districts", provinsi="99")).status_code == 404


def test_no_child_name_or_nik_on_any_page(client, province_user, root, two_districts):
    for user in (province_user, root):
        client.force_login(user)
        for name, extra in (("districts", {}), ("compare", {"kabupaten": [LUTIM, LUWU]}), ("map", {})):
            html = client.get(_url(name, **extra)).content.decode()
            assert CHILD_NAME not in html and CHILD_NIK not in html and CHILD_NIK[-6:] not in html
        content = client.get(_url("xlsx")).content
        ws = load_workbook(io.BytesIO(content)).active
        texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
        assert CHILD_NAME not in texts and CHILD_NIK not in texts


def test_each_row_links_to_the_district_dashboard(client, province_user, two_districts):
    client.force_login(province_user)
    rows = {row.code: row for row in client.get(_url("districts")).context["rows"]}
    link = rows[LUTIM].dashboard
    assert link.startswith(reverse("dashboards:prevalence")) and f"within={LUTIM}" in link
    assert client.get(link).status_code == 200


def test_menu_entry_for_province_users_and_superusers_only(client, province_user, root, alice):
    url = reverse("province:districts")
    for user, shown in ((province_user, True), (root, True), (alice, False)):
        client.force_login(user)
        assert (f'href="{url}"' in client.get("/").content.decode()) is shown


def test_aksi_rembuk_and_rakor_are_the_districts_own_records(client, province_user, alice, two_districts):
    """The demo's Luwu Timur 2026: the Aksi column sums Pantau Aksi's rows as its admin sees
    them; the rembuk and rakor columns read the district's own records."""
    from django.utils import timezone

    from tumbuh.aksi.models import Status
    from tumbuh.province import figures
    from tumbuh.rapat.models import Rapat
    from tumbuh.rembuk.models import RembukEvent
    from tumbuh.wilayah.models import Wilayah

    today = timezone.localdate()  # the day Pantau Aksi reads, so both ask about the same day
    client.force_login(alice)
    pantau = client.get(reverse("aksi:pantau") + "?year=2026").context["rows"]
    assert pantau, "the demo starts Luwu Timur's 2026 cycle"
    province = Wilayah.objects.get(code=PROVINCE)
    rows = {
        r.code: r
        for r in figures.district_rows(
            province_user, province, period=ROUND, indicator="stunting", today=today, year=2026
        )
    }
    aksi = rows[LUTIM].aksi
    assert aksi.started and aksi.actions == len(pantau)
    assert aksi.outputs_done == sum(r["done"] for r in pantau) and aksi.outputs_total == sum(r["total"] for r in pantau)
    # the documents too are the district's count as its secretariat sees it on Pantau Aksi (the
    # province gets the number; some of the records behind it are not the province's to open)
    assert aksi.docs == sum(r["docs"] for r in pantau)
    assert aksi.done_actions == sum(1 for r in pantau if r["a"].status == Status.DONE)
    district_rembuk = RembukEvent.objects.filter(wilayah_id=LUTIM, year=2026, date__lte=today).order_by("date").last()
    assert rows[LUTIM].rembuk.held == (district_rembuk is not None)
    if district_rembuk is not None:
        assert rows[LUTIM].rembuk.date == district_rembuk.date
    meetings = Rapat.objects.filter(tpps__wilayah_id=LUTIM, date__year=2026, date__lte=today)
    assert rows[LUTIM].rakor.held == meetings.count()
    assert rows[LUTIM].rakor.with_minutes == sum(1 for m in meetings if m.minutes.strip())
    assert not rows["73.01"].aksi.started and not rows["73.01"].rembuk.held and rows["73.01"].rakor.held == 0


@pytest.mark.parametrize("language", ["id", "en"])
def test_pages_read_right_in_both_languages(client, province_user, two_districts, language):
    """The checks of ``core/tests/test_every_page.py`` (which walks the demo accounts' pages)
    on these pages, as a province user: no English on the Indonesian UI, numbers in the
    language's format, no raw label or field name."""
    from tumbuh.core.tests.test_every_page import StoredTexts, problems

    client.force_login(province_user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    pages = {
        url: client.get(url).content.decode()
        for url in (
            _url("districts"),
            _url("districts", sort="rakor"),
            _url("compare", kabupaten=[LUTIM, LUWU]),
            _url("compare", kabupaten=[LUTIM]),
            _url("map"),
        )
    }
    found = problems(pages, language, StoredTexts())
    assert not found, "\n".join(found)


def test_map_draws_a_district_from_its_stored_kecamatan_boundaries(client, province_user, two_districts):
    from tumbuh.demo.boundaries import build_demo_map

    build_demo_map(7)  # Luwu Timur's synthetic kecamatan (and desa) boundaries, as `make demo` has them
    client.force_login(province_user)
    r = client.get(_url("map"))
    html = r.content.decode()
    assert 'data-testid="province-choropleth"' in html and "<svg" in html
    assert 'data-testid="synthetic-boundaries"' in html
    assert LUTIM not in {a.code for a in r.context["without_shape"]}
    assert LUWU in {a.code for a in r.context["without_shape"]}
    assert 'data-testid="tile-grid"' in html  # every district still has its tile
