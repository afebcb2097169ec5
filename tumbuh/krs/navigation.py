"""The at-risk families and the stunting targeting in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.core.navigation import TPPS, Entry

from .models import Family


def entries():
    return [
        Entry(TPPS, 40, _("At-risk families (KRS)"), "krs:list", when=policy.sees_rows_of(Family)),
        Entry(TPPS, 50, _("Stunting targeting"), "krs:targeting", when=policy.sees_rows_of(Family)),
    ]
