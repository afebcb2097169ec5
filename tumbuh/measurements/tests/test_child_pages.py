"""The child list's keyset pages (issue 18): next, previous and first page by cursor, the same
children whatever is registered between two page loads, a cursor outside the user's area, the
count beyond its limit, the search token carried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.core import keyset
from tumbuh.measurements.models import Child
from tumbuh.organisation.models import Posyandu

from .posyandu_fixtures import BALANTANG, admin_lutim, register, siti  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "measurements:child_list"
UJI = {"q": "Uji"}  # the test's children, not the demo's


def _many(n: int) -> None:
    """``n`` children in Balantang, two of them born the same day under the same name (the id
    breaks the tie)."""
    posyandu = Posyandu.objects.filter(desa_id=BALANTANG).first()
    Child.objects.bulk_create(
        Child(
            name=f"Anak Uji {i // 2 if i < 4 else i:03d}",
            sex=1 + i % 2,
            birth_date=dt.date(2023, 1, 1) + dt.timedelta(days=0 if i < 4 else i),
            desa_id=BALANTANG,
            posyandu=posyandu,
        )
        for i in range(n)
    )


def _walk(client, first) -> list[int]:
    """The ids of every page from ``first`` on, following the next links."""
    ids, page = [], first
    while True:
        ids += [c.pk for c in page]
        if not page.has_next:
            return ids
        page = client.get(reverse(URL), {**UJI, "after": page.next_cursor}).context["page"]


def test_next_and_previous_pages_walk_the_list_in_order(client, bob, siti):
    _many(120)
    client.force_login(bob)
    first = client.get(reverse(URL), UJI).context["page"]
    assert first.is_first and not first.has_previous and first.has_next and len(first) == 50
    ids = _walk(client, first)
    expected = list(Child.objects.filter(desa_id=BALANTANG, name__icontains="Uji").order_by("name", "birth_date", "pk"))
    assert ids == [c.pk for c in expected] and len(ids) == 121
    second = client.get(reverse(URL), {**UJI, "after": first.next_cursor}).context["page"]
    third = client.get(reverse(URL), {**UJI, "after": second.next_cursor}).context["page"]
    back = client.get(reverse(URL), {**UJI, "before": third.previous_cursor}).context["page"]
    assert [c.pk for c in back] == [c.pk for c in second] and back.has_next and back.has_previous
    # back from the second page: the first page, whole, with no previous link
    start = client.get(reverse(URL), {**UJI, "before": second.previous_cursor}).context["page"]
    assert [c.pk for c in start] == [c.pk for c in first] and start.is_first and not start.has_previous
    html = client.get(reverse(URL), {**UJI, "after": first.next_cursor}).content.decode()
    assert f"before={second.previous_cursor}" in html and f"after={second.next_cursor}" in html
    assert 'data-testid="first-page"' in html and "?q=Uji" in html


def test_a_child_registered_between_two_page_loads_shifts_no_page(client, bob, admin_lutim, siti):  # noqa: F811
    """With OFFSET, a child sorted onto page 1 after it was read pushes page 1's last child onto
    page 2: shown twice. The keyset page starts after the last child shown."""
    _many(120)
    client.force_login(bob)
    first = client.get(reverse(URL), UJI).context["page"]
    before = [c.pk for c in Child.objects.filter(desa_id=BALANTANG, name__icontains="Uji")]
    early = register(admin_lutim, BALANTANG, "Anak Uji 000 Baru", birth=dt.date(2022, 12, 1))  # sorts onto page 1
    late = register(admin_lutim, BALANTANG, "Anak Uji 999 Baru", birth=dt.date(2023, 6, 1))  # sorts onto page 3
    rest = _walk(client, client.get(reverse(URL), {**UJI, "after": first.next_cursor}).context["page"])
    seen = [c.pk for c in first] + rest
    assert len(seen) == len(set(seen)), "a child shown twice"
    assert set(seen) == set(before) | {late.pk} and early.pk not in seen
    assert seen.count(late.pk) == 1


def test_a_cursor_outside_the_users_area_or_unknown_gives_the_first_page(client, bob, siti):
    _many(60)
    client.force_login(bob)
    first = [c.pk for c in client.get(reverse(URL), UJI).context["page"]]
    elsewhere = Child.objects.exclude(desa_id=BALANTANG).order_by("pk").first()
    assert elsewhere is not None
    for cursor in (elsewhere.pk, 10**9, "x", "-1"):
        for name in ("after", "before"):
            page = client.get(reverse(URL), {**UJI, name: cursor}).context["page"]
            assert page.is_first and [c.pk for c in page] == first


def test_the_count_is_exact_up_to_its_limit(client, bob, siti, monkeypatch):
    _many(30)
    client.force_login(bob)
    html = client.get(reverse(URL), UJI).content.decode()
    assert "31 anak" in html
    monkeypatch.setattr(keyset, "COUNT_LIMIT", 20)
    response = client.get(reverse(URL), UJI)
    assert (response.context["page"].count, response.context["page"].count_is_exact) == (20, False)
    assert "Lebih dari 20 anak" in response.content.decode()


def test_a_posted_search_pages_by_its_token(client, bob, siti):
    _many(60)
    client.force_login(bob)
    location = client.post(reverse(URL), UJI)["Location"]
    token = location.split("cari=")[1]
    first = client.get(location).context["page"]
    html = client.get(location).content.decode()
    assert f"?cari={token}&amp;after={first.next_cursor}" in html and "q=" not in html.split('data-testid="pages"')[1]
    second = client.get(reverse(URL), {"cari": token, "after": first.next_cursor})
    assert second.context["q"] == "Uji" and len(second.context["page"]) == 11
