"""Numbers in the messages people read follow the interface language: "Berat 104,0 kg" in
Bahasa Indonesia, "Weight 104.0 kg" in English (issue 14: the messages said "82.9 cm" and
"Berat 104.0" in a comma-decimal interface)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tumbuh.imports.models import ImportBatch
from tumbuh.imports.testing import csv_bytes
from tumbuh.measurements import validation

from .import_files import export, row


def _texts(problems, language):
    with translation.override(language):
        return [p.text() for p in problems]


def test_validation_messages_write_numbers_in_the_active_language():
    problems = validation.check_values(104, 82.9)
    assert _texts(problems, "id") == ["Berat 104,0 kg di luar rentang wajar 0,5–40,0 kg"]
    assert _texts(problems, "en") == ["Weight 104.0 kg is outside the plausible range 0.5–40.0 kg"]
    swapped = validation.check_values(82.9, 12.35)
    assert "82,9" in _texts(swapped, "id")[0] and "12,35" in _texts(swapped, "id")[0]
    assert "82.9" in _texts(swapped, "en")[0]


def test_a_change_message_keeps_dates_and_counts_as_they_are():
    import datetime as dt

    before = validation.Visit(date=dt.date(2025, 2, 10), birth_date=dt.date(2023, 1, 10), weight=11.2, lenhei=85.0)
    after = validation.Visit(date=dt.date(2025, 2, 20), birth_date=dt.date(2023, 1, 10), weight=16.75, lenhei=85.5)
    (problem,) = [p for p in validation.check_change(after, before) if p.code.startswith("weight")]
    text = _texts([problem], "id")[0]
    assert "11,2 kg" in text and "16,75 kg" in text and "10/02/2025" in text and " 10 " in text


@pytest.mark.django_db
def test_the_reasons_of_rejected_rows_follow_the_readers_language(client, alice):
    client.force_login(alice)
    data = csv_bytes(export(row(name="Berat Salah", weight="104"), row(name="Tinggi Salah", height="845")))
    data.name = "eppgbm.csv"
    response = client.post(reverse("measurement_imports:upload"), {"file": data})
    batch = ImportBatch.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert batch.rejected == 2
    for language, weight, height in (
        ("id", "Berat 104,0 kg", "maksudnya 84,5 cm"),
        ("en", "Weight 104.0 kg", "did you mean 84.5 cm"),
    ):
        client.cookies["django_language"] = language
        html = client.get(response["Location"]).content.decode()
        table = re.search(r'data-testid="rejected-rows">(.*?)</table>', html, re.S).group(1)
        assert weight in table and height in table
        if language == "id":
            assert not re.search(r"\d\.\d", table), table
