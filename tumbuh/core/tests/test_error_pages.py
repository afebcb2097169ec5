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
    theirs = ImportBatch.objects.create(kind="opd", kabupaten=Wilayah.objects.get(code="73.17"), created_by=charlie,
                                        file_name="rahasia-luwu.csv", status=BatchStatus.DONE)
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
