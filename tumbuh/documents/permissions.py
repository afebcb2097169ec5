"""Who may change letterheads and uploaded documents (see ``accounts.policy.rules``)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Letterhead, UploadedDocument

#: Everyone who records work in Tumbuh may attach files inside their node.
_uploaders = policy.roles_in_node(Role.OPD, Role.KECAMATAN, Role.PUSKESMAS, Role.DESA)


def RULES():
    return {
        Letterhead: {
            policy.ADD: policy.district_admin,
            policy.CHANGE: policy.district_admin,
            policy.DELETE: policy.district_admin,
        },
        UploadedDocument: {
            policy.ADD: _uploaders,
            policy.CHANGE: policy.district_admin,
            policy.DELETE: policy.district_admin,
        },
    }
