"""Handouts for Pantau Aksi, per weighing round of the year in which the district measured: the
data-quality report (Aksi 6, page ``quality``) and the prevalence recap of the round (Aksi 7's
"rekap pengukuran", page ``publik``), for the whole district, so only for readers who see all
of it (the dashboards answer 404 for a region outside the reader's node)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output
from tumbuh.measurements.models import Measurement

from .aggregates import available_periods

#: page key, title, PDF view, Excel view
HANDOUTS = (
    ("quality", gettext_lazy("Data quality, %(round)s"), "dashboards:quality_pdf", "dashboards:quality_xlsx"),
    ("publik", gettext_lazy("Measurement recap: prevalence, %(round)s"), "dashboards:prevalence_pdf", "dashboards:prevalence_xlsx"),
)


def outputs(kabupaten, year: int, user) -> list[Output]:
    if not policy.node_contains(user, kabupaten.code):
        return []
    found = []
    for period in sorted(p for p in available_periods(user=user, kind="round") if p.year == year):
        if not Measurement.objects.filter(desa__kabupaten_code=kabupaten.code, date__range=(period.start, period.end)).exists():
            continue
        query = "?" + urlencode({"within": kabupaten.code, "period": period.key})
        for page, title, pdf, xlsx in HANDOUTS:
            found.append(Output(page, str(title) % {"round": period.label}, reverse(pdf) + query, GENERATED, "PDF",
                                note=_("built from the measurements as they stand"), also=(("XLSX", reverse(xlsx) + query),)))
    return found
