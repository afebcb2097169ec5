"""Importing coverage per desa from the Excel template Tumbuh generates per indicator.

Natural key: (indicator, desa, year); re-importing a file updates in place and adds nothing.
A row names the desa by its Kemendagri code and the indicator by its code; give the numerator
and denominator (the percentage is computed) or the percentage alone. Desa are looked up only
in the importing user's scope; an OPD may import only the indicators it answers for, and
nobody overwrites coverage that Tumbuh computes (the row is refused with its reason).
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tumbuh.imports.cells import clean_code, parse_count, parse_decimal
from tumbuh.imports.desa import DESA_CODE, ByDesaCode, desa_sheet
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Plan, Row, assign, register
from tumbuh.imports.xlsx import prefilled_workbook
from tumbuh.wilayah.models import Wilayah

from .models import Coverage, CoverageSource, Indicator

KIND = "cakupan"


def _count(row: Row, key: str, header: str) -> int | None:
    """A count as people type it: "1.234" and "1,234" are 1234 (``parse_count``)."""
    try:
        number = parse_count(row[key])
    except ValueError:
        try:
            parse_decimal(row[key])
        except ValueError:
            raise RowError(
                gettext_noop("%(column)s is not a number: %(value)s"), column=header, value=row[key]
            ) from None
        number = -1  # a fraction: the message below
    if number is None:
        return None
    if number < 0:
        raise RowError(
            gettext_noop("%(column)s must be a whole number of zero or more: %(value)s"), column=header, value=row[key]
        )
    return number


@register
class CoverageImporter(ByDesaCode, Importer):
    kind = KIND
    title = _("coverage per desa")
    model = Coverage
    columns = (
        DESA_CODE,
        Column(
            "desa_name",
            "Nama Desa",
            ("desa", "desa/kelurahan", "nama desa/kelurahan"),
            _("For reading only."),
            "Contoh",
            used=False,
        ),
        Column(
            "indicator",
            "Kode Indikator",
            ("indikator", "kode"),
            _("Required. The indicator's code in Tumbuh."),
            "bumil-ttd-90",
            True,
        ),
        Column("year", "Tahun", ("tahun data",), _("Required. The year of the data."), "2026"),
        Column(
            "numerator", "Pembilang", ("jumlah", "numerator", "capaian"), _("Those who received the service."), "17"
        ),
        Column(
            "denominator", "Penyebut", ("sasaran", "jumlah sasaran", "denominator"), _("All in the target group."), "24"
        ),
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
    def may_import(cls, user, kabupaten=None) -> bool:
        """As the coverage import page asks: the secretariat, or OPD staff (for the indicators
        their OPD answers for, checked per row)."""
        from tumbuh.accounts import policy

        return policy.can(user, policy.ADD, Coverage)

    @classmethod
    def references(cls, user, kabupaten):
        indicators = Indicator.objects.for_kabupaten(kabupaten.code)
        return [
            desa_sheet(user, kabupaten),
            (
                gettext("Indicators"),
                ["Kode Indikator", "Nama", "Target (%)"],
                [
                    [
                        i.code,
                        i.name,
                        float(i.target_for(kabupaten.code)) if i.target_for(kabupaten.code) is not None else "",
                    ]
                    for i in indicators
                ],
            ),
        ]

    def prepare(self):
        self.load_desa()
        self.indicators = {i.code.lower(): i for i in Indicator.objects.for_kabupaten(self.kabupaten.code)}
        self.existing = {}

    def _existing(self, indicator: Indicator, year: int) -> dict[str, Coverage]:
        key = (indicator.pk, year)
        if key not in self.existing:
            qs = Coverage.objects.filter(indicator=indicator, year=year, desa_id__in=list(self.desa))
            self.existing[key] = {c.desa_id: c for c in qs}
        return self.existing[key]

    def validate(self, row: Row) -> Plan:
        code = self.desa_of(row["desa_code"]).code
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
            raise RowError(
                gettext_noop("%(column)s is not a number: %(value)s"), column="Cakupan (%)", value=row["value"]
            ) from None
        if numerator is None and denominator is None and value is None:
            raise RowError(gettext_noop("No coverage: give Pembilang and Penyebut, or Cakupan (%)"))
        if numerator is not None and denominator is not None:
            if denominator == 0:
                raise RowError(gettext_noop("Penyebut must be more than zero"))
            if numerator > denominator and indicator.unit == "%":
                raise RowError(
                    gettext_noop("Pembilang (%(numerator)s) cannot exceed Penyebut (%(denominator)s)"),
                    numerator=numerator,
                    denominator=denominator,
                )
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
        changed = (
            assign(
                obj,
                {
                    "numerator": numerator,
                    "denominator": denominator,
                    "value": value.quantize(Decimal("0.01")) if value is not None else None,
                    "note": row["note"][:300],
                },
            )
            or existing is None
        )
        if changed:
            obj.source, obj.import_batch = CoverageSource.IMPORTED, self.batch
            obj.entered_by = self.user if getattr(self.user, "pk", None) else None
        return Plan(row=row, obj=obj, changed=changed)


def coverage_template(indicator: Indicator, year: int, desa: list[Wilayah], existing: dict[str, Coverage]):
    """The template for one indicator and year: one row per desa, prefilled with what is
    stored, so the OPD fills the gaps and sends it back."""
    note = gettext(
        "%(indicator)s, %(year)d. Numerator: %(numerator)s. Denominator: %(denominator)s. "
        "Fill Pembilang and Penyebut (or Cakupan (%%) when there are no counts); keep the headers and codes."
    ) % {
        "indicator": indicator.name,
        "year": year,
        "numerator": indicator.numerator or "—",
        "denominator": indicator.denominator or "—",
    }
    rows = []
    for w in desa:
        c = existing.get(w.code)
        rows.append(
            [
                w.code,
                w.name,
                indicator.code,
                year,
                c.numerator if c else None,
                c.denominator if c else None,
                float(c.value) if c and c.value is not None and c.numerator is None else None,
                c.note if c else "",
            ]
        )
    return prefilled_workbook(
        note,
        [c.header for c in CoverageImporter.columns],
        rows,
        text_columns=(1, 3),
        widths=(16, 24, 26, 8, 12, 12, 12, 30),
    )
