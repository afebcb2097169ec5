"""A 403 of ``policy.require`` says why, in the reader's language, and nothing about the object:
outside the user's area ("di luar wilayah Anda"), or not for the user's role."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.organisation.models import Posyandu
from tumbuh.rembuk.models import RembukEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.fixture
def district_rembuk():
    """Luwu Timur's own rembuk (the demo's): a camat of the district reads it, the district runs it."""
    return RembukEvent.objects.get(wilayah_id="73.24", year=2026)


def _reason(client, user, url, language) -> str:
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(url)
    assert response.status_code == 403
    return re.search(r'data-testid="error-reason">(.*?)</p>', response.content.decode(), re.S).group(1)


@pytest.mark.parametrize(
    "language, reason", [("id", "Ini di luar wilayah Anda."), ("en", "This is outside your area.")]
)
def test_a_camat_changing_the_districts_rembuk_is_told_it_is_outside_their_area(
    client, demo_users, district_rembuk, language, reason
):
    said = _reason(client, demo_users["camat.malili"], reverse("rembuk:edit", args=[district_rembuk.pk]), language)
    assert said == reason
    assert district_rembuk.title not in said and "73.24" not in said  # nothing about the object


@pytest.mark.parametrize(
    "language, reason",
    [
        ("id", "Peran Anda tidak diizinkan membuka halaman ini atau melakukan tindakan ini."),
        ("en", "Your role may not open this page or do this here."),
    ],
)
def test_a_viewer_of_the_district_is_told_it_is_their_role(client, demo_users, district_rembuk, language, reason):
    said = _reason(client, demo_users["pantau.lutim"], reverse("rembuk:edit", args=[district_rembuk.pk]), language)
    assert said == reason


def test_the_reasons_of_require(alice, bob):
    luwu_posyandu = Posyandu.objects.filter(desa__kabupaten_code="73.17").first()
    with pytest.raises(PermissionDenied) as refused:
        policy.require(alice, policy.CHANGE, luwu_posyandu)  # another district's
    with translation.override("id"):
        assert str(refused.value) == "Ini di luar wilayah Anda."
    with pytest.raises(PermissionDenied) as refused:
        policy.require(bob, policy.ADD, User)  # a desa operator manages no accounts
    with translation.override("en"):
        assert str(refused.value) == "Your role may not open this page or do this here."
    nobody = User(username="tanpa.peran")
    with pytest.raises(PermissionDenied) as refused:
        policy.require(nobody, policy.VIEW, Posyandu)
    with translation.override("id"):
        assert str(refused.value) == "Akun Anda belum memiliki peran atau wilayah."
