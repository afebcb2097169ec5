"""Tumbuh IDs (``TB-7K2M-9QXA``): the one allocator of new children's identifiers.

An ID is 8 letters drawn at random from 32 (40 bits), short enough to read aloud at the
posyandu. Drawn blindly, new IDs clash with stored ones: a batch of ``n`` new children into
a table of ``m`` clashes with probability about ``1 - exp(-n (n/2 + m) / 32**8)``, 1.8 % for
200,000 new children into an empty table, 18 % into one holding a million, and one clash
aborted the whole (atomic) import. So IDs are allocated, not just drawn: ``allocate`` draws
a chunk's IDs, checks them against every stored child (merged ones too) and each other (an
indexed lookup per thousand IDs), and draws again the few that clash; a child saved alone is checked the same
way (``Child.save``). A clash the check cannot see (a concurrent transaction's rows, not yet
committed, on PostgreSQL) is caught at the INSERT (``insert_with_ids``): the other
transaction's rows are visible by then, and the clashing IDs are drawn again. Stored IDs
never change. Code writing children in bulk (``bulk_create``,
``BulkWrite``: no ``save``) passes IDs from ``allocate``; only the demo writes its own, seeded,
into an empty database."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import IntegrityError, connection, transaction

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at the posyandu
#: Rounds of redrawing before giving up (each round leaves a clash with a chance of at most
#: the share of IDs in use: never reached short of a nearly full space).
ROUNDS = 50
#: Times an INSERT is tried again after a clash with rows the check could not see yet.
RETRIES = 5
#: IDs looked up per query: few enough that PostgreSQL probes the index, even in a table the
#: batch has just filled (5,000 at once made it scan the whole table), and within SQLite's
#: 999 parameters.
CHECK_SIZE = 1000

T = TypeVar("T")


#: Base32 as ``base64.b32encode`` writes it, read as Tumbuh's letters: 5 random bits a letter.
_LETTERS = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode())


def draw_many(n: int) -> list[str]:
    """``n`` Tumbuh IDs at random, not checked against anything: 40 bits each from
    ``secrets.token_bytes`` (one call for all: fifteen times faster than a ``secrets.choice``
    a letter), written 8 letters of ``ALPHABET``."""
    letters = base64.b32encode(secrets.token_bytes(5 * n)).translate(_LETTERS).decode()
    return [f"TB-{letters[i : i + 4]}-{letters[i + 4 : i + 8]}" for i in range(0, 8 * n, 8)]


def draw() -> str:
    """One Tumbuh ID at random, not checked against anything."""
    return draw_many(1)[0]


def held(candidates: Sequence[str]) -> set[str]:
    """Those of ``candidates`` a stored child holds, merged children included."""
    from .models import Child

    size = min(CHECK_SIZE, connection.features.max_query_params or CHECK_SIZE)
    found: set[str] = set()
    for start in range(0, len(candidates), size):
        found.update(
            Child.all_objects.filter(tumbuh_id__in=candidates[start : start + size]).values_list("tumbuh_id", flat=True)
        )
    return found


def allocate(n: int) -> list[str]:
    """``n`` distinct Tumbuh IDs no stored child holds."""
    return free(draw_many(n))


def free(candidates: Sequence[str]) -> list[str]:
    """``candidates`` where no stored child holds them and none is repeated; the others drawn
    again until they are: a check per round, a round or two in practice."""
    out = list(candidates)
    taken: set[str] = set()
    todo = list(range(len(out)))
    for round_ in range(ROUNDS):
        if not todo:
            return out
        if round_:
            for i, candidate in zip(todo, draw_many(len(todo)), strict=True):
                out[i] = candidate
        first: dict[str, int] = {}
        for i in todo:
            if out[i] not in taken:
                first.setdefault(out[i], i)  # the same ID twice: the second is drawn again
        accepted = first.keys() - held(list(first))
        taken |= accepted
        todo = [i for i in todo if out[i] not in accepted or first[out[i]] != i]
    if todo:
        raise RuntimeError(f"no free Tumbuh ID for {len(todo)} of {len(out)} new children after {ROUNDS} rounds")
    return out


def insert_with_ids(insert: Callable[[list[str]], T], ids: list[str]) -> T:
    """``insert(ids)`` in a savepoint, ``ids`` made free (``allocate``, ``free``). If the INSERT clashes on
    an ID after all (a concurrent transaction wrote it since the check, on PostgreSQL), the
    clashing IDs are drawn again and the INSERT tried again; any other integrity error is raised."""
    for attempt in range(RETRIES + 1):
        try:
            with transaction.atomic():
                return insert(ids)
        except (IntegrityError, connection.Database.IntegrityError):  # the driver's own, from PostgreSQL's COPY
            clashing = held(ids)
            if not clashing or attempt == RETRIES:
                raise
            ids = free(ids)
    raise AssertionError("unreachable")
