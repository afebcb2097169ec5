"""Pantau Aksi: the year's convergence actions for the district, each action's page, and the
configuration of action sets. Thin views: the policy decides, ``actions`` writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import kabupaten_of, year_of
from tumbuh.documents.models import UploadedDocument

from . import actions, checklist, evidence, outputs, permissions, progress
from .forms import ActionDefinitionForm, ActionSetForm, ActionYearForm, EvidenceForm, StartYearForm
from .models import ActionDefinition, ActionSet, ActionYear, CycleYear, OutputItem, Status


@login_required
def pantau(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    cycle = progress.cycle_of(kabupaten, year, request.user)
    rows = progress.year_rows(cycle, request.user, today=timezone.localdate()) if cycle else []
    can_start = cycle is None and policy.can(request.user, policy.ADD, CycleYear)
    summary = [(label, sum(1 for r in rows if r["a"].status == value)) for value, label in Status.choices]
    return render(
        request,
        "aksi/pantau.html",
        {
            "kabupaten": kabupaten,
            "year": year,
            "cycle": cycle,
            "rows": rows,
            "summary": summary,
            "overdue": sum(1 for r in rows if r["overdue"]),
            "start_form": StartYearForm(kabupaten_code=kabupaten.code) if can_start else None,
            "years": sorted(set(CycleYear.objects.filter(kabupaten=kabupaten).values_list("year", flat=True)) | {year}),
        },
    )


@login_required
@require_POST
def start(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    form = StartYearForm(request.POST, kabupaten_code=kabupaten.code)
    if form.is_valid():
        try:
            actions.start_year(request.user, kabupaten.code, year, form.cleaned_data["action_set"])
            messages.success(request, _("Year %(year)d opened.") % {"year": year})
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return redirect(f"{_pantau_url()}?year={year}")


def _pantau_url() -> str:
    return reverse("aksi:pantau")


@login_required
def by_number(request, number: int):
    """The menu's entry for action ``number``: this year's action page, else Pantau Aksi."""
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    a = policy.visible(
        request.user, ActionYear.objects.filter(cycle__kabupaten=kabupaten, cycle__year=year, definition__number=number)
    ).first()
    if a is None:
        messages.info(request, _("Action %(n)d is not planned for %(year)d yet.") % {"n": number, "year": year})
        return redirect(f"{_pantau_url()}?year={year}")
    return redirect("aksi:action", a.pk)


@login_required
def action(request, pk: int):
    a = policy.get_object_or_404(
        request.user, ActionYear.objects.select_related("definition", "cycle__kabupaten", "responsible_opd"), pk=pk
    )
    user = request.user
    today = timezone.localdate()
    can_change = policy.can(user, policy.CHANGE, a)
    can_assign = permissions.may_assign(user, a)
    form = ActionYearForm(instance=a, can_assign=can_assign)
    evidence_form = EvidenceForm()
    if request.method == "POST" and can_change:
        what = request.POST.get("form")
        if what == "status":
            form = ActionYearForm(request.POST, instance=ActionYear.objects.get(pk=a.pk), can_assign=can_assign)
            if form.is_valid():
                changes = {f: form.cleaned_data[f] for f in form.Meta.fields}
                try:
                    actions.update_action_year(
                        user, ActionYear.objects.get(pk=a.pk), changes, reason=form.cleaned_data["reason"], today=today
                    )
                    messages.success(request, _("Saved."))
                    return redirect("aksi:action", a.pk)
                except ValidationError as e:
                    add_errors(form, e)
        elif what == "checklist":
            ticked = set(request.POST.getlist("done"))
            automatic = outputs.provable()
            for item, t in a.checklist():
                if item.proof in automatic:  # the record decides, not the form
                    continue
                done = str(item.pk) in ticked
                note = request.POST.get(f"note-{item.pk}", "").strip()[:300]
                if t is None and not done and not note or t and t.done == done and t.note == note:
                    continue
                actions.tick(user, a, item, done=done, note=note)
            messages.success(request, _("Checklist saved."))
            return redirect("aksi:action", a.pk)
        elif what == "evidence":
            evidence_form = EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                try:
                    actions.attach_evidence(
                        user,
                        a,
                        file=evidence_form.cleaned_data["file"],
                        title=evidence_form.cleaned_data["title"],
                        reason=evidence_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Document uploaded."))
                    return redirect("aksi:action", a.pk)
                except ValidationError as e:
                    add_errors(evidence_form, e)
    elif request.method == "POST":
        policy.require(user, policy.CHANGE, a)
    produced = outputs.collect(a.cycle.kabupaten, a.cycle.year, user, a.definition.page)
    lines = checklist.lines(a, user, today=today)
    return render(
        request,
        "aksi/action.html",
        {
            "a": a,
            "form": form,
            "evidence_form": evidence_form,
            "can_change": can_change,
            "checklist": lines,
            "progress": checklist.progress(lines),
            "documents": UploadedDocument.for_object(a),
            "by_hand": any(not line.automatic for line in lines),
            "by_hand_open": any(not line.automatic and not line.done for line in lines),
            "page": a.definition.page_link(),
            "overdue": a.is_overdue(today),
            "outputs": produced,
            "final": list(dict.fromkeys(o.group or o.title for o in produced if o.final)),
        },
    )


# ---------------------------------------------------------------- evidence packs


def _with_checklist(qs):
    return qs.select_related("definition", "cycle__kabupaten", "responsible_opd").prefetch_related(
        "ticks__by", Prefetch("definition__items", queryset=OutputItem.objects.order_by("order", "pk"))
    )


def _send(request, action_years: list[ActionYear]) -> FileResponse:
    pack = evidence.build_evidence_pack(action_years, request.user, request, at=timezone.now())
    return FileResponse(pack.file, as_attachment=True, filename=pack.filename, content_type="application/zip")


@login_required
def evidence_pack(request, pk: int):
    """Every document of one action's year the user may see, as one zip with an index."""
    return _send(request, [policy.get_object_or_404(request.user, _with_checklist(ActionYear.objects.all()), pk=pk)])


