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


def may_enter(user, indicator, kabupaten_code: str) -> bool:
    """May ``user`` enter coverage of ``indicator`` in the district? The secretariat (district
    admin) for every indicator, OPD staff for those their OPD answers for. For an indicator
    Tumbuh computes, only in the desa it has not computed (no records there): the rows it
    computed are the system's (``responsible_for_coverage``)."""
    if user.role == Role.VIEWER:
        return False
    if policy.is_global(user) or policy.district_admin(user, None):
        return policy.is_global(user) or user.wilayah_id == kabupaten_code
    if user.role != Role.OPD or not user.opd_id or user.wilayah_id != kabupaten_code:
        return False
    return indicator.responsible_opd_id_for(kabupaten_code) == user.opd_id


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


def may_compute(user, kabupaten_code: str) -> bool:
    """May ``user`` have Tumbuh compute coverage from its records for a district (the Hitung
    ulang button, the ``compute_coverage`` command)? The district's secretariat (its admin);
    the system and superusers. Computed rows are written in the computation's right, not in the right to
    enter coverage (``responsible_for_coverage`` keeps them from hand edits)."""
    return policy.is_global(user) or (policy.district_admin(user, None) and policy.node_contains(user, kabupaten_code))


def may_recompute_import(user, batch) -> bool:
    """Who recomputes what an import ``batch`` feeds (right after it, or from its page): whoever
    may compute the district's coverage, and whoever ran the import while they still see it
    (a puskesmas officer's e-PPGBM file, for the desa they see)."""
    if may_compute(user, batch.kabupaten_id):
        return True
    return user.pk is not None and batch.created_by_id == user.pk and policy.can(user, policy.VIEW, batch)


def can_see_coverage_batch(user, batch) -> bool:
    """Import batches are the district admin's (``accounts.policy``); OPD staff also see the
    coverage batches they ran themselves, with their rejected rows, to fix and re-import."""
    from .importers import KIND

    if policy.can(user, policy.VIEW, batch):
        return True
    return batch.kind == KIND and batch.created_by_id == user.pk and policy.is_visible(user, batch)


def RULES():
    admin = policy.district_admin
    return {
        Indicator: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        IndicatorSetting: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        Coverage: {policy.ADD: responsible_for_coverage, policy.CHANGE: responsible_for_coverage, policy.DELETE: admin},
    }
