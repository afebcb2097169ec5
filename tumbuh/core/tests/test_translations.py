"""Every UI string has an Indonesian translation, and the compiled catalogue matches it."""

import json
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def _entries():
    """(msgid, msgstr, flags) for each entry of the .po file."""
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        keys = {"msgid": [], "msgstr": []}
        current = None
        for line in lines:
            if line.startswith("msgid "):
                current = "msgid"
            elif line.startswith(("msgstr ", "msgstr[0] ")):
                current = "msgstr"
            elif line.startswith(("msgid_plural", "msgstr[")):
                current = None
            if current and '"' in line:
                keys[current].append(json.loads(line[line.index('"') :]))
        msgid = "".join(keys["msgid"])
        if msgid:
            yield msgid, "".join(keys["msgstr"]), flags


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = list(_entries())
    assert len(entries) > 200
    untranslated = [m for m, s, _ in entries if not s]
    fuzzy = [m for m, _, f in entries if "fuzzy" in f]
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalogue_is_up_to_date():
    with translation.override("id"):
        stale = [m for m, s, f in _entries() if "%" not in m and translation.gettext(m) != s]
    assert stale == [], "run: make messages"
