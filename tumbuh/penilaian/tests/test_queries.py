"""The district's page of an assessment (issue 18) and the grid read in a number of queries that
does not grow with the criteria or the districts: each criterion's levels come prefetched into its
score form, the files of every action at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tumbuh.penilaian import actions
from tumbuh.penilaian.models import Criterion, Level
from tumbuh.wilayah.models import Level as WilayahLevel
from tumbuh.wilayah.models import Wilayah

from .conftest import LUTIM

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q.captured_queries)


def _more_criteria(rubric, n: int) -> None:
    for i in range(n):
        c = Criterion.objects.create(
            rubric=rubric, aksi=1 + i % 8, code=f"X{i}", order=100 + i, indicator=f"Uji {i}", weight=Decimal(1)
        )
        Level.objects.bulk_create(Level(criterion=c, value=v, description=f"level {v}") for v in range(4))


def test_the_district_page_reads_the_same_queries_however_many_criteria(client, prov, rubric):
    from tumbuh.accounts.models import User
    from tumbuh.aksi.models import ActionYear
    from tumbuh.documents.models import UploadedDocument

    a = actions.do_start_assessment(prov, rubric.province, 2027, rubric)  # Aksi 5–8 of 2026 planned
    url = f"/penilaian/{a.pk}/kabupaten/{LUTIM}/"
    client.force_login(prov)
    client.get(url)  # the session's first write, the content types' cache
    before = _queries(client, url)
    _more_criteria(rubric, 16)
    aksi7 = ActionYear.objects.get(cycle__kabupaten_id=LUTIM, cycle__year=2026, definition__number=7)
    UploadedDocument.objects.create(
        wilayah_id=LUTIM,
        owner=aksi7,
        kind="bukti",
        title="Notulen uji aksi 7",
        file="documents/73.24/notulen.pdf",
        uploaded_by=User.objects.get(username="admin.lutim"),
    )
    page = client.get(url)
    assert len(page.context["items"]) >= 16 + 10
    assert "Notulen uji aksi 7" in page.content.decode()
    after = _queries(client, url)
    assert after == before, f"{before} queries with the rubric's criteria, {after} with 16 more"
    assert after <= 60


def test_the_grid_reads_the_same_queries_however_many_criteria_and_districts(client, prov, rubric, assessment):
    url = f"/penilaian/{assessment.pk}/"
    client.force_login(prov)
    client.get(url)
    before = _queries(client, url)
    _more_criteria(rubric, 16)
    for i in range(5):
        Wilayah.objects.create(
            code=f"73.9{i}",
            name=f"KABUPATEN UJI {i}",
            level=WilayahLevel.KABUPATEN,
            kind="kabupaten",
            parent_id="73",
            provinsi_code="73",
            kabupaten_code=f"73.9{i}",
        )
    after = _queries(client, url)
    assert after == before, f"{before} queries, {after} with 16 more criteria and 5 more districts"
