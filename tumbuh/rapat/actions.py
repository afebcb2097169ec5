"""Running a meeting: each action asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save, require_step
from tumbuh.documents.actions import do_attach
from tumbuh.organisation.models import Opd, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from .models import CLOSED, ActionItem, Attendee, Decision, Group, ProgressNote, Rapat, Status
from .permissions import may_reopen

#: Check-in codes: no 0/O, 1/I, 2/Z, 5/S or 8/B to misread at the door.
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
CODE_LENGTH = 6


# ---------------------------------------------------------------- the lock after the meeting day


def lock_refusal(rapat: Rapat, today: dt.date) -> str:
    """Why the meeting's attendance and minutes cannot change on ``today``, or "" when they can.
    They lock the day after the meeting, so that the figures of a past period (the attendance a
    semester report counts) stay as they were; a district admin may reopen them (``do_reopen``)."""
    if not rapat.is_locked(today):
        return ""
    return _(
        "This meeting was held on %(date)s: its attendance and minutes are locked since the day after, so that "
        "the reports of that period stay as they were. A district admin can reopen it, with a reason."
    ) % {"date": date_format(rapat.date, "j F Y")}


def _refuse_if_locked(rapat_id: int, today: dt.date) -> None:
    """Raise ``ValidationError`` when the meeting, as stored, is locked on ``today``."""
    stored = Rapat.objects.filter(pk=rapat_id).first()
    refusal = lock_refusal(stored, today) if stored is not None else ""
    if refusal:
        raise ValidationError(refusal)


def do_reopen(actor, rapat: Rapat, *, reason: str, today: dt.date) -> Rapat:
    """The district admin reopens a locked meeting (its attendance and minutes change again until
    it is closed), with a reason that the audit log keeps."""
    require_step(actor, (may_reopen, rapat))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is reopened.")})
    if not rapat.is_locked(today):
        raise ValidationError(_("This meeting is not locked: its attendance and minutes can still be changed."))
    rapat.reopened_on, rapat.reopened_by, rapat.reopen_reason = today, _person(actor), reason
    return do_save(
        actor, rapat, reason=_("Attendance and minutes reopened after the meeting day: %(reason)s") % {"reason": reason}
    )


def do_close(actor, rapat: Rapat, *, today: dt.date, reason: str = "") -> Rapat:
    """Close a reopened meeting again: after its day, its attendance and minutes lock once more."""
    require_step(actor, (may_reopen, rapat))
    if not rapat.is_reopened:
        raise ValidationError(_("This meeting is not reopened."))
    rapat.reopened_on, rapat.reopened_by, rapat.reopen_reason = None, None, ""
    said = (reason or "").strip()
    return do_save(actor, rapat, reason=_("Attendance and minutes closed again") + (f": {said}" if said else ""))


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


# ---------------------------------------------------------------- the meeting and its list


def do_save_rapat(actor, rapat: Rapat, *, today: dt.date, reason: str = "") -> Rapat:
    """Create or change a meeting and, in the same transaction, invite from the registry the
    groups newly chosen in ``invited_groups`` (``registry_invitees``): choosing a group invites it.

    Refused on a meeting locked on ``today`` (``lock_refusal``), and so is moving a meeting's
    date before ``today``. A meeting held before ``today`` is recorded afterwards only by a
    district admin, with a reason: it is created reopened (``do_reopen``), to be closed once
    its attendance is entered."""
    stored = Rapat.objects.filter(pk=rapat.pk).first() if rapat.pk else None
    policy.require(actor, policy.CHANGE if stored else policy.ADD, stored or rapat)  # 403 before any other refusal
    if stored is not None:
        _refuse_if_locked(stored.pk, today)
    if rapat.is_locked(today):
        if stored is not None:
            raise ValidationError(
                {
                    "date": _(
                        "The date cannot be moved before today: the meeting would lock. "
                        "A district admin can reopen it, with a reason."
                    )
                }
            )
        if not may_reopen(actor, rapat):
            raise ValidationError(
                {
                    "date": _(
                        "A meeting held before today is recorded by the district admin, with a "
                        "reason: it changes the reports of a past period."
                    )
                }
            )
        if not (reason or "").strip():
            raise ValidationError({"reason": _("Say why a meeting held before today is recorded now.")})
        rapat.reopened_on, rapat.reopened_by, rapat.reopen_reason = today, _person(actor), reason.strip()
    if rapat.pk is None and rapat.created_by_id is None and getattr(actor, "pk", None):
        rapat.created_by = actor
    new_groups = [g for g in rapat.invited_groups or [] if g not in (stored.invited_groups if stored else [])]
    with transaction.atomic():
        do_save(actor, rapat, reason=reason)
        if new_groups:
            _add_from_registry(actor, rapat, new_groups, reason=reason or _("invited from the registry"))
    return rapat


def new_code(rapat: Rapat, taken: set[str] | None = None) -> str:
    taken = taken if taken is not None else set(Attendee.objects.filter(rapat=rapat).values_list("code", flat=True))
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def do_add_participant(
    actor, participant: Attendee, *, today: dt.date, reason: str = "", taken: set[str] | None = None
) -> Attendee:
    """Add an invitee (or a walk-in, ``invited=False``) with a fresh check-in code, or correct one;
    refused once the meeting is locked."""
    policy.require(actor, policy.CHANGE if participant.pk else policy.ADD, participant)
    _refuse_if_locked(participant.rapat_id, today)
    return _save_participant(actor, participant, reason=reason, taken=taken)


def _save_participant(actor, participant: Attendee, *, reason: str = "", taken: set[str] | None = None) -> Attendee:
    if not participant.code:
        participant.code = new_code(participant.rapat, taken)
    return do_save(actor, participant, reason=reason)


def removal_refusal(participant: Attendee, today: dt.date) -> str:
    """Why ``participant`` cannot be removed, or "" when they can. A check-in is a record that
    the person came: it is undone first, with its own reason, never erased by a removal; and
    a locked meeting's list does not change."""
    locked = lock_refusal(participant.rapat, today)
    if locked:
        return locked
    if participant.present:
        return _(
            "%(name)s checked in at %(time)s. Undo the check-in first (with its reason) if it was a mistake; "
            "someone who came stays on the attendance list."
        ) % {"name": participant.name, "time": timezone.localtime(participant.checked_in_at).strftime("%H.%M")}
    return ""


