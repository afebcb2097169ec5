"""Ids in HTML are never written with the Indonesian thousands separator: participant 1441 is
``#participant-1441``, not ``#participant-1.441`` (an invalid selector that broke the htmx check-in
once a database had passed a thousand participants)."""

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation


def test_a_participant_row_id_and_target_keep_a_large_pk_whole():
    participant = SimpleNamespace(
        pk=1441,
        name="Andi Baso",
        organisation="Desa Balantang",
        position="Kepala Desa",
        checked_in=False,
        checked_in_at=None,
        code="AB12",
        get_group_display=lambda: "Kepala desa",
        group="kepala_desa",
    )
    with translation.override("id"):
        html = render_to_string("rapat/_checked_in_row.html", {"p": participant, "rapat": SimpleNamespace(pk=2048)})
    assert 'id="participant-1441"' in html and 'hx-target="#participant-1441"' in html
    assert "1.441" not in html
