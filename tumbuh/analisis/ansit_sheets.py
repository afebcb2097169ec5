"""Aksi Bangda's Master Ansit as data: its 15 sub-menus in their order, what Tumbuh fills each
one with, and who supplies what Tumbuh does not hold.

This table is the one place to change when the province's app or Tumbuh's indicator catalogue
changes; ``ansit.py`` only reads it. Sheet names are Aksi Bangda's sub-menu names (Excel allows
31 characters). Texts are Indonesian: they are written into the workbook.

Each sheet has a ``kind``:

- ``sasaran``: the target groups per desa (families, KRS, children measured, pendek, sangat pendek);
- ``cakupan``: the coverage of every indicator the district uses (blank where none is held), per desa;
- ``sektor``: the coverage of the indicators one OPD answers for, per desa;
- ``tim``: the TPPS of the desa, their kecamatan and the district, with their decrees;
- ``program``: the Aksi 2 plan (each OPD's activities, codes, desa, budget, funding).

Which indicators go on a ``sektor`` sheet: an indicator whose code a sheet lists in ``codes``
goes there; any other goes on the **last** sheet whose ``opd`` names the OPD that answers for it
in the district (its responsible OPD, else the catalogue's ``lead_opd``), so a sector split
in two ("KB 1", "KB 2") keeps sheet 1 for the listed indicators and takes every further one on
sheet 2. An indicator of an OPD no sheet names (PUPR, Perkim, Dukcapil …) is on "Data Cakupan
Layanan" only. Matching of OPD short names ignores case.

``supplier`` names who supplies a sheet's figures when the district's OPD registry has none of
the sheet's OPD (otherwise the registry's name is used), and ``needs`` what they would supply;
both are printed in the cover sheet's list of what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

SASARAN, CAKUPAN, SEKTOR, TIM, PROGRAM = "sasaran", "cakupan", "sektor", "tim", "program"


@dataclass(frozen=True)
class SheetSpec:
    name: str
    kind: str
    holds: str
    opd: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    supplier: str = ""
    needs: str = ""


SHEETS: list[SheetSpec] = [
    SheetSpec(
        "Data Sasaran",
        SASARAN,
        "Per desa: jumlah keluarga, keluarga berisiko stunting (KRS), balita sasaran, balita diukur, "
        "balita sangat pendek dan pendek, prevalensi stunting.",
    ),
    SheetSpec(
        "Data Cakupan Layanan",
        CAKUPAN,
        "Per desa: cakupan (%) setiap indikator layanan yang digunakan kabupaten pada tahun data "
        "(kolom kosong bila belum ada datanya).",
    ),
    SheetSpec(
        "Sosial",
        SEKTOR,
        "Per desa: cakupan indikator yang menjadi tanggung jawab Dinas Sosial.",
        opd=("DINSOS",),
        supplier="Dinas Sosial",
        needs="data penerima bantuan sosial (PKH/BPNT) dan jaminan kesehatan (PBI) keluarga 1000 HPK per desa",
    ),
    SheetSpec(
        "Tim Koordinasi",
        TIM,
        "Per desa: TPPS desa dan kecamatannya dengan SK yang berlaku; di bawahnya susunan TPPS kabupaten.",
        opd=("DPMD",),
        supplier="Dinas Pemberdayaan Masyarakat dan Desa",
        needs="TPPS desa/kelurahan dan SK kepala desa/lurah yang membentuknya",
    ),
    SheetSpec(
        "Kesehatan",
        SEKTOR,
        "Per desa: cakupan indikator yang menjadi tanggung jawab Dinas Kesehatan.",
        opd=("DINKES",),
        supplier="Dinas Kesehatan",
        needs="cakupan layanan gizi dan kesehatan ibu dan anak per desa (puskesmas)",
    ),
    SheetSpec(
        "PMD 1",
        SEKTOR,
        "Per desa: layanan posyandu (Dinas Pemberdayaan Masyarakat dan Desa).",
        opd=("DPMD",),
        codes=("posyandu-aktif",),
        supplier="Dinas Pemberdayaan Masyarakat dan Desa",
        needs="posyandu aktif per desa",
    ),
    SheetSpec(
        "PMD 2",
        SEKTOR,
        "Per desa: indikator lain Dinas Pemberdayaan Masyarakat dan Desa.",
        opd=("DPMD",),
        supplier="Dinas Pemberdayaan Masyarakat dan Desa",
        needs="penggunaan Dana Desa untuk stunting, KPM dan rembuk stunting desa per desa",
    ),
    SheetSpec(
        "KOMINFO",
        SEKTOR,
        "Per desa: komunikasi perubahan perilaku (Dinas Komunikasi dan Informatika).",
        opd=("DISKOMINFO", "KOMINFO"),
        supplier="Dinas Komunikasi dan Informatika",
        needs="sasaran yang memahami stunting dan kegiatan kampanye per desa",
    ),
    SheetSpec(
        "Pendidikan 1",
        SEKTOR,
        "Per desa: anak usia dini di PAUD (Dinas Pendidikan).",
        opd=("DISDIK", "DIKBUD"),
        codes=("paud",),
        supplier="Dinas Pendidikan",
        needs="anak 2–6 tahun yang aktif di PAUD per desa",
    ),
    SheetSpec(
        "Pendidikan 2",
        SEKTOR,
        "Per desa: indikator lain Dinas Pendidikan.",
        opd=("DISDIK", "DIKBUD"),
        supplier="Dinas Pendidikan",
        needs="kelas pengasuhan di PAUD dan pendidikan gizi di sekolah per desa",
    ),
    SheetSpec(
        "Agama",
        SEKTOR,
        "Per desa: calon pengantin yang diperiksa kesehatannya (Kementerian Agama).",
        opd=("KEMENAG",),
        supplier="Kantor Kementerian Agama",
        needs="calon pengantin yang mendapat bimbingan perkawinan dan pemeriksaan kesehatan per desa (KUA)",
    ),
    SheetSpec(
        "KB 1",
        SEKTOR,
        "Per desa: keluarga berencana (dinas pengendalian penduduk dan KB).",
        opd=("DP2KB", "DPPKB", "DP3AP2KB"),
        codes=("kb-pasca-persalinan", "kehamilan-tidak-diinginkan"),
        supplier="Dinas Pengendalian Penduduk dan Keluarga Berencana",
        needs="peserta KB pasca persalinan dan kehamilan tidak diinginkan per desa",
    ),
    SheetSpec(
        "KB 2",
        SEKTOR,
        "Per desa: pendampingan keluarga dan indikator lain dinas pengendalian penduduk dan KB.",
        opd=("DP2KB", "DPPKB", "DP3AP2KB"),
        supplier="Dinas Pengendalian Penduduk dan Keluarga Berencana",
        needs="keluarga berisiko stunting yang didampingi TPK dan kelas Bina Keluarga Balita per desa",
    ),
    SheetSpec(
        "Badan POM",
        SEKTOR,
        "Per desa: pengawasan keamanan pangan (Badan Pengawas Obat dan Makanan).",
        opd=("BPOM", "LOKA POM", "BALAI POM"),
        supplier="Balai/Loka POM",
        needs="pengawasan keamanan pangan (PMT, pangan jajanan anak sekolah, desa pangan aman) per desa",
    ),
    SheetSpec(
        "Pemetaan Program",
        PROGRAM,
        "Rencana kegiatan terintegrasi (Aksi 2) tahun rencana: kegiatan setiap OPD dengan kode nomenklatur, "
        "indikator, desa sasaran, volume, pagu dan sumber dana.",
        opd=("BAPPEDA",),
        supplier="Bappeda dan setiap OPD",
        needs="rencana kegiatan OPD (program, kegiatan, sub kegiatan, pagu) untuk tahun rencana",
    ),
]


def sector_sheet(code: str, opd_short_name: str) -> str | None:
    """The ``sektor`` sheet an indicator goes on (see the module's docstring), or None."""
    sectors = [s for s in SHEETS if s.kind == SEKTOR]
    for s in sectors:
        if code in s.codes:
            return s.name
    key = (opd_short_name or "").strip().upper()
    named = [s for s in sectors if key and key in s.opd]
    return named[-1].name if named else None
