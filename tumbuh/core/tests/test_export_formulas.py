"""Formula injection, scanned across every export: every free-text field of every record holds a
hostile text, every Excel and CSV file the site offers is downloaded as the district admin, and
no cell may be a formula, no CSV field may start like one (unless it is a real number, and none
of the hostile texts is).

The free-text fields are found, not listed: every text field of every Tumbuh model that is not a
key, a code, a choice, a file name or otherwise read back by the program. The exports are found
too: :func:`test_every_export_is_scanned` fails when a URL that names a file export is added
without being scanned here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.urls import get_resolver
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

BALANTANG, HARAPAN = "73.24.04.2010", "73.24.04.2001"
HOSTILE = ['=HYPERLINK("http://x","klik")', "+1+1", "-1+1", "@SUM(1)", "\t=1", "\r=1", "-2"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A real number as Tumbuh writes one in a CSV file (``-1,25``, ``12.5``).
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")

#: Fields holding something the program reads back (keys, codes, identifiers, file names…),
#: not a text a person typed for people to read.
NOT_FREE_TEXT = re.compile(
    r"(^|_)(code|codes|kode|nik|no_kk|kk|key|slug|kind|status|level|period|periode|year|tumbuh_id|id|uuid|hash|sha\w*|"
    r"path|file|file_name|filename|url|email|username|password|language|lang|token|payload|format|fmt|"
    r"content_type|mime|source_kind|object_type|action|role|field|fields|unit_code|bps|qr\w*|color|colour|icon|"
    r"geometry|srid|crs|layout|computed_from|formula|reason_code|params|session_key|measure|sex|position|"
    r"timezone|scheme|method|version)$"
)
SKIP_APPS = {"audit", "accounts", "growth"}


def _free_text_fields(model) -> tuple[list[str], set[str]]:
    """The free-text fields of ``model``, and those of them in a constraint of several fields
    (a hostile text there is followed by the row's key, so the rows stay distinct)."""
    together = {f for group in model._meta.unique_together for f in group}
    for constraint in model._meta.constraints:
        together |= set(getattr(constraint, "fields", ()) or ())
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not f.primary_key
        and not f.unique
        and not f.choices
        and (f.max_length is None or f.max_length >= 40)
        and not NOT_FREE_TEXT.search(f.name)
    ]
    return fields, together & set(fields)


def _plant_hostile_texts() -> list[str]:
    """Every free-text field of every row gets one of :data:`HOSTILE` (rows cycle through them)."""
    planted = []
    for model in apps.get_models():
        if not model.__module__.startswith("tumbuh.") or model._meta.app_label in SKIP_APPS or model._meta.proxy:
            continue
        fields, together = _free_text_fields(model)
        if not fields or not model.objects.exists():
            continue
        planted += [f"{model._meta.label}.{f}" for f in fields]
        pk = model._meta.pk
        if not together and isinstance(pk, (models.AutoField, models.BigAutoField, models.IntegerField)):
            model.objects.update(
                **{
                    field: Case(
                        *[
                            When(Exact(Mod(F("pk"), len(HOSTILE)), (i + shift) % len(HOSTILE)), then=Value(text))
                            for i, text in enumerate(HOSTILE)
                        ]
                    )
                    for shift, field in enumerate(fields)
                }
            )
        else:
            for n, key in enumerate(model.objects.values_list("pk", flat=True)):
                model.objects.filter(pk=key).update(
                    **{
                        f: HOSTILE[(n + s) % len(HOSTILE)] + (f" {key}" if f in together else "")
                        for s, f in enumerate(fields)
                    }
                )
    return planted


def _formulas_in_workbook(content: bytes) -> list[str]:
    """Cells holding a formula, or a text starting like one that Excel would take for a formula
    once the cell is edited: a text cell shows exactly what was typed, and the quote prefix
    (Excel's own ``'``, which is not part of the value) keeps it text."""
    workbook = load_workbook(io.BytesIO(content))
    return [
        f"{ws.title}!{cell.coordinate}={cell.value!r}"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
        or (
            isinstance(cell.value, str)
            and cell.value.startswith(FORMULA_START)
            and not (cell.data_type == "s" and cell.quotePrefix)
        )
    ]


def _formulas_in_csv(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    found = []
    for n, line in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1):
        for field in line:
            if field.startswith(FORMULA_START) and (field in HOSTILE or not NUMBER.fullmatch(field)):
                found.append(f"line {n}: {field!r}")
    return found