@login_required
def evidence_year(request):
    """Every action of the year the user sees, each in its own folder of one zip."""
    kabupaten = kabupaten_of(request)
    found = list(
        policy.visible(
            request.user,
            _with_checklist(
                ActionYear.objects.filter(
                    cycle__kabupaten=kabupaten, cycle__year=year_of(request, today=timezone.localdate())
                )
            ),
        ).order_by("definition__number")
    )
    if not found:
        raise Http404
    return _send(request, found)


# ---------------------------------------------------------------- configuration


def _set_or_404(kabupaten, pk: int) -> ActionSet:
    """A national set or one of the district's own (which everyone in the district reads)."""
    return get_object_or_404(ActionSet.available_to(kabupaten.code), pk=pk)


@login_required
def sets(request):
    kabupaten = kabupaten_of(request)
    qs = ActionSet.available_to(kabupaten.code).prefetch_related("actions")
    return render(
        request,
        "aksi/sets.html",
        {
            "sets": [(s, policy.can(request.user, policy.CHANGE, s)) for s in qs],
            "can_add": policy.can(request.user, policy.ADD, ActionSet),
        },
    )


@login_required
def set_edit(request, pk: int | None = None):
    kabupaten = kabupaten_of(request)
    if pk is None:
        obj = ActionSet(kabupaten=None if policy.is_global(request.user) and request.GET.get("national") else kabupaten)
        policy.require(request.user, policy.ADD, ActionSet)
    else:
        obj = _set_or_404(kabupaten, pk)
    can_change = pk is None or policy.can(request.user, policy.CHANGE, obj)
    form = ActionSetForm(request.POST or None, instance=obj)
    if request.method == "POST":
        policy.require(request.user, policy.ADD if pk is None else policy.CHANGE, obj)
        if form.is_valid():
            try:
                actions.save_action_set(request.user, form.instance, reason=form.cleaned_data["reason"])
                messages.success(request, _("Saved."))
                return redirect("aksi:set", form.instance.pk)
            except ValidationError as e:
                add_errors(form, e)
    definitions = obj.actions.prefetch_related("items") if obj.pk else []
    return render(
        request,
        "aksi/set_edit.html",
        {
            "obj": obj,
            "form": form,
            "can_change": can_change,
            "definitions": definitions,
            "provable": outputs.provable(),
        },
    )


@login_required
def definition_edit(request, set_pk: int, pk: int | None = None):
    kabupaten = kabupaten_of(request)
    action_set = _set_or_404(kabupaten, set_pk)
    obj = ActionDefinition(action_set=action_set) if pk is None else get_object_or_404(action_set.actions, pk=pk)
    policy.require(request.user, policy.ADD if pk is None else policy.CHANGE, obj)
    form = ActionDefinitionForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_definition(
                request.user,
                form.instance,
                form.checklist_lines(),
                proofs=form.proofs(),
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Saved."))
            return redirect("aksi:set", action_set.pk)
        except ValidationError as e:
            add_errors(form, e)
    return render(request, "aksi/definition_edit.html", {"obj": obj, "action_set": action_set, "form": form})
