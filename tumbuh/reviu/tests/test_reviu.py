"""The annual review: OPD realisation of their own activities, indicators start against end,
prevalence per kecamatan, the report's figures, and recommendations seeding next year."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.core.numbers import round_figure
from tumbuh.documents.official import render_pdf
from tumbuh.indikator.models import Coverage, Indicator
from tumbuh.rencana.testing import TEST_YEAR, make_activity, pdftext  # noqa: F401  (a fixture)
from tumbuh.reviu import actions, documents, figures
from tumbuh.reviu.models import AnnualReview, Realisation, Recommendation
from tumbuh.reviu.recommendations import recommendations_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinkes(demo_users):
    return demo_users["dinkes.lutim"]


def test_an_opd_enters_the_realisation_of_its_own_activities_only(alice, dinkes, client):
    own = make_activity(alice, budget=200_000_000, volume=100)
    other = make_activity(alice, opd="DP2KB", indicator="krs-pendampingan")
    r = actions.do_save_realisation(
        dinkes, Realisation(activity=own, physical=Decimal(80), budget=Decimal(150_000_000))
    )
    assert r.physical_percent == Decimal("80.0") and r.budget_percent == Decimal("75.0")
    assert AuditLog.objects.get(object_type="reviu.realisation", object_id=str(r.pk)).actor == dinkes
    with pytest.raises(PermissionDenied):
        actions.do_save_realisation(dinkes, Realisation(activity=other, physical=Decimal(1), budget=Decimal(1)))
    client.force_login(dinkes)
    assert client.get(f"/reviu/realisasi/{own.pk}/").status_code == 200
    assert client.post(f"/reviu/realisasi/{other.pk}/", {"physical": 1, "budget": 1}).status_code == 403
    assert not Realisation.objects.filter(activity=other).exists()


def test_budget_realisation_cannot_exceed_the_budget(alice):
    activity = make_activity(alice, budget=10_000_000)
    with pytest.raises(ValidationError) as e:
        actions.do_save_realisation(
            alice, Realisation(activity=activity, physical=Decimal(10), budget=Decimal(10_000_001))
        )
    assert "Rp 10.000.000" in e.value.message_dict["budget"][0]


@pytest.mark.parametrize(
    "username,enters,reviews",
    [
        ("admin.lutim", True, True),
        ("dinkes.lutim", True, False),
        ("camat.malili", False, False),
        ("pkm.malili", False, False),
        ("desa.balantang", False, False),
        ("pantau.lutim", False, False),
    ],
)
def test_who_enters_and_who_reviews(demo_users, alice, username, enters, reviews):
    user = demo_users[username]
    activity = make_activity(alice)
    assert policy.can(user, policy.ADD, Realisation(activity=activity)) is enters
    assert policy.can(user, policy.ADD, AnnualReview(kabupaten_id="73.24", year=TEST_YEAR)) is reviews
    review = AnnualReview.objects.get(kabupaten_id="73.24", year=2025)  # the demo's
    assert policy.can(user, policy.ADD, Recommendation(review=review)) is reviews


def test_another_district_sees_nothing(client, demo_users, alice):
    activity = make_activity(alice)
    client.force_login(demo_users["admin.luwu"])
    assert client.get(f"/reviu/realisasi/{activity.pk}/").status_code == 404
    assert not policy.can(demo_users["admin.luwu"], policy.ADD, Realisation(activity=activity))


def test_recommendations_seed_next_years_analysis(alice, charlie):
    review = actions.do_save_review(alice, AnnualReview(kabupaten_id="73.24", year=TEST_YEAR))
    actions.do_save_recommendation(alice, Recommendation(review=review, text="Perluas SPAM", order=2))
    actions.do_save_recommendation(alice, Recommendation(review=review, text="Perluas PMT", order=1))
    actions.do_save_recommendation(alice, Recommendation(review=review, text="Mutakhirkan data KRS"))  # numbered last
    assert [r.text for r in recommendations_for("73.24", TEST_YEAR + 1)] == [
        "Perluas PMT",
        "Perluas SPAM",
        "Mutakhirkan data KRS",
    ]
    assert recommendations_for("73.24", TEST_YEAR) == []  # the review of TEST_YEAR seeds the year after
    assert recommendations_for("73.17", TEST_YEAR + 1) == []
    luwu = actions.do_save_review(charlie, AnnualReview(kabupaten_id="73.17", year=TEST_YEAR))
    with pytest.raises(PermissionDenied):
        actions.do_save_recommendation(alice, Recommendation(review=luwu, text="x"))


def test_indicators_start_of_year_against_end(alice):
    indicator = Indicator.objects.get(kabupaten=None, code="imunisasi-dasar-lengkap")
    for year, (num, den) in ((TEST_YEAR - 1, (60, 100)), (TEST_YEAR, (170, 200))):
        Coverage.objects.create(
            indicator=indicator,
            desa_id="73.24.04.2010",
            year=year,
            numerator=num,
            denominator=den,
            value=Decimal(num * 100) / den,
        )
    Coverage.objects.create(
        indicator=indicator, desa_id="73.24.04.2001", year=TEST_YEAR, numerator=10, denominator=100, value=Decimal(10)
    )
    row = next(r for r in figures.indicator_rows("73.24", TEST_YEAR) if r.indicator == indicator)
    assert row.start == pytest.approx(60.0) and row.end == pytest.approx(60.0)  # 180 of 300 at the end
    assert row.change == 0 and row.desa_end == 2


def test_prevalence_per_kecamatan_february_against_august(alice):
    rows = figures.kecamatan_prevalence(alice, "73.24", 2025)
    malili = next(r for r in rows if r.code == "73.24.04")
    assert malili.n_start > 0 and malili.n_end > 0
    assert malili.change == round_figure(Decimal(str(malili.end)) - Decimal(str(malili.start)), 1)


def test_the_report_holds_the_figures_and_recommendations(alice, pdftext):
    activity = make_activity(alice, budget=1_250_000_000, volume=40, unit="unit", sub_kegiatan="SPAM perpipaan desa")
    actions.do_save_realisation(
        alice,
        Realisation(activity=activity, physical=Decimal(30), budget=Decimal(987_654_000), problems="Kontrak terlambat"),
    )
    review = actions.do_save_review(
        alice,
        AnnualReview(
            kabupaten_id="73.24",
            year=TEST_YEAR,
            nomor="050/9/TPPS/XII",
            date=dt.date(TEST_YEAR, 12, 18),
            signing_place="Malili",
            signer_name="Ir. Hasnah",
            problems="Data cakupan terlambat",
        ),
    )
    actions.do_save_recommendation(
        alice, Recommendation(review=review, text="Mulai kontrak SPAM pada triwulan pertama")
    )
    text = pdftext(render_pdf(documents.report(review, alice)))
    flat = " ".join(text.split())
    assert "LAPORAN REVIU KINERJA TAHUNAN" in text and "Nomor: 050/9/TPPS/XII" in text
    assert "SPAM perpipaan desa" in flat and "1.250.000.000" in text and "987.654.000" in text
    assert "79,0" in text and "75,0" in text  # budget 79.0 %, physical 30 of 40
    assert "Kontrak terlambat" in flat and "Data cakupan terlambat" in flat
    assert "Mulai kontrak SPAM pada triwulan pertama" in flat
    assert "Ir. Hasnah" in text and f"Malili, 18 Desember {TEST_YEAR}" in text


def test_the_review_page_and_report_download(client, alice, demo_users):
    client.force_login(alice)
    page = client.get("/reviu/?year=2025").content.decode()
    assert "Malili" in page and "Perluas PMT lokal" in page and "Rekomendasi untuk 2026" in page
    response = client.get("/reviu/2025/laporan.docx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    client.force_login(demo_users["dinkes.lutim"])
    assert client.get("/reviu/2025/ubah/").status_code == 403
