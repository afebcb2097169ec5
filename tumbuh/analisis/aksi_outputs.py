"""Aksi 1's documents in Pantau Aksi, for those who see the whole district (as on the lokus
page): the Master Ansit workbook (Aksi Bangda's 15 sheets, built from the data as it stands)
and, once the lokus are chosen, the draft SK Bupati on the lokus desa."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output

from .models import Lokus
from .permissions import district_wide

PAGE = "analisis"


def outputs(kabupaten, year: int, user) -> list[Output]:
    if not district_wide(user):
        return []
    found = [Output(PAGE, _("Master Ansit (the 15 sheets for Aksi Bangda)"), f"{reverse('analisis:ansit')}?year={year}",
                    GENERATED, "XLSX", note=_("built from the data as it stands; the cover sheet lists what is missing"))]
    n = policy.visible(user, Lokus.objects.filter(kabupaten=kabupaten, year=year, selected=True)).count()
    if n:
        url = f"{reverse('analisis:decree')}?year={year}&format="
        found.append(Output(PAGE, _("SK Bupati on the lokus desa (draft)"), url + "pdf", GENERATED, "PDF",
                            note=ngettext("%(n)d lokus desa; to be numbered and signed",
                                          "%(n)d lokus desa; to be numbered and signed", n) % {"n": n},
                            also=(("DOCX", url + "docx"),)))
    return found
