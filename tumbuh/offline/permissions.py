"""Who sends what was entered offline, who sees those records and who chooses in a conflict.

The sync itself is the posyandu entry done later: whoever registers children and records
visits (``measurements.permissions.measures_children``) sends records, each written through
the measurements' actions, which ask the policy again for the child or visit itself.

A record is seen by its author, and by the puskesmas, desa and district users whose area holds
its desa (the policy's scoping on ``desa``). A choice in a conflict is made by the author, or by a
puskesmas officer or the district admin whose area holds the record."""

from __future__ import annotations

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role
from tumbuh.measurements.permissions import measures_children

from .models import OfflineRecord

#: The roles that see the conflicts page (their area's records), besides each author's own.
PAGE_ROLES = (Role.DISTRICT_ADMIN, Role.PUSKESMAS, Role.DESA)
#: The roles that choose for records of their area that they did not send.
CHOOSER_ROLES = (Role.DISTRICT_ADMIN, Role.PUSKESMAS)


def sends_records(user, obj) -> bool:
    return measures_children(user, obj)


def chooses(user, obj) -> bool:
    """The policy's ``change`` on a record: the author, or a chooser of the record's area (the
    policy has already placed the record inside the user's node)."""
    if obj is None:
        return user.role in PAGE_ROLES
    return obj.author_id == user.pk or user.role in CHOOSER_ROLES


def may_see(user, record: OfflineRecord) -> bool:
    """Its author, or a user of ``PAGE_ROLES`` whose area holds the record's desa."""
    if not user.is_authenticated:
        return False
    if record.author_id == user.pk or policy.is_global(user):
        return True
    return user.role in PAGE_ROLES and record.desa_id is not None and policy.is_visible(user, record)


def may_choose(user, record: OfflineRecord) -> bool:
    """The author (wherever the record lies: one outside their area is still theirs to drop), or
    a puskesmas officer or district admin whose area holds the record's desa."""
    if not user.is_authenticated:
        return False
    if record.author_id == user.pk or policy.is_global(user):
        return True
    return user.role in CHOOSER_ROLES and record.desa_id is not None and policy.can(user, policy.CHANGE, record)


def may_open_page(user) -> bool:
    return user.is_authenticated and (policy.is_global(user) or (user.role in PAGE_ROLES and bool(user.wilayah_id)))


def RULES():
    return {
        OfflineRecord: {
            policy.ADD: sends_records,
            policy.CHANGE: chooses,
            policy.DELETE: policy.nobody,  # the record of what a phone sent is kept
        }
    }
