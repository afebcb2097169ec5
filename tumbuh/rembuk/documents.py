"""The rembuk's official documents: the commitment declaration, the berita acara and the
attendance list, as :class:`~tumbuh.documents.official.OfficialDocument` (PDF and DOCX).

Official documents are written in Indonesian whatever the reader's UI language. They are
built from the frozen materials and the latest agreed plan, so a document printed later says
what was presented and agreed on the day."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import (
    Heading,
    ItemList,
    Kop,
    OfficialDocument,
    Paragraph,
    Signatory,
    Table,
    indonesian_date,
    indonesian_number,
    rupiah,
)
from tumbuh.wilayah.models import Level

from . import materials as rembuk_materials
from .models import RembukEvent

COMMITMENT, BERITA_ACARA, ATTENDANCE = "komitmen", "berita-acara", "daftar-hadir"
KINDS = (COMMITMENT, BERITA_ACARA, ATTENDANCE)


def kind_labels() -> list[tuple[str, str]]:
    """(kind, label in the reader's language) of each document, in the order the pages list them."""
    return [
        (COMMITMENT, _("Commitment declaration")),
        (BERITA_ACARA, _("Berita acara")),
        (ATTENDANCE, _("Attendance list")),
    ]


_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas")


def terbilang(n: int) -> str:
    """An integer in Indonesian words, as official documents spell dates ("dua ribu dua puluh enam")."""
    if n < 0:
        return "minus " + terbilang(-n)
    if n < 12:
        return _ONES[n] if n else "nol"
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        return f"{_ONES[n // 10]} puluh {_ONES[n % 10]}".strip()
    if n < 200:
        return f"seratus {terbilang(n - 100) if n > 100 else ''}".strip()
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} ratus {terbilang(rest) if rest else ''}".strip()
    if n < 2000:
        return f"seribu {terbilang(n - 1000) if n > 1000 else ''}".strip()
    if n < 1_000_000:
        rest = n % 1000
        return f"{terbilang(n // 1000)} ribu {terbilang(rest) if rest else ''}".strip()
    rest = n % 1_000_000
    return f"{terbilang(n // 1_000_000)} juta {terbilang(rest) if rest else ''}".strip()


def region_name(event: RembukEvent) -> str:
    return event.wilayah.label  # "Kabupaten Luwu Timur", "Kecamatan Malili"


def kop(event: RembukEvent) -> Kop:
    """The district's letterhead; a kecamatan rembuk writes under the kecamatan office."""
    head = Letterhead.kop_for(event.kabupaten_code)
    if event.wilayah.level == Level.KECAMATAN:
        return Kop(government=head.government, office=f"KECAMATAN {event.wilayah.name.upper()}")
    return head


def _materials(event: RembukEvent) -> tuple[dict, bool]:
    """The frozen materials, or (for a draft printed beforehand) today's."""
    if event.materials:
        return event.materials, True
    return rembuk_materials.collect(event), False


def _participants(event: RembukEvent) -> list:
    return sorted(event.invitees.all(), key=lambda p: p.sort_key)


def _signatories(people) -> list[Signatory]:
    """The organisation is added unless the position already names it ("Camat Malili")."""
    return [
        Signatory(
            position=p.position,
            name=p.name,
            organisation="" if p.organisation.split(" ", 1)[-1] in p.position else p.organisation,
        )
        for p in people
    ]


def _base(event: RembukEvent, kind: str, title: str, nomor: str, blocks, **kw) -> OfficialDocument:
    return OfficialDocument(
        kop=kop(event),
        title=title,
        nomor=nomor,
        subtitle=f"REMBUK STUNTING {region_name(event).upper()} TAHUN {event.year}",
        blocks=blocks,
        place=event.signing_place,
        date=event.date,
        filename=f"{kind}-rembuk-{event.wilayah_id.replace('.', '')}-{event.year}",
        **kw,
    )


