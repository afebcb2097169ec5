"""The indicators Tumbuh computes from the services a visit records (vitamin A, KIA book,
weight gain N/D′, kelas ibu balita, MBG): numerator and denominator on hand-made visits, the
not-recorded values left out, the age window's edges, the district rule, and an entered number
kept in a desa where Tumbuh has no records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.indikator import computations as C
from tumbuh.indikator.actions import set_coverage
from tumbuh.indikator.models import Computation, Coverage, CoverageSource, Indicator, IndicatorSetting
from tumbuh.measurements.models import Child, Measurement
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db

YEAR = 2033  # the demo's visits end in 2025: this year holds only the visits made here
BALANTANG, HARAPAN = "73.24.04.2010", "73.24.04.2001"


def _child(birth: dt.date, desa: str = BALANTANG, name: str = "Anak Uji") -> Child:
    return Child.objects.create(name=name, sex=1, birth_date=birth, desa_id=desa)


def _visit(child: Child, date: dt.date, **services) -> Measurement:
    """A weighing with the growth engine's age at the visit, and the services given."""
    return Measurement.objects.create(
        child=child,
        date=date,
        desa_id=child.desa_id,
        weight=Decimal("9.5"),
        age_days=(date - child.birth_date).days,
        **services,
    )


def _born(age_days: int, on: dt.date) -> dt.date:
    return on - dt.timedelta(days=age_days)


def _national(code: str) -> Indicator:
    return Indicator.objects.get(kabupaten=None, code=code)


# ---------------------------------------------------------------- vitamin A


def test_vitamin_a_counts_children_6_to_59_months_with_a_record():
    feb, aug = dt.date(YEAR, 2, 10), dt.date(YEAR, 8, 11)
    _visit(_child(_born(183, aug)), aug, vitamin_a=1)  # 6 months on the day: counts, received
    _visit(_child(_born(182, aug)), aug, vitamin_a=1)  # a day short of 6 months: not in the window at all
    _visit(_child(_born(1825, feb)), feb, vitamin_a=0)  # the last day of 59 months: counts, none received
    _visit(_child(_born(1826, feb)), feb, vitamin_a=1)  # 60 months: no longer a balita
    both = _child(_born(400, feb))
    _visit(both, feb, vitamin_a=1)
    _visit(both, aug, vitamin_a=0)  # one round is enough
    late = _child(_born(300, feb))
    _visit(late, feb, vitamin_a=None)  # not recorded in February …
    _visit(late, aug, vitamin_a=0)  # … recorded in August: counts, none received
    nothing = _child(_born(700, feb))
    _visit(nothing, feb)  # weighed, vitamin A not recorded: left out, counted in the note
    _visit(nothing, aug)
    last_year = _child(_born(900, feb))
    _visit(last_year, dt.date(YEAR - 1, 8, 10), vitamin_a=1)  # another year
    _visit(last_year, feb, vitamin_a=0)
    numerator, denominator, note = C.vitamin_a([BALANTANG, HARAPAN], YEAR)[BALANTANG]
    assert (numerator, denominator) == (2, 5)  # received: 6 months and `both`; recorded too: 59 months, late, last_year
    assert "1 balita 6–59 bulan tanpa catatan vitamin A" in note
    assert HARAPAN not in C.vitamin_a([BALANTANG, HARAPAN], YEAR)  # no visit there: nothing computed


def test_the_catalogue_computes_vitamin_a_and_offers_the_other_services_to_districts():
    assert _national("balita-vitamin-a").computed_from == Computation.VITAMIN_A
    assert C.attachable() == [
        Computation.KIA_BOOK,
        Computation.WEIGHT_GAIN,
        Computation.KELAS_IBU_BALITA,
        Computation.MBG,
    ]
    assert not Indicator.objects.national().filter(computed_from__in=C.attachable()).exists()
    assert not Indicator.objects.national().filter(code="kelas-ibu-balita").exists()  # not the BKB parenting class
    assert _national("bkb-kelas-pengasuhan").computed_from == ""


