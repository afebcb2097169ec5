"""How Tumbuh rounds and writes a figure: one rule for every page, export and message.

The rule
--------
A figure is rounded **once**, at the moment it is shown, **half up on the decimal it is
written as**: the value is read as its shortest decimal representation (``Decimal(repr(x))``,
so the float ``20.15``, stored in binary as 20.1499999…, is the decimal 20.15) and rounded
with ``ROUND_HALF_UP`` (``20.15`` → ``20.2``, ``20.149`` → ``20.1``, ``-0.05`` → ``-0.1``).

Why this one:

- It is how a person rounds the number they read, and how Excel's ``ROUND`` and its number
  formats round what a cell displays (half away from zero on the decimal value). WHO's
  published prevalence tables (the Joint Malnutrition Estimates, the Anthro Survey Analyser's
  reports) give one decimal and state no tie rule beyond that; rounding the written decimal
  half up is the reading that agrees with them and with the spreadsheets districts re-check
  figures in.
- Python's ``round()`` and ``f"{x:.1f}"`` round the *binary* value (``f"{20.15:.1f}"`` is
  ``20.1``) and ties to even (``round(6.25, 1)`` is ``6.2``), so they disagreed with Django's
  ``floatformat`` (which already rounds half up on the decimal) on the same figure.
- Rounding twice (to 2 places when stored, then to 1 when shown: 20.149 → 20.15 → 20.2) gives
  a figure that a once-rounded copy of the same value contradicts. Figures are kept unrounded
  and rounded here only.

What uses it
------------
:func:`round_figure` is the rounded value (a :class:`~decimal.Decimal`); :func:`format_number`
writes it in a language's format (Bahasa Indonesia: decimal comma, full stop between thousands;
English: decimal point, comma between thousands); the template filter ``figure``
(``{% load numbers %}{{ row.ul|figure:1 }}``) is that in the active language; :func:`excel_value`
and :func:`excel_format` put the rounded value in a workbook cell with a number format that
shows the same digits; :func:`csv_number` writes it for an open-data CSV (decimal point, no
grouping: a machine-readable file); :func:`message_params` and :func:`format_measure` put
numbers into a sentence shown to a person. Years, row numbers and ids are never grouped
(:func:`plain_integer`): "baris 1070", "tahun 2025".
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import translation
from django.utils.formats import get_format

#: The rounding of every figure (see the module's docstring).
ROUNDING = ROUND_HALF_UP
#: Places of a prevalence, its interval and a coverage (percent).
PERCENT_PLACES = 1


def to_decimal(x) -> Decimal | None:
    """``x`` as the decimal it is written as (a float by its shortest ``repr``); ``None`` for
    ``None``, ``""``, NaN and infinities."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        return Decimal(repr(x)) if math.isfinite(x) else None
    try:
        x = float(x)  # numpy scalars and numeric text
    except (TypeError, ValueError):
        return None
    return Decimal(repr(x)) if math.isfinite(x) else None


def round_figure(x, places: int) -> Decimal | None:
    """``x`` rounded to ``places`` decimals by the one rule (``None`` stays ``None``); a
    result of zero is never negative (``-0.04`` → ``0.0``)."""
    d = to_decimal(x)
    if d is None:
        return None
    try:
        q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING)
    except InvalidOperation:  # more digits than the context holds: astronomically large
        return d
    return q.copy_abs() if q.is_zero() else q


def _separators(language: str | None) -> tuple[str, str, int]:
    language = language or translation.get_language() or "id"
    return (
        get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
        int(get_format("NUMBER_GROUPING", language, use_l10n=True) or 3),
    )


def _group(digits: str, sep: str, size: int) -> str:
    if size <= 0 or len(digits) <= size:
        return digits
    head = len(digits) % size or size
    return digits[:head] + "".join(sep + digits[i : i + size] for i in range(head, len(digits), size))


def format_number(
    x, places: int, language: str | None = None, *, grouping: bool = True, min_places: int | None = None
) -> str:
    """``x`` rounded to ``places`` decimals and written in ``language`` (the active language
    when ``None``): ``format_number(1234.56, 1, "id")`` is ``"1.234,6"``, in ``"en"``
    ``"1,234.6"``. ``grouping=False`` writes no thousands separator. With ``min_places``,
    trailing zeros are dropped down to that many decimals (``format_number(85, 2, "id",
    min_places=1)`` is ``"85,0"``). ``""`` for ``None``/NaN."""
    q = round_figure(x, places)
    if q is None:
        return ""
    text = f"{q:f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    if min_places is not None:
        frac = frac.rstrip("0")
        frac += "0" * (min_places - len(frac))
    decimal_sep, thousand_sep, size = _separators(language)
    if grouping:
        whole = _group(whole, thousand_sep, size)
    return sign + whole + (decimal_sep + frac if frac else "")


def format_measure(x, language: str | None = None) -> str:
    """A measured value in a sentence: at most two decimals, at least one (``85,0``, ``9,5``,
    ``12,35`` in Indonesian), without thousands separator."""
    return format_number(x, 2, language, grouping=False, min_places=1)


def plain_integer(x) -> str:
    """A year, a row number or an id: the digits, never grouped (``1070``, not ``1.070``)."""
    return "" if x is None else str(int(x))


def message_params(params: dict, language: str | None = None) -> dict:
    """The parameters of a message, ready for ``text % params`` in ``language``: a float or
    :class:`~decimal.Decimal` is a measured value (:func:`format_measure`), an integer a count,
    year or row number written without grouping; anything else is left as it is."""
    out = {}
    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, (float, Decimal, int)):
            out[key] = value
        elif isinstance(value, int):
            out[key] = plain_integer(value)
        else:
            out[key] = format_measure(value, language)
    return out


def excel_value(x, places: int) -> float | None:
    """The value a workbook cell stores for a figure: rounded by the rule, so Excel, whatever it
    does with the binary value, shows the digits every other output shows."""
    q = round_figure(x, places)
    return None if q is None else float(q)


def excel_format(places: int, grouping: bool = True) -> str:
    """The number format that shows ``places`` decimals (``#,##0.0``); Excel writes the decimal
    and thousands separators of the reader's locale."""
    return ("#,##0" if grouping else "0") + ("." + "0" * places if places > 0 else "")


def csv_number(x, places: int) -> str:
    """A figure for an open-data CSV: rounded by the rule, decimal point, no grouping (a file
    read by programs; the comma separates the fields); ``""`` for ``None``."""
    q = round_figure(x, places)
    return "" if q is None else f"{q:f}"
