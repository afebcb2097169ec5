"""Meeting pages: thin views over ``actions``, ``attendance`` and ``documents``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.documents.official import document_response, indonesian_date
from tumbuh.organisation.forms import DeleteForm

from . import actions, forms
from .attendance import attendance, attendance_xlsx, qr_svg
from .documents import KINDS, build
from .models import ActionItem, Attendee, ProgressNote, Rapat, carry_over
from .permissions import may_reopen

SEARCH_LIMIT = 25


def _rapat(request, pk, action=None) -> Rapat:
    rapat = policy.get_object_or_404(request.user, Rapat.objects.select_related("tpps__wilayah"), pk=pk)
    if action:
        policy.require(request.user, action, rapat)
    return rapat


def _lock(request, rapat, today) -> dict:
    """What a meeting page shows of the lock: whether it is locked and why, whether the user may
    change the meeting now (``editable``), and reopen or close it."""
    can_change = policy.can(request.user, policy.CHANGE, rapat)
    refusal = actions.lock_refusal(rapat, today)
    return {
        "can_change": can_change,
        "locked": bool(refusal),
        "lock_reason": refusal,
        "editable": can_change and not refusal,
        "can_reopen": may_reopen(request.user, rapat),
        "reopen_form": forms.ReopenForm(),
    }


def _error(request, e: ValidationError) -> None:
    messages.error(request, " ".join(e.messages))


@login_required
def rapat_list(request):
    meetings = policy.visible(request.user, Rapat.objects.select_related("tpps__wilayah"))
    return render(
        request,
        "rapat/list.html",
        {
            "meetings": meetings[:200],
            "can_add": policy.can(request.user, policy.ADD, Rapat),
            "today": timezone.localdate(),
        },
    )


@login_required
def rapat_edit(request, pk=None):
    rapat = _rapat(request, pk, policy.CHANGE) if pk else Rapat()
    if pk is None:
        policy.require(request.user, policy.ADD, Rapat)
    today = timezone.localdate()
    lock = _lock(request, rapat, today) if pk else {"locked": False}
    form = forms.RapatForm(request.POST or None, instance=rapat, actor=request.user, locked=lock["locked"])
    if request.method == "POST" and form.is_valid():
        invited = attendance(rapat).invited if pk else 0
        try:
            rapat = actions.do_save_rapat(
                request.user, form.instance, today=today, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            added = attendance(rapat).invited - invited
            messages.success(request, _("Saved.") + (" " + _("%(n)d invitees added.") % {"n": added} if added else ""))
            return redirect("rapat:detail", pk=rapat.pk)
    return render(request, "rapat/edit.html", {"form": form, "rapat": rapat if pk else None, **lock})


@login_required
def rapat_detail(request, pk):
    rapat = _rapat(request, pk)
    lock = _lock(request, rapat, timezone.localdate())
    sees_people = policy.can(request.user, policy.VIEW, Attendee)  # not the province: counts only
    return render(
        request,
        "rapat/detail.html",
        {
            "rapat": rapat,
            **lock,
            "attendance": attendance(rapat),
            "carried": carry_over(rapat),
            "decisions": rapat.decisions.all(),
            "items": rapat.action_items.select_related("owner_opd", "owner_wilayah", "decision"),
            "decision_form": forms.DecisionForm(rapat=rapat) if lock["editable"] else None,
            "minutes_form": forms.MinutesForm(instance=rapat) if lock["editable"] else None,
            "document_kinds": [
                ("undangan", _("Invitation")),
                *([("daftar-hadir", _("Attendance list"))] if sees_people else []),
                ("notulen", _("Minutes")),
            ],
            "sees_people": sees_people,
        },
    )


@login_required
@require_POST
def reopen(request, pk):
    """The district admin reopens a locked meeting, with a reason."""
    rapat = _rapat(request, pk)
    form = forms.ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the meeting is reopened."))
        actions.do_reopen(request.user, rapat, reason=form.cleaned_data["reason"], today=timezone.localdate())
    except ValidationError as e:
        _error(request, e)
    else:
        messages.success(
            request, _("The meeting is reopened: its attendance and minutes can be changed until it is closed again.")
        )
    return redirect("rapat:detail", pk=rapat.pk)


@login_required
@require_POST
def close(request, pk):
    """Close a reopened meeting again."""
    rapat = _rapat(request, pk)
    try:
        actions.do_close(request.user, rapat, today=timezone.localdate(), reason=request.POST.get("reason", ""))
    except ValidationError as e:
        _error(request, e)
    else:
        messages.success(request, _("The meeting is closed again."))
    return redirect("rapat:detail", pk=rapat.pk)


@login_required
@require_POST
def decision_add(request, pk):
    rapat = _rapat(request, pk, policy.CHANGE)
    form = forms.DecisionForm(request.POST, rapat=rapat)
    if form.is_valid():
        try:
            actions.do_record_decision(
                request.user, rapat, form.cleaned_data["text"], item=form.action_item(), today=timezone.localdate()
            )
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
        else:
            messages.success(request, _("The decision is recorded."))
    else:
        messages.error(
            request,
            "; ".join(
                f"{form.fields[f].label if f in form.fields else ''}: {' '.join(errs)}"
                for f, errs in form.errors.items()
            ),
        )
    return redirect("rapat:detail", pk=rapat.pk)


@login_required
@require_POST
def minutes_save(request, pk):
    rapat = _rapat(request, pk, policy.CHANGE)
    form = forms.MinutesForm(request.POST, instance=rapat)
    if form.is_valid():
        try:
            actions.do_save_rapat(
                request.user, form.instance, today=timezone.localdate(), reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as e:
            _error(request, e)
        else:
            messages.success(request, _("Saved."))
    return redirect("rapat:detail", pk=rapat.pk)


# ---------------------------------------------------------------- participants and attendance


@login_required
def participants(request, pk):
    rapat = _rapat(request, pk)
    policy.require(request.user, policy.VIEW, Attendee)  # the names and phones of people: not the province's
    today = timezone.localdate()
    lock = _lock(request, rapat, today)
    form = forms.AttendeeForm(request.POST or None, instance=Attendee(rapat=rapat), actor=request.user)
    invite = forms.InviteForm(initial={"groups": rapat.invited_groups})
    if request.method == "POST":
        policy.require(request.user, policy.CHANGE, rapat)
        try:
            if "groups" in request.POST:
                invite = forms.InviteForm(request.POST)
                if invite.is_valid():
                    n = actions.do_invite_from_registry(request.user, rapat, invite.cleaned_data["groups"], today=today)
                    messages.success(request, _("%(n)d invitees added.") % {"n": n})
                    return redirect("rapat:participants", pk=rapat.pk)
            elif form.is_valid():
                actions.do_add_participant(
                    request.user, form.instance, today=today, reason=form.cleaned_data.get("reason", "")
                )
                messages.success(request, _("Saved."))
                return redirect("rapat:participants", pk=rapat.pk)
        except ValidationError as e:
            _error(request, e)
            return redirect("rapat:participants", pk=rapat.pk)
    people = Attendee.objects.filter(rapat=rapat)
    return render(
        request,
        "rapat/participants.html",
        {
            "rapat": rapat,
            "people": people,
            "form": form,
            "invite": invite,
            **lock,
            "attendance": attendance(rapat),
        },
    )


@login_required
def participant_edit(request, pk, participant_pk):
    """Correct an invitee (e.g. the person's name instead of the office) or undo a check-in."""
    rapat = _rapat(request, pk, policy.CHANGE)
    participant = policy.get_object_or_404(request.user, Attendee, pk=participant_pk, rapat=rapat)
    today = timezone.localdate()
    lock = _lock(request, rapat, today)
    form = forms.AttendeeForm(request.POST or None, instance=participant, actor=request.user)
    if lock["locked"]:
        for field in form.fields.values():
            field.disabled = True
    try:
        if request.method == "POST" and "undo_check_in" in request.POST:
            actions.do_undo_check_in(
                request.user, participant, reason=request.POST.get("reason") or _("check-in undone"), today=today
            )
            messages.success(request, _("The check-in of %(name)s is undone.") % {"name": participant.name})
            return redirect("rapat:participants", pk=rapat.pk)
        if request.method == "POST" and form.is_valid():
            actions.do_add_participant(
                request.user, form.instance, today=today, reason=form.cleaned_data.get("reason", "")
            )
            messages.success(request, _("Saved."))
            return redirect("rapat:participants", pk=rapat.pk)
    except ValidationError as e:
        add_errors(form, e)
    return render(
        request,
        "rapat/participant_edit.html",
        {
            "rapat": rapat,
            "participant": participant,
            "form": form,
            **lock,
            "can_delete": policy.can(request.user, policy.DELETE, participant) and not lock["locked"],
        },
    )


@login_required
def participant_delete(request, pk, participant_pk):
    """Confirm, then (POST) take a participant off the list with a reason."""
    rapat = _rapat(request, pk)
    participant = policy.get_object_or_404(request.user, Attendee, pk=participant_pk, rapat=rapat)
    policy.require(request.user, policy.DELETE, participant)
    form = DeleteForm(request.POST or None)
    back = reverse("rapat:participant_edit", args=[rapat.pk, participant.pk])
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_remove_participant(request.user, participant, reason=form.cleaned_data["reason"], today=today)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s is removed from the list.") % {"name": participant.name})
            return redirect("rapat:participants", pk=rapat.pk)
    return render(
        request,
        "core/confirm_delete.html",
        {
            "heading": _("Remove %(name)s from the list?") % {"name": participant.name},
            "lines": [
                f"{participant.get_group_display()} · {participant.position} {participant.organisation}".strip(" ·"),
                _("%(title)s, %(date)s. The invitation and attendance counts are counted again without them.")
                % {"title": rapat.title, "date": indonesian_date(rapat.date)},
            ],
            "refusal": actions.removal_refusal(participant, today),
            "form": form,
            "back": back,
        },
    )


@login_required
def check_in_page(request, pk):
    rapat = _rapat(request, pk, policy.CHANGE)
    now = timezone.now()
    walk_in = forms.AttendeeForm(
        request.POST or None, instance=Attendee(rapat=rapat, invited=False), actor=request.user
    )
    if request.method == "POST" and walk_in.is_valid():
        try:
            with transaction.atomic():  # registered and checked in, or neither
                participant = actions.do_add_participant(
                    request.user, walk_in.instance, today=timezone.localdate(now), reason=_("walk-in")
                )
                actions.do_check_in(request.user, participant, at=now)
        except ValidationError as e:
            _error(request, e)
        else:
            messages.success(request, _("%(name)s is registered and checked in.") % {"name": participant.name})
        return redirect("rapat:check_in", pk=rapat.pk)
    return render(
        request,
        "rapat/check_in.html",
        {
            "rapat": rapat,
            "attendance": attendance(rapat),
            "walk_in": walk_in,
            "code_form": forms.CodeForm(),
            **_lock(request, rapat, timezone.localdate(now)),
        },
    )


def _search(rapat, q: str):
    people = Attendee.objects.filter(rapat=rapat)
    for word in q.split():
        people = people.filter(
            Q(name__icontains=word)
            | Q(organisation__icontains=word)
            | Q(position__icontains=word)
            | Q(code__iexact=word)
        )
    return people.order_by(F("checked_in_at").asc(nulls_first=True), "name")[:SEARCH_LIMIT]  # not yet in first


@login_required
def check_in_search(request, pk):
    """htmx: the participants matching the typed words, each with a check-in button."""
    rapat = _rapat(request, pk, policy.CHANGE)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "rapat/_search_results.html",
        {
            "rapat": rapat,
            "people": _search(rapat, q) if q else [],
            "q": q,
            **_lock(request, rapat, timezone.localdate()),
        },
    )


