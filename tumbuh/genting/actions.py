"""The ways GENTING records change: each asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.documents.actions import do_attach

from .models import DEFAULT_SHARED, FosterMatch, FosterParent, Help, MatchStatus


def do_save_foster_parent(actor, parent: FosterParent, *, reason: str = "") -> FosterParent:
    policy.require(actor, policy.ADD if parent.pk is None else policy.CHANGE, parent)
    return do_save(actor, parent, reason=reason)


def earlier_matches(*, family=None, child=None):
    """Every match (active or ended) of this family or this child."""
    qs = FosterMatch.objects.none()
    if family is not None:
        qs = qs | FosterMatch.objects.filter(family=family)
    if child is not None:
        qs = qs | FosterMatch.objects.filter(child=child)
    return qs.select_related("foster_parent")


def do_match(
    actor,
    foster_parent: FosterParent,
    *,
    family=None,
    child=None,
    start_date: datetime.date,
    shared_fields=None,
    rematch_reason: str = "",
    priority: int = 0,
) -> FosterMatch:
    """Confirm a match. A family or child that already has a match (now or before) is matched
    again only with a reason; otherwise the match is refused."""
    if family is None and child is None:
        raise ValidationError(_("Choose a family or a child."))
    target = family or child
    if not policy.is_visible(actor, target) or not policy.is_visible(actor, foster_parent):
        raise ValidationError(_("The family or child is outside your area."))
    if not foster_parent.is_active:
        raise ValidationError({"foster_parent": _("This foster parent is no longer active.")})
    if family is not None and child is not None and family.desa_id != child.desa_id:
        raise ValidationError(_("The child lives in another desa than the family."))
    match = FosterMatch(
        foster_parent=foster_parent,
        family=family,
        child=child,
        desa_id=target.desa_id,
        start_date=start_date,
        shared_fields=list(DEFAULT_SHARED if shared_fields is None else shared_fields),
        rematch_reason=rematch_reason.strip(),
        priority=priority,
        confirmed_by=actor if getattr(actor, "pk", None) else None,
    )
    policy.require(actor, policy.ADD, match)
    with transaction.atomic():
        # Lock the target's earlier matches so that two secretaries confirming at once cannot both pass.
        earlier = list(earlier_matches(family=family, child=child).select_for_update())
        if earlier and not match.rematch_reason:
            names = ", ".join(sorted({str(m.foster_parent) for m in earlier}))
            raise ValidationError(
                {
                    "rematch_reason": _(
                        "Already matched (%(names)s): a family or child is matched again only with a reason."
                    )
                    % {"names": names}
                }
            )
        return do_save(actor, match, reason=match.rematch_reason or _("match confirmed"))


def do_set_shared_fields(actor, match: FosterMatch, fields: list[str], *, reason: str = "") -> FosterMatch:
    policy.require(actor, policy.CHANGE, match)
    match.shared_fields = list(fields)
    return do_save(actor, match, reason=reason or _("shared fields changed"))


def do_end_match(actor, match: FosterMatch, *, end_date: datetime.date, reason: str = "") -> FosterMatch:
    policy.require(actor, policy.CHANGE, match)
    match.status, match.end_date = MatchStatus.ENDED, end_date
    return do_save(actor, match, reason=reason or _("match ended"))


def do_record_help(
    actor, match: FosterMatch, *, kind: str, value: int, date: datetime.date, description: str = "", evidence=None
) -> Help:
    """Record help given under a match, with its evidence (a photo, a receipt) when given."""
    help_given = Help(
        match=match,
        kind=kind,
        value=value,
        date=date,
        description=description,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    policy.require(actor, policy.ADD, help_given)
    if match.status != MatchStatus.ACTIVE:
        raise ValidationError(_("The match has ended."))
    with transaction.atomic():
        do_save(actor, help_given, reason=_("help given"))
        if evidence is not None:
            do_attach(
                actor,
                help_given,
                file=evidence,
                kind="bukti bantuan",
                title=description or help_given.get_kind_display(),
                wilayah_code=match.desa_id,
                reason=_("evidence of help given"),
            )
    return help_given
