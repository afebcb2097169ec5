"""NIK (Nomor Induk Kependudukan): structure checks and masking.

A NIK has 16 digits: the 6-digit region of registration (province, kabupaten, kecamatan
codes without dots), the birth date as DDMMYY (day + 40 for women), and a 4-digit serial.
It is personal data under UU PDP 27/2022: it is stored for matching and shown masked unless
the policy allows the full number.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D")


def clean_nik(value) -> str:
    """Digits only; an Excel float such as ``7.324041501230012e+15`` is read back as digits."""
    if value is None:
        return ""
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        text = text.split(".")[0]
    elif re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        text = f"{float(text):.0f}"
    return _DIGITS.sub("", text)


def nik_problem(nik: str, known_kecamatan: set[str] | None = None) -> str | None:
    """Why ``nik`` is not a structurally valid NIK, or None. ``known_kecamatan`` holds dotted
    kecamatan codes (``73.24.04``) to check the region prefix against."""
    if not nik:
        return "nik_missing"
    if len(nik) != 16 or not nik.isdigit():
        return "nik_length"
    if set(nik) == {"0"} or nik[6:] == "0" * 10:
        return "nik_placeholder"
    day, month = int(nik[6:8]), int(nik[8:10])
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return "nik_birth_date"
    if known_kecamatan is not None and nik_region(nik) not in known_kecamatan:
        return "nik_region_unknown"
    return None


def nik_region(nik: str) -> str:
    """The dotted kecamatan code of registration: ``7324041501230012`` → ``73.24.04``."""
    return f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"


def mask_nik(nik: str) -> str:
    """``7324041501230012`` → ``7324••••••••0012``; anything shorter than 9 digits is fully hidden."""
    if not nik:
        return ""
    if len(nik) < 9:
        return "•" * len(nik)
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:]