def test_an_existing_install_gets_vitamin_a_computed_by_load_indicators():
    Indicator.objects.filter(kabupaten=None, code="balita-vitamin-a").update(computed_from="")
    call_command("load_indicators", stdout=open("/dev/null", "w"))
    assert _national("balita-vitamin-a").computed_from == Computation.VITAMIN_A


# ---------------------------------------------------------------- KIA book, kelas ibu balita, MBG


def test_kia_book_takes_the_latest_record_of_the_year():
    mar, sep = dt.date(YEAR, 3, 5), dt.date(YEAR, 9, 5)
    lost = _child(_born(400, mar))
    _visit(lost, mar, kia_book=True)
    _visit(lost, sep, kia_book=False)  # the book is lost: latest says no
    got = _child(_born(100, mar))
    _visit(got, mar, kia_book=False)
    _visit(got, sep, kia_book=True)
    kept = _child(_born(10, mar))
    _visit(kept, mar, kia_book=True)
    _visit(kept, sep)  # not recorded in September: March's record stands
    _visit(_child(_born(1000, mar)), mar)  # never recorded
    _visit(_child(_born(1826, mar)), mar, kia_book=True)  # 60 months: out
    assert C.kia_book([BALANTANG], YEAR)[BALANTANG] == (
        2,
        3,
        "penyebut: balita dengan catatan buku KIA; 1 balita tanpa catatan buku KIA tidak dihitung",
    )


@pytest.mark.parametrize("field, computation", [("kelas_ibu_balita", C.kelas_ibu_balita), ("mbg", C.mbg)])
def test_kelas_ibu_balita_and_mbg_count_one_yes_in_the_year(field, computation):
    apr, oct_ = dt.date(YEAR, 4, 7), dt.date(YEAR, 10, 7)
    once = _child(_born(200, apr))
    _visit(once, apr, **{field: False})
    _visit(once, oct_, **{field: True})
    never = _child(_born(800, apr))
    _visit(never, apr, **{field: False})
    _visit(never, oct_, **{field: False})
    _visit(_child(_born(0, apr)), apr)  # newborn, not recorded
    _visit(_child(_born(1830, apr)), apr, **{field: True})  # over five
    numerator, denominator, note = computation([BALANTANG], YEAR)[BALANTANG]
    assert (numerator, denominator) == (1, 2) and note.endswith(
        "1 balita tanpa catatan " + {"kelas_ibu_balita": "kelas ibu balita", "mbg": "MBG"}[field] + " tidak dihitung"
    )


# ---------------------------------------------------------------- weight gain N/D′


def test_weight_gain_is_n_over_n_plus_t_per_child_and_month():
    a = _child(_born(300, dt.date(YEAR, 1, 1)))
    for day, code in [
        (dt.date(YEAR, 1, 9), "B"),
        (dt.date(YEAR, 2, 9), "N"),
        (dt.date(YEAR, 3, 9), "T"),
        (dt.date(YEAR, 5, 4), "O"),
        (dt.date(YEAR, 6, 2), "T"),
        (dt.date(YEAR, 6, 27), "N"),
    ]:
        _visit(a, day, weight_gain=code)  # June: weighed twice, the month's last code counts (N)
    b = _child(_born(500, dt.date(YEAR, 1, 1)))
    _visit(b, dt.date(YEAR, 2, 9), weight_gain="N")
    _visit(b, dt.date(YEAR, 3, 9))  # no code: not recorded
    _visit(_child(_born(700, dt.date(YEAR, 1, 1))), dt.date(YEAR, 3, 9))  # never coded
    numerator, denominator, note = C.weight_gain([BALANTANG], YEAR)[BALANTANG]
    assert (numerator, denominator) == (3, 4)  # N: a Feb, a Jun, b Feb; T: a Mar
    assert "2 penimbangan O/B tidak dihitung" in note and "1 balita tanpa catatan naik berat badan" in note


