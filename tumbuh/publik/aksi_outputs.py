"""Aksi 7's publication in Pantau Aksi: each round of the year the district has published
(and not withdrawn), as its open-data CSV and its public page. Published rounds are public (no
login), so everyone in the district gets the links, whatever their role.

A round of the year published by today and not withdrawn proves the publication of the
prevalence per desa and kecamatan (``PROVES``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.aksi.outputs import GENERATED, Output, Proof, day, day_of
from tumbuh.dashboards.periods import Period

from .models import PublishedRound

PUBLISHED = "publik.published"
PROVES = {PUBLISHED: gettext_lazy("a round of the year is published on the public page (and not withdrawn)")}


def _published(kabupaten, year: int):
    """The rounds of ``year`` the district has published and not withdrawn, with their period."""
    for published in (
        PublishedRound.objects.active().filter(kabupaten=kabupaten, period__contains=str(year)).order_by("period")
    ):
        period = Period.parse(published.period)
        if period.year == year:
            yield published, period


def outputs(kabupaten, year: int, user) -> list[Output]:
    found = []
    for published, period in _published(kabupaten, year):
        args = {"kab": kabupaten.code, "period": published.period}
        found.append(
            Output(
                "publik",
                _("Published prevalence, %(round)s") % {"round": period.label},
                reverse("publik:csv", kwargs=args),
                GENERATED,
                "CSV",
                final=True,
                note=_("published on %(date)s") % {"date": day(published.published_at)},
                also=(("HTML", reverse("publik:round", kwargs=args)),),
            )
        )
    return found


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    return [
        Proof(
            PUBLISHED,
            _("Published prevalence, %(round)s") % {"round": period.label},
            reverse("publik:round", kwargs={"kab": kabupaten.code, "period": published.period}),
            _("published on %(date)s") % {"date": day(published.published_at)},
        )
        for published, period in _published(kabupaten, year)
        if day_of(published.published_at) <= today
    ]
