"""The rendered dashboards are reused (views._cached) until what they show changes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tumbuh.audit.actions import do_save
from tumbuh.core import cacheurl
from tumbuh.core.tests.test_cache import _python
from tumbuh.dashboards import aggregates, views
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
    do_save(
        alice,
        SurveyFigure(
            kabupaten_id="73.24", year=2030, survey="SSGI", indicator="stunting", prevalence="19.5", source="uji"
        ),
        reason="uji",
    )
    r = client.get(URL)
    assert "dashboards/_prevalence_body.html" in _templates(r)
    assert b'data-testid="survey-comparison"' in r.content

    before = client.get(URL)
    measure(make_child(HARAPAN, "Baru"), dt.date(2030, 8, 28), zlen=-2.5)  # stale: the freshness line says so at once
    r = client.get(URL)
    assert r.context["fresh"].pending == 1
    aggregates.refresh_period(ROUND)
    after = client.get(URL)
    assert "dashboards/_prevalence_body.html" in _templates(after)
    assert after.context["fresh"].pending == 0 and before.content != after.content


@pytest.mark.django_db
def test_after_an_import_a_page_is_rebuilt_only_when_one_of_its_own_periods_is_recomputed(client, alice, known):
    """An e-PPGBM batch marks every period stale and the background refresh then recomputes them
    one by one (45 in the demo): every worker's pages used to be rebuilt at each step. A page
    keeps the periods it read and is rebuilt only when one of those changes."""
    from tumbuh.dashboards.models import AggregateRun
    from tumbuh.dashboards.periods import Period
    from tumbuh.dashboards.signals import mark_stale

    other = Period.parse("M2021-03")  # a month no trend of this round reaches
    aggregates.refresh_period(other)
    client.force_login(alice)
    client.get(URL)
    mark_stale()  # the batch: everything stale
    r = client.get(URL)
    assert "dashboards/_prevalence_body.html" not in _templates(r)  # reused: stale figures are the same figures
    assert r.context["fresh"].stale  # and the page says they are stale, at once
    aggregates.refresh_period(other)  # the refresh reaches a period the page does not show
    assert "dashboards/_prevalence_body.html" not in _templates(client.get(URL))
    aggregates.refresh_period(ROUND)  # then its own
    r = client.get(URL)
    assert "dashboards/_prevalence_body.html" in _templates(r)
    assert not AggregateRun.objects.get(period=ROUND.key).stale and not r.context["fresh"].stale


#: The Redis of the redis:// test (the machine's own, when it runs one); skipped when it doesn't answer.
REDIS_URL = os.environ.get("TUMBUH_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def redis_cache():
    """``TUMBUH_CACHE_URL=redis://…`` for this test, when the Redis client is installed and the
    server answers; the entries written are deleted afterwards (nothing else in Redis is touched)."""
    redis = pytest.importorskip("redis", reason="the Redis client is not installed (pip install redis)")
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError as e:
        pytest.skip(f"no Redis answers at {REDIS_URL}: {e}")
    with override_settings(CACHES={"default": cacheurl.parse(REDIS_URL, Path("."))}):
        written = []
        yield server, written
        for key in written:
            server.delete(key)
    server.close()


@pytest.mark.django_db
def test_redis_cache_url_shares_pages_between_clients_and_processes(alice, known, redis_cache):
    """With a redis:// cache URL a dashboard rendered for one client is served to another, and
    another process (a second gunicorn worker) reads that entry and can replace it."""
    server, written = redis_cache
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(alice)
    r = first.get(URL)
    assert r.status_code == 200 and "dashboards/_prevalence_body.html" in _templates(r)
    # The entry is in Redis under this data version (not an earlier run's page).
    keys = sorted(k.decode() for k in server.scan_iter(f"*tumbuh:dash:prevalence:{alice.pk}:*:{views._version()}"))
    written += keys
    assert len(keys) == 1
    served = second.get(URL)
    assert "dashboards/_prevalence_body.html" not in _templates(served)
    assert served.content.count(b'data-testid="ranked-table"') == 1

    # Another process with the same TUMBUH_CACHE_URL: reads the page, then replaces it ...
    key = keys[0].split(":", 2)[2]  # Django's stored key is ":<version>:<key>"
    other = _python(
        f"entry = cache.get({key!r}); parts = entry['parts']; print('ranked-table' in parts['body'], parts['period']);"
        f"cache.set({key!r}, {{**entry, 'parts': {{**parts, 'body': '<p>dari pekerja lain</p>'}}}}, 60)",
        TUMBUH_CACHE_URL=REDIS_URL,
    )
    assert other == f"True {ROUND.key}"
    # ... and the first client is served what the other process stored.
    again = first.get(URL)
    assert b"<p>dari pekerja lain</p>" in again.content and b'data-testid="ranked-table"' not in again.content
