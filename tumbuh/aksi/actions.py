"""Every change to actions and their progress: policy, validation, audit (``audit.actions``)."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save
from tumbuh.documents.actions import do_attach
from tumbuh.organisation.models import Opd

from . import permissions
from .models import ActionDefinition, ActionSet, ActionYear, ChecklistTick, CycleYear, OutputItem, Status

#: Fields of an action year only the district admin sets (``permissions.may_assign``); the
#: responsible OPD reports the rest.
ADMIN_FIELDS = ("responsible_opd", "due_date")
EVIDENCE_KIND = "aksi-bukti"


def _end_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def start_year(actor, kabupaten_code: str, year: int, action_set: ActionSet, *, reason: str = "") -> CycleYear:
    """Open ``year`` for a district with ``action_set``: one action year per action, with the
    usual lead OPD and due month as first guesses."""
    cycle = CycleYear(kabupaten_id=kabupaten_code, year=year, action_set=action_set)
    if not policy.is_global(actor) and action_set.kabupaten_id not in (None, kabupaten_code):
        raise PermissionDenied
    opd = dict(Opd.objects.filter(kabupaten_id=kabupaten_code).values_list("short_name", "pk"))
    with transaction.atomic():
        do_save(actor, cycle, reason=reason or _("Convergence year opened"))
        for d in action_set.actions.all():
            do_save(
                actor,
                ActionYear(
                    cycle=cycle,
                    definition=d,
                    responsible_opd_id=opd.get(d.lead_opd),
                    due_date=_end_of_month(year, d.due_month) if d.due_month else None,
                ),
                reason=reason or _("Convergence year opened"),
            )
    return cycle


def update_action_year(
    actor, action_year: ActionYear, changes: dict, *, today: datetime.date, reason: str = ""
) -> ActionYear:
    """Apply ``changes`` (field → value). OPD staff report status, dates and notes of their
    own actions; only the district admin reassigns the OPD or moves the due date. Done without
    a done date: done ``today``."""
    if not permissions.may_assign(actor, action_year):
        touched = [f for f in ADMIN_FIELDS if f in changes and changes[f] != getattr(action_year, f)]
        if touched:
            raise PermissionDenied(_("Only the TPPS secretariat changes the responsible OPD and the due date."))
    for name, value in changes.items():
        setattr(action_year, name, value)
    if action_year.status == Status.DONE and not action_year.done_date:
        action_year.done_date = today
    return do_save(actor, action_year, reason=reason)


def tick(
    actor, action_year: ActionYear, item: OutputItem, *, done: bool, note: str = "", reason: str = ""
) -> ChecklistTick:
    """Mark one required output as produced (or not): only one no record in Tumbuh proves
    (one that a record proves ticks itself, ``aksi.checklist``; ``ChecklistTick.clean``)."""
    obj = ChecklistTick.objects.filter(action_year=action_year, item=item).first()
    obj = obj or ChecklistTick(action_year=action_year, item=item)
    obj.done, obj.note = done, note
    obj.by = actor if actor.pk else None
    return do_save(actor, obj, reason=reason)


def attach_evidence(actor, action_year: ActionYear, *, file, title: str, reason: str = ""):
    """Upload a document (evidence, a signed decree) to an action year, for the district."""
    policy.require(actor, policy.CHANGE, action_year)  # the action year's, not only the district's, document
    return do_attach(
        actor,
        action_year,
        file=file,
        kind=EVIDENCE_KIND,
        title=title,
        wilayah_code=action_year.cycle.kabupaten_id,
        reason=reason,
    )


def save_action_set(actor, action_set: ActionSet, *, reason: str = "") -> ActionSet:
    """A district's own set; the national set (no kabupaten) is in no district user's scope."""
    return do_save(actor, action_set, reason=reason)


def save_definition(
    actor, definition: ActionDefinition, checklist: list[str], *, proofs: dict[int, str] | None = None, reason: str = ""
) -> ActionDefinition:
    """Create or update an action and make its checklist exactly ``checklist`` (one required
    output per line, in order); lines kept unchanged keep their ticks. ``proofs`` sets what
    proves a required output kept (its pk → a proof key of ``aksi.outputs.provable``, or ""
    for one ticked by hand)."""
    labels = [line.strip() for line in checklist if line.strip()]
    if len(set(labels)) != len(labels):
        raise ValidationError({"checklist": _("A required output is listed twice.")})
    with transaction.atomic():
        do_save(actor, definition, reason=reason)
        existing = {item.label: item for item in definition.items.all()}
        for order, label in enumerate(labels, start=1):
            item = existing.pop(label, None) or OutputItem(action=definition, label=label)
            item.order = order
            if item.pk and proofs and item.pk in proofs:
                item.proof = proofs[item.pk]
            do_save(actor, item, reason=reason)
        for item in existing.values():
            do_delete(actor, item, reason=reason)
    return definition
