"""Row numbers are printed as digits, never with a thousands separator: "baris 1070", not
"1.070" (issue 14), on the import pages' rejected rows and warnings and in the reasons."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext_noop

from tumbuh.imports.models import BatchStatus, ImportBatch, ImportRow

pytestmark = pytest.mark.django_db

DUPLICATE = gettext_noop("Duplicate of row %(row)s in this file")


def _batch(alice, kind: str) -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind=kind,
        kabupaten_id="73.24",
        created_by=alice,
        file_name=f"{kind}.csv",
        status=BatchStatus.DONE,
        headers=["Kode", "Nama"],
        created=1198,
        rejected=1,
        findings={"warnings": [{"reason": DUPLICATE, "count": 1, "rows": [[1071, {"row": 1069}]]}]},
    )
    ImportRow.objects.create(batch=batch, row_number=1070, cells=["X1", "Nama"], reason=DUPLICATE, params={"row": 1069})
    return batch


def _cells(html: str, testid: str) -> list[str]:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_batch_page_prints_row_numbers_without_separator(client, alice, language):
    batch = _batch(alice, "opd")
    client.force_login(alice)
    client.cookies["django_language"] = language
    html = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    rejected = _cells(html, "rejected-rows")
    assert rejected[0] == "1070" and "1069" in rejected[1]
    warnings = _cells(html, "warnings")
    assert warnings[0] == "1071" and "1069" in warnings[1]
    assert not re.search(r"1[.,]0[67]\d", html)


def test_the_eppgbm_batch_page_prints_row_numbers_without_separator(client, alice):
    batch = _batch(alice, "eppgbm")
    client.force_login(alice)
    client.cookies["django_language"] = "id"
    html = client.get(reverse("measurement_imports:batch", args=[batch.pk])).content.decode()
    assert _cells(html, "rejected-rows")[:2] == ["1070", "Duplikat baris 1069 dalam berkas ini"]
    assert "1.070" not in html and "1.069" not in html


def test_a_reason_never_groups_a_row_number(alice):
    from django.utils import translation

    row = ImportRow(row_number=12000, reason=DUPLICATE, params={"row": 11999})
    for language, expected in (
        ("id", "Duplikat baris 11999 dalam berkas ini"),
        ("en", "Duplicate of row 11999 in this file"),
    ):
        with translation.override(language):
            assert row.message == expected
