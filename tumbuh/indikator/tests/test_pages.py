"""The catalogue, the coverage page (entry by the responsible OPD) and the computed indicator."""

import pytest

from tumbuh.indikator.computations import growth_monitored
from tumbuh.indikator.models import Coverage, CoverageSource, Indicator, IndicatorSetting
from tumbuh.measurements.models import Measurement

pytestmark = pytest.mark.django_db

YEAR = 2035


@pytest.mark.parametrize(
    "username, status",
    [
        ("admin.lutim", 200),
        ("dinkes.lutim", 200),
        ("camat.malili", 200),
        ("pkm.malili", 200),
        ("desa.balantang", 200),
        ("pantau.lutim", 200),
        ("admin.luwu", 200),
    ],
)
def test_every_role_reads_the_catalogue(client, demo_users, username, status):
    client.force_login(demo_users[username])
    response = client.get("/indikator/")
    assert response.status_code == status and "bumil-ttd-90" in response.content.decode()


def test_the_desa_operator_sees_only_its_desa(client, bob):
    client.force_login(bob)
    html = client.get("/indikator/cakupan/?indicator=bumil-ttd-90&year=2025").content.decode()
    assert 'data-desa="73.24.04.2010"' in html and 'data-desa="73.24.04.2001"' not in html
    assert 'name="num-' not in html  # reads, does not enter


def test_opd_enters_its_own_indicator_on_the_page(client, demo_users):
    client.force_login(demo_users["dinkes.lutim"])
    url = f"/indikator/cakupan/?indicator=bumil-ttd-90&year={YEAR}"
    assert 'name="num-73.24.04.2010"' in client.get(url).content.decode()
    r = client.post(
        url,
        {
            "indicator": "bumil-ttd-90",
            "year": YEAR,
            "num-73.24.04.2010": "8",
            "den-73.24.04.2010": "10",
            "val-73.24.04.2001": "55,5",
            "note-73.24.04.2001": "perkiraan",
        },
    )
    assert r.status_code == 302
    assert Coverage.objects.get(desa_id="73.24.04.2010", year=YEAR).value == 80
    assert Coverage.objects.get(desa_id="73.24.04.2001", year=YEAR).value == 55.5
    other = client.get(f"/indikator/cakupan/?indicator=air-minum-layak&year={YEAR}").content.decode()
    assert 'name="num-73.24.04.2010"' not in other
    assert (
        client.post(
            f"/indikator/cakupan/?indicator=air-minum-layak&year={YEAR}",
            {"num-73.24.04.2010": "1", "den-73.24.04.2010": "2"},
        ).status_code
        == 403
    )


def test_one_bad_row_saves_nothing(client, alice):
    client.force_login(alice)
    r = client.post(
        f"/indikator/cakupan/?indicator=asi-eksklusif&year={YEAR}",
        {
            "indicator": "asi-eksklusif",
            "year": YEAR,
            "num-73.24.04.2010": "8",
            "den-73.24.04.2010": "10",
            "num-73.24.04.2001": "12",
            "den-73.24.04.2001": "10",
        },
    )
    assert r.status_code == 200 and "cannot exceed" in r.content.decode().replace(
        "tidak boleh melebihi", "cannot exceed"
    )
    assert not Coverage.objects.filter(year=YEAR).exists()


def test_admin_sets_the_responsible_opd_and_district_target(client, alice):
    from tumbuh.organisation.models import Opd

    ind = Indicator.objects.get(code="paud", kabupaten=None)
    disdik = Opd.objects.get(kabupaten_id="73.24", short_name="DISDIK")
    client.force_login(alice)
    client.post(f"/indikator/{ind.pk}/", {"responsible_opd": disdik.pk, "target": "75", "is_active": "on"})
    s = IndicatorSetting.objects.get(kabupaten_id="73.24", indicator=ind)
    assert s.responsible_opd == disdik and s.target == 75


def test_district_indicator_added_by_admin_only(client, alice, demo_users):
    client.force_login(demo_users["dinkes.lutim"])
    assert client.get("/indikator/baru/").status_code == 403
    client.force_login(alice)
    client.post(
        "/indikator/baru/",
        {
            "code": "rumah-layak",
            "name": "Rumah tangga dengan rumah layak huni",
            "short_name": "Rumah layak",
            "kind": "sensitif",
            "unit": "%",
            "national_target": "80",
            "is_active": "on",
        },
    )
    ind = Indicator.objects.get(code="rumah-layak")
    assert ind.kabupaten_id == "73.24" and ind.category == "daerah"
    assert "rumah-layak" in client.get("/indikator/").content.decode()
    client.force_login(demo_users["admin.luwu"])
    assert "rumah-layak" not in client.get("/indikator/").content.decode()