def do_remove_participant(actor, participant: Attendee, *, reason: str, today: dt.date) -> None:
    """Take an invitee (or a walk-in) off the list, with a reason; the counts follow (they are
    counted from the list). Refused while they are checked in, or the meeting is locked (see
    ``removal_refusal``)."""
    policy.require(actor, policy.DELETE, participant)  # before saying why it cannot be done
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the participant is removed.")})
    participant.rapat = Rapat.objects.get(pk=participant.rapat_id)  # the lock as stored
    refusal = removal_refusal(participant, today)
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
        for p in (
            Puskesmas.objects.filter(
                Wilayah.subtree_q(node.code, "kecamatan__")
                if node.level <= Level.KECAMATAN
                else Wilayah.subtree_q(node.code, "desa__")
            )
            .filter(is_active=True)
            .distinct()
        ):
            add(Group.PUSKESMAS, _("Head of %(p)s") % {"p": p.name}, p.name, _("Head of puskesmas"))
    for group, office in ((Group.PKK, "Ketua TP PKK"), (Group.PLKB, "PLKB")):
        if group in groups:
            for k in kecamatan or [node]:
                add(group, f"{office} {k.label}", k.label, office)
    return out


def do_invite_from_registry(actor, rapat: Rapat, groups: list[str], *, today: dt.date, reason: str = "") -> int:
    """Invite ``groups`` from the registry (see ``registry_invitees``); someone already on the
    list (same group and organisation) is not added twice. Returns how many were added.
    Refused once the meeting is locked."""
    policy.require(actor, policy.CHANGE, rapat)
    _refuse_if_locked(rapat.pk, today)
    reason = reason or _("invited from the registry")
    with transaction.atomic():
        added = _add_from_registry(actor, rapat, groups, reason=reason)
        missing = [g for g in groups if g not in rapat.invited_groups]
        if missing:
            rapat.invited_groups = [*rapat.invited_groups, *missing]
            do_save(actor, rapat, reason=reason)
    return added


