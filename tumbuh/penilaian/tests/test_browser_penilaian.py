"""In chromium: the province opens its 2026 assessment, goes to Luwu Timur, scores a criterion
beside its evidence and sees the district's weighted total change without leaving the page.
Runs with ``-m browser``."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_login
from tumbuh.core.tests.test_browser import demo  # noqa: F401  (the demo district, built per test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_scores_a_criterion_and_the_total_changes(browser, live_server, demo):
    from tumbuh.accounts.models import Role
    from tumbuh.audit.models import AuditLog
    from tumbuh.penilaian.models import Assessment, Criterion, Score

    from .conftest import make_user

    make_user("prov.sulsel.uji", Role.PROVINCE, "73")
    assessment = Assessment.objects.get(province_id="73", year=2026)
    a21 = Criterion.objects.get(rubric=assessment.rubric, code="A2.1")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "prov.sulsel.uji")
    page.goto(f"{live_server.url}/penilaian/")
    page.locator("[data-testid=assessment-2026]").click()
    page.locator(f"[data-testid='row-73.24'] a[href='/penilaian/{assessment.pk}/kabupaten/73.24/']").click()
    assert (
        page.locator("[data-testid=district-total]").inner_text() == "40"
    )  # the demo's A1.1 (3 × 10) and A1.2 (2 × 5)
    section = page.locator("[data-testid='criterion-A2.1']")
    assert "Aksi 2" in section.inner_text()
    section.locator("select").select_option(str(a21.levels.get(value=2).pk))
    section.locator("textarea").fill("Lengkap, belum menjawab kesenjangan air minum.")
    section.get_by_role("button", name="Simpan skor").click()
    page.locator("[data-testid='criterion-A2.1'] [data-testid=saved]").wait_for()
    assert page.locator("[data-testid=district-total]").inner_text() == "60"
    assert "Yang dimiliki kabupaten/kota di Tumbuh untuk Aksi 2 2026" in section.inner_text()  # the evidence stays
    score = Score.objects.get(assessment=assessment, kabupaten_id="73.24", criterion=a21)
    assert score.level.value == 2 and score.comment == "Lengkap, belum menjawab kesenjangan air minum."
    assert AuditLog.objects.filter(
        object_type="penilaian.score", object_id=str(score.pk), actor__username="prov.sulsel.uji"
    ).exists()
    context.close()
