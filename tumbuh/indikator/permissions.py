"""Who may change indicators and coverage (see ``accounts.policy.rules``).

National indicators carry no kabupaten, so no district user can see them through the policy
as objects to change: the catalogue changes by data migration. A district admin adds and
edits the district's own indicators and the per-district settings (responsible OPD, target).
Coverage is entered by the indicator's responsible OPD, for its own indicators, or by the
secretariat (district admin) for all; numbers Tumbuh computes are written by the system.
"""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Coverage, CoverageSource, Indicator, IndicatorSetting


def responsible_for_coverage(user, obj) -> bool:
    """The district admin; OPD staff for coverage of the indicators their OPD answers for.
    Computed coverage is the system's: nobody edits it by hand."""
    if obj is not None and obj.source == CoverageSource.COMPUTED:
        return False
    if policy.district_admin(user, obj):
        return True
    if user.role != Role.OPD or not user.opd_id:
        return False
    if obj is None:
        return True
    if not obj.indicator_id or not obj.desa_id:
        return False
    return obj.indicator.responsible_opd_id_for(obj.kabupaten_code) == user.opd_id


def RULES():
    admin = policy.district_admin
    return {
        Indicator: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        IndicatorSetting: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        Coverage: {policy.ADD: responsible_for_coverage, policy.CHANGE: responsible_for_coverage, policy.DELETE: admin},
    }
