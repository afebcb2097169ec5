"""The indicator catalogue (national and the district's own) and coverage per desa per year.

National indicators (the Perpres 72/2021 targets and the essential coverage indicators) are
data, seeded by a data migration from ``catalogue.py``; they carry no kabupaten and are read by
every district. A district adds its own indicators (``kabupaten`` set), and per indicator may
name the responsible OPD and its own target in an ``IndicatorSetting``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah


class Kind(models.TextChoices):
    SPESIFIK = "spesifik", _("Specific intervention (spesifik)")
    SENSITIF = "sensitif", _("Sensitive intervention (sensitif)")


class Category(models.TextChoices):
    TARGET = "target", _("Perpres 72/2021 target indicator")
    ESSENTIAL = "esensial", _("Essential coverage indicator")
    DISTRICT = "daerah", _("District's own indicator")


class Computation(models.TextChoices):
    """What Tumbuh can compute an indicator from (see ``computations.py``)."""

    NONE = "", _("Entered or imported")
    GROWTH_MONITORED = "growth_monitored", _("Tumbuh: children under five measured this year")
    VITAMIN_A = "vitamin_a", _("Tumbuh: children 6–59 months given vitamin A this year")
    KIA_BOOK = "kia_book", _("Tumbuh: children under five with a KIA book")
    WEIGHT_GAIN = "weight_gain", _("Tumbuh: monthly weighings with weight gained (N/D′)")
    KELAS_IBU_BALITA = "kelas_ibu_balita", _("Tumbuh: children whose mother attends kelas ibu balita")
    MBG = "mbg", _("Tumbuh: children under five given free nutritious meals (MBG)")
    ASI_EXCLUSIVE = "asi_exclusive", _("Tumbuh: infants under 6 months exclusively breastfed")
    KRS_ACCOMPANIED = "krs_accompanied", _("Tumbuh: at-risk families (KRS) accompanied this year")


class IndicatorQuerySet(models.QuerySet):
    def for_kabupaten(self, kabupaten_code: str) -> IndicatorQuerySet:
        """The national catalogue plus the district's own indicators, active ones only."""
        return self.filter(Q(kabupaten__isnull=True) | Q(kabupaten_id=kabupaten_code), is_active=True)

    def national(self) -> IndicatorQuerySet:
        return self.filter(kabupaten__isnull=True)


class Indicator(models.Model):
    """One coverage indicator: what is counted, for whom, against which target."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
        help_text=_("Empty for the national catalogue; set for the district's own indicators."),
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=60, help_text=_("Column heading in tables."))
    definition = models.TextField(_("definition"), blank=True)
    numerator = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator = models.CharField(_("denominator"), max_length=300, blank=True)
    target_group = models.CharField(_("target group"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, default=Category.DISTRICT)
    unit = models.CharField(_("unit"), max_length=20, default="%")
    national_target = models.DecimalField(
        _("national target"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    lower_is_better = models.BooleanField(
        _("lower is better"),
        default=False,
        help_text=_("E.g. unwanted pregnancies: the target is a ceiling."),
    )
    lead_opd = models.CharField(
        _("usual lead OPD"),
        max_length=40,
        blank=True,
        help_text=_("Short name of the OPD that usually answers for it (DINKES, DP2KB, …); a hint."),
    )
    responsible_opd = models.ForeignKey(
        "organisation.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible OPD"),
        help_text=_("For the district's own indicators."),
    )
    computed_from = models.CharField(
        _("computed by Tumbuh from"),
        max_length=30,
        choices=Computation.choices,
        blank=True,
        default="",
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = IndicatorQuerySet.as_manager()

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "an indicator's name"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kabupaten", "code"], name="indicator_code_unique_in_kabupaten"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(kabupaten__isnull=True), name="indicator_code_unique_national"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_national(self) -> bool:
        return self.kabupaten_id is None

    @property
    def is_computed(self) -> bool:
        return bool(self.computed_from)

    def clean(self):
        if not self.code and self.short_name:
            self.code = slugify(self.short_name)[:60]
        if self.kabupaten_id and Indicator.objects.national().filter(code=self.code).exists():
            raise ValidationError({"code": _("A national indicator already uses this code.")})
        if self.responsible_opd_id and self.kabupaten_id and self.responsible_opd.kabupaten_id != self.kabupaten_id:
            raise ValidationError({"responsible_opd": _("The OPD belongs to another regency.")})
        if self.kabupaten_id is None and self.category == Category.DISTRICT:
            raise ValidationError({"category": _("A district's own indicator needs its regency.")})

    def setting_for(self, kabupaten_code: str) -> IndicatorSetting | None:
        cache = getattr(self, "_settings_cache", None)
        if cache is None:
            cache = self._settings_cache = {}
        if kabupaten_code not in cache:
            cache[kabupaten_code] = (
                IndicatorSetting.objects.filter(indicator=self, kabupaten_id=kabupaten_code)
                .select_related("responsible_opd")
                .first()
            )
        return cache[kabupaten_code]

    def responsible_opd_id_for(self, kabupaten_code: str) -> int | None:
        """The OPD that answers for this indicator in the district: the district's setting,
        else the indicator's own OPD (district indicators), else the OPD whose short name is
        the catalogue's lead hint."""
        setting = self.setting_for(kabupaten_code)
        if setting and setting.responsible_opd_id:
            return setting.responsible_opd_id
        if self.responsible_opd_id:
            return self.responsible_opd_id
        if self.lead_opd:
            from tumbuh.organisation.models import Opd

            return (
                Opd.objects.filter(kabupaten_id=kabupaten_code, short_name=self.lead_opd)
                .values_list("pk", flat=True)
                .first()
            )
        return None

    def target_for(self, kabupaten_code: str) -> Decimal | None:
        """The district's own target if it set one, else the national target."""
        setting = self.setting_for(kabupaten_code)
        if setting and setting.target is not None:
            return setting.target
        return self.national_target

    def gap(self, value: Decimal | float | None, target: Decimal | float | None) -> Decimal | None:
        """How far ``value`` falls short of ``target`` in percentage points (0 when met)."""
        if value is None or target is None:
            return None
        value, target = Decimal(str(value)), Decimal(str(target))
        short = value - target if self.lower_is_better else target - value
        return max(short, Decimal(0)).quantize(Decimal("0.1"), ROUND_HALF_UP)


