"""Pantau Aksi and the eight convergence actions in the menu. Each action links to its Pantau
Aksi page until an app that does the action's work gives its own page (``action_entry``)."""

from django.utils.translation import gettext_lazy as _

from tumbuh.core.navigation import CYCLE, Entry

#: The eight convergence actions: number → (title, what it produces).
ACTIONS = {
    1: (_("Action 1: Situation analysis"), _("Where stunting is and which services are missing, desa by desa.")),
    2: (_("Action 2: Activity plan"), _("Each OPD's activities, budget and target villages.")),
    3: (_("Action 3: Rembuk Stunting"), _("The commitment and minutes (berita acara) agreed at the Rembuk.")),
    4: (_("Action 4: Village-role regulation"), _("The Perbup/Perwali on the village role in stunting reduction.")),
    5: (
        _("Action 5: KPM and village coaching"),
        _("Human-development cadres (KPM) and the village convergence scorecard."),
    ),
    6: (_("Action 6: Data management"), _("Data gaps and data-quality improvement.")),
    7: (_("Action 7: Measurement and publication"), _("February and August measurement, and the public results page.")),
    8: (_("Action 8: Annual performance review"), _("Targets against realisation, per activity and budget.")),
}


def action_entry(number: int, url_name: str, args: tuple = (), *, when=None, fallback: bool = False) -> Entry:
    """The menu entry of convergence action ``number``, leading to ``url_name``."""
    title, summary = ACTIONS[number]
    return Entry(CYCLE, number, title, url_name, args, summary=summary, action=number, when=when, fallback=fallback)


def entries():
    return [
        Entry(CYCLE, 0, _("Pantau Aksi"), "aksi:pantau"),
        *(action_entry(number, "aksi:by_number", (number,), fallback=True) for number in ACTIONS),
    ]