def _plan_table(plan: dict) -> Table:
    rows = []
    for i, a in enumerate(plan["activities"], 1):
        name = a["sub_kegiatan"] or a["kegiatan"]
        code = a["sub_kegiatan_code"] if a["sub_kegiatan"] else a["kegiatan_code"]
        desa = ", ".join(d["name"] for d in a["desa"]) or "Seluruh wilayah"
        rows.append(
            [
                i,
                a["opd"],
                f"{code} {name}".strip(),
                a["indicator_name"],
                desa,
                f"{indonesian_number(float(a['volume']), 0 if float(a['volume']).is_integer() else 1)} {a['unit']}",
                a["budget"],
                a["funding"],
            ]
        )
    return Table(
        ["No", "OPD", "Kegiatan / Sub-kegiatan", "Indikator", "Desa sasaran", "Volume", "Pagu (Rp)", "Sumber dana"],
        rows,
        widths=[4, 9, 24, 14, 17, 9, 12, 10],
        numeric=[6],
        footer=["", "Jumlah", "", "", "", "", plan["total_budget"], ""],
    )


def commitment(event: RembukEvent) -> OfficialDocument:
    data, _frozen = _materials(event)
    agreed = event.latest_plan()
    plan = agreed.data if agreed else data["aksi2"]
    lokus = data["aksi1"]["lokus"]
    where = region_name(event)
    items = [
        f"Melaksanakan rencana kegiatan terintegrasi percepatan penurunan stunting {where} tahun {event.year}"
        + (f" sebagaimana disepakati dalam Rembuk Stunting ini (versi {agreed.version})" if agreed else "")
        + f", sebanyak {indonesian_number(len(plan['activities']))} kegiatan dengan pagu {rupiah(plan['total_budget'])}.",
        "Memprioritaskan intervensi gizi spesifik dan sensitif di "
        + (
            f"{indonesian_number(len(lokus))} desa lokus: {', '.join(d['name'] for d in lokus)}."
            if lokus
            else "desa lokus yang ditetapkan."
        ),
        "Memasukkan kegiatan tersebut ke dalam Rencana Kerja (Renja) OPD, RKPD, dan APB Desa melalui Dana Desa.",
        "Menggerakkan dukungan dunia usaha, perguruan tinggi, organisasi kemasyarakatan dan tokoh agama, "
        "termasuk Gerakan Orang Tua Asuh Cegah Stunting (GENTING).",
        "Memantau pelaksanaan dan melaporkan capaiannya dalam Reviu Kinerja Tahunan.",
    ]
    blocks = [
        Paragraph(
            f"Kami yang bertanda tangan di bawah ini, peserta Rembuk Stunting {where} yang dilaksanakan pada "
            f"{_day(event)} di {event.place}, dengan ini menyatakan komitmen bersama untuk:"
        ),
        ItemList(items),
        Paragraph(
            "Demikian pernyataan komitmen ini kami buat dengan penuh kesadaran dan tanggung jawab untuk dilaksanakan "
            "bersama."
        ),
    ]
    signers = [p for p in _participants(event) if p.signs_commitment]
    return _base(
        event,
        COMMITMENT,
        "Pernyataan Komitmen",
        event.nomor_komitmen,
        blocks,
        signatories=_signatories(signers),
        signature_style="table",
    )


def _day(event: RembukEvent) -> str:
    return f"hari {_DAYS[event.date.weekday()]}, {indonesian_date(event.date)}"


