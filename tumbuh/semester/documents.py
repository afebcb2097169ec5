"""The semester report as an official document (PDF/DOCX), in the sections the province asks for:
I Pendahuluan, II Pelaksanaan koordinasi, III Capaian prevalensi dan cakupan, IV Kegiatan dan
realisasi, V Tindak lanjut, VI Kendala, VII Rencana tindak lanjut dan rekomendasi."""

from __future__ import annotations

from django.utils import translation

from tumbuh.core.numbers import PERCENT_PLACES, round_figure
from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import (
    LANGUAGE,
    Heading,
    OfficialDocument,
    Paragraph,
    Signatory,
    Table,
    indonesian_date,
    indonesian_number,
)

from . import figures

INDICATOR_NAMES = {
    "stunting": "Stunting (TB/U < −2 SD)",
    "wasting": "Wasting (BB/TB < −2 SD)",
    "underweight": "Underweight (BB/U < −2 SD)",
}  # the terms of the province's template


def _pct(value) -> str:
    return "–" if value is None else f"{indonesian_number(value, 1)}%"


def _change(value) -> str:
    """'+1,2 poin', '−0,3 poin', '±0,0 poin': the sign of the change as shown (0.04 is ±0,0)."""
    shown = round_figure(value, PERCENT_PLACES)
    if shown is None:
        return "–"
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return f"{sign}{indonesian_number(abs(shown), PERCENT_PLACES)} poin"


def _paragraphs(text: str, empty: str) -> list:
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    return [Paragraph(p) for p in parts] or [Paragraph(empty)]


def sections(report, data: dict) -> list:
    """The report's blocks (shared by the page preview's outline and the documents)."""
    blocks = [Heading("I. Pendahuluan")]
    blocks += _paragraphs(report.introduction, "-")
    meetings = data["meetings"]
    blocks.append(Heading("II. Pelaksanaan Rapat Koordinasi"))
    if meetings:
        blocks.append(
            Table(
                headers=["No", "Tanggal", "Rapat", "Tingkat", "Peserta hadir", "Keputusan"],
                rows=[
                    [n, indonesian_date(m["date"]), m["title"], m["level"], m["present"], m["decisions"]]
                    for n, m in enumerate(meetings, 1)
                ],
                widths=[0.6, 2.4, 6, 1.8, 1.6, 1.6],
                numeric=[0, 4, 5],
            )
        )
        blocks.append(Paragraph(f"Selama semester ini dilaksanakan {len(meetings)} rapat koordinasi."))
    else:
        blocks.append(Paragraph("Tidak ada rapat koordinasi yang tercatat pada semester ini."))
    prev = data["prevalence"]
    blocks.append(Heading("III. Capaian Prevalensi dan Cakupan Pengukuran"))
    blocks.append(
        Paragraph(
            f"Hasil pengukuran {prev['round']} dibandingkan dengan {prev['previous_round']} "
            f"(data e-PPGBM yang diolah Tumbuh; persentase balita yang diukur)."
        )
    )
    blocks.append(
        Table(
            headers=["Indikator", prev["previous_round"], prev["round"], "Perubahan", "Balita diukur", "Cakupan"],
            rows=[
                [
                    INDICATOR_NAMES.get(i["indicator"], i["indicator"]),
                    _pct(i["before"]),
                    _pct(i["now"]),
                    _change(i["change"]),
                    i["measured"],
                    _pct(i["coverage"]),
                ]
                for i in prev["indicators"]
            ],
            widths=[4, 2, 2, 2, 2, 2],
            numeric=[4],
        )
    )
    blocks += _paragraphs(report.achievements, "")
    if prev["areas"]:
        blocks.append(Heading("Prevalensi stunting per wilayah", level=2))
        blocks.append(
            Table(
                headers=["Wilayah", prev["previous_round"], prev["round"], "Balita diukur", "Cakupan"],
                rows=[
                    [a["name"], _pct(a["before"]), _pct(a["now"]), a["measured"], _pct(a["coverage"])]
                    for a in prev["areas"]
                ],
                widths=[4, 2, 2, 2, 2],
                numeric=[3],
            )
        )
    blocks += _activities(data["activities"])
    items = data["action_items"]
    blocks.append(Heading("V. Tindak Lanjut Hasil Rapat"))
    blocks.append(
        Paragraph(
            f"Selesai pada semester ini: {len(items['done'])}; masih terbuka pada akhir semester: "
            f"{len(items['open'])}, di antaranya {sum(1 for i in items['open'] if i['overdue'])} melewati batas waktu."
        )
    )
    for title, rows in (("Tindak lanjut selesai", items["done"]), ("Tindak lanjut masih terbuka", items["open"])):
        if rows:
            blocks.append(Heading(title, level=2))
            blocks.append(
                Table(
                    headers=["No", "Tindak lanjut", "Penanggung jawab", "Batas waktu", "Status"],
                    rows=[
                        [
                            n,
                            i["title"],
                            i["owner"],
                            indonesian_date(i["due"]),
                            i["status"] + (" (terlambat)" if i["overdue"] else ""),
                        ]
                        for n, i in enumerate(rows, 1)
                    ],
                    widths=[0.6, 6, 2.6, 2.6, 2.4],
                    numeric=[0],
                )
            )
    blocks.append(Heading("VI. Kendala"))
    blocks += _paragraphs(report.obstacles, "-")
    blocks.append(Heading("VII. Rencana Tindak Lanjut dan Rekomendasi"))
    blocks += _paragraphs(report.follow_up, "-")
    return blocks


