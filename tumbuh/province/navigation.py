"""The province's page in the menu: for province users and superusers (a district's own pages
are its dashboards)."""

from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role
from tumbuh.core.navigation import DATA, Entry


def sees_a_province(user) -> bool:
    return policy.is_global(user) or (user.is_authenticated and user.role == Role.PROVINCE)


def entries():
    return [
        Entry(
            DATA,
            35,
            _("Province: districts side by side"),
            "province:districts",
            summary=_("Every district's prevalence, targets, data quality, Aksi, rembuk and rakor, and the map."),
            when=sees_a_province,
        )
    ]
