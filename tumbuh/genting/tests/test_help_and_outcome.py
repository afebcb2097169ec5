"""Help given (with evidence), the child's HAZ before and after, the foster parent's sheet,
the Bupati's page, and who may do what, role by role."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts import policy
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import pdf_bytes
from tumbuh.genting.actions import do_end_match, do_match, do_record_help
from tumbuh.genting.models import FosterMatch, FosterParent, Help, SharedField
from tumbuh.genting.outcome import outcome
from tumbuh.genting.sheet import shared_facts
from tumbuh.genting.summary import summary

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 1)


def _pdf():
    return SimpleUploadedFile("kuitansi.pdf", pdf_bytes("kuitansi"), content_type="application/pdf")


def test_the_desa_operator_records_help_with_evidence(alice, bob, parent, make_family, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    match = do_match(alice, parent, family=make_family("7324041501960001"), start_date=START)
    help_given = do_record_help(
        bob, match, kind="pangan", value=750_000, date=dt.date(2025, 2, 3), description="Paket telur", evidence=_pdf()
    )
    [doc] = UploadedDocument.for_object(help_given)
    assert doc.wilayah_id == "73.24.04.2010" and doc.uploaded_by == bob
    with pytest.raises(ValidationError):
        do_record_help(bob, match, kind="pangan", value=0, date=dt.date(2025, 2, 3))
    with pytest.raises(ValidationError):
        do_record_help(bob, match, kind="pangan", value=10, date=dt.date(2024, 12, 31))  # before the match
    do_end_match(alice, match, end_date=dt.date(2025, 6, 30))
    with pytest.raises(ValidationError):
        do_record_help(bob, match, kind="air", value=10, date=dt.date(2025, 7, 3))
    assert list(Help.objects.filter(match=match)) == [help_given]


def test_help_outside_the_desa_is_refused(alice, bob, parent, make_family):
    from tumbuh.wilayah.models import Wilayah

    other = (
        Wilayah.objects.filter(level=4, kecamatan_code="73.24.04")
        .exclude(code="73.24.04.2010")
        .order_by("code")
        .first()
    )
    match = do_match(alice, parent, family=make_family("7324041501960002", desa=other.code), start_date=START)
    with pytest.raises(PermissionDenied):
        do_record_help(bob, match, kind="pangan", value=100_000, date=dt.date(2025, 2, 3))


def test_the_outcome_shows_every_visit_before_and_after_without_a_claim(client, alice, parent, make_child):
    child = make_child("Anak Diasuh", [(0, -2.9), (3, -2.7), (12, -2.5), (15, -2.6), (18, -2.2)])
    match = do_match(alice, parent, child=child, start_date=dt.date(2024, 9, 1))
    result = outcome(match)
    assert [p["z"] for p in result.before] == [-2.9, -2.7]
    assert [p["z"] for p in result.after] == [-2.5, -2.6, -2.2]
    assert result.last_before["z"] == -2.7 and result.last_after["z"] == -2.2
    assert "<svg" in result.svg()
    client.force_login(alice)
    page = client.get(f"/genting/asuhan/{match.pk}/").content.decode()
    assert 'data-before="2" data-after="3"' in page
    assert "tidak menunjukkan bahwa bantuan menyebabkan perubahan" in page  # no causal claim


def test_a_family_match_has_no_growth_outcome(alice, parent, make_family):
    assert outcome(do_match(alice, parent, family=make_family("7324041501960009"), start_date=START)) is None


def test_the_sheet_holds_only_the_shared_fields_and_never_the_nik(client, alice, parent, make_family):
    import docx

    family = make_family("7324041501960003", risks=2, name="Baharuddin Sitompul")
    match = do_match(
        alice, parent, family=family, start_date=START, shared_fields=[SharedField.DESA, SharedField.RISKS]
    )
    do_record_help(alice, match, kind="air", value=3_500_000, date=dt.date(2025, 3, 1), description="Sambungan air")
    labels = [label for label, _value in shared_facts(match, today=dt.date(2025, 6, 1))]
    assert len(labels) == 2
    client.force_login(alice)
    response = client.get(f"/genting/asuhan/{match.pk}/lembar.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    text += "\n".join(
        c.text for t in docx.Document(io.BytesIO(response.content)).tables for r in t.rows for c in r.cells
    )
    assert "Balantang" in text and ("air minum" in text.lower() or "drinking water" in text)
    assert (
        "Baharuddin" not in text and "7324041501960003" not in text and "Sambungan air" not in text
    )  # help not shared
    client.post(f"/genting/asuhan/{match.pk}/berbagi/", {"shared_fields": ["nama", "bantuan"]})
    response = client.get(f"/genting/asuhan/{match.pk}/lembar.docx")
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Baharuddin" in text and "Sitompul" not in text and "Sambungan air" in text and "3.500.000" in text


def test_the_sheet_gives_the_childs_age_on_the_day_it_is_made(alice, parent, make_child):
    match = do_match(
        alice, parent, child=make_child("Anak Lembar", [(0, -2.5)]), start_date=START, shared_fields=[SharedField.AGE]
    )
    assert shared_facts(match, today=dt.date(2025, 1, 1)) == [("Usia anak", "24 bulan")]  # born 1 January 2023
    assert shared_facts(match, today=dt.date(2025, 7, 1)) == [("Usia anak", "29 bulan")]


def test_the_bupati_page_adds_up(client, alice, parent, parent2, make_family, make_child):
    before = summary(alice)
    a = do_match(alice, parent, family=make_family("7324041501960004"), start_date=START)
    b = do_match(alice, parent2, child=make_child("Anak Bupati", [(0, -2.5)]), start_date=START)
    do_record_help(alice, a, kind="jamban", value=6_500_000, date=dt.date(2025, 2, 1))
    do_record_help(alice, b, kind="pangan", value=500_000, date=dt.date(2025, 2, 1))
    after = summary(alice)
    assert after.foster_parents == FosterParent.objects.filter(kabupaten_id="73.24", is_active=True).count()
    assert (after.families - before.families, after.children - before.children) == (1, 1)
    assert after.help_total - before.help_total == 7_000_000
    assert sum(total for _l, _n, total in after.help_by_kind) == after.help_total
    assert sum(r["help"] for r in after.per_kecamatan) == after.help_total
    assert after.villages >= 1
    client.force_login(alice)
    page = client.get("/genting/ringkasan/").content.decode()
    assert f'data-testid="help-total">Rp {after.help_total:,}'.replace(",", ".") in page


@pytest.mark.parametrize(
    "username, sees_parent, sees_match, add_parent, match, add_help",
    [
        ("admin.lutim", True, True, True, True, True),
        ("dinkes.lutim", True, True, False, False, False),
        ("camat.malili", False, True, False, False, False),
        ("pkm.malili", False, False, False, False, False),  # Balantang: Puskesmas Lakawali's
        ("desa.balantang", False, True, False, False, True),
        ("pantau.lutim", True, True, False, False, False),
        ("admin.luwu", False, False, True, False, False),  # adds foster parents of Luwu only
    ],
)
def test_each_role(
    demo_users, alice, parent, make_family, username, sees_parent, sees_match, add_parent, match, add_help
):
    user = demo_users[username]
    foster_match = do_match(alice, parent, family=make_family("7324041501960005"), start_date=START)
    assert policy.is_visible(user, parent) is sees_parent
    assert policy.is_visible(user, foster_match) is sees_match
    assert policy.can(user, policy.ADD, FosterParent) is add_parent
    assert policy.can(user, policy.CHANGE, parent) is (username == "admin.lutim")
    assert policy.can(user, policy.CHANGE, foster_match) is match
    assert policy.can(user, policy.ADD, Help(match=foster_match)) is add_help


def test_pages_answer_by_role(client, demo_users, alice, parent, make_family):
    match = do_match(alice, parent, family=make_family("7324041501960006"), start_date=START)
    client.force_login(demo_users["desa.balantang"])
    assert client.get(f"/genting/asuhan/{match.pk}/").status_code == 200
    assert client.get("/genting/usulan/").status_code == 403
    assert client.get(f"/genting/asuhan/{match.pk}/lembar.pdf").status_code == 403
    client.force_login(demo_users["admin.luwu"])
    assert client.get(f"/genting/asuhan/{match.pk}/").status_code == 404
    client.force_login(alice)
    for url in ("/genting/", "/genting/usulan/", "/genting/ringkasan/", f"/genting/orang-tua-asuh/{parent.pk}/"):
        assert client.get(url).status_code == 200, url
    pdf = client.get(f"/genting/asuhan/{match.pk}/lembar.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_demo_has_foster_parents_matches_and_help():
    assert FosterParent.objects.filter(kabupaten_id="73.24").values("kind").distinct().count() == 4
    assert FosterMatch.objects.filter(desa__kabupaten_code="73.24", family__isnull=False).count() >= 5
    assert FosterMatch.objects.filter(desa__kabupaten_code="73.24", child__isnull=False).exists()
    assert Help.objects.filter(match__desa__kabupaten_code="73.24").count() > 10


def test_the_outcomes_haz_is_written_by_the_one_rounding_rule(client, alice, parent, make_child):
    """HAZ −2.005 (a tie) was ``round(z, 2)`` = −2.0, printed as the float "-2,0"; the visit page
    writes −2,01 for the same visit."""
    child = make_child("Anak Seri", [(0, -2.005), (6, -2.125)])
    match = do_match(alice, parent, child=child, start_date=dt.date(2024, 4, 1))
    result = outcome(match)
    assert result.last_before["z"] == -2.01 and result.last_after["z"] == -2.13
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    text = (
        client.get(f"/genting/asuhan/{match.pk}/")
        .content.decode()
        .split('data-testid="outcome-text"')[1]
        .split("</p>")[0]
    )
    assert "HAZ -2,01," in text and "HAZ -2,13," in text
