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


def test_one_visit_in_a_round_that_has_only_begun_does_not_make_it_the_default(alice, known):
    # Issue 14: one visit entered today for the next round blanked the headline pages.
    from tumbuh.dashboards.tests.conftest import BALANTANG, make_child, measure

    measure(make_child(BALANTANG, "Baru Hari Ini"), dt.date(2031, 2, 3), zlen=-1.0)
    assert default_round(alice, today=dt.date(2031, 2, 3)) == Period.round(2030, 8)  # 16 visits there, 1 here
    for i in range(8):  # the new round fills: half of the round before it, and it is the default
        measure(make_child(BALANTANG, f"Baru {i}"), dt.date(2031, 2, 10), zlen=0.0)
    assert default_round(alice, today=dt.date(2031, 2, 10)) == Period.round(2031, 2)


def test_the_rule_counts_what_the_user_sees(alice, bob, known):
    # Balantang (bob's desa) had 13 visits in August 2030, the district 17: seven new visits in
    # Balantang are more than half of bob's last round but not of the district's.
    from tumbuh.dashboards.tests.conftest import BALANTANG, make_child, measure

    for i in range(7):
        measure(make_child(BALANTANG, f"Balantang Baru {i}"), dt.date(2031, 2, 3), zlen=0.0)
    assert default_round(bob, today=dt.date(2031, 2, 3)) == Period.round(2031, 2)
    assert default_round(alice, today=dt.date(2031, 2, 3)) == Period.round(2030, 8)


def test_a_removed_visit_is_no_longer_counted_even_while_the_counts_are_cached(alice, known):
    # The counts are reused per area until the visits change: a removal or a restore is a change.
    import datetime as dt_

    from tumbuh.accounts.policy import SYSTEM
    from tumbuh.dashboards.tests.conftest import BALANTANG, make_child, measure
    from tumbuh.measurements.actions import do_remove_visit, do_restore_visit

    visits = [measure(make_child(BALANTANG, f"Februari {i}"), dt.date(2031, 2, 10), zlen=0.0) for i in range(9)]
    assert default_round(alice, today=dt.date(2031, 2, 10)) == Period.round(2031, 2)
    now = dt_.datetime(2031, 2, 11, 9, 0, tzinfo=dt_.UTC)
    for visit in visits[:5]:
        do_remove_visit(SYSTEM, visit, "salah anak", now=now)
    assert default_round(alice, today=dt.date(2031, 2, 11)) == Period.round(2030, 8)
    for visit in visits[:5]:
        visit.refresh_from_db()
        do_restore_visit(SYSTEM, visit, "ternyata benar", now=now, today=dt.date(2031, 2, 11))
    assert default_round(alice, today=dt.date(2031, 2, 11)) == Period.round(2031, 2)