def test_a_desa_with_only_o_and_b_codes_has_no_n_over_d():
    c = _child(_born(300, dt.date(YEAR, 1, 1)))
    _visit(c, dt.date(YEAR, 1, 9), weight_gain="B")
    _visit(c, dt.date(YEAR, 4, 9), weight_gain="O")
    assert C.weight_gain([BALANTANG], YEAR) == {}


# ---------------------------------------------------------------- compute: district, entered numbers, audit


def _luwu_desa() -> str:
    return (
        Wilayah.objects.filter(level=Level.DESA, kabupaten_code="73.17")
        .order_by("code")
        .values_list("code", flat=True)[0]
    )


def test_compute_keeps_the_entered_number_where_tumbuh_has_no_records(alice):
    vit = _national("balita-vitamin-a")
    set_coverage(alice, vit, HARAPAN, YEAR, numerator=30, denominator=40, reason="laporan puskesmas")
    set_coverage(alice, vit, BALANTANG, YEAR, numerator=1, denominator=40, reason="laporan puskesmas")
    child = _child(_born(400, dt.date(YEAR, 2, 10)))
    _visit(child, dt.date(YEAR, 2, 10), vitamin_a=1)
    _visit(_child(_born(500, dt.date(YEAR, 2, 10)), desa=HARAPAN), dt.date(YEAR, 2, 10))  # a visit, no vitamin A record
    C.compute("73.24", YEAR, [BALANTANG, HARAPAN], actor=policy.SYSTEM)
    entered = Coverage.objects.get(indicator=vit, desa_id=HARAPAN, year=YEAR)
    assert (entered.source, entered.value) == (CoverageSource.ENTERED, Decimal("75.00"))  # untouched
    computed = Coverage.objects.get(indicator=vit, desa_id=BALANTANG, year=YEAR)
    assert (computed.source, computed.numerator, computed.denominator) == (CoverageSource.COMPUTED, 1, 1)  # replaced
    log = AuditLog.objects.filter(object_type="indikator.coverage", object_id=str(computed.pk)).latest("at")
    assert log.actor is None and log.reason == C.REASON and log.after["source"] == "computed"
    assert not AuditLog.objects.filter(
        object_type="indikator.coverage", object_id=str(entered.pk), reason=C.REASON
    ).exists()


def test_a_computed_number_whose_records_are_gone_is_removed_and_the_desa_can_be_entered(client, alice):
    """A child registered in the wrong desa is moved: the desa it left has no records any more,
    so Tumbuh's old number there goes (audited) instead of staying, stale and locked to hand entry."""
    vit = _national("balita-vitamin-a")
    set_coverage(alice, vit, "73.24.04.2006", YEAR, numerator=3, denominator=4, reason="laporan puskesmas")  # untouched
    child = _child(_born(400, dt.date(YEAR, 2, 10)))
    _visit(child, dt.date(YEAR, 2, 10), vitamin_a=1)
    C.compute("73.24", YEAR, [BALANTANG, HARAPAN, "73.24.04.2006"], actor=policy.SYSTEM)
    stale = Coverage.objects.get(indicator=vit, desa_id=BALANTANG, year=YEAR)
    assert stale.source == CoverageSource.COMPUTED
    Child.objects.filter(pk=child.pk).update(desa_id=HARAPAN)  # registered in the wrong desa: corrected
    C.compute("73.24", YEAR, [BALANTANG, HARAPAN, "73.24.04.2006"], actor=policy.SYSTEM)
    assert not Coverage.objects.filter(indicator=vit, desa_id=BALANTANG, year=YEAR).exists()
    assert AuditLog.objects.filter(
        object_type="indikator.coverage", object_id=str(stale.pk), action="delete", actor=None
    ).exists()
    moved = Coverage.objects.get(indicator=vit, desa_id=HARAPAN, year=YEAR)
    assert (moved.source, moved.numerator, moved.denominator) == (CoverageSource.COMPUTED, 1, 1)
    assert Coverage.objects.get(indicator=vit, desa_id="73.24.04.2006", year=YEAR).source == CoverageSource.ENTERED
    client.force_login(alice)
    html = client.get(f"/indikator/cakupan/?indicator=balita-vitamin-a&year={YEAR}").content.decode()
    assert f'name="num-{BALANTANG}"' in html  # the secretariat may enter the desa again


