"""Login throttling through the real login view (docs/security.md, "Login throttling").

Failures are counted per account and address (5), per address (15) and per account (30), on
the address the trusted reverse proxy saw (``TUMBUH_TRUSTED_PROXY_COUNT``), or on the
connection's own address when no proxy is configured. Behind the proxy every request comes
from 127.0.0.1: counting that address, as Tumbuh did, let five requests lock the district
admin out for everyone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts.clientip import ipware_settings
from tumbuh.accounts.models import User
from tumbuh.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
CLIENT_A, CLIENT_B = "203.0.113.10", "198.51.100.20"
ADMIN = "admin.lutim"
SPRAYED = "Musim-Hujan-2025"


@pytest.fixture
def behind_proxy(settings):
    """Tumbuh behind one nginx that appends the client's address to X-Forwarded-For."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER, settings.AXES_IPWARE_PROXY_COUNT = ipware_settings("X-Forwarded-For", 1)


def login(client, username, password, *, remote=PROXY, forwarded=None, real_ip=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if real_ip is not None:
        headers["HTTP_X_REAL_IP"] = real_ip
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def failures(**where) -> int:
    return AccessAttempt.objects.filter(**where).aggregate(n=Sum("failures_since_start"))["n"] or 0


@pytest.fixture
def twenty_accounts(db):
    """Twenty kader accounts; only the last has the sprayed password."""
    other, sprayed = make_password("Sesuatu-Yang-Lain-91"), make_password(SPRAYED)
    return User.objects.bulk_create(
        User(username=f"kader.semprot{i:02d}", password=sprayed if i == 19 else other) for i in range(20)
    )


def test_behind_the_proxy_five_failures_from_one_client_do_not_lock_out_another(client, behind_proxy):
    codes = [login(client, ADMIN, "salah-tebak", forwarded=CLIENT_A).status_code for _ in range(5)]
    assert codes == [200] * 4 + [429]  # the fifth failure locks the pair
    refused = login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_A)
    assert refused.status_code == 429 and not logged_in(client)
    assert refused.context["rule"] == "pair"

    response = login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_B)
    assert response.status_code == 302 and logged_in(client)
    assert failures(ip_address=PROXY) == 0  # the proxy's own address was never counted


def test_a_client_cannot_lock_the_admin_out_by_trying_on(client, behind_proxy):
    """After its pair locks, a stranger's further attempts are refused and not counted, so one
    address never reaches the account's own limit."""
    codes = [login(client, ADMIN, f"tebakan-{i}", forwarded=CLIENT_A).status_code for i in range(40)]
    assert codes[:4] == [200] * 4 and codes[4:] == [429] * 36
    assert failures(username=ADMIN) == 5

    assert login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_B).status_code == 302


def test_failures_from_many_addresses_lock_the_account_for_everyone(client, behind_proxy, settings):
    """Guessing one account from several addresses is stopped by the account's own counter."""
    limit = settings.LOGIN_FAILURE_LIMITS[("username",)]
    for i in range(limit):
        login(client, ADMIN, f"tebakan-{i}", forwarded=f"192.0.2.{i // 5 + 1}")
    assert failures(username=ADMIN) == limit

    refused = login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_B)
    assert refused.status_code == 429 and not logged_in(client)
    assert refused.context["rule"] == "account"
    assert "beberapa tempat" in refused.content.decode()
    # Other accounts from the same addresses are not affected by the account's counter.
    assert login(client, "desa.balantang", DEMO_PASSWORD, forwarded=CLIENT_B).status_code == 302


def test_a_spray_of_one_password_across_twenty_accounts_from_one_address_is_stopped(
    client, behind_proxy, twenty_accounts, settings
):
    limit = settings.LOGIN_FAILURE_LIMITS[("ip_address",)]
    codes = [login(client, u.username, SPRAYED, forwarded=CLIENT_A).status_code for u in twenty_accounts]
    # The failures until the address's limit are answered as usual, the rest refused: the 20th
    # account, whose password is the sprayed one, is never tried.
    assert codes == [200] * (limit - 1) + [429] * (20 - limit + 1)
    assert not logged_in(client)
    assert failures(ip_address=CLIENT_A) == limit

    refused = login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_A)
    assert refused.status_code == 429 and refused.context["rule"] == "address"
    # The same account from another address is not held up.
    assert login(client, twenty_accounts[-1].username, SPRAYED, forwarded=CLIENT_B).status_code == 302


