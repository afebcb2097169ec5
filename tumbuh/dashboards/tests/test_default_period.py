"""The round a page shows when its address names none (``default_period.default_round``)."""

from __future__ import annotations

import datetime as dt

import pytest

from tumbuh.dashboards.default_period import default_round
from tumbuh.dashboards.periods import Period

pytestmark = pytest.mark.django_db


def test_the_latest_round_with_measurements_whatever_the_day(alice, known):
    # The known children are measured in August 2030 (conftest): that round, on any day.
    for today in (dt.date(2031, 1, 5), dt.date(2026, 3, 1)):
        assert default_round(alice, today=today) == Period.round(2030, 8)


def test_without_measurements_the_round_running_on_the_day(alice):
    from tumbuh.measurements.models import Measurement

    Measurement.objects.all().delete()
    assert default_round(alice, today=dt.date(2026, 3, 1)) == Period.round(2026, 2)
    assert default_round(alice, today=dt.date(2026, 9, 30)) == Period.round(2026, 8)
    assert default_round(alice, today=dt.date(2026, 1, 15)) == Period.round(2025, 8)