def _add_from_registry(actor, rapat: Rapat, groups: list[str], *, reason: str) -> int:
    existing = set(Attendee.objects.filter(rapat=rapat).values_list("group", "organisation", "position"))
    taken = set(Attendee.objects.filter(rapat=rapat).values_list("code", flat=True))
    added = 0
    for p in registry_invitees(rapat, groups):
        if (p.group, p.organisation, p.position) in existing:
            continue
        _save_participant(actor, p, reason=reason, taken=taken)
        existing.add((p.group, p.organisation, p.position))
        added += 1
    return added


class CheckInResult:
    OK, ALREADY, UNKNOWN = "ok", "already", "unknown"


def do_check_in(actor, participant: Attendee, *, at: dt.datetime) -> str:
    """Mark ``participant`` present at ``at`` (once: a second scan changes nothing). Returns a
    ``CheckInResult`` value. Refused (``ValidationError``) when the meeting is locked on the
    day of ``at``: nobody is checked in to a meeting after its day."""
    policy.require(actor, policy.CHANGE, participant)  # a second scan writes nothing but still asks
    _refuse_if_locked(participant.rapat_id, timezone.localdate(at))
    if participant.checked_in_at is not None:
        return CheckInResult.ALREADY
    participant.checked_in_at = at
    participant.checked_in_by = _person(actor)
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
        _refuse_if_locked(rapat.pk, timezone.localdate(at))
        return CheckInResult.UNKNOWN, None
    return do_check_in(actor, participant, at=at), participant


def do_undo_check_in(actor, participant: Attendee, *, reason: str, today: dt.date) -> Attendee:
    policy.require(actor, policy.CHANGE, participant)
    _refuse_if_locked(participant.rapat_id, today)
    participant.checked_in_at = None
    participant.checked_in_by = None
    return do_save(actor, participant, reason=reason)


def do_record_decision(
    actor, rapat: Rapat, text: str, *, today: dt.date, item: ActionItem | None = None, reason: str = ""
) -> Decision:
    """A decision of the meeting, numbered in order, with an optional action item that follows it
    up. Decisions are part of the minutes: refused once the meeting is locked."""
    policy.require(actor, policy.ADD, Decision(rapat=rapat))
    _refuse_if_locked(rapat.pk, today)
    with transaction.atomic():
        number = (rapat.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = do_save(actor, Decision(rapat=rapat, number=number, text=text.strip()), reason=reason)
        if item is not None:
            item.rapat, item.decision = rapat, decision
            do_save(actor, item, reason=reason)
    return decision


def do_save_action_item(actor, item: ActionItem, *, today: dt.date, reason: str = "") -> ActionItem:
    """Add an action item to a meeting (refused once it is locked: what a meeting agreed is part of
    its minutes), or correct one: its owner, title and due date are followed up after the
    meeting, so a correction is not locked."""
    if item.pk is None:
        policy.require(actor, policy.ADD, item)
        _refuse_if_locked(item.rapat_id, today)
    return do_save(actor, item, reason=reason)


def do_report_progress(
    actor, item: ActionItem, *, text: str, status: str, day: dt.date, file=None, reason: str = ""
) -> ProgressNote:
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
            do_attach(
                actor,
                note,
                file=file,
                kind="evidence",
                title=_("Evidence: %(item)s") % {"item": item.title[:150]},
                wilayah_code=item.evidence_wilayah_code,
                reason=reason,
            )
    return note
