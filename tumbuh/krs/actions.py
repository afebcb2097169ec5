"""The ways KRS data changes: each asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save

from .models import SOURCE_PK, Family, FamilyChild, FamilyCount, LinkMethod, Tpk, TpkVisit


def do_save_tpk(actor, tpk: Tpk, *, reason: str = "") -> Tpk:
    policy.require(actor, policy.ADD if tpk.pk is None else policy.CHANGE, tpk)
    return do_save(actor, tpk, reason=reason)


def do_assign_tpk(actor, family: Family, tpk: Tpk | None, *, reason: str = "") -> Family:
    """Give the family a TPK of its own desa (``None``: no team any more)."""
    policy.require(actor, policy.CHANGE, family)
    if tpk is not None:
        if not policy.is_visible(actor, tpk):
            raise ValidationError({"tpk": _("Choose a TPK of your area.")})
        if not tpk.is_active:
            raise ValidationError({"tpk": _("This TPK is no longer active.")})
    family.tpk = tpk
    return do_save(actor, family, reason=reason or _("TPK assigned"))


def do_log_visit(
    actor,
    family: Family,
    *,
    date: datetime.date,
    activity: str,
    notes: str = "",
    tpk: Tpk | None = None,
    today: datetime.date,
) -> TpkVisit:
    """Record a TPK visit to the family; the family's own TPK unless another is named; never after ``today``."""
    tpk = tpk or family.tpk
    if tpk is None:
        raise ValidationError({"tpk": _("Assign a TPK to the family first.")})
    visit = TpkVisit(
        family=family,
        tpk=tpk,
        date=date,
        activity=activity,
        notes=notes,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    policy.require(actor, policy.ADD, visit)
    if date > today:
        raise ValidationError({"date": _("A visit cannot be in the future.")})
    return do_save(actor, visit, reason=_("TPK visit"))


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why: how do you know?")})
    return reason[:300]


def do_link_child(actor, family: Family, child, *, reason: str, method: str = LinkMethod.SUGGESTION) -> FamilyChild:
    """Confirm that ``child`` belongs to ``family`` (a family of one year's list), with why.

    The child must live in the family's desa and be visible to the actor, and may belong to one
    family per year: a link to another family of that year is refused (remove it first)."""
    reason = _reason(reason)
    if not policy.is_visible(actor, child):
        raise ValidationError({"child": _("The child is outside your area.")})
    link = FamilyChild(
        family=family,
        child=child,
        year=family.year,
        method=method,
        reason=reason,
        linked_by=actor if getattr(actor, "pk", None) else None,
    )
    policy.require(actor, policy.ADD, link)
    with transaction.atomic():
        # Lock the child's links of that year so two users confirming at once cannot both pass.
        existing = FamilyChild.objects.select_for_update().filter(child=child, year=family.year).first()
        if existing is not None:
            if existing.family_id == family.pk:
                raise ValidationError({"child": _("This child is already linked to this family.")})
            raise ValidationError(
                {
                    "child": _(
                        "This child is already linked to %(family)s in the %(year)s list: remove that link first."
                    )
                    % {"family": existing.family.head_name, "year": existing.year}
                }
            )
        return do_save(actor, link, reason=reason)


def do_unlink_child(actor, link: FamilyChild, *, reason: str) -> None:
    """Remove a link (a mistaken confirmation, a child who moved away), with why."""
    reason = _reason(reason)
    policy.require(actor, policy.DELETE, link)
    do_delete(actor, link, reason=reason)


def do_set_family_count(
    actor,
    desa_code: str,
    year: int,
    *,
    families: int,
    families_with_under_five: int | None = None,
    source: str = "",
    reason: str,
) -> FamilyCount:
    """Create or update the number of families of one desa in one year (``source`` empty: the
    stored source, for a new number Pendataan Keluarga BKKBN)."""
    obj = FamilyCount.objects.filter(desa_id=desa_code, year=year).first() or FamilyCount(desa_id=desa_code, year=year)
    policy.require(actor, policy.ADD if obj.pk is None else policy.CHANGE, obj)
    obj.families, obj.families_with_under_five = families, families_with_under_five
    obj.source = source or obj.source or SOURCE_PK
    obj.import_batch = None  # entered by hand from now on
    return do_save(actor, obj, reason=reason)


def do_clear_family_count(actor, obj: FamilyCount, *, reason: str) -> None:
    """Remove a desa's number of families for the year (the Master Ansit cell goes empty)."""
    policy.require(actor, policy.DELETE, obj)
    do_delete(actor, obj, reason=reason)