def _activities(acts: dict) -> list:
    """IV: the activities of the plan (Aksi 2) that run in the semester and their realisation as
    the annual review (Aksi 8) holds it, per OPD with the total, then per activity."""
    blocks = [Heading("IV. Kegiatan dan Realisasi")]
    if not acts["rencana"]:
        return blocks + [
            Paragraph(
                "[Bagian ini diisi dari modul Rencana Kegiatan (Aksi 2) dan Reviu Kinerja (Aksi 8), "
                "yang belum terpasang pada instalasi ini.]"
            )
        ]
    rows = acts["rows"]
    if not rows:
        return blocks + [Paragraph("Tidak ada kegiatan terencana yang berjalan pada semester ini.")]
    if not (acts.get("realisation") and acts["reviu"]):  # a report frozen before, or no review module
        blocks.append(
            Table(
                headers=["No", "OPD", "Kegiatan", "Bulan", "Anggaran (Rp)"],
                rows=[[n, r["opd"], r["activity"], r["months"], int(r["budget"])] for n, r in enumerate(rows, 1)],
                widths=[0.6, 2, 7, 1.4, 3],
                numeric=[0, 4],
            )
        )
        if not acts["reviu"]:
            blocks.append(Paragraph("[Realisasi dibaca dari modul Reviu Kinerja (Aksi 8), yang belum terpasang.]"))
        return blocks
    total = acts["total"]
    summary = (
        f"Pada semester ini berjalan {len(rows)} kegiatan dari Rencana Kegiatan (Aksi 2) dengan pagu "
        f"{total['budget_text']}. "
    )
    if total["reviewed"]:
        summary += (
            f"Reviu Kinerja (Aksi 8) memuat realisasi {total['reviewed_text']} kegiatan: realisasi anggaran "
            f"{total['budget_realised_text']} ({total['budget_percent_text']} dari pagu) dan capaian fisik "
            f"rata-rata {total['physical_percent_text']}."
        )
    else:
        summary += "Belum ada data realisasi dari Reviu Kinerja (Aksi 8) untuk kegiatan-kegiatan ini."
    blocks.append(Paragraph(summary))
    blocks.append(Heading("Realisasi per OPD", level=2))
    blocks.append(
        Table(
            headers=[
                "No",
                "OPD",
                "Kegiatan direviu",
                "Pagu",
                "Realisasi anggaran",
                "Anggaran",
                "Capaian fisik rata-rata",
            ],
            rows=[
                [
                    n,
                    g["opd"],
                    g["reviewed_text"],
                    g["budget_text"],
                    g["budget_realised_text"],
                    g["budget_percent_text"],
                    g["physical_percent_text"],
                ]
                for n, g in enumerate(acts["by_opd"], 1)
            ],
            footer=[
                "",
                "Jumlah",
                total["reviewed_text"],
                total["budget_text"],
                total["budget_realised_text"],
                total["budget_percent_text"],
                total["physical_percent_text"],
            ],
            widths=[0.6, 2, 1.8, 2.8, 2.8, 1.6, 1.8],
            numeric=[0, 3, 4, 5, 6],
        )
    )
    blocks.append(
        Paragraph(
            "Realisasi anggaran dihitung terhadap pagu seluruh kegiatan, seperti pada Reviu Kinerja "
            "(Aksi 8): kegiatan yang belum direviu belum dihitung terealisasi. Capaian fisik adalah "
            "rata-rata persentase kegiatan yang sudah direviu."
        )
    )
    blocks.append(Heading("Realisasi per kegiatan", level=2))
    blocks.append(
        Table(
            headers=[
                "No",
                "OPD",
                "Kegiatan",
                "Target fisik",
                "Realisasi fisik",
                "Fisik",
                "Pagu (Rp)",
                "Realisasi (Rp)",
                "Anggaran",
            ],
            rows=[
                [
                    n,
                    r["opd"],
                    r["activity"],
                    r["target_text"],
                    r["physical_text"],
                    r["physical_percent_text"],
                    r["budget"],
                    r["budget_realised"] if r["reviewed"] else "–",
                    r["budget_percent_text"],
                ]
                for n, r in enumerate(rows, 1)
            ],
            widths=[0.6, 1.7, 4.2, 1.7, 1.9, 1.2, 2.2, 2.2, 1.3],
            numeric=[0, 3, 4, 5, 6, 7, 8],
        )
    )
    return blocks


def report_document(report, data: dict) -> OfficialDocument:
    """The report in Indonesian, whatever the UI language (``data`` as ``figures.collect`` gives it)."""
    with translation.override(LANGUAGE):
        return _report_document(report, figures.display(data))


def _report_document(report, data: dict) -> OfficialDocument:
    tpps = report.tpps
    draft = "" if report.is_final else " (KONSEP)"
    return OfficialDocument(
        kop=Letterhead.kop_for(tpps.wilayah_id[:5]),
        title=f"Laporan Semester {report.get_semester_display()} Tahun {report.year}{draft}",
        subtitle=f"{tpps.name}",
        blocks=sections(report, data),
        place=tpps.wilayah.name.title(),
        date=report.finalised_at.date() if report.finalised_at else None,
        signatories=[Signatory(position=f"Ketua {tpps.name}")],
        filename=f"laporan-semester-{report.year}-{report.semester}-{tpps.wilayah_id}",
    )
