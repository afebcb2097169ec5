"""Lokus weights and decisions: policy, validation, audit (``audit.actions``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import all_or_nothing, do_save
from tumbuh.core.numbers import format_number, round_figure

from .models import Lokus, LokusWeights
from .ranking import SCORE_PLACES, Score


def weights_for(kabupaten_code: str, year: int) -> LokusWeights:
    """The district's weights for ``year``, else its latest earlier ones, else the defaults
    (unsaved)."""
    found = LokusWeights.objects.filter(kabupaten_id=kabupaten_code, year__lte=year).order_by("-year").first()
    if found is None or found.year == year:
        return found or LokusWeights(kabupaten_id=kabupaten_code, year=year)
    return LokusWeights(kabupaten_id=kabupaten_code, year=year, **found.as_dict())


def save_weights(actor, weights: LokusWeights, *, reason: str = "") -> LokusWeights:
    stored = LokusWeights.objects.filter(kabupaten_id=weights.kabupaten_id, year=weights.year).first()
    if stored is not None and weights.pk is None:
        weights.pk = stored.pk
    return do_save(actor, weights, reason=reason)


@dataclass
class Decision:
    desa_code: str
    selected: bool
    reason: str


def default_reason(score: Score, selected: bool) -> str:
    return _ranking_reason(score.rank, score.score, selected)


def _ranking_reason(rank: int, score, selected: bool) -> str:
    """The ranking's words, quoting the score to one decimal in the active language (the score
    as a decision stores it, two decimals, rounded once more as every page shows it)."""
    verdict = _("recommended by the ranking") if selected else _("not among the recommended desa")
    return _("Rank %(rank)d of the ranking, score %(score)s: %(verdict)s.") % {
        "rank": rank,
        "score": format_number(round_figure(score, SCORE_PLACES), 1),
        "verdict": verdict,
    }


def is_ranking_reason(decision: Lokus) -> bool:
    """Whether the decision's reason is the ranking's own words (``default_reason`` of its
    stored rank and score, in any language), not the team's: saved again, it is written anew
    with the score of the day instead of quoting the old one."""
    if decision.score is None or decision.rank is None:
        return False
    reason = (decision.reason or "").strip()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if reason == _ranking_reason(decision.rank, decision.score, decision.selected):
                return True
    return False


def decide_lokus(
    actor,
    kabupaten_code: str,
    year: int,
    decisions: list[Decision],
    scores: dict[str, Score],
    weights: dict,
    *,
    reason: str = "",
) -> list[Lokus]:
    """Record the team's choice for each desa in ``decisions``, with its written reason and a
    snapshot of its score, parts and the weights used. All or nothing: one desa refused
    (outside the district, no reason) saves none; one the actor may not decide refuses the
    whole table (``PermissionDenied``)."""
    policy.require(actor, policy.ADD, Lokus)  # the table as a whole, even an empty one
    saved = []

    def write(d: Decision) -> bool:
        score = scores.get(d.desa_code)
        obj = Lokus.objects.filter(desa_id=d.desa_code, year=year).first() or Lokus(
            kabupaten_id=kabupaten_code, desa_id=d.desa_code, year=year
        )
        obj.selected, obj.reason = d.selected, d.reason.strip()
        obj.score = round_figure(score.score, SCORE_PLACES) if score else None
        obj.rank = score.rank if score else None
        obj.snapshot = {**(score.snapshot() if score else {}), "weights": {k: float(v) for k, v in weights.items()}}
        obj.decided_by = actor if actor.pk else None
        saved.append(do_save(actor, obj, reason=reason or d.reason))
        return True

    _n, errors = all_or_nothing(((d.desa_code, partial(write, d)) for d in decisions), raise_denied=True)
    if errors:
        raise ValidationError(errors)
    return saved
