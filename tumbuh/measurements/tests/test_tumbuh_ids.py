"""Tumbuh IDs (``TB-XXXX-XXXX``) of new children never clash with a stored child's or with
each other's, however the random draws fall: a clash used to abort a whole import batch
(``UNIQUE constraint failed: measurements_child.tumbuh_id``) or refuse a child's form.

The draws are forced to clash: ``secrets.choice`` (where the letters come from) is replaced
by a seeded chooser over three letters (3^8 = 6,561 possible IDs), or by a script that spells
IDs already held first."""

import random
import re
import secrets

import pytest
from django.urls import reverse

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.imports.testing import csv_bytes
from tumbuh.measurements.importers import EppgbmImporter
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

from .import_files import export, row

pytestmark = pytest.mark.django_db

FORMAT = re.compile(r"^TB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
SYLLABLES = ["ba", "ci", "du", "fe", "go", "hu", "ja", "ki", "lo", "mu", "na", "pi", "ra", "si", "tu", "wa", "ya"]


class FewLetters:
    """``secrets.choice`` over the first three entries only, seeded: IDs of a tiny space."""

    def __init__(self, seed=15):
        self.rng = random.Random(seed)

    def __call__(self, seq):
        return seq[self.rng.randrange(3)]


class Script:
    """``secrets.choice`` that spells ``text`` first, then draws at random (seeded)."""

    def __init__(self, text, seed=15):
        self.text, self.rng = list(text), random.Random(seed)

    def __call__(self, seq):
        return self.text.pop(0) if self.text else seq[self.rng.randrange(len(seq))]


def _name(i: int) -> str:
    n = len(SYLLABLES)
    return f"{SYLLABLES[i % n]}{SYLLABLES[i // n % n]}{SYLLABLES[i // n // n % n]}".capitalize() + " Uji Nomor"


def test_a_large_batch_of_new_children_never_clashes_with_stored_ids_or_its_own(alice, monkeypatch):
    # Every stored child (one of them merged into another) holds an ID of the tiny space, and
    # 400 new children come in chunks of 100: drawn blindly, some would certainly clash, with
    # a stored child, an earlier chunk's or their own chunk's.
    stored = list(Child.all_objects.order_by("pk"))
    assert len(stored) >= 200
    rng = random.Random(7)
    space = sorted({"TB-" + "".join(rng.choice("ABC") for _ in range(4)) + "-" + "".join(rng.choice("ABC") for _ in range(4))
                    for _ in range(3 * len(stored))})[: len(stored)]
    for child, tumbuh_id in zip(stored, space, strict=False):
        Child.all_objects.filter(pk=child.pk).update(tumbuh_id=tumbuh_id)
    Child.all_objects.filter(pk=stored[1].pk).update(merged_into=stored[0].pk)
    held = set(Child.all_objects.values_list("tumbuh_id", flat=True))

    monkeypatch.setattr(secrets, "choice", FewLetters())
    monkeypatch.setattr(EppgbmImporter, "chunk_size", 100)
    rows = [row(name=_name(i), birth="10/01/2023") for i in range(400)]
    batch = run_import("eppgbm", user=alice, kabupaten=Wilayah.objects.get(code="73.24"), source=csv_bytes(export(*rows)),
                       file_name="anak-baru.csv")

    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.created, batch.rejected) == (400, 0)
    new = list(Child.objects.filter(measurements__import_batch=batch).values_list("tumbuh_id", flat=True))
    assert len(new) == 400 and len(set(new)) == 400
    assert not set(new) & held
    assert all(FORMAT.match(i) and set(i[3:].replace("-", "")) <= set("ABC") for i in new)


def test_a_child_entered_on_the_form_never_takes_an_id_a_stored_or_merged_child_holds(client, alice, monkeypatch):
    live, merged = Child.objects.order_by("pk")[:2]
    Child.all_objects.filter(pk=merged.pk).update(merged_into=live.pk)
    client.force_login(alice)
    # The first draw spells the merged child's ID, the second the live child's.
    monkeypatch.setattr(secrets, "choice", Script(merged.tumbuh_id[3:].replace("-", "") + live.tumbuh_id[3:].replace("-", "")))
    response = client.post(reverse("measurements:child_add"), {
        "name": "Putri Uji Formulir", "sex": 2, "birth_date": "2024-03-05", "nik": "", "parent_name": "Ibu Uji",
        "desa": live.desa_id, "posyandu": "", "rt": "", "rw": "", "address": "", "birth_weight": "", "birth_length": "",
        "reason": "",
    })
    assert response.status_code == 302, response.context and response.context["form"].errors
    child = Child.objects.get(name="Putri Uji Formulir")
    assert FORMAT.match(child.tumbuh_id) and child.tumbuh_id not in (live.tumbuh_id, merged.tumbuh_id)
