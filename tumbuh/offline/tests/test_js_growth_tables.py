"""The WHO tables of the phone's growth engine, served at /anak/kunjungan/luring/who/<hash>.json."""

import gzip
import json

import pytest
from django.urls import reverse

from tumbuh.growth import webtables
from tumbuh.offline.tables import tables_url

IMMUTABLE = "public, max-age=31536000, immutable"


def test_the_url_names_the_content():
    digest = webtables.content_hash()
    assert tables_url() == f"/anak/kunjungan/luring/who/{digest}.json"
    assert reverse("luring:who:tables", kwargs={"digest": digest}) == tables_url()


def test_anyone_gets_the_tables_cached_for_a_year(client):
    response = client.get(tables_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == IMMUTABLE
    assert response["ETag"] == f'"{webtables.content_hash()}"'
    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]
    assert not response.cookies
    assert response.content == webtables.json_bytes()
    assert json.loads(response.content) == webtables.phone_tables()
    assert client.head(tables_url()).status_code == 200
    assert client.post(tables_url()).status_code == 405


def test_gzipped_when_the_browser_accepts_it_and_small(client):
    response = client.get(tables_url(), headers={"Accept-Encoding": "deflate, gzip;q=0.8, br"})
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == webtables.json_bytes()
    assert len(response.content) < 40_000  # about 15 KB; the offline page's budget is 500 KB
    assert response["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize("digest", ["0000000000000000", "old", webtables.content_hash()[:-1] + "x"])
def test_another_hash_is_not_found_and_not_stored(client, digest):
    response = client.get(reverse("luring:who:tables", kwargs={"digest": digest}))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_logged_in_cadre_gets_the_same_cacheable_tables_but_other_pages_stay_unstored(client, bob):
    client.force_login(bob)
    response = client.get(tables_url())
    assert response.status_code == 200 and response["Cache-Control"] == IMMUTABLE
    other = client.get("/anak/kunjungan/luring/tidak-ada/")
    assert "no-store" in other["Cache-Control"]
