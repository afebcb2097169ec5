"""Who may change a team (see ``accounts.policy.rules``): the district admin anywhere in the
district, a camat's TPPS kecamatan and a desa operator only their own node's team (the team
itself, its decrees, working groups and members). Everyone in the district sees the teams
above them (``scope_reaches_up``)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Decree, Member, Pokja, Tpps

_team_in_node = policy.roles_in_node(Role.KECAMATAN, Role.DESA)
_manage = {policy.ADD: _team_in_node, policy.CHANGE: _team_in_node, policy.DELETE: _team_in_node}


def RULES():
    return {Tpps: dict(_manage), Decree: dict(_manage), Pokja: dict(_manage), Member: dict(_manage)}
