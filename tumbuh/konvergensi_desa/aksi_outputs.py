"""Aksi 4's and 5's documents in Pantau Aksi.

- Aksi 4 (page ``regulasi_desa``): the filed copy of each Perbup/Perwali on the village role
  in force in the year (enacted by its end): final, since it is the enacted text.
- Aksi 5 (page ``kpm``): each desa's quarterly convergence scorecard of the year as the cadres'
  Excel tables, for every desa and quarter with recorded target people the reader sees.

What proves the required outputs (``PROVES``): a Perbup/Perwali enacted by the year's end (and
by today); the KPM roster (active KPM serving since the year or before); KPM trainings held in
the year; the village scorecards of the year. The draft Perbup is ticked by hand: Tumbuh keeps
only the enacted regulation."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, Proof, day, number, uploaded
from tumbuh.documents.models import UploadedDocument

from .models import DesaRoleRegulation, Kpm, KpmTraining, ScorecardTarget

REGULATION, KPM, TRAINING, SCORECARD = (
    "konvergensi_desa.regulation",
    "konvergensi_desa.kpm",
    "konvergensi_desa.kpm-training",
    "konvergensi_desa.scorecard",
)
PROVES = {
    REGULATION: gettext_lazy("the Perbup/Perwali on the village role is recorded as enacted by the year's end"),
    KPM: gettext_lazy("the desa's KPM are on the roster"),
    TRAINING: gettext_lazy("a KPM training held in the year is recorded"),
    SCORECARD: gettext_lazy("the village convergence scorecards of the year are filled"),
}


def _regulations(kabupaten, year: int, user) -> list[Output]:
    found = []
    qs = policy.visible(user, DesaRoleRegulation.objects.filter(kabupaten=kabupaten, date__year__lte=year))
    for regulation in qs.order_by("-date", "pk"):
        note = _("%(title)s, enacted on %(date)s") % {"title": regulation.title, "date": day(regulation.date)}
        for document in policy.visible(user, UploadedDocument.for_object(regulation)):
            found.append(uploaded("regulasi_desa", document, note=note, final=True))
    return found


def _scorecards(kabupaten, year: int, user) -> list[Output]:
    rows = (
        policy.visible(user, ScorecardTarget.objects.filter(desa__kabupaten_code=kabupaten.code, year=year))
        .values_list("desa_id", "desa__name", "quarter")
        .distinct()
        .order_by("desa__name", "desa_id", "quarter")
    )
    group = _("Village convergence scorecards")
    return [
        Output(
            "kpm",
            _("Scorecard of %(desa)s, quarter %(q)d") % {"desa": name, "q": q},
            reverse("konvergensi_desa:scorecard_xlsx", args=(code, year, q)),
            GENERATED,
            "XLSX",
            group=group,
            note=_("built from the answers as they stand"),
        )
        for code, name, q in rows
    ]


def outputs(kabupaten, year: int, user) -> list[Output]:
    return _regulations(kabupaten, year, user) + _scorecards(kabupaten, year, user)


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    until = min(today, datetime.date(year, 12, 31))
    found = []
    if policy.can(user, policy.VIEW, DesaRoleRegulation):
        page = reverse("konvergensi_desa:aksi4")
        for regulation in policy.visible(
            user, DesaRoleRegulation.objects.filter(kabupaten=kabupaten, date__lte=until)
        ).order_by("-date", "pk"):
            copy = policy.visible(user, UploadedDocument.for_object(regulation)).order_by("pk").first()
            found.append(
                Proof(
                    REGULATION,
                    f"{regulation}: {regulation.title}",
                    reverse("documents:download", args=(copy.pk,)) if copy else page,
                    _("enacted on %(date)s") % {"date": day(regulation.date)},
                )
            )
    if not policy.can(user, policy.VIEW, Kpm):
        return found
    page = f"{reverse('konvergensi_desa:aksi5')}?year={year}"
    kpm = policy.visible(
        user, Kpm.objects.filter(desa__kabupaten_code=kabupaten.code, is_active=True, since_year__lte=year)
    )
    n, desa = kpm.count(), kpm.values("desa").distinct().count()
    if n:
        found.append(
            Proof(
                KPM,
                _("KPM roster"),
                page,
                ngettext("%(n)s KPM", "%(n)s KPM", n) % {"n": number(n)}
                + " · "
                + ngettext("%(n)s desa", "%(n)s desa", desa) % {"n": number(desa)},
            )
        )
    trainings = policy.visible(
        user, KpmTraining.objects.filter(kpm__desa__kabupaten_code=kabupaten.code, date__year=year, date__lte=today)
    )
    n = trainings.count()
    if n:
        last = trainings.order_by("-date").values_list("date", flat=True).first()
        found.append(
            Proof(
                TRAINING,
                _("KPM trainings in %(year)d") % {"year": year},
                page,
                ngettext("%(n)s training, the last on %(date)s", "%(n)s trainings, the last on %(date)s", n)
                % {"n": number(n), "date": day(last)},
            )
        )
    cards = policy.visible(user, ScorecardTarget.objects.filter(desa__kabupaten_code=kabupaten.code, year=year))
    quarters = sorted(set(cards.values_list("quarter", flat=True)))
    if quarters:
        desa = cards.values("desa").distinct().count()
        found.append(
            Proof(
                SCORECARD,
                _("Village convergence scorecards %(year)d") % {"year": year},
                page,
                ngettext("%(n)s desa", "%(n)s desa", desa) % {"n": number(desa)}
                + " · "
                + _("quarter %(q)s") % {"q": ", ".join(str(q) for q in quarters)},
            )
        )
    return found
