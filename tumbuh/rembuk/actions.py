"""Everything that changes a rembuk: ask the policy, validate, write, audit.

Views call these; each raises ``PermissionDenied`` (403) for what the actor may not do and
``ValidationError`` for what may not be done (e.g. changing a closed event)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save
from tumbuh.documents.actions import do_attach
from tumbuh.documents.models import UploadedDocument
from tumbuh.organisation.models import Opd
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Level, Wilayah

from . import materials
from .models import AgreedPlan, Category, Invitee, RembukEvent, Status

#: The kinds of signed scan a rembuk takes back; the first two close it.
SCAN_COMMITMENT, SCAN_BERITA_ACARA, SCAN_ATTENDANCE = "rembuk-komitmen", "rembuk-berita-acara", "rembuk-daftar-hadir"
REQUIRED_SCANS = (SCAN_COMMITMENT, SCAN_BERITA_ACARA)


def _open(event: RembukEvent) -> None:
    if event.is_closed:
        raise ValidationError(_("This rembuk is closed: its signed documents are filed and it no longer changes."))


def do_save_event(actor, event: RembukEvent, *, reason: str = "", invite: bool = False) -> RembukEvent:
    """Create or update an event; a new one may invite the default participants."""
    creating = event.pk is None
    if creating:
        event.created_by = actor if getattr(actor, "pk", None) else None
    else:
        _open(RembukEvent.objects.get(pk=event.pk))
    with transaction.atomic():
        do_save(actor, event, reason=reason)
        if creating and invite:
            invite_defaults(actor, event)
    return event


def default_participants(event: RembukEvent) -> list[Invitee]:
    """Who is invited by default, from the region's lists (positions in Indonesian: they are
    printed on the official documents).

    Kabupaten: the Bupati, the DPRD chair, the TPPS chair, every active OPD head, every camat,
    the heads of the lokus desa (Aksi 1) and a place for non-government partners. Kecamatan:
    the camat, the kecamatan TPPS, the puskesmas heads, every village head of the kecamatan
    and the OPD pembina of the district's TPPS secretariat."""
    w = event.wilayah
    people: list[Invitee] = []

    def add(category, position, organisation="", **kw):
        people.append(Invitee(event=event, category=category, position=position, organisation=organisation, **kw))

    kab = Wilayah.objects.get(pk=event.kabupaten_code)
    if w.level == Level.KABUPATEN:
        head = "Wali Kota" if kab.kind == "kota" else "Bupati"
        add(Category.BUPATI, f"{head} {kab.name.removeprefix('Kabupaten ').removeprefix('Kota ')}", signs_minutes=True)
        add(Category.DPRD, f"Ketua DPRD {kab.label}", signs_minutes=True)
        for tpps in Tpps.objects.filter(wilayah=w):
            add(Category.TPPS, f"Ketua {tpps.name}", tpps.name, tpps=tpps, signs_commitment=False, signs_minutes=True)
        for opd in Opd.objects.filter(kabupaten=kab, is_active=True).order_by("short_name"):
            add(Category.OPD, f"Kepala {opd.name}", opd.short_name, opd=opd)
        for kec in Wilayah.objects.filter(parent=w, level=Level.KECAMATAN).order_by("name"):
            add(Category.CAMAT, f"Camat {kec.name}", f"Kecamatan {kec.name}")
        desa = Wilayah.objects.filter(code__in=materials.lokus_codes(event)).order_by("code")
    else:
        add(Category.CAMAT, f"Camat {w.name}", f"Kecamatan {w.name}", signs_minutes=True)
        for tpps in Tpps.objects.filter(wilayah=w):
            add(Category.TPPS, f"Ketua {tpps.name}", tpps.name, tpps=tpps, signs_commitment=False)
        from tumbuh.organisation.models import Puskesmas

        for pkm in Puskesmas.objects.filter(kecamatan=w, is_active=True).order_by("name"):
            add(Category.PUSKESMAS, f"Kepala {pkm.name}", pkm.name)
        desa = Wilayah.objects.filter(parent=w, level=Level.DESA).order_by("code")
    for d in desa:
        add(
            Category.KEPALA_DESA,
            f"{'Lurah' if d.kind.lower().startswith('kel') else 'Kepala Desa'} {d.name}",
            f"Kecamatan {d.parent.name}" if d.parent_id else "",
            desa=d,
        )
    add(Category.NON_GOVERNMENT, "Perwakilan dunia usaha / CSR (GENTING)", signs_commitment=True)
    return people