def test_growth_monitored_leaves_a_desa_without_visits_alone(alice):
    ind = _national("balita-dipantau")
    _child(dt.date(YEAR - 1, 5, 1), desa=HARAPAN)  # registered, never visited this year
    set_coverage(policy.SYSTEM, ind, HARAPAN, YEAR, value=Decimal("64"), source=CoverageSource.IMPORTED)
    weighed = _child(dt.date(YEAR - 1, 5, 1))
    _visit(weighed, dt.date(YEAR, 3, 3))  # weighed, not measured: a record, "not measured"
    result = C.growth_monitored([BALANTANG, HARAPAN], YEAR)
    assert HARAPAN not in result and result[BALANTANG][0] == 0
    C.compute("73.24", YEAR, [BALANTANG, HARAPAN], actor=policy.SYSTEM)
    assert Coverage.objects.get(indicator=ind, desa_id=HARAPAN, year=YEAR).value == Decimal("64.00")


def test_only_the_indicators_the_district_has_are_computed(charlie):
    desa = _luwu_desa()
    child = _child(_born(400, dt.date(YEAR, 2, 10)), desa=desa)
    _visit(child, dt.date(YEAR, 2, 10), vitamin_a=1, kia_book=True, mbg=True, kelas_ibu_balita=True, weight_gain="N")
    C.compute("73.17", YEAR, [desa], actor=policy.SYSTEM)
    codes = set(Coverage.objects.filter(desa_id=desa, year=YEAR).values_list("indicator__computed_from", flat=True))
    assert codes == {Computation.VITAMIN_A, Computation.GROWTH_MONITORED}  # Luwu has no KIA/MBG/… indicator of its own
    assert not Coverage.objects.filter(desa_id=desa, year=YEAR, indicator__kabupaten_id="73.24").exists()
    own = Indicator.objects.create(
        kabupaten_id="73.17",
        code="kia-luwu",
        name="Balita dengan buku KIA",
        short_name="Buku KIA",
        kind="spesifik",
        computed_from=Computation.KIA_BOOK,
    )
    IndicatorSetting.objects.create(kabupaten_id="73.17", indicator=_national("balita-vitamin-a"), is_active=False)
    Coverage.objects.filter(desa_id=desa, year=YEAR).delete()
    C.compute("73.17", YEAR, [desa], actor=policy.SYSTEM)
    codes = set(Coverage.objects.filter(desa_id=desa, year=YEAR).values_list("indicator__code", flat=True))
    assert codes == {"kia-luwu", "balita-dipantau"}  # vitamin A is switched off in Luwu's settings
    assert Coverage.objects.get(indicator=own, desa_id=desa, year=YEAR).value == 100


