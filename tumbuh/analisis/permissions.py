"""Who may set the lokus weights and decide the focus villages: the TPPS secretariat."""

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, level_of

from .models import Lokus, LokusWeights


def district_wide(user) -> bool:
    """The ranking and the SK compare every desa of the district: only for users who see all
    of them, those whose node is a whole kabupaten (a puskesmas officer bound to one sees only
    the desa their puskesmas serves)."""
    code = user.wilayah_id
    return policy.is_global(user) or (
        bool(code) and level_of(code) == Level.KABUPATEN and policy.node_contains(user, code)
    )


def RULES():
    admin = policy.district_admin
    return {
        LokusWeights: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
        Lokus: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin},
    }
