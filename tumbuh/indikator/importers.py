"""Importing coverage per desa from the Excel template Tumbuh generates per indicator.

Natural key: (indicator, desa, year); re-importing a file updates in place and adds nothing.
A row names the desa by its Kemendagri code and the indicator by its code; give the numerator
and denominator (the percentage is computed) or the percentage alone. Desa are looked up only
in the importing user's scope; an OPD may import only the indicators it answers for, and
nobody overwrites coverage that Tumbuh computes (the row is refused with its reason).
"""

from __future__ import annotations

import tempfile
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from tumbuh.imports.cells import clean_code, parse_decimal, wilayah_code
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Plan, Row, assign, register
from tumbuh.wilayah.models import Level, Wilayah

from .models import Coverage, CoverageSource, Indicator

KIND = "cakupan"


def _count(row: Row, key: str, header: str) -> int | None:
    try:
        number = parse_decimal(row[key])
    except ValueError:
        raise RowError(gettext_noop("%(column)s is not a number: %(value)s"), column=header, value=row[key]) from None
    if number is None:
        return None
    if number < 0 or number != number.to_integral_value():
        raise RowError(gettext_noop("%(column)s must be a whole number of zero or more: %(value)s"), column=header, value=row[key])
    return int(number)


@register
class CoverageImporter(Importer):
    kind = KIND
    title = _("coverage per desa")
    model = Coverage
    columns = (
        Column("desa_code", "Kode Desa", ("kode wilayah", "kode desa/kelurahan", "kode kemendagri"),
               _("Required. Kemendagri code of the desa, e.g. 73.24.04.2010."), "00.00.00.2001", True),
        Column("desa_name", "Nama Desa", ("desa", "desa/kelurahan", "nama desa/kelurahan"), _("For reading only."),
               "Contoh", used=False),
        Column("indicator", "Kode Indikator", ("indikator", "kode"), _("Required. The indicator's code in Tumbuh."),
               "bumil-ttd-90", True),
        Column("year", "Tahun", ("tahun data",), _("Required. The year of the data."), "2026"),
        Column("numerator", "Pembilang", ("jumlah", "numerator", "capaian"), _("Those who received the service."), "17"),
        Column("denominator", "Penyebut", ("sasaran", "jumlah sasaran", "denominator"), _("All in the target group."), "24"),
        Column("value", "Cakupan (%)", ("cakupan", "persen", "%"), _("Only when there are no counts."), ""),
        Column("note", "Catatan", ("keterangan",), _("Optional."), ""),
    )
    required = (("desa_code",), ("indicator",), ("year",))

    @classmethod
    def pages(cls, batch=None) -> str | None:
        if batch is None:
            return reverse("indikator:import")
        return reverse("indikator:import_batch", args=[batch.pk])

    @classmethod
    def list_url(cls) -> str:
        return reverse("indikator:coverage")

    @classmethod
    def references(cls, user, kabupaten):
        from tumbuh.accounts import policy

        desa = policy.visible(user, Wilayah.objects.filter(level=Level.DESA, kabupaten_code=kabupaten.code)).order_by("code")
        indicators = Indicator.objects.for_kabupaten(kabupaten.code)
        return [
            (gettext("Desa"), ["Kode Desa", "Nama Desa"], [[w.code, w.name] for w in desa]),
            (gettext("Indicators"), ["Kode Indikator", "Nama", "Target (%)"],
             [[i.code, i.name, float(i.target_for(kabupaten.code)) if i.target_for(kabupaten.code) is not None else ""]
              for i in indicators]),
        ]

    def prepare(self):
        self.desa = {w.code: w for w in self.in_scope(Wilayah.objects.filter(level=Level.DESA, kabupaten_code=self.kabupaten.code))}
        self.indicators = {i.code.lower(): i for i in Indicator.objects.for_kabupaten(self.kabupaten.code)}
        self.existing = {}

    def _existing(self, indicator: Indicator, year: int) -> dict[str, Coverage]:
        key = (indicator.pk, year)
        if key not in self.existing:
            qs = Coverage.objects.filter(indicator=indicator, year=year, desa_id__in=list(self.desa))
            self.existing[key] = {c.desa_id: c for c in qs}
        return self.existing[key]

    def validate(self, row: Row) -> Plan:
        code = wilayah_code(row["desa_code"])
        if not code:
            raise RowError(gettext_noop("Desa code is empty"))
        if code not in self.desa:
            if Wilayah.objects.filter(code=code, level=Level.DESA).exists():
                raise RowError(gettext_noop("Desa %(code)s is outside your area"), code=code)
            raise RowError(gettext_noop("Unknown desa code %(code)s"), code=code)
        indicator = self.indicators.get(clean_code(row["indicator"]).lower())
        if indicator is None:
            raise RowError(gettext_noop("Unknown indicator code %(code)s"), code=row["indicator"])
        try:
            year = int(parse_decimal(row["year"]) or 0)
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            raise RowError(gettext_noop("Year is missing or not a year: %(value)s"), value=row["year"])
        numerator = _count(row, "numerator", "Pembilang")
        denominator = _count(row, "denominator", "Penyebut")
        try:
            value = parse_decimal(row["value"])
        except ValueError:
            raise RowError(gettext_noop("%(column)s is not a number: %(value)s"), column="Cakupan (%)", value=row["value"]) from None
        if numerator is None and denominator is None and value is None:
            raise RowError(gettext_noop("No coverage: give Pembilang and Penyebut, or Cakupan (%)"))
        if numerator is not None and denominator is not None:
            if denominator == 0:
                raise RowError(gettext_noop("Penyebut must be more than zero"))
            if numerator > denominator and indicator.unit == "%":
                raise RowError(gettext_noop("Pembilang (%(numerator)s) cannot exceed Penyebut (%(denominator)s)"),
                               numerator=numerator, denominator=denominator)
            value = Coverage.percent(numerator, denominator)
        elif (numerator is None) != (denominator is None):
            raise RowError(gettext_noop("Give both Pembilang and Penyebut, or neither"))
        if value is not None and not 0 <= value <= 100:
            raise RowError(gettext_noop("Cakupan (%%) must lie between 0 and 100: %(value)s"), value=row["value"])
        self.check_duplicate(row, ((indicator.pk, code, year), "desa_code"))
        existing = self._existing(indicator, year).get(code)
        if existing is not None and existing.source == CoverageSource.COMPUTED:
            raise RowError(gettext_noop("Tumbuh computes this indicator from its own data; it is not imported"))
        obj = existing or Coverage(indicator=indicator, desa_id=code, year=year)
        changed = assign(obj, {"numerator": numerator, "denominator": denominator,
                               "value": value.quantize(Decimal("0.01")) if value is not None else None,
                               "note": row["note"][:300]}) or existing is None
        if changed:
            obj.source, obj.import_batch = CoverageSource.IMPORTED, self.batch
            obj.entered_by = self.user if getattr(self.user, "pk", None) else None
        return Plan(row=row, obj=obj, changed=changed)


