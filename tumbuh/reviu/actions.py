"""Changing the review: ask the policy, validate, write, audit."""

from __future__ import annotations

from tumbuh.audit.actions import do_delete, do_save

from .models import AnnualReview, Realisation, Recommendation


def do_save_realisation(actor, realisation: Realisation, *, reason: str = "") -> Realisation:
    """An OPD's realisation of one of its own activities (the secretariat may correct any)."""
    return do_save(actor, realisation, reason=reason)


def do_save_review(actor, review: AnnualReview, *, reason: str = "") -> AnnualReview:
    if review.pk is None and actor.pk:
        review.created_by = actor
    return do_save(actor, review, reason=reason)


def do_save_recommendation(actor, recommendation: Recommendation, *, reason: str = "") -> Recommendation:
    if recommendation.pk is None and not recommendation.order:
        recommendation.order = recommendation.review.recommendations.count() + 1
    return do_save(actor, recommendation, reason=reason)


def do_delete_recommendation(actor, recommendation: Recommendation, *, reason: str = "") -> None:
    do_delete(actor, recommendation, reason=reason)
