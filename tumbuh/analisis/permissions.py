"""Who may set the lokus weights and decide the focus villages: the TPPS secretariat."""

from tumbuh.accounts import policy

from .models import Lokus, LokusWeights


def RULES():
    admin = policy.district_admin
    return {
        LokusWeights: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        Lokus: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
    }
