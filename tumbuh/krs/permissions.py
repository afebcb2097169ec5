"""Who may change KRS families, TPK teams and visits (see ``accounts.policy.rules``).

The KRS list comes from BKKBN through the district (import: district admin); the desa
operator assigns TPK teams to families of their desa; desa operators and puskesmas officers
(the TPK midwife's puskesmas) log visits. Children are linked to families (and unlinked) by those
who know the households: the desa operator, the kecamatan team that runs the TPK, and the
puskesmas officer of the desa their puskesmas serves; a link is confirmed or removed, never
edited. The number of families per desa (``FamilyCount``) comes from the same BKKBN data
through the same hands: the district admin enters and imports it; everyone in scope reads it."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Family, FamilyChild, FamilyCount, Tpk, TpkVisit


def RULES():
    desa = policy.roles_in_node(Role.DESA)
    desa_or_kecamatan = policy.roles_in_node(Role.DESA, Role.KECAMATAN)
    visitors = policy.roles_in_node(Role.DESA, Role.PUSKESMAS)
    linkers = policy.roles_in_node(Role.DESA, Role.KECAMATAN, Role.PUSKESMAS)
    return {
        Family: {policy.ADD: policy.district_admin, policy.CHANGE: desa, policy.DELETE: policy.district_admin},
        Tpk: {policy.ADD: desa_or_kecamatan, policy.CHANGE: desa_or_kecamatan, policy.DELETE: desa},
        TpkVisit: {policy.ADD: visitors, policy.CHANGE: visitors, policy.DELETE: policy.district_admin},
        FamilyChild: {policy.ADD: linkers, policy.CHANGE: policy.nobody, policy.DELETE: linkers},
        FamilyCount: {
            policy.ADD: policy.district_admin,
            policy.CHANGE: policy.district_admin,
            policy.DELETE: policy.district_admin,
        },
    }
