"""Handouts for Pantau Aksi, per weighing round of the year in which the district measured: the
data-quality report (Aksi 6, page ``quality``) and the prevalence recap of the round (Aksi 7's
"rekap pengukuran", page ``publik``), for the whole district, so only for readers who see all
of it (the dashboards answer 404 for a region outside the reader's node).

What proves the required outputs (``PROVES``): a round of the year that is *measured*, by the
rule the dashboards' default period follows (``default_period``: it holds at least
``REPORTED_SHARE`` of the measurements of the fullest of the ``LOOKBACK`` rounds before it, in
the reader's area), proves that round's measurement (Aksi 7: February, August) and the data-gap
analysis (Aksi 6: the round's data-quality page). The improvement plan is ticked by hand."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, Proof, number
from tumbuh.measurements.models import Measurement

from .aggregates import available_periods
from .default_period import LOOKBACK, REPORTED_SHARE
from .periods import Period

#: page key, title, PDF view, Excel view
HANDOUTS = (
    ("quality", gettext_lazy("Data quality, %(round)s"), "dashboards:quality_pdf", "dashboards:quality_xlsx"),
    (
        "publik",
        gettext_lazy("Measurement recap: prevalence, %(round)s"),
        "dashboards:prevalence_pdf",
        "dashboards:prevalence_xlsx",
    ),
)

QUALITY = "dashboards.quality"
ROUND = {2: "dashboards.round-february", 8: "dashboards.round-august"}
PROVES = {
    QUALITY: gettext_lazy("a round of the year is measured, and its data quality is analysed from the measurements"),
    ROUND[2]: gettext_lazy(
        "the February round of the year is measured: at least half as many measurements as the fullest round before it"
    ),
    ROUND[8]: gettext_lazy(
        "the August round of the year is measured: at least half as many measurements as the fullest round before it"
    ),
}


def outputs(kabupaten, year: int, user) -> list[Output]:
    if not policy.node_contains(user, kabupaten.code):
        return []
    found = []
    for period in sorted(p for p in available_periods(user=user, kind="round") if p.year == year):
        if not Measurement.objects.filter(
            desa__kabupaten_code=kabupaten.code, date__range=(period.start, period.end)
        ).exists():
            continue
        query = "?" + urlencode({"within": kabupaten.code, "period": period.key})
        for page, title, pdf, xlsx in HANDOUTS:
            found.append(
                Output(
                    page,
                    str(title) % {"round": period.label},
                    reverse(pdf) + query,
                    GENERATED,
                    "PDF",
                    note=_("built from the measurements as they stand"),
                    also=(("XLSX", reverse(xlsx) + query),),
                )
            )
    return found


def measured_rounds(kabupaten, year: int, user, today) -> list[tuple[Period, int]]:
    """The rounds of ``year`` begun by ``today`` that are measured in ``kabupaten`` as ``user``
    sees it, each with its number of measurements."""
    rounds = [Period.round(year, 8), Period.round(year, 2)]
    while len(rounds) < 2 + LOOKBACK:
        rounds.append(rounds[-1].previous())
    qs = policy.visible(
        user,
        Measurement.objects.filter(
            desa__kabupaten_code=kabupaten.code, date__gte=rounds[-1].start, date__lte=min(rounds[0].end, today)
        ),
    )
    counts = qs.aggregate(
        **{p.key.replace("-", "_"): Count("pk", filter=Q(date__gte=p.start, date__lte=p.end)) for p in rounds}
    )
    n = {p.key: counts[p.key.replace("-", "_")] for p in rounds}
    found = []
    for i, period in enumerate(rounds[:2]):
        earlier = max((n[p.key] for p in rounds[i + 1 : i + 1 + LOOKBACK]), default=0)
        if period.start <= today and n[period.key] and n[period.key] >= REPORTED_SHARE * earlier:
            found.append((period, n[period.key]))
    return sorted(found)


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    within = {"within": kabupaten.code} if policy.node_contains(user, kabupaten.code) else {}
    found = []
    for period, n in measured_rounds(kabupaten, year, user, today):
        query = "?" + urlencode({**within, "period": period.key})
        note = ngettext("%(n)s measurement", "%(n)s measurements", n) % {"n": number(n)}
        found.append(
            Proof(
                ROUND[period.month],
                _("Prevalence, %(round)s") % {"round": period.label},
                reverse("dashboards:prevalence") + query,
                note,
            )
        )
        found.append(
            Proof(
                QUALITY,
                _("Data quality, %(round)s") % {"round": period.label},
                reverse("dashboards:quality") + query,
                note,
            )
        )
    return found
