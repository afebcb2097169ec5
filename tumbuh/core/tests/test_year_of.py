"""The year a page is about (``focus.year_of``): ``?year=`` when plausible, else the default,
else the year of the day the view gives."""

import datetime as dt

from tumbuh.core.focus import year_of

TODAY = dt.date(2031, 5, 1)


def test_without_a_year_the_year_of_the_day(rf):
    assert year_of(rf.get("/"), today=TODAY) == 2031
    assert year_of(rf.get("/"), today=dt.date(2027, 12, 31)) == 2027


def test_a_plausible_year_wins_and_an_implausible_one_falls_back(rf):
    assert year_of(rf.get("/", {"year": "2026"}), today=TODAY) == 2026
    assert year_of(rf.post("/", {"year": "2025"}), today=TODAY) == 2025
    for odd in ("1999", "2101", "dua ribu", ""):
        assert year_of(rf.get("/", {"year": odd}), today=TODAY) == 2031


def test_the_pages_default_comes_before_the_day(rf):
    assert year_of(rf.get("/"), default=2030, today=TODAY) == 2030  # e.g. last year's family data
    assert year_of(rf.get("/", {"year": "2026"}), default=2030, today=TODAY) == 2026
