"""The lokus ranking is reproducible and explained: the pure scoring, then the saved decision."""

import pytest

from tumbuh.analisis.ranking import PARTS, DesaFigures, rank

WEIGHTS = {"prevalence": 40, "stunted": 30, "coverage_gap": 20, "data_quality": 10}
DESA = [
    DesaFigures("73.24.04.2001", "Harapan", 30.0, 12, 20.0, 0.5),
    DesaFigures("73.24.04.2002", "Laskap", 15.0, 6, 10.0, 1.0),
    DesaFigures("73.24.04.2004", "Manurung", None, 0, None, None),  # nothing measured, nothing reported
    DesaFigures("73.24.04.2005", "Wewangriu", 30.0, 12, 20.0, 0.5),  # the same figures as Harapan
]


def test_the_score_is_the_sum_of_its_explained_parts():
    harapan = next(s for s in rank(DESA, WEIGHTS) if s.code == "73.24.04.2001")
    parts = {p.name: p for p in harapan.parts}
    assert [p.name for p in harapan.parts] == list(PARTS)
    # Harapan is the worst desa on prevalence, stunted and gap: full weight for those.
    assert parts["prevalence"].scaled == 1 and parts["prevalence"].points == 40
    assert parts["stunted"].points == 30 and parts["coverage_gap"].points == 20
    # Weak data: half its under-fives unmeasured; Manurung (unknown) is the worst with 100 %.
    assert parts["data_quality"].value == 50 and parts["data_quality"].points == pytest.approx(5)
    assert harapan.score == pytest.approx(95) == sum(p.points for p in harapan.parts)


def test_the_same_figures_give_the_same_order_ties_by_code():
    first = [(s.code, s.rank, round(s.score, 6)) for s in rank(DESA, WEIGHTS)]
    again = [
        (s.code, s.rank, round(s.score, 6)) for s in rank(list(reversed(DESA)), dict(reversed(list(WEIGHTS.items()))))
    ]
    assert first == again
    assert [c for c, _r, _s in first[:2]] == ["73.24.04.2001", "73.24.04.2005"]  # a tie, broken by code
    # Manurung: nothing measured or reported: the mean prevalence (25) and gap (50/3) of the
    # others stand in, 0 stunted, weakest data: 40×25/30 + 20×(50/3)/20 + 10 = 60 points.
    assert first[2] == ("73.24.04.2004", 3, pytest.approx(60.0))
    assert first[3] == ("73.24.04.2002", 4, 45.0)  # Laskap: half of everything, all measured


def test_weights_change_the_order_as_explained():
    only_data = rank(DESA, {"prevalence": 0, "stunted": 0, "coverage_gap": 0, "data_quality": 1})
    assert only_data[0].code == "73.24.04.2004" and only_data[0].score == 100  # unknown data: weakest
    with pytest.raises(ValueError):
        rank(DESA, {p: 0 for p in PARTS})


def test_a_desa_without_data_is_not_rewarded_for_it_and_says_so():
    manurung = next(s for s in rank(DESA, WEIGHTS) if s.code == "73.24.04.2004")
    parts = {p.name: p for p in manurung.parts}
    assert (
        parts["prevalence"].imputed
        and parts["prevalence"].value == 25.0
        and parts["prevalence"].points == pytest.approx(33.33, abs=0.01)
    )
    assert parts["coverage_gap"].imputed and parts["coverage_gap"].value == pytest.approx(50 / 3)
    assert not parts["stunted"].imputed and parts["stunted"].points == 0
    assert manurung.snapshot()["parts"]["prevalence"]["imputed"] is True
