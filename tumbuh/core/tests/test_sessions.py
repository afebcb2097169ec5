"""A page view writes nothing (issue 15): on SQLite every write waits for the others, an
import's final write too, so a logged-in page that wrote (the session saved on every request,
a last-seen stamp) would wait for it or fail. The session is saved only when it changes, and
``SlidingSessionMiddleware`` keeps the 8-hour idle timeout sliding with a write every few minutes."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import Resolver404, resolve
from django.utils import timezone
from lxml import html as lxml_html

from tumbuh.core.middleware import _REFRESHED, SESSION_REFRESH_SECONDS
from tumbuh.imports.guards import reads_only

pytestmark = pytest.mark.django_db

SKIP_PATH = re.compile(
    r"^/(keluar|logout|i18n|admin|static|media|fokus)/|\.(pdf|csv|xlsx|xls|zip|json|geojson|png|svg|docx)$"
    r"|/(unduh|download|ekspor|export|pdf|csv|xlsx|excel|zip|geojson|berkas|file)(/|$)"
)
MAX_PAGES = 40


def _walk(client, limit: int = MAX_PAGES) -> list[str]:
    """GET the home page and the pages it links to, one address per URL pattern, breadth first."""
    seen_routes, visited, queue = set(), [], deque(["/"])
    while queue and len(visited) < limit:
        path = queue.popleft()
        try:
            route = resolve(urlsplit(path).path).route
        except Resolver404:
            continue
        if route in seen_routes:
            continue
        seen_routes.add(route)
        response = client.get(path)
        visited.append(path)
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in lxml_html.fromstring(response.content).xpath("//a/@href"):
            target = urlsplit(urljoin(path, href))
            if target.netloc or not target.path.startswith("/") or SKIP_PATH.search(target.path):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return visited


@pytest.mark.parametrize("role", ["alice", "bob"])
def test_a_logged_in_page_view_writes_nothing(client, role, request):
    client.force_login(request.getfixturevalue(role))
    # The first walk may write what is written once, not per view: the session's first stamp
    # (see below), dashboard figures made stale by the demo's data (``ensure_fresh``).
    visited = _walk(client)
    assert len(visited) > 15, visited  # the walk reached the menus
    with reads_only("A page view"):  # any INSERT, UPDATE or DELETE raises here
        for path in visited:
            assert client.get(path).status_code in (200, 302, 403, 404), path


def _expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_idle_timeout_still_slides_with_a_write_every_few_minutes(client, alice):
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    client.force_login(alice)
    client.get("/")
    first = _expiry(client)
    assert first > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    client.get("/anak/")
    assert _expiry(client) == first  # within the few minutes: not saved again

    session = client.session  # as if the last save was longer ago than the refresh interval
    session[_REFRESHED] -= SESSION_REFRESH_SECONDS + 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=first - dt.timedelta(hours=1))
    client.get("/anak/")
    assert _expiry(client) > first - dt.timedelta(minutes=1)  # moved on by the page view


def test_an_idle_session_ends(client, alice):
    client.force_login(alice)
    client.get("/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/anak/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_logging_out_leaves_no_session_behind(client, alice):
    client.force_login(alice)
    client.get("/")
    key = client.session.session_key
    client.post("/keluar/")
    assert not Session.objects.filter(session_key=key).exists()
    assert Session.objects.count() == 0  # the middleware did not stamp the flushed session into a new one
