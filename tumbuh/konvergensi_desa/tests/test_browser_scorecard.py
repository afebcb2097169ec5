"""In chromium: the desa operator takes a person recorded twice off the quarter's scorecard,
giving a reason, and the desa's convergence level is counted again. Runs with ``-m browser``."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_confirm_delete, browser_login
from tumbuh.core.tests.test_browser import demo  # noqa: F401  (the demo district, built per test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BALANTANG = "73.24.04.2010"


def test_remove_a_person_from_the_scorecard(browser, live_server, demo):
    from tumbuh.accounts.models import User
    from tumbuh.audit.models import AuditLog
    from tumbuh.konvergensi_desa.actions import do_record_target
    from tumbuh.konvergensi_desa.models import ScorecardTarget

    operator = User.objects.get(username="desa.balantang")
    for name, paud in (("Anak Satu", "Y"), ("Anak Dua", "T"), ("Anak Dua (lagi)", "T")):
        do_record_target(
            operator,
            ScorecardTarget(desa_id=BALANTANG, year=2031, quarter=1, group="anak_2_6", name=name),
            {"paud": paud},
        )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "desa.balantang")
    page.goto(f"{live_server.url}/desa/kartu-skor/{BALANTANG}/2031/1/")
    assert "(1 / 3)" in page.locator("[data-testid=total]").inner_text()

    page.locator("[data-testid=table-anak_2_6] a", has_text="Anak Dua (lagi)").click()
    page.locator("[data-testid=target-delete]").click()
    browser_confirm_delete(page, "Tercatat dua kali")
    assert page.url.endswith(f"/desa/kartu-skor/{BALANTANG}/2031/1/")
    assert "(1 / 2)" in page.locator("[data-testid=total]").inner_text()
    assert "Anak Dua (lagi)" not in page.locator("[data-testid=table-anak_2_6]").inner_text()
    gone = AuditLog.objects.get(object_type="konvergensi_desa.scorecardtarget", action="delete")
    assert gone.reason == "Tercatat dua kali" and gone.actor == operator
    assert not ScorecardTarget.objects.filter(name="Anak Dua (lagi)").exists()
    context.close()
