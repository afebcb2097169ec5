"""The Content-Security-Policy (issue 15): every response carries it, pages, public pages,
redirects, errors and file downloads alike, and no template needs what it forbids. The
browser test (``test_browser_csp.py``) shows that real pages raise no violation."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.core.tests.test_every_page import walk
from tumbuh.measurements.models import Child

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
TEMPLATES = Path(__file__).resolve().parents[2]

#: Templates never sent to a browser as a page, so no policy applies to them: WeasyPrint renders
#: them to PDF, or they are written into a zip.
NOT_PAGES = {
    "aksi/templates/aksi/evidence_index.html",  # the index.html inside the evidence zip
    "dashboards/templates/dashboards/pdf/base.html",
    "documents/templates/documents/official.html",
    "maps/templates/maps/pdf/map.html",
}
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "on… handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def directives(response, header=HEADER) -> dict[str, str]:
    value = response.get(header, "")
    return {
        d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in (p.strip() for p in value.split(";")) if d
    }


def strict(response) -> bool:
    found = directives(response)
    style = found.get("style-src", "").split()
    return all(found.get(k) == v for k, v in POLICY.items()) and style == [
        "'self'",
        django_settings.ERROR_PAGE_STYLE_HASH,
    ]


class Recording:
    """The test client, remembering each response the walk of every page gets."""

    def __init__(self, client):
        self.client, self.responses = client, {}

    def get(self, path, *args, **kwargs):
        self.responses[path] = response = self.client.get(path, *args, **kwargs)
        return response


def test_every_page_the_admin_reaches_sends_the_policy(client, alice):
    client.force_login(alice)
    recording = Recording(client)
    pages = walk(recording, "/")
    assert len(pages) >= 30
    missing = [path for path, r in recording.responses.items() if not strict(r)]
    assert not missing, missing


def test_public_pages_and_the_public_csv_send_the_policy(client, alice):
    from tumbuh.maps.data import rounds_with_data

    client.force_login(alice)
    period = rounds_with_data(alice.wilayah.code[:5])[0]
    assert client.post(reverse("publik:manage"), {"period": period.key, "note": ""}).status_code == 302
    client.post(reverse("logout"))

    recording = Recording(client)
    pages = walk(recording, "/publik/")
    round_pages = [p for p in pages if re.search(r"/publik/\d{2}\.\d{2}/[RMY][0-9-]+/$", p)]
    assert round_pages, sorted(pages)
    csv = client.get(round_pages[0].rstrip("/") + ".csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    for path, response in [*recording.responses.items(), ("csv", csv)]:
        assert strict(response), (path, response.get(HEADER))


def test_downloads_redirects_errors_and_the_lockout_page_send_the_policy(client, alice, settings):
    child = policy.visible(alice, Child.objects.all()).first()
    anonymous = [client.get(reverse("measurements:child", args=[child.tumbuh_id])), client.get("/tidak-ada-halaman/")]
    assert [r.status_code for r in anonymous] == [302, 404]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post(reverse("login"), {"username": "camat.malili", "password": "salah-tebak"})
    assert locked.status_code == 429

    client.force_login(alice)
    downloads = [
        client.get(reverse("dashboards:prevalence_xlsx")),
        client.get(reverse("maps:xlsx")),
        client.get(reverse("maps:data")),
        client.get(reverse("measurements:child_summary", args=[child.tumbuh_id])),
    ]
    assert [r.status_code for r in downloads] == [200] * 4
    assert downloads[0]["Content-Type"].startswith("application/vnd.openxmlformats")
    for response in [*anonymous, locked, *downloads]:
        assert strict(response), (response.status_code, response.get("Content-Type"), response.get(HEADER))


def test_the_report_only_setting_sends_the_policy_without_enforcing_it(client, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY, settings.CONTENT_SECURITY_POLICY = (
        settings.CONTENT_SECURITY_POLICY,
        None,
    )
    response = client.get(reverse("login"))
    assert HEADER not in response
    assert directives(response, HEADER + "-Report-Only")["script-src"] == "'self'"


@pytest.mark.parametrize("name", ["500.html", "503.html"])
def test_the_error_pages_inline_style_is_the_one_the_policy_allows(name):
    """The 500 and 503 pages render without static files and share one style, allowed by its hash."""
    page = (TEMPLATES / "core" / "templates" / name).read_text(encoding="utf-8")
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert django_settings.ERROR_PAGE_STYLE_HASH == f"'sha256-{digest}'", "update ERROR_PAGE_STYLE_HASH in settings.py"


def test_no_page_template_needs_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES.glob("*/templates/**/*.html")):
        name = str(path.relative_to(TEMPLATES))
        if name in NOT_PAGES or name in ("core/templates/500.html", "core/templates/503.html"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{name}: {what}" for what, pattern in INLINE.items() if pattern.search(text)]
    assert not found, "\n".join(found)


def test_the_colour_classes_are_the_maps_colours():
    from tumbuh.maps.classes import COLOURS, NO_DATA

    css = (TEMPLATES / "maps" / "static" / "maps" / "maps.css").read_text(encoding="utf-8")
    defined = dict(re.findall(r"\.fill-(\w+) \{ background: (#[0-9a-f]{6}); \}", css))
    assert defined == {**{str(i): c for i, c in enumerate(COLOURS)}, "none": NO_DATA}