def test_the_command_computes_every_service_indicator_of_the_district():
    day = dt.date(YEAR, 8, 11)
    a, b = _child(_born(400, day), name="Satu"), _child(_born(900, day), name="Dua")
    _visit(a, day - dt.timedelta(days=31), weight_gain="B")
    _visit(a, day, vitamin_a=1, kia_book=True, kelas_ibu_balita=True, mbg=False, weight_gain="N")
    _visit(b, day, vitamin_a=0, kia_book=False, kelas_ibu_balita=False, mbg=True, weight_gain="O")
    _visit(b, day + dt.timedelta(days=30), weight_gain="T")
    call_command("compute_coverage", kabupaten="73.24", year=YEAR, verbosity=0, stdout=open("/dev/null", "w"))
    got = {
        c.indicator.computed_from: (c.numerator, c.denominator)
        for c in Coverage.objects.filter(desa_id=BALANTANG, year=YEAR).select_related("indicator")
    }
    # The demo gives Luwu Timur its own KIA, N/D′, kelas ibu balita and MBG indicators.
    assert got == {
        Computation.GROWTH_MONITORED: (0, 2),
        Computation.VITAMIN_A: (1, 2),
        Computation.KIA_BOOK: (1, 2),
        Computation.WEIGHT_GAIN: (1, 2),
        Computation.KELAS_IBU_BALITA: (1, 2),
        Computation.MBG: (1, 2),
    }
    audited = AuditLog.objects.filter(object_type="indikator.coverage", reason=C.REASON)
    assert audited.filter(wilayah_code=BALANTANG).count() >= 6
    before = audited.count()
    call_command("compute_coverage", kabupaten="73.24", year=YEAR, verbosity=0, stdout=open("/dev/null", "w"))
    assert audited.count() == before  # nothing changed: nothing written again


# ---------------------------------------------------------------- exclusive breastfeeding


def test_asi_exclusive_reads_the_months_up_to_the_infants_age_on_its_latest_record():
    on = dt.date(YEAR, 3, 15)
    _visit(_child(_born(100, on)), on, asi_months="YYYY---")  # 3 months old, Y for months 0–3: exclusive
    _visit(_child(_born(100, on)), on, asi_months="YYTY---")  # a T in month 2: not exclusive
    _visit(_child(_born(100, on)), on, asi_months="YYY----")  # month 3 not recorded: no record
    _visit(_child(_born(100, on)), on)  # nothing recorded: left out, counted in the note
    _visit(_child(_born(183, on)), on, asi_months="YYYYYYY")  # 6 months on the day: not an infant under 6 months
    changed = _child(_born(40, on))
    _visit(changed, on, asi_months="YY-----")
    _visit(changed, on + dt.timedelta(days=60), asi_months="YYTT---")  # the latest record wins: formula started
    numerator, denominator, note = C.asi_exclusive([BALANTANG], YEAR)[BALANTANG]
    assert (numerator, denominator) == (1, 3)
    assert "2 bayi < 6 bulan tanpa catatan ASI eksklusif" in note
    assert _national("asi-eksklusif").computed_from == Computation.ASI_EXCLUSIVE


# ---------------------------------------------------------------- KRS accompanied


def _keluarga(nik: str, desa: str = BALANTANG, pendampingan: str | None = None, year: int = YEAR):
    from tumbuh.krs.models import Family

    return Family.objects.create(
        year=year, desa_id=desa, nik=nik, head_name=f"Kepala {nik[-3:]}", jenis_pendampingan=pendampingan
    )


def _tpk_visit(keluarga, day: dt.date):
    from tumbuh.krs.models import Tpk, TpkVisit

    tpk, _ = Tpk.objects.get_or_create(
        desa_id=keluarga.desa_id, name="TPK Uji", defaults={"midwife": "B", "pkk_cadre": "P", "kb_cadre": "K"}
    )
    return TpkVisit.objects.create(family=keluarga, tpk=tpk, date=day, activity="penyuluhan")


