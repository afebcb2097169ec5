"""An assessment: scores written through the actions and audited, final locks them, reopening
takes a reason; totals and ranking; the evidence of the right aksi and year; the exports."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from openpyxl import load_workbook

from tumbuh.audit.models import AuditLog
from tumbuh.core.testing import require_or_skip
from tumbuh.penilaian import actions, totals
from tumbuh.penilaian.models import Score, Status

from .conftest import LUTIM, LUWU, criterion, level


def _score(prov, assessment, code, crit, value, comment=""):
    return actions.do_score(prov, assessment, code, crit, level(crit, value) if value is not None else None, comment)


def test_a_score_is_written_through_the_action_and_audited(prov, rubric, assessment):
    a11 = criterion(rubric, "A1.1")
    score = _score(prov, assessment, LUTIM, a11, 2, "Lengkap, tanpa analisis kesenjangan.")
    log = AuditLog.objects.get(object_type="penilaian.score", object_id=str(score.pk))
    assert (log.action, log.actor, log.wilayah_code) == ("create", prov, LUTIM)
    assert log.after["comment"] == "Lengkap, tanpa analisis kesenjangan."

    again = _score(prov, assessment, LUTIM, a11, 3, "Kesenjangan dianalisis.")
    assert again.pk == score.pk and Score.objects.filter(assessment=assessment).count() == 1
    update = AuditLog.objects.filter(object_type="penilaian.score", object_id=str(score.pk)).latest("pk")
    assert update.action == "update" and update.before["level"] == level(a11, 2).pk


def test_a_level_of_another_criterion_or_an_aksi_out_of_scope_is_refused(prov, rubric, assessment):
    a11, a12 = criterion(rubric, "A1.1"), criterion(rubric, "A1.2")
    with pytest.raises(ValidationError):
        actions.do_score(prov, assessment, LUTIM, a11, level(a12, 2))
    actions.do_set_first_year(prov, assessment, [LUWU])  # no 2029 year in Tumbuh: the field decides
    with translation.override("id"), pytest.raises(ValidationError) as e:
        _score(prov, assessment, LUWU, criterion(rubric, "A5.1"), 1)
    assert "Aksi 5" in " ".join(e.value.messages)
    _score(prov, assessment, LUTIM, criterion(rubric, "A5.1"), 1)  # Luwu Timur is past its year I


def test_final_locks_the_scores_and_reopening_takes_a_reason(prov, rubric, assessment):
    a11 = criterion(rubric, "A1.1")
    _score(prov, assessment, LUTIM, a11, 2)
    actions.do_finalise(prov, assessment, now=timezone.now())
    assert assessment.status == Status.FINAL and assessment.finalised_by == prov
    with translation.override("id"), pytest.raises(ValidationError) as e:
        _score(prov, assessment, LUTIM, a11, 3)
    assert "final" in " ".join(e.value.messages)
    assert Score.objects.get(assessment=assessment).level.value == 2
    with pytest.raises(ValidationError):
        actions.do_reopen(prov, assessment, reason="  ")
    actions.do_reopen(prov, assessment, reason="Bukti Aksi 3 Luwu Timur terlambat diunggah.")
    assert AuditLog.objects.filter(
        object_type="penilaian.assessment", reason="Bukti Aksi 3 Luwu Timur terlambat diunggah."
    ).exists()
    _score(prov, assessment, LUTIM, a11, 3)
    assert Score.objects.get(assessment=assessment).level.value == 3


def test_totals_are_weighted_and_the_ranking_shares_equal_figures(prov, rubric, assessment):
    from tumbuh.wilayah.models import Wilayah

    c = {code: criterion(rubric, code) for code in ("A1.1", "A1.2", "A5.1")}
    _score(prov, assessment, LUTIM, c["A1.1"], 3)  # 10 × 3
    _score(prov, assessment, LUTIM, c["A1.2"], 1)  # 5 × 1
    _score(prov, assessment, LUWU, c["A1.1"], 2)  # 10 × 2
    _score(prov, assessment, LUWU, c["A5.1"], 3)  # 10 × 3
    districts = list(Wilayah.objects.filter(code__in=[LUTIM, LUWU]).order_by("code"))
    rows = totals.grid(assessment, districts, Score.objects.filter(assessment=assessment), list(rubric.criteria.all()))
    by_code = {r.kabupaten.code: r for r in rows}
    maximum = sum(c.weight * c.max_value() for c in rubric.criteria.all())  # both assessed on all eight
    assert by_code[LUTIM].total == Decimal(35) and by_code[LUWU].total == Decimal(50)
    assert by_code[LUTIM].maximum == maximum == Decimal(245)
    ranked = totals.rank(rows)
    assert [(r.kabupaten.code, r.rank) for r in ranked] == [(LUWU, 1), (LUTIM, 2)]
    _score(prov, assessment, LUTIM, c["A5.1"], 3)  # 65 against 50: Luwu Timur first
    _score(prov, assessment, LUWU, c["A1.2"], 2)  # 60
    _score(prov, assessment, LUWU, criterion(rubric, "A4.1"), 1)  # 65 too: one rank for both
    rows = totals.grid(assessment, districts, Score.objects.filter(assessment=assessment), list(rubric.criteria.all()))
    assert [r.rank for r in totals.rank(rows)] == [1, 1]


def test_the_district_page_shows_the_evidence_of_the_aksi_and_year_in_scope(client, prov, rubric):
    """2027: Luwu Timur's Aksi 1–4 are 2027's (not planned in Tumbuh), its Aksi 5–8 2026's, whose
    action pages and checklists Pantau Aksi holds."""
    from tumbuh.aksi.models import ActionYear

    a = actions.do_start_assessment(prov, rubric.province, 2027, rubric)
    client.force_login(prov)
    page = client.get(f"/penilaian/{a.pk}/kabupaten/{LUTIM}/", HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200
    items = {item["cell"].criterion.code: item["evidence"] for item in page.context["items"]}
    aksi7 = ActionYear.objects.get(cycle__kabupaten_id=LUTIM, cycle__year=2026, definition__number=7)
    assert (items["A7.1"].year, items["A7.1"].action) == (2026, aksi7)
    assert items["A1.1"].year == 2027 and items["A1.1"].action is None
    html = page.content.decode()
    assert f'href="/aksi/{aksi7.pk}/"' in html
    assert "Tidak direncanakan di Tumbuh untuk tahun ini." in html


def test_the_workbook_reads_back_with_numbers_as_numbers(client, prov, rubric, assessment):
    _score(prov, assessment, LUTIM, criterion(rubric, "A1.1"), 3, "=HYPERLINK(1)")
    _score(prov, assessment, LUWU, criterion(rubric, "A8.1"), 2, "Reviu ada.")
    client.force_login(prov)
    response = client.get(f"/penilaian/{assessment.pk}/unduh.xlsx")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'attachment; filename="penilaian-kinerja-73-2030.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    scores, ranking = book["Nilai"], book["Peringkat"]
    headers = [c.value for c in scores[3]]
    assert headers[:6] == ["Kode wilayah", "Kabupaten/Kota", "Tahun aksi", "Aksi", "Kode kriteria", "Kriteria"]
    rows = {(r[0], r[4]): r for r in scores.iter_rows(min_row=4, values_only=True)}
    lutim = rows[(LUTIM, "A1.1")]
    assert lutim[2:4] == (2030, 1) and lutim[6:10] == (10, 3, 3, 30)
    assert lutim[10] == "=HYPERLINK(1)" and scores.cell(row=4, column=11).data_type != "f"
    assert rows[(LUWU, "A8.1")][2] == 2029 and rows[(LUWU, "A8.1")][9] == 30
    assert rows[(LUWU, "A1.1")][7] is None  # assessed, not scored
    ranked = list(ranking.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[6], r[8]) for r in ranked] == [(1, LUWU, 30, 12.24), (1, LUTIM, 30, 12.24)]
    assert ranking.cell(row=4, column=9).number_format == "#,##0.00"


def test_the_pdf_names_the_province_year_rubric_and_date(client, prov, rubric, assessment):
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")
    _score(prov, assessment, LUTIM, criterion(rubric, "A1.1"), 3, "Tabel situasi lengkap.")
    client.force_login(prov)
    response = client.get(f"/penilaian/{assessment.pk}/unduh.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "PEMERINTAH PROVINSI SULAWESI SELATAN" in text
    assert "Tahun 2030" in text
    assert f"Rubrik: {rubric.name}, versi {rubric.version}" in text
    from tumbuh.documents.official import indonesian_date

    assert indonesian_date(timezone.localdate()) in text
    assert "Tabel situasi lengkap." in text and "LUWU TIMUR" in text.upper()


# ---------------------------------------------------------------- who sees and does what


def test_a_province_user_of_another_province_sees_nothing(client, other_prov, prov, rubric, assessment):
    _score(prov, assessment, LUTIM, criterion(rubric, "A1.1"), 3)
    client.force_login(other_prov)
    for url in ("", "peringkat/", "unduh.xlsx", "unduh.pdf", f"kabupaten/{LUTIM}/"):
        assert client.get(f"/penilaian/{assessment.pk}/{url}").status_code == 404, url
    assert client.get("/penilaian/").context["assessments"] == []
    with pytest.raises(PermissionDenied):
        actions.do_score(other_prov, assessment, LUTIM, criterion(rubric, "A1.1"), None, "bukan wilayah saya")


def test_a_district_admin_reads_only_its_own_final_result(client, prov, alice, bob, charlie, rubric, assessment):
    _score(prov, assessment, LUTIM, criterion(rubric, "A1.1"), 3, "Catatan untuk Luwu Timur.")
    _score(prov, assessment, LUWU, criterion(rubric, "A1.1"), 1, "Catatan untuk Luwu.")
    client.force_login(alice)
    assert client.get(f"/penilaian/{assessment.pk}/kabupaten/{LUTIM}/").status_code == 404  # a draft: nothing yet
    assert assessment not in client.get("/penilaian/").context["assessments"]

    actions.do_finalise(prov, assessment, now=timezone.now())
    assert assessment in client.get("/penilaian/").context["assessments"]
    grid = client.get(f"/penilaian/{assessment.pk}/")
    assert grid.status_code == 302 and grid["Location"] == f"/penilaian/{assessment.pk}/kabupaten/{LUTIM}/"
    own = client.get(grid["Location"]).content.decode()
    assert "Catatan untuk Luwu Timur." in own and "Catatan untuk Luwu." not in own
    assert 'data-testid="score-form"' not in own
    assert client.get(f"/penilaian/{assessment.pk}/kabupaten/{LUWU}/").status_code == 404
    for url in ("peringkat/", "unduh.xlsx", "unduh.pdf"):
        assert client.get(f"/penilaian/{assessment.pk}/{url}").status_code == 403, url

    client.force_login(bob)  # a desa operator: no district result at all
    assert client.get("/penilaian/").context["assessments"] == []
    assert client.get(f"/penilaian/{assessment.pk}/kabupaten/{LUTIM}/").status_code == 404

    client.force_login(charlie)
    luwu = client.get(f"/penilaian/{assessment.pk}/kabupaten/{LUWU}/").content.decode()
    assert "Catatan untuk Luwu." in luwu and "Luwu Timur" not in luwu


def test_a_district_or_a_viewer_may_not_write(client, prov, alice, rubric, assessment):
    from tumbuh.accounts.models import Role

    from .conftest import make_user

    a11 = criterion(rubric, "A1.1")
    viewer = make_user("viewer.lutim", Role.VIEWER, LUTIM)
    for user in (alice, viewer):
        with pytest.raises(PermissionDenied):
            actions.do_score(user, assessment, LUTIM, a11, level(a11, 3))
        client.force_login(user)
        response = client.post(
            f"/penilaian/{assessment.pk}/kabupaten/{LUTIM}/skor/{a11.pk}/", {f"c{a11.pk}-level": level(a11, 3).pk}
        )
        assert response.status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        actions.do_finalise(alice, assessment, now=timezone.now())
    assert not Score.objects.filter(assessment=assessment).exists()


def test_the_province_scores_from_the_page_with_htmx_and_sees_the_total(client, prov, rubric, assessment):
    a11 = criterion(rubric, "A1.1")
    client.force_login(prov)
    response = client.post(
        f"/penilaian/{assessment.pk}/kabupaten/{LUTIM}/skor/{a11.pk}/",
        {f"c{a11.pk}-level": level(a11, 2).pk, f"c{a11.pk}-comment": "Dari halaman."},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'hx-swap-oob="true"' in html
    assert 'data-testid="district-total">20<' in html
    assert Score.objects.get(assessment=assessment, kabupaten_id=LUTIM).comment == "Dari halaman."


def test_the_province_sees_every_district_on_the_grid_and_the_ranking(client, prov, rubric, assessment):
    _score(prov, assessment, LUTIM, criterion(rubric, "A1.1"), 3)
    client.force_login(prov)
    grid = client.get(f"/penilaian/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE="id")
    assert grid.status_code == 200
    assert [r.kabupaten.code for r in grid.context["rows"]] == [LUWU, LUTIM]
    html = grid.content.decode()
    assert f'href="/penilaian/{assessment.pk}/kabupaten/{LUTIM}/"' in html and 'data-testid="finalise"' in html
    ranking = client.get(f"/penilaian/{assessment.pk}/peringkat/", HTTP_ACCEPT_LANGUAGE="id")
    assert [(r.kabupaten.code, r.rank) for r in ranking.context["rows"]] == [(LUTIM, 1), (LUWU, 2)]
    assert "12,24" in ranking.content.decode()
