"""The yearly scope: year I on Aksi 1–4 of the year; later years on the year before's 5–8 and
this year's 1–4; year I read from the aksi app's convergence years, else the assessment's field."""

from __future__ import annotations

import pytest

from tumbuh.penilaian.scope import aksi_in_scope, assessed, is_first_year

from .conftest import LUTIM, LUWU


def test_year_one_is_this_years_first_four_actions():
    assert assessed(2026, True) == [(2026, 1), (2026, 2), (2026, 3), (2026, 4)]


def test_a_later_year_is_last_years_second_half_and_this_years_first():
    assert assessed(2026, False) == [
        (2025, 5),
        (2025, 6),
        (2025, 7),
        (2025, 8),
        (2026, 1),
        (2026, 2),
        (2026, 3),
        (2026, 4),
    ]


@pytest.mark.parametrize("first_year", [True, False])
def test_no_action_is_assessed_twice(first_year):
    pairs = assessed(2030, first_year)
    assert len({aksi for _year, aksi in pairs}) == len(pairs)


def test_a_district_with_last_years_convergence_year_is_past_year_one(prov, rubric):
    """The demo's Luwu Timur follows 2026 in Pantau Aksi: in 2027 it is past its year I, even if the
    province marks it; Luwu (no convergence year in Tumbuh) is what the province marks."""
    from tumbuh.penilaian.actions import do_start_assessment

    a = do_start_assessment(prov, rubric.province, 2027, rubric, first_year=[LUTIM, LUWU])
    assert not is_first_year(a, LUTIM)
    assert is_first_year(a, LUWU)
    assert aksi_in_scope(a, LUTIM, 5) == 2026
    assert aksi_in_scope(a, LUWU, 5) is None
    assert aksi_in_scope(a, LUWU, 1) == 2027


def test_without_a_convergence_year_the_field_decides(prov, rubric):
    from tumbuh.penilaian.actions import do_set_first_year, do_start_assessment

    a = do_start_assessment(prov, rubric.province, 2031, rubric)  # Tumbuh holds no 2030 year for either
    assert not is_first_year(a, LUTIM)
    assert aksi_in_scope(a, LUTIM, 8) == 2030
    a = do_set_first_year(prov, a, [LUTIM])
    assert is_first_year(a, LUTIM)
    assert aksi_in_scope(a, LUTIM, 8) is None
