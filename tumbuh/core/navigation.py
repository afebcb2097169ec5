"""The navigation follows the district's yearly cycle: the convergence actions, then data,
TPPS and settings. Core owns the four sections; each app names its own pages in its
``navigation.py`` (the ``navigation`` contract of ``core/contracts.py``), so core names none.

An :class:`Entry` is one link: its section, its place there, a title and a URL name. The eight
convergence actions are entries of the cycle section with ``action=n``: the home page lists
them with their summaries. The aksi app gives each action a ``fallback`` entry (its Pantau
Aksi page); the app that does the action's work gives the entry that replaces it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .contracts import app_modules

CYCLE, DATA, TPPS, SETTINGS = "cycle", "data", "tpps", "settings"

#: The menu's sections, in order.
SECTIONS = {
    CYCLE: _("Convergence cycle"),
    DATA: _("Data"),
    TPPS: _("TPPS"),
    SETTINGS: _("Settings"),
}


@dataclass(frozen=True)
class Entry:
    section: str  #: a key of SECTIONS
    order: int  #: its place in the section (an action's place is its number)
    title: str | Promise  #: usually a lazy translation
    url_name: str
    args: tuple = ()
    summary: str = ""  #: a one-line summary (the home page shows the actions')
    action: int | None = None  #: the convergence action (1–8) this page does the work of
    when: Callable[[object], bool] | None = None  #: shown only to the users it answers True for
    fallback: bool = False  #: shown only when no other entry takes its section and place

    def shown_to(self, user) -> bool:
        return self.when is None or (user is not None and self.when(user))


def entries() -> list[Entry]:
    """Core's own entries (this module is core's ``navigation`` too): none; ``base.html`` links
    the home page above the sections."""
    return []


@cache
def all_entries() -> tuple[Entry, ...]:
    """Every app's entries, by section and place (apps in INSTALLED_APPS order within a place)."""
    found = [entry for module in app_modules("navigation") for entry in module.entries()]
    for entry in found:
        if entry.section not in SECTIONS:
            raise ImproperlyConfigured(f"{entry.url_name}: no menu section {entry.section!r}")
    order = list(SECTIONS)
    return tuple(sorted(found, key=lambda e: (order.index(e.section), e.order)))


def _shown(user) -> list[Entry]:
    """The entries ``user`` sees: a fallback only where no other entry takes its place."""
    shown = [e for e in all_entries() if e.shown_to(user)]
    taken = {(e.section, e.order) for e in shown if not e.fallback}
    return [e for e in shown if not (e.fallback and (e.section, e.order) in taken)]


def menu(user=None):
    """The sidebar: [(section, [(label, url)])]."""
    shown = _shown(user)
    return [
        (title, [(e.title, reverse(e.url_name, args=e.args)) for e in shown if e.section == key])
        for key, title in SECTIONS.items()
    ]


def aksi_links(user=None) -> list[tuple[Entry, str]]:
    """(entry, url) of the eight convergence actions, as the menu links them (the home page)."""
    return [(e, reverse(e.url_name, args=e.args)) for e in _shown(user) if e.action is not None]
