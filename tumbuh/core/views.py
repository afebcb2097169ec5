import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.organisation.models import Posyandu, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from . import focus as focus_module
from .navigation import aksi_links


@login_required
def home(request):
    focus = focus_module.get_focus(request)
    posyandu = policy.visible(request.user, Posyandu.objects.all())
    puskesmas = policy.visible(request.user, Puskesmas.objects.all())
    desa = policy.visible(request.user, Wilayah.objects.filter(level=Level.DESA))
    if focus is not None:
        posyandu = posyandu.filter(Wilayah.subtree_q(focus.code, "desa__"))
        desa = desa.filter(Wilayah.subtree_q(focus.code))
        puskesmas = puskesmas.filter(Wilayah.subtree_q(focus.code, "desa__")).distinct()
    return render(
        request,
        "core/home.html",
        {
            "counts": {
                "desa": desa.count(),
                "puskesmas": puskesmas.count(),
                "posyandu": posyandu.count(),
            },
            "actions": aksi_links(request.user),
            "districts": focus_module.province_districts(request.user),
            "today": timezone.localdate(),  # the open action items say which are overdue
        },
    )


@login_required
@require_POST
def set_focus(request):
    if not focus_module.set_focus(request, request.POST.get("wilayah", "")):
        raise PermissionDenied(_("That region is outside your area."))
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(_safe_next(request) or "home")


def _safe_next(request) -> str:
    """The form's ``next`` if it is a page of this site (as the login view checks), else ""."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# ---------------------------------------------------------------- error pages
#
# 403, 404: Django's own views render 403.html and 404.html with the request (the layout, the
# menu). 500: Django's own view renders 500.html with no context and no database, unless the
# database itself is unreachable: then 503.html, as plain. 400 and a refused form (CSRF) are
# Tumbuh's: the same layout, the same language.


def _back(request) -> str:
    """The page the user came from, if it is one of Tumbuh's, else ""."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return ""


def _error_page(request, template: str, status: int, context: dict) -> HttpResponse:
    try:
        body = loader.render_to_string(template, context, request)
    except DisallowedHost:  # a request for a host Tumbuh does not serve: the page without request context
        body = loader.render_to_string(template, context)
    return HttpResponse(body, status=status)


def server_error(request):
    """500, or 503 when the database could not be reached (a restart, a dropped connection):
    then the page says it is brief and to try again. Like Django's own 500 view, it renders
    without the request's context and runs no query; the error is logged by Django."""
    if _database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return defaults.server_error(request)


def _database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) is the database refusing or losing the
    connection: an ``OperationalError`` or ``InterfaceError`` from the database layer."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def bad_request(request, exception=None):
    """400: a request Tumbuh cannot read (a host it does not serve, a malformed form)."""
    return _error_page(request, "400.html", 400, {})


def csrf_failure(request, reason=""):
    """403 for a form Tumbuh refused to take (``CSRF_FAILURE_VIEW``): usually a page left open
    until the session ended, or a browser that keeps no cookies. Says which, in the user's
    language, and links back to the page the form came from."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    if reason == REASON_NO_CSRF_COOKIE:
        message = _(
            "Your browser did not send Tumbuh's cookie, so the form was not accepted. Allow cookies for "
            "this site, open the page again and send the form once more."
        )
    else:
        message = _(
            "The form was not accepted: the page was open for too long, or your session ended in the "
            "meantime. Nothing from it was saved. Open the page again and send the form once more."
        )
    return _error_page(request, "403.html", 403, {"exception": message, "back": _back(request), "form_refused": True})
