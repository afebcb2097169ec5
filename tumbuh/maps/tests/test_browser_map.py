"""In a real browser: the district admin uploads boundaries and the choropleth is drawn by the
locally served Leaflet (SVG paths in the overlay pane), with a hover label."""

from __future__ import annotations

import os
import re

import pytest

from tumbuh.core.testing import browser_login, require_or_skip

from .geo import collection, district_codes, grid_features

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TUMBUH_SCREENSHOT_DIR", "/tmp")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo(children=300, kecamatan=["73.24.04"])


def _upload(page, live_server, path, level):
    page.goto(f"{live_server.url}/peta/batas/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=level]", level)
    page.click("[data-testid=boundary-upload] button[type=submit]")
    page.wait_for_selector("[data-testid=boundary-report]")
    assert page.locator("[data-testid=boundary-list] tbody tr").count() >= 1


def test_admin_uploads_boundaries_and_sees_the_choropleth(browser, live_server, demo, tmp_path):
    from tumbuh.wilayah.models import Level

    kecamatan = tmp_path / "kecamatan.geojson"
    kecamatan.write_bytes(collection(grid_features(district_codes(), columns=4, size=0.15)))
    malili_desa = [c for c in district_codes(level=Level.DESA) if c.startswith("73.24.04.")]
    desa = tmp_path / "desa.geojson"
    desa.write_bytes(collection(grid_features(malili_desa, columns=4, size=0.05, prop="KDEPUM", undotted=True)))

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    served = []
    page.on("request", lambda r: served.append(r.url))
    browser_login(page, live_server, "admin.lutim")

    # Before any upload: the tile grid.
    page.goto(f"{live_server.url}/peta/?within=73.24&level=kecamatan")
    assert page.locator("[data-testid=no-boundaries]").is_visible()
    assert page.locator("[data-testid=tile-grid] .tile").count() == 11

    _upload(page, live_server, kecamatan, "3")
    _upload(page, live_server, desa, "4")
    assert (
        "vertices" in page.locator("[data-testid=size-report]").inner_text()
        or page.locator("[data-testid=size-report]").is_visible()
    )

    page.goto(f"{live_server.url}/peta/?within=73.24&level=kecamatan")
    page.wait_for_selector("#choropleth[data-ready='1']")
    paths = page.locator("#choropleth .leaflet-overlay-pane svg path")
    assert paths.count() == 11
    page.screenshot(path=f"{SHOTS}/tumbuh-map-kecamatan.png", full_page=True)

    page.goto(f"{live_server.url}/peta/?within=73.24.04&level=desa")
    page.wait_for_selector("#choropleth[data-ready='1']")
    paths = page.locator("#choropleth .leaflet-overlay-pane svg path")
    assert paths.count() == len(malili_desa) == 15
    fills = {paths.nth(i).get_attribute("fill") for i in range(paths.count())}
    assert len(fills - {"#d9dee3"}) >= 1  # Malili's villages have measurements: coloured by class
    paths.nth(5).hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    assert "n = " in tooltip.inner_text()
    # The figure as the server wrote it for the page's language: "12,3 %", never "12.3 %".
    assert re.search(r"\d+,\d %|–", tooltip.inner_text()) and not re.search(r"\d\.\d", tooltip.inner_text())
    page.screenshot(path=f"{SHOTS}/tumbuh-map-desa.png", full_page=True)

    # Everything came from the project: no CDN, no tile server.
    assert served and all(u.startswith(live_server.url) for u in served)
    context.close()


