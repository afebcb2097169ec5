"""Reviu kinerja tahunan (Aksi 8): what the year's plan achieved, and what to do next year.

Each OPD enters, per activity of the year's plan (``rencana``), the physical and budget
realisation against the target; the TPPS secretariat writes the year's review with its
problems and recommendations. The recommendations seed next year's situation analysis
(Aksi 1) through :func:`tumbuh.reviu.recommendations.recommendations_for`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.core.numbers import format_number
from tumbuh.wilayah.models import Level, Wilayah


def _percent(part, whole) -> Decimal | None:
    """``part`` as a percentage of ``whole``, unrounded: a page, the report and the semester
    report round it once, when they show it (``tumbuh.core.numbers``), and a mean of several is
    taken of the unrounded values."""
    if part is None or not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


class Realisation(models.Model):
    """An activity's realisation at year end, entered by its OPD."""

    activity = models.OneToOneField(
        "rencana.Activity", on_delete=models.CASCADE, related_name="realisation", verbose_name=_("activity")
    )
    physical = models.DecimalField(
        _("physical realisation (volume)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("In the activity's unit."),
    )
    budget = models.DecimalField(
        _("budget realisation (Rp)"), max_digits=16, decimal_places=0, validators=[MinValueValidator(0)]
    )
    problems = models.TextField(_("problems met"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_path = "activity__kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("realisation")
        verbose_name_plural = _("realisations")
        ordering = ["activity_id"]

    def __str__(self) -> str:
        return f"{self.activity} — {self.activity.year}"

    @property
    def opd_id(self) -> int | None:
        """The activity's OPD: the one whose staff enter this realisation (``policy.own_opd``)."""
        return self.activity.opd_id if self.activity_id else None

    @property
    def physical_percent(self) -> Decimal | None:
        return _percent(self.physical, self.activity.volume)

    @property
    def budget_percent(self) -> Decimal | None:
        return _percent(self.budget, self.activity.budget)

    def clean(self) -> None:
        if self.activity_id and self.budget is not None and self.budget > self.activity.budget:
            raise ValidationError(
                {
                    "budget": _("The budget realisation exceeds the activity's budget (Rp %(pagu)s).")
                    % {"pagu": format_number(self.activity.budget, 0)}
                }
            )


class AnnualReview(models.Model):
    """The district's review of one year: problems, recommendations, the report's number."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(
        _("year reviewed"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    nomor = models.CharField(_("report number"), max_length=100, blank=True)
    date = models.DateField(_("report date"), null=True, blank=True)
    signing_place = models.CharField(
        _("town where the report is signed"), max_length=100, blank=True, help_text=_("e.g. Malili")
    )
    summary = models.TextField(_("summary"), blank=True)
    problems = models.TextField(_("problems"), blank=True, help_text=_("One problem per line."))
    signer_name = models.CharField(_("name of the TPPS chair (signs the report)"), max_length=150, blank=True)
    signer_nip = models.CharField(_("NIP of the signer"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "the signing official's name and NIP, printed on the public report"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["kabupaten_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["kabupaten", "year"], name="reviu_one_per_year")]

    def __str__(self) -> str:
        return f"Reviu Kinerja {self.year}"

    def problem_items(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.problems.splitlines() if line.strip(" -•\t")]


class Recommendation(models.Model):
    """One recommendation of a review, for next year; optionally about an indicator or an OPD."""

    review = models.ForeignKey(
        AnnualReview, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("review")
    )
    text = models.TextField(_("recommendation"))
    indicator = models.ForeignKey(
        "indikator.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    opd = models.ForeignKey(
        "organisation.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("OPD to act"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_path = "review__kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["review_id", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if not self.review_id:
            return
        kab = self.review.kabupaten_id
        if self.opd_id and self.opd.kabupaten_id != kab:
            raise ValidationError({"opd": _("The OPD belongs to another regency.")})
        if self.indicator_id and self.indicator.kabupaten_id not in (None, kab):
            raise ValidationError({"indicator": _("This indicator belongs to another regency.")})
