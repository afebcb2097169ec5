"""Which child measured at the posyandu may belong to which at-risk family: suggestions only.

Nothing is linked automatically: a family's page lists the children of its desa ranked by a
score whose parts are shown, and a user who knows the household confirms one
(``actions.do_link_child``); a child's page does the same the other way round. The score adds:

- **same RT and RW** (+3), or the same RW only (+1) ("003" and "3" are the same RT);
- **the parent's name against the family head's name** (+4 when ≥ 90 % alike, +3 from 75 %,
  +2 from 60 %): ``difflib``'s ratio on the names folded to lower case without punctuation,
  in their written and in sorted word order, or 90 % when every word of the shorter name is in
  the longer one ("Aminah" and "Sitti Aminah"). e-PPGBM's "Nama Ortu" is often the mother
  and the KRS list names the head (often the father), so a low name score proves nothing;
- **the child's address against the family's** (+2 when ≥ 85 % alike, +1 from 60 %), without
  the words every address has ("Dusun", "Jl.", "RT"…); what is left, when shorter than four
  letters ("II"), counts only when equal;
- **linked before**: the child was linked to a family with the same head's NIK in an earlier
  year's list (+5);
- −1 when the family lists no child under five (``Family.has_under_five`` is False; a list
  that does not say takes nothing off) although the child was under five in the list's year.

Candidates are the children of the family's desa who were under five at some time in the list's
year and are not yet linked to a family of that year; a suggestion needs a score above zero.
Ties are broken by name.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.core.numbers import format_number, to_decimal
from tumbuh.imports.cells import fold
from tumbuh.measurements.models import Child, Measurement

from .models import Family, FamilyChild

SAME_RT_RW, SAME_RW = 3, 1
NAME_POINTS = ((0.9, 4), (0.75, 3), (0.6, 2))
ADDRESS_POINTS = ((0.85, 2), (0.6, 1))
LINKED_BEFORE = 5
NO_CHILD_LISTED = -1
LIMIT = 10

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
#: Words every address has: left out before addresses are compared ("Dusun II" and "Dsn. II" are one).
ADDRESS_WORDS = frozenset(
    {
        "dusun",
        "dsn",
        "lingkungan",
        "lingk",
        "lk",
        "jalan",
        "jl",
        "jln",
        "kampung",
        "kp",
        "rt",
        "rw",
        "desa",
        "ds",
        "kelurahan",
        "kel",
        "no",
        "nomor",
        "gang",
        "gg",
        "blok",
        "perumahan",
        "perum",
    }
)


@dataclass
class Reason:
    points: int
    text: str


@dataclass
class Suggestion:
    """A candidate (a ``Child`` for a family, a ``Family`` for a child) and why."""

    obj: object
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(r.points for r in self.reasons)

    def explanation(self) -> str:
        return "; ".join(r.text for r in self.reasons)


def _key(text: str) -> str:
    return _NOT_ALNUM.sub(" ", fold(text or "")).strip()


def _number(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits.lstrip("0") or ("0" if digits else "")


def similarity(a: str, b: str) -> float:
    """How alike two names or addresses are, 0–1 (see the module's description)."""
    a, b = _key(a), _key(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    wa, wb = a.split(), b.split()
    ratio = max(ratio, difflib.SequenceMatcher(None, " ".join(sorted(wa)), " ".join(sorted(wb))).ratio())
    short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if all(len(w) >= 3 for w in short) and set(short) <= set(long):
        ratio = max(ratio, 0.9)
    return ratio


def address_similarity(a: str, b: str) -> float:
    """``similarity`` of two addresses without their common words; a short rest ("II", "3")
    counts only when equal, since "II" and "III" are different hamlets."""
    a, b = (" ".join(w for w in _key(x).split() if w not in ADDRESS_WORDS) for x in (a, b))
    if min(len(a), len(b)) < 4:
        return 1.0 if a and a == b else 0.0
    return similarity(a, b)


def _points(value: float, table) -> int:
    return next((points for cut, points in table if value >= cut), 0)


def _percent(value: float) -> str:
    """A likeness (0–1) as a whole percentage, rounded by the one rule on the decimal it is
    (0.825 → "83 %"; ``round(0.825 * 100)`` gave 82: a binary product, ties to even)."""
    return f"{format_number(to_decimal(value) * 100, 0)} %"


def under_five_in(child: Child, year: int) -> bool:
    """Whether the child was under five at some time in ``year`` (born in it or the five before)."""
    return dt.date(year - 5, 12, 31) < child.birth_date <= dt.date(year, 12, 31)


def under_five_during(children, year: int):
    """The children of a queryset who were under five at some time in ``year``."""
    return children.filter(birth_date__gt=dt.date(year - 5, 12, 31), birth_date__lte=dt.date(year, 12, 31))


def reasons(family: Family, child: Child, *, linked_before: dict | None = None) -> list[Reason]:
    """Why ``child`` may belong to ``family``; ``linked_before`` maps (child id, head's NIK) to
    the earlier list year in which they were linked."""
    out: list[Reason] = []
    rt, rw = (_number(family.rt), _number(family.rw)), (_number(child.rt), _number(child.rw))
    if rt[1] and rt[1] == rw[1]:
        if rt[0] and rt[0] == rw[0]:
            out.append(Reason(SAME_RT_RW, _("same RT %(rt)s / RW %(rw)s") % {"rt": child.rt, "rw": child.rw}))
        else:
            out.append(Reason(SAME_RW, _("same RW %(rw)s") % {"rw": child.rw}))
    name = similarity(child.parent_name, family.head_name)
    if points := _points(name, NAME_POINTS):
        out.append(
            Reason(
                points,
                _("parent's name %(parent)s is %(percent)s like the family head's")
                % {"parent": child.parent_name, "percent": _percent(name)},
            )
        )
    address = address_similarity(child.address, family.address)
    if points := _points(address, ADDRESS_POINTS):
        out.append(
            Reason(
                points,
                _("address %(address)s is %(percent)s like the family's")
                % {"address": child.address, "percent": _percent(address)},
            )
        )
    year = (linked_before or {}).get((child.pk, family.nik))
    if year:
        out.append(Reason(LINKED_BEFORE, _("linked to this family head in the %(year)s list") % {"year": year}))
    if family.has_under_five is False and under_five_in(child, family.year):
        out.append(Reason(NO_CHILD_LISTED, _("the family lists no child under five")))
    return out


def _ranked(suggestions: list[Suggestion], name) -> list[Suggestion]:
    return sorted(suggestions, key=lambda s: (-s.score, name(s.obj)))


#: The Permenkes length/height-for-age categories that are stunting (a flagged value is
#: ``implausible``: not counted, as on the dashboards).
STUNTED = ("pendek", "sangat_pendek")


def with_latest_haz(children, period=None):
    """``children`` annotated with their latest length/height-for-age (in ``period``, a
    ``dashboards.periods.Period``, when given): ``haz_status`` (the Permenkes category,
    ``implausible`` when flagged), ``haz_z`` and ``haz_date``."""
    latest = Measurement.objects.filter(child=OuterRef("pk"), zlen__isnull=False).order_by("-date")
    if period is not None:
        latest = latest.filter(date__gte=period.start, date__lte=period.end)
    return children.annotate(
        haz_status=Subquery(latest.values("status_tbu")[:1]),
        haz_z=Subquery(latest.values("zlen")[:1]),
        haz_date=Subquery(latest.values("date")[:1]),
    )


def candidate_children(user, family: Family):
    """The children who could be the family's: its desa, under five in its year, not linked to
    a family of that year; only those ``user`` may see."""
    return under_five_during(policy.visible(user, Child.objects.filter(desa_id=family.desa_id)), family.year).exclude(
        krs_links__year=family.year
    )


def _linked_before(family: Family) -> dict:
    return {
        (child_id, family.nik): year
        for child_id, year in FamilyChild.objects.filter(family__nik=family.nik, year__lt=family.year).values_list(
            "child_id", "year"
        )
    }


def explain(family: Family, child: Child) -> Suggestion:
    """The suggestion of ``child`` for ``family`` with its reasons (for a confirmation's record)."""
    return Suggestion(child, reasons(family, child, linked_before=_linked_before(family)))


def suggest_children(user, family: Family, *, q: str = "", limit: int = LIMIT) -> list[Suggestion]:
    """The family's candidate children, best first, with why. With ``q`` (a name), the
    children whose or whose parent's name holds it, whatever their score (for a child the
    suggestions missed)."""
    children = candidate_children(user, family)
    if q:
        children = children.filter(Q(name__icontains=q) | Q(parent_name__icontains=q))
    children = list(with_latest_haz(children).select_related("posyandu"))
    before = _linked_before(family)
    found = [Suggestion(c, reasons(family, c, linked_before=before)) for c in children]
    if not q:
        found = [s for s in found if s.score > 0]
    return _ranked(found, lambda c: c.name)[:limit]


def suggest_families(user, child: Child, year: int, *, limit: int = LIMIT) -> list[Suggestion]:
    """The families of ``year``'s list in the child's desa that the child may belong to, best
    first; none when the child was not under five in that year or is already linked to a family
    of that year (the same candidates as ``candidate_children``)."""
    if not under_five_in(child, year) or FamilyChild.objects.filter(child=child, year=year).exists():
        return []
    families = policy.visible(user, Family.objects.filter(desa_id=child.desa_id, year=year).select_related("tpk"))
    before = {
        (child.pk, nik): y
        for nik, y in FamilyChild.objects.filter(child=child, year__lt=year).values_list("family__nik", "year")
    }
    found = [Suggestion(family, reasons(family, child, linked_before=before)) for family in families]
    return _ranked([s for s in found if s.score > 0], lambda family: family.head_name)[:limit]
