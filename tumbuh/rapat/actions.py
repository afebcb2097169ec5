"""Running a meeting: each action asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save
from tumbuh.documents.actions import do_attach
from tumbuh.organisation.models import Opd, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from .models import CLOSED, ActionItem, Attendee, Decision, Group, ProgressNote, Rapat, Status

#: Check-in codes: no 0/O, 1/I, 2/Z, 5/S or 8/B to misread at the door.
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
CODE_LENGTH = 6


def do_save_rapat(actor, rapat: Rapat, *, reason: str = "") -> Rapat:
    if rapat.pk is None and rapat.created_by_id is None and getattr(actor, "pk", None):
        rapat.created_by = actor
    return do_save(actor, rapat, reason=reason)


def new_code(rapat: Rapat, taken: set[str] | None = None) -> str:
    taken = taken if taken is not None else set(Attendee.objects.filter(rapat=rapat).values_list("code", flat=True))
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def do_add_participant(actor, participant: Attendee, *, reason: str = "", taken: set[str] | None = None) -> Attendee:
    """Add an invitee (or a walk-in, ``invited=False``) with a fresh check-in code, or correct one."""
    if not participant.code:
        participant.code = new_code(participant.rapat, taken)
    return do_save(actor, participant, reason=reason)


def removal_refusal(participant: Attendee) -> str:
    """Why ``participant`` cannot be removed, or "" when they can. A check-in is a record that
    the person came: it is undone first, with its own reason, never erased by a removal."""
    if participant.present:
        return _("%(name)s checked in at %(time)s. Undo the check-in first (with its reason) if it was a mistake; "
                 "someone who came stays on the attendance list.") % {
            "name": participant.name, "time": timezone.localtime(participant.checked_in_at).strftime("%H.%M")}
    return ""


def do_remove_participant(actor, participant: Attendee, *, reason: str) -> None:
    """Take an invitee (or a walk-in) off the list, with a reason; the counts follow (they are
    counted from the list). Refused while they are checked in (see ``removal_refusal``)."""
    policy.require(actor, policy.DELETE, participant)  # before saying why it cannot be done
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the participant is removed.")})
    refusal = removal_refusal(participant)
    if refusal:
        raise ValidationError(refusal)
    do_delete(actor, participant, reason=reason.strip())


def registry_invitees(rapat: Rapat, groups: list[str]) -> list[Attendee]:
    """Invitees for ``groups`` from what Tumbuh already knows about the team's region: every
    active OPD, camat, kepala desa or lurah, and puskesmas; one TP PKK and one PLKB per
    kecamatan. Names are the office until the organiser types the person's name."""
    node = rapat.tpps.wilayah
    regions = Wilayah.objects.filter(Wilayah.subtree_q(node.code))
    out: list[Attendee] = []

    def add(group, name, organisation, position=""):
        out.append(Attendee(rapat=rapat, group=group, name=name, organisation=organisation, position=position))

    if Group.OPD in groups:
        for opd in Opd.objects.filter(kabupaten_id=node.code[:5], is_active=True).order_by("short_name"):
            add(Group.OPD, _("Head of %(opd)s") % {"opd": opd.short_name}, opd.name, _("Head of agency"))
    kecamatan = list(regions.filter(level=Level.KECAMATAN).order_by("code"))
    if Group.CAMAT in groups:
        for k in kecamatan:
            add(Group.CAMAT, f"Camat {k.name}", k.label, "Camat")
    for group, kind, title in ((Group.KEPALA_DESA, "desa", "Kepala Desa"), (Group.LURAH, "kelurahan", "Lurah")):
        if group in groups:
            for d in regions.filter(level=Level.DESA, kind=kind).order_by("code"):
                add(group, f"{title} {d.name}", d.label, title)
    if Group.PUSKESMAS in groups:
        for p in Puskesmas.objects.filter(Wilayah.subtree_q(node.code, "kecamatan__") if node.level <= Level.KECAMATAN
                                          else Wilayah.subtree_q(node.code, "desa__")).filter(is_active=True).distinct():
            add(Group.PUSKESMAS, _("Head of %(p)s") % {"p": p.name}, p.name, _("Head of puskesmas"))
    for group, office in ((Group.PKK, "Ketua TP PKK"), (Group.PLKB, "PLKB")):
        if group in groups:
            for k in kecamatan or [node]:
                add(group, f"{office} {k.label}", k.label, office)
    return out


