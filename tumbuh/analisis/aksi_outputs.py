"""Aksi 1's documents in Pantau Aksi, for those who see the whole district (as on the lokus
page): the Master Ansit workbook (Aksi Bangda's 15 sheets, built from the data as it stands)
and, once the lokus are chosen, the draft SK Bupati on the lokus desa.

What proves Aksi 1's required outputs (``PROVES``): the situation table, once the data year
(the year before the plan) has a measured round and coverage in the district; the lokus desa
chosen for the year, each with its reason. The SK itself is only drafted here: the signed
decree is ticked by hand."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, Proof, number
from tumbuh.indikator.models import Coverage

from .models import Lokus
from .permissions import district_wide
from .situation import data_period

PAGE = "analisis"
SITUATION, LOKUS = "analisis.situation", "analisis.lokus"
PROVES = {
    SITUATION: gettext_lazy("the previous year has a measured round and coverage per desa, for the situation table"),
    LOKUS: gettext_lazy("the lokus desa of the year are chosen, each with its reason"),
}


def outputs(kabupaten, year: int, user) -> list[Output]:
    if not district_wide(user):
        return []
    found = [
        Output(
            PAGE,
            _("Master Ansit (the 15 sheets for Aksi Bangda)"),
            f"{reverse('analisis:ansit')}?year={year}",
            GENERATED,
            "XLSX",
            note=_("built from the data as it stands; the cover sheet lists what is missing"),
        )
    ]
    n = policy.visible(user, Lokus.objects.filter(kabupaten=kabupaten, year=year, selected=True)).count()
    if n:
        url = f"{reverse('analisis:decree')}?year={year}&format="
        found.append(
            Output(
                PAGE,
                _("SK Bupati on the lokus desa (draft)"),
                url + "pdf",
                GENERATED,
                "PDF",
                note=ngettext(
                    "%(n)d lokus desa; to be numbered and signed", "%(n)d lokus desa; to be numbered and signed", n
                )
                % {"n": n},
                also=(("DOCX", url + "docx"),),
            )
        )
    return found


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    found = []
    data_year = year - 1
    period = data_period(user, kabupaten.code, data_year)
    coverage = policy.visible(user, Coverage.objects.filter(year=data_year, desa__kabupaten_code=kabupaten.code))
    if period is not None and coverage.exists():
        found.append(
            Proof(
                SITUATION,
                _("Situation table per desa, %(year)d") % {"year": year},
                f"{reverse('analisis:situasi')}?year={year}",
                _("%(round)s; coverage of %(year)d") % {"round": period.label, "year": data_year},
            )
        )
    n = policy.visible(
        user, Lokus.objects.filter(kabupaten=kabupaten, year=year, selected=True).exclude(reason="")
    ).count()
    if n:
        found.append(
            Proof(
                LOKUS,
                _("Lokus desa %(year)d with their reasons") % {"year": year},
                f"{reverse('analisis:lokus')}?year={year}",
                ngettext("%(n)s lokus desa", "%(n)s lokus desa", n) % {"n": number(n)},
            )
        )
    return found
