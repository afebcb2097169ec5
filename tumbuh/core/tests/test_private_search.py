"""A NIK typed into a search box never reaches a URL (ASVS 8.3.1, core.private_search): the
child list and the KRS family list post their search, keep it in the session and page with a
token."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tumbuh.measurements.models import Child
from tumbuh.measurements.tests.posyandu_fixtures import BALANTANG, NIK_SITI, admin_lutim, budi, record, siti  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_posted_nik_search_finds_the_child_and_leaves_no_nik_in_any_url(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:child_list")
    posted = client.post(url, {"q": NIK_SITI})
    assert posted.status_code == 303
    assert NIK_SITI not in posted["Location"] and "cari=" in posted["Location"]
    page = client.get(posted["Location"])
    html = page.content.decode()
    assert "Siti Uji" in html
    assert page.context["q"] == NIK_SITI  # the box shows what was typed, in the page body only
    assert all(NIK_SITI not in link for link in re.findall(r'href="([^"]*)"', html))


def test_the_search_pages_with_its_token_and_an_unknown_token_shows_the_whole_list(client, bob, siti):
    client.force_login(bob)
    url = reverse("measurements:child_list")
    location = client.post(url, {"q": "Siti Uji"})["Location"]
    token = location.split("cari=")[1]
    assert client.get(url, {"cari": token, "page": "1"}).context["q"] == "Siti Uji"
    whole = client.get(url, {"cari": "tidak-ada"})
    assert whole.context["q"] == ""
    assert whole.context["page"].count == Child.objects.filter(desa__code=BALANTANG).count()


def test_another_session_cannot_read_a_search_by_its_token(client, bob, siti, django_user_model):
    client.force_login(bob)
    url = reverse("measurements:child_list")
    token = client.post(url, {"q": NIK_SITI})["Location"].split("cari=")[1]
    other = type(client)()
    other.force_login(bob)
    assert other.get(url, {"cari": token}).context["q"] == ""


def test_the_krs_filter_is_posted_too(client, demo_users):
    client.force_login(demo_users["admin.lutim"])
    url = reverse("krs:list")
    posted = client.post(url, {"q": "3201234567890123"})
    assert posted.status_code == 303 and "3201234567890123" not in posted["Location"]
    page = client.get(posted["Location"])
    assert page.status_code == 200
    assert page.context["form"].cleaned_data["q"] == "3201234567890123"
