"""The package a phone keeps: one desa or posyandu the user may see, no NIK in clear, an expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from tumbuh.measurements.models import Child, Measurement
from tumbuh.organisation.models import Posyandu

from .sync_fixtures import BALANTANG, HARAPAN, NIK_BUDI, NIK_SITI, PACKAGE, admin_lutim, budi, siti  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_desa_operator_gets_their_desa_with_nik_hashed_never_in_clear(client, bob, siti, budi):
    client.force_login(bob)
    response = client.get(PACKAGE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["Content-Type"].startswith("application/json")
    body = response.content.decode()
    assert NIK_SITI not in body and NIK_BUDI not in body
    package = response.json()
    assert package["version"] == 1 and package["scope"] == {"kind": "desa", "id": BALANTANG, "name": "Balantang"}
    children = {c["tumbuh_id"]: c for c in package["children"]}
    expected = set(Child.objects.filter(desa_id=BALANTANG).values_list("tumbuh_id", flat=True))
    assert set(children) == expected and siti.tumbuh_id in children and budi.tumbuh_id not in children
    assert {c["desa_id"] for c in package["children"]} == {BALANTANG}
    mine = children[siti.tumbuh_id]
    assert "nik_masked" not in mine and siti.nik_masked not in body  # not even masked
    key = package["salt"].encode()
    full = hmac.new(key, NIK_SITI.encode(), hashlib.sha256).hexdigest()
    assert mine["nik_hash"] == full[:2]
    # Whoever holds the phone holds the salt: with the child's birth date and region known, the
    # 10,000 possible serials must leave many NIKs that fit the hash, not one.
    fitting = [
        serial
        for serial in range(10_000)
        if hmac.new(key, f"{NIK_SITI[:12]}{serial:04d}".encode(), hashlib.sha256)
        .hexdigest()
        .startswith(mine["nik_hash"])
    ]
    assert len(fitting) > 10
    assert len(package["salt"]) >= 32
    # The last three visits, the latest first, with the server's status.
    visits = mine["visits"]
    stored = list(Measurement.objects.filter(child=siti).order_by("-date")[:3])
    assert [v["date"] for v in visits] == [m.date.isoformat() for m in stored]
    assert visits[0] == {
        "date": "2025-02-10",
        "weight": 9.6,
        "lenhei": 79.0,
        "position": "H",
        "oedema": False,
        "muac": None,
        "headc": None,
        "status_tbu": stored[0].status_tbu,
        "status_bbu": stored[0].status_bbu,
        "status_bbtb": stored[0].status_bbtb,
        "status_imtu": stored[0].status_imtu or None,
        "zlen": round(stored[0].zlen, 2),
        "zwei": round(stored[0].zwei, 2),
        "zwfl": round(stored[0].zwfl, 2),
    }
    assert {p["desa_id"] for p in package["posyandu"]} == {BALANTANG} and package["desa"] == [
        {"id": BALANTANG, "name": "Balantang"}
    ]
    assert package["csrf_token"]
    # A new salt each time: two packages cannot be matched up by their hashes.
    assert client.get(PACKAGE).json()["salt"] != package["salt"]


def test_the_package_expires_after_the_set_number_of_days(client, bob, settings):
    client.force_login(bob)
    package = client.get(PACKAGE).json()
    made, expires = (dt.datetime.fromisoformat(package[k]) for k in ("generated_at", "expires_at"))
    assert expires - made == dt.timedelta(days=7)
    settings.TUMBUH_OFFLINE_DAYS = 3
    package = client.get(PACKAGE).json()
    made, expires = (dt.datetime.fromisoformat(package[k]) for k in ("generated_at", "expires_at"))
    assert expires - made == dt.timedelta(days=3)


def test_a_desa_outside_the_area_is_not_found(client, bob, demo_users):
    client.force_login(bob)
    assert client.get(PACKAGE, {"desa": HARAPAN}).status_code == 404
    assert client.get(PACKAGE, {"desa": "99.99.99.9999"}).status_code == 404
    other = Posyandu.objects.filter(desa_id=HARAPAN).first()
    assert client.get(PACKAGE, {"posyandu": other.pk}).status_code == 404
    client.force_login(demo_users["admin.luwu"])
    assert client.get(PACKAGE, {"desa": BALANTANG}).status_code == 404


def test_above_a_desa_one_desa_or_posyandu_must_be_chosen_never_the_district(
    client, admin_lutim, siti, budi, demo_users
):
    client.force_login(admin_lutim)
    refused = client.get(PACKAGE)
    assert refused.status_code == 400 and "satu desa" in refused.json()["error"]
    assert BALANTANG in {d["id"] for d in refused.json()["desa"]}
    assert client.get(PACKAGE, {"desa": BALANTANG, "posyandu": 1}).status_code == 400
    whole = client.get(PACKAGE, {"desa": HARAPAN}).json()
    assert {c["desa_id"] for c in whole["children"]} == {HARAPAN} and budi.tumbuh_id in {
        c["tumbuh_id"] for c in whole["children"]
    }
    posyandu = siti.posyandu
    one = client.get(PACKAGE, {"posyandu": posyandu.pk}).json()
    assert one["scope"] == {"kind": "posyandu", "id": posyandu.pk, "name": posyandu.name}
    assert {c["posyandu_id"] for c in one["children"]} == {posyandu.pk}
    assert siti.tumbuh_id in {c["tumbuh_id"] for c in one["children"]}
    # A puskesmas officer: the desa their puskesmas serves, not Balantang (Puskesmas Lakawali's).
    client.force_login(demo_users["pkm.malili"])
    assert client.get(PACKAGE).status_code == 400
    assert client.get(PACKAGE, {"desa": HARAPAN}).status_code == 200
    assert client.get(PACKAGE, {"desa": BALANTANG}).status_code == 404
