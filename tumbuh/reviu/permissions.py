"""Each OPD enters the realisation of its own activities; the TPPS secretariat (district
admin) writes the review, its problems and recommendations, and may correct everything."""

from tumbuh.accounts import policy

from .models import AnnualReview, Realisation, Recommendation

_own = policy.own_opd("opd_id")
_admin = {policy.ADD: policy.district_admin, policy.CHANGE: policy.district_admin, policy.DELETE: policy.district_admin}


def RULES():
    return {
        Realisation: {policy.ADD: _own, policy.CHANGE: _own, policy.DELETE: _own},
        AnnualReview: dict(_admin),
        Recommendation: dict(_admin),
    }
