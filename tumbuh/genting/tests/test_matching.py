"""Matching foster parents: suggested by priority, confirmed by the secretariat, never twice
without a reason."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.audit.models import AuditLog
from tumbuh.genting.actions import do_match
from tumbuh.genting.models import DEFAULT_SHARED, FosterMatch
from tumbuh.genting.priority import score, severity, suggestions
from tumbuh.measurements.models import Measurement

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 1)


def test_a_double_match_of_a_family_is_refused_without_a_reason(alice, parent, parent2, make_family):
    family = make_family("7324041501950001")
    first = do_match(alice, parent, family=family, start_date=START)
    with pytest.raises(ValidationError) as refused:
        do_match(alice, parent2, family=family, start_date=START)
    assert "rematch_reason" in refused.value.error_dict and "CV Uji Peduli" in str(refused.value)
    with pytest.raises(ValidationError):
        do_match(alice, parent2, family=family, start_date=START, rematch_reason="   ")  # blank is no reason
    assert list(FosterMatch.objects.filter(family=family)) == [first]

    second = do_match(
        alice,
        parent2,
        family=family,
        start_date=START,
        rematch_reason="Rumah rusak berat: bedah rumah dari donatur kedua",
    )
    assert FosterMatch.objects.filter(family=family).count() == 2
    log = AuditLog.objects.get(object_type="genting.fostermatch", object_id=str(second.pk))
    assert log.reason.startswith("Rumah rusak berat") and log.actor == alice


def test_a_double_match_of_a_child_is_refused_even_after_the_first_ended(alice, parent, parent2, make_child):
    from tumbuh.genting.actions import do_end_match

    child = make_child("Anak Ganda", [(0, -2.6)])
    first = do_match(alice, parent, child=child, start_date=START)
    do_end_match(alice, first, end_date=dt.date(2025, 6, 30))
    with pytest.raises(ValidationError):
        do_match(alice, parent2, child=child, start_date=dt.date(2025, 7, 1))
    assert FosterMatch.objects.filter(child=child).count() == 1


def test_the_double_match_is_refused_on_the_page_too(client, alice, parent, parent2, make_family):
    family = make_family("7324041501950002")
    do_match(alice, parent, family=family, start_date=START)
    client.force_login(alice)
    response = client.post(
        "/genting/usulan/?all=1",
        {
            "target": f"family-{family.pk}",
            "foster_parent": parent2.pk,
            "start_date": "2025-02-01",
            "shared_fields": ["desa"],
        },
    )
    assert response.status_code == 200 and "Sudah memiliki orang tua asuh (CV Uji Peduli)" in response.content.decode()
    assert FosterMatch.objects.filter(family=family).count() == 1


def test_only_the_secretariat_confirms_matches(demo_users, parent, make_family):
    family = make_family("7324041501950003")
    for name in ("desa.balantang", "camat.malili", "dinkes.lutim", "pantau.lutim"):
        with pytest.raises((PermissionDenied, ValidationError)):
            do_match(demo_users[name], parent, family=family, start_date=START)
    with pytest.raises(ValidationError):  # another district's family is outside Luwu's secretariat
        do_match(demo_users["admin.luwu"], parent, family=family, start_date=START)
    assert not FosterMatch.objects.filter(family=family).exists()


def test_a_new_match_shares_only_the_desa_and_the_help_by_default(alice, parent, make_family):
    match = do_match(alice, parent, family=make_family("7324041501950004"), start_date=START)
    assert match.shared_fields == list(DEFAULT_SHARED) and "nik" not in match.shared_fields


def test_priority_puts_severity_then_risks_then_no_help_first(alice, parent, make_family, make_child):
    assert (severity(-3.4), severity(-2.5), severity(-1.0), severity(None)) == (2, 1, 0, 0)
    assert score(2, 0, False) == 8 and score(0, 3, True) == 3
    many = make_family("7324041501950005", risks=5, desa="73.24.04.2010", name="Lima Risiko")
    few = make_family("7324041501950006", risks=1, name="Satu Risiko")
    severe = make_child("Sangat Pendek", [(0, -1.5), (6, -3.3)])
    moderate = make_child("Pendek Saja", [(0, -2.4)])
    well = make_child("Tumbuh Baik", [(0, -3.1), (6, -1.2)])  # was stunted, the latest is not
    ranked = [
        c
        for c in suggestions(alice, desa_code="73.24.04.2010", limit=1000)
        if c.obj in (many, few, severe, moderate, well)
    ]
    assert [c.obj for c in ranked] == [severe, many, moderate, few]
    assert [c.score for c in ranked] == [8, 7, 5, 3]

    do_match(alice, parent, child=severe, start_date=START)
    after = [c.obj for c in suggestions(alice, desa_code="73.24.04.2010", limit=1000)]
    assert severe not in after and many in after
    helped = next(
        c for c in suggestions(alice, desa_code="73.24.04.2010", include_helped=True, limit=1000) if c.obj == severe
    )
    assert helped.helped and helped.score == 6


def test_social_assistance_through_the_tpk_counts_as_other_help(alice, make_family):
    import datetime as dt

    from tumbuh.krs.actions import do_log_visit
    from tumbuh.krs.models import Tpk

    assisted = make_family("7324041501950008", risks=2, name="Sudah Dibantu")
    assisted.tpk = Tpk.objects.create(
        desa_id="73.24.04.2010", name="TPK Bantu", midwife="a", pkk_cadre="b", kb_cadre="c"
    )
    before = next(c for c in suggestions(alice, desa_code="73.24.04.2010", limit=1000) if c.obj == assisted)
    do_log_visit(alice, assisted, date=dt.date(2026, 1, 5), activity="bantuan", today=dt.date(2026, 1, 5))
    after = next(c for c in suggestions(alice, desa_code="73.24.04.2010", limit=1000) if c.obj == assisted)
    assert (before.score, after.score, after.other_help, after.helped) == (4, 2, True, False)


def test_suggestions_stay_inside_the_users_area(demo_users, make_family):
    make_family("7324041501950007", name="Keluarga Balantang")
    assert any(
        getattr(c.obj, "head_name", "") == "Keluarga Balantang"
        for c in suggestions(demo_users["admin.lutim"], limit=10000)
    )
    assert not suggestions(demo_users["admin.luwu"], limit=10000) or all(
        c.desa.kabupaten_code == "73.17" for c in suggestions(demo_users["admin.luwu"], limit=10000)
    )


def test_a_flagged_implausible_length_is_not_ranked_as_stunting(alice, make_child):
    flagged = make_child("Anak Ukur Salah", [(0, -1.0)])
    Measurement.objects.create(
        child=flagged,
        date=dt.date(2024, 6, 10),
        desa_id=flagged.desa_id,
        zlen=-7.5,
        flen=True,
        weight=9,
        lenhei=55,
        status_tbu="implausible",
    )
    stunted = make_child("Anak Pendek", [(0, -2.5)])
    listed = [c.obj for c in suggestions(alice, desa_code="73.24.04.2010", limit=1000)]
    assert stunted in listed and flagged not in listed


def test_the_suggestions_page_reads_the_foster_parents_once(client, alice, parent, parent2, make_family):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(30):
        make_family(f"73240452038{i:05d}")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/genting/usulan/")
    assert response.status_code == 200 and response.content.decode().count('name="foster_parent"') >= 30
    reads = [q for q in ctx.captured_queries if 'FROM "genting_fosterparent"' in q["sql"]]
    assert len(reads) <= 2  # not once per candidate (68 before)


def test_the_older_link_to_all_suggestions_still_works(client, alice, parent, make_family):
    family = make_family("7324041501950009", name="Sudah Diasuh")
    do_match(alice, parent, family=family, start_date=START)
    client.force_login(alice)
    assert "Sudah Diasuh" not in client.get("/genting/usulan/").content.decode()
    for query in ("all=1", "semua=1"):  # semua: the link before the names were English
        assert "Sudah Diasuh" in client.get(f"/genting/usulan/?{query}").content.decode(), query
