"""Aksi 3's documents in Pantau Aksi: for each Rembuk Stunting of the year's plan (the
district's first, then the kecamatan's, labelled apart), the commitment declaration, berita
acara and attendance list Tumbuh generates, and the signed scans filed back. A closed rembuk's
documents are final."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.aksi.outputs import GENERATED, Output, day, uploaded
from tumbuh.documents.models import UploadedDocument

from .documents import kind_labels
from .models import RembukEvent

PAGE = "rembuk"


def events(kabupaten, year: int, user):
    """The rembuk of ``year``'s plan in ``kabupaten`` that ``user`` sees: district first."""
    qs = policy.visible(user, RembukEvent.objects.filter(
        Q(wilayah_id=kabupaten.code) | Q(wilayah__kabupaten_code=kabupaten.code), year=year).select_related("wilayah"))
    return sorted(qs, key=lambda e: (e.is_kecamatan, e.date, e.pk))


def _group(event: RembukEvent) -> str:
    if event.is_kecamatan:
        return _("Kecamatan rembuk (%(kecamatan)s): %(title)s") % {"kecamatan": event.wilayah.name, "title": event.title}
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
            found.append(Output(PAGE, label, url, GENERATED, "PDF", note=status, group=group, final=final,
                                also=(("DOCX", reverse("rembuk:document", args=(event.pk, kind, "docx"))),)))
        for scan in policy.visible(user, UploadedDocument.for_object(event)).order_by("uploaded_at", "pk"):
            found.append(uploaded(PAGE, scan, group=group, final=final, note=_("signed scan, filed on %(date)s") % {
                "date": day(scan.uploaded_at)}))
    return found
