"""The period a page shows when its address names none: one rule, in one place, for the
dashboards, the map and the KRS targeting page.

The rule: **the latest round that has enough measurements to report.** A round is reported once
it holds at least ``REPORTED_SHARE`` of the measurements of the fullest of the
``LOOKBACK`` rounds before it, in the user's area. So one visit entered today for a round that
has only begun does not blank the headline pages: they keep showing the last reported round
until the new one fills, and the new round stays one click away in the period picker. A round
after a gap (no rounds with data before it) is reported as soon as it has any measurement."""

from __future__ import annotations

import datetime as dt
import functools
import operator

from django.core.cache import cache
from django.db.models import Count, Max, Q

from tumbuh.accounts import policy

from . import aggregates
from .periods import Period

#: Share of the fullest earlier round's measurements a round needs to be the default.
REPORTED_SHARE = 0.5
#: How many earlier rounds a round is compared with (two years of February and August rounds).
LOOKBACK = 4
#: How far back the default looks for a reported round before it gives up (the latest round).
SEARCH = 6


def default_round(user, *, today: dt.date) -> Period:
    """The round shown by default to ``user``: the latest round with enough measurements to
    report (see the module); with no measurements at all, the round running ``today``."""
    latest = aggregates.latest_period(user=user, kind="round")
    if latest is None:
        return Period.round_containing(today)
    rounds = [latest]
    for _i in range(SEARCH + LOOKBACK - 1):
        rounds.append(rounds[-1].previous())
    counts = _measurements_per_round(user, rounds)
    for i, candidate in enumerate(rounds[:SEARCH]):
        earlier = max((counts[p.key] for p in rounds[i + 1 : i + 1 + LOOKBACK]), default=0)
        if counts[candidate.key] > 0 and counts[candidate.key] >= REPORTED_SHARE * earlier:
            return candidate
    return latest


#: How long the counts are reused; a visit added, removed or restored starts afresh at once.
CACHE_SECONDS = 600


def _measurements_per_round(user, rounds: list[Period]) -> dict[str, int]:
    """Measurements the user sees in each round, in one query over the whole district's visits,
    reused per area until a visit is added (``CACHE_SECONDS``)."""
    from tumbuh.measurements.models import Measurement

    signed_in = user is not None and user.is_authenticated
    area = "all" if not signed_in or policy.is_global(user) else f"{user.role}:{user.wilayah_id}:{user.puskesmas_id}"
    # A visit added (a higher id), removed or restored (the removed count and latest removal)
    # starts afresh at once.
    # starts afresh at once. Two queries, each answered from an index (the primary key; the
    # partial index of removed visits): one aggregate over both would read every visit.
    newest = Measurement.all_objects.aggregate(newest=Max("pk"))["newest"]
    removed = Measurement.all_objects.filter(removed_at__isnull=False).aggregate(n=Count("pk"), last=Max("removed_at"))
    key = f"default-round:{area}:{rounds[0].key}:{newest}:{removed['n']}:{removed['last']}"
    counts = cache.get(key)
    if counts is None:
        qs = policy.visible(user, Measurement.objects.all()) if signed_in else Measurement.objects.all()
        counts = _count(qs, rounds)
        cache.set(key, counts, CACHE_SECONDS)
    return counts


def _count(qs, rounds: list[Period]) -> dict[str, int]:
    # Only the rounds' own months (ten of the sixty between the first and the last): the date
    # index reads those, not five years of a province's visits (20 million: 10 s a page).
    qs = qs.filter(functools.reduce(operator.or_, (Q(date__gte=p.start, date__lte=p.end) for p in rounds)))
    found = qs.aggregate(
        **{f"n{i}": Count("pk", filter=Q(date__gte=p.start, date__lte=p.end)) for i, p in enumerate(rounds)}
    )
    return {p.key: found[f"n{i}"] for i, p in enumerate(rounds)}
