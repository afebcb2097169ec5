import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_an_english_browser_still_gets_indonesian_by_default(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b'lang="id"' in response.content and "Masuk ke Tumbuh" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_chooses_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="id")
    assert b'lang="en"' in response.content and "Log in to Tumbuh" in response.content.decode()
