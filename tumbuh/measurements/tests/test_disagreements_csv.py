"""The z-score disagreements CSV of an e-PPGBM import says how each child was measured in words
(the position's label, as the visit page does), never the stored code ``h``/``l``."""

import csv
import io

import pytest
from django.urls import reverse

from tumbuh.imports.framework import run_import
from tumbuh.imports.testing import csv_bytes
from tumbuh.measurements.models import Measurement
from tumbuh.wilayah.models import Wilayah

from .import_files import export, row

pytestmark = pytest.mark.django_db


def _run(user, rows, name):
    return run_import("eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=csv_bytes(rows), file_name=name)


@pytest.mark.parametrize("language, standing, lying", [
    ("id", "Berdiri (tinggi badan)", "Terlentang (panjang badan)"), ("en", "Standing (height)", "Lying (length)"),
])  # fmt: skip
def test_the_disagreements_csv_names_the_position_by_its_label(client, alice, language, standing, lying):
    first = _run(alice, export(row(name="Cara A"), row(name="Cara B", cara="Terlentang", height="83,9")), "a.csv")
    z = {m.child.name: m for m in Measurement.objects.filter(import_batch=first).select_related("child")}
    off = {name: (f"{m.zlen + 1:.2f}", f"{m.zwei:.2f}", f"{m.zwfl:.2f}") for name, m in z.items()}
    batch = _run(alice, export(row(name="Cara Berdiri", zs=off["Cara A"]),
                               row(name="Cara Terlentang", cara="Terlentang", height="83,9", zs=off["Cara B"])), "b.csv")
    assert batch.findings["zscore_disagreements"] == 2
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("measurement_imports:disagreements", args=[batch.pk]))
    header, *lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = header.index("Cara Ukur")
    assert {line[1]: line[column] for line in lines} == {"Cara Berdiri": standing, "Cara Terlentang": lying}
