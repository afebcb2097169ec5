"""Precomputed prevalence per area, and the figures the district admin enters: survey results
(SSGI/SKI), targets per year and Dukcapil under-five counts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah

INDICATOR_CHOICES = [
    ("stunting", _("Stunting (HAZ < −2)")),
    ("severe_stunting", _("Severe stunting (HAZ < −3)")),
    ("wasting", _("Wasting (WHZ < −2)")),
    ("severe_wasting", _("Severe wasting (WHZ < −3)")),
    ("underweight", _("Underweight (WAZ < −2)")),
    ("overweight", _("Overweight (WHZ > +2)")),
]
LEVEL_CHOICES = [
    ("kabupaten", _("Regency / city")),
    ("kecamatan", _("Kecamatan")),
    ("puskesmas", _("Puskesmas")),
    ("desa", _("Desa")),
    ("posyandu", _("Posyandu")),
]
_percent = [MinValueValidator(0), MaxValueValidator(100)]


class AggregateRun(models.Model):
    """When one period was last computed, and whether data changed since."""

    period = models.CharField(_("period"), max_length=10, unique=True)
    computed_at = models.DateTimeField(_("computed at"))
    stale = models.BooleanField(_("to be computed again"), default=False)
    n_measurements = models.PositiveIntegerField(_("measurements"), default=0)
    seconds = models.FloatField(_("duration (seconds)"), default=0)

    #: Bookkeeping of the system's recomputation, about all districts at once; no page shows it.
    unscoped = "the system's bookkeeping of a period's recomputation, for every district at once"

    class Meta:
        verbose_name = _("computation of a period's figures")
        verbose_name_plural = _("computations of periods' figures")

    def __str__(self) -> str:
        return f"{self.period} @ {self.computed_at:%Y-%m-%d %H:%M}"


class AreaAggregate(models.Model):
    """One area's figures for one indicator and period (see ``aggregates.AreaRow``)."""

    period = models.CharField(_("period"), max_length=10)
    level = models.CharField(_("level"), max_length=10, choices=LEVEL_CHOICES)
    indicator = models.CharField(_("indicator"), max_length=16, choices=INDICATOR_CHOICES)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=150)
    parent_code = models.CharField(_("code of the area above"), max_length=20, blank=True)
    eb_parent_code = models.CharField(_("small-area estimate shrunk towards (code)"), max_length=20, blank=True)
    #: The region that holds the area (the desa of a posyandu, the kecamatan of a puskesmas):
    #: what the policy scopes on.
    wilayah_code = models.CharField(_("region code"), max_length=13, db_index=True)
    n_measured = models.PositiveIntegerField(_("children measured"), default=0)
    cases = models.PositiveIntegerField(_("cases"), default=0)
    r = models.FloatField(_("prevalence (%)"), null=True)
    se = models.FloatField(_("standard error (%)"), null=True)
    ll = models.FloatField(_("95% CI lower (%)"), null=True)
    ul = models.FloatField(_("95% CI upper (%)"), null=True)
    n_children = models.PositiveIntegerField(_("children registered"), default=0)
    n_target = models.PositiveIntegerField(_("Children targeted"), null=True)
    target_source = models.CharField(_("Denominator source"), max_length=10, blank=True)
    coverage = models.FloatField(_("Coverage (%)"), null=True)
    eb_r = models.FloatField(_("Small-area estimate (%)"), null=True)
    eb_ll = models.FloatField(_("small-area estimate, 95% lower (%)"), null=True)
    eb_ul = models.FloatField(_("small-area estimate, 95% upper (%)"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    scope_path = "wilayah_code"
    personal_data = False
    personal_data_reason = "figures per area; a name is the area's"
    #: A puskesmas row lies in its kecamatan; its own officer sees it (policy._own_puskesmas_row).
    scope_puskesmas_rows = True

    class Meta:
        verbose_name = _("prevalence of an area")
        verbose_name_plural = _("prevalence of areas")
        constraints = [
            models.UniqueConstraint(fields=["period", "level", "indicator", "code"], name="area_aggregate_unique"),
        ]
        indexes = [models.Index(fields=["period", "level", "indicator"], name="area_aggregate_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.level} {self.code} {self.indicator}"


class QualityAggregate(models.Model):
    """One puskesmas's or posyandu's data-quality metrics for one period (see
    ``quality.QualityRow``), computed with the prevalence aggregates over every visit of the
    area; the traffic light and its reasons are judged when read (in the reader's language)."""

    period = models.CharField(_("period"), max_length=10)
    level = models.CharField(_("level"), max_length=10)  # "puskesmas" | "posyandu"
    code = models.CharField(_("code"), max_length=20)  # the puskesmas's or posyandu's id
    name = models.CharField(_("name"), max_length=150)
    parent = models.CharField(_("desa"), max_length=150, blank=True)  # a posyandu's desa name
    #: The region that holds the area (the desa of a posyandu, the kecamatan of a puskesmas).
    wilayah_code = models.CharField(_("region code"), max_length=13, db_index=True)
    n = models.PositiveIntegerField(_("measurements"), default=0)
    pct_flagged = models.FloatField(_("Flagged HAZ (%)"), null=True)
    sd_haz = models.FloatField(_("SD of HAZ"), null=True)
    dps_weight = models.FloatField(_("Digit preference, weight"), null=True)
    dps_height = models.FloatField(_("Digit preference, length/height"), null=True)
    heaping = models.FloatField(_("Age heaping (6-month ratio)"), null=True)
    coverage = models.FloatField(_("Coverage (%)"), null=True)
    n_eppgbm = models.PositiveIntegerField(_("With e-PPGBM z-scores"), default=0)
    pct_disagree = models.FloatField(_("e-PPGBM disagreement (%)"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    scope_path = "wilayah_code"
    personal_data = False
    personal_data_reason = "figures per area; a name is the area's"
    scope_puskesmas_rows = True

    class Meta:
        verbose_name = _("data quality of an area")
        verbose_name_plural = _("data quality of areas")
        constraints = [models.UniqueConstraint(fields=["period", "level", "code"], name="quality_aggregate_unique")]
        indexes = [models.Index(fields=["period", "level"], name="quality_aggregate_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.level} {self.code}"


class Survey(models.TextChoices):
    SSGI = "SSGI", "SSGI"
    SKI = "SKI", "SKI"
    RISKESDAS = "RISKESDAS", "Riskesdas"
    OTHER = "lain", _("Other")


class SurveyFigure(models.Model):
    """A district's prevalence from a national survey, entered by the district admin."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    survey = models.CharField(_("survey"), max_length=10, choices=Survey.choices, default=Survey.SSGI)
    indicator = models.CharField(_("indicator"), max_length=16, choices=INDICATOR_CHOICES, default="stunting")
    prevalence = models.DecimalField(_("prevalence (%)"), max_digits=5, decimal_places=2, validators=_percent)
    ll = models.DecimalField(
        _("95% CI lower (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_percent
    )
    ul = models.DecimalField(
        _("95% CI upper (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_percent
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Report title, table and page, or a link.")
    )

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True  # everyone in the district reads the district's survey figures

    class Meta:
        verbose_name = _("survey figure")
        verbose_name_plural = _("survey figures")
        ordering = ["kabupaten_id", "indicator", "year", "survey"]
        constraints = [
            models.UniqueConstraint(fields=["kabupaten", "year", "survey", "indicator"], name="survey_figure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} {self.year} {self.get_indicator_display()}: {self.prevalence}%"

    def clean(self):
        if self.ll is not None and self.ul is not None and self.ll > self.ul:
            raise ValidationError({"ul": _("The upper bound is below the lower bound.")})
        if self.prevalence is not None:
            if self.ll is not None and self.ll > self.prevalence:
                raise ValidationError({"ll": _("The lower bound is above the prevalence.")})
            if self.ul is not None and self.ul < self.prevalence:
                raise ValidationError({"ul": _("The upper bound is below the prevalence.")})


#: National stunting targets, ready to pick (Perpres 72/2021; RPJMN 2025–2029; RPJPN 2025–2045).
NATIONAL_TARGETS = (
    (2024, "14.00", "Perpres 72/2021"),
    (2029, "14.20", "RPJMN 2025–2029"),
    (2045, "5.00", "RPJPN 2025–2045"),
)


class DistrictTarget(models.Model):
    """The district's target prevalence for one year."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    indicator = models.CharField(_("indicator"), max_length=16, choices=INDICATOR_CHOICES, default="stunting")
    target = models.DecimalField(_("target prevalence (%)"), max_digits=5, decimal_places=2, validators=_percent)
    source = models.CharField(
        _("basis"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Perpres 72/2021, RPJMN 2025–2029, the district RPJMD."),
    )

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("district target")
        verbose_name_plural = _("district targets")
        ordering = ["kabupaten_id", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["kabupaten", "year", "indicator"], name="district_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.target}%"


class UnderFivePopulation(models.Model):
    """Children aged 0–59 months in a region in a year, from Dukcapil (or another count the
    admin trusts): the coverage denominator instead of the registered children."""

    wilayah = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    count = models.PositiveIntegerField(_("children aged 0–59 months"))
    source = models.CharField(_("source"), max_length=200, default="Dukcapil")

    scope_path = "wilayah"
    personal_data = False

    class Meta:
        verbose_name = _("under-five population")
        verbose_name_plural = _("under-five population")
        ordering = ["wilayah_id", "year"]
        constraints = [models.UniqueConstraint(fields=["wilayah", "year"], name="under_five_population_unique")]

    def __str__(self) -> str:
        return f"{self.wilayah_id} {self.year}: {self.count}"
