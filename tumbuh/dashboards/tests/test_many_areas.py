"""Issue 18: a province holds thousands of desa; the page's bar chart draws the highest ranked
of them (``views.PAGE_MAX_BARS``) and says so, while the table lists every area."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tumbuh.dashboards import views

from .conftest import BALANTANG, HARAPAN, ROUND


def _page(client):
    return client.get(reverse("dashboards:prevalence") + f"?within=73.24.04&level=desa&period={ROUND.key}")


@pytest.mark.django_db
def test_the_bar_chart_draws_at_most_page_max_bars_areas(client, alice, known, monkeypatch):
    client.force_login(alice)
    with translation.override("id"):
        capped = translation.gettext("(the %(n)s highest)") % {"n": 1}
    r = _page(client)
    assert r.status_code == 200
    assert capped not in r.content.decode()  # two desa: both drawn
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(views, "PAGE_MAX_BARS", 1)
    r = _page(client)
    html = r.content.decode()
    assert r.status_code == 200 and capped in html
    assert {row.code for row in r.context["rows"]} >= {BALANTANG, HARAPAN}  # the table keeps both
