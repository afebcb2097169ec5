"""What the measurements app tells the apps above it, without knowing them.

``visits_changed`` is sent (``sender=Measurement``) once a visit was removed or restored, moved
to another child by a merge or back by an unmerge, or given another date, with ``dates``: every
date a figure may have changed on (the old and the new date of a corrected visit), and ``desa``:
the codes of the desa whose figures may have changed (the visits' desa and their children's,
both children's in a merge). The dashboards mark the periods holding the dates stale, so their
aggregates are computed again; indikator recomputes the coverage it computes from visits for
those desa and years. A plain save of a visit is already seen by ``post_save``; this signal also
carries what ``post_save`` cannot: the date a visit left."""

from __future__ import annotations

from django.dispatch import Signal

visits_changed = Signal()


def send_visits_changed(dates, why: str, desa=()) -> None:
    """Tell the listeners that the visits of ``dates`` in ``desa`` (codes) changed (``why``:
    removed, restored, merged, unmerged, date_corrected)."""
    from .models import Measurement

    dates = sorted({d for d in dates if d is not None})
    if dates:
        visits_changed.send(sender=Measurement, dates=dates, why=why, desa=sorted({c for c in desa if c}))
