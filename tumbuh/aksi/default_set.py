"""The default set: the 8 convergence actions (Kemendagri, Aksi Konvergensi Stunting), as data.

Loaded by migration 0002. The announced 4-action set is not shipped: an admin adds it in the
UI (Pantau Aksi → Action sets) once its text is final, without a release."""

from __future__ import annotations

CODE = "aksi-8"
NAME = "8 Aksi Konvergensi Percepatan Penurunan Stunting"
DESCRIPTION = (
    "Delapan aksi konvergensi kabupaten/kota (Kemendagri, Ditjen Bina Pembangunan Daerah). "
    "Bukti setiap aksi diunggah ke aplikasi Aksi Bangda untuk penilaian kinerja oleh provinsi."
)

#: number, name, outputs, evidence, lead OPD, due month, Tumbuh page, required outputs
ACTIONS = [
    (
        1,
        "Analisis Situasi",
        "Tabel per desa: kelompok sasaran, balita diukur, pendek/sangat pendek, cakupan layanan; pemetaan program dan "
        "anggaran; rekomendasi desa lokus.",
        "Dokumen hasil analisis situasi; Master Ansit per desa; SK Bupati tentang desa lokus.",
        "BAPPEDA",
        3,
        "analisis",
        [
            "Tabel situasi per desa (cakupan dan prevalensi)",
            "Pemetaan program dan kegiatan OPD",
            "Rekomendasi desa lokus dengan alasan",
            "SK Bupati tentang desa lokus",
            "Master Ansit diunggah ke Aksi Bangda",
        ],
    ),
    (
        2,
        "Rencana Kegiatan",
        "Rencana kegiatan terintegrasi: OPD, program/kegiatan/sub-kegiatan, volume, desa sasaran, anggaran, sumber dana.",
        "Dokumen rencana kegiatan terintegrasi; bukti masuk Renja OPD dan RKPD.",
        "BAPPEDA",
        5,
        "rencana",
        [
            "Rencana kegiatan terintegrasi per OPD",
            "Pemeriksaan kesenjangan terhadap desa lokus",
            "Kegiatan masuk Renja OPD / RKPD",
        ],
    ),
    (
        3,
        "Rembuk Stunting",
        "Rencana yang dikonfirmasi terhadap hasil Musrenbang; deklarasi komitmen; berita acara; daftar hadir.",
        "Deklarasi komitmen bertanda tangan; berita acara; daftar hadir; foto kegiatan.",
        "BAPPEDA",
        6,
        "rembuk",
        ["Undangan dan daftar hadir", "Deklarasi komitmen ditandatangani", "Berita acara rembuk stunting"],
    ),
    (
        4,
        "Peraturan Bupati/Wali Kota tentang Peran Desa",
        "Perbup/Perwali tentang peran desa dalam penurunan stunting.",
        "Salinan Perbup/Perwali yang diundangkan.",
        "DPMD",
        6,
        "regulasi_desa",
        ["Rancangan Perbup/Perwali", "Perbup/Perwali diundangkan"],
    ),
    (
        5,
        "Pembinaan Kader Pembangunan Manusia (KPM)",
        "Daftar KPM dan pelatihannya; pembinaan desa; skor konvergensi desa.",
        "SK KPM; laporan pelatihan; rekap skor konvergensi desa.",
        "DPMD",
        8,
        "kpm",
        ["Daftar KPM per desa", "Pelatihan KPM terlaksana", "Rekap skor konvergensi desa per triwulan"],
    ),
    (
        6,
        "Sistem Manajemen Data",
        "Analisis kesenjangan data dan kegiatan perbaikan mutu data.",
        "Dokumen analisis kesenjangan data; rencana perbaikan.",
        "DISKOMINFO",
        9,
        "quality",
        ["Analisis kesenjangan data", "Rencana perbaikan mutu data"],
    ),
    (
        7,
        "Pengukuran dan Publikasi Data Stunting",
        "Semua balita diukur (Februari dan Agustus); prevalensi dipublikasikan per desa dan kecamatan.",
        "Rekap pengukuran; bukti publikasi.",
        "DINKES",
        10,
        "publik",
        ["Pengukuran Februari", "Pengukuran Agustus", "Publikasi prevalensi per desa dan kecamatan"],
    ),
    (
        8,
        "Reviu Kinerja Tahunan",
        "Target dan realisasi per kegiatan, realisasi anggaran, masalah dan rekomendasi tahun berikutnya.",
        "Laporan reviu kinerja tahunan.",
        "BAPPEDA",
        12,
        "reviu",
        [
            "Realisasi per kegiatan dan anggaran",
            "Laporan reviu kinerja tahunan",
            "Rekomendasi untuk analisis situasi berikutnya",
        ],
    ),
]


