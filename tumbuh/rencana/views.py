"""Plan pages: the year's activities, the edit form, the gap check and the Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import kabupaten_of, year_of
from tumbuh.organisation.forms import DeleteForm

from . import actions, gaps, plan, xlsx
from .forms import ActivityForm
from .models import Activity


@login_required
def activity_list(request):
    kab, year = kabupaten_of(request), year_of(request, today=timezone.localdate())
    qs = policy.visible(request.user, plan.activities(kab.code, year))
    opd = request.GET.get("opd", "")
    if opd:
        qs = qs.filter(opd__short_name=opd)
    rows = list(qs)
    return render(
        request,
        "rencana/activity_list.html",
        {
            "kabupaten": kab,
            "year": year,
            "activities": rows,
            "total": plan.budget_total(rows),
            "opd": opd,
            "opd_choices": list(
                Activity.objects.filter(kabupaten_id=kab.code, year=year)
                .order_by("opd__short_name")
                .values_list("opd__short_name", flat=True)
                .distinct()
            ),
            "can_add": policy.can(request.user, policy.ADD, Activity),
            "editable": {a.pk for a in rows if policy.can(request.user, policy.CHANGE, a)},
        },
    )


@login_required
def activity_edit(request, pk=None):
    kab = kabupaten_of(request)
    if pk is None:
        policy.require(request.user, policy.ADD, Activity)
        activity = Activity(kabupaten=kab, year=year_of(request, today=timezone.localdate()))
    else:
        activity = policy.get_object_or_404(request.user, Activity, pk=pk)
        kab = activity.kabupaten
        policy.require(request.user, policy.CHANGE, activity)
    form = ActivityForm(request.POST or None, instance=activity, actor=request.user, kabupaten_code=kab.code)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_save_activity(
                request.user,
                form.save(commit=False),
                desa=form.cleaned_data["desa"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('rencana:list')}?year={saved.year}")
    return render(
        request,
        "rencana/activity_form.html",
        {
            "form": form,
            "activity": activity if pk else None,
            "can_delete": pk is not None and policy.can(request.user, policy.DELETE, activity),
        },
    )


@login_required
def activity_delete(request, pk):
    activity = policy.get_object_or_404(request.user, Activity, pk=pk)
    policy.require(request.user, policy.DELETE, activity)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_delete_activity(request.user, activity, reason=form.cleaned_data["reason"])
        messages.success(request, _("Deleted."))
        return redirect(f"{reverse('rencana:list')}?year={activity.year}")
    return render(
        request,
        "core/confirm_delete.html",
        {
            "heading": _("Delete “%(a)s”?") % {"a": activity},
            "form": form,
            "back": reverse("rencana:edit", args=[activity.pk]),
        },
    )


@login_required
def gap_check(request):
    kab, year = kabupaten_of(request), year_of(request, today=timezone.localdate())
    result = gaps.check(kab.code, year)
    return render(request, "rencana/gaps.html", {"kabupaten": kab, "year": year, "check": result})


@login_required
def export(request, year):
    kab = kabupaten_of(request)
    policy.require(request.user, policy.VIEW, Activity)
    body = xlsx.integrated_plan(kab.code, year, now=timezone.now())
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="rencana-kegiatan-{kab.code.replace(".", "")}-{year}.xlsx"'
    return response
