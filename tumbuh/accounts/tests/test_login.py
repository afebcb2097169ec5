import pytest
from django.conf import settings
from django.urls import reverse

from tumbuh.demo.accounts import DEMO_PASSWORD


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(alice):
    assert alice.password.startswith("argon2")


@pytest.mark.django_db
def test_a_demo_account_logs_in_and_out(client):
    response = client.post(reverse("login"), {"username": "desa.balantang", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logging out is a POST
    response = client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    # The browser deletes what it kept: cached pages, the offline page's IndexedDB and caches.
    assert response["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account(client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "camat.malili", "password": "salah"})
    response = client.post(reverse("login"), {"username": "camat.malili", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert b"15" in response.content


@pytest.mark.django_db
def test_sessions_expire(client, alice):
    client.force_login(alice)
    client.get(reverse("home"))
    session = client.session
    assert session.get_expire_at_browser_close()
    assert 0 < session.get_expiry_age() <= 8 * 3600
    session.set_expiry(-1)
    session.save()
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_the_login_page_lists_the_demo_accounts_only_in_demo_mode(client, settings):
    settings.DEMO_MODE = True
    assert b"desa.balantang" in client.get(reverse("login")).content
    settings.DEMO_MODE = False
    assert b"desa.balantang" not in client.get(reverse("login")).content
