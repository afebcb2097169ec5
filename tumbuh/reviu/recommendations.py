"""What the annual review hands to next year's situation analysis (Aksi 1)."""

from __future__ import annotations

from .models import Recommendation


def recommendations_for(kabupaten_code: str, year: int) -> list[Recommendation]:
    """The recommendations that seed ``year``'s Aksi 1: those of the review of ``year - 1``
    (the review of a year is written at its end, for the cycle that follows), in their order,
    with their indicator and OPD loaded. [] when that review does not exist."""
    return list(
        Recommendation.objects.filter(review__kabupaten_id=kabupaten_code, review__year=year - 1)
        .select_related("indicator", "opd")
        .order_by("order", "pk")
    )
