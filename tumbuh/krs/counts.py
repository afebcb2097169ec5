"""What other apps ask of the KRS list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import RISK_FACTORS, Family


def latest_year(desa_code: str | None = None) -> int | None:
    qs = Family.objects.all()
    if desa_code:
        qs = qs.filter(desa_id=desa_code)
    return qs.order_by("-year").values_list("year", flat=True).first()


def krs_count(desa_code: str, year: int | None = None) -> int:
    """How many at-risk families the desa has in ``year``'s list (the latest list if None).

    Not scoped: callers ask the policy before showing the number."""
    if year is None:
        year = latest_year(desa_code)
        if year is None:
            return 0
    return Family.objects.filter(desa_id=desa_code, year=year).count()


@dataclass(frozen=True)
class Share:
    """How many families of a list have a risk factor, out of those whose list says yes or no
    for it; ``unknown``: families whose list did not carry it (never counted as "no")."""

    field: str
    label: object
    yes: int
    known: int
    unknown: int

    @property
    def percent(self) -> float | None:
        return self.yes / self.known * 100 if self.known else None


def risk_shares(families) -> list[Share]:
    """Per risk factor of ``families`` (a queryset the caller scoped): yes, known and unknown,
    in one query."""
    aggregates = {}
    for name, _label in RISK_FACTORS:
        aggregates[f"{name}__yes"] = Count("pk", filter=Q(**{name: True}))
        aggregates[f"{name}__known"] = Count("pk", filter=Q(**{f"{name}__isnull": False}))
    totals = families.order_by().aggregate(total=Count("pk"), **aggregates)
    return [
        Share(name, label, totals[f"{name}__yes"], totals[f"{name}__known"], totals["total"] - totals[f"{name}__known"])
        for name, label in RISK_FACTORS
    ]
