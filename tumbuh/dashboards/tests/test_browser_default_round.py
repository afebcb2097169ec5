"""In chromium (issue 14): a desa operator enters one visit dated today on the posyandu form;
the district admin's dashboard still opens on the last reported round, with its figures, and
not on today's round, which holds that one visit. The rule is
``dashboards.default_period.default_round``; this guards it end to end. Runs with ``-m browser``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALANTANG = "73.24.04.2010"


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo(children=300, kecamatan=["73.24.04"])  # visits 2023–2025 in Malili


@pytest.fixture
def child(demo):
    from tumbuh.measurements.models import Child
    from tumbuh.organisation.models import Posyandu

    return Child.objects.create(
        name="Nurul Hari Ini Uji",
        sex=2,
        birth_date=timezone.localdate() - dt.timedelta(days=3 * 365),
        nik="",
        parent_name="Hartini Hari Ini",
        desa_id=BALANTANG,
        posyandu=Posyandu.objects.filter(desa_id=BALANTANG).first(),
    )


def test_one_visit_today_leaves_the_dashboard_on_the_last_reported_round(browser, live_server, child):
    from tumbuh.dashboards.periods import Period
    from tumbuh.measurements.models import Measurement

    today = timezone.localdate()
    last_visit = Measurement.objects.order_by("-date").values_list("date", flat=True).first()
    reported, new = Period.round_containing(last_visit), Period.round_containing(today)
    if reported == new:
        pytest.skip("today lies in the demo's last round: nothing to guard")

    # The desa operator enters one visit; the date field is today's by default.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    page = phone.new_page()
    browser_login(page, live_server, "desa.balantang")
    page.goto(f"{live_server.url}/anak/kunjungan/")
    page.fill("[data-testid=visit-search]", "Nurul Hari Ini")
    result = page.locator("[data-testid=search-results] a", has_text="Nurul Hari Ini Uji")
    result.wait_for()
    result.click()
    page.wait_for_selector("[data-testid=visit-form]")
    assert page.input_value("#id_date") == today.isoformat()
    page.fill("#id_weight", "12,4")
    page.fill("#id_lenhei", "91,0")
    page.press("#id_lenhei", "Enter")
    page.wait_for_selector("[data-testid=visit-confirm]")
    page.click("[data-testid=visit-confirm-button]")
    page.wait_for_url(f"{live_server.url}/anak/{child.tumbuh_id}/")
    visit = Measurement.objects.get(child=child)
    assert visit.date == today and visit.entered_by.username == "desa.balantang"
    # Today's visit is the latest: the latest round is now today's (the August round from August on,
    # holding at most this visit), which the pages showed by default before issue 14.
    assert Measurement.objects.order_by("-date").values_list("date", flat=True).first() == today
    assert Measurement.objects.filter(date__gte=new.start, date__lte=new.end).count() <= 1
    phone.close()

    # The district admin opens the dashboard without naming a period.
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = desk.new_page()
    browser_login(page, live_server, "admin.lutim")
    page.goto(f"{live_server.url}/dasbor/")
    period = page.locator("[data-testid=dash-controls] select[name=period]")
    assert period.input_value() == reported.key, (period.input_value(), reported.key)
    assert page.locator(f"[data-testid=dash-controls] option[value='{new.key}']").count() == 1  # one click away
    assert reported.label in page.locator("h1 ~ h2").first.inner_text()
    cards = page.locator("[data-testid=summary] .card")
    stunting = cards.first.inner_text()
    assert "tidak ada pengukuran" not in stunting and "%" in stunting and "," in stunting
    children = int(stunting.split(" dari ")[1].split()[0].replace(".", ""))
    assert children > 100  # the round's figures, not one visit's
    ranked = page.locator("[data-testid=ranked-table] tbody tr")
    assert ranked.count() >= 1 and "Malili" in ranked.first.inner_text()

    # Today's month is there to be chosen, and holds the one visit.
    month = Period.month_of(today.year, today.month)
    page.goto(f"{live_server.url}/dasbor/?within={BALANTANG}&period={month.key}")
    assert "dari 1 anak" in page.locator("[data-testid=summary] .card").first.inner_text()
    desk.close()
