"""Aksi 2's document in Pantau Aksi: the integrated activity plan as Excel, once the year has
activities."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output

from .models import Activity


def outputs(kabupaten, year: int, user) -> list[Output]:
    if not policy.can(user, policy.VIEW, Activity):
        return []
    n = policy.visible(user, Activity.objects.filter(kabupaten=kabupaten, year=year)).count()
    if not n:
        return []
    return [Output("rencana", _("Integrated activity plan"), reverse("rencana:export", args=(year,)), GENERATED, "XLSX",
                   note=ngettext("%(n)d activity, as it stands", "%(n)d activities, as they stand", n) % {"n": n})]
