"""A district's year in Pantau Aksi, as rows: each action's status, its checklist done of
required, overdue or not, and the documents that back it. Pantau Aksi shows them for one
district; the province's page (``tumbuh.province``) sums them per district."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from tumbuh.accounts import policy
from tumbuh.documents.models import UploadedDocument

from . import checklist, outputs
from .models import CycleYear, OutputItem


def cycle_of(kabupaten, year: int, user) -> CycleYear | None:
    """The district's cycle of ``year`` as ``user`` sees it (None: not started, or not visible)."""
    return (
        policy.visible(user, CycleYear.objects.filter(kabupaten=kabupaten, year=year))
        .select_related("action_set")
        .first()
    )


def year_rows(cycle: CycleYear, user, *, today: datetime.date) -> list[dict]:
    """One row per action of ``cycle``: ``a`` (the ActionYear), ``done`` and ``total`` required
    outputs, ``overdue``, ``docs`` (uploaded evidence and the documents Tumbuh produces for
    the action's page) and ``page`` (the Tumbuh page doing the action's work)."""
    kabupaten, year = cycle.kabupaten, cycle.year
    qs = list(
        cycle.actions.select_related("definition", "responsible_opd").prefetch_related(
            "ticks", Prefetch("definition__items", queryset=OutputItem.objects.order_by("order", "pk"))
        )
    )
    produced = outputs.collect_all(kabupaten, year, user)
    proofs = outputs.collect_proofs(kabupaten, year, user, today=today, keys=checklist.keys_of(qs))
    rows = []
    for a in qs:
        done, total = checklist.progress(checklist.lines(a, user, today=today, proofs=proofs))
        rows.append(
            {
                "a": a,
                "done": done,
                "total": total,
                "overdue": a.is_overdue(today),
                "docs": UploadedDocument.for_object(a).count() + len(produced.get(a.definition.page, [])),
                "page": a.definition.page_link(),
            }
        )
    return rows
