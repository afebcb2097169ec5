"""Who may change GENTING records (see ``accounts.policy.rules``).

The TPPS secretariat (district admin) registers foster parents and confirms matches; the
desa operator, who sees the help arrive, may also record it (with its evidence)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import FosterMatch, FosterParent, Help

_secretariat = {
    policy.ADD: policy.district_admin,
    policy.CHANGE: policy.district_admin,
    policy.DELETE: policy.district_admin,
}


def RULES():
    desa = policy.roles_in_node(Role.DESA)
    return {
        FosterParent: dict(_secretariat),
        FosterMatch: dict(_secretariat),
        Help: {policy.ADD: desa, policy.CHANGE: desa, policy.DELETE: policy.district_admin},
    }
