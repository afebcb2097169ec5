"""Visits in e-PPGBM's bulk-upload layout, so that a visit entered on Tumbuh's phone form is
never typed again into e-PPGBM.

The layout (headers, order, how dates, yes/no, positions and sex are written) is the declared
file of ``upload_layout``; nothing here names a header. One sheet, the headers in row 1, one row
per visit. Numbers are numbers (with a decimal format); NIKs, phone numbers and RT/RW are text
cells, so that Excel neither rounds a 16-digit NIK nor drops a leading zero; a text beginning
with ``=``, ``+``, ``-`` or ``@`` stays text (no formula injection: ``tumbuh.core.spreadsheet``).

By default only the visits entered in Tumbuh (posyandu form, API) are exported: those are the
ones e-PPGBM does not have yet. The same file imports back through Tumbuh's e-PPGBM importer
without changing anything (the importer reads the layout's headers as aliases).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable
from functools import cache

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tumbuh.accounts import policy
from tumbuh.core.spreadsheet import new_cell
from tumbuh.imports.cells import header_key
from tumbuh.wilayah.models import Wilayah

from .models import Child, Measurement, Source
from .nik import nik_problem
from .upload_layout import Layout, LayoutError

#: The sources of visits e-PPGBM does not have yet (an imported visit came from e-PPGBM).
ENTERED_IN_TUMBUH = (Source.FORM, Source.API)

#: Fields written as numbers, with their Excel number format; every other field is text.
NUMBER_FORMATS = {
    "birth_order": "0",
    "vita": "0",
    "birth_weight": "0.00",
    "weight": "0.00",
    "birth_length": "0.0",
    "lenhei": "0.0",
    "muac": "0.0",
    "headc": "0.0",
}
_ASI = {"Y": True, "T": False}


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``month`` and of the month after."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def upload_visits(user, *, month: dt.date, posyandu=None, desa=None, include_imported: bool = False) -> QuerySet:
    """The visits of ``posyandu`` (or of the whole ``desa``) in ``month`` that ``user`` may see,
    in the order of the file: by child, then date. Only those entered in Tumbuh unless
    ``include_imported``."""
    if (posyandu is None) == (desa is None):
        raise ValueError("give a posyandu or a desa")
    first, following = month_range(month)
    qs = policy.visible(user, Measurement.objects.select_related("child", "desa", "posyandu"))
    qs = qs.filter(posyandu=posyandu) if posyandu is not None else qs.filter(desa=desa)
    qs = qs.filter(date__gte=first, date__lt=following)
    if not include_imported:
        qs = qs.filter(source__in=ENTERED_IN_TUMBUH)
    return qs.order_by("child__name", "child__birth_date", "child_id", "date")


def withhold_unseen(user, visits: list[Measurement]) -> list[Measurement]:
    """``visits`` with the child's NIK, the parent's NIK and phone emptied (in memory, never
    saved) where ``user`` may not read them (``policy.can_see_nik``): a child now registered in
    a desa outside the user's area (moved, or weighed at another desa's posyandu). The visit
    stays in the file; its row shows as without a NIK."""
    children = Child.objects.filter(pk__in={m.child_id for m in visits})
    seen = set(policy.visible(user, children).values_list("pk", flat=True)) if policy.can_see_nik(user) else set()
    for m in visits:
        if m.child_id not in seen:
            m.child.nik = m.child.parent_nik = m.child.parent_phone = ""
    return visits


def lacks_nik(child) -> bool:
    """No NIK, or one that is not structurally valid: e-PPGBM may refuse such a row."""
    return not child.nik or nik_problem(child.nik) is not None


def _number(value):
    """A stored Decimal as the float a spreadsheet holds (the cell's format shows the decimals)."""
    return None if value is None else float(value)


def visit_values(layout: Layout, m: Measurement, kecamatan: str) -> dict[str, object]:
    """{field: value} of one visit as the layout writes it (texts and numbers, None if empty)."""
    c = m.child
    asi = (m.asi_months or "").ljust(7, "-")
    return {
        "nik": c.nik,
        "name": c.name,
        "sex": layout.sex_text(c.sex),
        "birth_date": layout.date_text(c.birth_date),
        "birth_order": c.birth_order,
        "birth_weight": _number(c.birth_weight),
        "birth_length": _number(c.birth_length),
        "parent_name": c.parent_name,
        "parent_nik": c.parent_nik,
        "parent_phone": c.parent_phone,
        "address": c.address,
        "rt": c.rt,
        "rw": c.rw,
        # Where the visit took place (for a form entry: the child's desa and posyandu).
        "kecamatan": kecamatan,
        "desa": m.desa.name,
        "posyandu": m.posyandu.name if m.posyandu_id else "",
        "date": layout.date_text(m.date),
        "weight": _number(m.weight),
        "lenhei": _number(m.lenhei),
        "position": layout.position_text(m.position),
        "muac": _number(m.muac),
        "headc": _number(m.headc),
        "oedema": layout.yes_no_text(m.oedema),
        **{f"asi_{month}": layout.yes_no_text(_ASI.get(asi[month])) for month in range(7)},
        "vita": m.vitamin_a,
        "kelas_ibu": layout.yes_no_text(m.kelas_ibu_balita),
        "mbg": layout.yes_no_text(m.mbg),
        "kia": layout.yes_no_text(m.kia_book),
        "naik": m.weight_gain,
        "kpsp": m.kpsp,
    }


def _kecamatan_names(visits: list[Measurement]) -> dict[str, str]:
    codes = {m.desa.kecamatan_code for m in visits}
    return dict(Wilayah.objects.filter(code__in=codes).values_list("code", "name"))


def upload_rows(layout: Layout, visits: Iterable[Measurement]) -> list[list]:
    """One list of cell values per visit, in the layout's column order (``None``: empty).
    ``visits`` come with their child, desa and posyandu (``upload_visits`` selects them)."""
    visits = list(visits)
    kecamatan = _kecamatan_names(visits)
    rows = []
    for m in visits:
        values = visit_values(layout, m, kecamatan.get(m.desa.kecamatan_code, ""))
        rows.append([_empty_as_none(values[f]) for f in layout.fields])
    return rows


def _empty_as_none(value):
    return None if value == "" else value


def _cell(sheet, field: str, value):
    cell = new_cell(sheet, value)  # a text stays text (no formula injection)
    if field in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[field]
        return cell
    cell.number_format = "@"  # text: Excel keeps 16 digits and leading zeros as typed
    return cell


def upload_workbook(layout: Layout, visits: Iterable[Measurement]):
    """The upload file (XLSX) in a temporary file, rewound, ready to send."""
    check_reimport(layout)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(layout.sheet)
    for index, column in enumerate(layout.columns, start=1):
        width = max(
            len(column.header) + 2,
            20 if column.field in ("nik", "parent_nik", "name", "parent_name", "address") else 10,
        )
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in layout.columns:
        cell = _cell(sheet, "", column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in upload_rows(layout, visits):
        sheet.append([_cell(sheet, f, v) for f, v in zip(layout.fields, row, strict=True)])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out


@cache
def check_reimport(layout: Layout) -> None:
    """Every header of ``layout`` is read back by the e-PPGBM importer as its own field, so an
    exported file re-imports unchanged. A header that the importer already knows as another of
    its columns (``Nama`` for the parent's name, say) raises :class:`LayoutError`."""
    from .importers import EppgbmImporter

    lookup = EppgbmImporter.header_spec().lookup()
    for column in layout.columns:
        read_as = lookup.get(header_key(column.header))
        if read_as != column.field:
            raise LayoutError(
                f"{layout.path}: the header {column.header!r} (field {column.field}) would be read back by the e-PPGBM "
                f"importer as {read_as or 'no column'}; give it another header, or restart Tumbuh after changing the file"
            )
