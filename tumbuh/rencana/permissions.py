"""Each OPD writes its own activities; the TPPS secretariat (district admin) writes all."""

from tumbuh.accounts import policy

from .models import Activity

_own = policy.own_opd("opd_id")


def RULES():
    return {Activity: {policy.ADD: _own, policy.CHANGE: _own, policy.DELETE: _own}}
