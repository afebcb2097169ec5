import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.audit.actions import do_save
from tumbuh.core.contracts import app_modules

from . import policy, throttling
from .forms import UserForm
from .models import User


class TumbuhLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shortcuts = app_modules("login_shortcuts") if settings.DEMO_MODE else ()
        if shortcuts:  # the demo's accounts (the ``login_shortcuts`` contract)
            context["demo_accounts"] = shortcuts[0].ACCOUNTS
            context["demo_password"] = shortcuts[0].PASSWORD
        return context


def locked_out(request, original_response=None, credentials=None):
    """The 429 page (Axes' ``AXES_LOCKOUT_CALLABLE``): which counter locked the login
    (``throttling``), and when to try again."""
    now = timezone.now()
    handler = AxesProxyHandler.get_implementation()
    locked = []
    if isinstance(handler, throttling.ThrottleHandler):
        locked = [c for c in handler.counters(request, credentials) if c.locked]
    # The counter that holds longest is the one the user waits for.
    latest = max(locked, key=lambda c: c.until or now, default=None)
    until = latest.until if latest else None
    cool_off = get_cool_off(request)
    return render(
        request,
        "accounts/locked_out.html",
        {
            "rule": latest.rule if latest else throttling.PAIR,
            "until": until,
            "minutes": max(1, math.ceil((until - now).total_seconds() / 60)) if until else None,
            "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


@require_POST
def logout_view(request):
    """Log out, and tell the browser to delete what it kept for this site: cached pages, and the
    offline entry page's IndexedDB, caches and service worker (children's data on a shared phone)."""
    logout(request)
    response = redirect("login")
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_required
def user_list(request):
    policy.require(request.user, policy.VIEW, User)
    users = policy.visible(request.user, User.objects.select_related("wilayah", "puskesmas", "opd"))
    return render(
        request, "accounts/user_list.html", {"users": users, "can_add": policy.can(request.user, policy.ADD, User)}
    )


@login_required
def user_edit(request, pk=None):
    if pk is None:
        user = User(wilayah=request.user.wilayah)
        policy.require(request.user, policy.ADD, User)
    else:
        user = policy.get_object_or_404(request.user, User, pk=pk)
        policy.require(request.user, policy.CHANGE, user)
    form = UserForm(request.POST or None, instance=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        if form.cleaned_data.get("new_password"):
            edited.set_password(form.cleaned_data["new_password"])
        if not policy.can(request.user, policy.CHANGE if pk else policy.ADD, edited):
            form.add_error(None, _("You may not give a user that region or role."))
        else:
            do_save(request.user, edited, reason=form.cleaned_data.get("reason", ""))
            messages.success(request, _("User saved."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "object": user if pk else None})
