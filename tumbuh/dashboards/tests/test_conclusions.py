"""A page with no data says so and states no conclusion (issue 14): the rule
(``dashboards.conclusions``), the targets page's verdict and the prevalence cards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.dashboards.conclusions import MIN_CHILDREN, Base, conclude, enough
from tumbuh.dashboards.models import DistrictTarget

from .conftest import BALANTANG, make_child, measure

NEXT = "R2031-02"  # the round after the known children's (August 2030)


def test_conclude_says_what_is_missing_first():
    assert conclude("all linked", Base(0, "nobody measured"), Base(0, "nobody stunted")) == "nobody measured"
    assert conclude("all linked", Base(5, "nobody measured"), Base(0, "nobody stunted")) == "nobody stunted"
    assert conclude("all linked", Base(5, "nobody measured"), Base(2, "nobody stunted")) == "all linked"
    assert conclude("on track", Base(19, "too few", MIN_CHILDREN)) == "too few"
    assert conclude("on track", Base(None, "no list")) == "no list"
    assert enough(MIN_CHILDREN, MIN_CHILDREN) and not enough(0) and not enough(None)


@pytest.fixture
def one_visit(known):
    """One child, not stunted, measured in the round after the known children's."""
    measure(make_child(BALANTANG, "Satu-satunya"), dt.date(2031, 2, 3), zlen=0.5)


@pytest.mark.django_db
def test_one_child_measured_gives_no_verdict(client, alice, one_visit):
    DistrictTarget.objects.create(kabupaten_id="73.24", year=2032, indicator="stunting", target=14, source="uji")
    client.force_login(alice)
    r = client.get(reverse("dashboards:targets") + f"?within=73.24&period={NEXT}")
    rows = {row.code: (row, a) for _lv, row, _o, a in r.context["rows"]}
    row, a = rows["73.24"]
    assert (row.n_measured, row.r) == (1, 0.0)  # 0 % of one child: not "on track"
    assert a.verdict == "unknown" and a.projection is None
    assert a.note == "hanya 1 anak diukur pada Putaran Februari 2031 (penilaian memerlukan minimal 20)"
    page = r.content.decode()
    assert page.count('class="verdict-on_track"') == 0
    assert 'data-testid="verdict-note">hanya 1 anak diukur' in page
    sheet = client.get(reverse("dashboards:targets_xlsx") + f"?within=73.24&period={NEXT}")
    assert sheet.status_code == 200


@pytest.mark.django_db
def test_a_verdict_on_enough_children_stands(client, alice, known):
    DistrictTarget.objects.create(kabupaten_id="73.24", year=2032, indicator="stunting", target=50, source="uji")
    for i in range(MIN_CHILDREN):
        measure(make_child(BALANTANG, f"Cukup {i}"), dt.date(2031, 2, 3), zlen=0.5 if i % 5 else -2.5)
    client.force_login(alice)
    r = client.get(reverse("dashboards:targets") + f"?within=73.24&period={NEXT}")
    a = {row.code: a for _lv, row, _o, a in r.context["rows"]}["73.24"]
    assert a.verdict == "on_track" and a.note == ""  # 20 % of 20 children against a target of 50 %


@pytest.mark.django_db
def test_a_card_without_a_valid_z_score_says_children_were_measured(client, alice, known):
    # One child in the next round, their length/height flagged as implausible: measured, but no stunting figure.
    measure(make_child(BALANTANG, "Tinggi Janggal"), dt.date(2031, 2, 3), zlen=-7.0, flen=True)
    client.force_login(alice)
    page = client.get(reverse("dashboards:prevalence") + f"?within={BALANTANG}&period={NEXT}").content.decode()
    cards = page.split('data-testid="summary"')[1].split("</div>\n</div>")[0]
    assert "tidak ada z-skor yang valid (1 anak diukur)" in cards
    assert "tidak ada pengukuran" not in page.split('data-testid="summary"')[1].split("<h2>")[0]
    nothing = client.get(reverse("dashboards:prevalence") + f"?within={BALANTANG}&period=R2032-02").content.decode()
    assert "tidak ada z-skor yang valid" not in nothing
