"""The list of imports names each batch's kind as people call it: its importer's title, in the
user's language, never the registry's key (``eppgbm``)."""

import re

import pytest
from django.urls import reverse

from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.templatetags.imports import kind_title

pytestmark = pytest.mark.django_db


def _kinds(response) -> list[str]:
    table = re.search(r'data-testid="import-batches">(.*?)</table>', response.content.decode(), re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", row.split("<td>")[2]).strip() for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]


@pytest.mark.parametrize("language, eppgbm, opd", [
    ("id", "Pengukuran balita (e-PPGBM)", "OPD"), ("en", "Child measurements (e-PPGBM)", "OPD"),
])  # fmt: skip
def test_the_import_list_names_the_kind_by_its_importers_title(client, alice, language, eppgbm, opd):
    for kind in ("eppgbm", "opd", "gone-since"):
        ImportBatch.objects.create(
            kind=kind, kabupaten_id="73.24", created_by=alice, file_name=f"{kind}.csv", status=BatchStatus.DONE
        )
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    kinds = _kinds(client.get(reverse("imports:list")))
    assert eppgbm in kinds and opd in kinds
    assert "eppgbm" not in kinds
    assert "gone-since" in kinds  # a kind no importer registers any more: as stored


def test_kind_title_is_the_registered_importers_title():
    from tumbuh.imports.framework import kinds

    for kind, importer in kinds().items():
        assert kind_title(kind) == str(importer.title)[:1].upper() + str(importer.title)[1:]
