"""Dashboards: the district admin enters survey figures, targets and Dukcapil counts; everyone
in scope reads them. Precomputed aggregates are written by the system only. The named rules
below decide what the pages show to whom (asked by the views instead of the user's role)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import AreaAggregate, DistrictTarget, QualityAggregate, SurveyFigure, UnderFivePopulation


def RULES():
    admin = policy.district_admin
    entered = {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin}
    computed = {policy.ADD: policy.nobody, policy.CHANGE: policy.nobody, policy.DELETE: policy.nobody}
    return {
        SurveyFigure: entered,
        DistrictTarget: entered,
        UnderFivePopulation: entered,
        AreaAggregate: computed,
        QualityAggregate: computed,
    }


def sees_part_of_kecamatan(user) -> bool:
    """A puskesmas officer's area is the desa their puskesmas serves, part of a kecamatan: the
    kabupaten and kecamatan rows, figures of desa they do not see, are not shown to them."""
    return user.role == Role.PUSKESMAS


def summary_puskesmas(user):
    """The puskesmas whose row sums up the user's whole area (a puskesmas officer's own), or
    None."""
    return user.puskesmas if sees_part_of_kecamatan(user) and user.puskesmas_id else None
