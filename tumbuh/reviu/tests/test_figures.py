"""The review's figures by the one rounding rule (``tumbuh.core.numbers``, issue 14): the report
writes a volume as the page does, a percentage is rounded once where it is shown, and a message
writes the budget in the reader's language."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tumbuh.rencana.testing import TEST_YEAR, make_activity
from tumbuh.reviu import actions, documents, figures
from tumbuh.reviu.models import AnnualReview, Realisation

pytestmark = pytest.mark.django_db


def _activity_table(review, user):
    return next(b for b in documents.report(review, user).blocks if "Target fisik" in getattr(b, "headers", []))


def test_the_report_writes_a_volume_as_the_page_does(client, alice):
    """A target of 2,5 paket realised 1,25 was "3 paket" and "1 paket" in the report (no decimals)."""
    activity = make_activity(alice, volume=Decimal("2.5"), unit="paket", sub_kegiatan="PMT pemulihan")
    actions.do_save_realisation(
        alice, Realisation(activity=activity, physical=Decimal("1.25"), budget=Decimal(1_000_000))
    )
    review = actions.do_save_review(alice, AnnualReview(kabupaten_id="73.24", year=TEST_YEAR))
    row = next(r for r in _activity_table(review, alice).rows if r[2] == str(activity))
    assert row[3:6] == ["2,5 paket", "1,25 paket", "50,0"]
    client.force_login(alice)
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    page = client.get(f"/reviu/?year={TEST_YEAR}").content.decode()
    assert "2,5 paket" in page and "1,25" in page


def test_a_percentage_is_kept_unrounded_and_rounded_where_shown(alice):
    activity = make_activity(alice, volume=3, budget=3_000_000)
    r = actions.do_save_realisation(
        alice, Realisation(activity=activity, physical=Decimal(1), budget=Decimal(2_000_000))
    )
    assert r.physical_percent == Decimal(100) / 3  # 33.33…, not 33.3: a mean of several is taken of this
    totals = figures.budget_totals(figures.activity_rows("73.24", TEST_YEAR))
    assert totals.percent == totals.realised * 100 / totals.budget
    review = actions.do_save_review(alice, AnnualReview(kabupaten_id="73.24", year=TEST_YEAR))
    row = next(r for r in _activity_table(review, alice).rows if r[2] == str(activity))
    assert (row[5], row[8]) == ("33,3", "66,7")


@pytest.mark.parametrize("language, pagu", [("id", "Rp 10.000.000"), ("en", "Rp 10,000,000")])
def test_the_budget_in_a_message_is_written_in_the_readers_language(alice, language, pagu):
    activity = make_activity(alice, budget=10_000_000)
    with translation.override(language), pytest.raises(ValidationError) as e:
        actions.do_save_realisation(
            alice, Realisation(activity=activity, physical=Decimal(10), budget=Decimal(10_000_001))
        )
    assert f"({pagu})" in e.value.message_dict["budget"][0]