def load_default_set(ActionSet, ActionDefinition, OutputItem) -> None:
    """Create the national 8-action set if missing (idempotent; plain writes for the migration)."""
    action_set, _ = ActionSet.objects.get_or_create(
        kabupaten=None,
        code=CODE,
        defaults={"name": NAME, "description": DESCRIPTION, "is_default": True, "from_year": 2018},
    )
    for number, name, outputs, evidence, lead, month, page, items in ACTIONS:
        definition, created = ActionDefinition.objects.get_or_create(
            action_set=action_set,
            number=number,
            defaults={
                "name": name,
                "outputs": outputs,
                "evidence": evidence,
                "lead_opd": lead,
                "due_month": month,
                "page": page,
            },
        )
        if created:
            for order, label in enumerate(items, start=1):
                OutputItem.objects.create(action=definition, order=order, label=label)


#: The required outputs of the default set that a record in Tumbuh proves (they tick themselves,
#: ``aksi.checklist``): (action number, label) → proof key (an app's ``aksi_outputs.PROVES``).
#: The others no record proves, so they are ticked by hand: the SK lokus (Tumbuh drafts it, the
#: signed decree is not filed back), the Master Ansit uploaded to Aksi Bangda, the plan in the
#: Renja/RKPD, the draft Perbup/Perwali, the data-quality improvement plan.
PROOFS = {
    (1, "Tabel situasi per desa (cakupan dan prevalensi)"): "analisis.situation",
    (1, "Pemetaan program dan kegiatan OPD"): "rencana.activities",
    (1, "Rekomendasi desa lokus dengan alasan"): "analisis.lokus",
    (2, "Rencana kegiatan terintegrasi per OPD"): "rencana.activities",
    (2, "Pemeriksaan kesenjangan terhadap desa lokus"): "rencana.gap-check",
    (3, "Undangan dan daftar hadir"): "rembuk.attendance",
    (3, "Deklarasi komitmen ditandatangani"): "rembuk.commitment",
    (3, "Berita acara rembuk stunting"): "rembuk.berita-acara",
    (4, "Perbup/Perwali diundangkan"): "konvergensi_desa.regulation",
    (5, "Daftar KPM per desa"): "konvergensi_desa.kpm",
    (5, "Pelatihan KPM terlaksana"): "konvergensi_desa.kpm-training",
    (5, "Rekap skor konvergensi desa per triwulan"): "konvergensi_desa.scorecard",
    (6, "Analisis kesenjangan data"): "dashboards.quality",
    (7, "Pengukuran Februari"): "dashboards.round-february",
    (7, "Pengukuran Agustus"): "dashboards.round-august",
    (7, "Publikasi prevalensi per desa dan kecamatan"): "publik.published",
    (8, "Realisasi per kegiatan dan anggaran"): "reviu.realisation",
    (8, "Laporan reviu kinerja tahunan"): "reviu.report",
    (8, "Rekomendasi untuk analisis situasi berikutnya"): "reviu.recommendations",
}


def wire_proofs(OutputItem) -> int:
    """Point the default set's required outputs at the records that prove them (``PROOFS``),
    leaving an output already pointed elsewhere as it is; returns how many changed. Plain
    writes, for a migration and a flushed test database."""
    changed = 0
    for (number, label), key in PROOFS.items():
        changed += OutputItem.objects.filter(
            action__action_set__kabupaten__isnull=True,
            action__action_set__code=CODE,
            action__number=number,
            label=label,
            proof="",
        ).update(proof=key)
    return changed
