import pytest
from django.utils import timezone

from tumbuh.documents.tests.test_official import pdftext  # noqa: F401  (the PDF reader fixture)
from tumbuh.organisation.models import Opd
from tumbuh.tpps.models import Tpps


@pytest.fixture
def camat(demo_users):
    return demo_users["camat.malili"]


@pytest.fixture
def malili():
    return Tpps.objects.get(wilayah_id="73.24.04")


@pytest.fixture
def dinkes():
    return Opd.objects.get(kabupaten_id="73.24", short_name="DINKES")


@pytest.fixture
def today():
    """The day the pages see (they read the clock): a meeting held on it is still open."""
    return timezone.localdate()


@pytest.fixture
def make_rapat(alice):
    """A meeting, created on its own day (before it locked)."""
    from tumbuh.rapat import actions
    from tumbuh.rapat.models import Rapat

    def make(tpps, day, actor=None, **kw):
        fields = dict(title=f"Rapat {day}", date=day, place="Aula", chair="Ketua", agenda="Evaluasi\nRencana")
        fields.update(kw)
        return actions.do_save_rapat(actor or alice, Rapat(tpps=tpps, **fields), today=day)

    return make
