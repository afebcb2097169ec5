"""The offline entry page, its service worker, its manifest and the hooks elsewhere (menu, the
posyandu form's link, logout)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tumbuh.offline import pages

pytestmark = pytest.mark.django_db

ENTRY = "/anak/kunjungan/luring/"


def _config(response) -> dict:
    match = re.search(rb'<script id="luring-config" type="application/json">(.*?)</script>', response.content, re.S)
    assert match, "the page passes its settings with json_script"
    return json.loads(match.group(1))


def test_the_page_lives_under_the_posyandu_form_and_needs_a_login(client):
    assert reverse("luring:entry") == ENTRY
    response = client.get(ENTRY)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_desa_operator_gets_the_page_with_their_desa_and_indonesian_words(client, bob):
    client.force_login(bob)
    response = client.get(ENTRY)
    assert response.status_code == 200
    config = _config(response)
    assert config["user"] == bob.pk
    assert config["scope"]["fixed"] == {"kind": "desa", "id": "73.24.04.2010", "name": bob.wilayah.name}
    assert [d["id"] for d in config["scope"]["desa"]] == ["73.24.04.2010"]
    assert {p["desa_id"] for p in config["scope"]["posyandu"]} == {"73.24.04.2010"}
    assert config["urls"]["sw"] == f"{ENTRY}sw.js"
    assert config["sw_scope"] == "/anak/kunjungan/"
    assert config["decimal"] == ","
    texts = config["texts"]
    assert texts["state_waiting"] == "menunggu dikirim"
    assert texts["state_attention"] == "perlu perhatian"  # as the conflicts page says it
    assert texts["label_weight"] == "Berat badan (kg)"  # the online form's own words
    assert "%(count)s" in texts["package_saved"]
    # Not a child's data in the page: it is cached by the service worker for everyone's phone.
    assert b"nik_hash" not in response.content
    # Strict CSP: every script is a file or JSON data, never inline code.
    for tag in re.findall(rb"<script\b[^>]*>", response.content):
        assert b" src=" in tag or b'type="application/json"' in tag, tag
    assert b'rel="manifest"' in response.content.split(b"</head>")[0]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_in_english_the_page_says_it_in_english(client, bob):
    client.force_login(bob)
    client.cookies["django_language"] = "en"
    texts = _config(client.get(ENTRY))["texts"]
    assert texts["state_waiting"] == "waiting to be sent"


def test_a_district_admin_chooses_a_desa_or_posyandu_of_their_district(client, alice, charlie):
    client.force_login(alice)
    scope = _config(client.get(ENTRY))["scope"]
    assert scope["fixed"] is None
    assert len(scope["desa"]) == 128 and all(d["id"].startswith("73.24.") for d in scope["desa"])
    assert scope["posyandu"] and all(p["desa_id"].startswith("73.24.") for p in scope["posyandu"])


def test_a_read_only_viewer_may_not_open_it(client, demo_users):
    client.force_login(demo_users["pantau.lutim"])
    assert client.get(ENTRY).status_code == 403


def test_the_menu_and_the_posyandu_form_link_to_it_for_those_who_record_visits(client, bob, demo_users):
    client.force_login(bob)
    start = client.get(reverse("measurements:visit_start"))
    html = start.content.decode()
    assert f'href="{ENTRY}" data-testid="offline-mode"' in html
    assert "Mode luring / isi tanpa sinyal" in html
    assert html.count(f'href="{ENTRY}"') == 2  # the link, and the menu's
    assert 'src="/static/offline/register.js" data-sw="/anak/kunjungan/luring/sw.js"' in html
    client.force_login(demo_users["pantau.lutim"])
    assert f'href="{ENTRY}"' not in client.get(reverse("home")).content.decode()


def test_the_service_worker_may_control_the_posyandu_form_and_is_always_asked_again(client):
    response = client.get(f"{ENTRY}sw.js")  # no login: it holds no data
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/anak/kunjungan/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"var CONFIG = (\{.*?\});\n", body, re.S).group(1))
    assert config["version"] == pages.version() and re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert config["page"] == ENTRY and config["scope"] == "/anak/kunjungan/"
    assets = config["assets"]
    for path in (
        "offline/app.js",
        "offline/offline.css",
        "vendor/idb-keyval/idb-keyval.umd.js",
        "offline/icon-192.png",
    ):
        assert f"/static/{path}" in assets
    assert f"{ENTRY}manifest.webmanifest" in assets
    assert [a for a in assets if a.startswith(f"{ENTRY}who/") and a.endswith(".json")]  # the WHO tables
    for path in pages.ASSETS:  # every file it caches exists (else the worker would not install)
        assert finders.find(path), path
    # Nothing of the API is among what it caches, and it stays out of /api/ altogether.
    assert not [a for a in assets if a.startswith("/api/")]
    assert config["api"] == "/api/"
    assert "if (url.pathname.indexOf(CONFIG.api) === 0) return;" in body


def test_a_deploy_that_changes_a_cached_file_changes_the_workers_version(monkeypatch, settings):
    settings.DEBUG = True  # recomputed on each request
    before = pages.version()
    real = pages._asset_bytes
    monkeypatch.setattr(
        pages, "_asset_bytes", lambda path: real(path) + (b"/* v2 */" if path == "offline/app.js" else b"")
    )
    after = pages.version()
    assert after != before
    monkeypatch.setattr(pages, "_asset_bytes", real)
    assert pages.version() == before


def test_the_manifest_is_indonesian_local_and_starts_at_the_page(client):
    response = client.get(f"{ENTRY}manifest.webmanifest")  # browsers fetch it without cookies
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == ENTRY and data["scope"] == "/anak/kunjungan/"
    assert data["lang"] == "id" and data["name"] == "Tumbuh: penimbangan posyandu tanpa sinyal"
    assert data["display"] == "standalone"
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/offline/")  # served by Tumbuh, no other host
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_session_check_gives_a_fresh_token_or_asks_to_log_in_again(client, bob):
    response = client.get(f"{ENTRY}sesi/")
    assert response.status_code == 401 and "error" in response.json()
    client.force_login(bob)
    data = client.get(f"{ENTRY}sesi/").json()
    assert data["user"] == bob.pk and len(data["csrf"]) >= 32


def test_the_vendored_indexeddb_library_comes_with_its_license():
    script = finders.find("vendor/idb-keyval/idb-keyval.umd.js")
    license_file = finders.find("vendor/idb-keyval/LICENSE")
    assert script and license_file
    with open(license_file) as f:
        assert "Apache License" in f.read()
    with open(script) as f:
        code = f.read()
    assert "idbKeyval" in code and "eval(" not in code and "new Function" not in code
