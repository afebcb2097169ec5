"""A posyandu's location: typed in the form (either decimal mark, or a pair pasted whole), set
from the import's Lintang/Bujur or Koordinat columns, always checked the same way: a pair, in
range, in Indonesia, and inside the district when a boundary file gives its extent; without
one it is kept, with a warning that it could not be checked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tumbuh.audit.actions import do_save
from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.imports.testing import csv_bytes
from tumbuh.organisation import location
from tumbuh.organisation.models import Posyandu

pytestmark = pytest.mark.django_db

#: Luwu Timur's extent as a boundary file would give it (min lon, min lat, max lon, max lat).
LUTIM = (120.3, -2.95, 121.5, -2.1)


@pytest.fixture
def with_extent():
    """A district extent, as the maps app gives it once a boundary file is uploaded."""

    def provider(code):
        return LUTIM if code == "73.24" else None

    location._PROVIDERS.insert(0, provider)
    yield
    location._PROVIDERS.remove(provider)


@pytest.fixture
def posyandu(db):
    return Posyandu.objects.filter(desa_id="73.24.04.2001").order_by("pk").first()


def _form_data(p: Posyandu, **values) -> dict:
    data = {
        "name": p.name,
        "code": p.code,
        "desa": p.desa_id,
        "puskesmas": p.puskesmas_id,
        "address": p.address,
        "is_active": "on",
        "latitude": "",
        "longitude": "",
        "reason": "lokasi",
    }
    data.update(values)
    return data


def test_the_checks(with_extent):
    assert not location.check(None, None, "73.24").errors
    assert location.check(Decimal("-2.5"), None, "73.24").errors[0].message == location.ONLY_ONE
    assert location.check(-95, 120, "73.24").errors[0].message == location.OUTSIDE_RANGE
    assert (
        location.check(120.9, -2.5, "73.24").errors[0].message == location.OUTSIDE_RANGE
    )  # swapped: 120.9 is no latitude
    assert location.check(-2.5, 110.4, "73.24").errors[0].message == location.OUTSIDE_DISTRICT  # Java, not Luwu Timur
    assert location.check(2.5, 120.9, "73.24").errors[0].message == location.OUTSIDE_DISTRICT  # the minus forgotten
    assert location.check(35.6, 139.7, "73.24").errors[0].message == location.OUTSIDE_INDONESIA
    ok = location.check(Decimal("-2.574812"), Decimal("121.041377"), "73.24")
    assert not ok.errors and not ok.warnings
    unknown = location.check(-2.5, 120.9, "73.17")  # Luwu: no boundary file, so not checked, and said so
    assert not unknown.errors and unknown.warnings[0].message == location.NOT_CHECKED


def test_the_model_refuses_half_a_location_and_a_place_outside_the_district(alice, posyandu, with_extent):
    posyandu.latitude = Decimal("-2.5")
    with pytest.raises(ValidationError) as caught:
        do_save(alice, posyandu)
    assert "longitude" in caught.value.message_dict
    posyandu.latitude, posyandu.longitude = Decimal("-7.8"), Decimal("110.4")
    with pytest.raises(ValidationError) as caught:
        do_save(alice, posyandu)
    assert "Luwu Timur" in " ".join(caught.value.message_dict["latitude"])


def test_the_database_refuses_half_a_location(posyandu):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Posyandu.objects.filter(pk=posyandu.pk).update(latitude=Decimal("-2.5"))


@pytest.mark.parametrize(
    "lat, lon, expected",
    [
        ("-2,574812", "121,041377", ("-2.574812", "121.041377")),  # the Indonesian decimal comma
        ("-2.574812", "121.041377", ("-2.574812", "121.041377")),  # as a phone app copies them
        ("\u22122,5748", "121,0414", ("-2.574800", "121.041400")),  # a typographic minus
        ("-2.574812, 121.041377", "", ("-2.574812", "121.041377")),  # the pair pasted into the first field
    ],
)
def test_typed_in_the_form_either_way_and_audited(client, alice, posyandu, with_extent, lat, lon, expected):
    client.force_login(alice)
    response = client.post(
        reverse("organisation:edit", args=["posyandu", posyandu.pk]), _form_data(posyandu, latitude=lat, longitude=lon)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    posyandu.refresh_from_db()
    assert (str(posyandu.latitude), str(posyandu.longitude)) == expected
    entry = AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).latest("pk")
    assert entry.reason == "lokasi" and "latitude" in entry.after


def test_the_form_refuses_a_place_outside_the_district_in_indonesian(client, alice, posyandu, with_extent):
    client.force_login(alice)
    with translation.override("id"):
        response = client.post(
            reverse("organisation:edit", args=["posyandu", posyandu.pk]),
            _form_data(posyandu, latitude="2,574812", longitude="121,041377"),
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "berada di luar Kabupaten Luwu Timur" in body and "lintang bernilai negatif" in body
    posyandu.refresh_from_db()
    assert posyandu.latitude is None


def test_the_form_warns_when_the_district_has_no_boundaries_and_offers_the_phone_location(client, alice, posyandu):
    client.force_login(alice)
    body = client.get(reverse("organisation:edit", args=["posyandu", posyandu.pk])).content.decode()
    assert 'data-testid="location-not-checked"' in body and "belum ada berkas batas wilayah" in body
    assert 'data-testid="use-my-location"' in body and "Gunakan lokasi saya" in body
    assert "Ponsel akan menanyakan" in body  # the consent text beside the button
    assert (
        "/static/organisation/geolocate.js" in body
        and "://" not in body.split("geolocate.js")[0].rsplit("<script", 1)[1]
    )
    response = client.post(
        reverse("organisation:edit", args=["posyandu", posyandu.pk]),
        _form_data(posyandu, latitude="-2,574812", longitude="121,041377"),
    )
    assert response.status_code == 302  # kept: nothing to check it against yet


def test_a_puskesmas_officer_sets_the_location_of_their_posyandu(client, demo_users, with_extent):
    officer = demo_users["pkm.malili"]
    p = Posyandu.objects.filter(puskesmas_id=officer.puskesmas_id).order_by("pk").first()
    client.force_login(officer)
    response = client.post(
        reverse("organisation:edit", args=["posyandu", p.pk]), _form_data(p, latitude="-2,6", longitude="121,1")
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.latitude == Decimal("-2.6")


# ---------------------------------------------------------------- the posyandu import


def _import(user, rows):
    return run_import("posyandu", user=user, kabupaten=user.wilayah, source=csv_bytes(rows), file_name="posyandu.csv")


def _reasons(batch):
    with translation.override("en"):
        return {r.row_number: r.message for r in batch.rejected_rows.all()}


def test_import_sets_locations_and_refuses_bad_ones_with_reasons(alice, with_extent):
    existing = Posyandu.objects.filter(desa_id="73.24.04.2001").order_by("pk").first()
    rows = [
        ["Nama Posyandu", "Kode Desa", "Kode Puskesmas", "Lintang", "Bujur"],
        [existing.name, "73.24.04.2001", "P7324040101", "-2,574812", "121,041377"],  # 2: located
        ["Posyandu Titik Baru", "73.24.04.2002", "P7324040101", "-2.58", "121.05"],  # 3: new, dot decimals
        ["Posyandu Setengah", "73.24.04.2004", "P7324040101", "-2,58", ""],  # 4: half a location
        ["Posyandu Jawa", "73.24.04.2004", "P7324040101", "-7,8", "110,4"],  # 5: outside the district
        ["Posyandu Terbalik", "73.24.04.2005", "P7324040101", "121,04", "-2,57"],  # 6: swapped
        ["Posyandu Huruf", "73.24.04.2005", "P7324040101", "dua", "121"],  # 7: not a number
        ["Posyandu Tanpa", "73.24.04.2005", "P7324040101", "", ""],  # 8: no location: fine
    ]
    batch = _import(alice, rows)
    reasons = _reasons(batch)
    assert set(reasons) == {4, 5, 6, 7}, reasons
    assert "Give both latitude and longitude" in reasons[4]
    assert "lies outside Kabupaten Luwu Timur" in reasons[5]
    assert "between −90 and 90" in reasons[6]
    assert "not a number of degrees" in reasons[7]
    existing.refresh_from_db()
    assert (existing.latitude, existing.longitude) == (Decimal("-2.574812"), Decimal("121.041377"))
    new = Posyandu.objects.get(name="Posyandu Titik Baru")
    assert (new.latitude, new.longitude) == (Decimal("-2.580000"), Decimal("121.050000"))
    assert Posyandu.objects.get(name="Posyandu Tanpa").latitude is None
    # Re-importing without the columns leaves the locations alone.
    _import(alice, [["Nama Posyandu", "Kode Desa", "Kode Puskesmas"], [existing.name, "73.24.04.2001", "P7324040101"]])
    existing.refresh_from_db()
    assert existing.latitude == Decimal("-2.574812")


def test_import_reads_a_koordinat_column_and_warns_when_it_cannot_check(alice):
    rows = [
        ["Nama Posyandu", "Kode Desa", "Kode Puskesmas", "Koordinat"],
        ["Posyandu Satu Sel", "73.24.04.2002", "P7324040101", "-2.574812, 121.041377"],
        ["Posyandu Salah Sel", "73.24.04.2002", "P7324040101", "-2.574812"],
    ]
    batch = _import(alice, rows)
    assert set(_reasons(batch)) == {3}
    p = Posyandu.objects.get(name="Posyandu Satu Sel")
    assert (p.latitude, p.longitude) == (Decimal("-2.574812"), Decimal("121.041377"))
    with translation.override("en"):
        warnings = batch.warnings()
    assert warnings == [(2, str(location.NOT_CHECKED))]
    assert batch.findings["warned_rows"] == 1
