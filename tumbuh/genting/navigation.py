"""GENTING in the menu."""

from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.core.navigation import TPPS, Entry

from .models import FosterMatch


def entries():
    return [
        Entry(
            TPPS,
            60,
            _("GENTING foster parents"),
            "genting:index",
            summary=_("Matching foster parents to at-risk families (KRS)."),
            when=policy.sees_rows_of(FosterMatch),
        )
    ]
