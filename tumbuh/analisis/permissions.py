"""Who may set the lokus weights and decide the focus villages: the TPPS secretariat."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Lokus, LokusWeights


def district_wide(user) -> bool:
    """The ranking and the SK compare every desa of the district: only for users who see all
    of them."""
    return policy.is_global(user) or (bool(user.wilayah_id) and len(user.wilayah_id) == 5 and user.role != Role.PUSKESMAS)


def RULES():
    admin = policy.district_admin
    return {
        LokusWeights: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        Lokus: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
    }
