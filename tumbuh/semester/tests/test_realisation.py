"""The semester report shows the realisation the plan (Aksi 2) and the annual review (Aksi 8)
hold: physical output against the target and budget realised against the allocation, per OPD
and in total, in the page and in its document, in Indonesian number format; an activity without
review data says so instead of 0 %."""

from decimal import Decimal

import pytest

from tumbuh.rencana.testing import TEST_YEAR, make_activity
from tumbuh.reviu.actions import do_save_realisation
from tumbuh.reviu.models import Realisation
from tumbuh.semester import actions, figures
from tumbuh.semester.documents import report_document
from tumbuh.semester.models import SemesterReport
from tumbuh.tpps.models import Tpps

pytestmark = pytest.mark.django_db


def _realise(actor, activity, physical, budget):
    return do_save_realisation(
        actor, Realisation(activity=activity, physical=Decimal(physical), budget=Decimal(budget)), reason="reviu"
    )


@pytest.fixture
def plan(alice):
    """Semester I of the test year: Dinkes' two activities reviewed, DP2KB's not yet; DPUPR's runs
    in semester II only."""
    pmt = make_activity(
        alice, sub_kegiatan="PMT lokal balita", volume=10, unit="paket", budget=100_000_000, start_month=1, end_month=6
    )
    kelas = make_activity(
        alice, sub_kegiatan="Kelas ibu balita", volume=4, unit="desa", budget=50_000_000, start_month=3, end_month=9
    )
    make_activity(
        alice,
        opd="DP2KB",
        sub_kegiatan="Pendampingan keluarga berisiko",
        volume=25,
        unit="orang",
        budget=20_000_000,
        start_month=2,
        end_month=5,
    )
    make_activity(
        alice,
        opd="DPUPR",
        sub_kegiatan="Jamban sehat",
        volume=30,
        unit="unit",
        budget=300_000_000,
        start_month=8,
        end_month=11,
    )
    _realise(alice, pmt, "8", "85000000")  # 80,0 % physical, 85,0 % budget
    _realise(alice, kelas, "3", "50000000")  # 75,0 % physical, 100,0 % budget
    return actions.do_save_report(
        alice, SemesterReport(tpps=Tpps.objects.get(wilayah_id="73.24"), year=TEST_YEAR, semester=1)
    )


def test_realisation_per_opd_and_in_total(alice, plan):
    acts = figures.collect(plan, alice, today=plan.end)["activities"]
    assert [r["activity"] for r in acts["rows"]] == [
        "PMT lokal balita",
        "Kelas ibu balita",
        "Pendampingan keluarga berisiko",
    ]
    by_opd = {g["opd"]: g for g in acts["by_opd"]}
    assert by_opd["DINKES"] == {
        "opd": "DINKES",
        "activities": 2,
        "reviewed": 2,
        "budget": 150_000_000,
        "budget_realised": 135_000_000,
        "budget_percent": 90.0,
        "physical_percent": 77.5,
    }
    assert by_opd["DP2KB"] == {
        "opd": "DP2KB",
        "activities": 1,
        "reviewed": 0,
        "budget": 20_000_000,
        "budget_realised": None,
        "budget_percent": None,
        "physical_percent": None,
    }
    assert acts["total"] == {
        "activities": 3,
        "reviewed": 2,
        "budget": 170_000_000,
        "budget_realised": 135_000_000,
        "budget_percent": pytest.approx(135 / 170 * 100),
        "physical_percent": 77.5,
    }
    # 135 of 170 million, as Aksi 8 counts: kept unrounded, shown as 79,4 %
    pmt = acts["rows"][0]
    assert (pmt["physical"], pmt["volume"], pmt["physical_percent"], pmt["budget_percent"]) == (8.0, 10.0, 80.0, 85.0)
    assert not acts["rows"][2]["reviewed"] and acts["rows"][2]["budget_percent"] is None


def test_the_page_shows_it_in_indonesian_formats(client, alice, plan):
    client.force_login(alice)
    html = client.get(f"/laporan-semester/{plan.pk}/").content.decode()
    by_opd = html[
        html.index('data-testid="realisation-by-opd"') : html.index(
            "</table>", html.index('data-testid="realisation-by-opd"')
        )
    ]
    dinkes = by_opd[by_opd.index("DINKES") : by_opd.index("</tr>", by_opd.index("DINKES"))]
    for text in ("2 dari 2", "Rp 150.000.000", "Rp 135.000.000", "90,0%", "77,5%"):
        assert text in dinkes, text
    dp2kb = by_opd[by_opd.index("DP2KB") : by_opd.index("</tr>", by_opd.index("DP2KB"))]
    assert "0 dari 1" in dp2kb and "belum ada data reviu" in dp2kb and "0,0%" not in dp2kb and "Rp 0" not in dp2kb
    total = by_opd[by_opd.index('data-testid="realisation-total"') :]
    for text in ("2 dari 3", "Rp 170.000.000", "Rp 135.000.000", "79,4%", "77,5%"):
        assert text in total, text
    per_activity = html[html.index('data-testid="realisation-activities"') :]
    assert "8 paket" in per_activity and "10 paket" in per_activity and "80,0%" in per_activity
    assert 'data-testid="no-review-data"' not in html
    assert "Anggaran (%)" in by_opd and "Capaian fisik (rata-rata %)" in by_opd  # the headers in Indonesian too


