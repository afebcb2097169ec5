"""Record ids in templates are never localized.

With USE_THOUSAND_SEPARATOR and Indonesian formats, ``{{ child.pk }}`` renders 1201 as "1.201":
a form posting that id, or a page looking a row up by it, breaks as soon as a table passes a
thousand rows (a hidden ``child`` input did, in the KRS family page). Ids go through
``|unlocalize`` (or ``|stringformat``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("*/templates/**/*.html"))
BARE_ID = re.compile(r"\{\{\s*[\w.]*\b(pk|id)\s*\}\}")


def test_the_scan_sees_the_templates():
    assert len(TEMPLATES) > 100


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_no_bare_record_id_in_a_template(path):
    bad = [m.group(0) for m in BARE_ID.finditer(path.read_text(encoding="utf-8"))]
    assert not bad, f"{path}: {bad} (use |unlocalize)"


def test_why_ids_must_not_be_localized(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("id"):
        assert Template("{{ pk }}").render(Context({"pk": 1201})) == "1.201"
        assert Template("{% load l10n %}{{ pk|unlocalize }}").render(Context({"pk": 1201})) == "1201"