def test_krs_accompanied_counts_the_kinds_received_and_the_tpk_visits_over_every_krs():
    _keluarga("7324040101900001", pendampingan="1,3")  # the list: referral and KIE
    _keluarga("7324040101900002", pendampingan="lain-lain")  # a kind Tumbuh does not know: received all the same
    _tpk_visit(_keluarga("7324040101900003", pendampingan=""), dt.date(YEAR, 5, 2))  # none on the list, but visited
    _tpk_visit(_keluarga("7324040101900004", pendampingan=""), dt.date(YEAR - 1, 12, 30))  # visited, but last year
    _keluarga("7324040101900005")  # the list did not say: not accompanied, counted in the note
    _keluarga("7324040101900006", pendampingan="2", year=YEAR - 1)  # last year's list
    # Harapan: families, but no accompaniment held (no kind received, no visit): left alone.
    _keluarga("7324040101900007", desa=HARAPAN, pendampingan="")
    _keluarga("7324040101900008", desa=HARAPAN)
    # Baruga: accompaniment known from a TPK visit only (the list had no such column).
    _tpk_visit(_keluarga("7324040101900009", desa="73.24.04.2006"), dt.date(YEAR, 3, 1))
    _keluarga("7324040101900010", desa="73.24.04.2006")
    result = C.krs_accompanied([BALANTANG, HARAPAN, "73.24.04.2006"], YEAR)
    numerator, denominator, note = result[BALANTANG]
    assert (numerator, denominator) == (3, 5)
    assert note.startswith(f"penyebut: seluruh KRS tahun {YEAR}") and "1 KRS tanpa catatan pendampingan" in note
    assert HARAPAN not in result
    assert result["73.24.04.2006"][:2] == (1, 2) and "1 KRS tanpa catatan" in result["73.24.04.2006"][2]


def test_krs_accompanied_keeps_an_entered_number_where_tumbuh_holds_no_accompaniment(alice):
    krs = _national("krs-pendampingan")
    assert krs.computed_from == Computation.KRS_ACCOMPANIED
    set_coverage(alice, krs, HARAPAN, YEAR, numerator=8, denominator=10, reason="laporan DP2KB")
    _keluarga("7324040101900011", desa=HARAPAN, pendampingan="")
    _keluarga("7324040101900012", pendampingan="3")
    C.compute("73.24", YEAR, [BALANTANG, HARAPAN], actor=policy.SYSTEM)
    assert Coverage.objects.get(indicator=krs, desa_id=HARAPAN, year=YEAR).source == CoverageSource.ENTERED
    computed = Coverage.objects.get(indicator=krs, desa_id=BALANTANG, year=YEAR)
    assert (computed.numerator, computed.denominator, computed.source) == (1, 1, CoverageSource.COMPUTED)


@pytest.mark.parametrize(
    "username, own_batch, allowed",
    [
        ("admin.lutim", False, True),  # the secretariat computes its district
        ("admin.luwu", False, False),  # not another district's
        ("dinkes.lutim", False, False),  # an OPD enters its coverage, it does not recompute Tumbuh's
        ("pkm.malili", False, False),
        ("pkm.malili", True, True),  # … but whoever ran an import recomputes what it feeds
    ],
)
def test_who_may_compute_is_asked_where_the_computation_starts(demo_users, username, own_batch, allowed):
    from django.core.exceptions import PermissionDenied

    from tumbuh.imports.models import BatchStatus, ImportBatch

    user = demo_users[username]
    _visit(_child(_born(400, dt.date(YEAR, 2, 10)), desa=HARAPAN), dt.date(YEAR, 2, 10), vitamin_a=1)
    batch = (
        ImportBatch.objects.create(
            kind="eppgbm",
            kabupaten_id="73.24",
            created_by=user,
            status=BatchStatus.DONE,
            file_name="x.csv",
            findings={"years": [YEAR]},
        )
        if own_batch
        else None
    )
    vit = _national("balita-vitamin-a")
    if not allowed:
        with pytest.raises(PermissionDenied):
            C.compute("73.24", YEAR, [HARAPAN], actor=user, batch=batch)
        assert not Coverage.objects.filter(indicator=vit, desa_id=HARAPAN, year=YEAR).exists()
        return
    C.compute("73.24", YEAR, [HARAPAN], actor=user, batch=batch)
    computed = Coverage.objects.get(indicator=vit, desa_id=HARAPAN, year=YEAR)
    assert computed.source == CoverageSource.COMPUTED
    log = AuditLog.objects.filter(object_type="indikator.coverage", object_id=str(computed.pk)).latest("at")
    assert log.actor == user and log.reason == C.REASON
