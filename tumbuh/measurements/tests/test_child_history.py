"""The history on a child's page in an inspector's words (``audit.display``): fields by their
names, numbers in the reader's format, the posyandu by name, never the engine's columns or the
bookkeeping; and the NIK never in full for a role that may not read it."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tumbuh.measurements.actions import do_record_measurement, do_register_child
from tumbuh.measurements.models import Measurement
from tumbuh.organisation.models import Posyandu

from .posyandu_fixtures import BALANTANG, NIK_SITI, TODAY, admin_lutim, siti  # noqa: F401

pytestmark = pytest.mark.django_db

NIK_CORRECTED = "7324045601230012"  # the same girl's NIK with the birth day's digits retyped (55 → 56)


def _history(client, user, child) -> tuple[list[str], str]:
    """The lines of the page's history ("Label: before → after") and the history table."""
    client.force_login(user)
    response = client.get(reverse("measurements:child", args=[child.tumbuh_id]))
    assert response.status_code == 200
    table = re.search(r'<table data-testid="audit">(.*?)</table>', response.content.decode(), re.S).group(1)
    return [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", table)], table


def test_a_corrected_visit_and_a_new_posyandu_read_as_an_inspector_says_them(client, bob, siti):
    visit = Measurement.objects.get(child=siti, date=dt.date(2025, 2, 10))
    visit.weight = Decimal("9.75")
    do_record_measurement(bob, visit, reason="salah timbang", today=TODAY)
    other = Posyandu.objects.filter(desa_id=BALANTANG).exclude(pk=siti.posyandu_id).first()
    before = siti.posyandu
    siti.posyandu = other
    do_register_child(bob, siti, reason="pindah posyandu", today=TODAY)

    lines, table = _history(client, bob, siti)
    assert "Berat badan (kg): 9,60 → 9,75" in lines
    assert f"Posyandu: {before} → {other}" in lines  # by name ("Posyandu … — Desa Balantang"), not by id
    for raw in ("weight", "posyandu_id", "zlen", "updated_at", "status_tbu", f"→ {other.pk}<"):
        assert raw not in table
    assert "z-skor dan status dihitung ulang" in table  # the engine's columns summarised


def test_who_may_not_read_niks_sees_a_corrected_nik_masked_and_still_as_changed(client, demo_users, bob, siti):
    siti.nik = NIK_CORRECTED
    do_register_child(bob, siti, reason="NIK salah ketik", today=TODAY)

    lines, table = _history(client, demo_users["pantau.lutim"], siti)
    assert "NIK: 7324••••••••0012 → 7324••••••••0012" in lines  # the masks agree, the change is shown
    assert NIK_SITI not in table and NIK_CORRECTED not in table

    lines, table = _history(client, bob, siti)  # a desa operator registers children: the numbers in full
    assert f"NIK: {NIK_SITI} → {NIK_CORRECTED}" in lines
