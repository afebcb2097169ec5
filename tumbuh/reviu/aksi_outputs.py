"""Aksi 8's document in Pantau Aksi: the annual performance review report, once the review of
the year is written.

What proves the required outputs (``PROVES``): the realisation entered for every activity of
the year's plan; the review report, once numbered and dated (by today); its recommendations
for the next situation analysis."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, Proof, day, number
from tumbuh.rencana.models import Activity

from .models import AnnualReview

REALISATION, REPORT, RECOMMENDATIONS = "reviu.realisation", "reviu.report", "reviu.recommendations"
PROVES = {
    REALISATION: gettext_lazy("the realisation (physical and budget) is entered for every activity of the year's plan"),
    REPORT: gettext_lazy("the annual review report of the year is numbered and dated"),
    RECOMMENDATIONS: gettext_lazy(
        "the annual review of the year lists recommendations for the next situation analysis"
    ),
}


def _review(kabupaten, year: int, user) -> AnnualReview | None:
    return policy.visible(user, AnnualReview.objects.filter(kabupaten=kabupaten, year=year)).first()


def outputs(kabupaten, year: int, user) -> list[Output]:
    review = _review(kabupaten, year, user)
    if review is None:
        return []
    note = " · ".join(
        filter(
            None,
            [
                _("number %(nomor)s") % {"nomor": review.nomor} if review.nomor else "",
                day(review.date) if review.date else _("not dated yet"),
            ],
        )
    )
    return [
        Output(
            "reviu",
            _("Annual performance review report"),
            reverse("reviu:report", args=(year, "pdf")),
            GENERATED,
            "PDF",
            note=note,
            also=(("DOCX", reverse("reviu:report", args=(year, "docx"))),),
        )
    ]


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    found = []
    page = f"{reverse('reviu:page')}?year={year}"
    activities = policy.visible(user, Activity.objects.filter(kabupaten=kabupaten, year=year))
    n = activities.count()
    if n and not activities.filter(realisation__isnull=True).exists():
        found.append(
            Proof(
                REALISATION,
                _("Realisation of the %(year)d plan") % {"year": year},
                page,
                ngettext("%(n)s activity", "%(n)s activities", n) % {"n": number(n)},
            )
        )
    review = _review(kabupaten, year, user)
    if review is None:
        return found
    if review.nomor and review.date and review.date <= today:
        found.append(
            Proof(
                REPORT,
                _("Annual performance review report"),
                reverse("reviu:report", args=(year, "pdf")),
                _("number %(nomor)s") % {"nomor": review.nomor} + " · " + day(review.date),
            )
        )
    n = review.recommendations.count()
    if n:
        found.append(
            Proof(
                RECOMMENDATIONS,
                _("Recommendations of the %(year)d review") % {"year": year},
                page,
                ngettext("%(n)s recommendation", "%(n)s recommendations", n) % {"n": number(n)},
            )
        )
    return found
