"""Attendance: counts per group, the one-line summary read out at the meeting, the Excel list
and QR codes for the invitees' cards."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tumbuh.core.spreadsheet import SheetNames, append_row
from tumbuh.documents.official import indonesian_number

from .models import Attendee, Group, Rapat


@dataclass
class GroupCount:
    group: str
    label: str
    invited: int
    present: int


@dataclass
class Attendance:
    invited: int
    present: int
    walk_ins: int
    groups: list[GroupCount]

    @property
    def summary(self) -> str:
        """'242 peserta: OPD 40, camat 12, kepala desa 128, …' (groups with someone present)."""
        parts = [f"{g.label} {indonesian_number(g.present)}" for g in self.groups if g.present]
        head = _("%(n)s participants") % {"n": indonesian_number(self.present)}
        return f"{head}: {', '.join(parts)}" if parts else head


def attendance(rapat: Rapat) -> Attendance:
    """Invited and present per group, in the order of :class:`Group`, from one query."""
    rows = {
        r["group"]: r
        for r in Attendee.objects.filter(rapat=rapat)
        .values("group")
        .annotate(
            n_invited=Count("pk", filter=Q(invited=True)),
            n_present=Count("pk", filter=Q(checked_in_at__isnull=False)),
            n_walk_ins=Count("pk", filter=Q(invited=False)),
        )
    }
    groups = [
        GroupCount(g.value, str(g.label), rows[g]["n_invited"], rows[g]["n_present"]) for g in Group if g.value in rows
    ]
    return Attendance(
        invited=sum(g.invited for g in groups),
        present=sum(g.present for g in groups),
        walk_ins=sum(r["n_walk_ins"] for r in rows.values()),
        groups=groups,
    )


def qr_svg(participant: Attendee, scale: int = 4) -> str:
    """The participant's QR code as inline SVG (segno). Always a full QR code: segno would pick a
    Micro QR for a payload this short, which phone readers such as jsQR cannot read."""
    import segno

    out = io.BytesIO()
    segno.make_qr(participant.qr_payload, error="m").save(
        out, kind="svg", scale=scale, xmldecl=False, svgns=True, title=participant.code
    )
    return out.getvalue().decode()


def attendance_xlsx(rapat: Rapat, *, with_phone: bool = False) -> bytes:
    """The attendance list as an Excel workbook: one row per participant, and the counts.
    Phone numbers only for the organiser (``with_phone``)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    names = SheetNames()
    ws.title = names.add(_("Attendance"))
    append_row(ws, [rapat.title])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [f"{rapat.date:%d-%m-%Y} · {rapat.place}"])
    append_row(ws, [])
    headers = [
        _("No"),
        _("Name"),
        _("Group"),
        _("Agency / organisation"),
        _("Position"),
        _("Phone"),
        _("Code"),
        _("Present"),
        _("Checked in at"),
    ]
    append_row(ws, headers)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    participants = Attendee.objects.filter(rapat=rapat).order_by("group", "organisation", "name")
    for n, p in enumerate(participants, 1):
        append_row(
            ws,
            [
                n,
                p.name,
                p.get_group_display(),
                p.organisation,
                p.position,
                p.phone if with_phone else "",
                p.code,
                _("yes") if p.present else _("no"),
                p.checked_in_at.astimezone().replace(tzinfo=None) if p.checked_in_at else None,
            ],
        )
    for column, width in zip("ABCDEFGHI", (5, 32, 18, 36, 22, 16, 10, 8, 18)):
        ws.column_dimensions[column].width = width
    counts = wb.create_sheet(names.add(_("Counts")))
    append_row(counts, [_("Group"), _("Invited"), _("Present")])
    summary = attendance(rapat)
    for g in summary.groups:
        append_row(counts, [g.label, g.invited, g.present])
    append_row(counts, [_("Total"), summary.invited, summary.present])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
