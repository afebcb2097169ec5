"""Penilaian kinerja: the province assesses its districts' convergence actions each year.

The rubric is data (``Rubric``, its ``Criterion`` rows per aksi and each criterion's score
``Level``s), loaded from a file (``rubric.py``, ``tumbuh load_rubric``). An ``Assessment`` is one
province's year, scored against one rubric; a ``Score`` is one district's level on one
criterion, with a comment. Which criteria a district is assessed on follows the yearly scope
(``scope.py``). A final assessment is locked until the province reopens it with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level as WilayahLevel
from tumbuh.wilayah.models import Wilayah

_year = [MinValueValidator(2000), MaxValueValidator(2100)]
_aksi = [MinValueValidator(1), MaxValueValidator(8)]


class Rubric(models.Model):
    """A province's rubric: what it scores, per aksi, and how (loaded from a file)."""

    province = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": WilayahLevel.PROVINSI},
        verbose_name=_("province"),
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    basis = models.TextField(_("source / basis"), blank=True, help_text=_("Where the rubric comes from."))

    scope_path = "province"
    personal_data = False
    personal_data_reason = "a rubric's name is the rubric's title, not a person's"
    scope_reaches_up = True  # the districts read the criteria they were scored on

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["province_id", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name", "version"], name="penilaian_rubric_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Criterion(models.Model):
    """One question of the rubric, about one aksi, with its weight and the evidence expected."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric"))
    aksi = models.PositiveSmallIntegerField(_("convergence action"), validators=_aksi)
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicator = models.TextField(_("question / indicator"))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    evidence = models.TextField(_("evidence expected"), blank=True)

    scope_path = "rubric__province"
    personal_data = False  # the province's assessment of its districts: no person in it
    scope_reaches_up = True

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["rubric_id", "aksi", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="penilaian_criterion_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.indicator}"

    def max_value(self):
        """The highest level's value (what a full score is worth before the weight)."""
        values = [level.value for level in self.levels.all()]
        return max(values) if values else 0


class Level(models.Model):
    """One score a criterion may get: its value and what it means."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("criterion")
    )
    value = models.DecimalField(_("value"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)])
    description = models.TextField(_("description"))

    scope_path = "criterion__rubric__province"
    personal_data = False  # the province's assessment of its districts: no person in it
    scope_reaches_up = True

    class Meta:
        verbose_name = _("score level")
        verbose_name_plural = _("score levels")
        ordering = ["criterion_id", "value"]
        constraints = [models.UniqueConstraint(fields=["criterion", "value"], name="penilaian_level_value_unique")]

    def __str__(self) -> str:
        return f"{self.value.normalize():f}: {self.description}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class Assessment(models.Model):
    """One province's penilaian kinerja of one year, against one rubric."""

    province = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": WilayahLevel.PROVINSI},
        verbose_name=_("province"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_year)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("rubric"))
    first_year = models.ManyToManyField(
        Wilayah,
        blank=True,
        related_name="+",
        verbose_name=_("districts in their year I"),
        help_text=_(
            "Only for a district whose convergence year before this one Tumbuh does not hold: "
            "where it does, the district is past its year I."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    finalised_at = models.DateTimeField(_("final since"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made final by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    scope_path = "province"
    personal_data = False  # the province's assessment of its districts: no person in it
    scope_reaches_up = True  # a district reads its own final result (its scores are scoped by district)

    class Meta:
        verbose_name = _("performance assessment")
        verbose_name_plural = _("performance assessments")
        ordering = ["province_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="penilaian_assessment_unique")]

    def __str__(self) -> str:
        return f"Penilaian kinerja {self.province.name} {self.year}"

    @property
    def is_final(self) -> bool:
        return self.status == Status.FINAL

    def clean(self):
        if self.rubric_id and self.province_id and self.rubric.province_id != self.province_id:
            raise ValidationError({"rubric": _("This rubric belongs to another province.")})


class Score(models.Model):
    """One district's score on one criterion of an assessment: a level of the criterion and a comment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("performance assessment")
    )
    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": WilayahLevel.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion"))
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("score")
    )
    comment = models.TextField(_("comment"), blank=True)

    scope_path = "kabupaten"
    personal_data = False  # the province's assessment of its districts: no person in it

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assessment_id", "kabupaten_id", "criterion__aksi", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kabupaten", "criterion"], name="penilaian_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kabupaten_id} {self.criterion.code}"

    def clean(self):
        from .scope import aksi_in_scope

        if not (self.assessment_id and self.criterion_id and self.kabupaten_id):
            return
        assessment = self.assessment
        if assessment.is_final:
            raise ValidationError(_("This assessment is final: the province reopens it before a score changes."))
        if self.criterion.rubric_id != assessment.rubric_id:
            raise ValidationError({"criterion": _("This criterion belongs to another rubric.")})
        if self.level_id and self.level.criterion_id != self.criterion_id:
            raise ValidationError({"level": _("This level belongs to another criterion.")})
        if self.kabupaten.provinsi_code != assessment.province_id or self.kabupaten.level != WilayahLevel.KABUPATEN:
            raise ValidationError({"kabupaten": _("This district lies outside the assessed province.")})
        if aksi_in_scope(assessment, self.kabupaten_id, self.criterion.aksi) is None:
            raise ValidationError(
                {"criterion": _("Aksi %(n)d is not assessed for this district this year.") % {"n": self.criterion.aksi}}
            )
