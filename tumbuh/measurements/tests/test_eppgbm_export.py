"""Visits entered on the phone form, exported in e-PPGBM's upload layout, and imported back.

The round trip is the point: a cadre enters a visit once (with its services), the desa operator
downloads the upload file, and the same file read by Tumbuh's e-PPGBM importer changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.audit.models import AuditLog
from tumbuh.imports.framework import run_import
from tumbuh.measurements.actions import do_record_measurement, do_register_child
from tumbuh.measurements.eppgbm_export import upload_rows, upload_visits, upload_workbook, visit_values
from tumbuh.measurements.importers import EppgbmImporter, with_aliases
from tumbuh.measurements.models import Child, Measurement, Source
from tumbuh.measurements.upload_layout import LayoutError, load_layout, parse_layout
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Wilayah

from .posyandu_fixtures import BALANTANG, HARAPAN, TODAY, register

pytestmark = pytest.mark.django_db

MONTH = "2025-03"
NIK_RINA = "7324044309240007"  # a girl born 03/09/2024, registered in Malili (day + 40)
NIK_IBU = "7324045205950003"  # her mother, born 12/05/1995
#: Each service of a visit and the layout field that carries it.
SERVICE_COLUMNS = {
    "vitamin_a": "vita",
    "kia_book": "kia",
    "kelas_ibu_balita": "kelas_ibu",
    "mbg": "mbg",
    "weight_gain": "naik",
    "kpsp": "kpsp",
    "asi_months": "asi_0",
}


# ---------------------------------------------------------------- entering visits on the phone form


def posyandu_of(desa) -> Posyandu:
    return Posyandu.objects.filter(desa_id=desa, is_active=True).order_by("pk").first()


def register_on_the_form(client, **fields) -> Child:
    data = {
        "sex": "2",
        "birth_date": "2024-09-03",
        "desa": BALANTANG,
        "posyandu": posyandu_of(BALANTANG).pk,
        "rt": "003",
        "rw": "001",
        "address": "Dusun Satu",
        **fields,
    }
    response = client.post(reverse("measurements:child_add"), data)
    assert response.status_code == 302, response.context["form"].errors
    return Child.objects.get(name=fields["name"])


def visit_on_the_form(client, child, **fields) -> Measurement:
    data = {"confirm": "1", **fields}
    response = client.post(reverse("measurements:visit", args=[child.tumbuh_id]), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context.get("errors"))
    return Measurement.objects.get(child=child, date=fields["date"])


@pytest.fixture
def entered(client, bob):
    """Two children registered and visited by the desa operator on the phone form in March 2025:
    Rina with NIKs, phone, birth order and every service; Bayu without a NIK."""
    client.force_login(bob)
    rina = register_on_the_form(
        client,
        name="Rina Unggah",
        nik=NIK_RINA,
        birth_order="2",
        parent_name="Wahyuni Unggah",
        parent_nik=NIK_IBU,
        parent_phone="0812-3456-7890",
        birth_weight="3,1",
        birth_length="49,5",
    )
    visit_on_the_form(
        client,
        rina,
        date="2025-03-12",
        weight="6,4",
        lenhei="61,5",
        position="l",
        muac="12,5",
        headc="40,5",
        vitamin_a="1",
        kia_book="true",
        kelas_ibu_balita="false",
        mbg="true",
        asi_0="Y",
        asi_1="Y",
        asi_2="Y",
        asi_3="Y",
        asi_4="Y",
        asi_5="T",
        asi_6="-",
    )
    bayu = register_on_the_form(
        client, name="Bayu Unggah", sex="1", birth_date="2023-05-10", parent_name="Sartika Unggah"
    )
    visit_on_the_form(
        client,
        bayu,
        date="2025-03-12",
        weight="11,0",
        lenhei="84,0",
        position="l",
        oedema="on",
        vitamin_a="0",
        mbg="false",
    )
    visit_on_the_form(client, bayu, date="2025-03-26", weight="11,1", lenhei="84,2", position="l")
    return {"rina": rina, "bayu": bayu, "posyandu": posyandu_of(BALANTANG)}


def download(client, **params):
    response = client.get(reverse("measurements:eppgbm_export_download"), {"bulan": MONTH, **params})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def sheet_rows(data: bytes, sheet: str | None = None):
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    return ws, [list(r) for r in ws.iter_rows(values_only=True)]


def database_state():
    """Every child and visit as stored, and the number of audit rows."""
    return (
        list(Child.objects.order_by("pk").values()),
        list(Measurement.objects.order_by("pk").values()),
        AuditLog.objects.count(),
    )


def reimport(user, data: bytes, name="unggah-eppgbm.xlsx"):
    return run_import(
        "eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=io.BytesIO(data), file_name=name
    )


# ---------------------------------------------------------------- the phone forms save the new fields


def test_the_phone_forms_store_birth_order_parent_numbers_and_the_visit_services(entered):
    rina, bayu = entered["rina"], entered["bayu"]
    rina.refresh_from_db()
    assert (rina.birth_order, rina.parent_nik, rina.parent_phone) == (2, NIK_IBU, "081234567890")
    visit = rina.measurements.get()
    assert (visit.vitamin_a, visit.kia_book, visit.kelas_ibu_balita, visit.mbg, visit.asi_months) == (
        1,
        True,
        False,
        True,
        "YYYYYT-",
    )
    assert str(visit.headc) == "40.5" and visit.source == Source.FORM
    first, second = bayu.measurements.order_by("date")
    assert first.oedema and (first.vitamin_a, first.mbg, first.kia_book, first.asi_months) == (0, False, None, "")
    assert (second.vitamin_a, second.mbg, second.asi_months) == (None, None, "")  # not asked: empty, not "no"
    created = AuditLog.objects.get(object_type="measurements.measurement", object_id=str(visit.pk), action="create")
    assert created.after["asi_months"] == "YYYYYT-" and created.after["vitamin_a"] == 1


# ---------------------------------------------------------------- the file


def test_the_file_has_the_layouts_headers_and_one_row_per_visit(client, entered):
    data = download(client, posyandu=entered["posyandu"].pk)
    layout = load_layout()
    ws, rows = sheet_rows(data, layout.sheet)
    assert rows[0] == layout.headers
    body = [dict(zip(layout.fields, r, strict=True)) for r in rows[1:]]
    assert [(r["name"], r["date"]) for r in body] == [
        ("Bayu Unggah", "2025-03-12"),
        ("Bayu Unggah", "2025-03-26"),
        ("Rina Unggah", "2025-03-12"),
    ]
    rina = body[2]
    assert rina["nik"] == NIK_RINA and rina["parent_nik"] == NIK_IBU and rina["parent_phone"] == "081234567890"
    assert (rina["sex"], rina["birth_date"], rina["birth_order"], rina["birth_weight"], rina["birth_length"]) == (
        "P",
        "2024-09-03",
        2,
        3.1,
        49.5,
    )
    assert (rina["rt"], rina["rw"], rina["address"], rina["kecamatan"], rina["desa"]) == (
        "003",
        "001",
        "Dusun Satu",
        "Malili",
        "Balantang",
    )
    assert rina["posyandu"] == entered["posyandu"].name and rina["parent_name"] == "Wahyuni Unggah"
    assert (rina["weight"], rina["lenhei"], rina["position"], rina["muac"], rina["headc"], rina["oedema"]) == (
        6.4,
        61.5,
        "Terlentang",
        12.5,
        40.5,
        "Tidak",
    )
    assert [rina[f"asi_{m}"] for m in range(7)] == ["Ya"] * 5 + ["Tidak", None]
    assert (rina["vita"], rina["kelas_ibu"], rina["mbg"]) == (1, "Tidak", "Ya")
    bayu = body[0]
    assert bayu["nik"] is None and bayu["oedema"] == "Ya" and bayu["vita"] == 0 and bayu["mbg"] == "Tidak"
    assert bayu["kelas_ibu"] is None and bayu["headc"] is None  # not recorded: an empty cell


def test_nik_phone_and_rt_rw_are_text_cells_and_numbers_are_numbers(client, entered):
    layout = load_layout()
    ws, _rows = sheet_rows(download(client, posyandu=entered["posyandu"].pk), layout.sheet)
    column = {f: i + 1 for i, f in enumerate(layout.fields)}
    row = 4  # Rina
    for field in ("nik", "parent_nik", "parent_phone", "rt", "rw"):
        cell = ws.cell(row, column[field])
        assert cell.data_type == "s" and cell.number_format == "@" and isinstance(cell.value, str), field
    for field, fmt in (
        ("weight", "0.00"),
        ("lenhei", "0.0"),
        ("headc", "0.0"),
        ("birth_weight", "0.00"),
        ("vita", "0"),
    ):
        cell = ws.cell(row, column[field])
        assert cell.data_type == "n" and cell.number_format == fmt, field


def test_a_layout_may_ask_for_the_kia_book_weight_gain_and_kpsp():
    layout = parse_layout(
        load_layout().path.read_text(encoding="utf-8")
        + "".join(
            f'[[column]]\nheader = "{header}"\nfield = "{field}"\n'
            for header, field in (("Buku KIA", "kia"), ("N/T", "naik"), ("KPSP", "kpsp"))
        )
    )
    child = Child(name="Uji", sex=1, birth_date=dt.date(2024, 1, 1))
    visit = Measurement(
        child=child,
        date=dt.date(2025, 3, 1),
        desa=Wilayah(code=BALANTANG, name="Balantang"),
        kia_book=False,
        weight_gain="N",
        kpsp="sesuai",
    )
    values = visit_values(layout, visit, "Malili")
    assert (values["kia"], values["naik"], values["kpsp"], values["kecamatan"]) == ("Tidak", "N", "sesuai", "Malili")


def test_formula_like_texts_are_written_as_text(alice):
    posyandu = posyandu_of(HARAPAN)
    child = do_register_child(
        alice,
        Child(
            name='=HYPERLINK("http://contoh.invalid","klik")',
            sex=1,
            birth_date=dt.date(2023, 5, 1),
            desa_id=HARAPAN,
            posyandu=posyandu,
            parent_name="+62 Ibu Uji",
            address="-Dusun Dua",
            rt="@1",
        ),
        today=TODAY,
    )
    do_record_measurement(
        alice, Measurement(child=child, date=dt.date(2025, 3, 3), weight=11, lenhei=85, position="h"), today=TODAY
    )
    visits = upload_visits(alice, month=dt.date(2025, 3, 1), posyandu=posyandu)
    out = upload_workbook(load_layout(), visits)
    data = out.read()
    ws, rows = sheet_rows(data)
    layout = load_layout()
    row = dict(zip(layout.fields, rows[1], strict=True))
    assert (
        row["name"].startswith("=HYPERLINK") and row["parent_name"] == "+62 Ibu Uji" and row["address"] == "-Dusun Dua"
    )
    for index, field in enumerate(layout.fields, start=1):
        if field in ("name", "parent_name", "address", "rt"):
            cell = ws.cell(2, index)
            assert cell.data_type == "s" and cell.quotePrefix, field
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    from tumbuh.core.testing import formula_cells

    assert formula_cells(data) == []


def test_only_visits_entered_in_tumbuh_unless_imported_ones_are_asked_for(client, alice, entered):
    rina = entered["rina"]
    imported = Measurement(
        child=rina, date=dt.date(2025, 3, 20), weight=6.5, lenhei=62, position="l", source=Source.IMPORT
    )
    do_record_measurement(alice, imported, today=TODAY)
    month = dt.date(2025, 3, 1)
    assert imported not in upload_visits(alice, month=month, posyandu=entered["posyandu"])
    assert imported in upload_visits(alice, month=month, posyandu=entered["posyandu"], include_imported=True)
    assert imported in upload_visits(
        alice, month=month, desa=Wilayah.objects.get(code=BALANTANG), include_imported=True
    )
    assert not upload_visits(
        alice, month=dt.date(2025, 4, 1), posyandu=entered["posyandu"], include_imported=True
    ).filter(child=rina)
    layout = load_layout()
    assert len(upload_rows(layout, upload_visits(alice, month=month, posyandu=entered["posyandu"]))) == 3
    _ws, rows = sheet_rows(download(client, posyandu=entered["posyandu"].pk, semua="on"))
    date = layout.fields.index("date")
    assert ("Rina Unggah", "2025-03-20") in {(r[1], r[date]) for r in rows}


def test_the_page_lists_the_visits_and_the_rows_without_nik_first(client, entered):
    response = client.get(reverse("measurements:eppgbm_export"), {"posyandu": entered["posyandu"].pk, "bulan": MONTH})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="export-download"' in html
    assert [m.child.name for m in response.context["missing_nik"]] == ["Bayu Unggah", "Bayu Unggah"]
    missing = html.split('data-testid="nik-missing"', 1)[1].split("</div>", 1)[0]
    assert "NIK kosong" in missing and "Bayu Unggah" in missing and "Rina Unggah" not in missing
    assert reverse("measurements:child_edit", args=[entered["bayu"].tumbuh_id]) in missing
    assert len(response.context["rows"]) == 3
    whole_desa = client.get(reverse("measurements:eppgbm_export"), {"desa": BALANTANG, "bulan": MONTH})
    assert {m.child.name for m, _lacks in whole_desa.context["rows"]} >= {"Rina Unggah", "Bayu Unggah"}


def test_the_page_says_what_is_missing_in_the_choice(client, bob):
    client.force_login(bob)
    response = client.get(reverse("measurements:eppgbm_export"), {"desa": BALANTANG, "bulan": "2025-13"})
    assert response.context["form"].errors["bulan"] and "rows" not in response.context
    response = client.get(reverse("measurements:eppgbm_export"), {"bulan": MONTH})
    assert response.context["form"].non_field_errors()
    assert client.get(reverse("measurements:eppgbm_export_download"), {"bulan": MONTH}).status_code == 400


# ---------------------------------------------------------------- who may download it


@pytest.mark.parametrize("username", ["pantau.lutim", "dinkes.lutim", "camat.malili"])
def test_roles_that_may_not_see_niks_get_a_403_with_the_reason(client, demo_users, username):
    client.force_login(demo_users[username])
    params = {"posyandu": posyandu_of(BALANTANG).pk, "bulan": MONTH}
    for name in ("measurements:eppgbm_export", "measurements:eppgbm_export_download"):
        response = client.get(reverse(name), params)
        assert response.status_code == 403
        assert 'data-testid="export-denied"' in response.content.decode()
    assert reverse("measurements:eppgbm_export") not in client.get(reverse("home")).content.decode()


def test_a_desa_operator_exports_his_desa_only(client, bob):
    client.force_login(bob)
    url = reverse("measurements:eppgbm_export_download")
    assert client.get(url, {"posyandu": posyandu_of(BALANTANG).pk, "bulan": MONTH}).status_code == 200
    assert client.get(url, {"desa": BALANTANG, "bulan": MONTH}).status_code == 200
    assert client.get(url, {"posyandu": posyandu_of(HARAPAN).pk, "bulan": MONTH}).status_code == 404
    assert client.get(url, {"desa": HARAPAN, "bulan": MONTH}).status_code == 404
    assert client.get(url, {"posyandu": "x1", "bulan": MONTH}).status_code == 404
    page = client.get(reverse("measurements:eppgbm_export"))
    assert page.context["form"]["desa"].initial == BALANTANG
    choices = dict(page.context["form"].fields["desa"].widget.choices)
    assert set(choices) == {"", BALANTANG}
    assert reverse("measurements:eppgbm_export") in client.get(reverse("home")).content.decode()


def test_a_child_who_moved_away_keeps_the_visit_in_the_file_but_not_his_personal_numbers(client, alice, entered):
    """Rina's March visit was in Balantang; she is now registered in Harapan, which the Balantang
    operator may not see: his file still carries the visit, without her or her mother's NIK and
    the phone (``policy.can_see_nik``), and the page lists the row as without a NIK."""
    rina = Child.objects.get(pk=entered["rina"].pk)
    rina.desa_id, rina.posyandu = HARAPAN, posyandu_of(HARAPAN)
    do_register_child(alice, rina, reason="pindah ke Harapan", today=TODAY)
    data = download(client, posyandu=entered["posyandu"].pk)  # as bob, Balantang's operator
    _ws, rows = sheet_rows(data)
    fields = load_layout().fields
    row = next(dict(zip(fields, r)) for r in rows if r[fields.index("name")] == "Rina Unggah")
    assert (row["nik"], row["parent_nik"], row["parent_phone"]) == (None, None, None)
    assert row["date"] == "2025-03-12" and row["weight"] == 6.4  # the visit itself is there
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert not any(
        NIK_RINA.encode() in archive.read(name) or NIK_IBU.encode() in archive.read(name) for name in archive.namelist()
    )
    page = client.get(reverse("measurements:eppgbm_export"), {"posyandu": entered["posyandu"].pk, "bulan": MONTH})
    assert "Rina Unggah" in [m.child.name for m in page.context["missing_nik"]]
    client.force_login(alice)  # the district admin sees her: her numbers are in the file
    _ws, rows = sheet_rows(download(client, posyandu=entered["posyandu"].pk))
    assert NIK_RINA in {r[fields.index("nik")] for r in rows}


def test_a_puskesmas_officer_exports_the_desa_it_serves(client, demo_users):
    client.force_login(demo_users["pkm.malili"])  # Puskesmas Malili serves Harapan, not Balantang
    url = reverse("measurements:eppgbm_export_download")
    assert client.get(url, {"posyandu": posyandu_of(HARAPAN).pk, "bulan": MONTH}).status_code == 200
    assert client.get(url, {"posyandu": posyandu_of(BALANTANG).pk, "bulan": MONTH}).status_code == 404


def test_another_districts_admin_gets_a_404(client, charlie):
    client.force_login(charlie)
    for name in ("measurements:eppgbm_export", "measurements:eppgbm_export_download"):
        assert client.get(reverse(name), {"posyandu": posyandu_of(BALANTANG).pk, "bulan": MONTH}).status_code == 404
        assert client.get(reverse(name), {"desa": BALANTANG, "bulan": MONTH}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(reverse("measurements:eppgbm_export_download"), {"desa": BALANTANG, "bulan": MONTH})
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


# ---------------------------------------------------------------- the round trip


def test_visits_entered_on_the_phone_form_exported_and_imported_back_change_nothing(client, alice, entered):
    # Rina's KIA book is recorded though the shipped layout has no KIA column: reading the file
    # back must leave it alone, as it leaves alone everything else the file does not carry.
    data = download(client, posyandu=entered["posyandu"].pk)
    before = database_state()
    batch = reimport(alice, data)
    assert (batch.status, batch.total_rows, batch.created, batch.updated, batch.rejected) == ("done", 3, 0, 0, 0), (
        batch.summary()
    )
    assert batch.unchanged == 3 and batch.findings["children_created"] == 0
    assert database_state() == before
    # the whole desa's file too, by the desa operator himself
    batch = reimport(entered["rina"].measurements.get().entered_by, download(client, desa=BALANTANG), name="desa.xlsx")
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (0, 0, 3, 0), batch.summary()
    assert database_state() == before


def test_an_exported_file_rebuilds_the_children_and_visits_it_carries(client, alice, entered):
    """Every exported field is read back: the file alone recreates the children and visits."""
    data = download(client, posyandu=entered["posyandu"].pk)
    children = Child.objects.filter(pk__in=[entered["rina"].pk, entered["bayu"].pk])
    child_fields = (
        "nik",
        "name",
        "sex",
        "birth_date",
        "birth_order",
        "birth_weight",
        "birth_length",
        "parent_name",
        "parent_nik",
        "parent_phone",
        "address",
        "rt",
        "rw",
        "desa_id",
        "posyandu_id",
    )
    # The services the layout carries (the shipped one has no KIA book, weight gain or KPSP column).
    carried = [f for f, column in SERVICE_COLUMNS.items() if column in load_layout().fields]
    visit_fields = (
        "date",
        "weight",
        "lenhei",
        "position",
        "muac",
        "headc",
        "oedema",
        *carried,
        "desa_id",
        "posyandu_id",
        "status_tbu",
        "status_bbtb",
        "status_bbu",
    )
    kept_children = {c["name"]: c for c in children.values(*child_fields)}
    kept_visits = {
        (v["child__name"], v["date"]): v
        for v in Measurement.objects.filter(child__in=children).values("child__name", *visit_fields)
    }
    Measurement.objects.filter(child__in=children).delete()
    children.delete()
    batch = reimport(alice, data)
    assert (batch.created, batch.rejected, batch.findings["children_created"]) == (3, 0, 2), batch.summary()
    rebuilt = {c["name"]: c for c in Child.objects.filter(name__in=kept_children).values(*child_fields)}
    rebuilt_visits = {
        (v["child__name"], v["date"]): v
        for v in Measurement.objects.filter(child__name__in=kept_children).values("child__name", *visit_fields)
    }
    assert rebuilt.keys() == kept_children.keys() and rebuilt_visits.keys() == kept_visits.keys()
    lost = [
        (name, f, kept[f], rebuilt[name][f])
        for name, kept in kept_children.items()
        for f in child_fields
        if rebuilt[name][f] != kept[f]
    ]
    lost += [
        (key, f, kept[f], rebuilt_visits[key][f])
        for key, kept in kept_visits.items()
        for f in visit_fields
        if rebuilt_visits[key][f] != kept[f]
    ]
    assert lost == []  # (child or visit, field, entered, read back from the file)


def test_another_layout_changes_the_file_and_it_still_imports_back(client, alice, entered, tmp_path, monkeypatch):
    """A district's own file: other headers, the columns in reverse order, day-first dates,
    sex and position in words, another sheet name."""
    shipped = load_layout()
    own = tmp_path / "eppgbm_kabupaten.toml"
    columns = "".join(
        f'[[column]]\nheader = "{c.header.replace("Anak", "Balita")} (kab)"\nfield = "{c.field}"\n'
        for c in reversed(shipped.columns)
    )
    own.write_text(
        'sheet = "Unggah Balita"\ndates = "dmy"\nsexes = ["Laki-laki", "Perempuan"]\n'
        'positions = ["Telentang", "Berdiri"]\n' + columns,
        encoding="utf-8",
    )
    monkeypatch.setenv("TUMBUH_EPPGBM_UPLOAD_LAYOUT", str(own))
    # The importer reads the layout's headers when Tumbuh starts: start it again, as it were.
    monkeypatch.setattr(EppgbmImporter, "columns", with_aliases(EppgbmImporter.columns))
    data = download(client, posyandu=entered["posyandu"].pk)
    _ws, rows = sheet_rows(data, "Unggah Balita")
    assert rows[0][0] == "MBG (kab)" and rows[0][-2:] == ["Nama Balita (kab)", "NIK Balita (kab)"]
    rina = dict(zip(load_layout().fields, rows[3], strict=True))
    assert (rina["nik"], rina["name"], rina["sex"], rina["birth_date"], rina["date"]) == (
        NIK_RINA,
        "Rina Unggah",
        "Perempuan",
        "03/09/2024",
        "12/03/2025",
    )
    assert (rina["weight"], rina["lenhei"], rina["position"]) == (6.4, 61.5, "Telentang")
    before = database_state()
    batch = reimport(alice, data)
    assert (batch.created, batch.updated, batch.unchanged, batch.rejected) == (0, 0, 3, 0), batch.summary()
    assert database_state() == before


def test_a_broken_layout_stops_the_export_with_a_clear_message(client, entered, tmp_path, monkeypatch):
    broken = tmp_path / "rusak.toml"
    broken.write_text('sheet = "Data"\n[[column]]\nheader = "Nama"\nfield = "nama"\n', encoding="utf-8")
    monkeypatch.setenv("TUMBUH_EPPGBM_UPLOAD_LAYOUT", str(broken))
    with pytest.raises(LayoutError, match="rusak.toml: column 1 \\(Nama\\) needs a header and one of the fields"):
        client.get(reverse("measurements:eppgbm_export_download"), {"posyandu": entered["posyandu"].pk, "bulan": MONTH})


def test_children_registered_elsewhere_in_the_month_are_not_in_the_posyandu_file(client, alice, entered):
    other = register(alice, HARAPAN, "Anak Harapan Unggah", nik="")
    do_record_measurement(
        alice, Measurement(child=other, date=dt.date(2025, 3, 12), weight=9, lenhei=75, position="l"), today=TODAY
    )
    _ws, rows = sheet_rows(download(client, posyandu=entered["posyandu"].pk))
    assert "Anak Harapan Unggah" not in {r[1] for r in rows}
