"""Changing the plan: ask the policy (each OPD its own activities), validate, write, audit."""

from __future__ import annotations

from tumbuh.audit.actions import do_delete, do_save

from .models import Activity


def do_save_activity(actor, activity: Activity, *, desa, reason: str = "") -> Activity:
    """Create or update ``activity`` with its target ``desa``.

    OPD staff may only write their own OPD's activities, and may not hand one to another OPD:
    the stored activity and the edited one are both checked (by ``do_save``)."""
    desa = list(desa)
    activity.full_clean()
    activity.clean_desa(desa)
    return do_save(actor, activity, m2m={"desa": desa}, reason=reason)


def do_delete_activity(actor, activity: Activity, *, reason: str = "") -> None:
    do_delete(actor, activity, reason=reason)
