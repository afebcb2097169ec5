"""Aksi 1's figures by the one rounding rule (``tumbuh.core.numbers``, issue 14): the lokus score
is a two-decimal figure (as a decision stores it), so the live ranking, the saved decision, its
reason and the decree show the same digits; the reason writes the score in the reader's
language; the gap heatmap's tooltips show the table's digits."""

import pytest
from django.utils import translation

from tumbuh.analisis import actions
from tumbuh.analisis.models import Lokus
from tumbuh.analisis.ranking import DesaFigures, Score, rank
from tumbuh.core.numbers import format_number

pytestmark = pytest.mark.django_db

ONLY_PREVALENCE = {"prevalence": 1, "stunted": 0, "coverage_gap": 0, "data_quality": 0}


@pytest.mark.parametrize("language, quoted", [("id", "skor 20,2"), ("en", "score 20.2")])
def test_the_rankings_reason_quotes_the_score_by_the_rule_in_the_readers_language(language, quoted):
    # f"{20.15:.1f}" is "20.1" (the binary 20.1499…), and the comma was pasted in for every language.
    with translation.override(language):
        reason = actions.default_reason(Score("73.24.04.2001", "Harapan", 20.15, 3), True)
    assert quoted in reason


def test_the_score_is_a_two_decimal_figure_shown_alike_live_and_saved(alice):
    """Harapan's raw score is 20.149: stored as 20.15 (shown 20,2) it was shown live as 20,1, with
    no note that anything had moved. Ranked to two decimals, both read 20,2."""
    figures = [
        DesaFigures("73.24.04.2001", "Harapan", 20.149, 0, None, 1.0),
        DesaFigures("73.24.04.2002", "Laskap", 100.0, 0, None, 1.0),
    ]
    harapan = next(s for s in rank(figures, ONLY_PREVALENCE) if s.code == "73.24.04.2001")
    assert harapan.score == 20.15 and harapan.snapshot()["score"] == 20.15
    [decision] = actions.decide_lokus(
        alice,
        "73.24",
        2031,
        [actions.Decision(harapan.code, True, actions.default_reason(harapan, True))],
        {harapan.code: harapan},
        ONLY_PREVALENCE,
    )
    decision = Lokus.objects.get(pk=decision.pk)
    assert str(decision.score) == "20.15" and decision.moved_since(harapan.score, harapan.rank) is None
    with translation.override("id"):
        assert format_number(harapan.score, 1) == format_number(decision.score, 1) == "20,2"
        assert "skor 20,2" in decision.reason and actions.is_ranking_reason(decision)


def test_a_reason_in_either_language_is_known_as_the_rankings_own():
    score = Score("73.24.04.2001", "Harapan", 31.25, 2)
    for language in ("id", "en"):
        with translation.override(language):
            reason = actions.default_reason(score, False)
        decision = Lokus(desa_id=score.code, year=2031, selected=False, reason=reason, score=31.25, rank=2)
        assert actions.is_ranking_reason(decision), reason
    with translation.override("id"):
        assert "skor 31,3" in actions.default_reason(score, False)  # round(31.25, 1) is 31.2: ties to even


def test_the_gap_heatmaps_tooltips_hold_the_tables_digits(alice):
    from tumbuh.analisis import situation
    from tumbuh.analisis.charts import gap_heatmap
    from tumbuh.core.numbers import round_figure
    from tumbuh.wilayah.models import Wilayah

    s = situation.build(alice, Wilayah.objects.get(pk="73.24"), 2026)
    data = gap_heatmap(s)["data"]["values"]
    assert data
    cells = {
        (f"{r.desa.name} ({r.kecamatan})", i.short_name): r.coverage[i.code]
        for r in s.rows
        for i in situation.reported_indicators(s)
    }
    for d in data:
        cell = cells[(d["desa"], d["indikator"])]
        assert d["cakupan"] == float(round_figure(cell.value, 1))
        assert d["gap"] == (float(round_figure(cell.gap, 1)) if cell.gap is not None else None)
