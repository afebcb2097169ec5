"""Who may configure the actions and record progress on them.

Action sets and their actions: the district admin, for the district's own sets (a national
set has no kabupaten, so only a superuser reaches it). The year's actions: the district admin
starts a year and assigns OPD and due dates; the responsible OPD records status, checklist
ticks and documents of its own actions."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import ActionDefinition, ActionSet, ActionYear, ChecklistTick, CycleYear, OutputItem


def responsible_opd_of_action(user, obj) -> bool:
    """The district admin, or staff of the OPD responsible for the tick's action."""
    if policy.district_admin(user, obj):
        return True
    if user.role != Role.OPD or not user.opd_id:
        return False
    return obj is None or obj.action_year.responsible_opd_id == user.opd_id


def may_assign(user, action_year) -> bool:
    """Who assigns an action year's responsible OPD and due date (``actions.ADMIN_FIELDS``):
    the TPPS secretariat (district admin), not the OPD that reports on it."""
    return policy.is_global(user) or policy.district_admin(user, action_year)


def RULES():
    admin = policy.district_admin
    configured = {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin}
    return {
        ActionSet: configured,
        ActionDefinition: configured,
        OutputItem: configured,
        CycleYear: configured,
        ActionYear: {policy.ADD: admin, policy.CHANGE: policy.own_opd("responsible_opd_id"), policy.DELETE: admin},
        ChecklistTick: {
            policy.ADD: responsible_opd_of_action,
            policy.CHANGE: responsible_opd_of_action,
            policy.DELETE: admin,
        },
    }
