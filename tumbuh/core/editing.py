"""Adding and changing one object through a form, for any app: the one edit view, and the one
way to show an action's ``ValidationError`` on a form (``add_errors``).

The form shows errors it cannot place beside a field above its fields: ``{{ form.as_p }}``
does so itself, a page that lays out the fields by hand includes ``core/_form_errors.html``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ``ValidationError`` on the form: on the field it names when the form
    has that field, else above the form. (``form.add_error(None, e)`` raises ValueError for
    an error naming a field the form lacks.)"""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def edit(
    request,
    model,
    form_class,
    pk=None,
    *,
    template: str,
    done,
    context=None,
    initial=None,
    reason_field: str = "reason",
):
    """Add a ``model`` (``pk`` None) or change the one with ``pk``, through ``form_class`` (a
    model form taking ``actor``; ``m2m()``, when it has one, gives the many-to-many values).

    404 for an object outside the user's area, 403 for adding or saving what the policy does
    not allow; a user who may only look sees the form disabled. The object must be the user's
    before and after the change: ``do_save`` asks the policy about both, and its refusal of
    the changed object becomes the form's error "That would place it outside your area."
    Saved, the user goes to ``done`` (anything ``redirect`` takes). ``template`` gets ``form``,
    ``object`` (None when adding), ``can_change``, ``can_delete`` and ``context``."""
    user = request.user
    if pk is None:
        policy.require(user, policy.ADD, model)
        obj = model()
    else:
        obj = policy.get_object_or_404(user, model, pk=pk)
        if request.method == "POST":
            policy.require(user, policy.CHANGE, obj)
    can_change = pk is None or policy.can(user, policy.CHANGE, obj)
    form = form_class(request.POST or None, instance=obj, actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        m2m = form.m2m() if hasattr(form, "m2m") else None
        try:
            do_save(user, edited, m2m=m2m, reason=form.cleaned_data.get(reason_field, ""))
        except PermissionDenied:  # the user's before (asked above), so not after the change
            form.add_error(None, _("That would place it outside your area."))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(done)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        template,
        {
            **(context or {}),
            "form": form,
            "object": obj if pk is not None else None,
            "can_change": can_change,
            "can_delete": pk is not None and policy.can(user, policy.DELETE, obj),
        },
    )
