"""Matching the names in imported files (kecamatan, desa, puskesmas, posyandu) to Tumbuh's
records: exact after normalising, else a remembered ``NameMapping``, else a proposal.

Normalising folds case and spaces, drops punctuation and the kind's usual prefixes
("Desa ", "Kel. ", "PKM ", "Posyandu "), so "DESA  Balantang" and "balantang" match exactly.
A name that still does not match gets the closest candidate (``difflib``, ratio ≥ 0.6) as a
proposal for the user to confirm once.
"""

from __future__ import annotations

import difflib
import re

from tumbuh.imports.cells import fold

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

PREFIXES = {
    "kecamatan": ("kecamatan", "kec"),
    "desa": ("desa", "kelurahan", "kel", "ds"),
    "puskesmas": ("uptd puskesmas", "upt puskesmas", "puskesmas", "pkm"),
    "posyandu": ("posyandu", "psy", "pos"),
}
PROPOSAL_CUTOFF = 0.6


def name_key(kind: str, text: str) -> str:
    key = _NOT_ALNUM.sub(" ", fold(text)).strip()
    for prefix in PREFIXES.get(kind, ()):
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return key[len(prefix) + 1 :]
    return key


def propose(key: str, candidates: dict[str, object]):
    """The candidate whose key is closest to ``key``, or None."""
    if not key or not candidates:
        return None
    match = difflib.get_close_matches(key, list(candidates), n=1, cutoff=PROPOSAL_CUTOFF)
    return candidates[match[0]] if match else None