def _make_records(alice) -> dict:
    """Records of the kinds the demo lacks, so every export has rows: a rakor with attendees, a
    planned activity, an e-PPGBM import with rejected rows and z-score disagreements, a village
    scorecard, a published round."""
    from tumbuh.imports.framework import run_import
    from tumbuh.imports.testing import csv_bytes, xlsx_bytes
    from tumbuh.konvergensi_desa import scorecard
    from tumbuh.konvergensi_desa.models import ScorecardTarget, TargetGroup
    from tumbuh.measurements.models import Measurement
    from tumbuh.measurements.tests.import_files import export, row
    from tumbuh.rapat import actions as rapat_actions
    from tumbuh.rapat.models import Attendee, Group, Rapat
    from tumbuh.rencana.testing import TEST_YEAR, make_activity
    from tumbuh.tpps.models import Tpps
    from tumbuh.wilayah.models import Wilayah

    day = dt.date(2026, 3, 2)
    rapat = rapat_actions.do_save_rapat(
        alice,
        Rapat(
            tpps=Tpps.objects.get(wilayah_id="73.24"),
            title="Rakor",
            date=day,
            place="Aula",
            chair="Ketua",
            agenda="Evaluasi",
        ),
        today=day,
    )
    for i, group in enumerate([Group.MITRA, Group.OPD, Group.MITRA]):
        Attendee.objects.create(
            rapat=rapat,
            name=f"Peserta {i}",
            group=group,
            organisation="Dinas",
            position="Staf",
            phone="0812",
            code=f"K{i:05d}",
        )
    make_activity(alice, note="Catatan")
    kab = Wilayah.objects.get(code="73.24")
    first = run_import(
        "eppgbm", user=alice, kabupaten=kab, source=csv_bytes(export(row(name="Z Rumus"))), file_name="a.csv"
    )
    z = Measurement.objects.get(child__name="Z Rumus", import_batch=first)
    batch = run_import(
        "eppgbm",
        user=alice,
        kabupaten=kab,
        file_name="b.csv",
        source=csv_bytes(
            export(
                row(name="Z Rumus", zs=(f"{z.zlen - 3:.2f}", f"{z.zwei:.2f}", f"{z.zwfl:.2f}")),
                row(name="Tanpa Desa", desa="Tidak Ada"),
            )
        ),
    )
    assert batch.findings.get("zscore_disagreements") == 1 and batch.rejected_rows.exists()
    group = TargetGroup.values[0]
    ScorecardTarget.objects.create(
        desa_id=BALANTANG,
        year=2026,
        quarter=1,
        group=group,
        name="Sasaran",
        answers={item.code: "Y" for item in scorecard.items(group)},
    )
    coverage = run_import(
        "cakupan",
        user=alice,
        kabupaten=kab,
        file_name="c.xlsx",
        source=xlsx_bytes(
            [
                [
                    "Kode Desa",
                    "Nama Desa",
                    "Kode Indikator",
                    "Tahun",
                    "Pembilang",
                    "Penyebut",
                    "Cakupan (%)",
                    "Catatan",
                ],
                ["73.24.04.9999", "Tidak Ada", "bumil-ttd-90", 2034, 5, 10, None, "Catatan"],
            ]
        ),
    )
    assert coverage.rejected_rows.exists()
    return {
        "rapat": rapat.pk,
        "plan_year": TEST_YEAR,
        "batch": batch.pk,
        "coverage": coverage.pk,
        "disagreeing": z.child_id,
    }


def _publish(alice):
    from django.utils import timezone

    from tumbuh.dashboards.periods import Period
    from tumbuh.publik.data import compute_snapshot
    from tumbuh.publik.models import PublishedRound

    period = Period.round(2025, 8)
    PublishedRound.objects.create(
        kabupaten_id="73.24",
        period=period.key,
        published_at=timezone.now(),
        by=alice,
        figures=compute_snapshot("73.24", period),
        note=" ; ".join(HOSTILE),
    )


