"""Changing the plan: ask the policy (each OPD its own activities), validate, write, audit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save

from .models import Activity


def require(actor, action: str, obj) -> None:
    """Ask the policy for a person; the system itself (``actor`` None: demo data, management
    commands) is not asked, as in the foundation's own loaders."""
    if actor is not None:
        policy.require(actor, action, obj)


def do_save_activity(actor, activity: Activity, *, desa, reason: str = "") -> Activity:
    """Create or update ``activity`` with its target ``desa``.

    OPD staff may only write their own OPD's activities, and may not hand one to another OPD:
    the stored activity and the edited one are both checked."""
    if activity.pk is None:
        require(actor, policy.ADD, activity)
    elif actor is not None:
        stored = policy.get_object_or_404(actor, Activity, pk=activity.pk)
        policy.require(actor, policy.CHANGE, stored)
        if not policy.can(actor, policy.CHANGE, activity):
            raise PermissionDenied
    desa = list(desa)
    activity.full_clean()
    activity.clean_desa(desa)
    return do_save(actor, activity, m2m={"desa": desa}, reason=reason)


def do_delete_activity(actor, activity: Activity, *, reason: str = "") -> None:
    require(actor, policy.DELETE, activity)
    do_delete(actor, activity, reason=reason)