def test_admin_publishes_a_round_and_anyone_reads_it(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.goto(f"{live_server.url}/publik/kelola/")
    page.fill("textarea[name=note]", "Hasil Bulan Penimbangan Balita")
    page.click("[data-testid=publish-form] button[type=submit]")
    page.wait_for_selector("[data-testid=round-list] tbody tr")
    context.close()

    anonymous = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = anonymous.new_page()
    page.goto(f"{live_server.url}/masuk/")
    page.click("[data-testid=public-data-link]")
    page.click("[data-testid=district-list] a >> nth=0")
    assert page.locator("[data-testid=table-kecamatan] tbody tr").count() == 11
    assert page.locator("[data-testid=method-note]").is_visible()
    page.screenshot(path=f"{SHOTS}/tumbuh-public.png", full_page=False)
    anonymous.close()


def test_map_for_a_year_exported_to_pdf(browser, live_server, demo, tmp_path):
    """The map offers years and months as well as rounds; its PDF handout has the figures."""
    import re
    import shutil
    import subprocess

    from tumbuh.dashboards.pdf import weasyprint_error

    require_or_skip(
        weasyprint_error() is None and shutil.which("pdftotext") is not None, "WeasyPrint or pdftotext missing"
    )
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.goto(f"{live_server.url}/peta/?within=73.24.04&level=desa")
    page.select_option("[data-testid=map-period]", "Y2025")
    with page.expect_navigation():
        page.click("[data-testid=map-controls] button[type=submit]")
    assert "period=Y2025" in page.url
    tiles = page.locator("[data-testid=tile-grid] .tile")
    assert tiles.count() == 15
    shown = {}
    for i in range(tiles.count()):
        name = tiles.nth(i).locator(".tile-name").inner_text().strip()
        shown[name] = tiles.nth(i).locator(".tile-value").inner_text().strip()
    assert any(v != "–" for v in shown.values())
    with page.expect_download() as dl:
        page.click("[data-testid=map-pdf]")
    path = tmp_path / "peta.pdf"
    dl.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Peta" in text and "2025" in text and "Kabupaten Luwu Timur" in text
    for name, value in shown.items():  # "16,7 %" on the tile → "16,7" in the table row of that desa
        if value != "–":
            row = next(ln for ln in text.splitlines() if re.match(rf"\s*{re.escape(name)}\s+Malili\s+\d", ln))
            assert value.replace(" %", "") in row, (name, value, row)
    context.close()


def test_the_map_draws_posyandu_as_points_with_their_figures(browser, live_server, demo, tmp_path):
    """A district that uploaded BIG's zipped shapefile (UTM 50S) and located Malili's posyandu
    sees the desa as areas and the posyandu as circles on top, each with its figure."""
    from tumbuh.accounts.models import User
    from tumbuh.dashboards.aggregates import indicator_table, latest_period
    from tumbuh.organisation.models import Posyandu
    from tumbuh.wilayah.models import Level, Wilayah

    from .shp import BIG_FIELDS, UTM_50S, big_record, grid, write_shapefile, zipped
    from .test_points import locate

    desa = list(Wilayah.objects.filter(kecamatan_code="73.24.04", level=Level.DESA).order_by("code"))
    rings = grid([d.code for d in desa])
    upload = tmp_path / "ADMINISTRASIDESA_AR_25K.zip"
    upload.write_bytes(
        zipped(
            {
                "ADMINISTRASIDESA_AR_25K": write_shapefile(
                    [(big_record(d, "Malili"), rings[d.code]) for d in desa], BIG_FIELDS, epsg=UTM_50S
                )
            }
        )
    )
    # each posyandu inside its own desa's square
    located = []
    for d in desa:
        x0, y0 = rings[d.code][0]
        located += locate(Posyandu.objects.filter(desa=d, is_active=True), lat0=y0 + 0.04, lon0=x0 + 0.01, step=0.006)
    assert located

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    served = []
    page.on("request", lambda r: served.append(r.url))
    browser_login(page, live_server, "admin.lutim")
    _upload(page, live_server, upload, "4")
    assert "EPSG:32750" in page.locator("[data-testid=boundary-report]").inner_text()

    admin = User.objects.get(username="admin.lutim")
    period = latest_period(user=admin)
    page.goto(f"{live_server.url}/peta/?within=73.24.04&level=desa&period={period.key}")
    page.wait_for_selector("#choropleth[data-ready='1']")
    assert page.locator("#choropleth path.map-area").count() == 15
    circles = page.locator("#choropleth path.posyandu-point")
    assert circles.count() == len(located)
    rows = {
        r.code: r
        for r in indicator_table(
            user=admin, within_code="73.24.04", level="posyandu", period=period, indicator="stunting"
        )
    }
    measured = next(p for p in located if str(p.pk) in rows and rows[str(p.pk)].n_measured)
    index = sorted(located, key=lambda p: (p.desa_id, p.name)).index(measured)
    circles.nth(index).hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    text = tooltip.inner_text()
    row = rows[str(measured.pk)]
    assert measured.name in text and f"n = {row.n_measured}" in text
    assert f"{row.r:.1f}".replace(".", ",") in text
    page.screenshot(path=f"{SHOTS}/tumbuh-map-posyandu.png", full_page=True)
    # the layer control hides the points
    page.locator(".leaflet-control-layers input[type=checkbox]").uncheck()
    assert page.locator("#choropleth path.posyandu-point").count() == 0
    assert served and all(u.startswith(live_server.url) for u in served)
    context.close()
