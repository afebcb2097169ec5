"""Aksi 8's document in Pantau Aksi: the annual performance review report, once the review of
the year is written."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, day

from .models import AnnualReview


def outputs(kabupaten, year: int, user) -> list[Output]:
    review = policy.visible(user, AnnualReview.objects.filter(kabupaten=kabupaten, year=year)).first()
    if review is None:
        return []
    note = " · ".join(filter(None, [
        _("number %(nomor)s") % {"nomor": review.nomor} if review.nomor else "",
        day(review.date) if review.date else _("not dated yet"),
    ]))
    return [Output("reviu", _("Annual performance review report"), reverse("reviu:report", args=(year, "pdf")), GENERATED,
                   "PDF", note=note, also=(("DOCX", reverse("reviu:report", args=(year, "docx"))),))]
