"""Dashboards: the district admin enters survey figures, targets and Dukcapil counts; everyone
in scope reads them. Precomputed aggregates are written by the system only."""

from tumbuh.accounts import policy

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
