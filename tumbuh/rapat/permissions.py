"""Who may run a meeting and follow it up (see ``accounts.policy.rules``).

The district admin runs every meeting in the district; a camat's account runs the meetings
of its kecamatan (and of the desa in it), a desa operator those of the desa. Everyone sees
the meetings above them, read-only. Progress on an action item is reported by its owner (the
OPD's staff, the kecamatan's or desa's account) or by whoever runs the meeting.

Attendance and minutes lock after the meeting day (``actions.lock_refusal``: a matter of the
day, which the actions are given, so it is checked there and not by these rules); only the
district admin (TPPS secretariat) reopens a locked meeting and closes it again (``may_reopen``)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import ActionItem, Attendee, Decision, ProgressNote, Rapat

_runs_meeting = policy.roles_in_node(Role.KECAMATAN, Role.DESA)
_manage = {policy.ADD: _runs_meeting, policy.CHANGE: _runs_meeting, policy.DELETE: _runs_meeting}


def _reports_progress(user, note) -> bool:
    if _runs_meeting(user, note):
        return True
    if user.role not in (Role.OPD, Role.KECAMATAN, Role.DESA):
        return False
    return note is None or ActionItem.objects.filter(pk=note.item_id).owned_by(user).exists()


def may_reopen(user, rapat) -> bool:
    """Whether ``user`` may reopen ``rapat`` after its day (and close it again): the district
    admin of the district that holds it (the system and superusers too)."""
    return policy.can(user, policy.CHANGE, rapat) and (policy.is_global(user) or user.role == Role.DISTRICT_ADMIN)


def RULES():
    return {
        Rapat: dict(_manage),
        Attendee: dict(_manage),
        Decision: dict(_manage),
        ActionItem: dict(_manage),
        # Progress notes are a log: added by the owner or the organiser, corrected by the district only.
        ProgressNote: {
            policy.ADD: _reports_progress,
            policy.CHANGE: policy.district_admin,
            policy.DELETE: policy.district_admin,
        },
    }
