"""The dashboards in the menu (data quality is also Aksi 6's page)."""

from django.utils.translation import gettext_lazy as _

from tumbuh.aksi.navigation import action_entry
from tumbuh.core.navigation import DATA, Entry


def entries():
    return [
        action_entry(6, "dashboards:quality"),
        Entry(
            DATA,
            40,
            _("Prevalence dashboard"),
            "dashboards:prevalence",
            summary=_("Stunting, wasting and underweight by wilayah, with confidence intervals."),
        ),
        Entry(DATA, 50, _("Data quality"), "dashboards:quality"),
        Entry(DATA, 60, _("Targets"), "dashboards:targets"),
    ]
