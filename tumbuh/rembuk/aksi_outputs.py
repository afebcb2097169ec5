"""Aksi 3's documents in Pantau Aksi: for each Rembuk Stunting of the year's plan (the
district's first, then the kecamatan's, labelled apart), the commitment declaration, berita
acara and attendance list Tumbuh generates, and the signed scans filed back. A closed rembuk's
documents are final.

What proves Aksi 3's required outputs (``PROVES``): the district's rembuk of the year, held
with its attendance recorded (the invitation and attendance list), its signed commitment and
its signed berita acara filed back, and the plan agreed at it."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, Proof, day, number, uploaded
from tumbuh.documents.models import UploadedDocument

from .actions import SCAN_ATTENDANCE, SCAN_BERITA_ACARA, SCAN_COMMITMENT
from .documents import ATTENDANCE, kind_labels
from .models import RembukEvent

PAGE = "rembuk"
ATTENDED, COMMITMENT, BERITA_ACARA, PLAN = (
    "rembuk.attendance",
    "rembuk.commitment",
    "rembuk.berita-acara",
    "rembuk.plan-agreed",
)
PROVES = {
    ATTENDED: gettext_lazy("the district's Rembuk Stunting of the year has been held, with who came recorded"),
    COMMITMENT: gettext_lazy("the signed commitment of the district's Rembuk Stunting is uploaded"),
    BERITA_ACARA: gettext_lazy("the signed berita acara of the district's Rembuk Stunting is uploaded"),
    PLAN: gettext_lazy("the plan is agreed at the district's Rembuk Stunting"),
}
#: The signed scans that prove an output, by their kind.
SCANS = {SCAN_COMMITMENT: COMMITMENT, SCAN_BERITA_ACARA: BERITA_ACARA}


def events(kabupaten, year: int, user):
    """The rembuk of ``year``'s plan in ``kabupaten`` that ``user`` sees: district first."""
    qs = policy.visible(
        user,
        RembukEvent.objects.filter(
            Q(wilayah_id=kabupaten.code) | Q(wilayah__kabupaten_code=kabupaten.code), year=year
        ).select_related("wilayah"),
    )
    return sorted(qs, key=lambda e: (e.is_kecamatan, e.date, e.pk))


def _group(event: RembukEvent) -> str:
    if event.is_kecamatan:
        return _("Kecamatan rembuk (%(kecamatan)s): %(title)s") % {
            "kecamatan": event.wilayah.name,
            "title": event.title,
        }
    return _("District rembuk: %(title)s") % {"title": event.title}


def _status(event: RembukEvent) -> str:
    if event.is_closed:
        return _("closed on %(date)s: signed documents filed") % {"date": day(event.closed_at)}
    return _("open: the signed commitment and berita acara are not filed yet")


def outputs(kabupaten, year: int, user) -> list[Output]:
    found = []
    for event in events(kabupaten, year, user):
        group, status, final = _group(event), _status(event), event.is_closed
        for kind, label in kind_labels():
            url = reverse("rembuk:document", args=(event.pk, kind, "pdf"))
            found.append(
                Output(
                    PAGE,
                    label,
                    url,
                    GENERATED,
                    "PDF",
                    note=status,
                    group=group,
                    final=final,
                    also=(("DOCX", reverse("rembuk:document", args=(event.pk, kind, "docx"))),),
                )
            )
        for scan in policy.visible(user, UploadedDocument.for_object(event)).order_by("uploaded_at", "pk"):
            found.append(
                uploaded(
                    PAGE,
                    scan,
                    group=group,
                    final=final,
                    note=_("signed scan, filed on %(date)s") % {"date": day(scan.uploaded_at)},
                )
            )
    return found


def proofs(kabupaten, year: int, user, today) -> list[Proof]:
    """The district's rembuk of ``year`` (a kecamatan's proves nothing of the district's
    action), held by ``today``: who came, the signed scans filed back, the agreed plan."""
    found = []
    for event in events(kabupaten, year, user):
        if event.is_kecamatan or event.date > today:
            continue
        scans = list(policy.visible(user, UploadedDocument.for_object(event)).order_by("uploaded_at", "pk"))
        came, invited = event.invitees.filter(attended=True).count(), event.invitees.count()
        if came:
            note = _("%(came)s of %(invited)s invitees came, %(date)s") % {
                "came": number(came),
                "invited": number(invited),
                "date": day(event.date),
            }
            signed = [d for d in scans if d.kind == SCAN_ATTENDANCE]
            if signed:
                found += [Proof(ATTENDED, d.title, reverse("documents:download", args=(d.pk,)), note) for d in signed]
            else:
                found.append(
                    Proof(
                        ATTENDED,
                        _("Attendance list of %(title)s") % {"title": event.title},
                        reverse("rembuk:document", args=(event.pk, ATTENDANCE, "pdf")),
                        note,
                    )
                )
        for d in scans:
            if d.kind in SCANS:
                found.append(
                    Proof(
                        SCANS[d.kind],
                        d.title,
                        reverse("documents:download", args=(d.pk,)),
                        _("signed scan, filed on %(date)s") % {"date": day(d.uploaded_at)},
                    )
                )
        plan = event.latest_plan()
        if plan is not None:
            found.append(
                Proof(
                    PLAN,
                    _("Plan agreed at %(title)s, version %(v)d") % {"title": event.title, "v": plan.version},
                    reverse("rembuk:detail", args=(event.pk,)),
                    day(plan.created_at),
                )
            )
    return found
