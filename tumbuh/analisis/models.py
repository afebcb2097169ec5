"""Aksi 1: the focus villages (lokus) chosen per year, and the ranking weights behind them.

The ranking itself is computed (``ranking.py``); what is stored is the team's decision per desa
(selected or not, and why) with a snapshot of the score and its parts at the time, so the
decision can be explained later even after the data change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.core.numbers import round_figure
from tumbuh.wilayah.models import Level, Wilayah

_year = [MinValueValidator(2000), MaxValueValidator(2100)]
_weight = [MinValueValidator(0), MaxValueValidator(100)]


class LokusWeights(models.Model):
    """How much each part counts in a district's lokus score for one year."""

    DEFAULTS = {
        "prevalence": Decimal(40),
        "stunted": Decimal(30),
        "coverage_gap": Decimal(20),
        "data_quality": Decimal(10),
    }

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_year)
    prevalence = models.DecimalField(
        _("weight: stunting prevalence"),
        max_digits=5,
        decimal_places=2,
        validators=_weight,
        default=DEFAULTS["prevalence"],
    )
    stunted = models.DecimalField(
        _("weight: number of stunted children"),
        max_digits=5,
        decimal_places=2,
        validators=_weight,
        default=DEFAULTS["stunted"],
    )
    coverage_gap = models.DecimalField(
        _("weight: coverage gaps"), max_digits=5, decimal_places=2, validators=_weight, default=DEFAULTS["coverage_gap"]
    )
    data_quality = models.DecimalField(
        _("weight: weak data (few children measured)"),
        max_digits=5,
        decimal_places=2,
        validators=_weight,
        default=DEFAULTS["data_quality"],
    )

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("lokus weights")
        verbose_name_plural = _("lokus weights")
        constraints = [models.UniqueConstraint(fields=["kabupaten", "year"], name="lokus_weights_unique")]

    def __str__(self) -> str:
        return f"{self.kabupaten_id} {self.year}"

    def as_dict(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in self.DEFAULTS}

    def clean(self):
        if sum((v or 0) for v in self.as_dict().values()) <= 0:
            raise ValidationError(_("At least one weight must be more than zero."))


class Lokus(models.Model):
    """The team's decision on one desa for one year: a focus village or not, and why."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_year)
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    selected = models.BooleanField(_("focus village (lokus)"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    #: The score's parts when the decision was taken: {"prevalence": {"value":…, "norm":…,
    #: "weight":…, "points":…}, …} and the weights used.
    snapshot = models.JSONField(_("score snapshot"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    scope_path = "desa"
    personal_data = False

    class Meta:
        verbose_name = _("lokus decision")
        verbose_name_plural = _("lokus decisions")
        ordering = ["kabupaten_id", "year", "rank", "desa_id"]
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="lokus_unique_desa_year")]

    def __str__(self) -> str:
        return f"{self.desa} {self.year}: {'lokus' if self.selected else '-'}"

    def moved_since(
        self, score: float | None, rank: int | None
    ) -> tuple[Decimal, Decimal, int | None, int | None] | None:
        """(score then, score now, rank then, rank now) when the live ranking (``score``,
        ``rank``: new data or weights) differs from the one stored with the decision, scores to
        one decimal as shown; None when it does not, or when either has no score."""
        if self.score is None or score is None:
            return None
        # The live score as a decision stores it (two decimals), then both as shown (one).
        then, now = round_figure(self.score, 1), round_figure(round_figure(score, 2), 1)
        if then == now and self.rank == rank:
            return None
        return then, now, self.rank, rank

    def clean(self):
        if self.desa_id and self.kabupaten_id and not self.desa_id.startswith(self.kabupaten_id + "."):
            raise ValidationError({"desa": _("This desa lies in another regency.")})
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("Write why this desa is, or is not, a focus village.")})


def lokus_desa(kabupaten_code: str, year: int) -> list[str]:
    """The codes of the desa the district chose as focus villages for ``year``, best-ranked
    first (for Aksi 2 plans, the rembuk and the gap check)."""
    return list(
        Lokus.objects.filter(kabupaten_id=kabupaten_code, year=year, selected=True)
        .order_by(models.F("rank").asc(nulls_last=True), "desa_id")
        .values_list("desa_id", flat=True)
    )
