"""Which families and children to suggest first for a foster parent.

Score = 3 × severity + risk factors + 2 when there is no help yet, where severity is
2 for a child whose latest length/height-for-age z-score is below −3 (sangat pendek), 1 below
−2 (pendek), 0 for a family (the KRS list carries no measurement). "Help" is a GENTING match or, for a family, a TPK visit that
facilitated social assistance (``Activity.SOCIAL_ASSISTANCE``). Families and children already matched
are left out unless asked for. The score is shown with its parts so the secretariat sees why,
and decides; nothing is matched automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tumbuh.accounts import policy
from tumbuh.krs.linking import STUNTED, with_latest_haz
from tumbuh.krs.models import Activity, Family, TpkVisit
from tumbuh.measurements.models import Child

from .models import FosterMatch


def severity(zlen: float | None) -> int:
    if zlen is None:
        return 0
    if zlen < -3:
        return 2
    if zlen < -2:
        return 1
    return 0


def score(sev: int, risks: int, helped: bool) -> int:
    return 3 * sev + risks + (0 if helped else 2)


@dataclass
class Candidate:
    kind: str  # "family" | "child": the keyword of ``actions.do_match``
    obj: object
    desa: object
    severity: int
    risks: int
    helped: bool  # has a GENTING match
    zlen: float | None = None
    other_help: bool = False  # e.g. social assistance facilitated by the TPK
    score: int = field(init=False)

    def __post_init__(self):
        self.score = score(self.severity, self.risks, self.helped or self.other_help)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.obj.pk}"


def stunted_children(user, desa_code: str | None = None):
    """Visible children whose latest length/height-for-age is pendek or sangat pendek (a
    flagged, implausible value does not count), annotated with ``haz_z``."""
    qs = policy.visible(user, Child.objects.all())
    if desa_code:
        qs = qs.filter(desa_id=desa_code)
    return with_latest_haz(qs).filter(haz_status__in=STUNTED).select_related("desa")


def suggestions(
    user, *, desa_code: str | None = None, include_helped: bool = False, limit: int = 100
) -> list[Candidate]:
    """Families of the latest KRS list and stunted children in the user's area, best first."""
    helped_families = set(FosterMatch.objects.filter(family__isnull=False).values_list("family_id", flat=True))
    helped_children = set(FosterMatch.objects.filter(child__isnull=False).values_list("child_id", flat=True))
    candidates = []
    families = policy.visible(user, Family.objects.select_related("desa"))
    if desa_code:
        families = families.filter(desa_id=desa_code)
    year = families.order_by("-year").values_list("year", flat=True).first()
    assisted = set(TpkVisit.objects.filter(activity=Activity.SOCIAL_ASSISTANCE).values_list("family_id", flat=True))
    for family in families.filter(year=year) if year else []:
        candidates.append(
            Candidate(
                "family",
                family,
                family.desa,
                0,
                family.risk_count,
                family.pk in helped_families,
                other_help=family.pk in assisted,
            )
        )
    for child in stunted_children(user, desa_code):
        candidates.append(
            Candidate(
                "child", child, child.desa, severity(child.haz_z), 0, child.pk in helped_children, zlen=child.haz_z
            )
        )
    if not include_helped:
        candidates = [c for c in candidates if not c.helped]
    candidates.sort(key=lambda c: (-c.score, c.zlen if c.zlen is not None else 0, c.desa.name, str(c.obj)))
    return candidates[:limit]
