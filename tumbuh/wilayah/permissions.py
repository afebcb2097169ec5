"""Who may set a region's BPS code: the district admin, for the regions of their district (the
policy's scope check keeps them there). The region tree itself (``Wilayah``) stays read-only."""

from tumbuh.accounts import policy

from .models import BpsCode


def RULES():
    admin = policy.district_admin
    return {
        BpsCode: {policy.ADD: admin, policy.CHANGE: admin, policy.DELETE: policy.nobody}
    }  # a region is never deleted