def do_invite_from_registry(actor, rapat: Rapat, groups: list[str], *, reason: str = "") -> int:
    """Invite ``groups`` from the registry (see ``registry_invitees``); someone already on the
    list (same group and organisation) is not added twice. Returns how many were added."""
    policy.require(actor, policy.CHANGE, rapat)
    existing = set(Attendee.objects.filter(rapat=rapat).values_list("group", "organisation", "position"))
    taken = set(Attendee.objects.filter(rapat=rapat).values_list("code", flat=True))
    added = 0
    with transaction.atomic():
        for p in registry_invitees(rapat, groups):
            if (p.group, p.organisation, p.position) in existing:
                continue
            do_add_participant(actor, p, reason=reason or _("invited from the registry"), taken=taken)
            existing.add((p.group, p.organisation, p.position))
            added += 1
        missing = [g for g in groups if g not in rapat.invited_groups]
        if missing:
            rapat.invited_groups = [*rapat.invited_groups, *missing]
            do_save(actor, rapat, reason=reason or _("invited from the registry"))
    return added


class CheckInResult:
    OK, ALREADY, UNKNOWN = "ok", "already", "unknown"


def do_check_in(actor, participant: Attendee, *, at: dt.datetime) -> str:
    """Mark ``participant`` present at ``at`` (once: a second scan changes nothing). Returns a
    ``CheckInResult`` value."""
    policy.require(actor, policy.CHANGE, participant)  # a second scan writes nothing but still asks
    if participant.checked_in_at is not None:
        return CheckInResult.ALREADY
    participant.checked_in_at = at
    participant.checked_in_by = actor if getattr(actor, "pk", None) else None
    do_save(actor, participant, reason=_("check-in"))
    return CheckInResult.OK


def parse_code(rapat: Rapat, scanned: str) -> str | None:
    """The code of this meeting in what a QR reader or a person typed (``R12-ABC123`` or
    ``abc123``); None for a card of another meeting."""
    text = (scanned or "").strip().upper().replace(" ", "")
    if text.startswith("R") and "-" in text:
        meeting, _sep, text = text[1:].partition("-")
        if meeting != str(rapat.pk):
            return None
    return text or None


def do_check_in_by_code(actor, rapat: Rapat, scanned: str, *, at: dt.datetime) -> tuple[str, Attendee | None]:
    code = parse_code(rapat, scanned)
    participant = Attendee.objects.filter(rapat=rapat, code=code).first() if code else None
    if participant is None:
        policy.require(actor, policy.CHANGE, rapat)
        return CheckInResult.UNKNOWN, None
    return do_check_in(actor, participant, at=at), participant


def do_undo_check_in(actor, participant: Attendee, *, reason: str) -> Attendee:
    participant.checked_in_at = None
    participant.checked_in_by = None
    return do_save(actor, participant, reason=reason)


def do_record_decision(actor, rapat: Rapat, text: str, *, item: ActionItem | None = None, reason: str = "") -> Decision:
    """A decision of the meeting, numbered in order, with an optional action item that follows it up."""
    with transaction.atomic():
        number = (rapat.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = do_save(actor, Decision(rapat=rapat, number=number, text=text.strip()), reason=reason)
        if item is not None:
            item.rapat, item.decision = rapat, decision
            do_save_action_item(actor, item, reason=reason)
    return decision


def do_save_action_item(actor, item: ActionItem, *, reason: str = "") -> ActionItem:
    return do_save(actor, item, reason=reason)


def do_report_progress(actor, item: ActionItem, *, text: str, status: str, day: dt.date, file=None,
                       reason: str = "") -> ProgressNote:
    """The owner (or organiser) reports progress: a dated note, the item's new status (closing
    it on ``day`` when done or cancelled, reopening it otherwise) and optional evidence."""
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    note = ProgressNote(item=item, date=day, text=text.strip(), status=status, author=actor if actor.pk else None)
    if day < item.rapat.date:
        raise ValidationError({"date": _("Progress cannot be dated before the meeting that agreed the action.")})
    with transaction.atomic():
        do_save(actor, note, reason=reason or _("progress report"))
        item.status = status
        item.closed_on = day if status in CLOSED else None
        do_save(actor, item, reason=reason or _("progress report"), permitted_by=(policy.ADD, note))
        if file is not None:
            do_attach(actor, note, file=file, kind="evidence", title=_("Evidence: %(item)s") % {"item": item.title[:150]},
                      wilayah_code=item.evidence_wilayah_code, reason=reason)
    return note
