"""Coordination meetings in Pantau Aksi: no document of an action of their own, but records
that prove one (``PROVES``): a meeting of the district's TPPS held in the year (by today) with
its minutes written, for an action set whose checklist asks for it."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import Output, Proof, day, number

from .models import Rapat

MINUTES = "rapat.minutes"
PROVES = {MINUTES: gettext_lazy("a coordination meeting of the district's TPPS was held in the year, with its minutes")}


def outputs(kabupaten, year: int, user) -> list[Output]:
    return []


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    held = (
        policy.visible(user, Rapat.objects.filter(tpps__wilayah_id=kabupaten.code, date__year=year, date__lte=today))
        .exclude(minutes="")
        .annotate(n_present=Count("attendees", filter=Q(attendees__checked_in_at__isnull=False)))
        .order_by("date", "pk")
    )
    return [
        Proof(
            MINUTES,
            rapat.title,
            reverse("rapat:document", args=(rapat.pk, "notulen", "pdf")),
            " · ".join(
                [
                    day(rapat.date),
                    ngettext("%(n)s present", "%(n)s present", rapat.n_present) % {"n": number(rapat.n_present)},
                ]
            ),
        )
        for rapat in held
    ]
