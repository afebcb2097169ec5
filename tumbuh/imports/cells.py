"""Turning spreadsheet cells into clean values: the small per-cell functions importers use.

Every function takes the cell as text (see ``cell_text``) and either returns a clean value
or raises :class:`~tumbuh.imports.framework.RowError` with one reason.
"""

from __future__ import annotations

import datetime
import decimal
import re

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def cell_text(value) -> str:
    """A cell as the text the user typed: numbers without a spurious ``.0``, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def clean_text(value: str) -> str:
    """Trim, turn non-breaking spaces and tabs into spaces, collapse runs of spaces."""
    if not value:
        return ""
    if "  " not in value and "\xa0" not in value and "\t" not in value and "\n" not in value and "\r" not in value:
        return value.strip()  # the common case, a million times per large file
    return _SPACES.sub(" ", value.replace("\xa0", " ")).strip()


def fold(value: str) -> str:
    """A key for case- and space-insensitive matching of names."""
    return clean_text(value).casefold()


def header_key(value: str) -> str:
    """``" KODE_Puskesmas* "`` → ``"kode puskesmas"``."""
    return _NOT_ALNUM.sub(" ", clean_text(value).casefold()).strip()


def clean_code(value: str) -> str:
    """A code without any whitespace."""
    return _SPACES.sub("", (value or "").replace("\xa0", ""))


#: Digits per level of a Kemendagri code: 73 / 24 / 04 / 2001.
_WILAYAH_PARTS = (2, 2, 2, 4)


def wilayah_code(value: str) -> str:
    """A region code in dotted form; ``7324042001`` and ``73 24 04 2001`` become ``73.24.04.2001``."""
    code = clean_code(value)
    if code.isdigit():
        parts, i = [], 0
        for width in _WILAYAH_PARTS:
            if i >= len(code):
                break
            parts.append(code[i : i + width])
            i += width
        if i == len(code):
            return ".".join(parts)
    return code


def split_codes(value: str) -> list[str]:
    """``"73.24.04.2001; 73.24.04.2002,73.24.04.2003"`` → three codes (also split on new lines)."""
    return [c for c in re.split(r"[;,|\s]+", value or "") if c]


def parse_decimal(value: str) -> decimal.Decimal | None:
    """A number typed the Indonesian or the English way: ``9,5``, ``1.234,5``, ``1,234.5``, ``9.5``.

    Empty → None; anything else that is not a number raises ValueError."""
    text = clean_code(value)
    if not text:
        return None
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        text = text.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in text:
        if text.count(",") > 1:
            raise ValueError(value)
        text = text.replace(",", ".")
    elif text.count(".") > 1:  # 1.234.567: thousands separators
        text = text.replace(".", "")
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


_GROUPED = re.compile(r"^-?\d{1,3}([.,])\d{3}(\1\d{3})*$")


def parse_count(value: str) -> int | None:
    """A whole number as people type counts: ``1.234`` and ``1,234`` are a thousand and more
    (a count has no fraction, so one separator before three digits groups thousands), also
    ``1.234,0`` and ``1 234``. Empty → None; text or a fraction raises ValueError; the sign is
    kept (the caller decides whether a negative count is an error)."""
    text = clean_code(value)
    if _GROUPED.match(text):
        text = text.replace(".", "").replace(",", "")
    number = parse_decimal(text)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y/%m/%d")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_date(value: str) -> datetime.date | None:
    """A date as Indonesians type it (day first), ISO, or an Excel serial number. Empty → None."""
    text = clean_text(value)
    if not text:
        return None
    if (
        len(text) == 10
        and text[2] == "/"
        and text[5] == "/"
        and text[:2].isdigit()
        and text[3:5].isdigit()
        and text[6:].isdigit()
    ):
        try:  # dd/mm/yyyy, the common case, without strptime
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            raise ValueError(value) from None
    if " " in text:  # "2024-02-01 00:00:00" from a datetime cell
        text = text.split(" ", 1)[0]
    if "T" in text:
        text = text.split("T", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if text.isdigit() and 20000 < int(text) < 80000:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(text))
    raise ValueError(value)


#: Yes/no as lists write it: words, initials, check marks, 1/0 and spreadsheet booleans.
YES_WORDS = frozenset(
    {
        "ya",
        "y",
        "iya",
        "yes",
        "ada",
        "sudah",
        "benar",
        "true",
        "v",
        "√",
        "✓",
        "✔",
        "+",
        "1",
        "punya",
        "memiliki",
        "sudah punya",
        "sudah ada",
    }
)
NO_WORDS = frozenset(
    {
        "tidak",
        "t",
        "tdk",
        "tak",
        "no",
        "n",
        "tidak ada",
        "belum",
        "salah",
        "false",
        "0",
        "tidak punya",
        "tdk punya",
        "belum punya",
        "tidak memiliki",
        "belum memiliki",
        "belum ada",
    }
)
#: Cells that say nothing: a dash or a slash where the list had no answer.
NO_ANSWER = frozenset({"", "-", "--", "/", "n/a", "na"})


def parse_yes_no(value: str) -> bool | None:
    """A yes/no cell: ``Ya``/``Tidak``, ``Y``/``T``, ``1``/``0`` (also ``1,0``), ``Ada``/``Tidak
    Ada``, ``Punya``/``Belum punya`` (a KIA book), ``TRUE``/``FALSE``, ✓. Empty or a dash → None (the list says nothing, which is not
    "no"); anything else raises ValueError. Callers that read a count as yes (``2`` children)
    check for a number first."""
    text = clean_text(value).rstrip(". ").casefold()
    if text in NO_ANSWER:
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    try:
        number = parse_decimal(value)
    except ValueError:
        number = None
    if number == 1:
        return True
    if number == 0:
        return False
    raise ValueError(value)
