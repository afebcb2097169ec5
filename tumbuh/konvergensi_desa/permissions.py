"""Who may change the village layer (see ``accounts.policy.rules``).

The district admin records the Perbup and assigns OPD Pembina Desa; the desa operator records
their own desa's policy, KPM and scorecard (and only theirs: the scope check places the
object inside their node); the kecamatan may help keep the KPM roster; OPD staff log their
agency's mentoring visits and the trainings they give KPM."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import DesaMentor, DesaPolicy, DesaRoleRegulation, Kpm, KpmTraining, MentorVisit, ScorecardTarget


def _own_opd_visit(user, obj) -> bool:
    """The district admin, or OPD staff on visits of their own agency's assignments."""
    if policy.district_admin(user, obj):
        return True
    if user.role != Role.OPD or not user.opd_id:
        return False
    return obj is None or (obj.mentor_id is not None and obj.mentor.opd_id == user.opd_id)


def RULES():
    admin = {
        policy.ADD: policy.district_admin,
        policy.CHANGE: policy.district_admin,
        policy.DELETE: policy.district_admin,
    }
    desa = policy.roles_in_node(Role.DESA)
    roster = policy.roles_in_node(Role.DESA, Role.KECAMATAN)
    trainers = policy.roles_in_node(Role.DESA, Role.KECAMATAN, Role.OPD)
    return {
        DesaRoleRegulation: dict(admin),
        DesaPolicy: {policy.ADD: desa, policy.CHANGE: desa, policy.DELETE: policy.district_admin},
        Kpm: {policy.ADD: roster, policy.CHANGE: roster, policy.DELETE: policy.district_admin},
        KpmTraining: {policy.ADD: trainers, policy.CHANGE: trainers, policy.DELETE: policy.district_admin},
        ScorecardTarget: {policy.ADD: desa, policy.CHANGE: desa, policy.DELETE: desa},
        DesaMentor: dict(admin),
        MentorVisit: {policy.ADD: _own_opd_visit, policy.CHANGE: _own_opd_visit, policy.DELETE: policy.district_admin},
    }
