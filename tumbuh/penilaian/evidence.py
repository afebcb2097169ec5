"""What a district holds in Tumbuh for an aksi of a year, read from the aksi app as the
assessor sees it: the action's progress (``aksi.ActionYear``), its checklist (``aksi.checklist``:
the outputs a record proves, with their links, and the hand ticks), the documents Tumbuh holds
for it (``aksi.outputs``) and the files uploaded on the action page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.aksi import checklist, outputs
from tumbuh.aksi.models import ActionSet, ActionYear, OutputItem
from tumbuh.documents.models import UploadedDocument


@dataclass
class AksiEvidence:
    """The evidence of one aksi of one year in one district."""

    year: int
    aksi: int
    action: ActionYear | None = None  #: None: the district has not planned this aksi in Tumbuh
    lines: list = field(default_factory=list)  #: aksi.checklist.Line
    documents: list = field(default_factory=list)  #: aksi.outputs.Output
    uploads: list = field(default_factory=list)  #: UploadedDocument on the action page

    @property
    def url(self) -> str:
        return reverse("aksi:action", args=(self.action.pk,)) if self.action else ""

    @property
    def progress(self) -> tuple[int, int]:
        return checklist.progress(self.lines)

    @property
    def empty(self) -> bool:
        return self.action is None and not self.documents


def for_district(kabupaten, pairs, user, *, today: datetime.date) -> dict[tuple[int, int], AksiEvidence]:
    """(year, aksi) → :class:`AksiEvidence` for each pair of ``pairs``, as ``user`` sees it on ``today``."""
    years = sorted({year for year, _aksi in pairs})
    actions = {
        (a.cycle.year, a.definition.number): a
        for a in policy.visible(
            user,
            ActionYear.objects.filter(cycle__kabupaten=kabupaten, cycle__year__in=years)
            .select_related("cycle", "definition", "responsible_opd")
            .prefetch_related(
                "ticks", Prefetch("definition__items", queryset=OutputItem.objects.order_by("order", "pk"))
            ),
        )
    }
    uploads: dict[str, list] = {}
    if actions:  # the files of every action at once, not a query per criterion (issue 18)
        on_actions = UploadedDocument.objects.filter(
            content_type=ContentType.objects.get_for_model(ActionYear),
            object_id__in=[str(a.pk) for a in actions.values()],
        )
        for upload in policy.visible(user, on_actions).order_by("uploaded_at", "pk"):
            uploads.setdefault(upload.object_id, []).append(upload)
    default = ActionSet.default()
    default_pages = {d.number: d.page for d in default.actions.all()} if default else {}
    found = {}
    for year in years:
        in_year = [a for (y, _n), a in actions.items() if y == year]
        produced = outputs.collect_all(kabupaten, year, user)
        proofs = outputs.collect_proofs(kabupaten, year, user, today=today, keys=checklist.keys_of(in_year))
        for y, aksi in pairs:
            if y != year:
                continue
            action = actions.get((year, aksi))
            item = AksiEvidence(year, aksi, action)
            page = action.definition.page if action is not None else default_pages.get(aksi, "")
            item.documents = produced.get(page, []) if page else []
            if action is not None:
                item.lines = checklist.lines(action, user, today=today, proofs=proofs)
                item.uploads = uploads.get(str(action.pk), [])
            found[(year, aksi)] = item
    return found
