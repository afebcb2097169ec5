"""The rendered dashboards are reused (views._cached) until what they show changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.audit.actions import do_save
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.models import SurveyFigure

from .conftest import HARAPAN, ROUND, make_child, measure

URL = reverse("dashboards:prevalence") + f"?within=73.24&level=kecamatan&period={ROUND.key}&indicator=stunting"


def _templates(response):
    return {t.name for t in response.templates}


@pytest.mark.django_db
def test_second_request_reuses_the_rendered_page(client, alice, known):
    client.force_login(alice)
    first = client.get(URL)
    assert "dashboards/_prevalence_body.html" in _templates(first)
    second = client.get(URL)
    assert "dashboards/_prevalence_body.html" not in _templates(second)
    assert second.content.count(b'data-testid="ranked-table"') == 1
    # Another user, another language, another query: not shared.
    client.cookies["django_language"] = "en"
    assert "dashboards/_prevalence_body.html" in _templates(client.get(URL))


@pytest.mark.django_db
def test_an_entered_survey_figure_and_a_refresh_show_at_once(client, alice, known):
    client.force_login(alice)
    assert b'data-testid="survey-comparison"' not in client.get(URL).content
    do_save(alice, SurveyFigure(kabupaten_id="73.24", year=2030, survey="SSGI", indicator="stunting", prevalence="19.5",
                                source="uji"), reason="uji")
    r = client.get(URL)
    assert "dashboards/_prevalence_body.html" in _templates(r)
    assert b"data-testid=\"survey-comparison\"" in r.content

    before = client.get(URL)
    measure(make_child(HARAPAN, "Baru"), dt.date(2030, 8, 28), zlen=-2.5)  # stale: the freshness line says so at once
    r = client.get(URL)
    assert r.context["fresh"].pending == 1
    aggregates.refresh_period(ROUND)
    after = client.get(URL)
    assert "dashboards/_prevalence_body.html" in _templates(after)
    assert after.context["fresh"].pending == 0 and before.content != after.content
