"""The home page links each convergence action to its page, as the menu does."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_links_every_action_to_its_page(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    table = html.split("<tbody>")[-1].split("</tbody>")[0]
    links = re.findall(r'<a href="([^"]+)">', table)
    assert len(links) == 8
    assert links[0] == reverse("analisis:situasi") and links[2] == reverse("rembuk:list")
    assert links[6] == reverse("publik:manage")  # the district admin publishes (Action 7)
    for url in links:
        assert client.get(url).status_code == 200, url
