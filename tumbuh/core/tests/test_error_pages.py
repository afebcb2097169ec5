"""403, 404 and 500 pages: Indonesian by default, a next step, and nothing about what exists
outside the user's area. DEBUG is off, as in production (Django shows its technical pages
otherwise)."""

import re

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _main(response) -> str:
    """The page's own content, without the per-request CSRF token of the layout."""
    return re.search(r"<main>(.*)</main>", response.content.decode(), re.S).group(1)


@pytest.mark.parametrize("username, path", [
    ("desa.balantang", "/impor/pengukuran/"), ("desa.balantang", "/impor/krs/"), ("desa.balantang", "/impor/"),
    ("camat.malili", "/impor/krs/"), ("pantau.lutim", "/impor/pengukuran/"), ("camat.malili", "/impor/"),
])  # fmt: skip
def test_a_forbidden_import_page_says_why_in_indonesian_and_where_to_go(client, demo_users, username, path):
    client.force_login(demo_users[username])
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 403
    assert 'lang="id"' in page and "Forbidden" not in page
    assert "<title>Akses ditolak · Tumbuh</title>" in page
    assert "sekretariat TPPS" in _main(response)  # the reason the import views give
    assert f'href="{reverse("home")}"' in _main(response) and "Kembali ke beranda" in page


def test_a_forbidden_page_without_a_reason_still_says_what_happened(client, bob):
    client.force_login(bob)
    response = client.get(reverse("audit:list"))  # policy.require: no reason of its own
    assert response.status_code == 403
    main = _main(response)
    assert "Peran Anda tidak diizinkan membuka halaman ini" in main and "Kembali ke beranda" in main


def test_the_error_pages_follow_the_language_switch(client, bob):
    client.force_login(bob)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get("/impor/krs/")
    assert response.status_code == 403 and 'lang="en"' in response.content.decode()
    assert "Access denied" in response.content.decode() and "Back to the home page" in response.content.decode()


def test_another_districts_batch_and_a_missing_one_give_the_same_indonesian_404(client, alice, charlie):
    theirs = ImportBatch.objects.create(
        kind="opd",
        kabupaten=Wilayah.objects.get(code="73.17"),
        created_by=charlie,
        file_name="rahasia-luwu.csv",
        status=BatchStatus.DONE,
    )
    missing = ImportBatch.objects.order_by("-pk").first().pk + 1000
    client.force_login(alice)
    not_yours = client.get(reverse("imports:batch", args=[theirs.pk]))
    absent = client.get(reverse("imports:batch", args=[missing]))
    assert not_yours.status_code == absent.status_code == 404
    page = not_yours.content.decode()
    assert 'lang="id"' in page and "Not Found" not in page and "requested resource" not in page
    assert "<title>Halaman tidak ditemukan · Tumbuh</title>" in page and "Kembali ke beranda" in page
    assert _main(not_yours) == _main(absent)  # "not yours" looks exactly like "does not exist"
    assert "rahasia-luwu" not in page and str(theirs.pk) not in _main(not_yours)


def test_a_logged_out_visitor_gets_the_404_page_without_a_menu(client):
    response = client.get("/tidak-ada-halaman-ini/")
    page = response.content.decode()
    assert response.status_code == 404 and 'lang="id"' in page and "Halaman tidak ditemukan" in page
    assert 'class="sidebar"' not in page


def test_the_500_page_needs_neither_the_database_nor_the_request(django_assert_num_queries):
    translation.deactivate()  # no language chosen: the default
    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render()  # as Django renders it: an empty context
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    for text in (page, response.content.decode()):
        assert 'lang="id"' in text and "Terjadi kesalahan" in text and 'href="/"' in text
        assert "Server Error" not in text


# ---------------------------------------------------------------- in the layout, for every refusal


def _page(client, user=None, language="id"):
    if user is not None:
        client.force_login(user)
    if language != "id":
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


