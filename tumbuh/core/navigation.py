"""The navigation follows the district's yearly cycle: the convergence actions, then data,
TPPS and settings. ``PAGES`` names the main pages (title and a one-line summary, also shown
on the home page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str


PAGES = {
    p.slug: p
    for p in [
        Page("aksi-1", _("Action 1: Situation analysis"), _("Where stunting is and which services are missing, desa by desa.")),
        Page("aksi-2", _("Action 2: Activity plan"), _("Each OPD's activities, budget and target villages.")),
        Page("aksi-3", _("Action 3: Rembuk Stunting"), _("The commitment and minutes (berita acara) agreed at the Rembuk.")),
        Page("aksi-4", _("Action 4: Village-role regulation"), _("The Perbup/Perwali on the village role in stunting reduction.")),
        Page("aksi-5", _("Action 5: KPM and village coaching"), _("Human-development cadres (KPM) and the village convergence scorecard.")),
        Page("aksi-6", _("Action 6: Data management"), _("Data gaps and data-quality improvement.")),
        Page("aksi-7", _("Action 7: Measurement and publication"), _("February and August measurement, and the public results page.")),
        Page("aksi-8", _("Action 8: Annual performance review"), _("Targets against realisation, per activity and budget.")),
        Page("pengukuran", _("Child measurements"), _("Children, their visits and WHO z-scores.")),
        Page("dasbor", _("Prevalence dashboard"), _("Stunting, wasting and underweight by wilayah, with confidence intervals.")),
        Page("rapat", _("Coordination meetings"), _("Rapat Koordinasi TPPS with attendance, minutes and action items.")),
        Page("genting", _("GENTING foster parents"), _("Matching foster parents to at-risk families (KRS).")),
    ]
}


def menu(user=None):
    """The sidebar: [(section, [(label, url)])]."""
    return [(section, [(label, reverse(name, args=args)) for label, name, args in items]) for section, items in _menu_items(user)]


def _can_record_visits(user) -> bool:
    if user is None:
        return False
    from tumbuh.accounts import policy
    from tumbuh.measurements.models import Measurement

    return policy.can(user, policy.ADD, Measurement)


def _can_see_nik(user) -> bool:
    if user is None:
        return False
    from tumbuh.accounts import policy

    return policy.can_see_nik(user)


def _can_publish(user) -> bool:
    if user is None:
        return False
    from tumbuh.accounts import policy
    from tumbuh.publik.models import PublishedRound

    return policy.can(user, policy.ADD, PublishedRound)


#: The page of each convergence action (else its Pantau Aksi page).
_AKSI_PAGES = {
    1: ("analisis:situasi", ()),
    2: ("rencana:list", ()),
    3: ("rembuk:list", ()),
    4: ("konvergensi_desa:aksi4", ()),  # village-role regulation
    5: ("konvergensi_desa:aksi5", ()),  # KPM, scorecard, OPD Pembina Desa
    6: ("dashboards:quality", ()),
    8: ("reviu:page", ()),
}


def _aksi_targets(user=None) -> list[tuple[Page, str, tuple]]:
    """(page, url name, args) of the eight convergence actions, for ``user``."""
    targets = [(PAGES[f"aksi-{i}"], *_AKSI_PAGES.get(i, ("aksi:by_number", (i,)))) for i in range(1, 9)]
    if _can_publish(user):  # Action 7's publication side: the district admin publishes rounds
        targets[6] = (PAGES["aksi-7"], "publik:manage", ())
    return targets


def aksi_links(user=None) -> list[tuple[Page, str]]:
    """(page, url) of the eight convergence actions, as the menu links them (the home page)."""
    return [(page, reverse(name, args=args)) for page, name, args in _aksi_targets(user)]


def _menu_items(user=None):
    data = [(PAGES["pengukuran"].title, "measurements:child_list", ())]
    if _can_record_visits(user):
        data.append((_("Posyandu visit"), "measurements:visit_start", ()))
    if _can_see_nik(user):  # the e-PPGBM upload file carries full NIKs
        data.append((_("e-PPGBM upload file"), "measurements:eppgbm_export", ()))
    data.append((PAGES["dasbor"].title, "dashboards:prevalence", ()))
    data.append((_("Data quality"), "dashboards:quality", ()))
    data.append((_("Targets"), "dashboards:targets", ()))
    data.append((_("Indicators and coverage"), "indikator:catalogue", ()))
    data.append((_("Map"), "maps:map", ()))
    cycle = [(page.title, name, args) for page, name, args in _aksi_targets(user)]
    cycle.insert(0, (_("Pantau Aksi"), "aksi:pantau", ()))
    return [
        (_("Convergence cycle"), cycle),
        (_("Data"), data),
        (_("TPPS"), [(_("Teams (TPPS)"), "tpps:list", ()), (PAGES["rapat"].title, "rapat:list", ()),
                     (_("Semester report"), "semester:list", ()),
                     (_("At-risk families (KRS)"), "krs:list", ()),
                     (_("Stunting targeting"), "krs:targeting", ()),
                     (PAGES["genting"].title, "genting:index", ())]),
        (_("Settings"), [
            (_("Regions"), "wilayah:list", ()),
            (_("Puskesmas"), "organisation:puskesmas_list", ()),
            (_("Posyandu"), "organisation:posyandu_list", ()),
            (_("OPD (agencies)"), "organisation:opd_list", ()),
            (_("Letterheads"), "organisation:list", ("kop-surat",)),
            (_("Users"), "accounts:user_list", ()),
            (_("Audit log"), "audit:list", ()),
        ]),
    ]
