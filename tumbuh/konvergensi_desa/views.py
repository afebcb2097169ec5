"""Aksi 4 (village-role regulation and village policies), Aksi 5 (KPM and the quarterly
scorecard) and OPD Pembina Desa. Thin views: ask the policy, call an action, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import get_focus
from tumbuh.documents.actions import do_attach
from tumbuh.documents.models import UploadedDocument
from tumbuh.organisation.forms import DeleteForm
from tumbuh.wilayah.models import Level, Wilayah

from . import forms, progress, scorecard
from .actions import do_log_mentoring, do_record_target, do_remove_target, do_save_checked
from .autofill import quarter_bounds
from .models import (
    DesaMentor,
    DesaPolicy,
    DesaRoleRegulation,
    Kpm,
    KpmTraining,
    MentorVisit,
    ScorecardTarget,
    TargetGroup,
)
from .xlsx import scorecard_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> int:
    """``?year=`` (or ``?tahun=``, its old name, still read), else this year."""
    value = request.GET.get("year") or request.GET.get("tahun", "")
    return int(value) if value.isdigit() and 2018 <= int(value) <= 2100 else dt.date.today().year


def _quarter(request) -> int:
    """``?quarter=`` (or ``?triwulan=``, its old name, still read), else this quarter."""
    value = request.GET.get("quarter") or request.GET.get("triwulan", "")
    return int(value) if value in ("1", "2", "3", "4") else (dt.date.today().month - 1) // 3 + 1


def _text(year: int) -> str:
    """A year for templates: ``2025``, never the localized ``2.025``."""
    return str(year)


def _focus_code(request) -> str | None:
    focus = get_focus(request)
    return focus.code if focus is not None else None


def _edit(request, model, form_class, pk, *, title, back, initial=None, form_kwargs=None, after_save=None):
    """Add (``pk`` None) or change one object through its form and ``do_save_checked``."""
    obj = model() if pk is None else policy.get_object_or_404(request.user, model, pk=pk)
    policy.require(request.user, policy.ADD if pk is None else policy.VIEW, model if pk is None else obj)
    form = form_class(request.POST or None, request.FILES or None, instance=obj, initial=initial, **(form_kwargs or {}))
    can_save = (
        policy.can(request.user, policy.ADD, model) if pk is None else policy.can(request.user, policy.CHANGE, obj)
    )
    if request.method == "POST":
        if not can_save:
            raise PermissionDenied
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = do_save_checked(
                        request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", "")
                    )
                    if after_save:
                        after_save(saved, form)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect(back)
    return render(
        request,
        "konvergensi_desa/form.html",
        {"form": form, "title": title, "object": obj if pk else None, "can_save": can_save, "back": back},
    )


# ---------------------------------------------------------------- Aksi 4


@login_required
def aksi4(request):
    policy.require(request.user, policy.VIEW, DesaRoleRegulation)
    year = _year(request)
    regulations = list(policy.visible(request.user, DesaRoleRegulation.objects.select_related("kabupaten")))
    rows, counts = progress.aksi4_table(request.user, year, _focus_code(request))
    return render(
        request,
        "konvergensi_desa/aksi4.html",
        {
            "year": _text(year),
            "regulations": [(r, list(UploadedDocument.for_object(r))) for r in regulations],
            "rows": rows,
            "counts": counts,
            "can_add_regulation": policy.can(request.user, policy.ADD, DesaRoleRegulation),
            "can_record": policy.can(request.user, policy.ADD, DesaPolicy),
        },
    )


def _attach_regulation(regulation, form, user):
    upload = form.cleaned_data.get("document")
    if upload:
        do_attach(
            user,
            regulation,
            file=upload,
            kind="perbup",
            title=str(regulation),
            wilayah_code=regulation.kabupaten_id,
            reason=_("the regulation's document"),
        )


@login_required
def regulation_edit(request, pk=None):
    return _edit(
        request,
        DesaRoleRegulation,
        forms.RegulationForm,
        pk,
        title=_("Village-role regulation (Perbup/Perwali)"),
        back=reverse("konvergensi_desa:aksi4"),
        form_kwargs={"actor": request.user},
        initial={"kabupaten": request.user.wilayah_id} if pk is None else None,
        after_save=lambda obj, form: _attach_regulation(obj, form, request.user),
    )


@login_required
def policy_edit(request, pk=None):
    initial = None
    if pk is None:
        initial = {
            "year": _year(request),
            "desa": request.GET.get("desa")
            or (request.user.wilayah_id if request.user.wilayah and request.user.wilayah.level == Level.DESA else None),
        }
    return _edit(
        request,
        DesaPolicy,
        forms.DesaPolicyForm,
        pk,
        title=_("Village policy on stunting"),
        back=reverse("konvergensi_desa:aksi4"),
        initial=initial,
        form_kwargs={"actor": request.user},
    )


# ---------------------------------------------------------------- Aksi 5: KPM


@login_required
def aksi5(request):
    policy.require(request.user, policy.VIEW, Kpm)
    year, quarter = _year(request), _quarter(request)
    opened = request.GET.get("desa") or request.GET.get("buka")  # ?buka=, its old name, still read
    if opened:
        return redirect("konvergensi_desa:scorecard", opened, year, quarter)
    focus = _focus_code(request)
    kpm = policy.visible(request.user, Kpm.objects.select_related("desa"))
    if focus:
        kpm = kpm.filter(Wilayah.subtree_q(focus, "desa__"))
    kpm = kpm.annotate(training_count=Count("trainings"), last_training=Max("trainings__date"))
    desa = progress.visible_desa(request.user, focus)
    return render(
        request,
        "konvergensi_desa/aksi5.html",
        {
            "year": _text(year),
            "quarter": quarter,
            "kpm": kpm,
            "quarter_rows": progress.district_quarter(request.user, year, quarter, focus),
            "groups": [scorecard.group_label(g) for g in scorecard.GROUPS],
            "desa": desa.order_by("name")[:400],
            "can_add_kpm": policy.can(request.user, policy.ADD, Kpm),
            "quarters": (1, 2, 3, 4),
        },
    )


@login_required
def kpm_edit(request, pk=None):
    initial = {"desa": request.user.wilayah_id, "since_year": dt.date.today().year} if pk is None else None
    return _edit(
        request,
        Kpm,
        forms.KpmForm,
        pk,
        title=_("KPM"),
        back=reverse("konvergensi_desa:aksi5"),
        initial=initial,
        form_kwargs={"actor": request.user},
    )


@login_required
def kpm_detail(request, pk):
    kpm = policy.get_object_or_404(request.user, Kpm.objects.select_related("desa"), pk=pk)
    can_train = policy.can(request.user, policy.ADD, KpmTraining(kpm=kpm))
    form = forms.KpmTrainingForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, policy.ADD, KpmTraining(kpm=kpm))
        if form.is_valid():
            training = form.save(commit=False)
            training.kpm = kpm
            try:
                do_save_checked(request.user, training, reason=_("KPM training"))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("konvergensi_desa:kpm", pk=kpm.pk)
    return render(
        request,
        "konvergensi_desa/kpm_detail.html",
        {
            "kpm": kpm,
            "trainings": kpm.trainings.all(),
            "form": form if can_train else None,
            "can_change": policy.can(request.user, policy.CHANGE, kpm),
        },
    )


# ---------------------------------------------------------------- Aksi 5: the scorecard


def _desa(request, code) -> Wilayah:
    return policy.get_object_or_404(request.user, Wilayah.objects.filter(level=Level.DESA), code=code)


def _check_period(year: int, quarter: int) -> None:
    if not (2018 <= year <= 2100 and 1 <= quarter <= 4):
        raise Http404


@login_required
def scorecard_quarter(request, desa, year, quarter):
    _check_period(year, quarter)
    desa = _desa(request, desa)
    grouped = progress.quarter_people(desa.code, year, quarter)
    per, total = progress.quarter_levels(desa.code, year, quarter)
    can_record = policy.can(request.user, policy.ADD, ScorecardTarget(desa=desa))
    tables = []
    for group in scorecard.GROUPS:
        items = scorecard.items(group)
        people = [
            (p, [(p.answers.get(i.code, ""), i.code in p.filled_by_tumbuh) for i in items], p.counts())
            for p in grouped.get(group, [])
        ]
        tables.append(
            {
                "group": group,
                "label": scorecard.group_label(group),
                "items": items,
                "people": people,
                "level": per[group],
            }
        )
    return render(
        request,
        "konvergensi_desa/scorecard.html",
        {
            "desa": desa,
            "year": _text(year),
            "quarter": quarter,
            "tables": tables,
            "total": total,
            "can_record": can_record,
        },
    )


@login_required
def scorecard_xlsx(request, desa, year, quarter):
    _check_period(year, quarter)
    desa = _desa(request, desa)
    grouped = progress.quarter_people(desa.code, year, quarter)
    per, total = progress.quarter_levels(desa.code, year, quarter)
    name = f"kartu-skor-{desa.name.lower().replace(' ', '-')}-{year}-T{quarter}.xlsx"
    return FileResponse(
        scorecard_workbook(desa, year, quarter, grouped, per, total),
        as_attachment=True,
        filename=name,
        content_type=XLSX,
    )


@login_required
def target_edit(request, desa, year, quarter, group, pk=None):
    _check_period(year, quarter)
    if group not in scorecard.GROUPS:
        raise Http404
    desa = _desa(request, desa)
    if pk is None:
        target = ScorecardTarget(desa=desa, year=year, quarter=quarter, group=group)
        initial = {}
    else:
        target = policy.get_object_or_404(
            request.user, ScorecardTarget, pk=pk, desa=desa, year=year, quarter=quarter, group=group
        )
        initial = forms.TargetForm.initial_for(target)
    policy.require(request.user, policy.ADD if pk is None else policy.CHANGE, target)
    form = forms.TargetForm(
        request.POST or None,
        initial=initial,
        actor=request.user,
        group=group,
        desa_code=desa.code,
        quarter_end=quarter_bounds(year, quarter)[1],
    )
    back = reverse("konvergensi_desa:scorecard", args=[desa.code, year, quarter])
    if request.method == "POST" and form.is_valid():
        target.name = form.cleaned_data["name"]
        target.child = form.cleaned_data.get("child")
        try:
            do_record_target(request.user, target, form.answers())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(
        request,
        "konvergensi_desa/target_form.html",
        {
            "form": form,
            "desa": desa,
            "year": _text(year),
            "quarter": quarter,
            "label": TargetGroup(group).label,
            "target": target if pk else None,
            "back": back,
            "can_delete": pk is not None and policy.can(request.user, policy.DELETE, target),
        },
    )


@login_required
def target_delete(request, desa, year, quarter, group, pk):
    """Confirm, then (POST) take a target person off the quarter's scorecard with a reason."""
    _check_period(year, quarter)
    desa = _desa(request, desa)
    target = policy.get_object_or_404(
        request.user, ScorecardTarget, pk=pk, desa=desa, year=year, quarter=quarter, group=group
    )
    policy.require(request.user, policy.DELETE, target)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_remove_target(request.user, target, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s is removed from the scorecard.") % {"name": target.name})
            return redirect("konvergensi_desa:scorecard", desa.code, year, quarter)
    y, applicable = target.counts()
    return render(
        request,
        "core/confirm_delete.html",
        {
            "heading": _("Remove %(name)s from the scorecard?") % {"name": target.name},
            "lines": [
                _(
                    "%(group)s in %(desa)s, quarter %(q)s of %(year)s: Y %(y)s of %(n)s applicable items. The convergence "
                    "levels are counted again without this person."
                )
                % {
                    "group": target.get_group_display(),
                    "desa": desa.label,
                    "q": quarter,
                    "year": _text(year),
                    "y": y,
                    "n": applicable,
                }
            ],
            "form": form,
            "back": reverse("konvergensi_desa:target_edit", args=[desa.code, year, quarter, group, target.pk]),
        },
    )


# ---------------------------------------------------------------- OPD Pembina Desa


@login_required
def mentors(request):
    policy.require(request.user, policy.VIEW, DesaMentor)
    year = _year(request)
    focus = _focus_code(request)
    assignments = progress.mentors(request.user, year, focus)
    return render(
        request,
        "konvergensi_desa/mentors.html",
        {
            "year": _text(year),
            "assignments": assignments,
            "without_mentor": progress.villages_without_mentor(request.user, year, focus),
            "not_visited": [a for a in assignments if a.visit_count == 0],
            "can_assign": policy.can(request.user, policy.ADD, DesaMentor),
        },
    )


@login_required
def mentor_edit(request, pk=None):
    initial = {"year": _year(request), "desa": request.GET.get("desa")} if pk is None else None
    return _edit(
        request,
        DesaMentor,
        forms.DesaMentorForm,
        pk,
        title=_("OPD Pembina Desa"),
        back=reverse("konvergensi_desa:mentors"),
        initial=initial,
        form_kwargs={"actor": request.user},
    )


@login_required
def mentor_detail(request, pk):
    assignment = policy.get_object_or_404(request.user, DesaMentor.objects.select_related("opd", "desa"), pk=pk)
    probe = MentorVisit(mentor=assignment)
    can_log = policy.can(request.user, policy.ADD, probe)
    form = forms.MentorVisitForm(request.POST or None, instance=probe)
    if request.method == "POST":
        policy.require(request.user, policy.ADD, probe)
        if form.is_valid():
            try:
                do_log_mentoring(request.user, form.save(commit=False))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("The visit is recorded."))
                return redirect("konvergensi_desa:mentor", pk=assignment.pk)
    return render(
        request,
        "konvergensi_desa/mentor_detail.html",
        {
            "assignment": assignment,
            "visits": assignment.visits.select_related("recorded_by"),
            "form": form if can_log else None,
        },
    )
