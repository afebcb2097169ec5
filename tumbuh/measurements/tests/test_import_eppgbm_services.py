"""What an e-PPGBM file says beyond weight and height: services with the visit, oedema and head
circumference into the growth engine, the child's birth order and parent, anonymised names."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tumbuh.audit.models import AuditLog
from tumbuh.imports.cells import parse_yes_no
from tumbuh.imports.framework import run_import
from tumbuh.measurements import importers as I
from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.scoring import COMPUTED_FIELDS, score
from tumbuh.wilayah.models import Wilayah

from .eppgbm_fixtures import Style, nik, visit, write

pytestmark = pytest.mark.django_db

B1, B2 = dt.date(2023, 1, 10), dt.date(2024, 2, 20)


def run(user, visits, style=Style(), name="eppgbm.csv", fmt="csv"):  # noqa: B008  a frozen dataclass
    return run_import(
        "eppgbm",
        user=user,
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=write(visits, style, fmt),
        file_name=name,
    )


def reasons(batch):
    with translation.override("en"):
        return {r.row_number: r.message for r in batch.rejected_rows.all()}


def the_visit(name, date=dt.date(2025, 2, 10)) -> Measurement:
    return Measurement.objects.select_related("child").get(child__name=name, date=date)


# ---------------------------------------------------------------- reading cells (no database)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ya", True),
        ("ya", True),
        ("Y", True),
        ("1", True),
        ("1,0", True),
        ("TRUE", True),
        ("Ada", True),
        ("✓", True),
        ("Tidak", False),
        ("T", False),
        ("0", False),
        ("FALSE", False),
        ("Tidak Ada", False),
        ("tdk.", False),
        ("", None),
        ("-", None),
        ("  ", None),
        # What people write in the KIA column: whether the family has the book.
        ("Punya", True),
        ("punya", True),
        ("Memiliki", True),
        ("Tidak punya", False),
        ("Belum punya", False),
        ("Tidak memiliki", False),
        ("Belum ada", False),
    ],
)
def test_parse_yes_no_reads_what_lists_write(text, expected):
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize("text", ["Mungkin", "2", "ya tidak", "0,5"])
def test_parse_yes_no_refuses_the_rest(text):
    with pytest.raises(ValueError):
        parse_yes_no(text)


@pytest.mark.parametrize("reader, text, expected", [
    (I.read_weight_gain, "N", "N"), (I.read_weight_gain, "Naik", "N"), (I.read_weight_gain, "Tidak Naik", "T"),
    (I.read_weight_gain, "Ya", "N"), (I.read_weight_gain, "tidak", "T"), (I.read_weight_gain, "O", "O"),
    (I.read_weight_gain, "B", "B"), (I.read_weight_gain, "Baru", "B"), (I.read_weight_gain, "-", I.UNSAID),
    (I.read_vitamin_a, "2", 2), (I.read_vitamin_a, "0", 0), (I.read_vitamin_a, "Ya", 1), (I.read_vitamin_a, "Tidak", 0),
    (I.read_vitamin_a, "Biru", 1), (I.read_vitamin_a, "Kapsul Merah", 1), (I.read_vitamin_a, "-", I.UNSAID),
    (I.read_vitamin_a, "2 kali", 2), (I.read_vitamin_a, "2x", 2), (I.read_vitamin_a, "2 X", 2),
    (I.read_vitamin_a, "1 kapsul", 1), (I.read_vitamin_a, "1 Kapsul", 1),
    (I.read_yes_no, "Punya", True), (I.read_yes_no, "Ada", True), (I.read_yes_no, "Belum punya", False),
    (I.read_kpsp, "Sesuai", "Sesuai"), (I.read_kpsp, "  Meragukan ", "Meragukan"), (I.read_kpsp, "x" * 50, "x" * 40),
    (I.read_kpsp, "-", I.UNSAID),
    (I.read_asi, "Ya", "Y"), (I.read_asi, "Tidak", "T"), (I.read_asi, "-", "-"),
    (I.read_oedema, "+", True), (I.read_oedema, "++", True), (I.read_oedema, "-", False), (I.read_oedema, "Ya", True),
    (I.read_oedema, "0", False),
    (I.read_birth_order, "3", 3),
    (I.read_phone, "0812-3456-789", "08123456789"), (I.read_phone, "+62 812 3456 789", "08123456789"),
    (I.read_phone, "6281234567890", "081234567890"), (I.read_phone, "81234567890", "081234567890"),
    (I.read_phone, "(0474) 321 654", "0474321654"), (I.read_phone, "+60 12 345 6789", "+60123456789"),
])  # fmt: skip
def test_each_cell_reader(reader, text, expected):
    assert reader(text) == expected


@pytest.mark.parametrize("reader, text", [
    (I.read_weight_gain, "Naik turun"), (I.read_vitamin_a, "satu?"), (I.read_vitamin_a, "1,5"), (I.read_vitamin_a, "-1"),
    (I.read_vitamin_a, "25"), (I.read_vitamin_a, "25 kali"), (I.read_vitamin_a, "1,5 kapsul"), (I.read_vitamin_a, "x2"),
    (I.read_asi, "kadang"), (I.read_oedema, "bengkak?"), (I.read_birth_order, "0"),
    (I.read_birth_order, "21"), (I.read_birth_order, "kedua"), (I.read_phone, "0812"), (I.read_phone, "nomor 0812"),
    (I.read_phone, "08123456789012345"),
])  # fmt: skip
def test_each_cell_reader_refuses_what_it_cannot_read(reader, text):
    with pytest.raises(ValueError):
        reader(text)


def test_an_anonymised_name_is_never_a_reason_to_refuse_a_match():
    assert I._same_name("ANON_123", "Nur Aisyah") and I._same_name("Nur Aisyah", "anon-7")
    assert not I._same_name("Nur Aisyah", "Budi Santoso")


# ---------------------------------------------------------------- services with the visit


def test_an_unreadable_service_cell_keeps_the_visit_unknown_and_warned(alice):
    batch = run(
        alice,
        [
            visit(name="Layanan Kabur", kia_book=None, cells={"KIA": "Mungkin"}),
            visit(name="Layanan Jelas", birth=B2, lenhei=Decimal("72.0"), weight=Decimal("9.00"), position="l"),
        ],
    )
    assert (batch.created, batch.rejected) == (2, 0)
    m = the_visit("Layanan Kabur")
    assert m.kia_book is None and m.weight_gain == "N" and m.vitamin_a == 1 and "service_unreadable:kia" in m.warnings
    assert the_visit("Layanan Jelas").kia_book is True
    f = batch.findings
    assert (
        f["service_unreadable"] == 1
        and f["ignored_cells"] == {"KIA": 1}
        and f["ignored_cell_rows"] == [[3, "KIA", "Mungkin"]]
    )
    assert f["warned_rows"] == 1
    with translation.override("id"):
        assert I.warning_text("service_unreadable:kia") == (
            "Sel KIA pada berkas impor tidak terbaca: kunjungan tetap memakai nilai yang sudah ada "
            "(tidak diketahui untuk kunjungan baru)."
        )


def test_an_unreadable_cell_on_a_stored_visit_keeps_the_stored_value_as_the_page_says(client, alice):
    v = visit(name="Buku Tetap", kia_book=True, vitamin_a=1)
    run(alice, [v])
    batch = run(alice, [dict(v, kia_book=None, cells={"KIA": "Mungkin"})], name="kabur.csv")
    assert (batch.updated, batch.unchanged, batch.rejected) == (0, 1, 0)
    assert the_visit("Buku Tetap").kia_book is True  # absent or unreadable never erases
    client.force_login(alice)
    page = client.get(reverse("measurement_imports:batch", args=[batch.pk])).content.decode()
    assert "disimpan sebagai tidak diketahui" not in page
    assert "kunjungan tetap memakai nilai sebelumnya" in page and "tetap memakai nilai yang sudah ada" in page


def test_what_people_write_for_vitamin_a_and_the_kia_book_is_read(alice):
    batch = run(
        alice,
        [
            visit(name="Dua Kali", vitamin_a=None, kia_book=None, cells={"Jml Vit A": "2 kali", "KIA": "Punya"}),
            visit(
                name="Dua X",
                birth=B2,
                lenhei=Decimal("72.0"),
                weight=Decimal("9.00"),
                position="l",
                vitamin_a=None,
                kia_book=None,
                cells={"Jml Vit A": "2x", "KIA": "Belum punya"},
            ),
        ],
    )
    assert (batch.created, batch.rejected) == (2, 0) and not batch.findings.get("service_unreadable")
    assert (the_visit("Dua Kali").vitamin_a, the_visit("Dua Kali").kia_book) == (2, True)
    assert (the_visit("Dua X").vitamin_a, the_visit("Dua X").kia_book) == (2, False)


def test_reimporting_is_unchanged_and_a_file_that_adds_vitamin_a_updates_the_visit_with_an_audit_record(alice):
    first = [visit(name="Vit A Nanti", vitamin_a=None, kelas_ibu_balita=True)]
    run(alice, first)
    logs = AuditLog.objects.count()
    again = run(alice, first, name="lagi.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1) and AuditLog.objects.count() == logs
    batch = run(alice, [dict(first[0], vitamin_a=1)], name="vita.csv")
    assert (batch.created, batch.updated, batch.unchanged) == (0, 1, 0)
    m = the_visit("Vit A Nanti")
    assert m.vitamin_a == 1 and m.kelas_ibu_balita is True
    log = AuditLog.objects.get(object_type="measurements.measurement", object_id=str(m.pk), action="update")
    assert log.before["vitamin_a"] is None and log.after["vitamin_a"] == 1 and "vita.csv" in log.reason


def test_a_file_without_a_service_column_or_with_an_empty_cell_erases_nothing(alice):
    v = visit(name="Tetap Tersimpan", kelas_ibu_balita=True, mbg=False, vitamin_a=2, kpsp="Sesuai")
    run(alice, [v])
    # The older layout has no Kelas Ibu Balita and no MBG; Jml Vit A and KPSP are left empty.
    batch = run(alice, [dict(v, vitamin_a=None, kpsp="")], Style(layout="older", dates="dmy"), name="lama.csv")
    assert (batch.updated, batch.unchanged) == (0, 1), reasons(batch)
    m = the_visit("Tetap Tersimpan")
    assert (m.kelas_ibu_balita, m.mbg, m.vitamin_a, m.kpsp) == (True, False, 2, "Sesuai")
    # A value the file does say replaces the stored one.
    batch = run(alice, [dict(v, mbg=True)], name="mbg.csv")
    assert batch.updated == 1 and the_visit("Tetap Tersimpan").mbg is True


def test_asi_months_come_in_month_by_month_and_a_later_file_adds_months(alice):
    upload = Style(upload_columns=True)
    run(
        alice,
        [
            visit(
                name="Asi Bulan",
                birth=B2,
                weight=Decimal("7.50"),
                lenhei=Decimal("66.0"),
                position="l",
                date=dt.date(2024, 7, 1),
                asi_months="YYY----",
            )
        ],
        upload,
    )
    assert the_visit("Asi Bulan", dt.date(2024, 7, 1)).asi_months == "YYY----"
    batch = run(
        alice,
        [
            visit(
                name="Asi Bulan",
                birth=B2,
                weight=Decimal("7.50"),
                lenhei=Decimal("66.0"),
                position="l",
                date=dt.date(2024, 7, 1),
                asi_months="---YT--",
            )
        ],
        upload,
        name="asi.csv",
    )
    assert batch.updated == 1 and the_visit("Asi Bulan", dt.date(2024, 7, 1)).asi_months == "YYYYT--"
    # A download without ASI columns stores none ("") for a new visit; so does one with the
    # columns left empty (a later such file leaves the visit unchanged); a month is added.
    run(alice, [visit(name="Tanpa Asi")])
    assert the_visit("Tanpa Asi").asi_months == ""
    assert run(alice, [visit(name="Tanpa Asi")], upload, name="asi-kosong.csv").unchanged == 1
    run(alice, [visit(name="Asi Kosong")], upload, name="asi-kosong-baru.csv")
    assert the_visit("Asi Kosong").asi_months == ""
    assert run(alice, [visit(name="Tanpa Asi", asi_months="Y------")], upload, name="asi-0.csv").updated == 1
    assert the_visit("Tanpa Asi").asi_months == "Y------"


def test_an_imported_breastfeeding_month_not_yet_reached_is_ignored_with_a_warning_not_the_visit(client, alice):
    upload = Style(upload_columns=True)  # Asi Dini: 4 months old on 1 July 2024 (132 days)
    early = dict(
        name="Asi Dini",
        birth=B2,
        weight=Decimal("7.50"),
        lenhei=Decimal("66.0"),
        position="l",
        date=dt.date(2024, 7, 1),
    )
    batch = run(
        alice,
        [
            visit(**early, asi_months="YYYYYTT", vitamin_a=1),
            visit(**dict(early, name="Asi Hanya Nanti"), asi_months="-----Y-", vitamin_a=None),
        ],
        upload,
    )
    assert (batch.created, batch.rejected) == (2, 0), reasons(batch)
    m = the_visit("Asi Dini", dt.date(2024, 7, 1))
    assert m.asi_months == "YYYYY--" and m.vitamin_a == 1
    assert "asi_month_after_age" in m.warnings and "vitamin_a_under_6_months" in m.warnings
    assert the_visit("Asi Hanya Nanti", dt.date(2024, 7, 1)).asi_months == ""  # nothing left to record
    assert batch.findings["warned_rows"] == 2
    client.force_login(alice)
    page = client.get(reverse("measurements:child", args=[m.child.tumbuh_id])).content.decode()
    assert "bulan yang belum dicapai anak" in page and "Vitamin A tercatat sebelum usia 6 bulan" in page


# ---------------------------------------------------------------- oedema and head circumference


def test_oedema_and_head_circumference_reach_the_growth_engine_as_a_form_visit_would(alice):
    style = Style(upload_columns=True)
    batch = run(
        alice,
        [
            visit(
                name="Edema Ya",
                birth=B2,
                weight=Decimal("7.00"),
                lenhei=Decimal("72.0"),
                position="l",
                oedema=True,
                headc=Decimal("44.5"),
            ),
            visit(
                name="Edema Tidak",
                birth=B2,
                weight=Decimal("7.00"),
                lenhei=Decimal("72.0"),
                position="l",
                headc=Decimal("44.5"),
                cells={"Edema": "-"},
            ),
        ],
        style,
    )
    assert batch.created == 2, reasons(batch)
    swollen, plain = the_visit("Edema Ya"), the_visit("Edema Tidak")
    assert swollen.oedema is True and plain.oedema is False
    assert swollen.zwfl is None and swollen.zwei is None and swollen.zbmi is None and "oedema" in swollen.engine_reason
    assert plain.zwfl is not None and plain.zhc is not None and swollen.zhc == plain.zhc
    for m in (swollen, plain):  # exactly what scoring gives a visit entered on the form
        form = Measurement(
            child=m.child,
            date=m.date,
            weight=m.weight,
            lenhei=m.lenhei,
            position=m.position,
            headc=m.headc,
            oedema=m.oedema,
        )
        score([form])
        assert {f: getattr(m, f) for f in COMPUTED_FIELDS} == {f: getattr(form, f) for f in COMPUTED_FIELDS}
    # Oedema is an input: a later file that clears it re-scores the visit.
    batch = run(
        alice,
        [
            visit(
                name="Edema Ya",
                birth=B2,
                weight=Decimal("7.00"),
                lenhei=Decimal("72.0"),
                position="l",
                headc=Decimal("44.5"),
                cells={"Edema": "Tidak"},
            )
        ],
        style,
        name="sembuh.csv",
    )
    assert batch.updated == 1 and the_visit("Edema Ya").zwfl == plain.zwfl


def test_head_circumference_in_millimetres_and_unreadable_oedema_reject_the_row(alice):
    style = Style(upload_columns=True)
    batch = run(
        alice,
        [
            visit(name="Kepala Mm", headc=Decimal("465")),
            visit(name="Edema Ragu", cells={"Edema": "bengkak?"}),
        ],
        style,
    )
    got = reasons(batch)
    assert batch.rejected == 2 and "did you mean 46.5 cm" in got[3] and "Edema must be Ya or Tidak" in got[4]


def test_usia_saat_ukur_with_line_breaks_is_still_checked_against_the_dates(alice):
    run(
        alice,
        [
            visit(name="Usia Br", cells={"Usia Saat Ukur": "2 Tahun<br>1 Bulan<br>0 Hari"}),
            visit(name="Usia Br Salah", cells={"Usia Saat Ukur": "1 Tahun<br>1 Bulan<br>0 Hari"}),
        ],
    )
    assert "age_text_mismatch" not in the_visit("Usia Br").warnings
    assert "age_text_mismatch" in the_visit("Usia Br Salah").warnings


# ---------------------------------------------------------------- the child: birth order, parent


def test_child_fields_fill_a_new_child_and_only_the_blanks_of_a_stored_one(alice):
    style = Style(upload_columns=True)
    mother = nik(dt.date(1994, 3, 8), "P", 11)
    run(alice, [visit(name="Anak Ortu", date=dt.date(2024, 11, 4), weight=Decimal("10.80"), lenhei=Decimal("82.0"))])
    child = Child.objects.get(name="Anak Ortu")
    assert (child.birth_order, child.parent_nik, child.parent_phone) == (None, "", "")
    # A later file carries the upload columns: the blanks are filled, audited.
    batch = run(
        alice,
        [visit(name="Anak Ortu", birth_order=2, parent_nik=mother, cells={"No HP Ortu": "0812-3456-789"})],
        style,
        name="ortu.csv",
    )
    assert batch.created == 1, reasons(batch)
    child.refresh_from_db()
    assert (child.birth_order, child.parent_nik, child.parent_phone) == (2, mother, "08123456789")
    log = AuditLog.objects.filter(object_type="measurements.child", object_id=str(child.pk), action="update").get()
    assert "ortu.csv" in log.reason and log.after["birth_order"] == 2
    # What a user (or an earlier file) entered is never overwritten.
    batch = run(
        alice,
        [
            visit(
                name="Anak Ortu",
                date=dt.date(2025, 3, 10),
                weight=Decimal("11.40"),
                lenhei=Decimal("85.0"),
                birth_order=3,
                parent_nik=nik(dt.date(1990, 1, 1), "L", 12),
                parent_phone="08999999999",
            )
        ],
        style,
        name="lain.csv",
    )
    assert batch.created == 1
    child.refresh_from_db()
    assert (child.birth_order, child.parent_nik, child.parent_phone) == (2, mother, "08123456789")


def test_a_child_created_in_an_earlier_chunk_is_completed_by_a_later_row_of_the_same_file(alice, monkeypatch):
    monkeypatch.setattr(I.EppgbmImporter, "chunk_size", 1)
    number = nik(B1, "L", 31)
    batch = run(
        alice,
        [
            visit(
                name="ANON_31", nik=number, date=dt.date(2024, 11, 4), weight=Decimal("10.80"), lenhei=Decimal("82.0")
            ),
            visit(name="Potongan Dua", nik=number, parent_phone="081298765432"),
        ],
        Style(upload_columns=True),
    )
    child = Child.objects.get(nik=number)
    assert batch.created == 2 and (child.name, child.parent_phone) == ("Potongan Dua", "081298765432")
    assert batch.findings["names_replaced"] == 1 and batch.findings["anonymised_new_children"] == 1


def test_invalid_child_fields_are_warned_and_left_blank(alice):
    batch = run(
        alice,
        [visit(name="Ortu Salah", cells={"Anak Ke": "kedua", "NIK Ortu": "7324", "No HP Ortu": "nomor"})],
        Style(upload_columns=True),
    )
    child = Child.objects.get(name="Ortu Salah")
    m = child.measurements.get()
    assert batch.created == 1 and (child.birth_order, child.parent_nik, child.parent_phone) == (None, "", "")
    assert {"birth_order_invalid", "parent_nik_invalid", "parent_phone_invalid"} <= set(m.warnings.split(";"))
    assert batch.findings["ignored_cells"] == {"Anak Ke": 1, "NIK Ortu": 1, "No HP Ortu": 1}
    assert batch.findings["service_unreadable"] == 0
    shown = {column: value for _, column, value in batch.findings["ignored_cell_rows"]}
    assert shown["NIK Ortu"] == "••••" and shown["Anak Ke"] == "kedua"  # a parent's NIK is never shown


# ---------------------------------------------------------------- anonymised names


def test_an_anonymised_row_with_a_nik_creates_a_placeholder_child_that_a_later_real_name_replaces(alice):
    number = nik(B1, "L", 71)
    batch = run(alice, [visit(name="ANON_301", nik=number)])
    child = Child.objects.get(nik=number)
    assert batch.created == 1 and child.name == "ANON_301" and child.name_is_anonymised
    assert "name_anonymised:new_child" in child.measurements.get().warnings
    assert (batch.findings["anonymised_names"], batch.findings["anonymised_new_children"]) == (1, 1)
    with translation.override("id"):
        assert "nama sementara" in I.warning_text("name_anonymised:new_child")
    later = run(
        alice,
        [
            visit(
                name="Bagus Pratama",
                nik=number,
                date=dt.date(2025, 3, 10),
                weight=Decimal("11.40"),
                lenhei=Decimal("85.0"),
            )
        ],
        name="nama-asli.csv",
    )
    child.refresh_from_db()
    assert later.created == 1 and child.name == "Bagus Pratama" and later.findings["names_replaced"] == 1
    log = AuditLog.objects.get(object_type="measurements.child", object_id=str(child.pk), action="update")
    assert log.before["name"] == "ANON_301" and log.after["name"] == "Bagus Pratama" and "nama-asli.csv" in log.reason
    # Anonymised again later: the real name stays.
    run(
        alice,
        [
            visit(
                name="ANON_302", nik=number, date=dt.date(2025, 4, 14), weight=Decimal("11.50"), lenhei=Decimal("85.6")
            )
        ],
        name="anon-lagi.csv",
    )
    child.refresh_from_db()
    assert child.name == "Bagus Pratama" and child.measurements.count() == 3


def test_an_anonymised_name_is_never_matched_by_name(alice):
    run(alice, [visit(name="ANON_5", nik=nik(B1, "L", 81))])
    # The same placeholder, birth date and desa, another NIK: another child.
    batch = run(alice, [visit(name="ANON_5", nik=nik(B1, "L", 82))], name="lain.csv")
    assert batch.findings["children_created"] == 1 and Child.objects.filter(name="ANON_5").count() == 2
    # A real name never matches a placeholder without the NIK either.
    batch = run(alice, [visit(name="Anon Lima")], name="nama.csv")
    assert batch.findings["children_created"] == 1


def test_an_anonymised_row_without_a_valid_nik_is_rejected_with_how_to_fix_it(alice):
    batch = run(alice, [visit(name="ANON_123"), visit(name="ANON_124", nik="7324")])
    assert batch.rejected == 2 and not Child.objects.filter(name__startswith="ANON_12").exists()
    with translation.override("id"):
        messages = [r.message for r in batch.rejected_rows.order_by("row_number")]
    assert messages[0] == (
        "Nama dianonimkan (ANON_123) dan NIK kosong/tidak sah: anak tidak dapat dikenali; "
        "lengkapi NIK atau nama lalu impor ulang"
    )


# ---------------------------------------------------------------- where the findings show


def test_the_batch_page_and_the_command_show_anonymised_rows_and_unreadable_cells(client, alice, tmp_path):
    visits = [
        visit(name="ANON_401", nik=nik(B1, "L", 91), kia_book=None, cells={"KIA": "Mungkin"}),
        visit(
            name="Halaman Dua",
            birth=B2,
            lenhei=Decimal("72.0"),
            weight=Decimal("9.00"),
            position="l",
            vitamin_a=None,
            cells={"Jml Vit A": "banyak"},
        ),
    ]
    batch = run(alice, visits)
    client.force_login(alice)
    with translation.override("id"):
        page = client.get(
            reverse("measurement_imports:batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="id"
        ).content.decode()
    assert 'data-testid="anonymised-count">1<' in page and 'data-testid="service-unreadable-count">2<' in page
    assert 'data-testid="ignored-cell-rows"' in page and "Mungkin" in page and "banyak" in page
    # The child's page says what the warnings on its visit mean (Indonesian, the default).
    child = Child.objects.get(nik=nik(B1, "L", 91))
    page = client.get(reverse("measurements:child", args=[child.tumbuh_id])).content.decode()
    assert "sebagai nama sementara" in page and "Sel KIA pada berkas impor tidak terbaca" in page
    path = tmp_path / "layanan.csv"
    path.write_bytes(
        write(
            [dict(v, name=v["name"].replace("Dua", "Tiga"), nik=nik(B1, "L", 92) if v["nik"] else "") for v in visits]
        ).getvalue()
    )
    out = io.StringIO()
    call_command("import-measurements", str(path), "--user", alice.username, "--no-progress", stdout=out)
    text = out.getvalue()
    assert "1 baris memuat nama yang dianonimkan (ANON_…)" in text
    assert "2 sel layanan tidak terbaca: kunjungannya tetap memakai nilai yang sudah ada" in text
    assert "per kolom: Jml Vit A 1, KIA 1" in text
