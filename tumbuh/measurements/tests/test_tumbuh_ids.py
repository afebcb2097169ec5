"""Tumbuh IDs (``TB-XXXX-XXXX``) of new children never clash with a stored child's or with
each other's, however the random draws fall: a clash used to abort a whole import batch
(``UNIQUE constraint failed: measurements_child.tumbuh_id``) or refuse a child's form.

The draws are forced to clash: ``secrets.token_bytes`` (where the letters come from) is
replaced by seeded bytes that spell three letters only (3^8 = 6,561 possible IDs), or IDs
already held first."""

import random
import re
import secrets
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.imports.testing import csv_bytes
from tumbuh.measurements import ids
from tumbuh.measurements.importers import EppgbmImporter
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

from .import_files import export, row

pytestmark = pytest.mark.django_db

FORMAT = re.compile(r"^TB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
SYLLABLES = ["ba", "ci", "du", "fe", "go", "hu", "ja", "ki", "lo", "mu", "na", "pi", "ra", "si", "tu", "wa", "ya"]


def _bytes(letters) -> bytes:
    """The random bytes ``ids.draw_many`` reads as ``letters`` (5 bits a letter, as base32)."""
    bits = "".join(f"{ids.ALPHABET.index(c):05b}" for c in letters)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


class FewLetters:
    """``secrets.token_bytes`` whose IDs use three letters only (seeded): a tiny space."""

    def __init__(self, seed=15):
        self.rng = random.Random(seed)

    def __call__(self, n):
        return _bytes("".join(ids.ALPHABET[self.rng.randrange(3)] for _ in range(n * 8 // 5)))


class Script:
    """``secrets.token_bytes`` that spells the IDs ``text`` holds first, then random ones (seeded)."""

    def __init__(self, *tumbuh_ids, seed=15):
        self.text, self.rng = "".join(i[3:].replace("-", "") for i in tumbuh_ids), random.Random(seed)

    def __call__(self, n):
        k = n * 8 // 5
        given, self.text = self.text[:k], self.text[k:]
        return _bytes(given + "".join(self.rng.choice(ids.ALPHABET) for _ in range(k - len(given))))


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
    space = sorted(
        {
            "TB-" + "".join(rng.choice("ABC") for _ in range(4)) + "-" + "".join(rng.choice("ABC") for _ in range(4))
            for _ in range(3 * len(stored))
        }
    )[: len(stored)]
    for child, tumbuh_id in zip(stored, space, strict=False):
        Child.all_objects.filter(pk=child.pk).update(tumbuh_id=tumbuh_id)
    Child.all_objects.filter(pk=stored[1].pk).update(merged_into=stored[0].pk)
    held = set(Child.all_objects.values_list("tumbuh_id", flat=True))

    monkeypatch.setattr(secrets, "token_bytes", FewLetters())
    monkeypatch.setattr(EppgbmImporter, "chunk_size", 100)
    rows = [row(name=_name(i), birth="10/01/2023") for i in range(400)]
    batch = run_import(
        "eppgbm",
        user=alice,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=csv_bytes(export(*rows)),
        file_name="anak-baru.csv",
    )

    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.created, batch.rejected) == (400, 0)
    new = list(Child.objects.filter(measurements__import_batch=batch).values_list("tumbuh_id", flat=True))
    assert len(new) == 400 and len(set(new)) == 400
    assert not set(new) & held
    assert all(FORMAT.match(i) and set(i[3:].replace("-", "")) <= set("ABC") for i in new)
    assert set(Child.all_objects.filter(pk__in=[c.pk for c in stored]).values_list("tumbuh_id", flat=True)) == held


def test_a_child_entered_on_the_form_never_takes_an_id_a_stored_or_merged_child_holds(client, alice, monkeypatch):
    live, merged = Child.objects.order_by("pk")[:2]
    Child.all_objects.filter(pk=merged.pk).update(merged_into=live.pk)
    client.force_login(alice)
    # The first draw spells the merged child's ID, the second the live child's.
    monkeypatch.setattr(secrets, "token_bytes", Script(merged.tumbuh_id, live.tumbuh_id))
    response = client.post(
        reverse("measurements:child_add"),
        {
            "name": "Putri Uji Formulir",
            "sex": 2,
            "birth_date": "2024-03-05",
            "nik": "",
            "parent_name": "Ibu Uji",
            "desa": live.desa_id,
            "posyandu": "",
            "rt": "",
            "rw": "",
            "address": "",
            "birth_weight": "",
            "birth_length": "",
            "reason": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    child = Child.objects.get(name="Putri Uji Formulir")
    assert FORMAT.match(child.tumbuh_id) and child.tumbuh_id not in (live.tumbuh_id, merged.tumbuh_id)


def test_allocate_draws_again_an_id_held_or_drawn_twice(monkeypatch, django_assert_num_queries):
    holder = Child.objects.order_by("pk").first()
    monkeypatch.setattr(secrets, "token_bytes", Script(holder.tumbuh_id, "TB-B2B2-B2B2", "TB-B2B2-B2B2"))
    with django_assert_num_queries(2):  # one check per round: the clashing two are drawn again once
        allocated = ids.allocate(3)
    assert len(set(allocated)) == 3 and "TB-B2B2-B2B2" in allocated and holder.tumbuh_id not in allocated
    assert all(FORMAT.match(i) for i in allocated)


def _new_child(desa_id, name="Clash Uji Anak"):
    return Child(name=name, sex=1, birth_date="2024-01-05", desa_id=desa_id)


def test_a_new_child_whose_id_was_stored_since_the_check_gets_another(monkeypatch):
    # As if a concurrent transaction had stored the ID between the check and the INSERT.
    holder = Child.objects.order_by("pk").first()
    child = _new_child(holder.desa_id)
    child.tumbuh_id = holder.tumbuh_id
    child.save()
    assert child.pk and FORMAT.match(child.tumbuh_id) and child.tumbuh_id != holder.tumbuh_id
    assert Child.all_objects.get(pk=holder.pk).tumbuh_id == holder.tumbuh_id
    # Any other integrity error is not mistaken for a clash of IDs: a NIK another child holds.
    with_nik = Child.objects.exclude(nik="").first()
    twin = _new_child(with_nik.desa_id, "Kembar Uji Nik")
    twin.nik = with_nik.nik
    with pytest.raises(IntegrityError, match="nik"):
        twin.save()


def test_a_batch_whose_ids_clash_at_the_insert_draws_them_again_and_goes_on(alice, monkeypatch):
    # The check missed a held ID (a concurrent transaction's row, not committed when checked):
    # the INSERT clashes, the clashing ID is drawn again and the chunk written; nothing aborts.
    holder = Child.objects.order_by("pk").first()
    real, calls = ids.allocate, []

    def missing_one(n, **kw):
        calls.append(n)
        return [holder.tumbuh_id, *real(n - 1, **kw)] if len(calls) == 1 else real(n, **kw)

    monkeypatch.setattr(ids, "allocate", missing_one)
    rows = [row(name=_name(i), birth="10/01/2023") for i in range(5)]
    batch = run_import(
        "eppgbm",
        user=alice,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=csv_bytes(export(*rows)),
        file_name="anak-baru.csv",
    )
    assert batch.status == BatchStatus.DONE, batch.error
    assert batch.created == 5 and calls[0] == 5
    new = set(Child.objects.filter(measurements__import_batch=batch).values_list("tumbuh_id", flat=True))
    assert len(new) == 5 and holder.tumbuh_id not in new
    assert Child.all_objects.get(pk=holder.pk).tumbuh_id == holder.tumbuh_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no concurrent INSERT")
def test_on_postgresql_an_id_a_concurrent_transaction_inserts_meanwhile_is_drawn_again():
    # Another connection inserts a child with the ID this transaction is about to use, and
    # commits while this INSERT waits on it: the INSERT clashes, the ID is drawn again.
    holder = Child.objects.order_by("pk").first()
    tumbuh_id, inserted, go = ids.draw(), threading.Event(), threading.Event()

    def other_transaction():
        try:
            with transaction.atomic():
                _new_child(holder.desa_id, "Anak Transaksi Lain").save()
                Child.all_objects.filter(name="Anak Transaksi Lain").update(tumbuh_id=tumbuh_id)
                inserted.set()
                go.wait(5)
                time.sleep(0.3)  # this test's INSERT is waiting on the row by now
        finally:
            connections.close_all()

    other = threading.Thread(target=other_transaction)
    other.start()
    try:
        assert inserted.wait(10)
        go.set()
        child = _new_child(holder.desa_id)
        child.tumbuh_id = tumbuh_id
        child.save()
        other.join(10)
        assert child.pk and child.tumbuh_id != tumbuh_id
        assert (
            Child.all_objects.filter(tumbuh_id=tumbuh_id).values_list("name", flat=True).get() == "Anak Transaksi Lain"
        )
    finally:
        other.join(10)

        def clean_up():
            Child.all_objects.filter(name="Anak Transaksi Lain").delete()
            connections.close_all()

        cleaner = threading.Thread(target=clean_up)
        cleaner.start()
        cleaner.join(10)


def test_drawn_ids_use_every_letter_of_the_alphabet_and_no_other():
    drawn = ids.draw_many(2000)
    assert all(FORMAT.match(i) for i in drawn)
    for position in (3, 4, 5, 6, 8, 9, 10, 11):
        assert {i[position] for i in drawn} == set(ids.ALPHABET)
