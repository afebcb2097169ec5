"""The ways the village layer changes: each asks the policy, validates, writes and audits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save

from . import scorecard
from .autofill import child_answers
from .models import MentorVisit, ScorecardTarget


def do_save_checked(actor, obj, *, reason: str = ""):
    """Create or change ``obj`` after asking the policy (add for a new object, else change)."""
    policy.require(actor, policy.ADD if obj.pk is None else policy.CHANGE, obj)
    return do_save(actor, obj, reason=reason)


def do_record_target(actor, target: ScorecardTarget, answers: dict[str, str], *, reason: str = "") -> ScorecardTarget:
    """Record one target person's answers for the quarter. For a child 0–23 months linked to
    Tumbuh's record, the items Tumbuh knows are filled from the measurements and override
    what was typed (the form shows them read-only)."""
    if target.child_id and not policy.is_visible(actor, target.child):
        raise ValidationError({"child": _("The child is outside your area.")})
    answers = {k: v for k, v in answers.items() if v}
    automatic: list[str] = []
    if target.child_id and target.group == scorecard.ANAK_0_23:
        known = child_answers(target.child, target.year, target.quarter)
        answers.update(known)
        automatic = sorted(known)
    target.answers, target.filled_by_tumbuh = answers, automatic
    target.recorded_by = actor if getattr(actor, "pk", None) else None
    return do_save_checked(actor, target, reason=reason or _("scorecard"))


def do_remove_target(actor, target: ScorecardTarget, *, reason: str) -> None:
    """Take a target person off the quarter's scorecard (recorded twice, moved away, not a
    target after all), with a reason; the levels follow, being computed from the rows."""
    policy.require(actor, policy.DELETE, target)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the person is removed.")})
    do_delete(actor, target, reason=reason.strip())


def do_log_mentoring(actor, visit: MentorVisit) -> MentorVisit:
    visit.recorded_by = actor if getattr(actor, "pk", None) else None
    return do_save_checked(actor, visit, reason=_("mentoring visit"))
