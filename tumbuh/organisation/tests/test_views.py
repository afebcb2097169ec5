"""The generic organisation lists."""

import pytest
from django.utils import translation

from tumbuh.documents.models import Letterhead

pytestmark = pytest.mark.django_db


def test_a_yes_no_column_reads_in_indonesian(client, alice):
    Letterhead.objects.create(
        kabupaten_id="73.24", government="PEMERINTAH KABUPATEN LUWU TIMUR", office="BAPPEDA", is_default=True
    )
    Letterhead.objects.create(
        kabupaten_id="73.24", government="PEMERINTAH KABUPATEN LUWU TIMUR", office="DINKES", is_default=False
    )
    client.force_login(alice)
    with translation.override("id"):
        html = client.get("/organisasi/kop-surat/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert ">ya<" in html and ">tidak<" in html
    assert ">True<" not in html and ">False<" not in html