def test_growth_monitored_counts_children_measured_in_the_year():
    desa = "73.24.04.2010"
    measured = set(
        Measurement.objects.filter(
            child__desa_id=desa, date__year=2025, lenhei__isnull=False, age_days__lt=1826
        ).values_list("child_id", flat=True)
    )
    result = growth_monitored([desa], 2025)
    assert result[desa][0] == len(measured) > 0
    assert result[desa][1] >= len(measured)


def test_computed_coverage_in_the_demo_says_so(client, alice):
    c = Coverage.objects.filter(indicator__code="balita-dipantau", year=2025).first()
    assert c.source == CoverageSource.COMPUTED and "penyebut" in c.note
    client.force_login(alice)
    html = client.get("/indikator/cakupan/?indicator=balita-dipantau&year=2025").content.decode()
    assert 'data-testid="computed-note"' in html and f'name="num-{c.desa_id}"' not in html  # Tumbuh's row: read only
    assert 'name="num-73.24.01.2011"' in html  # a desa Tumbuh has no records for: the secretariat may enter it
    r = client.post("/indikator/cakupan/hitung/", {"year": 2025, "indicator": "balita-dipantau"})
    assert r.status_code == 302


def test_a_number_entered_beside_computed_rows_is_saved_and_the_computed_rows_stay(client, alice):
    computed = Coverage.objects.get(indicator__code="balita-dipantau", year=2025, desa_id="73.24.04.2010")
    before = (computed.numerator, computed.denominator, computed.note)
    client.force_login(alice)
    url = "/indikator/cakupan/?indicator=balita-dipantau&year=2025"
    r = client.post(
        url,
        {
            "indicator": "balita-dipantau",
            "year": 2025,
            "num-73.24.01.2011": "30",
            "den-73.24.01.2011": "40",
            "num-73.24.04.2010": "1",
            "den-73.24.04.2010": "2",
        },
    )  # the computed row has no inputs: ignored
    assert r.status_code == 302
    entered = Coverage.objects.get(indicator__code="balita-dipantau", year=2025, desa_id="73.24.01.2011")
    assert (entered.source, entered.value) == (CoverageSource.ENTERED, 75)
    computed.refresh_from_db()
    assert (
        computed.numerator,
        computed.denominator,
        computed.note,
    ) == before and computed.source == CoverageSource.COMPUTED


def test_the_demo_computes_the_service_indicators(client, alice):
    """The demo's visits carry services: vitamin A (national) and Luwu Timur's own KIA, N/D′,
    kelas ibu balita and MBG indicators have computed coverage in the demo year."""
    got = dict(
        Coverage.objects.filter(year=2025, desa_id="73.24.04.2010", source=CoverageSource.COMPUTED).values_list(
            "indicator__code", "denominator"
        )
    )
    assert {"balita-vitamin-a", "balita-buku-kia", "balita-naik-bb", "kelas-ibu-balita", "balita-mbg"} <= set(got)
    assert all(n > 0 for n in got.values())
    client.force_login(alice)
    html = client.get("/analisis/?year=2026").content.decode()
    assert "Balita punya buku KIA" in html and "Vitamin A balita" in html


def test_a_district_attaches_a_computation_to_its_own_indicator(client, alice):
    client.force_login(alice)
    data = {
        "code": "bb-naik",
        "name": "Balita naik berat badan",
        "short_name": "Naik BB",
        "kind": "spesifik",
        "unit": "%",
        "is_active": "on",
    }
    r = client.post("/indikator/baru/", {**data, "computed_from": "vitamin_a"})  # the national indicator has it
    assert r.status_code == 200 and not Indicator.objects.filter(code="bb-naik").exists()
    client.post("/indikator/baru/", {**data, "computed_from": "weight_gain"})
    ind = Indicator.objects.get(code="bb-naik", kabupaten_id="73.24")
    assert ind.computed_from == "weight_gain" and ind.numerator.startswith("Penimbangan bulanan balita berkode N")


def test_only_the_secretariat_recomputes(client, demo_users):
    client.force_login(demo_users["dinkes.lutim"])
    assert client.post("/indikator/cakupan/hitung/", {"year": 2025}).status_code == 403
