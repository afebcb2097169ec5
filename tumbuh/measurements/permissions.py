"""Who may register children, record their visits and confirm the names of an import."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Child, Measurement, NameMapping


def measures_children(user, obj) -> bool:
    """District admin, puskesmas officers (for the desa their puskesmas serves) and desa
    operators register children and record visits; the scope check has already placed the
    object inside their node. OPD staff, kecamatan and viewers only read."""
    return user.role in (Role.DISTRICT_ADMIN, Role.PUSKESMAS, Role.DESA)


def confirms_names(user, obj) -> bool:
    """A name mapping is written while confirming the names of an e-PPGBM batch one imported
    (``confirm_mapping``, permitted by that batch): by those who import them, the district
    admin and puskesmas officers (``policy.PUSKESMAS_IMPORT_KINDS``)."""
    return user.role in (Role.DISTRICT_ADMIN, Role.PUSKESMAS)


def RULES():
    return {
        Child: {policy.ADD: measures_children, policy.CHANGE: measures_children, policy.DELETE: policy.district_admin},
        Measurement: {
            policy.ADD: measures_children,
            policy.CHANGE: measures_children,
            policy.DELETE: measures_children,
        },
        # No page deletes a mapping: a wrong one is confirmed again, to the right record.
        NameMapping: {policy.ADD: confirms_names, policy.CHANGE: confirms_names, policy.DELETE: policy.nobody},
    }
