"""The TPPS in Pantau Aksi: no document of an action of its own, but a record that proves one
(``PROVES``): the decree (SK) of the district's team in force in the year (on its last day, or
today if earlier), for an action set whose checklist asks for it."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import Output, Proof, day

from .models import Tpps

DECREE = "tpps.decree"
PROVES = {DECREE: gettext_lazy("the district's TPPS has a decree (SK) in force in the year")}


def outputs(kabupaten, year: int, user) -> list[Output]:
    return []


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    on = min(today, datetime.date(year, 12, 31))
    found = []
    for team in policy.visible(user, Tpps.objects.filter(wilayah_id=kabupaten.code).prefetch_related("decrees")):
        decree = team.current_decree(on)
        if decree is None or decree.date.year > year:
            continue
        scan = policy.visible(user, decree.documents()).order_by("pk").first()
        url = reverse("documents:download", args=(scan.pk,)) if scan else reverse("tpps:team", args=(team.pk,))
        found.append(
            Proof(
                DECREE, f"SK {decree.number}: {decree.title}", url, _("signed on %(date)s") % {"date": day(decree.date)}
            )
        )
    return found
