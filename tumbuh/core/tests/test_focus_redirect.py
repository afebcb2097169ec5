"""The region picker (/fokus/) goes back to the page it was used on, never to another site."""

import pytest
from django.urls import reverse

from tumbuh.core.focus import SESSION_KEY

pytestmark = pytest.mark.django_db

MALILI = "73.24.04"


@pytest.mark.parametrize("target", [
    "https://evil.example.com/phish", "//evil.example.com/phish", "http://evil.example.com",
    "javascript:alert(1)", "https:///evil.example.com", "/\\evil.example.com",
])  # fmt: skip
def test_an_outside_next_is_not_followed(client, alice, target):
    client.force_login(alice)
    response = client.post(reverse("set_focus"), {"wilayah": MALILI, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == MALILI  # the focus itself still changes


@pytest.mark.parametrize("target", ["/anak/?q=Uji", "http://testserver/impor/"])
def test_a_page_of_this_site_is_followed(client, alice, target):
    client.force_login(alice)
    response = client.post(reverse("set_focus"), {"wilayah": MALILI, "next": target})
    assert response.status_code == 302 and response["Location"] == target


def test_without_next_the_picker_goes_home(client, alice):
    client.force_login(alice)
    response = client.post(reverse("set_focus"), {"wilayah": ""})
    assert response.status_code == 302 and response["Location"] == reverse("home")
