"""Aksi 1 with the demo data: the situation table, the saved lokus (reproducible, explained,
with written reasons), lokus_desa for the plan, and who may decide."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.analisis import actions, situation
from tumbuh.analisis.models import Lokus, LokusWeights, lokus_desa
from tumbuh.analisis.ranking import Score, rank
from tumbuh.audit.models import AuditLog
from tumbuh.measurements.models import Measurement
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

KAB = "73.24"
BALANTANG = "73.24.04.2010"


def _scores(user, year=2026, weights=None):
    s = situation.build(user, Wilayah.objects.get(pk=KAB), year)
    w = weights or {k: float(v) for k, v in actions.weights_for(KAB, year).as_dict().items()}
    return s, rank([r.figures() for r in s.rows], w)


def test_the_situation_row_matches_the_measurements(alice):
    s = situation.build(alice, Wilayah.objects.get(pk=KAB), 2026)
    assert s.data_year == 2025 and s.period.key == "R2025-08"
    row = next(r for r in s.rows if r.desa.code == BALANTANG)
    latest = {}
    for m in Measurement.objects.filter(
        desa_id=BALANTANG, date__year=2025, date__month__gte=8, zlen__isnull=False, flen=False
    ).order_by("date", "pk"):
        latest[m.child_id] = m.zlen
    assert row.measured_length == len(latest) > 0
    assert row.sangat_pendek == sum(1 for z in latest.values() if z < -3)
    assert row.pendek == sum(1 for z in latest.values() if -3 <= z < -2)
    from tumbuh.krs.counts import krs_count

    assert row.krs == krs_count(row.desa.code, 2025) > 0  # the demo's 2025 KRS list of Malili
    assert row.coverage["bumil-ttd-90"].value is not None  # demo coverage for Malili
    assert row.coverage["balita-dipantau"].source == "computed"


def test_the_demo_lokus_is_saved_with_reasons_and_snapshot():
    chosen = lokus_desa(KAB, 2026)
    assert len(chosen) == 10
    saved = Lokus.objects.filter(kabupaten_id=KAB, year=2026)
    assert all(d.reason for d in saved)
    against = saved.get(selected=False)  # recommended, left out by the team
    assert against.rank == 10 and "lokus tiga tahun" in against.reason
    snap = saved.get(desa_id=chosen[0]).snapshot
    assert set(snap["parts"]) == {"prevalence", "stunted", "coverage_gap", "data_quality"}
    assert snap["weights"] == {"prevalence": 40.0, "stunted": 30.0, "coverage_gap": 20.0, "data_quality": 10.0}
    assert sum(p["points"] for p in snap["parts"].values()) == pytest.approx(snap["score"], abs=0.05)
    assert lokus_desa(KAB, 2031) == [] and lokus_desa("73.17", 2026) == []


def test_the_ranking_is_reproducible_from_the_stored_data(alice):
    _s, first = _scores(alice)
    _s, again = _scores(alice)
    assert [(x.code, x.score) for x in first] == [(x.code, x.score) for x in again]
    stored = {d.desa_id: d for d in Lokus.objects.filter(year=2026)}
    for sc in first[:9]:
        assert stored[sc.code].rank == sc.rank and float(stored[sc.code].score) == pytest.approx(sc.score, abs=0.005)


def test_choosing_against_the_ranking_needs_a_reason(alice):
    s, scores = _scores(alice)
    by_code = {x.code: x for x in scores}
    low = scores[-1]
    with pytest.raises(ValidationError) as e:
        actions.decide_lokus(alice, KAB, 2031, [actions.Decision(low.code, True, "  ")], by_code, {})
    assert low.code in e.value.message_dict
    assert not Lokus.objects.filter(year=2031).exists()
    actions.decide_lokus(alice, KAB, 2031, [actions.Decision(low.code, True, "Usulan musrenbang desa")], by_code, {})
    assert lokus_desa(KAB, 2031) == [low.code]
    assert AuditLog.objects.filter(object_type="analisis.lokus", after__reason="Usulan musrenbang desa").exists()


@pytest.mark.parametrize(
    "username", ["dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim", "admin.luwu"]
)
def test_only_the_secretariat_decides_the_lokus(demo_users, username, alice):
    _s, scores = _scores(alice)
    with pytest.raises(PermissionDenied):
        actions.decide_lokus(
            demo_users[username],
            KAB,
            2031,
            [actions.Decision(scores[0].code, True, "x")],
            {x.code: x for x in scores},
            {},
        )
    with pytest.raises(PermissionDenied):
        actions.save_weights(demo_users[username], LokusWeights(kabupaten_id=KAB, year=2031, prevalence=1))


def test_weights_are_saved_per_year_and_carry_forward(alice):
    actions.save_weights(
        alice,
        LokusWeights(kabupaten_id=KAB, year=2030, prevalence=10, stunted=10, coverage_gap=70, data_quality=10),
        reason="fokus layanan",
    )
    carried = actions.weights_for(KAB, 2032)
    assert carried.pk is None and carried.coverage_gap == 70
    assert actions.weights_for(KAB, 2029).prevalence == 40  # before: the defaults
    with pytest.raises(ValidationError):
        actions.save_weights(
            alice, LokusWeights(kabupaten_id=KAB, year=2030, prevalence=0, stunted=0, coverage_gap=0, data_quality=0)
        )


# ---------------------------------------------------------------- a decision's score against today's (issue 14)
def _new_weights():
    """Weights that move the ranking: the number of stunted children alone."""
    LokusWeights.objects.update_or_create(
        kabupaten_id=KAB, year=2026, defaults={"prevalence": 0, "stunted": 100, "coverage_gap": 0, "data_quality": 0}
    )


def _indonesian(value) -> str:
    from tumbuh.core.numbers import format_number

    return format_number(value, 1, "id")


def test_the_lokus_page_says_the_score_changed_since_the_decision(client, alice):
    _new_weights()
    _s, live = _scores(alice)
    live = {x.code: x for x in live}
    chosen = Lokus.objects.filter(kabupaten_id=KAB, year=2026, selected=True).order_by("rank").first()
    now = live[chosen.desa_id]
    assert round(float(chosen.score), 1) != round(now.score, 1)
    client.force_login(alice)
    html = client.get("/analisis/lokus/?year=2026").content.decode()
    row = html.split(f'data-desa="{chosen.desa_id}"')[1].split("</tr>")[0]
    assert (
        f"Skor berubah sejak keputusan: {_indonesian(float(chosen.score))} → {_indonesian(now.score)} "
        f"(peringkat {chosen.rank} → {now.rank})"
    ) in row
    assert 'data-testid="ranking-moved"' in html


def test_a_decision_on_todays_ranking_has_no_notice(client, alice):
    _s, live = _scores(alice)
    saved = Lokus.objects.filter(kabupaten_id=KAB, year=2026)
    weights = actions.weights_for(KAB, 2026).as_dict()
    actions.decide_lokus(
        alice,
        KAB,
        2026,
        [actions.Decision(d.desa_id, d.selected, d.reason) for d in saved],
        {x.code: x for x in live},
        weights,
    )  # decided again, on today's data
    client.force_login(alice)
    html = client.get("/analisis/lokus/?year=2026").content.decode()
    assert 'data-testid="score-moved"' not in html and 'data-testid="ranking-moved"' not in html


def test_the_decree_notes_the_scores_that_moved(client, alice):
    import io

    import docx

    _new_weights()
    _s, live = _scores(alice)
    live = {x.code: x for x in live}
    chosen = Lokus.objects.filter(kabupaten_id=KAB, year=2026, selected=True).order_by("rank").first()
    client.force_login(alice)
    response = client.get("/analisis/lokus/sk/", {"year": 2026, "format": "docx"})
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "Skor berubah sejak keputusan:" in body
    assert (
        f"{chosen.desa.name} {_indonesian(float(chosen.score))} → {_indonesian(live[chosen.desa_id].score)} "
        f"(peringkat {chosen.rank} → {live[chosen.desa_id].rank})"
    ) in body


def test_saving_again_writes_the_rankings_reason_with_the_score_of_the_day(client, alice):
    _s, scores = _scores(alice, 2031)
    top = scores[0]
    actions.decide_lokus(
        alice, KAB, 2031, [actions.Decision(top.code, True, actions.default_reason(top, True))], {top.code: top}, {}
    )
    decision = Lokus.objects.get(year=2031, desa_id=top.code)
    assert actions.is_ranking_reason(decision)
    older = Score(top.code, top.name, top.score - 5, top.rank)  # decided on older data: its reason quotes that score
    Lokus.objects.filter(pk=decision.pk).update(score=round(older.score, 2), reason=actions.default_reason(older, True))
    decision.refresh_from_db()
    assert actions.is_ranking_reason(decision) and _indonesian(older.score) in decision.reason
    client.force_login(alice)
    page = "/analisis/lokus/?year=2031&n=1"  # the first desa recommended, and chosen
    client.post(page, {"year": 2031, "selected": [top.code], f"reason-{top.code}": decision.reason})
    decision.refresh_from_db()
    assert decision.reason == actions.default_reason(top, True) and float(decision.score) == pytest.approx(
        top.score, abs=0.005
    )
    custom = "Usulan musrenbang, skor lama"
    Lokus.objects.filter(pk=decision.pk).update(reason=custom)
    client.post(page, {"year": 2031, "selected": [top.code], f"reason-{top.code}": custom})
    decision.refresh_from_db()
    assert decision.reason == custom  # the team's own words are kept
