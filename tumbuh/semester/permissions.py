"""The secretariat writes its district's report; a camat's account may write its kecamatan
TPPS's. Deleting is the district's only (and only a draft: see ``actions``)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import SemesterReport

_writes = policy.roles_in_node(Role.KECAMATAN)


def RULES():
    return {SemesterReport: {policy.ADD: _writes, policy.CHANGE: _writes, policy.DELETE: policy.district_admin}}
