"""GENTING pages: foster parents, suggestions and matches, help with evidence, the child's
outcome, the foster parent's information sheet, and the Bupati's summary. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import kabupaten_of
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.official import document_response
from tumbuh.krs.models import Family
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

from . import actions
from .forms import EndForm, FosterParentForm, HelpForm, MatchForm, SharedFieldsForm
from .models import FosterMatch, FosterParent, Help, MatchStatus
from .outcome import outcome
from .priority import suggestions
from .sheet import information_sheet, shared_facts
from .summary import summary, summary_document


@login_required
def index(request):
    policy.require(request.user, policy.VIEW, FosterMatch)
    parents = policy.visible(request.user, FosterParent.objects.all()).annotate(
        match_count=Count("matches", distinct=True), given=Sum("matches__help_given__value")
    )
    matches = policy.visible(
        request.user, FosterMatch.objects.select_related("foster_parent", "family", "child", "desa")
    ).annotate(given=Sum("help_given__value"))
    return render(
        request,
        "genting/index.html",
        {
            "parents": parents,
            "matches": matches[:200],
            "can_add_parent": policy.can(request.user, policy.ADD, FosterParent),
            "can_match": policy.can(request.user, policy.ADD, FosterMatch),
        },
    )


@login_required
def parent_edit(request, pk=None):
    if pk is None:
        policy.require(request.user, policy.ADD, FosterParent)
        parent = FosterParent()
    else:
        parent = policy.get_object_or_404(request.user, FosterParent, pk=pk)
    form = FosterParentForm(request.POST or None, instance=parent, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_foster_parent(
                request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("genting:index")
    return render(
        request,
        "genting/parent_form.html",
        {
            "form": form,
            "parent": parent if pk else None,
            "can_change": policy.can(request.user, policy.CHANGE, parent) if pk else True,
            "matches": parent.matches.select_related("desa") if pk else [],
        },
    )


def _target(user, key: str):
    kind, _sep, pk = key.partition("-")
    model = {"family": Family, "child": Child}.get(kind)
    if model is None or not pk.isdigit():
        raise Http404
    return kind, policy.get_object_or_404(user, model, pk=int(pk))


@login_required
def suggestion_list(request):
    policy.require(request.user, policy.ADD, FosterMatch)
    include_helped = request.GET.get("all", request.GET.get("semua")) == "1"  # semua: older links
    form = None
    if request.method == "POST":
        form = MatchForm(request.POST, actor=request.user)
        if form.is_valid():
            kind, target = _target(request.user, form.cleaned_data["target"])
            chosen = next(
                (
                    c
                    for c in suggestions(request.user, desa_code=target.desa_id, include_helped=True)
                    if c.key == form.cleaned_data["target"]
                ),
                None,
            )
            try:
                match = actions.do_match(
                    request.user,
                    form.cleaned_data["foster_parent"],
                    **{kind: target},
                    start_date=form.cleaned_data["start_date"],
                    shared_fields=form.cleaned_data["shared_fields"],
                    rematch_reason=form.cleaned_data["rematch_reason"],
                    priority=chosen.score if chosen else 0,
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("The match is confirmed."))
                return redirect("genting:match", pk=match.pk)
    candidates = suggestions(request.user, include_helped=include_helped, limit=100)
    blank = MatchForm(actor=request.user)
    # The blank form is drawn once per candidate: its foster-parent choices are read once here.
    blank.fields["foster_parent"].choices = list(blank.fields["foster_parent"].choices)
    return render(
        request,
        "genting/suggestions.html",
        {
            "candidates": candidates,
            "form": form,
            "blank": blank,
            "include_helped": include_helped,
            "failed_target": form.data.get("target") if form is not None else "",
        },
    )


def _match(request, pk) -> FosterMatch:
    return policy.get_object_or_404(
        request.user, FosterMatch.objects.select_related("foster_parent", "family", "child", "desa"), pk=pk
    )


@login_required
def match_detail(request, pk, help_form=None, shared_form=None, end_form=None):
    match = _match(request, pk)
    can_change = policy.can(request.user, policy.CHANGE, match)
    can_help = match.status == MatchStatus.ACTIVE and policy.can(request.user, policy.ADD, Help(match=match))
    help_rows = list(match.help_given.select_related("recorded_by"))
    evidence = {h.pk: list(UploadedDocument.for_object(h)) for h in help_rows}
    result = outcome(match)
    return render(
        request,
        "genting/match_detail.html",
        {
            "match": match,
            "help_rows": [(h, evidence[h.pk]) for h in help_rows],
            "help_total": sum(h.value for h in help_rows),
            "outcome": result,
            "outcome_svg": result.svg() if result and result.points else "",
            "earlier": actions.earlier_matches(family=match.family, child=match.child).exclude(pk=match.pk),
            "shared": shared_facts(match, today=timezone.localdate()),
            "can_change": can_change,
            "help_form": help_form or (HelpForm() if can_help else None),
            "shared_form": shared_form
            or (SharedFieldsForm(initial={"shared_fields": match.shared_fields}) if can_change else None),
            "end_form": end_form or (EndForm() if can_change and match.status == MatchStatus.ACTIVE else None),
        },
    )


def _act_on_match(request, pk, form, act, *, form_name: str, message: str = ""):
    """POST handlers of the match page: validate ``form``, run ``act(match, data)`` (an
    action), and either go back to the page or show it again with the errors."""
    match = _match(request, pk)
    if form.is_valid():
        try:
            act(match, form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, message or _("Saved."))
            return redirect("genting:match", pk=match.pk)
    return match_detail(request, pk, **{form_name: form})


@login_required
@require_POST
def record_help(request, pk):
    def act(match, data):
        actions.do_record_help(
            request.user,
            match,
            kind=data["kind"],
            value=data["value"],
            date=data["date"],
            description=data["description"],
            evidence=data["evidence"],
        )

    return _act_on_match(
        request,
        pk,
        HelpForm(request.POST, request.FILES),
        act,
        form_name="help_form",
        message=_("The help is recorded."),
    )


@login_required
@require_POST
def set_shared(request, pk):
    def act(match, data):
        actions.do_set_shared_fields(request.user, match, data["shared_fields"])

    return _act_on_match(request, pk, SharedFieldsForm(request.POST), act, form_name="shared_form")


@login_required
@require_POST
def end_match(request, pk):
    def act(match, data):
        actions.do_end_match(request.user, match, end_date=data["end_date"], reason=data["reason"])

    return _act_on_match(request, pk, EndForm(request.POST), act, form_name="end_form")


@login_required
def sheet(request, pk, fmt="pdf"):
    """The foster parent's information sheet (shared fields only); the secretariat hands it on."""
    match = _match(request, pk)
    policy.require(request.user, policy.CHANGE, match)
    return document_response(information_sheet(match, today=timezone.localdate()), fmt)


@login_required
def bupati(request):
    policy.require(request.user, policy.VIEW, FosterMatch)
    return render(request, "genting/bupati.html", {"s": summary(request.user)})


@login_required
def bupati_document(request, fmt="pdf"):
    """The Bupati's page as a meeting handout, with the district's kop: the same figures, scoped
    to the user (a superuser: the district the region picker focuses on)."""
    policy.require(request.user, policy.VIEW, FosterMatch)
    kabupaten = kabupaten_of(request)
    area = None if policy.is_global(request.user) else Wilayah.objects.filter(code=request.user.wilayah_id).first()
    s = summary(request.user, kabupaten=kabupaten.code)
    return document_response(summary_document(s, kabupaten, area, timezone.localdate()), fmt)