def test_what_a_client_writes_in_x_forwarded_for_itself_is_ignored_behind_the_proxy(
    client, behind_proxy, twenty_accounts
):
    """nginx appends the address it saw to whatever the client sent: only that entry counts."""
    for i, user in enumerate(twenty_accounts):
        login(client, user.username, SPRAYED, forwarded=f"10.0.{i}.1, 192.0.2.{i}, {CLIENT_A}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}
    assert not logged_in(client)


def test_a_forged_x_forwarded_for_from_a_direct_client_does_not_evade_the_address_limit(
    client, twenty_accounts, settings
):
    """No trusted proxy configured (the default): the header is never read."""
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
    codes = [
        login(
            client, u.username, SPRAYED, remote=CLIENT_A, forwarded=f"192.0.2.{i}", real_ip=f"192.0.2.{i}"
        ).status_code
        for i, u in enumerate(twenty_accounts)
    ]
    assert codes.count(429) == 20 - settings.LOGIN_FAILURE_LIMITS[("ip_address",)] + 1
    assert not logged_in(client)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT_A}


def test_behind_a_proxy_setting_x_real_ip_each_client_is_counted_apart(client, settings):
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER, settings.AXES_IPWARE_PROXY_COUNT = ipware_settings("X-Real-IP", 1)
    for _ in range(5):
        login(client, ADMIN, "salah-tebak", real_ip=CLIENT_A, forwarded="192.0.2.1")
    assert login(client, ADMIN, DEMO_PASSWORD, real_ip=CLIENT_A).status_code == 429
    assert login(client, ADMIN, DEMO_PASSWORD, real_ip=CLIENT_B).status_code == 302


def test_the_lockout_page_says_what_happened_and_when_to_try_again(client, behind_proxy):
    for _ in range(5):
        response = login(client, ADMIN, "salah-tebak", forwarded=CLIENT_A)
    assert response.status_code == 429
    page = response.content.decode()
    last = AccessAttempt.objects.get(username=ADMIN, ip_address=CLIENT_A).attempt_time
    retry = timezone.localtime(last + timedelta(minutes=15))
    assert "Kata sandi akun ini sudah terlalu sering salah dari alamat jaringan Anda" in page
    assert f"Coba lagi pukul {retry:%H:%M}" in page
    assert "(sekitar 15 menit lagi)" in page
    assert response.context["until"] == last + timedelta(minutes=15)


def test_the_lock_ends_after_the_cool_off(client, behind_proxy):
    for _ in range(5):
        login(client, ADMIN, "salah-tebak", forwarded=CLIENT_A)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_A).status_code == 302


def test_a_right_password_forgives_only_ones_own_failures(client, behind_proxy, twenty_accounts):
    # A stranger at A tries the admin; the admin, at B, mistypes twice and then logs in.
    for _ in range(4):
        login(client, ADMIN, "salah-tebak", forwarded=CLIENT_A)
    for _ in range(2):
        login(client, ADMIN, "salah-ketik", forwarded=CLIENT_B)
    assert login(client, ADMIN, DEMO_PASSWORD, forwarded=CLIENT_B).status_code == 302
    assert failures(username=ADMIN, ip_address=CLIENT_B) == 0
    assert failures(username=ADMIN, ip_address=CLIENT_A) == 4

    # An insider at A sprays ten accounts, then logs in to their own: the spray still counts.
    client.post(reverse("logout"))
    for user in twenty_accounts[:10]:
        login(client, user.username, SPRAYED, forwarded=CLIENT_A)
    assert login(client, twenty_accounts[-1].username, SPRAYED, forwarded=CLIENT_A).status_code == 302
    assert failures(ip_address=CLIENT_A) == 14


def test_the_proxy_settings():
    assert ipware_settings("X-Forwarded-For", 0) == (("REMOTE_ADDR",), None)
    assert ipware_settings("X-Forwarded-For", 1) == (("HTTP_X_FORWARDED_FOR",), 0)
    assert ipware_settings("x-forwarded-for", 2) == (("HTTP_X_FORWARDED_FOR",), 1)
    assert ipware_settings("X-Real-IP", 1) == (("HTTP_X_REAL_IP",), 0)
    with pytest.raises(ValueError):
        ipware_settings("X-Forwarded-For", -1)
