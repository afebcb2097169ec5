"""Aksi 4's and 5's documents in Pantau Aksi.

- Aksi 4 (page ``regulasi_desa``): the filed copy of each Perbup/Perwali on the village role
  in force in the year (enacted by its end): final, since it is the enacted text.
- Aksi 5 (page ``kpm``): each desa's quarterly convergence scorecard of the year as the cadres'
  Excel tables, for every desa and quarter with recorded target people the reader sees."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, day, uploaded
from tumbuh.documents.models import UploadedDocument

from .models import DesaRoleRegulation, ScorecardTarget


def _regulations(kabupaten, year: int, user) -> list[Output]:
    found = []
    qs = policy.visible(user, DesaRoleRegulation.objects.filter(kabupaten=kabupaten, date__year__lte=year))
    for regulation in qs.order_by("-date", "pk"):
        note = _("%(title)s, enacted on %(date)s") % {"title": regulation.title, "date": day(regulation.date)}
        for document in policy.visible(user, UploadedDocument.for_object(regulation)):
            found.append(uploaded("regulasi_desa", document, note=note, final=True))
    return found


def _scorecards(kabupaten, year: int, user) -> list[Output]:
    rows = (policy.visible(user, ScorecardTarget.objects.filter(desa__kabupaten_code=kabupaten.code, year=year))
            .values_list("desa_id", "desa__name", "quarter").distinct().order_by("desa__name", "desa_id", "quarter"))
    group = _("Village convergence scorecards")
    return [Output("kpm", _("Scorecard of %(desa)s, quarter %(q)d") % {"desa": name, "q": q},
                   reverse("konvergensi_desa:scorecard_xlsx", args=(code, year, q)), GENERATED, "XLSX", group=group,
                   note=_("built from the answers as they stand"))
            for code, name, q in rows]


def outputs(kabupaten, year: int, user) -> list[Output]:
    return _regulations(kabupaten, year, user) + _scorecards(kabupaten, year, user)
