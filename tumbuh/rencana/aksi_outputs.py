"""Aksi 2's document in Pantau Aksi: the integrated activity plan as Excel, once the year has
activities.

What proves the required outputs (``PROVES``): the year's plan, once it has activities (Aksi 2's
integrated plan, and Aksi 1's mapping of the OPD's programmes and activities, which the Master
Ansit reads from it); the gap check against the lokus desa, once the year has both. That the
activities entered the Renja OPD and the RKPD is ticked by hand."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, Proof, number
from tumbuh.analisis.models import lokus_desa

from .models import Activity

ACTIVITIES, GAP_CHECK = "rencana.activities", "rencana.gap-check"
PROVES = {
    ACTIVITIES: gettext_lazy("the OPD's activities of the year are entered in the plan"),
    GAP_CHECK: gettext_lazy("the year has lokus desa and planned activities, so the gap check compares them"),
}


def _activities(kabupaten, year: int, user) -> int:
    if not policy.can(user, policy.VIEW, Activity):
        return 0
    return policy.visible(user, Activity.objects.filter(kabupaten=kabupaten, year=year)).count()


def outputs(kabupaten, year: int, user) -> list[Output]:
    n = _activities(kabupaten, year, user)
    if not n:
        return []
    return [
        Output(
            "rencana",
            _("Integrated activity plan"),
            reverse("rencana:export", args=(year,)),
            GENERATED,
            "XLSX",
            note=ngettext("%(n)d activity, as it stands", "%(n)d activities, as they stand", n) % {"n": n},
        )
    ]


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    n = _activities(kabupaten, year, user)
    if not n:
        return []
    opd = policy.visible(user, Activity.objects.filter(kabupaten=kabupaten, year=year)).values("opd").distinct().count()
    found = [
        Proof(
            ACTIVITIES,
            _("Integrated activity plan"),
            reverse("rencana:export", args=(year,)),
            ngettext("%(n)s activity", "%(n)s activities", n) % {"n": number(n)}
            + " · "
            + ngettext("%(n)s OPD", "%(n)s OPD", opd) % {"n": number(opd)},
        )
    ]
    lokus = len(lokus_desa(kabupaten.code, year))
    if lokus:
        found.append(
            Proof(
                GAP_CHECK,
                _("Gap check against the lokus desa"),
                f"{reverse('rencana:gaps')}?year={year}",
                ngettext("%(n)s lokus desa", "%(n)s lokus desa", lokus) % {"n": number(lokus)},
            )
        )
    return found
