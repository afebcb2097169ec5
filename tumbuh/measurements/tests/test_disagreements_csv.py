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
    return run_import(
        "eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=csv_bytes(rows), file_name=name
    )


@pytest.mark.parametrize("language, standing, lying", [
    ("id", "Berdiri (tinggi badan)", "Terlentang (panjang badan)"), ("en", "Standing (height)", "Lying (length)"),
])  # fmt: skip
def test_the_disagreements_csv_names_the_position_by_its_label(client, alice, language, standing, lying):
    first = _run(alice, export(row(name="Cara A"), row(name="Cara B", cara="Terlentang", height="83,9")), "a.csv")
    z = {m.child.name: m for m in Measurement.objects.filter(import_batch=first).select_related("child")}
    off = {name: (f"{m.zlen + 1:.2f}", f"{m.zwei:.2f}", f"{m.zwfl:.2f}") for name, m in z.items()}
    batch = _run(
        alice,
        export(
            row(name="Cara Berdiri", zs=off["Cara A"]),
            row(name="Cara Terlentang", cara="Terlentang", height="83,9", zs=off["Cara B"]),
        ),
        "b.csv",
    )
    assert batch.findings["zscore_disagreements"] == 2
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("measurement_imports:disagreements", args=[batch.pk]))
    header, *lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = header.index("Cara Ukur")
    assert {line[1]: line[column] for line in lines} == {"Cara Berdiri": standing, "Cara Terlentang": lying}


@pytest.mark.parametrize(
    "language, theirs, ours, weight", [("id", "-1,01", "-2,13", "9,6"), ("en", "-1.01", "-2.13", "9.6")]
)
def test_the_disagreements_csv_writes_numbers_by_the_one_rule_in_the_readers_language(
    client, alice, language, theirs, ours, weight
):
    """e-PPGBM's z-score −1.005 (a tie) was written "-1.00" by ``f"{v:.2f}"`` (the binary value),
    with a decimal point in an Indonesian file beside e-PPGBM's own, which writes a comma."""
    first = _run(alice, export(row(name="Koma", weight="9,6")), "a.csv")
    m = Measurement.objects.get(import_batch=first)
    batch = _run(
        alice, export(row(name="Koma", weight="9,6", zs=("-1,005", f"{m.zwei:.2f}", f"{m.zwfl:.2f}"))), "b.csv"
    )
    assert Measurement.objects.filter(import_batch=batch).update(eppgbm_zlen=-1.005, zlen=-2.125) == 1
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("measurement_imports:disagreements", args=[batch.pk]))
    header, line = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = dict(zip(header, line))
    assert (cells["ZS TB/U e-PPGBM"], cells["ZS TB/U Tumbuh"], cells["Berat"]) == (theirs, ours, weight)
