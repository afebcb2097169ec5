"""The navigation follows the district's yearly cycle: the convergence actions, then data,
TPPS and settings. Pages that later work will fill are listed in ``PLANNED`` and say so."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Planned:
    slug: str
    title: str
    summary: str
    will_do: list = field(default_factory=list)


PLANNED = {
    p.slug: p
    for p in [
        Planned("aksi-1", _("Action 1: Situation analysis"), _("Where stunting is and which services are missing, desa by desa."),
                [_("Per-desa table of target groups, children measured and coverage gaps"), _("Focus-village (lokus) ranking and decree draft")]),
        Planned("aksi-2", _("Action 2: Activity plan"), _("Each OPD's activities, budget and target villages."),
                [_("Activities with programme codes, budget and funding source"), _("Gap check against the lokus villages")]),
        Planned("aksi-3", _("Action 3: Rembuk Stunting"), _("The commitment and minutes (berita acara) agreed at the Rembuk."),
                [_("Attendance, signed commitment and berita acara documents")]),
        Planned("aksi-4", _("Action 4: Village-role regulation"), _("The Perbup/Perwali on the village role in stunting reduction."),
                [_("Regulation metadata and document; villages with their own regulation")]),
        Planned("aksi-5", _("Action 5: KPM and village coaching"), _("Human-development cadres (KPM) and the village convergence scorecard."),
                [_("KPM roster and training"), _("Quarterly convergence scorecard per desa")]),
        Planned("aksi-6", _("Action 6: Data management"), _("Data gaps and data-quality improvement."),
                [_("Data-quality traffic lights per puskesmas and posyandu")]),
        Planned("aksi-7", _("Action 7: Measurement and publication"), _("February and August measurement, and the public results page."),
                [_("Import of e-PPGBM exports"), _("Prevalence per desa and kecamatan with confidence intervals"), _("Public page")]),
        Planned("aksi-8", _("Action 8: Annual performance review"), _("Targets against realisation, per activity and budget."),
                [_("Review tables and the annual report")]),
        Planned("pengukuran", _("Child measurements"), _("Children, their visits and WHO z-scores."),
                [_("e-PPGBM import that loses no row"), _("Posyandu visit entry and growth charts")]),
        Planned("dasbor", _("Prevalence dashboard"), _("Stunting, wasting and underweight by wilayah, with confidence intervals."),
                [_("Ranked tables, maps and trends"), _("Comparison with SSGI/SKI survey figures")]),
        Planned("rapat", _("Coordination meetings"), _("Rapat Koordinasi TPPS with attendance, minutes and action items."),
                [_("Attendance for hundreds of participants"), _("Follow-up of action items")]),
        Planned("genting", _("GENTING foster parents"), _("Matching foster parents to at-risk families (KRS)."),
                [_("Foster-parent register and matches")]),
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


def _can_publish(user) -> bool:
    if user is None:
        return False
    from tumbuh.accounts import policy
    from tumbuh.publik.models import PublishedRound

    return policy.can(user, policy.ADD, PublishedRound)


#: Convergence actions that have a page of their own (else the "planned" page).
_AKSI_PAGES = {
    1: ("analisis:situasi", ()),
    2: ("rencana:list", ()),
    3: ("rembuk:list", ()),
    4: ("konvergensi_desa:aksi4", ()),  # village-role regulation
    5: ("konvergensi_desa:aksi5", ()),  # KPM, scorecard, OPD Pembina Desa
    6: ("dashboards:quality", ()),
    8: ("reviu:page", ()),
}


def _menu_items(user=None):
    data = [(PLANNED["pengukuran"].title, "measurements:child_list", ())]
    if _can_record_visits(user):
        data.append((_("Posyandu visit"), "measurements:visit_start", ()))
    data.append((PLANNED["dasbor"].title, "dashboards:prevalence", ()))
    data.append((_("Data quality"), "dashboards:quality", ()))
    data.append((_("Targets"), "dashboards:targets", ()))
    data.append((_("Indicators and coverage"), "indikator:catalogue", ()))
    data.append((_("Map"), "maps:map", ()))
    cycle = [(PLANNED[f"aksi-{i}"].title, *_AKSI_PAGES.get(i, ("aksi:by_number", (i,)))) for i in range(1, 9)]
    if _can_publish(user):  # Action 7's publication side: the district admin publishes rounds
        cycle[6] = (PLANNED["aksi-7"].title, "publik:manage", ())
    cycle.insert(0, (_("Pantau Aksi"), "aksi:pantau", ()))
    return [
        (_("Convergence cycle"), cycle),
        (_("Data"), data),
        (_("TPPS"), [(_("Teams (TPPS)"), "tpps:list", ()), (PLANNED["rapat"].title, "rapat:list", ()),
                     (_("Semester report"), "semester:list", ()),
                     (_("At-risk families (KRS)"), "krs:list", ()),
                     (_("Stunting targeting"), "krs:targeting", ()),
                     (PLANNED["genting"].title, "genting:index", ())]),
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