def _exports(records, client) -> dict[str, str]:
    """URL name → address of each export, for the district admin of Luwu Timur."""
    from tumbuh.indikator.models import Indicator
    from tumbuh.publik.models import PublishedRound

    indicator = Indicator.objects.for_kabupaten("73.24").first()
    published = PublishedRound.objects.active().filter(kabupaten_id="73.24").first()
    batch = records["batch"]
    found = {
        "analisis:ansit": "/analisis/master-ansit.xlsx",
        "dashboards:prevalence_xlsx": "/dasbor/xlsx/",
        "dashboards:quality_xlsx": "/dasbor/kualitas/xlsx/",
        "dashboards:targets_xlsx": "/dasbor/target/xlsx/",
        "dashboards:surveys_xlsx": "/dasbor/survei/xlsx/",
        "maps:xlsx": "/peta/xlsx/",
        "rencana:export": f"/rencana/unduh/{records['plan_year']}.xlsx",
        "rapat:document": f"/rapat/{records['rapat']}/dokumen/daftar-hadir.xlsx",
        "measurement_imports:disagreements": f"/impor/pengukuran/{batch}/zscore-beda.csv",
        "measurement_imports:template": "/impor/pengukuran/templat.xlsx",
        "imports:rejected": f"/impor/{batch}/ditolak.xlsx",
        "imports:template": "/impor/eppgbm/templat.xlsx",
        "indikator:template": f"/indikator/cakupan/templat.xlsx?indicator={indicator.code if indicator else ''}",
        "krs:family_count_template": "/krs/jumlah-keluarga/templat.xlsx",
        "konvergensi_desa:scorecard_xlsx": f"/desa/kartu-skor/{BALANTANG}/2026/1/kartu-skor.xlsx",
        "measurements:eppgbm_export_download": f"/anak/unggah-eppgbm/unduh/?desa={HARAPAN}&bulan=2025-02&semua=on",
        "indikator:import_rejected": f"/indikator/cakupan/impor/{records['coverage']}/ditolak.xlsx",
    }
    if published is not None:
        found["publik:csv"] = f"/publik/{published.kabupaten_id}/{published.period}.csv"
    return found


#: Exports that are not made by Tumbuh from its records: the uploaded file as it came, and the
#: signed documents people upload; and reports that are PDF or Word, never a spreadsheet.
NOT_SPREADSHEETS = {
    "imports:source",
    "documents:download",
    "maps:pdf",
    "semester:export",
    "rembuk:document",
    "measurements:eppgbm_export",
}  # the last: the page that offers the download
#: Exports no district admin may download, scanned by their app's own tests: the province's
#: penilaian kinerja workbook (a comment typed as a formula read back as text in
#: penilaian/tests/test_assessment.py), beside its PDF under the same name.
SCANNED_ELSEWHERE = {"penilaian:download"}


def _export_url_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name and re.search(r"xlsx|csv|excel|unduh|export|ekspor", f"{p.pattern} {p.name}", re.I):
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_export_is_scanned(client, alice):
    """A new export (a URL naming xlsx, csv, excel, unduh or export) must join the scan below."""
    scanned = set(_exports({"rapat": 1, "plan_year": 2026, "batch": 1, "coverage": 1}, client))
    assert _export_url_names() - NOT_SPREADSHEETS - SCANNED_ELSEWHERE - scanned - {"publik:csv"} == set()
    assert "publik:csv" in _export_url_names()


def test_no_export_writes_a_formula_from_a_hostile_text(client, alice):
    records = _make_records(alice)
    planted = _plant_hostile_texts()
    for field in (
        "rapat.Attendee.name",
        "rapat.Attendee.organisation",
        "rencana.Activity.program",
        "rencana.Activity.kegiatan",
        "measurements.Child.name",
        "measurements.Child.parent_name",
        "wilayah.Wilayah.name",
        "organisation.Posyandu.name",
        "konvergensi_desa.ScorecardTarget.name",
    ):
        assert field in planted, field  # the free-text fields the issue names are among those planted
    from tumbuh.measurements.models import Child

    Child.objects.filter(pk=records["disagreeing"]).update(
        name="-2"
    )  # the z-score CSV's one row: a name that reads as a number
    _publish(alice)  # after the planting: the published figures carry the names of their day
    exports = _exports(records, client)
    assert "publik:csv" in exports
    client.force_login(alice)
    problems = {}
    for name, url in exports.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        found = (
            _formulas_in_csv(content)
            if response["Content-Type"].startswith("text/csv")
            else _formulas_in_workbook(content)
        )
        if found:
            problems[name] = found[:5]
    assert problems == {}
