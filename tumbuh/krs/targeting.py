"""Targeting: which stunted children are not in a KRS family, and which KRS families with a
stunted child have no TPK (the TPPS's first questions when it plans family assistance).

- A child is **stunted in a period** (a February/August round, a month or a year, see
  ``dashboards.periods``) when their latest measurement dated in it that carries a
  length/height-for-age z-score has the Permenkes category *pendek* or *sangat pendek*; a
  flagged (implausible) value counts as missing, as on the dashboards. The child counts in
  the desa of their household (``Child.desa``), not of the posyandu.
- A stunted child is **in a KRS family** when a user linked them (``FamilyChild``) to a
  family of the chosen year's list.
- A **family with a stunted child** is a family of that list linked to a child stunted in the
  period; the ones without a TPK are the gap the TPK should close first.

Everything is limited to what the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from tumbuh.accounts import policy
from tumbuh.dashboards.periods import Period
from tumbuh.growth.classify import IMPLAUSIBLE
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Level, Wilayah

from .linking import STUNTED, with_latest_haz
from .models import Family, FamilyChild


def stunted_in(children, period: Period):
    """``children`` stunted in ``period``, annotated with ``haz_status``, ``haz_z`` and
    ``haz_date`` of the measurement that decides."""
    return with_latest_haz(children, period).filter(haz_status__in=STUNTED)


def list_years(user, within: Wilayah | None = None) -> list[int]:
    """The years of the KRS lists the user can see, newest first."""
    families = _within(policy.visible(user, Family.objects.all()), within)
    return list(families.order_by("-year").values_list("year", flat=True).distinct())


def default_year(years: list[int], period: Period) -> int | None:
    """The period's own year if its list is in Tumbuh, else the latest list before it, else the
    latest list."""
    if not years:
        return None
    earlier = [y for y in years if y <= period.year]
    return max(earlier) if earlier else max(years)


def _within(qs, within: Wilayah | None, path: str = "desa__"):
    return qs.filter(Wilayah.subtree_q(within.code, path)) if within is not None else qs


@dataclass
class DesaRow:
    desa: Wilayah
    stunted: int = 0
    linked: int = 0
    families: int = 0  # on the year's list
    families_stunted: int = 0  # of which linked to a child stunted in the period
    families_stunted_no_tpk: int = 0

    @property
    def unlinked(self) -> int:
        return self.stunted - self.linked


@dataclass
class Targeting:
    period: Period
    year: int | None
    rows: list[DesaRow] = field(default_factory=list)
    children: object = None  # stunted children without a family of the year's list (a queryset)
    families: object = None  # the year's families with a stunted child and no TPK (a queryset)
    #: What the two lists rest on, in their area (the chosen desa when there is one): children
    #: with a valid length/height-for-age in the period, of whom stunted, and the year's
    #: families linked to a stunted child.
    measured_children: object = None  # a queryset, counted only when a list is empty (``measured``)
    stunted: int = 0
    families_stunted: int = 0

    @cached_property
    def measured(self) -> int:
        return self.measured_children.count() if self.measured_children is not None else 0

    @property
    def totals(self) -> DesaRow:
        total = DesaRow(desa=None)
        for r in self.rows:
            for name in ("stunted", "linked", "families", "families_stunted", "families_stunted_no_tpk"):
                setattr(total, name, getattr(total, name) + getattr(r, name))
        return total


def build(
    user, *, period: Period, year: int | None, within: Wilayah | None = None, desa_code: str | None = None
) -> Targeting:
    """Counts per desa in ``within`` (all the user sees when None), and the two lists (limited
    to ``desa_code`` when given)."""
    stunted = stunted_in(_within(policy.visible(user, Child.objects.all()), within), period)
    linked = FamilyChild.objects.filter(child=OuterRef("pk"), year=year)
    stunted = stunted.annotate(in_krs=Exists(linked))
    families = _within(policy.visible(user, Family.objects.filter(year=year)), within)
    with_stunted = families.filter(
        Exists(FamilyChild.objects.filter(family=OuterRef("pk"), child__in=stunted.values("pk")))
    )

    rows: dict[str, DesaRow] = {}

    def row(code):
        if code not in rows:
            rows[code] = DesaRow(desa=None)
        return rows[code]

    for r in stunted.order_by().values("desa_id").annotate(n=Count("pk"), k=Count("pk", filter=Q(in_krs=True))):
        row(r["desa_id"]).stunted, row(r["desa_id"]).linked = r["n"], r["k"]
    for r in families.order_by().values("desa_id").annotate(n=Count("pk")):
        row(r["desa_id"]).families = r["n"]
    for r in (
        with_stunted.order_by().values("desa_id").annotate(n=Count("pk"), gap=Count("pk", filter=Q(tpk__isnull=True)))
    ):
        row(r["desa_id"]).families_stunted, row(r["desa_id"]).families_stunted_no_tpk = r["n"], r["gap"]
    names = Wilayah.objects.filter(code__in=list(rows), level=Level.DESA).in_bulk()
    for code, r in rows.items():
        r.desa = names[code]

    children = stunted.filter(in_krs=False)
    gap = with_stunted.filter(tpk__isnull=True)
    measured = (
        with_latest_haz(_within(policy.visible(user, Child.objects.all()), within), period)
        .filter(haz_status__isnull=False)
        .exclude(haz_status__in=("", IMPLAUSIBLE))
    )
    if desa_code:
        children, gap = children.filter(desa_id=desa_code), gap.filter(desa_id=desa_code)
        measured = measured.filter(desa_id=desa_code)
    listed = [r for r in rows.values() if not desa_code or r.desa.code == desa_code]
    return Targeting(
        period=period,
        year=year,
        measured_children=measured,
        stunted=sum(r.stunted for r in listed),
        families_stunted=sum(r.families_stunted for r in listed),
        rows=sorted(rows.values(), key=lambda r: (-r.unlinked, -r.families_stunted_no_tpk, r.desa.name)),
        children=children.select_related("desa", "posyandu").order_by("desa__name", "haz_z", "name"),
        families=gap.select_related("desa").order_by("desa__name", "head_name"),
    )


def stunted_children_of(families, period: Period) -> dict[int, list]:
    """For each family (id), its linked children stunted in ``period`` (with their status)."""
    family_ids = [family.pk for family in families]
    children = stunted_in(Child.objects.filter(krs_links__family_id__in=family_ids), period).annotate(
        family_id=Subquery(
            FamilyChild.objects.filter(child=OuterRef("pk"), family_id__in=family_ids).values("family_id")[:1]
        )
    )
    out: dict[int, list] = {}
    for child in children.order_by("name"):
        out.setdefault(child.family_id, []).append(child)
    return out