def test_the_document_shows_it(alice, plan, pdftext):
    from tumbuh.documents.official import render_pdf

    text = " ".join(pdftext(render_pdf(report_document(plan, figures.collect(plan, alice, today=plan.end)))).split())
    section = text[text.index("IV. Kegiatan dan Realisasi") : text.index("V. Tindak Lanjut")]
    for words in (
        "Realisasi per OPD",
        "Rp 170.000.000",
        "Rp 135.000.000",
        "79,4%",
        "77,5%",
        "2 dari 3",
        "belum ada data reviu",
        "Realisasi per kegiatan",
        "PMT lokal balita",
        "8 paket",
        "80,0%",
        "85.000.000",
    ):
        assert words in section, words
    assert "Jamban sehat" not in section  # semester II


def test_a_plan_without_review_data_says_so(client, alice):
    make_activity(alice, sub_kegiatan="Posyandu aktif", volume=12, unit="posyandu", budget=40_000_000, start_month=7)
    report = actions.do_save_report(
        alice, SemesterReport(tpps=Tpps.objects.get(wilayah_id="73.24"), year=TEST_YEAR, semester=2)
    )
    data = figures.collect(report, alice, today=report.end)["activities"]
    assert data["total"]["reviewed"] == 0 and data["total"]["budget_percent"] is None
    client.force_login(alice)
    html = client.get(f"/laporan-semester/{report.pk}/").content.decode()
    assert 'data-testid="no-review-data"' in html and "Belum ada data reviu" in html
    table = html[html.index('data-testid="realisation-by-opd"') :]
    assert "0,0%" not in table[: table.index("</table>")]
    doc = report_document(report, figures.collect(report, alice, today=report.end))
    words = " ".join(getattr(b, "text", "") for b in doc.blocks)
    assert "Belum ada data realisasi dari Reviu Kinerja (Aksi 8)" in words


def test_a_report_frozen_before_the_realisation_still_reads(alice, plan):
    """A final report keeps the figures it was frozen with, also those frozen without realisation."""
    data = figures.collect(plan, alice, today=plan.end)
    old = {
        "rencana": True,
        "reviu": True,
        "rows": [
            {"opd": r["opd"], "activity": r["activity"], "budget": float(r["budget"]), "months": r["months"]}
            for r in data["activities"]["rows"]
        ],
    }
    doc = report_document(plan, {**data, "activities": old})
    assert any(getattr(b, "headers", [None])[-1:] == ["Anggaran (Rp)"] for b in doc.blocks)
    assert figures.display({**data, "activities": old})["activities"] == old


def test_the_mean_physical_achievement_is_rounded_once(client, alice):
    """The mean of 33,33 % and 33,36 % is 33,345 %: 33,3 %. Averaging the percentages as shown
    (33,3 and 33,4) and rounding again gave 33,4 %, a figure no activity's numbers support."""
    a = make_activity(
        alice, sub_kegiatan="Posyandu aktif", volume=100, unit="posyandu", budget=10_000_000, start_month=1
    )
    b = make_activity(alice, sub_kegiatan="Kelas ibu", volume=100, unit="kelas", budget=10_000_000, start_month=1)
    _realise(alice, a, "33.33", "1000000")
    _realise(alice, b, "33.36", "1000000")
    report = actions.do_save_report(
        alice, SemesterReport(tpps=Tpps.objects.get(wilayah_id="73.24"), year=TEST_YEAR, semester=1)
    )
    data = figures.collect(report, alice, today=report.end)
    assert data["activities"]["total"]["physical_percent"] == pytest.approx(33.345)
    shown = figures.display(data)["activities"]
    assert shown["total"]["physical_percent_text"] == "33,3%"
    assert [r["physical_percent_text"] for r in shown["rows"]] == ["33,3%", "33,4%"]
    client.force_login(alice)
    total = client.get(f"/laporan-semester/{report.pk}/").content.decode().split('data-testid="realisation-total"')[1]
    assert "33,3%" in total.split("</tr>")[0]


@pytest.mark.parametrize("change, text", [
    (0.04, "±0,0 poin"), (-0.04, "±0,0 poin"), (-0.05, "−0,1 poin"), (1.25, "+1,3 poin"), (None, "–"),
])  # fmt: skip
def test_a_change_in_the_document_has_the_sign_of_the_figure_shown(change, text):
    from tumbuh.semester.documents import _change

    assert _change(change) == text  # 0.04 was "+0,0 poin": a rise of nothing
