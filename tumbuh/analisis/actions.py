"""Lokus weights and decisions: policy, validation, audit (``audit.actions``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save

from .models import Lokus, LokusWeights
from .ranking import Score


def _require(actor, action: str, obj) -> None:
    """Ask the policy; ``actor=None`` is the system itself (demo data, batch commands)."""
    if actor is not None:
        policy.require(actor, action, obj)



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
    _require(actor, policy.CHANGE if weights.pk else policy.ADD, weights)
    return do_save(actor, weights, reason=reason)


@dataclass
class Decision:
    desa_code: str
    selected: bool
    reason: str


def default_reason(score: Score, selected: bool) -> str:
    verdict = _("recommended by the ranking") if selected else _("not among the recommended desa")
    return _("Rank %(rank)d of the ranking, score %(score)s: %(verdict)s.") % {
        "rank": score.rank, "score": f"{score.score:.1f}".replace(".", ","), "verdict": verdict}


def decide_lokus(actor, kabupaten_code: str, year: int, decisions: list[Decision], scores: dict[str, Score],
                 weights: dict, *, reason: str = "") -> list[Lokus]:
    """Record the team's choice for each desa in ``decisions``, with its written reason and a
    snapshot of its score, parts and the weights used. All or nothing: one desa refused
    (outside the district, no reason) saves none."""
    _require(actor, policy.ADD, Lokus)
    errors, saved = {}, []
    with transaction.atomic():
        for d in decisions:
            score = scores.get(d.desa_code)
            obj = Lokus.objects.filter(desa_id=d.desa_code, year=year).first() or Lokus(
                kabupaten_id=kabupaten_code, desa_id=d.desa_code, year=year)
            _require(actor, policy.CHANGE if obj.pk else policy.ADD, obj)
            obj.selected, obj.reason = d.selected, d.reason.strip()
            obj.score = Decimal(f"{score.score:.2f}") if score else None
            obj.rank = score.rank if score else None
            obj.snapshot = {**(score.snapshot() if score else {}), "weights": {k: float(v) for k, v in weights.items()}}
            obj.decided_by = actor if getattr(actor, "pk", None) else None
            try:
                saved.append(do_save(actor, obj, reason=reason or d.reason))
            except ValidationError as e:
                errors[d.desa_code] = " ".join(e.messages)
        if errors:
            transaction.set_rollback(True)
            raise ValidationError(errors)
    return saved
