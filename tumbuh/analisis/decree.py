"""The draft decree (SK Bupati) naming the year's lokus desa, built from the saved selection,
as an official document (``documents.official``): PDF and editable DOCX."""

from __future__ import annotations

import datetime as dt

from tumbuh.documents.official import (
    Heading,
    ItemList,
    Kop,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Signatory,
    Table,
    indonesian_number,
)
from tumbuh.wilayah.models import Wilayah

from .models import Lokus
from .ranking import Score
from .situation import Situation


def _district(kabupaten: Wilayah) -> str:
    name = kabupaten.name.upper()
    return name if name.startswith(("KABUPATEN", "KOTA")) else f"KABUPATEN {name}"


def sk_lokus(
    situation: Situation,
    decisions: list[Lokus],
    *,
    nomor: str = "",
    place: str = "",
    date: dt.date,
    bupati: str = "",
    live: dict[str, Score] | None = None,
) -> OfficialDocument:
    """The draft decree; with ``live`` (the ranking as it stands, per desa code) a note under
    the appendix names the chosen desa whose score or rank moved since the decision."""
    kab = situation.kabupaten
    district = _district(kab)
    head = district.replace("KABUPATEN", "BUPATI").replace("KOTA", "WALI KOTA", 1)
    year = situation.plan_year
    rows_by_desa = {r.desa.code: r for r in situation.rows}
    chosen = [d for d in decisions if d.selected]
    totals = situation.totals
    prevalence = indonesian_number(totals["prevalence"], 1) if totals["prevalence"] is not None else "–"
    period = situation.period.label if situation.period else str(situation.data_year)
    table_rows = []
    for i, d in enumerate(chosen, start=1):
        r = rows_by_desa.get(d.desa_id)
        table_rows.append(
            [
                i,
                r.kecamatan if r else "",
                d.desa.name,
                r.measured_length if r else None,
                r.pendek if r and r.measured_length else None,  # nobody measured: no count of pendek, not 0
                r.sangat_pendek if r and r.measured_length else None,
                r.prevalence if r and r.prevalence is not None else None,  # rounded once, by the table
                float(d.score) if d.score is not None else None,
                d.reason,
            ]
        )
    moved = []
    for d in chosen:
        sc = (live or {}).get(d.desa_id)
        change = d.moved_since(sc.score, sc.rank) if sc else None
        if change:
            then, now, rank_then, rank_now = change
            moved.append(
                f"{d.desa.name} {indonesian_number(then, 1)} → {indonesian_number(now, 1)} "
                f"(peringkat {rank_then if rank_then is not None else '–'} → {rank_now})"
            )
    title_about = f"PENETAPAN DESA LOKUS PERCEPATAN PENURUNAN STUNTING {district} TAHUN {year}"
    blocks = [
        Paragraph(f"{head},", bold=True, align="center"),
        Heading("Menimbang"),
        ItemList(
            [
                "bahwa dalam rangka percepatan penurunan stunting perlu ditetapkan desa/kelurahan yang menjadi lokasi "
                "fokus (lokus) intervensi gizi spesifik dan sensitif secara terintegrasi;",
                f"bahwa berdasarkan hasil Analisis Situasi (Aksi 1) dengan data pengukuran {period}, dari "
                f"{indonesian_number(totals['measured_length'])} balita yang diukur tinggi/panjang badannya terdapat "
                f"{indonesian_number(totals['pendek'])} balita pendek dan {indonesian_number(totals['sangat_pendek'])} "
                f"balita sangat pendek, dengan prevalensi stunting {prevalence} persen;",
                f"bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan huruf b, perlu menetapkan "
                f"Keputusan {head.title()} tentang Penetapan Desa Lokus Percepatan Penurunan Stunting Tahun {year};",
            ]
        ),
        Heading("Mengingat"),
        ItemList(
            [
                "Undang-Undang Nomor 23 Tahun 2014 tentang Pemerintahan Daerah sebagaimana telah beberapa kali diubah;",
                "Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan;",
                "Peraturan Presiden Nomor 72 Tahun 2021 tentang Percepatan Penurunan Stunting;",
            ]
        ),
        Paragraph("MEMUTUSKAN:", bold=True, align="center"),
        Paragraph(f"Menetapkan: KEPUTUSAN {head} TENTANG {title_about}."),
        Paragraph(
            f"KESATU: Menetapkan {len(chosen)} desa/kelurahan sebagai desa lokus percepatan penurunan stunting "
            f"{district.title()} Tahun {year} sebagaimana tercantum dalam Lampiran yang merupakan bagian tidak "
            "terpisahkan dari Keputusan ini."
        ),
        Paragraph(
            "KEDUA: Perangkat daerah terkait memprioritaskan intervensi gizi spesifik dan sensitif pada desa lokus "
            "sebagaimana dimaksud dalam Diktum KESATU dalam rencana kegiatan dan anggarannya."
        ),
        Paragraph("KETIGA: Keputusan ini mulai berlaku pada tanggal ditetapkan."),
        PageBreak(),
        Heading(f"LAMPIRAN KEPUTUSAN {head}"),
        Paragraph(f"Nomor: {nomor or '…'}"),
        Paragraph(f"Tentang: {title_about.title()}"),
        Table(
            headers=[
                "No",
                "Kecamatan",
                "Desa/Kelurahan",
                "Balita diukur",
                "Pendek",
                "Sangat pendek",
                "Prevalensi (%)",
                "Skor",
                "Alasan",
            ],
            rows=table_rows,
            widths=[4, 12, 14, 8, 7, 8, 9, 6, 30],
            numeric=[0, 3, 4, 5, 6, 7],
        ),
    ]
    if moved:
        blocks.append(
            Paragraph(
                "Catatan: skor dan peringkat dalam tabel adalah saat keputusan diambil. Skor berubah "
                "sejak keputusan: " + "; ".join(moved) + "."
            )
        )
    return OfficialDocument(
        kop=Kop(government=head, office=""),
        title=f"KEPUTUSAN {head}",
        nomor=nomor or f"…/…/{year}",
        subtitle=f"TENTANG {title_about}",
        blocks=blocks,
        place=place,
        date=date,
        signatories=[Signatory(position=head, name=bupati)],
        filename=f"sk-lokus-{kab.code}-{year}",
        landscape=False,
    )
