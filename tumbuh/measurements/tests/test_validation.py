import datetime as dt
from decimal import Decimal

from django.utils import translation

from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.validation import ERROR, WARNING, Visit, check_visit, first_error

TODAY = dt.date(2025, 3, 1)
BIRTH = dt.date(2023, 1, 10)


def codes(visit, previous=None):
    return [p.code for p in check_visit(visit, previous, today=TODAY)]


def visit(date=dt.date(2025, 2, 10), weight="11.2", lenhei="84.5", position="h", **kw):
    kw.setdefault("birth_date", BIRTH)
    return Visit(
        date=date,
        weight=Decimal(weight) if weight else None,
        lenhei=Decimal(lenhei) if lenhei else None,
        position=position,
        **kw,
    )


def test_a_plausible_visit_has_no_problems():
    assert codes(visit()) == []


def test_dates_in_the_future_before_birth_and_over_59_months_are_errors():
    assert codes(visit(date=dt.date(2025, 3, 2))) == ["date_in_future"]
    assert codes(visit(birth_date=dt.date(2025, 2, 11))) == ["birth_after_visit"]
    assert codes(visit(birth_date=dt.date(2020, 2, 10))) == ["age_over_59_months"]  # 1827 days
    assert codes(visit(birth_date=dt.date(2020, 2, 12))) == []  # 1825 days: still 59 months


def test_unit_errors_name_the_probable_fix():
    problems = check_visit(visit(lenhei="845"), today=TODAY)
    assert [p.code for p in problems] == ["height_in_mm"] and problems[0].params[
        "fixed"
    ] == 84.5  # a number, written in the reader's language
    assert codes(visit(lenhei="0.845")) == ["height_in_m"]
    grams = check_visit(visit(weight="11200"), today=TODAY)[0]
    assert grams.code == "weight_in_grams" and grams.params["fixed"] == 11.2
    with translation.override("en"):
        assert "did you mean 11.2 kg" in grams.text()
    with translation.override("id"):
        assert "maksudnya 11,2 kg" in grams.text()


def test_swapped_weight_and_height_and_out_of_range_values():
    assert codes(visit(weight="84.5", lenhei="11.2")) == ["weight_height_swapped"]
    assert codes(visit(weight="0.2")) == ["weight_out_of_range"]
    assert codes(visit(lenhei="150")) == ["height_out_of_range"]
    assert codes(visit(muac="135")) == ["muac_in_mm"]


def test_height_may_fall_only_within_measurement_error_after_position_correction():
    before = visit(date=dt.date(2024, 8, 10), lenhei="85.0", position="l")
    assert codes(visit(lenhei="84.3", position="h"), before) == []  # lying 85.0 = standing 84.3
    assert codes(visit(lenhei="83.0", position="h"), before) == []  # 1.3 cm lower after correction
    problem = first_error(check_visit(visit(lenhei="82.5", position="h"), before, today=TODAY))
    assert problem.code == "height_decreased" and problem.severity == ERROR


def test_an_impossible_weight_change_per_day_is_an_error():
    before = visit(date=dt.date(2025, 2, 3), weight="11.0", lenhei="84.0")
    assert codes(visit(weight="12.0"), before) == []
    assert codes(visit(weight="14.5"), before) == ["weight_change_impossible"]  # +3.5 kg in a week
    assert codes(visit(weight="8.0"), before) == ["weight_change_impossible"]  # -3 kg in a week


def test_who_flags_on_a_scored_measurement_are_warnings():
    child = Child(name="Uji", sex=1, birth_date=BIRTH, desa_id="73.24.04.2010")
    m = Measurement(
        child=child, date=dt.date(2025, 2, 10), weight=Decimal("11.2"), lenhei=Decimal("84.5"), position="h"
    )
    m.flen = True
    problems = check_visit(m, today=TODAY)
    assert [(p.code, p.severity) for p in problems] == [("who_flag_len", WARNING)]
    with translation.override("en"):
        assert "length/height-for-age" in problems[0].text()


def test_breastfeeding_months_not_yet_reached_are_errors_and_vitamin_a_before_6_months_a_warning():
    birth = dt.date(2024, 8, 1)
    four = dict(birth_date=birth, weight="6.8", lenhei="63.0", position="l")
    on = birth + dt.timedelta(days=131)  # 4 completed months
    assert codes(visit(on, asi_months="YYYYY--", **four)) == []  # month 4 is the month the child is in
    problems = check_visit(visit(on, asi_months="YYYYYT-", vitamin_a=1, **four), today=TODAY)
    assert [(p.code, p.severity, p.field) for p in problems] == [
        ("asi_month_after_age", ERROR, "asi_months"),
        ("vitamin_a_under_6_months", WARNING, "vitamin_a"),
    ]
    with translation.override("id"):
        assert problems[0].text() == (
            "Anak berusia 4 bulan saat kunjungan: ASI eksklusif dapat dicatat sampai bulan "
            "ke-4, tidak untuk bulan 5; biarkan —"
        )
    assert "5, 6" in check_visit(visit(on, asi_months="YYYYYTT", **four), today=TODAY)[0].text()
    assert codes(visit(on, vitamin_a=0, **four)) == []  # no capsule: nothing to check
    # Day 182 is 5 completed months (182 / 30.4375 = 5.98), day 183 six.
    assert codes(visit(birth + dt.timedelta(days=182), asi_months="YYYYYYT", vitamin_a=1, **four)) == [
        "asi_month_after_age",
        "vitamin_a_under_6_months",
    ]
    assert codes(visit(birth + dt.timedelta(days=183), asi_months="YYYYYYT", vitamin_a=1, **four)) == []
