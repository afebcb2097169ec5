"""Rounds the district has published on its public page (Aksi 7: publikasi).

The figures are a snapshot taken when the round is published (see ``data.compute_snapshot``).
A round is public only while a ``PublishedRound`` for it has no ``withdrawn_at``; withdrawing
keeps the row (who published, when, who withdrew) and publishing again makes a new one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah


class PublishedRoundQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class PublishedRound(models.Model):
    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    period = models.CharField(
        _("round"), max_length=20, help_text=_("The period key, e.g. R2025-08 for the August 2025 round.")
    )
    published_at = models.DateTimeField(_("published at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown on the public page with this round."))
    #: The published figures (aggregates per area, before suppression): what the public sees
    #: stays what the admin published, even if measurements are corrected later.
    figures = models.JSONField(_("published figures"), default=dict, blank=True)

    objects = PublishedRoundQuerySet.as_manager()

    scope_path = "kabupaten"
    personal_data = False

    class Meta:
        verbose_name = _("published round")
        verbose_name_plural = _("published rounds")
        ordering = ["kabupaten_id", "-period", "-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kabupaten", "period"], condition=Q(withdrawn_at__isnull=True), name="publishedround_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kabupaten_id} {self.period}"

    @property
    def is_public(self) -> bool:
        return self.withdrawn_at is None
