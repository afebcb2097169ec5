"""The offline entry page, its service worker and its web app manifest.

The page (``/anak/kunjungan/luring/``) is rendered by Django in the normal layout, but what it
shows is built by ``static/offline/app.js`` from IndexedDB: the package of children the user may
see (``GET /api/luring/paket/``) and the records entered on the phone, sent with
``POST /api/luring/sinkron/``. Everything the script says is translated here and passed in the
page with ``json_script`` (the Content-Security-Policy allows no inline script).

The service worker (``sw.js``, scope ``/anak/kunjungan/``) caches the page, its scripts and
styles, the WHO tables and the manifest; its version is a hash of those files, so a deploy that
changes any of them installs a new worker, which fetches them again. It never caches an API
answer: children's data lives in IndexedDB only, cleared at logout (``Clear-Site-Data``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tumbuh.accounts import policy
from tumbuh.measurements.models import Child, Measurement
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from .phone import phone_texts
from .tables import tables_url
from .texts import page_texts

#: Where the service worker works: the posyandu entry's pages (``measurements:visit_start`` and below).
SCOPE = "/anak/kunjungan/"

#: The static files of the page, in the order the page loads them: the service worker caches them,
#: and their contents make its version.
SCRIPTS = (
    "vendor/idb-keyval/idb-keyval.umd.js",
    "offline/growth.js",
    "offline/checks.js",
    "offline/app.js",
)
STYLES = ("tumbuh/tumbuh.css", "measurements/measurements.css", "offline/offline.css")
ICONS = ("offline/icon-192.png", "offline/icon-512.png", "offline/icon.svg")
#: What base.html loads on every page (the layout around the offline page).
LAYOUT = ("vendor/htmx/htmx.min.js", "tumbuh/tumbuh.js", "offline/logout.js", "tumbuh/favicon.svg")
ASSETS = (*STYLES, *LAYOUT, *SCRIPTS, *ICONS)


def _api(name: str, path: str) -> str:
    """The sync API's address ``name`` (``offline:<name>``), else where the contract puts it."""
    try:
        return reverse(f"offline:{name}")
    except NoReverseMatch:
        return f"{get_script_prefix()}api/luring/{path}"


def _tables_hash() -> str:
    return tables_url().rsplit("/", 1)[-1]


def _asset_bytes(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        return b""
    with open(found, "rb") as f:
        return f.read()


def _compute_version() -> str:
    digest = hashlib.sha256()
    for path in ASSETS:
        digest.update(path.encode() + b"\0" + _asset_bytes(path) + b"\0")
    for template in ("offline/sw.js", "offline/entry.html"):
        digest.update(get_template(template).template.source.encode())
    digest.update(_tables_hash().encode())
    return digest.hexdigest()[:16]


_cached_version = cache(_compute_version)


def version() -> str:
    """The service worker's version: changes when any file it caches changes (recomputed on
    each request while developing, once per process otherwise: a deploy restarts it)."""
    return _compute_version() if settings.DEBUG else _cached_version()


def _scope_choices(user) -> dict:
    """The desa and posyandu the user may take a package of: one desa for a desa operator (their
    own, ``fixed``), those of their area for anyone above."""
    desa = list(
        policy.visible(user, Wilayah.objects.filter(level=Level.DESA)).order_by("name").values_list("code", "name")
    )
    posyandu = list(
        policy.visible(user, Posyandu.objects.filter(is_active=True))
        .order_by("name")
        .values_list("pk", "name", "desa_id")
    )
    own = user.wilayah if user.wilayah_id and user.wilayah.level == Level.DESA else None
    return {
        "fixed": {"kind": "desa", "id": own.code, "name": own.name} if own else None,
        "desa": [{"id": code, "name": name} for code, name in desa],
        "posyandu": [{"id": pk, "name": name, "desa_id": desa_id} for pk, name, desa_id in posyandu],
    }


@login_required
@require_GET
def entry(request):
    """The offline posyandu entry page (it works online too, sending at once)."""
    policy.require(request.user, policy.ADD, Measurement)
    user = request.user
    config = {
        "user": user.pk,
        "username": user.get_username(),
        "language": get_language(),
        "decimal": get_format("DECIMAL_SEPARATOR", get_language(), use_l10n=True),
        "nik_search": policy.can_see_nik(user),
        "can_register": policy.can(user, policy.ADD, Child),
        "scope": _scope_choices(user),
        "urls": {
            "package": _api("package", "paket/"),
            "sync": _api("sync", "sinkron/"),
            "choose": _api("choose", "pilih/"),
            "session": reverse("luring:session"),
            "sw": reverse("luring:sw"),
            "tables": tables_url(),
            "child": reverse("measurements:child", args=["TUMBUH_ID"]),
            "login": reverse("login"),
        },
        "sw_scope": f"{get_script_prefix()}{SCOPE.lstrip('/')}",
        "texts": page_texts(),
    }
    return render(
        request,
        "offline/entry.html",
        {"config": config, "phone_texts": phone_texts(), "scripts": SCRIPTS},
    )


@require_GET
def session(request):
    """Who is logged in and a fresh CSRF token, for the page before it sends (a page served from
    the cache may hold an old token). 401 when nobody is: the page asks to log in again."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("You are not logged in: log in again to send.")}, status=401)
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})


@require_GET
def service_worker(request):
    """The service worker: no data, so anyone may fetch it (the browser checks it for updates)."""
    page = reverse("luring:entry")
    config = {
        "version": version(),
        "page": page,
        "scope": f"{get_script_prefix()}{SCOPE.lstrip('/')}",
        "assets": [static(path) for path in ASSETS] + [tables_url(), reverse("luring:manifest")],
        "api": f"{get_script_prefix()}api/",
        "timeout_ms": 4000,
    }
    body = render_to_string("offline/sw.js", {"config": json.dumps(config, indent=1)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = config["scope"]
    # Always asked again: a new deploy reaches the phone the next time it has signal. (no-store too,
    # as on every page here: core.middleware.NoStoreMiddleware keeps a header that says it.)
    response["Cache-Control"] = "no-cache, no-store, private"
    return response


@require_GET
def manifest(request):
    """The web app manifest: the page on the phone's home screen. Browsers fetch it without
    cookies, so it holds no data and needs no login (Indonesian unless the language cookie says)."""
    icons = [
        {"src": static("offline/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any maskable"},
        {"src": static("offline/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        {"src": static("offline/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    data = {
        "name": _("Tumbuh: posyandu visits without signal"),
        "short_name": _("Tumbuh posyandu"),
        "description": _("Weigh and measure children at the posyandu, with or without signal."),
        "lang": get_language(),
        "start_url": reverse("luring:entry"),
        "scope": f"{get_script_prefix()}{SCOPE.lstrip('/')}",
        "display": "standalone",
        "background_color": "#f7f8f9",
        "theme_color": "#1d6b4f",
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
