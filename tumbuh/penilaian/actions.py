"""Changing an assessment: ask the policy, validate, write, audit (``audit.actions``)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tumbuh.audit.actions import do_save

from .models import Assessment, Score, Status


def do_start_assessment(actor, province, year: int, rubric, *, first_year=(), reason: str = "") -> Assessment:
    """Open ``province``'s assessment of ``year`` against ``rubric`` (a draft)."""
    assessment = Assessment(province=province, year=year, rubric=rubric)
    return do_save(actor, assessment, m2m={"first_year": list(first_year)}, reason=reason)


def do_set_first_year(actor, assessment: Assessment, kabupaten_codes, *, reason: str = "") -> Assessment:
    """Mark the districts in their year I (for those whose year before Tumbuh does not hold)."""
    _refuse_final(assessment)
    assessment = do_save(actor, assessment, m2m={"first_year": list(kabupaten_codes)}, reason=reason)
    assessment.__dict__.pop("_first_year_codes", None)
    return assessment


def do_score(
    actor, assessment: Assessment, kabupaten_code: str, criterion, level, comment: str = "", *, reason: str = ""
) -> Score:
    """Set one district's score on one criterion: a level of the criterion (or none yet) and a
    comment. A final assessment refuses (``Score.clean``)."""
    score = Score.objects.filter(assessment=assessment, kabupaten_id=kabupaten_code, criterion=criterion).first()
    if score is None:
        score = Score(assessment=assessment, kabupaten_id=kabupaten_code, criterion=criterion)
    score.assessment = assessment
    score.level = level
    score.comment = (comment or "").strip()
    return do_save(actor, score, reason=reason)


def do_finalise(actor, assessment: Assessment, *, now: datetime.datetime, reason: str = "") -> Assessment:
    """Make the assessment final: its scores are locked, and each district reads its own."""
    _refuse_final(assessment)
    assessment.status = Status.FINAL
    assessment.finalised_at = now
    assessment.finalised_by = actor if getattr(actor, "pk", None) else None
    return do_save(actor, assessment, reason=reason)


def do_reopen(actor, assessment: Assessment, *, reason: str) -> Assessment:
    """Reopen a final assessment, with the province's reason (kept on it and in the audit)."""
    reason = (reason or "").strip()
    if not assessment.is_final:
        raise ValidationError(_("This assessment is not final."))
    if not reason:
        raise ValidationError(_("Give the reason for reopening."))
    assessment.status = Status.DRAFT
    assessment.reopen_reason = reason
    return do_save(actor, assessment, reason=reason)


def _refuse_final(assessment: Assessment) -> None:
    if assessment.is_final:
        raise ValidationError(_("This assessment is final: the province reopens it before a score changes."))
