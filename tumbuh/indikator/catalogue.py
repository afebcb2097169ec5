"""The national indicator catalogue, as data (loaded by migration 0002 and ``load_indicators``).

Targets: Perpres 72/2021, lampiran A (targets for 2024). The essential coverage indicators are
the services the Aksi 1 guide (Kemendagri) asks each district to map per desa; where no national
target is set, the district sets its own (``IndicatorSetting``). Check the regulation's own text
before changing a target here; a change ships as a new data migration calling
``load_catalogue``.

Some indicators are computed by Tumbuh from its own records (``computed_from``, see
``computations.py``): children whose growth is monitored, vitamin A and exclusive breastfeeding
from the visits, and the at-risk families accompanied from the KRS list and the TPK visits. The
other services a visit records (KIA book, weight gain N/D′, kelas ibu balita, MBG) are in
neither list, so they are not national indicators here: a district attaches their computation
to its own indicator.
"""

from __future__ import annotations

PERPRES = "Perpres 72/2021 lampiran A"
ESSENTIAL = "Kemendagri, panduan Aksi 1 (cakupan layanan esensial)"

#: (code, short name, name, kind, category, target group, numerator, denominator, target,
#:  lead OPD, lower is better, computed from)
CATALOGUE: list[dict] = [
    # --- Perpres 72/2021: specific interventions
    dict(
        code="bumil-kek-pmt",
        short_name="Bumil KEK dapat PMT",
        kind="spesifik",
        category="target",
        name="Ibu hamil Kurang Energi Kronik (KEK) yang mendapatkan tambahan asupan gizi",
        target_group="Ibu hamil KEK",
        numerator="Ibu hamil KEK yang mendapat tambahan asupan gizi",
        denominator="Seluruh ibu hamil KEK",
        national_target=90,
        lead_opd="DINKES",
    ),
    dict(
        code="bumil-ttd-90",
        short_name="Bumil TTD ≥90",
        kind="spesifik",
        category="target",
        name="Ibu hamil yang mengonsumsi Tablet Tambah Darah (TTD) minimal 90 tablet selama masa kehamilan",
        target_group="Ibu hamil",
        numerator="Ibu hamil yang mengonsumsi minimal 90 TTD",
        denominator="Seluruh ibu hamil",
        national_target=80,
        lead_opd="DINKES",
    ),
    dict(
        code="remaja-putri-ttd",
        short_name="Remaja putri TTD",
        kind="spesifik",
        category="target",
        name="Remaja putri yang mengonsumsi Tablet Tambah Darah (TTD)",
        target_group="Remaja putri",
        numerator="Remaja putri yang mengonsumsi TTD",
        denominator="Seluruh remaja putri (sasaran sekolah)",
        national_target=58,
        lead_opd="DINKES",
    ),
    dict(
        code="asi-eksklusif",
        short_name="ASI eksklusif",
        kind="spesifik",
        category="target",
        name="Bayi usia kurang dari 6 bulan yang mendapat Air Susu Ibu (ASI) eksklusif",
        target_group="Bayi 0–5 bulan",
        numerator="Bayi < 6 bulan yang menurut catatan kunjungan terakhirnya mendapat ASI eksklusif sejak lahir",
        denominator="Bayi < 6 bulan yang ASI eksklusifnya tercatat (tanpa catatan: tidak dihitung)",
        national_target=80,
        lead_opd="DINKES",
        computed_from="asi_exclusive",
    ),
    dict(
        code="mpasi",
        short_name="MP-ASI 6–23 bln",
        kind="spesifik",
        category="target",
        name="Anak usia 6–23 bulan yang mendapat Makanan Pendamping Air Susu Ibu (MP-ASI)",
        target_group="Anak 6–23 bulan",
        numerator="Anak 6–23 bulan yang mendapat MP-ASI",
        denominator="Seluruh anak 6–23 bulan",
        national_target=80,
        lead_opd="DINKES",
    ),
    dict(
        code="gizi-buruk-tatalaksana",
        short_name="Gizi buruk ditatalaksana",
        kind="spesifik",
        category="target",
        name="Anak berusia di bawah lima tahun (balita) gizi buruk yang mendapat pelayanan tata laksana gizi buruk",
        target_group="Balita gizi buruk",
        numerator="Balita gizi buruk yang mendapat tata laksana",
        denominator="Seluruh balita gizi buruk yang ditemukan",
        national_target=90,
        lead_opd="DINKES",
    ),
    dict(
        code="balita-dipantau",
        short_name="Balita dipantau",
        kind="spesifik",
        category="target",
        name="Anak berusia di bawah lima tahun (balita) yang dipantau pertumbuhan dan perkembangannya",
        target_group="Balita 0–59 bulan",
        numerator="Balita yang diukur panjang/tinggi badannya setidaknya sekali dalam tahun berjalan",
        denominator="Jumlah balita di desa (Dukcapil bila tercatat, selain itu balita terdaftar di Tumbuh)",
        national_target=90,
        lead_opd="DINKES",
        computed_from="growth_monitored",
    ),
    dict(
        code="gizi-kurang-pmt",
        short_name="Gizi kurang dapat PMT",
        kind="spesifik",
        category="target",
        name="Anak berusia di bawah lima tahun (balita) gizi kurang yang mendapat tambahan asupan gizi",
        target_group="Balita gizi kurang",
        numerator="Balita gizi kurang yang mendapat tambahan asupan gizi",
        denominator="Seluruh balita gizi kurang",
        national_target=90,
        lead_opd="DINKES",
    ),
    dict(
        code="imunisasi-dasar-lengkap",
        short_name="Imunisasi dasar lengkap",
        kind="spesifik",
        category="target",
        name="Balita yang memperoleh imunisasi dasar lengkap",
        target_group="Bayi 12–23 bulan",
        numerator="Anak yang memperoleh imunisasi dasar lengkap",
        denominator="Seluruh anak sasaran imunisasi",
        national_target=90,
        lead_opd="DINKES",
    ),
    # --- Perpres 72/2021: sensitive interventions
    dict(
        code="kb-pasca-persalinan",
        short_name="KB pasca persalinan",
        kind="sensitif",
        category="target",
        name="Pelayanan Keluarga Berencana (KB) pasca persalinan",
        target_group="Ibu bersalin",
        numerator="Ibu bersalin yang menggunakan KB pasca persalinan",
        denominator="Seluruh ibu bersalin",
        national_target=70,
        lead_opd="DP2KB",
    ),
    dict(
        code="kehamilan-tidak-diinginkan",
        short_name="Kehamilan tidak diinginkan",
        kind="sensitif",
        category="target",
        name="Kehamilan yang tidak diinginkan",
        target_group="Pasangan Usia Subur (PUS)",
        numerator="Kehamilan yang tidak diinginkan",
        denominator="Seluruh kehamilan",
        national_target=15.5,
        lead_opd="DP2KB",
        lower_is_better=True,
    ),
    dict(
        code="catin-periksa-kesehatan",
        short_name="Catin diperiksa",
        kind="sensitif",
        category="target",
        name="Calon Pasangan Usia Subur (PUS) yang memperoleh pemeriksaan kesehatan sebagai bagian dari pelayanan nikah",
        target_group="Calon pengantin",
        numerator="Calon PUS yang diperiksa kesehatannya",
        denominator="Seluruh calon PUS yang menikah",
        national_target=90,
        lead_opd="KEMENAG",
    ),
    dict(
        code="air-minum-layak",
        short_name="Air minum layak",
        kind="sensitif",
        category="target",
        name="Rumah tangga yang mendapatkan akses air minum layak",
        target_group="Rumah tangga",
        numerator="Rumah tangga dengan akses air minum layak",
        denominator="Seluruh rumah tangga",
        national_target=100,
        lead_opd="DPUPR",
    ),
    dict(
        code="sanitasi-layak",
        short_name="Sanitasi layak",
        kind="sensitif",
        category="target",
        name="Rumah tangga yang mendapatkan akses sanitasi (air limbah domestik) layak",
        target_group="Rumah tangga",
        numerator="Rumah tangga dengan akses sanitasi layak",
        denominator="Seluruh rumah tangga",
        national_target=90,
        lead_opd="DISPERKIM",
    ),
    dict(
        code="krs-pendampingan",
        short_name="KRS didampingi",
        kind="sensitif",
        category="target",
        name="Keluarga berisiko stunting yang memperoleh pendampingan",
        target_group="Keluarga berisiko stunting (KRS)",
        numerator="KRS yang didampingi: menerima pendampingan menurut Verval KRS (rujukan, bansos, KIE) atau dikunjungi TPK "
        "dalam tahun berjalan",
        denominator="Seluruh KRS",
        national_target=90,
        lead_opd="DP2KB",
        computed_from="krs_accompanied",
    ),
    dict(
        code="paham-stunting",
        short_name="Sasaran paham stunting",
        kind="sensitif",
        category="target",
        name="Kelompok sasaran yang memiliki pemahaman yang baik tentang stunting",
        target_group="Kelompok sasaran (keluarga 1000 HPK)",
        numerator="Sasaran yang memahami stunting",
        denominator="Seluruh sasaran yang disurvei",
        national_target=70,
        lead_opd="DISKOMINFO",
    ),
    dict(
        code="desa-stop-babs",
        short_name="Desa stop BABS (ODF)",
        kind="sensitif",
        category="target",
        name="Desa/kelurahan Stop Buang Air Besar Sembarangan (BABS) atau Open Defecation Free (ODF)",
        target_group="Desa/kelurahan",
        numerator="Desa yang terverifikasi stop BABS (per desa: 1 bila ya)",
        denominator="Desa (per desa: 1)",
        national_target=90,
        lead_opd="DINKES",
    ),
    # --- Essential coverage indicators (Aksi 1): no national target; the district sets one
    dict(
        code="bumil-k4",
        short_name="Bumil K4",
        kind="spesifik",
        category="esensial",
        name="Ibu hamil yang mendapat pemeriksaan kehamilan minimal 4 kali (K4)",
        target_group="Ibu hamil",
        numerator="Ibu hamil dengan K4",
        denominator="Seluruh ibu hamil",
        lead_opd="DINKES",
    ),
    dict(
        code="kelas-ibu-hamil",
        short_name="Kelas ibu hamil",
        kind="spesifik",
        category="esensial",
        name="Ibu hamil yang mengikuti kelas ibu hamil minimal 4 kali",
        target_group="Ibu hamil",
        numerator="Ibu hamil yang mengikuti ≥4 kelas",
        denominator="Seluruh ibu hamil",
        lead_opd="DINKES",
    ),
    dict(
        code="nifas-kf-lengkap",
        short_name="Nifas KF lengkap",
        kind="spesifik",
        category="esensial",
        name="Ibu nifas yang mendapat kunjungan nifas lengkap (minimal 3 kali)",
        target_group="Ibu nifas",
        numerator="Ibu nifas dengan kunjungan lengkap",
        denominator="Seluruh ibu nifas",
        lead_opd="DINKES",
    ),
    dict(
        code="baduta-konseling",
        short_name="Konseling gizi ortu baduta",
        kind="spesifik",
        category="esensial",
        name="Orang tua/pengasuh anak 0–23 bulan yang mengikuti konseling gizi bulanan",
        target_group="Orang tua anak 0–23 bulan",
        numerator="Orang tua yang mengikuti konseling",
        denominator="Seluruh orang tua anak 0–23 bulan",
        lead_opd="DINKES",
    ),
    dict(
        code="balita-vitamin-a",
        short_name="Vitamin A balita",
        kind="spesifik",
        category="esensial",
        name="Balita 6–59 bulan yang mendapat kapsul vitamin A",
        target_group="Balita 6–59 bulan",
        numerator="Balita 6–59 bulan yang tercatat mendapat kapsul vitamin A (≥1) pada kunjungan dalam tahun berjalan",
        denominator="Balita 6–59 bulan yang jumlah vitamin A-nya tercatat pada kunjungan dalam tahun berjalan "
        "(tanpa catatan: tidak dihitung)",
        lead_opd="DINKES",
        computed_from="vitamin_a",
    ),
    dict(
        code="bkb-kelas-pengasuhan",
        short_name="Kelas pengasuhan (BKB)",
        kind="sensitif",
        category="esensial",
        name="Orang tua anak 0–59 bulan yang mengikuti kelas pengasuhan / Bina Keluarga Balita (BKB)",
        target_group="Orang tua balita",
        numerator="Orang tua yang mengikuti BKB",
        denominator="Seluruh orang tua balita",
        lead_opd="DP2KB",
    ),
    dict(
        code="paud",
        short_name="Anak 2–6 di PAUD",
        kind="sensitif",
        category="esensial",
        name="Anak usia 2–6 tahun yang terdaftar dan aktif di Pendidikan Anak Usia Dini (PAUD)",
        target_group="Anak 2–6 tahun",
        numerator="Anak yang aktif di PAUD",
        denominator="Seluruh anak 2–6 tahun",
        lead_opd="DISDIK",
    ),
    dict(
        code="akta-kelahiran",
        short_name="Akta kelahiran balita",
        kind="sensitif",
        category="esensial",
        name="Anak 0–59 bulan yang memiliki akta kelahiran",
        target_group="Balita",
        numerator="Balita dengan akta kelahiran",
        denominator="Seluruh balita",
        lead_opd="DISDUKCAPIL",
    ),
    dict(
        code="jaminan-kesehatan",
        short_name="Jaminan kesehatan 1000 HPK",
        kind="sensitif",
        category="esensial",
        name="Keluarga 1000 HPK yang memiliki jaminan kesehatan (JKN/PBI)",
        target_group="Keluarga 1000 HPK",
        numerator="Keluarga dengan jaminan kesehatan",
        denominator="Seluruh keluarga 1000 HPK",
        lead_opd="DINSOS",
    ),
    dict(
        code="bansos-1000hpk",
        short_name="Bansos keluarga 1000 HPK",
        kind="sensitif",
        category="esensial",
        name="Keluarga miskin dengan ibu hamil/balita yang menerima bantuan sosial (PKH/BPNT)",
        target_group="Keluarga miskin 1000 HPK",
        numerator="Keluarga penerima PKH/BPNT",
        denominator="Seluruh keluarga miskin 1000 HPK",
        lead_opd="DINSOS",
    ),
    dict(
        code="posyandu-aktif",
        short_name="Posyandu aktif",
        kind="sensitif",
        category="esensial",
        name="Posyandu yang aktif (buka setiap bulan dengan minimal 5 kader)",
        target_group="Posyandu",
        numerator="Posyandu aktif",
        denominator="Seluruh posyandu di desa",
        lead_opd="DPMD",
    ),
]


def catalogue_rows():
    """(code, field values) for each national indicator, in display order."""
    for order, row in enumerate(CATALOGUE, start=1):
        values = {
            "lower_is_better": False,
            "computed_from": "",
            "national_target": None,
            "definition": "",
            **{k: v for k, v in row.items() if k != "code"},
            "order": order * 10,
            "unit": "%",
            "source": PERPRES if row["category"] == "target" else ESSENTIAL,
            "target_year": 2024 if row.get("national_target") is not None else None,
        }
        if not values["definition"]:
            values["definition"] = (
                f"{row['numerator']} dibagi {row['denominator'][0].lower()}{row['denominator'][1:]}, dikali 100%."
            )
        yield row["code"], values


def load_catalogue(Indicator) -> int:
    """Create or update the national catalogue (idempotent) with plain writes: for the data
    migration, which gets the historical model. Returns the number of indicators."""
    n = 0
    for code, values in catalogue_rows():
        Indicator.objects.update_or_create(kabupaten=None, code=code, defaults=values)
        n += 1
    return n
