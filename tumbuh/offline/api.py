"""The JSON endpoints of the offline entry (docs/offline.md): the package a phone keeps, the sync
of what it entered, and a choice in a conflict.

Session authentication as the pages; a POST needs the CSRF token in ``X-CSRFToken`` (checked
here, answered in JSON). Not logged in: 401, never a redirect to the login page. Every answer is
``Cache-Control: no-store``. A malformed request is a 400 with the reason in words, a record that
cannot be read an ``invalid`` result of its own: never a 500."""

from __future__ import annotations

import json
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role
from tumbuh.measurements.models import Measurement
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from .actions import MAX_RECORDS, do_choose, do_sync
from .models import Choice, OfflineRecord
from .package import build_package
from .permissions import may_see

NOT_LOGGED_IN = gettext_lazy("You are not logged in (or your session ended): log in again, then sync.")
CSRF_REFUSED = gettext_lazy(
    "The request was refused: the page's security token (X-CSRFToken) is missing or out of date. "
    "Open the page again while online."
)
NOT_FOUND = gettext_lazy("Not found in your area.")


def max_bytes() -> int:
    """The largest request body accepted (``TUMBUH_OFFLINE_MAX_BYTES``, default 512 KB)."""
    return int(getattr(settings, "TUMBUH_OFFLINE_MAX_BYTES", 512 * 1024))


def answer(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store, private"
    return response


def refuse(message, status: int = 400, **extra) -> JsonResponse:
    return answer({"error": str(message), **extra}, status)


class _JsonCsrf(CsrfViewMiddleware):
    """Django's CSRF check itself, answering a refusal in JSON instead of the HTML 403 page."""

    def _reject(self, request, reason):
        return refuse(CSRF_REFUSED, 403)


def api(*methods: str):
    """A JSON endpoint: the methods it answers, 401 for nobody logged in, the CSRF check on POST."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                response = refuse(_("Method not allowed."), 405)
                response["Allow"] = ", ".join(methods)
                return response
            if not request.user.is_authenticated:
                return refuse(NOT_LOGGED_IN, 401)
            refused = _JsonCsrf(lambda r: None).process_view(request, view, args, kwargs)
            if refused is not None:
                return refused
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = "no-store, private"
            return response

        return csrf_exempt(wrapper)  # the check above replaces the middleware's, in JSON

    return decorate


def _json_body(request):
    """The request's JSON object, or the ``JsonResponse`` refusing it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    too_big = refuse(
        _("The request is too large (at most %(kb)d KB): send fewer records at a time.") % {"kb": max_bytes() // 1024},
        413,
    )
    if length > max_bytes():
        return None, too_big
    try:
        body = request.body
    except RequestDataTooBig:
        return None, too_big
    if len(body) > max_bytes():
        return None, too_big

    def no_constant(name):
        raise ValueError(name)

    try:
        data = json.loads(body.decode("utf-8"), parse_constant=no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, refuse(_("The request is not valid JSON."))
    if not isinstance(data, dict):
        return None, refuse(_("The request must be a JSON object."))
    return data, None


def _may_enter(user) -> bool:
    return policy.can(user, policy.ADD, Measurement)


@api("GET")
def package(request):
    """``GET ?desa=<code>`` or ``?posyandu=<id>`` (a desa operator may give neither: their desa)."""
    user = request.user
    if not _may_enter(user):
        return refuse(policy.refusal(user, Measurement), 403)
    desa_code, posyandu_id = request.GET.get("desa", "").strip(), request.GET.get("posyandu", "").strip()
    if desa_code and posyandu_id:
        return refuse(_("Ask for one desa or one posyandu, not both."))
    if posyandu_id:
        found = posyandu_id.isdigit() and policy.visible(user, Posyandu.objects.select_related("desa")).filter(
            pk=int(posyandu_id), is_active=True
        )
        chosen = found.first() if found else None
        if chosen is None:
            return refuse(NOT_FOUND, 404)
        return _package(request, posyandu=chosen)
    if not desa_code and user.role == Role.DESA and user.wilayah_id:
        desa_code = user.wilayah_id
    if not desa_code:
        choices = policy.visible(user, Wilayah.objects.filter(level=Level.DESA)).order_by("name")
        return refuse(
            _("Choose one desa or posyandu: a package never holds more than one (?desa=<code> or ?posyandu=<id>)."),
            desa=[{"id": w.code, "name": w.name} for w in choices[:2000]],
        )
    chosen = policy.visible(user, Wilayah.objects.filter(level=Level.DESA, code=desa_code[:13])).first()
    if chosen is None:
        return refuse(NOT_FOUND, 404)
    return _package(request, desa=chosen)


def _package(request, **scope) -> JsonResponse:
    """The package, with a CSRF token for the sync that follows (the phone's page may be days old:
    a new login has changed the token since); ``get_token`` also sets the cookie."""
    data = build_package(request.user, now=timezone.now(), **scope)
    data["csrf_token"] = get_token(request)
    return answer(data)


@api("POST")
def sync(request):
    """``POST {"device", "records": [...]}`` → ``{"results": [...]}``, one result per record, in order."""
    user = request.user
    if not _may_enter(user):
        return refuse(policy.refusal(user, Measurement), 403)
    data, refused = _json_body(request)
    if refused is not None:
        return refused
    device, records = data.get("device"), data.get("records")
    if not isinstance(device, str) or not 1 <= len(device.strip()) <= 64:
        return refuse(_('The request names no "device" (the phone\'s identifier, at most 64 characters).'))
    if not isinstance(records, list):
        return refuse(_('The request has no "records" list.'))
    if len(records) > MAX_RECORDS:
        return refuse(
            _("At most %(n)d records per request: send the rest in another request.") % {"n": MAX_RECORDS}, 413
        )
    now = timezone.now()
    results = do_sync(user, device.strip(), records, now=now, today=timezone.localdate(now))
    return answer({"results": results, "server_time": now.isoformat()})


@api("POST")
def choose(request):
    """``POST {"uuid", "choice", "reason"}`` → the record's new result."""
    user = request.user
    data, refused = _json_body(request)
    if refused is not None:
        return refused
    choice, reason = data.get("choice"), data.get("reason")
    if choice not in Choice.values:
        return refuse(_("Unknown choice. Choices: %(choices)s.") % {"choices": ", ".join(Choice.values)})
    if not isinstance(reason, str) or not reason.strip():
        return refuse(_("Say why: the reason is kept in the history."))
    rec = _record(user, data.get("uuid"))
    if rec is None:
        return refuse(NOT_FOUND, 404)
    now = timezone.now()
    try:
        rec = do_choose(user, rec, choice, reason[:2000], now=now, today=timezone.localdate(now))
    except PermissionDenied as e:
        return refuse(str(e) or policy.ROLE_REFUSED, 403)
    except ValidationError as e:
        return refuse(" ".join(e.messages), 400, result=rec.result)
    return answer(rec.result)


def _record(user, given) -> OfflineRecord | None:
    import uuid as uuidlib

    try:
        key = uuidlib.UUID(str(given)) if isinstance(given, str) else None
    except ValueError:
        return None
    rec = OfflineRecord.objects.filter(uuid=key).first() if key else None
    return rec if rec is not None and may_see(user, rec) else None
