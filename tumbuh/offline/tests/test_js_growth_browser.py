"""The phone's growth engine in chromium (V8 as on Android phones), as a plain page script:
the same checks as test_js_growth.py, which runs them under Node."""

import pytest

from .test_js_growth import check_reference, check_visits, random_visits, reference_rows, run_js

pytestmark = pytest.mark.browser


def test_in_chromium_js_matches_who_on_every_reference_row_and_score_columns_on_random_visits(request):
    from tumbuh.measurements.scoring import score_columns

    inp, who, rows, ours = reference_rows()
    phone, columns = random_visits(2000, seed=61)
    got = run_js(request, {"anthro": rows, "assess": phone}, engine="chromium")
    assert got["loaded"] is True
    check_reference(inp, who, ours, got["anthro"])
    check_visits(phone, score_columns(**columns), got["assess"])