@login_required
@require_POST
def check_in(request, pk, participant_pk):
    rapat = _rapat(request, pk, policy.CHANGE)
    participant = policy.get_object_or_404(request.user, Attendee, pk=participant_pk, rapat=rapat)
    try:
        result, refusal = actions.do_check_in(request.user, participant, at=timezone.now()), ""
    except ValidationError as e:
        result, refusal = "locked", " ".join(e.messages)
        if not request.htmx:
            messages.error(request, refusal)
    if request.htmx:
        response = render(
            request,
            "rapat/_checked_in_row.html",
            {"rapat": rapat, "p": participant, "result": result, "refusal": refusal},
        )
        response["HX-Trigger"] = "attendance-changed"
        return response
    return redirect("rapat:check_in", pk=rapat.pk)


@login_required
def counts(request, pk):
    """htmx: the attendance counts, refreshed after each check-in."""
    rapat = _rapat(request, pk)
    return render(request, "rapat/_counts.html", {"rapat": rapat, "attendance": attendance(rapat)})


@login_required
@require_POST
def check_in_code(request, pk):
    """A scanned QR code (from the camera page) or a typed short code."""
    rapat = _rapat(request, pk, policy.CHANGE)
    form = forms.CodeForm(request.POST)
    refusal = ""
    try:
        result, participant = (
            actions.do_check_in_by_code(request.user, rapat, form.cleaned_data["code"], at=timezone.now())
            if form.is_valid()
            else (actions.CheckInResult.UNKNOWN, None)
        )
    except ValidationError as e:
        result, participant, refusal = "locked", None, " ".join(e.messages)
    if request.htmx or request.headers.get("X-Requested-With") == "fetch":
        response = render(
            request, "rapat/_code_result.html", {"rapat": rapat, "p": participant, "result": result, "refusal": refusal}
        )
        response["HX-Trigger"] = "attendance-changed"
        return response
    if refusal:
        messages.error(request, refusal)
    elif participant is None:
        messages.error(request, _("No participant of this meeting has that code."))
    elif result == actions.CheckInResult.ALREADY:
        messages.info(request, _("%(name)s was already checked in.") % {"name": participant.name})
    else:
        messages.success(request, _("%(name)s is checked in.") % {"name": participant.name})
    return redirect("rapat:scan" if request.POST.get("from") == "scan" else "rapat:check_in", pk=rapat.pk)


