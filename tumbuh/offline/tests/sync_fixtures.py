"""What the sync, package and conflicts tests share: records as a phone makes them, the request
that sends them, and the children of ``measurements``' posyandu tests (Siti in Balantang, Budi in
Harapan) to conflict with."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from tumbuh.measurements import scoring
from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.tests.posyandu_fixtures import (  # noqa: F401  (fixtures)
    BALANTANG,
    HARAPAN,
    NIK_BUDI,
    NIK_SITI,
    admin_lutim,
    budi,
    siti,
)
from tumbuh.organisation.models import Posyandu

DEVICE = "0b6f3f5e-7d1c-4c55-9d3e-phone-bob-01"
SYNC = "/api/luring/sinkron/"
CHOOSE = "/api/luring/pilih/"
PACKAGE = "/api/luring/paket/"


def balantang_posyandu() -> Posyandu:
    return Posyandu.objects.filter(desa_id=BALANTANG, is_active=True).order_by("pk").first()


def child_data(**changes) -> dict:
    data = {
        "name": "Ani Luring",
        "sex": 2,
        "birth_date": "2025-03-01",
        "parent_name": "Ibu Luring",
        "nik": "",
        "parent_nik": "",
        "desa_id": BALANTANG,
        "posyandu_id": balantang_posyandu().pk,
        "rt": "001",
        "rw": "002",
        "address": "Jl. Uji Luring",
    }
    return {**data, **changes}


def visit_data(child=None, child_uuid=None, **changes) -> dict:
    data = {
        "date": "2026-01-10",
        "weight": 9.5,
        "lenhei": 76.0,
        "position": "L",
        "oedema": False,
        "muac": None,
        "headc": None,
    }
    if child is not None:
        data["child"] = child
    if child_uuid is not None:
        data["child_uuid"] = str(child_uuid)
    return {**data, **changes}


def record(kind: str, data: dict, *, uid=None, revision: int = 1, phone=None) -> dict:
    return {
        "uuid": str(uid or uuid.uuid4()),
        "revision": revision,
        "kind": kind,
        "created_at": "2026-01-10T09:15:00+08:00",
        "data": data,
        "phone": phone,
    }


def phone_block(sex: int, birth: str, data: dict) -> dict:
    """What a correct phone engine computes for ``data`` (the server's own engine, unrounded)."""
    child = Child(sex=sex, birth_date=dt.date.fromisoformat(birth))
    m = Measurement(
        child=child,
        date=dt.date.fromisoformat(data["date"]),
        weight=None if data.get("weight") is None else Decimal(str(data["weight"])),
        lenhei=None if data.get("lenhei") is None else Decimal(str(data["lenhei"])),
        position=(data.get("position") or "").lower(),
        oedema=bool(data.get("oedema")),
    )
    scoring.score([m])
    return {field: getattr(m, field) for field in scoring.COMPUTED_FIELDS}


def post(client, url: str, body) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def sync(client, records: list, device: str = DEVICE):
    response = post(client, SYNC, {"device": device, "records": records})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def choose(client, uid, choice: str, reason: str = "dicek dengan buku KIA"):
    return post(client, CHOOSE, {"uuid": str(uid), "choice": choice, "reason": reason})