def invite_defaults(actor, event: RembukEvent) -> int:
    """Add the default participants not yet invited (by position); returns how many."""
    _open(event)
    policy.require(actor, policy.CHANGE, event)
    known = set(event.invitees.values_list("position", flat=True))
    added = 0
    with transaction.atomic():
        for p in default_participants(event):
            if p.position not in known:
                do_save(actor, p, reason=_("Invited from the TPPS, OPD and region lists"))
                added += 1
    return added


def do_save_participant(actor, participant: Invitee, *, reason: str = "") -> Invitee:
    _open(participant.event)
    return do_save(actor, participant, reason=reason)


def do_remove_participant(actor, participant: Invitee, *, reason: str = "") -> None:
    _open(participant.event)
    do_delete(actor, participant, reason=reason)


def do_record_attendance(actor, event: RembukEvent, attended_ids) -> int:
    """Mark who came (the ids in ``attended_ids``) and who did not; returns how many came."""
    _open(event)
    policy.require(actor, policy.CHANGE, event)
    attended = {int(i) for i in attended_ids}
    with transaction.atomic():
        for p in event.invitees.all():
            if p.attended != (p.pk in attended):
                p.attended = p.pk in attended
                do_save(actor, p, reason=_("Attendance"))
    return event.invitees.filter(attended=True).count()


def do_freeze_materials(actor, event: RembukEvent, *, now: dt.datetime) -> RembukEvent:
    """Store the Aksi 1 and Aksi 2 outputs as they stand ``now``, as presented at the rembuk."""
    _open(event)
    event.materials = {"frozen_at": now.isoformat(), **materials.collect(event)}
    event.materials_frozen_at = now
    return do_save(actor, event, reason=_("Materials presented at the rembuk frozen"))


def do_agree_plan(actor, event: RembukEvent, *, note: str = "") -> AgreedPlan:
    """Freeze the Aksi 2 activities as the next version of the plan agreed at the rembuk."""
    _open(event)
    policy.require(actor, policy.CHANGE, event)
    with transaction.atomic():
        RembukEvent.objects.select_for_update().filter(pk=event.pk).first()
        last = event.plans.aggregate(v=Max("version"))["v"] or 0
        plan = AgreedPlan(
            event=event,
            version=last + 1,
            note=note,
            data=materials.plan(event),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        return do_save(actor, plan, reason=note or _("Plan agreed at the rembuk"))


def missing_scans(event: RembukEvent) -> list[str]:
    have = set(UploadedDocument.for_object(event).values_list("kind", flat=True))
    return [k for k in REQUIRED_SCANS if k not in have]


def do_upload_scan(
    actor, event: RembukEvent, *, file, kind: str, title: str, now: dt.datetime, reason: str = ""
) -> UploadedDocument:
    """File a signed scan; once the commitment and the berita acara are both in, the event closes ``now``."""
    _open(event)
    policy.require(actor, policy.CHANGE, event)
    if kind not in (SCAN_COMMITMENT, SCAN_BERITA_ACARA, SCAN_ATTENDANCE):
        raise ValidationError(_("Unknown kind of signed document."))
    with transaction.atomic():
        document = do_attach(
            actor, event, file=file, kind=kind, title=title, wilayah_code=event.wilayah_id, reason=reason
        )
        if not missing_scans(event):
            event.status = Status.CLOSED
            event.closed_at = now
            do_save(
                actor,
                event,
                reason=_("Signed commitment and berita acara filed: rembuk closed"),
                permitted_by=(policy.CHANGE, RembukEvent.objects.get(pk=event.pk)),
            )
    return document