def berita_acara(event: RembukEvent) -> OfficialDocument:
    data, frozen = _materials(event)
    people = _participants(event)
    came = sum(1 for p in people if p.attended)
    d = event.date
    where = region_name(event)
    opening = (
        f"Pada hari ini {_DAYS[d.weekday()]} tanggal {terbilang(d.day)} bulan {indonesian_date(d).split(' ')[1]} tahun "
        f"{terbilang(d.year)} ({d:%d-%m-%Y}), bertempat di {event.place}, telah dilaksanakan Rembuk Stunting {where} "
        f"untuk menyepakati rencana kegiatan terintegrasi percepatan penurunan stunting tahun {event.year}. Rembuk dihadiri "
        f"oleh {indonesian_number(came)} dari {indonesian_number(len(people))} undangan sebagaimana tercantum dalam daftar "
        f"hadir terlampir."
    )
    blocks = [Paragraph(opening)]
    if not frozen:
        blocks.append(
            Paragraph("DRAF: materi belum dibekukan; angka di bawah adalah data per tanggal cetak.", bold=True)
        )
    if event.agenda_items():
        blocks += [Heading("A. Acara"), ItemList(event.agenda_items())]
    lokus, gaps, plan = data["aksi1"]["lokus"], data["aksi1"]["unaddressed_gaps"], data["aksi2"]
    blocks.append(Heading("B. Materi yang Dipaparkan"))
    blocks.append(
        Paragraph(
            f"1. Hasil analisis situasi (Aksi 1): {indonesian_number(len(lokus))} desa lokus tahun {event.year}"
            + (
                f"; {indonesian_number(len(gaps))} kesenjangan cakupan di desa lokus belum ditangani rencana kegiatan."
                if lokus
                else "."
            )
        )
    )
    if lokus:
        blocks.append(
            Table(
                ["No", "Desa lokus", "Kecamatan"],
                [[i, x["name"], x["kecamatan"]] for i, x in enumerate(lokus, 1)],
                widths=[1, 5, 5],
            )
        )
    blocks.append(
        Paragraph(
            f"2. Rancangan rencana kegiatan (Aksi 2): {indonesian_number(len(plan['activities']))} kegiatan dari "
            f"{indonesian_number(len(plan['by_opd']))} OPD dengan pagu {rupiah(plan['total_budget'])}."
        )
    )
    if plan["by_source"]:
        blocks.append(
            Table(
                ["Sumber dana", "Pagu (Rp)"],
                [[s["label"], s["budget"]] for s in plan["by_source"]],
                widths=[3, 2],
                numeric=[1],
                footer=["Jumlah", plan["total_budget"]],
            )
        )
    blocks.append(Heading("C. Kesepakatan"))
    blocks.append(
        ItemList(event.decision_items()) if event.decision_items() else Paragraph("Tidak ada kesepakatan tercatat.")
    )
    agreed = event.latest_plan()
    blocks.append(Heading("D. Rencana Kegiatan yang Disepakati"))
    if agreed:
        blocks.append(
            Paragraph(
                f"Rencana kegiatan versi {agreed.version}"
                + (f" ({agreed.note})" if agreed.note else "")
                + f": {indonesian_number(len(agreed.data['activities']))} kegiatan, pagu "
                f"{rupiah(agreed.data['total_budget'])}, sebagai berikut:"
            )
        )
        blocks.append(_plan_table(agreed.data))
    else:
        blocks.append(Paragraph("Rencana kegiatan belum disepakati."))
    blocks.append(
        Paragraph("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan sebagaimana mestinya.")
    )
    signers = [p for p in people if p.signs_minutes]
    return _base(
        event, BERITA_ACARA, "Berita Acara", event.nomor_berita_acara, blocks, signatories=_signatories(signers)
    )


def attendance(event: RembukEvent) -> OfficialDocument:
    people = _participants(event)
    blocks = [
        Paragraph(f"Hari / tanggal: {_DAYS[event.date.weekday()]}, {indonesian_date(event.date)}", align="left"),
        Paragraph(f"Tempat: {event.place}", align="left"),
        Paragraph(f"Acara: {event.title}", align="left"),
        Table(
            ["No", "Nama", "Jabatan", "Instansi", "Hadir", "Tanda Tangan"],
            [
                [i, p.name, p.position, p.organisation, "✓" if p.attended else "", f"{i}. ........"]
                for i, p in enumerate(people, 1)
            ],
            widths=[4, 22, 28, 20, 7, 19],
            row_height_mm=11,
        ),
    ]
    return _base(event, ATTENDANCE, "Daftar Hadir", "", blocks)


BUILDERS = {COMMITMENT: commitment, BERITA_ACARA: berita_acara, ATTENDANCE: attendance}


def build(event: RembukEvent, kind: str) -> OfficialDocument:
    return BUILDERS[kind](event)


def render_pdf_for(event: RembukEvent, kind: str) -> bytes:
    from tumbuh.documents.official import render_pdf

    return render_pdf(build(event, kind))


def render_docx_for(event: RembukEvent, kind: str) -> bytes:
    from tumbuh.documents.official import render_docx

    return render_docx(build(event, kind))
