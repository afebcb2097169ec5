"""In a real browser: the main pages raise no Content-Security-Policy violation, as the district
admin and as a public visitor: the dashboard, a child's page with its growth charts and the
parents' copy, the map (Leaflet) and its tile grid, htmx forms (the region picker, a check-in),
the QR cards, the lockout page and the public pages with their map.

Chromium reports each violation twice: a ``securitypolicyviolation`` event in the page, and a
console error naming the Content Security Policy. Both are collected; the test asserts none.
The behaviours that replaced inline handlers (``data-autosubmit``, ``data-print``) are
exercised too, since a page that breaks quietly under the policy would raise no violation."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" | "));
});
window.print = function () { document.documentElement.dataset.printed = "1"; };
"""


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from tumbuh.demo.generator import build_demo
    from tumbuh.maps.models import _read_collection

    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    _read_collection.cache_clear()
    build_demo(children=300, kecamatan=["73.24.04"], demo_map=True)


class Watch:
    """A browser context whose pages report every CSP violation, with the page it came from."""

    def __init__(self, browser, **options):
        self.violations: list[str] = []
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", **options)
        self.context.expose_binding(
            "__cspViolation", lambda source, text: self.violations.append(f"{source['page'].url}: {text}")
        )
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: console: {message.text}")

    def visit(self, url: str, ready: str | None = None):
        response = self.page.goto(url)
        assert response.ok or response.status == 429, (url, response.status)
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), url
        if ready:
            self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        return response


def _rapat_with_invitees():
    from django.utils import timezone

    from tumbuh.accounts import policy
    from tumbuh.rapat import actions
    from tumbuh.rapat.models import Attendee, Group, Rapat
    from tumbuh.tpps.models import Tpps

    today = timezone.localdate()
    rapat = actions.do_save_rapat(
        policy.SYSTEM,
        Rapat(
            tpps=Tpps.objects.get(wilayah_id="73.24.04"),
            title="Rapat TPPS Malili",
            date=today,
            place="Kantor Camat Malili",
            chair="Camat",
            agenda="Evaluasi",
        ),
        today=today,
    )
    for name in ("Ibu Hadir", "Bapak Datang"):
        actions.do_add_participant(policy.SYSTEM, Attendee(rapat=rapat, name=name, group=Group.LAIN), today=today)
    return rapat


def test_the_main_pages_raise_no_csp_violation(browser, live_server, demo):
    from tumbuh.measurements.models import Child

    url = live_server.url
    child = Child.objects.filter(measurements__isnull=False, desa__code__startswith="73.24.04").distinct().first()
    rapat = _rapat_with_invitees()

    admin = Watch(browser)
    page = admin.page
    browser_login(page, live_server, "admin.lutim")
    admin.visit(f"{url}/")
    admin.visit(f"{url}/dasbor/")

    # A child's page: the server-drawn Vega growth charts (SVG inline in the page).
    admin.visit(f"{url}/anak/{child.tumbuh_id}/", ready="[data-testid=charts] svg.growth-chart")
    # The parents' copy, a page of its own: its print button (data-print).
    admin.visit(f"{url}/anak/{child.tumbuh_id}/ringkasan/", ready="svg.growth-chart")
    page.click("button[data-print]")
    assert page.locator("html").get_attribute("data-printed") == "1"

    # The map: Leaflet draws areas and posyandu; a hover opens a tooltip. Then the tile grid.
    admin.visit(f"{url}/peta/?within=73.24&level=desa", ready="#choropleth[data-ready='1']")
    page.locator("#choropleth path.map-area").nth(3).hover()
    page.locator(".leaflet-tooltip").wait_for()
    admin.visit(f"{url}/peta/?within=73.24&level=kecamatan&view=grid", ready="[data-testid=tile-grid] .tile")
    tile = page.locator("[data-testid=tile-grid] .tile").first
    assert tile.evaluate("t => getComputedStyle(t).backgroundColor") != "rgba(0, 0, 0, 0)"  # coloured by its class

    # htmx: the region picker posts on change and reloads the page.
    admin.visit(f"{url}/anak/")
    with page.expect_navigation():
        page.select_option("[data-testid=focus-select]", index=1)
    # A select that submits its form on change (data-autosubmit, once an onchange handler).
    admin.visit(f"{url}/aksi/?year=2020")  # 2020 and the years with a cycle: at least two to choose from
    year = page.locator("select[data-autosubmit]")
    other = [v for v in year.locator("option").evaluate_all("os => os.map(o => o.value)") if v != year.input_value()]
    with page.expect_navigation():
        year.select_option(other[0])
    assert f"year={other[0]}" in page.url

    # A meeting: check one invitee in with htmx, the QR cards, the scanner page.
    admin.visit(f"{url}/rapat/{rapat.pk}/hadir/")
    page.fill("[data-testid=check-in-search]", "hadir")  # the quick search (htmx) finds her
    row = page.locator("[data-testid=participant-row]", has_text="Ibu Hadir")
    row.locator("[data-testid=check-in-button]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=attendance-summary]').innerText.startsWith('1 peserta')"
    )
    admin.visit(f"{url}/rapat/{rapat.pk}/kartu-qr/", ready="[data-testid=qr-card] svg")
    admin.visit(f"{url}/rapat/{rapat.pk}/pindai/")

    # Publish a round for the public pages.
    admin.visit(f"{url}/publik/kelola/")
    page.click("[data-testid=publish-form] button[type=submit]")
    page.wait_for_selector("[data-testid=round-list] tbody tr")
    round_url = page.locator("[data-testid=round-list] tbody tr a").first.get_attribute("href")
    admin.context.close()

    visitor = Watch(browser)
    visitor.visit(f"{url}/publik/")
    visitor.visit(f"{url}/publik/73.24/")
    visitor.visit(f"{url}{round_url}", ready="#choropleth[data-ready='1']")
    visitor.page.locator("#choropleth path.map-area").nth(5).dispatch_event("mouseover")
    visitor.page.locator(".leaflet-tooltip").wait_for()
    # The login page, and the lockout page after five wrong passwords.
    visitor.visit(f"{url}/masuk/")
    for _ in range(5):
        visitor.page.fill("#id_username", "camat.malili")
        visitor.page.fill("#id_password", "salah-tebak")
        with visitor.page.expect_navigation():
            visitor.page.click("button[type=submit].primary")
    assert visitor.page.locator("[data-testid=retry-at]").is_visible()
    visitor.page.wait_for_load_state("networkidle")
    visitor.context.close()

    assert admin.violations == [] and visitor.violations == [], "\n".join(admin.violations + visitor.violations)
