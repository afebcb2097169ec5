"""Who may publish a round (Aksi 7) and see the publishing page: the district admin. The
public page itself asks no one."""

from tumbuh.accounts import policy

from .models import PublishedRound


def RULES():
    admin = policy.district_admin
    return {PublishedRound: {policy.VIEW: admin, policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin}}
