"""checks.js in chromium (the engine of the cadres' phones): the same grid of visits as under Node,
through the global ``TumbuhChecks`` a page gets from a plain ``<script>``."""

from __future__ import annotations

import pytest
from django.utils import translation

from tumbuh.core.numbers import format_number

from .test_js_checks import CHECKS_JS, TODAY, compare_grid, confirm_step, texts_in, visit_grid

pytestmark = pytest.mark.browser

RUN = """([texts, calls]) => {
  TumbuhChecks.setMessages(texts);
  return calls.map(([name, args]) => TumbuhChecks[name].apply(null, args));
}"""


@pytest.fixture
def checks_page(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><html><head><title>checks</title></head><body></body></html>")
    page.add_script_tag(path=str(CHECKS_JS))
    yield page
    page.close()


@pytest.mark.django_db
def test_check_visit_in_chromium_says_what_the_confirm_step_says(checks_page):
    cases = visit_grid()
    oracle = confirm_step(cases)
    compare_grid(cases, oracle, lambda texts, calls: checks_page.evaluate(RUN, [texts, calls]))


def test_numbers_status_and_the_form_in_chromium(checks_page):
    texts = texts_in("id")
    got = checks_page.evaluate(
        RUN,
        [
            texts,
            [
                ["formatNumber", [1234.5678, 1]],
                ["formatNumber", [-0.005, 2]],
                ["formatZ", [-2.004]],
                ["statusWords", ["status_bbtb", "gizi_baik"]],
                ["checkForm", [{"date": "2026-05-01", "weight": "9,555", "lenhei": "", "position": "l"}, "2026-06-01"]],
            ],
        ],
    )
    with translation.override("id"):
        assert got[:3] == [format_number(1234.5678, 1), format_number(-0.005, 2), "-2,00"]
    assert got[3] == "Gizi baik (normal)"
    assert [p["field"] for p in got[4]] == ["weight"] and "2" in got[4][0]["message"]
    assert TODAY.isoformat() == "2026-06-01"
