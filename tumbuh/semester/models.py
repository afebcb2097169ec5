"""The TPPS report to the province, once per semester.

Its figures (meetings held, prevalence and coverage, activities, action items) are generated
from what Tumbuh holds (``figures.collect``); the secretariat writes the narrative around them.
While a draft, the figures are computed afresh on every view; finalising freezes them into
``figures`` with the narrative, so the report sent to the province never changes afterwards.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.tpps.models import Tpps


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")


class SemesterReport(models.Model):
    tpps = models.ForeignKey(Tpps, on_delete=models.PROTECT, related_name="semester_reports", verbose_name=_("TPPS"))
    year = models.PositiveSmallIntegerField(_("year"))
    semester = models.PositiveSmallIntegerField(_("semester"), choices=[(1, "I"), (2, "II")])
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    introduction = models.TextField(_("introduction"), blank=True)
    achievements = models.TextField(
        _("achievements and analysis"),
        blank=True,
        help_text=_("What the figures below mean: progress, areas of concern."),
    )
    obstacles = models.TextField(_("obstacles"), blank=True)
    follow_up = models.TextField(_("follow-up plan and recommendations"), blank=True)
    figures = models.JSONField(_("frozen figures"), null=True, blank=True, editable=False)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("finalised by"),
    )

    scope_path = "tpps__wilayah"
    personal_data = False

    class Meta:
        verbose_name = _("semester report")
        verbose_name_plural = _("semester reports")
        ordering = ["-year", "-semester", "tpps_id"]
        constraints = [models.UniqueConstraint(fields=["tpps", "year", "semester"], name="semester_report_unique")]

    def __str__(self) -> str:
        return f"{self.tpps.name} — Semester {self.get_semester_display()} {self.year}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.semester == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.semester == 1 else dt.date(self.year, 12, 31)

    @property
    def is_final(self) -> bool:
        return self.status == ReportStatus.FINAL

    def clean(self):
        if self.year and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
