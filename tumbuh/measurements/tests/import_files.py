"""Real-looking e-PPGBM exports for the import tests (Kecamatan Malili, Luwu Timur)."""

from __future__ import annotations

import datetime as dt

HEADERS = [
    "NIK",
    "Nama",
    "JK",
    "Tgl Lahir",
    "BB Lahir",
    "TB Lahir",
    "Nama Ortu",
    "Prov",
    "Kab/Kota",
    "Kec",
    "Pukesmas",
    "Desa/Kel",
    "Posyandu",
    "RT",
    "RW",
    "Alamat",
    "Usia Saat Ukur",
    "Tanggal Pengukuran",
    "Bulan Pengukuran",
    "Berat",
    "Tinggi",
    "Cara Ukur",
    "LiLA",
    "BB/U",
    "ZS BB/U",
    "TB/U",
    "ZS TB/U",
    "BB/TB",
    "ZS BB/TB",
    "Naik Berat Badan",
    "PMT Diterima (kg)",
    "Jml Vit A",
    "KPSP",
    "KIA",
    "Detail Status",
    "status desa",
]
BULAN = [
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def age_text(birth: dt.date, date: dt.date) -> str:
    months = (date.year - birth.year) * 12 + date.month - birth.month - (date.day < birth.day)
    anchor_month = birth.month + months
    anchor = dt.date(birth.year + (anchor_month - 1) // 12, (anchor_month - 1) % 12 + 1, min(birth.day, 28))
    return f"{months // 12} Tahun - {months % 12} Bulan - {(date - anchor).days} Hari"


def _date(text):
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except (TypeError, ValueError):
        return None


def row(
    nik="",
    name="Ahmad Fauzan",
    jk="L",
    birth="10/01/2023",
    date="10/02/2025",
    weight="11,2",
    height="84,5",
    cara="Berdiri",
    kec="Malili",
    pkm="Malili",
    desa="Harapan",
    posyandu="Melati",
    lila="",
    zs=("", "", ""),
    **extra,
):
    b, d = _date(birth), _date(date)
    values = {
        "NIK": nik,
        "Nama": name,
        "JK": jk,
        "Tgl Lahir": birth,
        "BB Lahir": "3,1",
        "TB Lahir": "49",
        "Nama Ortu": "Siti Aminah",
        "Prov": "SULAWESI SELATAN",
        "Kab/Kota": "LUWU TIMUR",
        "Kec": kec,
        "Pukesmas": pkm,
        "Desa/Kel": desa,
        "Posyandu": posyandu,
        "RT": "001",
        "RW": "002",
        "Alamat": "Dusun Harapan",
        "Usia Saat Ukur": age_text(b, d) if b and d and d >= b else "",
        "Tanggal Pengukuran": date,
        "Bulan Pengukuran": BULAN[d.month] if d else "",
        "Berat": weight,
        "Tinggi": height,
        "Cara Ukur": cara,
        "LiLA": lila,
        "BB/U": "Berat Badan Normal",
        "ZS BB/U": zs[1],
        "TB/U": "Normal",
        "ZS TB/U": zs[0],
        "BB/TB": "Gizi Baik",
        "ZS BB/TB": zs[2],
        "Naik Berat Badan": "N",
        "PMT Diterima (kg)": "",
        "Jml Vit A": "1",
        "KPSP": "",
        "KIA": "Ya",
        "Detail Status": "",
        "status desa": "",
    }
    values.update(extra)
    return [values[h] for h in HEADERS]


def export(*rows) -> list[list]:
    """An e-PPGBM export: a title line above the header, as the real one has."""
    return [["Laporan Pengukuran Balita e-PPGBM"], HEADERS, *rows]
