"""Writing and finalising the semester report; a final report cannot change."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.audit.actions import do_delete, do_save

from . import figures
from .models import ReportStatus, SemesterReport


def _refuse_final(report: SemesterReport) -> None:
    if report.pk and SemesterReport.objects.filter(pk=report.pk, status=ReportStatus.FINAL).exists():
        raise ValidationError(_("This report is final and can no longer be changed."))


def do_save_report(actor, report: SemesterReport, *, reason: str = "") -> SemesterReport:
    """Create a draft or edit its narrative."""
    _refuse_final(report)
    report.status = ReportStatus.DRAFT
    return do_save(actor, report, reason=reason)


def do_finalise(actor, report: SemesterReport, *, now: dt.datetime, reason: str = "") -> SemesterReport:
    """Freeze the generated figures with the narrative; the report is final from ``now`` on."""
    _refuse_final(report)
    if not (report.achievements.strip() and report.obstacles.strip()):
        raise ValidationError(_("Write the analysis and the obstacles before finalising."))
    with transaction.atomic():
        report.figures = figures.collect(report, actor, today=timezone.localdate(now))
        report.status = ReportStatus.FINAL
        report.finalised_at = now
        report.finalised_by = actor if actor.pk else None
        return do_save(actor, report, reason=reason or _("finalised"))


def do_delete_draft(actor, report: SemesterReport, *, reason: str) -> None:
    _refuse_final(report)
    do_delete(actor, report, reason=reason)
