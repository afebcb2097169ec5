"""The annual review report (Laporan Reviu Kinerja Tahunan) as an official document."""

from __future__ import annotations

from tumbuh.core.numbers import format_number
from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import (
    LANGUAGE,
    Heading,
    ItemList,
    OfficialDocument,
    Paragraph,
    Signatory,
    Table,
    indonesian_number,
    rupiah,
)

from . import figures
from .models import AnnualReview


def _pct(value) -> str:
    return "" if value is None else indonesian_number(value, 1)


def _signed(value) -> str:
    if value is None:
        return ""
    text = indonesian_number(value, 1)
    return f"+{text}" if value > 0 else text


def _quantity(value) -> str:
    """A volume as the review page writes it: up to two decimals, none when whole (12,5; 1.250)."""
    return format_number(value, 2, LANGUAGE, min_places=0)


def report(review: AnnualReview, user) -> OfficialDocument:
    kab, year = review.kabupaten, review.year
    rows = figures.activity_rows(kab.code, year)
    totals = figures.budget_totals(rows)
    indicators = figures.indicator_rows(kab.code, year)
    kecamatan = figures.kecamatan_prevalence(user, kab.code, year)
    blocks = [
        Heading("A. Pendahuluan"),
        Paragraph(
            review.summary
            or (
                f"Reviu kinerja tahunan ini menilai pelaksanaan aksi konvergensi percepatan penurunan stunting "
                f"{kab.label} tahun {year}: realisasi kegiatan terhadap target, capaian indikator cakupan layanan, dan "
                f"perubahan prevalensi stunting per kecamatan, serta merumuskan rekomendasi untuk tahun {year + 1}."
            )
        ),
        Heading("B. Realisasi Kegiatan"),
        Paragraph(
            f"Dari {indonesian_number(totals.total)} kegiatan, realisasinya telah diisi untuk "
            f"{indonesian_number(totals.entered)} kegiatan. Realisasi anggaran {rupiah(totals.realised)} "
            f"dari pagu {rupiah(totals.budget)}"
            + (f" ({_pct(totals.percent)}%)." if totals.percent is not None else ".")
        ),
        Table(
            [
                "No",
                "OPD",
                "Kegiatan",
                "Target fisik",
                "Realisasi fisik",
                "Fisik (%)",
                "Pagu (Rp)",
                "Realisasi (Rp)",
                "Anggaran (%)",
            ],
            [
                [
                    i,
                    r.activity.opd.short_name,
                    str(r.activity),
                    f"{_quantity(r.activity.volume)} {r.activity.unit}",
                    f"{_quantity(r.realisation.physical)} {r.activity.unit}" if r.realisation else "belum diisi",
                    _pct(r.physical_percent),
                    int(r.activity.budget),
                    int(r.realisation.budget) if r.realisation else None,
                    _pct(r.budget_percent),
                ]
                for i, r in enumerate(rows, 1)
            ],
            widths=[4, 9, 27, 11, 11, 8, 12, 12, 8],
            numeric=[5, 6, 7, 8],
            footer=["", "Jumlah", "", "", "", "", int(totals.budget), int(totals.realised), _pct(totals.percent)],
        ),
        Heading("C. Capaian Indikator"),
    ]
    if indicators:
        blocks.append(
            Table(
                ["Indikator", "Target (%)", f"Awal tahun ({year - 1})", f"Akhir tahun ({year})", "Perubahan (poin)"],
                [[str(r.indicator), _pct(r.target), _pct(r.start), _pct(r.end), _signed(r.change)] for r in indicators],
                widths=[34, 12, 14, 14, 14],
                numeric=[1, 2, 3, 4],
            )
        )
    else:
        blocks.append(Paragraph("Belum ada data cakupan indikator untuk tahun ini."))
    blocks.append(Heading("D. Prevalensi Stunting per Kecamatan"))
    if kecamatan:
        blocks.append(
            Table(
                [
                    "Kecamatan",
                    "Balita diukur (Feb)",
                    "Februari (%)",
                    "Balita diukur (Agu)",
                    "Agustus (%)",
                    "Perubahan (poin)",
                ],
                [[k.name, k.n_start, _pct(k.start), k.n_end, _pct(k.end), _signed(k.change)] for k in kecamatan],
                widths=[24, 14, 12, 14, 12, 14],
                numeric=[1, 2, 3, 4, 5],
            )
        )
    else:
        blocks.append(Paragraph(f"Belum ada pengukuran bulan Februari atau Agustus {year}."))
    problems = review.problem_items() + [
        f"{r.activity.opd.short_name} — {r.activity}: {r.realisation.problems.strip()}"
        for r in rows
        if r.realisation and r.realisation.problems.strip()
    ]
    blocks += [
        Heading("E. Permasalahan"),
        ItemList(problems) if problems else Paragraph("Tidak ada permasalahan tercatat."),
    ]
    recs = list(review.recommendations.select_related("indicator", "opd"))
    blocks.append(Heading(f"F. Rekomendasi untuk Tahun {year + 1}"))
    blocks.append(
        ItemList(
            [
                r.text
                + (f" (OPD: {r.opd.short_name})" if r.opd_id else "")
                + (f" [indikator: {r.indicator}]" if r.indicator_id else "")
                for r in recs
            ]
        )
        if recs
        else Paragraph("Belum ada rekomendasi.")
    )
    return OfficialDocument(
        kop=Letterhead.kop_for(kab.code),
        title="Laporan Reviu Kinerja Tahunan",
        nomor=review.nomor,
        subtitle=f"AKSI KONVERGENSI PERCEPATAN PENURUNAN STUNTING {kab.label.upper()} TAHUN {year}",
        blocks=blocks,
        place=review.signing_place or kab.name,
        date=review.date,
        signatories=[
            Signatory(f"Ketua Tim Percepatan Penurunan Stunting {kab.label}", review.signer_name, review.signer_nip)
        ],
        filename=f"reviu-kinerja-{kab.code.replace('.', '')}-{year}",
    )
