"""Children and their visits in the menu: the posyandu form for those who record visits, the
e-PPGBM upload file (it carries full NIKs) for those who may read them."""

from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.core.navigation import DATA, Entry

from .models import Child, Measurement


def records_visits(user) -> bool:
    return policy.can(user, policy.ADD, Measurement)


def entries():
    return [
        Entry(
            DATA,
            10,
            _("Child measurements"),
            "measurements:child_list",
            summary=_("Children, their visits and WHO z-scores."),
            when=policy.sees_rows_of(Child),
        ),
        Entry(DATA, 20, _("Posyandu visit"), "measurements:visit_start", when=records_visits),
        Entry(DATA, 30, _("e-PPGBM upload file"), "measurements:eppgbm_export", when=policy.can_see_nik),
    ]
