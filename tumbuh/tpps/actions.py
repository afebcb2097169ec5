"""Changing a team: each action asks the policy, validates, writes and audits (``do_save``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.audit.actions import do_save
from tumbuh.documents.actions import do_attach

from .models import Decree, Member


def do_save_team_record(actor, obj, *, reason: str = ""):
    """Create or change a decree, working group or member of a team the actor manages."""
    return do_save(actor, obj, reason=reason)


def do_record_decree(actor, decree: Decree, *, file=None, reason: str = "") -> Decree:
    """Save the decree and, when given, attach its signed scan, in one transaction."""
    with transaction.atomic():
        decree = do_save_team_record(actor, decree, reason=reason)
        if file is not None:
            do_attach(
                actor,
                decree,
                file=file,
                kind="sk",
                title=_("Decree %(number)s") % {"number": decree.number},
                wilayah_code=decree.tpps.wilayah_id,
                reason=reason,
            )
    return decree


def do_end_membership(actor, member: Member, *, last_day: dt.date, reason: str = "") -> Member:
    """The member leaves the team after ``last_day`` (the membership itself stays on record)."""
    if member.valid_to is not None and member.valid_to < last_day:
        raise ValidationError({"valid_to": _("This membership already ended on %(day)s.") % {"day": member.valid_to}})
    member.valid_to = last_day
    return do_save_team_record(actor, member, reason=reason)


def do_change_position(actor, member: Member, *, from_day: dt.date, reason: str = "", **changes) -> Member:
    """From ``from_day`` the person holds a new place in the team (position, working group,
    office, decree): the current membership ends the day before and a new one starts, so the
    team on earlier dates is unchanged."""
    if from_day <= member.valid_from:
        raise ValidationError({"valid_from": _("The change must start after the membership began.")})
    with transaction.atomic():
        do_end_membership(actor, member, last_day=from_day - dt.timedelta(days=1), reason=reason)
        successor = Member.objects.get(pk=member.pk)
        successor.pk = None
        successor._state.adding = True
        successor.valid_from, successor.valid_to = from_day, None
        for name, value in changes.items():
            setattr(successor, name, value)
        return do_save_team_record(actor, successor, reason=reason)