def coverage_template(indicator: Indicator, year: int, desa: list[Wilayah], existing: dict[str, Coverage]):
    """The template for one indicator and year: one row per desa, prefilled with what is
    stored, so the OPD fills the gaps and sends it back."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    headers = [c.header for c in CoverageImporter.columns]
    note = gettext("%(indicator)s, %(year)d. Numerator: %(numerator)s. Denominator: %(denominator)s. "
              "Fill Pembilang and Penyebut (or Cakupan (%%) when there are no counts); keep the headers and codes.") % {
        "indicator": indicator.name, "year": year, "numerator": indicator.numerator or "—", "denominator": indicator.denominator or "—"}
    sheet.cell(row=1, column=1, value=note).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(row=1, column=1).font = Font(italic=True, color="555555")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.row_dimensions[1].height = 60
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=index, value=header)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for r, w in enumerate(desa, start=3):
        c = existing.get(w.code)
        values = [w.code, w.name, indicator.code, year, c.numerator if c else None, c.denominator if c else None,
                  float(c.value) if c and c.value is not None and c.numerator is None else None, c.note if c else ""]
        for index, v in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=index, value=v)
            if index in (1, 3):
                cell.number_format = "@"
    for letter, width in zip("ABCDEFGH", (16, 24, 26, 8, 12, 12, 12, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    return out
