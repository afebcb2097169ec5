"""Helpers for the tests of the plan, the rembuk and the review (imported by test modules)."""

from __future__ import annotations

from decimal import Decimal

from tumbuh.documents.tests.test_official import pdftext  # noqa: F401  (the fixture, for the tests of these apps)

#: The plan year tests work in: the demo (in every test database) has Luwu Timur's 2025 and 2026.
TEST_YEAR = 2030


def make_activity(
    actor,
    *,
    opd="DINKES",
    indicator="balita-dipantau",
    desa=(),
    year=TEST_YEAR,
    budget=100_000_000,
    kabupaten="73.24",
    volume=10,
    unit="paket",
    sub_kegiatan="Pemberian makanan tambahan",
    **fields,
):
    """An activity saved through the audited action, as ``actor`` would."""
    from tumbuh.indikator.models import Indicator
    from tumbuh.organisation.models import Opd
    from tumbuh.wilayah.models import Wilayah

    from .actions import do_save_activity
    from .models import Activity

    activity = Activity(
        kabupaten_id=kabupaten,
        year=year,
        opd=Opd.objects.get(kabupaten_id=kabupaten, short_name=opd),
        program=fields.pop("program", "Program Pemenuhan Upaya Kesehatan"),
        kegiatan=fields.pop("kegiatan", "Layanan gizi"),
        sub_kegiatan=sub_kegiatan,
        indicator=Indicator.objects.get(kabupaten=None, code=indicator),
        volume=Decimal(volume),
        unit=unit,
        budget=Decimal(budget),
        **fields,
    )
    return do_save_activity(actor, activity, desa=Wilayah.objects.filter(code__in=list(desa)), reason="uji")
