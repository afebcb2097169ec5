"""The home page is titled with what the user sees: their region, a puskesmas officer's
puskesmas, the region picked; "all districts" only for whom sees them all."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tumbuh.accounts.models import User
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db


def _title(client) -> str:
    with translation.override("id"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    return re.search(r'<h1 data-testid="scope-title">([^<]*)</h1>', html)[1]


@pytest.mark.parametrize(
    "username,title",
    [
        ("admin.lutim", "Kabupaten Luwu Timur"),
        ("dinkes.lutim", "Kabupaten Luwu Timur"),
        ("pantau.lutim", "Kabupaten Luwu Timur"),
        ("camat.malili", "Kecamatan Malili"),
        ("pkm.malili", "Puskesmas Malili"),
        ("desa.balantang", "Desa Balantang"),
        ("admin.luwu", "Kabupaten Luwu"),
    ],
)
def test_each_role_s_home_names_its_area(client, demo_users, username, title):
    client.force_login(demo_users[username])
    assert _title(client) == title


def test_the_region_picked_titles_the_page(client, demo_users):
    officer = demo_users["pkm.malili"]
    client.force_login(officer)
    desa = sorted(officer.puskesmas.desa_codes())[0]
    client.post(reverse("set_focus"), {"wilayah": desa})
    assert _title(client) == Wilayah.objects.get(code=desa).label
    # Back to the whole area: the picker offers it by the puskesmas's name.
    client.post(reverse("set_focus"), {"wilayah": ""})
    with translation.override("id"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert re.search(r'<option value="" selected>Puskesmas Malili</option>', html)
    assert _title(client) == "Puskesmas Malili"


def test_a_superuser_sees_all_districts_until_they_pick_one(client):
    root = User.objects.create_superuser("root.uji", password="x")
    client.force_login(root)
    assert _title(client) == "Semua kabupaten"
    client.post(reverse("set_focus"), {"wilayah": "73.24.04"})
    assert _title(client) == "Kecamatan Malili"


def test_an_account_without_a_region_says_so(client):
    lost = User.objects.create_user("tanpa.wilayah", password="x")
    client.force_login(lost)
    assert _title(client) == "Akun Anda belum terikat pada wilayah"
