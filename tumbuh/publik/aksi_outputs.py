"""Aksi 7's publication in Pantau Aksi: each round of the year the district has published
(and not withdrawn), as its open-data CSV and its public page. Published rounds are public (no
login), so everyone in the district gets the links, whatever their role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tumbuh.aksi.outputs import GENERATED, Output, day
from tumbuh.dashboards.periods import Period

from .models import PublishedRound


def outputs(kabupaten, year: int, user) -> list[Output]:
    found = []
    for published in PublishedRound.objects.active().filter(kabupaten=kabupaten, period__contains=str(year)).order_by("period"):
        period = Period.parse(published.period)
        if period.year != year:
            continue
        args = {"kab": kabupaten.code, "period": published.period}
        found.append(Output("publik", _("Published prevalence, %(round)s") % {"round": period.label},
                            reverse("publik:csv", kwargs=args), GENERATED, "CSV", final=True,
                            note=_("published on %(date)s") % {"date": day(published.published_at)},
                            also=(("HTML", reverse("publik:round", kwargs=args)),)))
    return found
