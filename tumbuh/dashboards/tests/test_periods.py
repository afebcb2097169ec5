import datetime as dt

import pytest

from tumbuh.dashboards.periods import Period, periods_between, periods_covering


def test_keys_round_trip():
    for key in ("R2025-08", "R2025-02", "M2025-03", "Y2025"):
        assert Period.parse(key).key == key
    with pytest.raises(ValueError):
        Period.parse("R2025-03")


def test_ranges():
    r = Period.parse("R2024-02")
    assert (r.start, r.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert Period.parse("Y2025").end == dt.date(2025, 12, 31)
    assert Period.parse("R2025-02").previous().key == "R2024-08"
    assert Period.round_containing(dt.date(2025, 1, 10)).key == "R2024-08"
    assert [p.key for p in periods_covering(dt.date(2025, 8, 3))] == ["R2025-08", "M2025-08", "Y2025"]
    assert [p.key for p in periods_between(dt.date(2024, 1, 1), dt.date(2025, 9, 1), "round")] == [
        "R2024-02",
        "R2024-08",
        "R2025-02",
        "R2025-08",
    ]
