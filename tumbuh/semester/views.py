"""The semester report pages: list, create, edit the narrative beside the generated figures,
finalise, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.documents.official import document_response

from . import actions, documents, figures, forms
from .models import SemesterReport


def _data(report, user) -> dict:
    return (
        report.figures
        if report.is_final and report.figures
        else figures.collect(report, user, today=timezone.localdate())
    )


@login_required
def report_list(request):
    reports = policy.visible(request.user, SemesterReport.objects.select_related("tpps__wilayah"))
    can_add = policy.can(request.user, policy.ADD, SemesterReport)
    today = timezone.localdate()
    form = forms.NewReportForm(
        request.POST or None, actor=request.user, initial={"year": today.year, "semester": 1 if today.month <= 6 else 2}
    )
    if request.method == "POST":
        policy.require(request.user, policy.ADD, SemesterReport)
        if form.is_valid():
            try:
                report = actions.do_save_report(request.user, form.instance, reason=form.cleaned_data.get("reason", ""))
            except ValidationError as e:
                add_errors(form, e)
            else:
                return redirect("semester:detail", pk=report.pk)
    return render(request, "semester/list.html", {"reports": reports, "form": form if can_add else None})


@login_required
def report_detail(request, pk):
    report = policy.get_object_or_404(request.user, SemesterReport.objects.select_related("tpps__wilayah"), pk=pk)
    can_change = policy.can(request.user, policy.CHANGE, report) and not report.is_final
    form = forms.NarrativeForm(request.POST or None, instance=report)
    if request.method == "POST":
        policy.require(request.user, policy.CHANGE, report)
        if form.is_valid():
            try:
                actions.do_save_report(request.user, form.instance, reason=form.cleaned_data.get("reason", ""))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("semester:detail", pk=report.pk)
    data = figures.display(_data(report, request.user))
    return render(
        request,
        "semester/detail.html",
        {
            "report": report,
            "form": form if can_change else None,
            "data": data,
            "can_change": can_change,
            "finalise_form": forms.FinaliseForm() if can_change else None,
        },
    )


@login_required
def finalise(request, pk):
    report = policy.get_object_or_404(request.user, SemesterReport, pk=pk)
    policy.require(request.user, policy.CHANGE, report)
    form = forms.FinaliseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_finalise(request.user, report, now=timezone.now())
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The report is final."))
    return redirect("semester:detail", pk=report.pk)


@login_required
def export(request, pk, fmt):
    report = policy.get_object_or_404(request.user, SemesterReport.objects.select_related("tpps__wilayah"), pk=pk)
    return document_response(documents.report_document(report, _data(report, request.user)), fmt)