@pytest.mark.parametrize("language, title, back, home", [
    ("id", "Formulir tidak diterima", "Kembali ke halaman sebelumnya", "Kembali ke beranda"),
    ("en", "Form not accepted", "Back to the previous page", "Back to the home page"),
])  # fmt: skip
def test_a_refused_form_gets_the_sites_403_page_with_the_menu_and_a_way_back(alice, language, title, back, home):
    from django.conf import settings as django_settings
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language  # the switch is a form too: its cookie
    client.get(reverse("home"))  # the page that holds the form: the CSRF cookie is set
    response = client.post(reverse("set_focus"), {"wilayah": "73.24.04"}, HTTP_REFERER="http://testserver/dasbor/")
    page = response.content.decode()
    assert response.status_code == 403
    main = _main(response)
    assert f'lang="{language}"' in page and "Forbidden" not in page and "CSRF" not in main
    assert f"<title>{title} · Tumbuh</title>" in page and 'class="sidebar"' in page  # the layout, with the menu
    assert 'href="http://testserver/dasbor/"' in main and back in main and home in main
    assert ("sesi Anda sudah berakhir" if language == "id" else "your session ended") in main


def test_a_form_from_a_browser_without_cookies_is_told_to_allow_them(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("set_focus"), {"wilayah": "73.24.04"}, HTTP_REFERER="https://elsewhere.example/")
    main = _main(response)
    assert response.status_code == 403 and "Izinkan cookie untuk situs ini" in main
    assert "elsewhere.example" not in main  # a way back only to Tumbuh's own pages


@pytest.mark.parametrize("language, title, home", [
    ("id", "Permintaan tidak dapat dibaca", "Kembali ke beranda"), ("en", "Request not understood", "Back to the home page"),
])  # fmt: skip
def test_a_bad_request_gets_the_sites_400_page(client, alice, language, title, home):
    """A host Tumbuh does not serve (before anyone is logged in), and a form too big to read from
    a logged-in user (with the menu)."""
    from django.conf import settings as django_settings

    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/", HTTP_HOST="evil.example")
    page = response.content.decode()
    assert response.status_code == 400 and f'lang="{language}"' in page and "Bad Request" not in page
    assert f"<title>{title} · Tumbuh</title>" in page and home in _main(response)
    client.force_login(alice)
    fields = {f"f{i}": "x" for i in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("set_focus"), fields)
    assert response.status_code == 400 and f"<title>{title} · Tumbuh</title>" in response.content.decode()
    assert 'class="sidebar"' in response.content.decode()


@pytest.mark.parametrize(
    "language, reason", [("id", "Wilayah itu di luar wilayah Anda."), ("en", "That region is outside your area.")]
)
def test_a_region_outside_the_users_area_is_refused_on_the_403_page_saying_so(client, bob, language, reason):
    _page(client, bob, language)
    response = client.post(reverse("set_focus"), {"wilayah": "73.24.04"})  # bob works in one desa of Malili
    assert response.status_code == 403 and 'class="sidebar"' in response.content.decode()
    assert reason in _main(response)


@pytest.mark.parametrize("language, title", [("id", "Halaman tidak ditemukan"), ("en", "Page not found")])
def test_a_logged_in_user_gets_the_404_page_inside_the_layout_with_the_menu(client, alice, language, title):
    _page(client, alice, language)
    response = client.get("/tidak-ada-halaman-ini/")
    page = response.content.decode()
    assert response.status_code == 404 and f'lang="{language}"' in page and 'class="sidebar"' in page
    assert f"<title>{title} · Tumbuh</title>" in page and "Not Found" not in page


def test_the_500_page_follows_the_language_too(django_assert_num_queries):
    with translation.override("en"), django_assert_num_queries(0):
        page = server_error(RequestFactory().get("/")).content.decode()
    assert 'lang="en"' in page and "Something went wrong" in page and "Back to the home page" in page
