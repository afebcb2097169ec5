"""A request that finds the database unreachable (PostgreSQL restarting, a dropped connection)
gets the 503 page: in the user's language, saying it is brief and to try again, never a
traceback. The page is rendered without a query (the database is down). The real restart, with
gunicorn and an import: ``test_postgres_restart.py``."""

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.test import Client

from tumbuh.core.views import _database_unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _refusing(error):
    """An execute wrapper under which every query fails with ``error``, as while the server is
    down: a query of the 503 handler itself would fail the request instead of answering it."""

    def wrapper(execute, sql, params, many, context):
        raise error

    return wrapper


def _client(user, language=None) -> Client:
    from django.conf import settings

    client = Client(raise_request_exception=False)
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("error", [
    OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
    OperationalError("terminating connection due to administrator command"),
    InterfaceError("the connection is closed"),
], ids=["refused", "terminated", "closed"])  # fmt: skip
@pytest.mark.parametrize("path", ["/", "/dasbor/", "/anak/"])
def test_a_page_with_the_database_down_gets_the_503_page_in_indonesian(alice, error, path):
    client = _client(alice)
    with connection.execute_wrapper(_refusing(error)):
        response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert 'lang="id"' in page and "<title>Basis data sementara tidak tersedia · Tumbuh</title>" in page
    assert "Tunggu sebentar, lalu coba lagi" in page and ">Coba lagi</a>" in page and 'href="/"' in page
    assert (
        "Traceback" not in page and type(error).__name__ not in page and "5432" not in page and "connection" not in page
    )


def test_the_503_page_follows_the_language_switch(alice):
    client = _client(alice, "en")
    with connection.execute_wrapper(_refusing(OperationalError("server closed the connection unexpectedly"))):
        response = client.get("/dasbor/")
    page = response.content.decode()
    assert response.status_code == 503 and 'lang="en"' in page
    assert "The database is briefly unavailable" in page and ">Try again</a>" in page


def test_another_database_error_or_a_bug_still_gets_the_500_page(alice, monkeypatch):
    from tumbuh.core import views

    client = _client(alice)
    with connection.execute_wrapper(_refusing(DatabaseError("value too long for type character varying(10)"))):
        assert client.get("/").status_code == 500

    def broken(request):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(views.focus_module, "get_focus", broken)
    response = client.get("/")
    assert response.status_code == 500 and "Terjadi kesalahan" in response.content.decode()


def test_an_error_raised_while_handling_a_lost_connection_counts_as_the_database_down():
    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError as lost:
            raise RuntimeError("while rendering the page") from lost
    except RuntimeError as exc:
        assert _database_unavailable(exc)
    assert not _database_unavailable(ValueError("not the database"))
    assert not _database_unavailable(None)