class IndicatorSetting(models.Model):
    """A district's choices for one indicator: who answers for it and its own target."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="settings", verbose_name=_("indicator")
    )
    responsible_opd = models.ForeignKey(
        "organisation.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible OPD"),
    )
    target = models.DecimalField(
        _("district target"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(_("used in this district"), default=True)

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("indicator setting")
        verbose_name_plural = _("indicator settings")
        constraints = [models.UniqueConstraint(fields=["kabupaten", "indicator"], name="indicator_setting_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.kabupaten_id})"

    def clean(self):
        if self.responsible_opd_id and self.kabupaten_id and self.responsible_opd.kabupaten_id != self.kabupaten_id:
            raise ValidationError({"responsible_opd": _("The OPD belongs to another regency.")})
        if self.indicator_id and self.indicator.kabupaten_id not in (None, self.kabupaten_id):
            raise ValidationError({"indicator": _("This indicator belongs to another regency.")})


class CoverageSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    COMPUTED = "computed", _("Computed by Tumbuh")


class CoverageQuerySet(models.QuerySet):
    def latest_by_desa(self, desa_codes, year: int) -> dict[tuple[int, str], tuple[int, object]]:
        """{(indicator id, desa code): (data year, value)}: per indicator and desa, the latest
        coverage of ``year`` or before (the plan for a year is made on the last data known)."""
        out: dict[tuple[int, str], tuple[int, object]] = {}
        rows = (
            self.filter(desa_id__in=list(desa_codes), year__lte=year, value__isnull=False)
            .order_by("year")
            .values_list("indicator_id", "desa_id", "year", "value")
        )
        for indicator_id, desa, y, value in rows:
            out[(indicator_id, desa)] = (y, value)  # later years overwrite earlier ones
        return out

    def district_by_year(self, indicator_ids, kabupaten_code: str, years) -> dict[tuple[int, int], tuple[float, int]]:
        """{(indicator id, year): (district coverage %, desa reporting)}: the summed numerator over
        the summed denominator when every desa gives both, else the mean of the desa values."""
        sums: dict[tuple[int, int], list] = {}
        rows = self.filter(
            indicator_id__in=list(indicator_ids),
            desa__kabupaten_code=kabupaten_code,
            year__in=list(years),
            value__isnull=False,
        )
        for c in rows.values("indicator_id", "year", "numerator", "denominator", "value"):
            s = sums.setdefault((c["indicator_id"], c["year"]), [0, 0, 0, 0.0, 0])  # num, den, n with both, sum, n
            if c["numerator"] is not None and c["denominator"]:
                s[0] += c["numerator"]
                s[1] += c["denominator"]
                s[2] += 1
            s[3] += float(c["value"])
            s[4] += 1
        return {k: ((100.0 * s[0] / s[1]) if s[2] == s[4] else s[3] / s[4], s[4]) for k, s in sums.items()}


class Coverage(models.Model):
    """One indicator's coverage in one desa for one year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="coverage", verbose_name=_("indicator")
    )
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    numerator = models.PositiveIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("denominator"), null=True, blank=True)
    value = models.DecimalField(
        _("coverage (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Computed from numerator and denominator when both are given."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=CoverageSource.choices, default=CoverageSource.ENTERED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import batch"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CoverageQuerySet.as_manager()

    scope_path = "desa"
    personal_data = False

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverage")
        ordering = ["year", "indicator__order", "desa_id"]
        constraints = [models.UniqueConstraint(fields=["indicator", "desa", "year"], name="coverage_unique")]
        indexes = [models.Index(fields=["year", "indicator"], name="coverage_year_indicator_idx")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.desa_id} {self.year}: {self.value}"

    @property
    def kabupaten_code(self) -> str:
        return self.desa_id[:5] if self.desa_id else ""

    @staticmethod
    def percent(numerator: int, denominator: int) -> Decimal:
        return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def clean(self):
        errors = {}
        if self.numerator is not None and self.denominator is not None:
            if self.denominator == 0:
                errors["denominator"] = _("The denominator must be more than zero.")
            elif self.numerator > self.denominator and self.indicator_id and self.indicator.unit == "%":
                errors["numerator"] = _("The numerator cannot exceed the denominator.")
            else:
                self.value = self.percent(self.numerator, self.denominator)
        elif (self.numerator is None) != (self.denominator is None):
            errors["denominator" if self.denominator is None else "numerator"] = _(
                "Give both numerator and denominator, or neither."
            )
        if self.value is None and not errors:
            errors["value"] = _("Give the coverage, or its numerator and denominator.")
        if self.desa_id and self.indicator_id and self.indicator.kabupaten_id not in (None, self.desa_id[:5]):
            errors["indicator"] = _("This indicator belongs to another regency.")
        if errors:
            raise ValidationError(errors)
