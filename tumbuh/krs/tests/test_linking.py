"""Children linked to KRS families: suggestions with their reasons, confirmed and removed links
(audited, with a reason), one family per child and year, and who may link what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.krs.actions import do_link_child, do_unlink_child
from tumbuh.krs.linking import address_similarity, similarity, suggest_children, suggest_families
from tumbuh.krs.models import Family, FamilyChild, LinkMethod

from .conftest import BALANTANG, YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(make_family, make_child):
    """The Aminah family of RT 003 / RW 002, its child, and three children it is not."""
    family = make_family("7324045203850001", "Sitti Aminah", rt="003", rw="002", address="Dusun Mawar")
    return {
        "family": family,
        "right": make_child("Nur Fadilah", parent="Aminah", rt="3", rw="2", address="Dsn. Mawar"),
        "neighbour": make_child("Ahmad Fauzan", parent="Hasnawati", rt="003", rw="002", address="Dusun Melati"),
        "namesake": make_child("Rizky Ramadhan", parent="Aminah", rt="009", rw="005", address="Dusun Anggrek"),
        "too_old": make_child(
            "Andi Besse", parent="Sitti Aminah", rt="003", rw="002", address="Dusun Mawar", birth=dt.date(2019, 6, 1)
        ),
    }


def test_similarity_of_names_and_addresses():
    assert similarity("Aminah", "Sitti Aminah") >= 0.9
    assert similarity("SITTI  AMINAH", "Sitti Aminah") == 1.0
    assert similarity("Aminah binti Lahuddin", "Lahuddin Aminah binti") >= 0.9  # word order does not matter
    assert similarity("Hasnawati", "Sitti Aminah") < 0.6
    assert similarity("", "Sitti Aminah") == 0.0
    assert address_similarity("Dsn. Mawar", "Dusun Mawar") == 1.0
    assert address_similarity("Dusun Melati", "Dusun Mawar") < 0.6  # "Dusun" alone makes no match
    assert address_similarity("Dusun II", "Dusun III") == 0.0 and address_similarity("Lingkungan II", "Dusun II") == 1.0


def test_suggestions_rank_the_right_child_first_and_say_why(bob, household):
    with translation.override("en"):
        found = suggest_children(bob, household["family"])
    children = [s.obj for s in found]
    assert children[0] == household["right"]
    best = found[0]
    texts = [r.text for r in best.reasons]
    assert texts == [
        "same RT 3 / RW 2",
        "parent's name Aminah is 90 % like the family head's",
        "address Dsn. Mawar is 100 % like the family's",
    ]
    assert best.score == 3 + 4 + 2
    # The neighbour (same RT/RW only) and the namesake (name only) follow, each with its one reason.
    neighbour = next(s for s in found if s.obj == household["neighbour"])
    namesake = next(s for s in found if s.obj == household["namesake"])
    assert [r.points for r in neighbour.reasons] == [3] and namesake.reasons[0].points == 4
    assert best.score > namesake.score and best.score > neighbour.score
    assert household["too_old"] not in children  # not under five in the list's year


def test_a_child_linked_last_year_to_the_same_head_comes_first(alice, make_family, make_child):
    last_year = make_family("7324041010800002", "Baso Tang", year=YEAR - 1)
    this_year = make_family("7324041010800002", "Baso Tang", rt="001", rw="001")
    known = make_child("Muhammad Arsyad")
    decoy = make_child("Aqil", rt="001", rw="001")
    do_link_child(alice, last_year, known, reason="ibu membenarkan")
    with translation.override("en"):
        found = suggest_children(alice, this_year)
        back = suggest_families(alice, known, YEAR)
    assert found[0].obj == known and decoy in [s.obj for s in found]
    assert found[0].reasons[0].text == f"linked to this family head in the {YEAR - 1} list" and found[0].score == 5
    assert back[0].obj == this_year and back[0].score == 5


def test_the_reverse_suggestions_from_a_child(bob, household, make_family):
    other = make_family("7324045203850009", "Hasnawati", rt="007", rw="004", under_five=False)
    with translation.override("en"):
        found = suggest_families(bob, household["right"], YEAR)
    assert found[0].obj == household["family"]
    assert other not in [s.obj for s in found]  # nothing in common, and no child under five listed
    assert suggest_families(bob, household["too_old"], YEAR) == []


def test_a_list_that_does_not_say_whether_there_is_a_child_under_five_takes_nothing_off(bob, household, make_family):
    """−1 only when the list says no child under five; unknown (None) is not no."""
    neighbour = household["neighbour"]
    said_no = make_family("7324045203850011", "Hasnawati", rt="003", rw="002", under_five=False)
    unknown = make_family("7324045203850012", "Hasnawati", rt="003", rw="002", under_five=None)
    with translation.override("en"):
        found = {s.obj: s for s in suggest_families(bob, neighbour, YEAR)}
    assert found[said_no].score == found[unknown].score - 1
    assert "the family lists no child under five" in found[said_no].explanation()
    assert "under five" not in found[unknown].explanation()
    # The Verval list says it with its two age groups.
    unknown.ada_baduta, unknown.ada_anak_24_59 = False, False
    assert unknown.has_under_five is False
    unknown.ada_anak_24_59 = True
    assert unknown.has_under_five is True


def test_link_and_unlink_are_audited_with_their_reason(bob, household):
    family, child = household["family"], household["right"]
    with pytest.raises(ValidationError) as no_reason:
        do_link_child(bob, family, child, reason="  ")
    assert list(no_reason.value.error_dict) == ["reason"]
    link = do_link_child(bob, family, child, reason="dikenal midwife desa")
    assert (link.year, link.method, link.linked_by) == (YEAR, LinkMethod.SUGGESTION, bob)
    created = AuditLog.objects.get(object_type="krs.familychild", object_id=str(link.pk), action="create")
    assert created.actor == bob and created.reason == "dikenal midwife desa" and created.wilayah_code == BALANTANG
    assert "nik" not in created.after and family.nik not in created.object_repr

    with pytest.raises(ValidationError):
        do_unlink_child(bob, link, reason="")
    assert FamilyChild.objects.filter(pk=link.pk).exists()
    pk = link.pk
    do_unlink_child(bob, link, reason="anak pindah ke Palopo")
    assert not FamilyChild.objects.filter(pk=pk).exists()
    deleted = AuditLog.objects.get(object_type="krs.familychild", object_id=str(pk), action="delete")
    assert deleted.actor == bob and deleted.reason == "anak pindah ke Palopo" and deleted.before["child"] == child.pk


def test_a_child_belongs_to_one_family_per_list(alice, household, make_family):
    family, child = household["family"], household["right"]
    second = make_family("7324045203850002", "Keluarga Lain")
    do_link_child(alice, family, child, reason="kunjungan rumah")
    with pytest.raises(ValidationError) as twice:
        do_link_child(alice, family, child, reason="lagi")
    with pytest.raises(ValidationError) as other:
        do_link_child(alice, second, child, reason="keliru")
    assert "Sitti Aminah" in " ".join(other.value.messages)
    assert twice.value.messages != other.value.messages
    next_year = make_family("7324045203850001", "Sitti Aminah", year=YEAR + 1)
    do_link_child(alice, next_year, child, reason="daftar tahun berikutnya")
    assert FamilyChild.objects.filter(child=child).count() == 2
    assert child not in [s.obj for s in suggest_children(alice, second, q="Fadilah")]  # in a family of 2026 already


def test_a_child_of_another_desa_is_refused(alice, household, make_child, harapan_code):
    elsewhere = make_child("Anak Harapan", desa=harapan_code, parent="Aminah", rt="3", rw="2")
    with pytest.raises(ValidationError) as e:
        do_link_child(alice, household["family"], elsewhere, reason="salah desa")
    assert list(e.value.error_dict) == ["child"]
    assert elsewhere not in [s.obj for s in suggest_children(alice, household["family"])]


@pytest.mark.parametrize(
    "username, link",
    [
        ("admin.lutim", True),
        ("dinkes.lutim", False),
        ("camat.malili", True),
        ("pkm.malili", False),  # Balantang is served by Puskesmas Lakawali
        ("desa.balantang", True),
        ("pantau.lutim", False),
        ("admin.luwu", False),
    ],
)
def test_who_may_link(demo_users, household, username, link):
    user = demo_users[username]
    candidate = FamilyChild(family=household["family"], child=household["right"], year=YEAR)
    assert policy.can(user, policy.ADD, candidate) is link
    assert policy.can(user, policy.DELETE, candidate) is link
    assert policy.can(user, policy.CHANGE, candidate) is False  # a link is confirmed or removed, never edited
    if not link:
        with pytest.raises((PermissionDenied, ValidationError)):
            do_link_child(user, household["family"], household["right"], reason="coba")


def test_the_puskesmas_officer_links_in_the_desa_it_serves(demo_users, make_family, make_child):
    pkm = demo_users["pkm.malili"]
    served = pkm.puskesmas.desa_codes()[0]
    family = make_family("7324041212800003", "Keluarga Layanan", desa=served, rt="1", rw="1")
    child = make_child("Anak Layanan", desa=served, rt="1", rw="1")
    assert [s.obj for s in suggest_children(pkm, family)][:1] == [child]
    assert do_link_child(pkm, family, child, reason="posyandu").linked_by == pkm


def test_a_desa_operator_of_another_desa_gets_404(client, bob, alice, make_family, make_child, harapan_code):
    theirs = make_family("7324041111800004", "Keluarga Harapan", desa=harapan_code)
    their_child = make_child("Anak Harapan", desa=harapan_code)
    link = do_link_child(alice, theirs, their_child, reason="data uji")
    mine = make_family("7324041111800005", "Keluarga Balantang")
    client.force_login(bob)
    assert client.get(f"/krs/{theirs.pk}/").status_code == 404
    assert client.post(f"/krs/{theirs.pk}/anak/", {"child": their_child.pk}).status_code == 404
    assert client.post(f"/krs/{mine.pk}/anak/", {"child": their_child.pk, "note": "x"}).status_code == 404
    assert client.post(f"/krs/tautan/{link.pk}/hapus/", {"reason": "x"}).status_code == 404
    assert client.get(f"/krs/anak/{their_child.tumbuh_id}/").status_code == 404
    assert FamilyChild.objects.filter(pk=link.pk).exists() and not FamilyChild.objects.filter(family=mine).exists()
    with pytest.raises((PermissionDenied, ValidationError)):
        do_link_child(bob, theirs, their_child, reason="bukan desa saya")


def test_confirm_a_suggestion_on_the_family_page(client, bob, household, measure):
    family, child = household["family"], household["right"]
    assert measure(child, dt.date(2026, 2, 10), 80.0).status_tbu == "pendek"
    client.force_login(bob)
    page = client.get(f"/krs/{family.pk}/").content.decode()
    assert f'data-child="{child.pk}"' in page and "Nur Fadilah" in page
    response = client.post(f"/krs/{family.pk}/anak/", {"child": child.pk, "note": "ibu hadir di posyandu"})
    assert response.status_code == 302 and response["Location"] == f"/krs/{family.pk}/"
    link = FamilyChild.objects.get(family=family, child=child)
    assert (
        link.method == LinkMethod.SUGGESTION
        and link.reason.endswith("ibu hadir di posyandu")
        and "RT 3 / RW 2" in link.reason
    )
    page = client.get(f"/krs/{family.pk}/").content.decode()
    linked = page.split('data-testid="linked-children"')[1].split("</table>")[0]
    assert "Nur Fadilah" in linked and "Pendek" in linked
    assert f'data-child="{child.pk}"' not in page.split('data-testid="suggestions"')[1]  # no longer suggested


def test_a_child_found_by_name_needs_a_note(client, bob, household, make_child):
    family = household["family"]
    stranger = make_child("Khanza Aulia", parent="Rosmiati", rt="011", rw="004")
    client.force_login(bob)
    assert f'data-child="{stranger.pk}"' not in client.get(f"/krs/{family.pk}/").content.decode()
    assert f'data-child="{stranger.pk}"' in client.get(f"/krs/{family.pk}/?q=Khanza").content.decode()
    client.post(f"/krs/{family.pk}/anak/", {"child": stranger.pk})
    assert not FamilyChild.objects.filter(child=stranger).exists()
    client.post(f"/krs/{family.pk}/anak/", {"child": stranger.pk, "note": "cucu yang tinggal serumah"})
    link = FamilyChild.objects.get(child=stranger)
    assert link.method == LinkMethod.MANUAL and link.reason == "cucu yang tinggal serumah"


def test_remove_a_link_on_the_child_page(client, bob, household):
    link = do_link_child(bob, household["family"], household["right"], reason="uji")
    client.force_login(bob)
    child_page = f"/krs/anak/{household['right'].tumbuh_id}/"
    assert "Sitti Aminah" in client.get(child_page).content.decode()
    assert client.post(f"/krs/tautan/{link.pk}/hapus/", {"reason": "", "back": "child"})["Location"] == child_page
    assert FamilyChild.objects.filter(pk=link.pk).exists()
    assert client.post(f"/krs/tautan/{link.pk}/hapus/", {"reason": "salah anak", "back": "child"}).status_code == 302
    assert not FamilyChild.objects.filter(pk=link.pk).exists()
    page = client.get(child_page).content.decode()
    assert f'data-family="{household["family"].pk}"' in page  # suggested again


def test_the_viewer_sees_links_but_cannot_link(client, demo_users, household):
    link = do_link_child(demo_users["admin.lutim"], household["family"], household["right"], reason="uji")
    client.force_login(demo_users["pantau.lutim"])
    page = client.get(f"/krs/{household['family'].pk}/").content.decode()
    assert "Nur Fadilah" in page and 'data-testid="suggestions"' not in page and "unlink-form" not in page
    assert (
        client.post(
            f"/krs/{household['family'].pk}/anak/", {"child": household["neighbour"].pk, "note": "x"}
        ).status_code
        == 403
    )
    assert client.post(f"/krs/tautan/{link.pk}/hapus/", {"reason": "x"}).status_code == 403


def test_the_demo_links_children_through_the_action():
    links = FamilyChild.objects.filter(family__year=2025)
    assert links.count() >= 10
    assert AuditLog.objects.filter(object_type="krs.familychild", action="create").count() >= links.count()
    assert all(k.desa_id == c for k, c in ((link.family, link.child.desa_id) for link in links))
    assert Family.objects.filter(child_links__isnull=False, tpk__isnull=True, year=2025).exists()


def test_the_demo_seed_is_idempotent():
    from tumbuh.krs.demo_data import seed

    before = (FamilyChild.objects.count(), AuditLog.objects.count())
    seed(2026)
    assert (FamilyChild.objects.count(), AuditLog.objects.count()) == before
