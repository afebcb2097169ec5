"""Aksi 3 in Pantau Aksi lists each rembuk of the year's plan (district and kecamatan, apart)
with its generated documents and signed scans, to those who see the rembuk only."""

import datetime as dt

import pytest
from django.utils import translation

from tumbuh.aksi.outputs import GENERATED, UPLOADED, collect, collect_all
from tumbuh.rembuk import actions
from tumbuh.rembuk.models import RembukEvent
from tumbuh.rembuk.tests.test_rembuk import scan
from tumbuh.rencana.testing import TEST_YEAR
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db
SIGNED = dt.datetime(2026, 4, 20, 8, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):  # the labels and notes below are read in English
        yield


def _event(actor, wilayah, year=TEST_YEAR, title="Rembuk Stunting"):
    return actions.do_save_event(
        actor,
        RembukEvent(
            wilayah_id=wilayah, year=year, title=title, date=dt.date(year, 4, 15), place="Aula", signing_place="Malili"
        ),
        reason="uji",
    )


@pytest.fixture
def lutim():
    return Wilayah.objects.get(code="73.24")


def _events_in(outputs) -> set[int]:
    """The rembuk each output links to, read back from its URL (/rembuk/<pk>/dokumen/…)."""
    return {int(o.url.split("/")[2]) for o in outputs if o.kind == GENERATED}


def test_aksi_3_lists_the_rembuk_of_its_year_and_district_only(alice, charlie, demo_users, lutim):
    district = _event(alice, "73.24", title="Rembuk Kabupaten 2030")
    malili = _event(demo_users["camat.malili"], "73.24.04", title="Rembuk Kecamatan Malili 2030")
    _event(alice, "73.24", year=TEST_YEAR + 1, title="Rembuk Kabupaten 2031")
    _event(charlie, "73.17", title="Rembuk Kabupaten Luwu 2030")
    found = collect(lutim, TEST_YEAR, alice, "rembuk")
    assert _events_in(found) == {district.pk, malili.pk}
    # three documents each, PDF with the DOCX beside it; the district's first, the kecamatan's labelled apart
    assert [o.format for o in found] == ["PDF"] * 6 and all(o.also[0][0] == "DOCX" for o in found)
    assert [o.group for o in found[:3]] == ["District rembuk: Rembuk Kabupaten 2030"] * 3
    assert {o.group for o in found[3:]} == {"Kecamatan rembuk (Malili): Rembuk Kecamatan Malili 2030"}
    assert not any(o.final for o in found) and "not filed yet" in found[0].note
    assert _events_in(collect(lutim, TEST_YEAR + 1, alice, "rembuk")) == {
        e.pk for e in RembukEvent.objects.filter(wilayah_id="73.24", year=TEST_YEAR + 1)
    }


def test_a_user_outside_the_district_gets_none(alice, charlie, lutim):
    _event(alice, "73.24")
    assert collect(lutim, TEST_YEAR, charlie, "rembuk") == []
    assert collect_all(lutim, TEST_YEAR, charlie) == {}


def test_a_kecamatan_s_rembuk_is_not_listed_to_another_kecamatan(alice, demo_users, lutim):
    malili = _event(demo_users["camat.malili"], "73.24.04")
    mangkutana = _event(alice, "73.24.01")
    district = _event(alice, "73.24")
    assert _events_in(collect(lutim, TEST_YEAR, alice, "rembuk")) == {district.pk, malili.pk, mangkutana.pk}
    for username in ("camat.malili", "desa.balantang"):  # Balantang lies in Malili
        assert _events_in(collect(lutim, TEST_YEAR, demo_users[username], "rembuk")) == {district.pk, malili.pk}


def test_signed_scans_are_listed_and_a_closed_rembuk_s_documents_are_final(alice, lutim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = _event(alice, "73.24")
    actions.do_upload_scan(
        alice,
        event,
        file=scan("komitmen.pdf"),
        kind=actions.SCAN_COMMITMENT,
        title="Komitmen bertanda tangan",
        now=SIGNED,
    )
    actions.do_upload_scan(
        alice,
        event,
        file=scan("ba.pdf"),
        kind=actions.SCAN_BERITA_ACARA,
        title="Berita acara bertanda tangan",
        now=SIGNED,
    )
    found = collect(lutim, TEST_YEAR, alice, "rembuk")
    scans = [o for o in found if o.kind == UPLOADED]
    assert [o.title for o in scans] == ["Komitmen bertanda tangan", "Berita acara bertanda tangan"]
    assert all(o.format == "PDF" and o.url.startswith("/dokumen/berkas/") for o in scans)
    assert all(o.final for o in found) and found[0].note.startswith("closed on ")
