"""The Regions page counts, for each region listed, the posyandu in the desa under it."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count

from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah, wilayah_label

pytestmark = pytest.mark.django_db


def _counts(html: str) -> dict[str, int]:
    """{code: posyandu} from the page's table (the last column)."""
    table = html.split('data-testid="wilayah-list"')[1].split("</table>")[0]
    return {
        m[0]: int(m[1])
        for m in re.findall(
            r"<tr><td>([\d.]+)</td>.*?<td class=\"num\">\d+</td><td class=\"num\">(\d+)</td></tr>", table, re.S
        )
    }


def test_each_kecamatan_counts_the_posyandu_of_its_desa(client, alice):
    client.force_login(alice)
    counts = _counts(client.get("/wilayah/73.24/").content.decode())
    expected = dict(
        Posyandu.objects.filter(desa__kabupaten_code="73.24")
        .values("desa__kecamatan_code")
        .annotate(n=Count("pk"))
        .values_list("desa__kecamatan_code", "n")
    )
    assert len(counts) == 11 and counts == {code: expected.get(code, 0) for code in counts}
    assert (
        counts["73.24.04"] > 0 and sum(counts.values()) == Posyandu.objects.filter(desa__kabupaten_code="73.24").count()
    )
    # One level down, each desa its own.
    desa = _counts(client.get("/wilayah/73.24.04/").content.decode())
    assert desa["73.24.04.2010"] == Posyandu.objects.filter(desa_id="73.24.04.2010").count() > 0


def test_a_puskesmas_officer_counts_the_posyandu_they_see(client, demo_users):
    officer = demo_users["pkm.malili"]
    client.force_login(officer)
    counts = _counts(client.get("/wilayah/").content.decode())
    served = officer.puskesmas.desa_codes()
    assert set(counts) == set(served)
    assert counts == {d: Posyandu.objects.filter(desa_id=d).count() for d in served}


def test_a_region_label_names_its_kind():
    assert Wilayah.objects.get(code="73").label == "Provinsi Sulawesi Selatan"
    assert Wilayah.objects.get(code="73.24").label == "Kabupaten Luwu Timur"
    assert Wilayah.objects.get(code="73.24.04").label == "Kecamatan Malili"
    assert Wilayah.objects.get(code="73.24.04.1003", level=Level.DESA).label.startswith("Kelurahan ")
    assert wilayah_label("Balantang", "desa") == "Desa Balantang"
