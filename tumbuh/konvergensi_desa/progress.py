"""What the district and the desa look at: the scorecard's levels per desa and quarter, the
villages' Aksi 4 status, villages without a mentor and mentors who have not visited."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Max

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

from . import scorecard
from .models import DesaMentor, DesaPolicy, ScorecardTarget


def quarter_people(desa_code: str, year: int, quarter: int) -> dict[str, list[ScorecardTarget]]:
    rows = ScorecardTarget.objects.filter(desa_id=desa_code, year=year, quarter=quarter).select_related("child")
    grouped: dict[str, list[ScorecardTarget]] = defaultdict(list)
    for row in rows.order_by("name"):
        grouped[row.group].append(row)
    return grouped


def quarter_levels(desa_code: str, year: int, quarter: int):
    grouped = quarter_people(desa_code, year, quarter)
    return scorecard.levels({g: [p.answers for p in people] for g, people in grouped.items()})


def district_quarter(user, year: int, quarter: int, focus_code: str | None = None) -> list[dict]:
    """Per visible desa that recorded the quarter: its levels per group and in total."""
    qs = policy.visible(user, ScorecardTarget.objects.filter(year=year, quarter=quarter))
    if focus_code:
        qs = qs.filter(Wilayah.subtree_q(focus_code, "desa__"))
    by_desa: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for desa, group, answers in qs.values_list("desa_id", "group", "answers"):
        by_desa[desa][group].append(answers)
    names = dict(Wilayah.objects.filter(code__in=list(by_desa)).values_list("code", "name"))
    rows = []
    for code in sorted(by_desa, key=lambda c: names.get(c, c)):
        per, total = scorecard.levels(by_desa[code])
        rows.append(
            {"code": code, "name": names.get(code, code), "per": [per[g] for g in scorecard.GROUPS], "total": total}
        )
    return rows


def visible_desa(user, focus_code: str | None = None):
    qs = policy.visible(user, Wilayah.objects.filter(level=Level.DESA))
    if focus_code:
        qs = qs.filter(Wilayah.subtree_q(focus_code))
    return qs


def aksi4_table(user, year: int, focus_code: str | None = None) -> tuple[list[tuple[Wilayah, DesaPolicy | None]], dict]:
    desa = list(visible_desa(user, focus_code).order_by("kecamatan_code", "name"))
    policies = {k.desa_id: k for k in policy.visible(user, DesaPolicy.objects.filter(year=year, desa__in=desa))}
    rows = [(d, policies.get(d.code)) for d in desa]
    counts = {
        "desa": len(desa),
        "regulation": sum(1 for k in policies.values() if k.has_regulation),
        "dana_desa": sum(1 for k in policies.values() if k.dana_desa > 0),
        "dana_desa_total": sum(k.dana_desa for k in policies.values()),
    }
    return rows, counts


def villages_without_mentor(user, year: int, focus_code: str | None = None):
    assigned = DesaMentor.objects.filter(year=year).values("desa_id")
    return visible_desa(user, focus_code).exclude(code__in=assigned).order_by("kecamatan_code", "name")


def mentors(user, year: int, focus_code: str | None = None):
    """The year's assignments with their visit counts (``visit_count``) and last visit
    (``last_visit``)."""
    qs = policy.visible(user, DesaMentor.objects.filter(year=year).select_related("opd", "desa"))
    if focus_code:
        qs = qs.filter(Wilayah.subtree_q(focus_code, "desa__"))
    return qs.annotate(visit_count=Count("visits"), last_visit=Max("visits__date")).order_by(
        "opd__short_name", "desa__name"
    )


def mentors_without_visits(user, year: int, focus_code: str | None = None):
    return mentors(user, year, focus_code).filter(visit_count=0)
