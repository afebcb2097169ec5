"""No copy of a page or export holding children's data stays in a browser's or a proxy's cache
(issue 15): ``Cache-Control: no-store, private`` everywhere but the public pages."""

import pytest
from django.urls import reverse

from tumbuh.accounts import policy
from tumbuh.measurements.models import Child

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives and "public" not in directives


def test_the_child_page_a_dashboard_and_an_excel_export_are_not_stored(client, alice):
    child = policy.visible(alice, Child.objects.all()).first()
    client.force_login(alice)
    pages = [
        reverse("measurements:child", args=[child.tumbuh_id]),
        reverse("measurements:child_list"),
        reverse("dashboards:prevalence_xlsx"),
        "/dasbor/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))
    assert client.get(reverse("dashboards:prevalence_xlsx"))["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )


def test_the_public_page_may_be_cached_but_not_for_a_logged_in_user(client, alice):
    anonymous = client.get(reverse("publik:index"))
    assert anonymous.status_code == 200 and not _no_store(anonymous)
    assert "public" in anonymous["Cache-Control"]
    client.force_login(alice)
    assert _no_store(client.get(reverse("publik:index")))


def test_anonymous_pages_outside_the_public_ones_are_not_stored(client):
    assert _no_store(client.get(reverse("login")))
    assert _no_store(client.get("/anak/tidak-ada/"))  # redirected to log in, still not stored
    assert _no_store(client.get("/tidak-ada-halaman/"))  # a 404


def test_a_stricter_header_set_by_the_view_is_kept(rf):
    from django.http import HttpResponse

    from tumbuh.core.middleware import NoStoreMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0"
        return response

    request = rf.get("/")
    assert NoStoreMiddleware(view)(request)["Cache-Control"] == "no-store, no-cache, must-revalidate, max-age=0"
