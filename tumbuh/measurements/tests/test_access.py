"""Access: a desa operator cannot see another village's child, even by guessing its URL or
id, nor its visits; the NIK is shown in full only to the roles allowed to read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.measurements.models import Child, Measurement

from .posyandu_fixtures import NIK_BUDI, NIK_SITI, TODAY, admin_lutim, budi, luwu_child, siti  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_desa_operator_cannot_reach_another_villages_child_by_any_url(client, bob, budi):
    client.force_login(bob)
    for name in ("measurements:child", "measurements:child_summary", "measurements:child_edit", "measurements:visit"):
        url = reverse(name, args=[budi.tumbuh_id])
        assert client.get(url).status_code == 404, name
        assert (
            client.post(
                url, {"date": "2025-03-01", "weight": "11", "lenhei": "87", "position": "h", "confirm": "1"}
            ).status_code
            == 404
        )
    # the integer id is not a URL at all, and guessing ids of other children finds nothing
    assert client.get(f"/anak/{budi.pk}/").status_code == 404
    assert (
        client.get(reverse("measurements:visit", args=[budi.tumbuh_id]), {"tanggal": "2025-02-11"}).status_code == 404
    )
    assert budi.measurements.count() == 1


def test_nor_in_lists_searches_or_querysets(client, bob, siti, budi):
    client.force_login(bob)
    for url, params in [
        (reverse("measurements:child_list"), {"q": "Budi"}),
        (reverse("measurements:child_list"), {"q": NIK_BUDI}),
        (reverse("measurements:visit_search"), {"q": "Budi"}),
        (reverse("measurements:visit_search"), {"q": "Hasanah"}),
        (reverse("measurements:visit_start"), {"q": "Budi"}),
    ]:
        html = client.get(url, params).content.decode()
        assert "Budi Uji Harapan" not in html and budi.tumbuh_id not in html, url
    assert not policy.visible(bob, Child.objects.filter(pk=budi.pk)).exists()
    assert not policy.visible(bob, Measurement.objects.filter(child=budi)).exists()
    assert policy.visible(bob, Measurement.objects.filter(child=siti)).count() == 3


def test_another_district_is_invisible(client, alice, luwu_child):
    client.force_login(alice)
    assert client.get(reverse("measurements:child", args=[luwu_child.tumbuh_id])).status_code == 404


def _nik_shown(client, user, child):
    client.force_login(user)
    html = client.get(reverse("measurements:child", args=[child.tumbuh_id])).content.decode()
    listing = client.get(reverse("measurements:child_list"), {"q": "Siti Uji"}).content.decode()
    return html, listing


@pytest.mark.parametrize("username", ["dinkes.lutim", "camat.malili", "pantau.lutim"])
def test_nik_is_masked_for_readers(client, demo_users, siti, username):
    html, listing = _nik_shown(client, demo_users[username], siti)
    for page in (html, listing):
        assert NIK_SITI not in page
        assert "7324••••••••0012" in page


@pytest.mark.parametrize("username", ["admin.lutim", "desa.balantang"])
def test_nik_is_full_for_those_who_register_children(client, demo_users, siti, username):
    html, listing = _nik_shown(client, demo_users[username], siti)
    assert NIK_SITI in html and NIK_SITI in listing


def test_nik_is_masked_in_the_audit_history_for_readers(client, demo_users, siti):
    client.force_login(demo_users["admin.lutim"])
    siti.nik = ""
    from tumbuh.measurements.actions import do_register_child

    do_register_child(demo_users["admin.lutim"], siti, reason="NIK salah", today=TODAY)  # an update: NIK before → after
    client.force_login(demo_users["pantau.lutim"])
    html = client.get(reverse("measurements:child", args=[siti.tumbuh_id])).content.decode()
    assert NIK_SITI not in html and "7324••••••••0012" in html


def test_can_see_nik_follows_role_and_scope(demo_users, siti, budi):
    assert policy.can_see_nik(demo_users["pkm.malili"], budi)
    assert not policy.can_see_nik(demo_users["pkm.malili"], siti)  # Balantang is Lakawali's
    assert not policy.can_see_nik(demo_users["desa.balantang"], budi)
    assert not policy.can_see_nik(demo_users["admin.luwu"], siti)