@login_required
def scan(request, pk):
    rapat = _rapat(request, pk, policy.CHANGE)
    return render(
        request,
        "rapat/scan.html",
        {
            "rapat": rapat,
            "attendance": attendance(rapat),
            "code_form": forms.CodeForm(),
            **_lock(request, rapat, timezone.localdate()),
        },
    )


@login_required
def qr_cards(request, pk):
    rapat = _rapat(request, pk)
    policy.require(request.user, policy.VIEW, Attendee)
    people = [(p, qr_svg(p)) for p in Attendee.objects.filter(rapat=rapat, invited=True)]
    return render(request, "rapat/qr_cards.html", {"rapat": rapat, "people": people})


@login_required
def document(request, pk, kind, fmt):
    rapat = _rapat(request, pk)
    if kind == "daftar-hadir":
        policy.require(request.user, policy.VIEW, Attendee)
    if kind == "daftar-hadir" and fmt == "xlsx":
        response = HttpResponse(
            attendance_xlsx(rapat, with_phone=policy.can(request.user, policy.CHANGE, rapat)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="daftar-hadir-rapat-{rapat.pk}.xlsx"'
        return response
    if kind not in KINDS:
        raise Http404
    return document_response(build(kind, rapat, today=timezone.localdate()), fmt)


# ---------------------------------------------------------------- action items


@login_required
def item_list(request):
    items = policy.visible(
        request.user, ActionItem.objects.select_related("rapat__tpps__wilayah", "owner_opd", "owner_wilayah")
    )
    show = request.GET.get("tampil", "terbuka")
    if show == "saya":
        items = items.owned_by(request.user).still_open()
    elif show == "terbuka":
        items = items.still_open()
    return render(request, "rapat/item_list.html", {"items": items[:300], "show": show, "today": timezone.localdate()})


@login_required
def item_detail(request, item_pk):
    item = policy.get_object_or_404(
        request.user,
        ActionItem.objects.select_related("rapat__tpps__wilayah", "owner_opd", "owner_wilayah"),
        pk=item_pk,
    )
    can_report = policy.can(request.user, policy.ADD, ProgressNote(item=item))
    can_change = policy.can(request.user, policy.CHANGE, item)
    form = forms.ProgressForm(
        None if "edit_item" in request.POST else (request.POST or None),
        request.FILES or None,
        initial={"date": timezone.localdate(), "status": item.status},
    )
    item_form = forms.ItemForm(request.POST if "edit_item" in request.POST else None, item=item) if can_change else None
    if request.method == "POST" and "edit_item" in request.POST:
        if item_form is None:
            raise PermissionDenied
        if item_form.is_valid():
            try:
                actions.do_save_action_item(
                    request.user, item_form.apply(), today=timezone.localdate(), reason=item_form.cleaned_data["reason"]
                )
            except ValidationError as e:
                add_errors(item_form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("rapat:item", item_pk=item.pk)
    elif request.method == "POST":
        if not can_report:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.do_report_progress(
                    request.user,
                    item,
                    text=form.cleaned_data["text"],
                    status=form.cleaned_data["status"],
                    day=form.cleaned_data["date"],
                    file=form.cleaned_data.get("file"),
                )
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Progress recorded."))
                return redirect("rapat:item", item_pk=item.pk)
    notes = [(n, list(n.documents())) for n in item.notes.select_related("author")]
    return render(
        request,
        "rapat/item_detail.html",
        {
            "item": item,
            "notes": notes,
            "form": form,
            "can_report": can_report,
            "item_form": item_form,
            "today": timezone.localdate(),
        },
    )
