"""The meeting's official documents (invitation, attendance list, minutes), built as
``documents.official.OfficialDocument`` and rendered to PDF or DOCX there. Official documents
are in Indonesian whatever the reader's UI language."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import (
    LANGUAGE,
    Heading,
    ItemList,
    OfficialDocument,
    Paragraph,
    Signatory,
    Table,
    indonesian_date,
)

from .attendance import attendance
from .models import Attendee, Rapat, carry_over

KINDS = ("undangan", "daftar-hadir", "notulen")


def _place(rapat: Rapat) -> str:
    """Where the letter is signed: the kecamatan or desa of its team, else the town the meeting
    place names last ("Aula Bappeda, Malili" → "Malili")."""
    return rapat.tpps.wilayah.name.title() if rapat.tpps.wilayah.level > 2 else rapat.place.split(",")[-1].strip()


def _chair(rapat: Rapat) -> list[Signatory]:
    return [Signatory(position=f"Ketua {rapat.tpps.name}", name=rapat.chair)]


def _base(rapat: Rapat, title: str, slug: str, **kw) -> OfficialDocument:
    return OfficialDocument(
        kop=Letterhead.kop_for(rapat.tpps.wilayah_id[:5]),
        title=title,
        filename=f"{slug}-rapat-{rapat.pk}-{rapat.date:%Y%m%d}",
        **kw,
    )


def invitation(rapat: Rapat, *, today: dt.date) -> OfficialDocument:
    when = [
        ["Hari, tanggal", ":", indonesian_date(rapat.date)],
        ["Pukul", ":", f"{rapat.start_time:%H.%M} WITA s.d. selesai"],
        ["Tempat", ":", rapat.place],
    ]
    invited = ", ".join(rapat.invited_group_labels) or "peserta terlampir"
    return _base(
        rapat,
        "Undangan",
        "undangan",
        nomor=rapat.nomor,
        subtitle=rapat.title,
        place=_place(rapat),
        date=min(rapat.date, today),  # sent before the meeting, or (made afterwards) dated on its day
        blocks=[
            Paragraph(f"Yth. {invited}, di tempat."),
            Paragraph(
                f"Dengan hormat, dalam rangka koordinasi percepatan penurunan stunting, kami mengundang "
                f"Bapak/Ibu untuk menghadiri {rapat.title} yang akan dilaksanakan pada:"
            ),
            Table(headers=["", "", ""], rows=when, widths=[3, 0.4, 10]),
            Heading("Acara", level=2),
            ItemList(rapat.agenda_items),
            Paragraph(
                "Mengingat pentingnya acara tersebut, kehadiran Bapak/Ibu sangat kami harapkan. Mohon membawa "
                "kartu undangan ber-QR untuk registrasi kehadiran. Atas perhatian dan kehadirannya diucapkan "
                "terima kasih."
            ),
        ],
        signatories=_chair(rapat),
    )


def attendance_list(rapat: Rapat) -> OfficialDocument:
    summary = attendance(rapat)
    people = Attendee.objects.filter(rapat=rapat).order_by("group", "organisation", "name")
    rows = [
        [
            n,
            p.name,
            f"{p.position} {p.organisation}".strip(),
            p.get_group_display(),
            f"{n}. ............" if not p.present else f"{n}. hadir {timezone.localtime(p.checked_in_at):%H.%M}",
        ]
        for n, p in enumerate(people, 1)
    ]
    return _base(
        rapat,
        "Daftar Hadir",
        "daftar-hadir",
        subtitle=rapat.title,
        place=_place(rapat),
        date=rapat.date,
        blocks=[
            Paragraph(f"{indonesian_date(rapat.date)}, pukul {rapat.start_time:%H.%M}, {rapat.place}", align="center"),
            Table(
                headers=["No", "Nama", "Jabatan / Instansi", "Unsur", "Tanda Tangan"],
                rows=rows,
                widths=[0.6, 4, 5, 2, 2.6],
                numeric=[0],
                row_height_mm=9,
            ),
            Paragraph(summary.summary, bold=True),
        ],
        signatories=_chair(rapat),
    )


def minutes(rapat: Rapat) -> OfficialDocument:
    summary = attendance(rapat)
    today = rapat.date
    carried = carry_over(rapat)
    blocks = [
        Table(
            headers=["", "", ""],
            rows=[
                ["Hari, tanggal", ":", indonesian_date(rapat.date)],
                ["Tempat", ":", rapat.place],
                ["Pimpinan rapat", ":", rapat.chair],
                ["Peserta", ":", summary.summary],
            ],
            widths=[3, 0.4, 10],
        ),
        Heading("I. Agenda", level=2),
        ItemList(rapat.agenda_items),
        Heading("II. Tindak lanjut rapat sebelumnya", level=2),
    ]
    if carried:
        blocks.append(
            Table(
                headers=["No", "Tindak lanjut", "Penanggung jawab", "Batas waktu", "Status"],
                rows=[
                    [
                        n,
                        i.title,
                        i.owner_label,
                        i.due_date,
                        ("Terlambat" if i.due_date < today else "Berjalan") + f" ({i.rapat.date:%d-%m-%Y})",
                    ]
                    for n, i in enumerate(carried, 1)
                ],
                widths=[0.6, 6, 2.6, 2.6, 2.6],
                numeric=[0],
            )
        )
    else:
        blocks.append(Paragraph("Tidak ada tindak lanjut rapat sebelumnya yang masih terbuka."))
    blocks.append(Heading("III. Pembahasan", level=2))
    blocks.extend(Paragraph(p) for p in (rapat.minutes or "-").split("\n\n") if p.strip())
    blocks.append(Heading("IV. Keputusan", level=2))
    decisions = list(rapat.decisions.all())
    blocks.append(
        ItemList([d.text for d in decisions]) if decisions else Paragraph("Belum ada keputusan yang dicatat.")
    )
    items = list(rapat.action_items.select_related("owner_opd", "owner_wilayah", "decision"))
    blocks.append(Heading("V. Rencana tindak lanjut", level=2))
    if items:
        blocks.append(
            Table(
                headers=["No", "Tindak lanjut", "Keputusan", "Penanggung jawab", "Batas waktu"],
                rows=[
                    [n, i.title, i.decision.number if i.decision else "", i.owner_label, i.due_date]
                    for n, i in enumerate(items, 1)
                ],
                widths=[0.6, 6, 1.6, 3, 2.8],
                numeric=[0, 2],
            )
        )
    else:
        blocks.append(Paragraph("Tidak ada rencana tindak lanjut."))
    return _base(
        rapat,
        "Notulen Rapat",
        "notulen",
        subtitle=rapat.title,
        place=_place(rapat),
        date=rapat.date,
        blocks=blocks,
        signatories=[Signatory(position="Notulis"), *_chair(rapat)],
    )


def build(kind: str, rapat: Rapat, *, today: dt.date) -> OfficialDocument:
    """The document ``kind`` of ``rapat`` made ``today``, in Indonesian (group names, counts) whatever the UI language."""
    with translation.override(LANGUAGE):
        return {"undangan": lambda r: invitation(r, today=today), "daftar-hadir": attendance_list, "notulen": minutes}[
            kind
        ](rapat)
