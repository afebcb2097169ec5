"""The village layer's forms, posted as a person would."""

import pytest

from tumbuh.konvergensi_desa.models import DesaMentor, DesaPolicy, MentorVisit, ScorecardTarget
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db
BALANTANG = "73.24.04.2010"


def test_the_desa_operator_records_and_corrects_a_scorecard_person(client, bob):
    client.force_login(bob)
    url = f"/desa/kartu-skor/{BALANTANG}/2026/2/ibu_hamil/baru/"
    items = ["anc4", "ttd90", "nifas3", "kelas_ibu4", "kunjungan_kek", "air", "jamban", "jkn"]
    data = {"name": "Ibu Rahmawati", **{f"item_{c}": "Y" for c in items}}
    data["item_kunjungan_kek"] = "TS"
    assert client.post(url, data).status_code == 302
    person = ScorecardTarget.objects.get(desa_id=BALANTANG, year=2026, quarter=2, name="Ibu Rahmawati")
    assert person.counts() == (7, 7)
    data["item_jkn"] = "T"
    assert client.post(f"/desa/kartu-skor/{BALANTANG}/2026/2/ibu_hamil/{person.pk}/", data).status_code == 302
    person.refresh_from_db()
    assert person.counts() == (6, 7)
    incomplete = dict(data, item_air="")
    response = client.post(url, dict(incomplete, name="Ibu Lain"))
    assert response.status_code == 200 and not ScorecardTarget.objects.filter(name="Ibu Lain").exists()


def test_the_desa_operator_records_the_village_policy_and_the_admin_assigns_a_mentor(client, bob, alice):
    client.force_login(bob)
    response = client.post(
        "/desa/aksi-4/kebijakan/baru/",
        {
            "desa": BALANTANG,
            "year": "2026",
            "perdes_number": "4 Tahun 2026",
            "perdes_date": "2026-02-10",
            "dana_desa": "35000000",
        },
    )
    assert response.status_code == 302
    assert DesaPolicy.objects.get(desa_id=BALANTANG, year=2026).dana_desa == 35_000_000
    assert client.get("/desa/pembina/baru/").status_code == 403

    client.force_login(alice)
    opd = Opd.objects.get(kabupaten_id="73.24", short_name="DINKES")
    other = Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").last()
    assert client.post("/desa/pembina/baru/", {"opd": opd.pk, "desa": other.code, "year": "2026"}).status_code == 302
    assignment = DesaMentor.objects.get(desa=other, year=2026)
    page = client.get("/desa/pembina/?year=2026").content.decode()
    assert other.name in page  # listed among mentors that have not visited yet
    response = client.post(
        f"/desa/pembina/{assignment.pk}/",
        {"date": "2026-04-01", "activity": "Monitoring posyandu", "support": "Timbangan digital"},
    )
    assert response.status_code == 302
    assert MentorVisit.objects.get(mentor=assignment).support == "Timbangan digital"


def test_the_child_picker_offers_children_of_the_groups_age(client, bob):
    import datetime as dt

    from tumbuh.measurements.models import Child

    baby = Child.objects.create(name="Bayi Pilihan", sex=1, birth_date=dt.date(2025, 8, 1), desa_id=BALANTANG)
    toddler = Child.objects.create(name="Balita Pilihan", sex=2, birth_date=dt.date(2022, 8, 1), desa_id=BALANTANG)
    client.force_login(bob)
    babies = client.get(f"/desa/kartu-skor/{BALANTANG}/2026/1/anak_0_23/baru/").context["form"].fields["child"].queryset
    older = client.get(f"/desa/kartu-skor/{BALANTANG}/2026/1/anak_2_6/baru/").context["form"].fields["child"].queryset
    assert baby in babies and toddler not in babies
    assert toddler in older and baby not in older


def test_years_are_written_as_years_not_as_numbers(client, alice):
    client.force_login(alice)
    for url in (
        "/desa/aksi-5/?tahun=2025&triwulan=3",
        "/desa/pembina/?tahun=2025",
        f"/desa/kartu-skor/{BALANTANG}/2025/3/",
        "/desa/aksi-4/?tahun=2025",
        "/krs/?tahun=2025",
    ):
        page = client.get(url).content.decode()
        assert "2025" in page and "2.025" not in page, url


def test_the_period_is_read_from_year_and_quarter_and_still_from_tahun_and_triwulan(client, alice):
    client.force_login(alice)
    for query in ("year=2023&quarter=2", "tahun=2023&triwulan=2"):
        context = client.get(f"/desa/aksi-5/?{query}").context
        assert (context["year"], context["quarter"]) == ("2023", 2), query
        assert client.get(f"/desa/pembina/?{query}").context["year"] == "2023", query
    page = client.get("/desa/aksi-4/?tahun=2023").content.decode()
    assert 'name="year" value="2023"' in page and 'name="tahun"' not in page  # the form asks with the new name
