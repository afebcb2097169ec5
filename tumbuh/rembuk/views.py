"""Rembuk pages: thin views over ``actions`` (which ask the policy, validate and audit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.official import document_response

from . import actions, documents
from .forms import AgreeForm, EventForm, InviteeForm, ScanForm
from .models import Invitee, RembukEvent


def _event(request, pk) -> RembukEvent:
    return policy.get_object_or_404(request.user, RembukEvent.objects.select_related("wilayah"), pk=pk)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def event_list(request):
    events = policy.visible(request.user, RembukEvent.objects.select_related("wilayah"))
    return render(
        request,
        "rembuk/event_list.html",
        {
            "events": events,
            "can_add": policy.can(request.user, policy.ADD, RembukEvent),
        },
    )


@login_required
def event_edit(request, pk=None):
    if pk is None:
        policy.require(request.user, policy.ADD, RembukEvent)
        event = RembukEvent()
    else:
        event = _event(request, pk)
        policy.require(request.user, policy.CHANGE, event)
    form = EventForm(request.POST or None, instance=event, actor=request.user, invite=pk is None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_event(
                request.user,
                form.save(commit=False),
                reason=form.cleaned_data.get("reason", ""),
                invite=form.cleaned_data.get("invite", False),
            )
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("rembuk:detail", pk=event.pk)
    return render(request, "rembuk/event_form.html", {"form": form, "event": event if pk else None})


@login_required
def event_detail(request, pk):
    event = _event(request, pk)
    can_change = policy.can(request.user, policy.CHANGE, event)
    participants = sorted(event.invitees.select_related("opd", "desa"), key=lambda p: p.sort_key)
    return render(
        request,
        "rembuk/event_detail.html",
        {
            "event": event,
            "can_change": can_change,
            "participants": participants,
            "attended": sum(p.attended for p in participants),
            "participant_form": InviteeForm(actor=request.user, event=event) if can_change else None,
            "agree_form": AgreeForm() if can_change else None,
            "scan_form": ScanForm() if can_change else None,
            "plans": event.plans.all(),
            "scans": UploadedDocument.for_object(event),
            "missing_scans": actions.missing_scans(event),
            "materials": event.materials,
            "document_kinds": documents.kind_labels(),
        },
    )


def _post_action(request, pk, run, success: str):
    """Run ``run(event)`` for a POST on the event's page, then back to the page."""
    event = _event(request, pk)
    try:
        run(event)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, success)
    return redirect("rembuk:detail", pk=event.pk)


@login_required
@require_POST
def invite(request, pk):
    return _post_action(
        request, pk, lambda e: actions.invite_defaults(request.user, e), _("Participants invited from the lists.")
    )


@login_required
@require_POST
def attendance(request, pk):
    return _post_action(
        request,
        pk,
        lambda e: actions.do_record_attendance(request.user, e, request.POST.getlist("attended")),
        _("Attendance saved."),
    )


@login_required
@require_POST
def freeze(request, pk):
    return _post_action(
        request,
        pk,
        lambda e: actions.do_freeze_materials(request.user, e, now=timezone.now()),
        _("The Aksi 1 and Aksi 2 materials are frozen as presented."),
    )


@login_required
@require_POST
def agree(request, pk):
    form = AgreeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _post_action(
        request,
        pk,
        lambda e: actions.do_agree_plan(request.user, e, note=note),
        _("The plan is agreed as a new version."),
    )


@login_required
def participant_edit(request, pk, participant_pk=None):
    event = _event(request, pk)
    if participant_pk is None:
        participant = Invitee(event=event)
    else:
        participant = policy.get_object_or_404(request.user, Invitee, pk=participant_pk, event=event)
    policy.require(request.user, policy.ADD if participant_pk is None else policy.CHANGE, participant)
    form = InviteeForm(request.POST or None, instance=participant, actor=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_participant(
                request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as e:
            _errors(request, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("rembuk:detail", pk=event.pk)
    return render(request, "rembuk/participant_form.html", {"form": form, "event": event, "participant": participant})


@login_required
@require_POST
def participant_delete(request, pk, participant_pk):
    event = _event(request, pk)
    participant = policy.get_object_or_404(request.user, Invitee, pk=participant_pk, event=event)
    return _post_action(
        request,
        pk,
        lambda e: actions.do_remove_participant(request.user, participant, reason=_("Removed from the invitation")),
        _("Removed."),
    )


@login_required
def document(request, pk, kind, fmt):
    event = _event(request, pk)
    if kind not in documents.KINDS:
        raise Http404
    return document_response(documents.build(event, kind), fmt)


@login_required
@require_POST
def upload(request, pk):
    event = _event(request, pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}")
        return redirect("rembuk:detail", pk=event.pk)
    return _post_action(
        request,
        pk,
        lambda e: actions.do_upload_scan(
            request.user,
            e,
            file=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            now=timezone.now(),
            reason=form.cleaned_data.get("reason", ""),
        ),
        _("The signed document is filed."),
    )
