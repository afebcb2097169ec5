"""Who runs a rembuk: the district admin (TPPS secretariat) every rembuk of the district, a
kecamatan user the kecamatan-level rembuk of their own kecamatan. Everyone in scope reads.
A closed rembuk (signed documents filed) changes no more; agreed plan versions never change."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import AgreedPlan, Invitee, RembukEvent

_organisers = policy.roles_in_node(Role.KECAMATAN)


def _event_of(obj):
    return obj if isinstance(obj, RembukEvent) else getattr(obj, "event", None)


def _while_open(rule):
    def open_rule(user, obj) -> bool:
        event = _event_of(obj) if obj is not None else None
        if event is not None and event.is_closed:
            return False
        return rule(user, obj)

    return open_rule


_run = _while_open(_organisers)


def RULES():
    return {
        RembukEvent: {policy.ADD: _run, policy.CHANGE: _run, policy.DELETE: _while_open(policy.district_admin)},
        Invitee: {policy.ADD: _run, policy.CHANGE: _run, policy.DELETE: _run},
        AgreedPlan: {policy.ADD: _run, policy.CHANGE: policy.nobody, policy.DELETE: policy.nobody},
    }
