"""Who may upload and replace the map's boundary files: the district admin."""

from tumbuh.accounts import policy

from .models import Boundary


def RULES():
    admin = policy.district_admin
    return {Boundary: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: admin}}
